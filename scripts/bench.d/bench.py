"""claimtag against the Hugging Face transformers token-classification pipeline on the CPU: same
model, same corpora, same sentences. Started by scripts/bench (which prepares the environments
and the binary, and documents the settings); runs in the bench virtual environment.

Every measured run is a process of its own, timed from start to exit, so both tools pay their
own start-up and each peak RSS belongs to one run. Repeats run in rounds (every configuration
once per round) so that a slow spell on the machine spreads over all of them, and the tables
show medians.

The table goes to stdout, progress to stderr, the full record to $BENCH_JSON.
"""

import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

from bench_common import (
    CORPORA,
    claimtag_env,
    entity_set,
    jaccard,
    log_tail,
    measure,
    messages,
    read_jsonl,
    trimmed_like_claimtag,
    write_jsonl,
)
from hf_tag import SANITY_SENTENCES

HERE = os.path.dirname(os.path.abspath(__file__))

# Below this share of identical entities between claimtag and the ported model's raw logits,
# the port (casing ids, weights, tokenizer settings) is wrong somewhere. Not 1.0, because
# batching and padding shift fp32 results enough to flip a near tie now and then.
PARITY_THRESHOLD = 0.98

# Above this share of busy CPU time before or after the runs, the report warns that the machine
# was not quiet.
BUSY_WARNING = 0.10

progress, fail = messages("bench")


class Settings:
    def __init__(self):
        self.repo = os.path.abspath(os.path.join(HERE, "..", ".."))
        env = os.environ.get
        self.binary = env("CLAIMTAG_BIN") or os.path.join(self.repo, "target", "release", "claimtag")
        # Extra flags for every claimtag run, to try settings: CLAIMTAG_ARGS="--batch-tokens 1024".
        self.claimtag_args = shlex.split(env("CLAIMTAG_ARGS") or "")
        self.model = env("CLAIMTAG_MODEL") or os.path.join(self.repo, "models", "claimtag-ner-en")
        self.data = env("CLAIMTAG_DATA") or os.path.join(self.repo, "..", "shared", "data")
        self.threads = int(env("THREADS") or len(os.sched_getaffinity(0)))
        self.repeats = int(env("REPEATS") or 3)
        self.batch_sizes = [int(size) for size in (env("HF_BATCH_SIZES") or "8 32").split()]
        self.sort_by_length = env("HF_SORT_BY_LENGTH", "0") == "1"
        self.max_docs = int(env("BENCH_MAX_DOCS") or 0)
        self.corpora = (env("BENCH_CORPORA") or "conll2003-test polnear-dev").split()
        self.parity_docs = int(env("BENCH_PARITY_DOCS") or 20)
        self.work = os.path.join(self.repo, "target", "bench")
        self.json_path = env("BENCH_JSON") or os.path.join(self.work, "bench.json")
        if self.threads < 1 or self.repeats < 1 or not self.batch_sizes:
            fail("THREADS and REPEATS must be at least 1, HF_BATCH_SIZES must list a size")


# ---------------------------------------------------------------------------------------------
# Corpora


def build_corpus(settings, name):
    title, relative, reader = CORPORA[name]
    source = os.path.join(settings.data, relative)
    if not os.path.exists(source) or (os.path.isdir(source) and not os.listdir(source)):
        fail(f"{title} not found at {os.path.abspath(source)}; set CLAIMTAG_DATA to the folder "
             "that holds conll2003/ and polnear/")
    documents = reader(source)
    if settings.max_docs:
        documents = documents[:settings.max_docs]
    path = os.path.join(settings.work, "corpus", f"{name}.jsonl")
    write_jsonl(documents, path)
    return title, path, len(documents)


# ---------------------------------------------------------------------------------------------
# Running and measuring


def hf_env(settings):
    env = dict(os.environ)
    env["HF_HUB_OFFLINE"] = "1"  # everything is local; never wait on a network
    env["TOKENIZERS_PARALLELISM"] = "false"  # as the pipeline sets it itself when batching
    env["OMP_NUM_THREADS"] = str(settings.threads)
    return env


def run_claimtag(settings, corpus, out, log, claims):
    command = [settings.binary, "tag", corpus, "--model", settings.model, "--input-format", "jsonl",
               "--format", "jsonl", "--output", out, "--sentences", "--threads", str(settings.threads),
               "--progress", "none",
               # A CPU comparison even where a GPU is present (the default would take it).
               "--device", "cpu", *settings.claimtag_args]
    if not claims:
        # Entity rows decode greedily, as the HF pipeline does, so agreement compares like with
        # like; the claims row runs claimtag as shipped (the model's constrained decoding, claims).
        command += ["--no-claims", "--decoding", "greedy"]
    if os.path.exists(out):
        os.remove(out)  # a fresh run, never a continuation of an earlier one
    wall, rss, code = measure(command, log, claimtag_env(settings.threads))
    if code not in (0, 3):
        hint = " (this benchmark needs a claimtag with tag --output, --sentences and --progress)" if code == 2 else ""
        fail(f"claimtag exited with {code}{hint}:\n  {' '.join(command)}\n{log_tail(log)}")
    if code == 3:
        errors = sum(1 for record in read_jsonl(out) if "error" in record)
        progress(f"warning: claimtag finished with {errors} error record(s) in {out}; those documents are left out")
    return {"wall_s": wall, "peak_rss_mib": rss, "exit_code": code}


def run_hf(settings, sentences_from, out, stats, log, batch_size, sort_by_length):
    command = [sys.executable, os.path.join(HERE, "hf_tag.py"), "tag", "--model", settings.model,
               "--input", sentences_from, "--threads", str(settings.threads), "--batch-size", str(batch_size),
               "--out", out, "--stats", stats]
    if sort_by_length:
        command.append("--sort-by-length")
    wall, rss, code = measure(command, log, hf_env(settings))
    if code != 0:
        fail(f"the HF pipeline run exited with {code}:\n  {' '.join(command)}\n{log_tail(log)}")
    with open(stats, encoding="utf-8") as timings:
        run = json.load(timings)
    run.update({"wall_s": wall, "peak_rss_mib": rss})
    return run


def run_hf_check(settings, sentences_from, log):
    command = [sys.executable, os.path.join(HERE, "hf_tag.py"), "check", "--model", settings.model,
               "--input", sentences_from, "--threads", str(settings.threads), "--docs", str(settings.parity_docs)]
    with open(log, "wb") as errors:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=errors, env=hf_env(settings))
    if result.returncode != 0:
        fail(f"the HF check exited with {result.returncode}:\n  {' '.join(command)}\n{log_tail(log)}")
    return json.loads(result.stdout)


def matmul_ceiling(settings):
    result = subprocess.run([sys.executable, os.path.join(HERE, "matmul.py"), str(settings.threads)],
                            stdout=subprocess.PIPE, check=True, env=hf_env(settings))
    return json.loads(result.stdout)


def cpu_busy(seconds=2.0):
    """Share of all cores' time spent busy over `seconds`, from /proc/stat, taken while the
    benchmark itself is idle: other work on the machine slows both tools, and small batches on
    several libtorch threads suffer most (a thread that loses its core stalls the rest)."""
    def sample():
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(field) for field in stat.readline().split()[1:9]]  # user .. steal
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    try:
        total_before, idle_before = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except OSError:
        return None
    return 1 - (idle_after - idle_before) / max(1, total_after - total_before)


# ---------------------------------------------------------------------------------------------
# Model arithmetic


def sentence_lengths(settings, documents):
    """WordPiece sub-tokens per sentence ([CLS]/[SEP] excluded), by the fast tokenizer: one count
    that both tools' tokens/s are divided by."""
    from transformers import BertTokenizerFast

    tokenizer = BertTokenizerFast.from_pretrained(settings.model)
    texts = []
    for document in documents:
        for span in document.get("sentences", []):
            text = document["text"][span["start"]:span["end"]]
            if text.strip():
                texts.append(text)
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def flops_per_token(config, lengths):
    """Forward FLOPs per sub-token, 2 per multiply-add, padding excluded.

    Per layer: the Q, K, V and output projections (4 h^2) and the two feed-forward matrices
    (2 h ffn), plus attention scores and the weighted sum of values (2 * 2 h seq). For seq this
    takes the mean sequence length a token sits in ([CLS] and [SEP] included), i.e. weighted by
    tokens: attention cost grows with the token's own sentence, and long sentences hold most
    tokens. Then the classifier. Embedding lookups and layer norms are left out (no matmuls)."""
    h, ffn, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    labels = len(config["id2label"])
    total = sum(lengths)
    seq = sum((n + 2) * n for n in lengths) / total if total else 0.0
    weights = 2 * (4 * h * h + 2 * h * ffn) * layers
    attention = 4 * layers * seq * h
    classifier = 2 * h * labels
    return weights + attention + classifier, seq


# ---------------------------------------------------------------------------------------------
# Agreement


def agreement(claimtag, hf, texts, examples=5):
    counts = jaccard(claimtag, hf)
    only_claimtag, only_hf = claimtag - hf, hf - claimtag
    # Show disagreements side by side where the two tools found overlapping spans, since those
    # say the most (a type or boundary difference); then the ones only one tool found at all.
    shown, paired_hf = [], set()
    for doc_id, start, end, label in sorted(only_claimtag):
        overlapping = [e for e in sorted(only_hf) if e[0] == doc_id and e[1] < end and start < e[2]]
        entry = {"id": doc_id, "claimtag": [start, end, label, texts[doc_id][start:end]], "hf": None}
        if overlapping:
            s, e, other = overlapping[0][1:]
            entry["hf"] = [s, e, other, texts[doc_id][s:e]]
            paired_hf.add(overlapping[0])
        shown.append(entry)
    for doc_id, start, end, label in sorted(only_hf - paired_hf):
        shown.append({"id": doc_id, "claimtag": None, "hf": [start, end, label, texts[doc_id][start:end]]})
    shown.sort(key=lambda entry: entry["claimtag"] is None or entry["hf"] is None)
    return {
        "identical": counts["identical"],
        "both": counts["both"],
        "union": counts["union"],
        "only_claimtag": counts["only_first"],
        "only_hf": counts["only_second"],
        "examples": shown[:examples],
    }


# ---------------------------------------------------------------------------------------------
# One corpus


def bench_corpus(settings, name, built, flops_config, peak_gflops):
    title, corpus, num_docs = built
    runs_dir = os.path.join(settings.work, "runs")
    os.makedirs(runs_dir, exist_ok=True)

    def path(key, round_, suffix):
        return os.path.join(runs_dir, f"{name}.{key}.r{round_}.{suffix}")

    configs = [("claimtag-entities", "claimtag, entities only", {"claims": False}),
               ("claimtag-claims", "claimtag, entities + claims", {"claims": True})]
    sorts = [False, True] if settings.sort_by_length else [False]
    for batch_size in settings.batch_sizes:
        for sort in sorts:
            label = f"HF pipeline, batch {batch_size}" + (", length-sorted" if sort else "")
            key = f"hf-b{batch_size}" + ("-sorted" if sort else "")
            configs.append((key, label, {"batch_size": batch_size, "sort_by_length": sort}))

    runs = {key: [] for key, _, _ in configs}
    # The HF runs read the sentences claimtag found; round 0 of claimtag runs first.
    sentences_from = path("claimtag-entities", 0, "jsonl")
    check = None
    for round_ in range(settings.repeats):
        for key, label, options in configs:
            progress(f"{name}: round {round_ + 1}/{settings.repeats}: {label}")
            if key.startswith("claimtag"):
                run = run_claimtag(settings, corpus, path(key, round_, "jsonl"), path(key, round_, "log"),
                                   options["claims"])
            else:
                if check is None:
                    progress(f"{name}: checking the HF model against claimtag before timing it")
                    check = run_hf_check(settings, sentences_from, path("hf-check", 0, "log"))
                run = run_hf(settings, sentences_from, path(key, round_, "jsonl"), path(key, round_, "stats.json"),
                             path(key, round_, "log"), options["batch_size"], options["sort_by_length"])
            progress(f"{name}:   {run['wall_s']:.2f} s, {run['peak_rss_mib']:.0f} MiB")
            runs[key].append(run)

    claimtag_records = read_jsonl(sentences_from)
    lengths = sentence_lengths(settings, [r for r in claimtag_records if "error" not in r])
    tokens = sum(lengths)
    per_token, seq = flops_per_token(flops_config, lengths)

    rows = []
    for key, label, options in configs:
        walls = [run["wall_s"] for run in runs[key]]
        wall = statistics.median(walls)
        row = {
            "key": key,
            "tool": label,
            "wall_s": wall,
            "wall_s_runs": walls,
            "tokens_per_s": tokens / wall,
            "documents_per_s": num_docs / wall,
            "peak_rss_mib": statistics.median(run["peak_rss_mib"] for run in runs[key]),
        }
        row["gflops"] = per_token * row["tokens_per_s"] / 1e9
        row["percent_of_matmul_peak"] = 100 * row["gflops"] / peak_gflops
        if not key.startswith("claimtag"):
            row["startup_s"] = statistics.median(run["load_s"] for run in runs[key])
            row["tagging_s"] = statistics.median(run["tag_s"] for run in runs[key])
            row["tokens_per_s_excluding_startup"] = tokens / row["tagging_s"]
            row.update(options)
        rows.append(row)

    hf_rows = [row for row in rows if not row["key"].startswith("claimtag")]
    best_hf = max(hf_rows, key=lambda row: row["tokens_per_s"])
    ratios = {row["key"]: row["tokens_per_s"] / best_hf["tokens_per_s"]
              for row in rows if row["key"].startswith("claimtag")}

    texts = {r["id"]: r["text"] for r in claimtag_records if "error" not in r}
    claimtag_entities = entity_set(claimtag_records)
    hf_entities = entity_set(read_jsonl(path(best_hf["key"], 0, "jsonl")))
    agree = agreement(claimtag_entities, hf_entities, texts)
    agree["against"] = best_hf["key"]
    agree["identical_after_trimming_hf"] = agreement(
        claimtag_entities, trimmed_like_claimtag(hf_entities, texts), texts, examples=0)["identical"]

    return {
        "name": name,
        "title": title,
        "documents": num_docs,
        "sentences": len(lengths),
        "tokens": tokens,
        "mean_sentence_tokens": tokens / len(lengths) if lengths else 0.0,
        "sentences_over_510_tokens": sum(1 for n in lengths if n > 510),
        "mean_sequence_tokens_per_token": seq,
        "flops_per_token": per_token,
        "rows": rows,
        "best_hf": best_hf["key"],
        "claimtag_over_best_hf": ratios,
        "agreement": agree,
        "check": check,
        # The HF rows mean something only if the ported model reproduces claimtag's entities.
        "hf_trusted": check["parity"]["identical"] >= PARITY_THRESHOLD,
    }


def claimtag_startup(settings):
    """Wall time of claimtag on the two sanity sentences, which is nearly all start-up (libtorch,
    model load), and the entities it finds in them."""
    corpus = os.path.join(settings.work, "corpus", "sanity.jsonl")
    os.makedirs(os.path.dirname(corpus), exist_ok=True)
    with open(corpus, "w", encoding="utf-8") as out:
        for i, sentence in enumerate(SANITY_SENTENCES):
            out.write(json.dumps({"id": f"sanity-{i}", "text": sentence}) + "\n")
    out = os.path.join(settings.work, "runs", "sanity.claimtag.jsonl")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    walls = [run_claimtag(settings, corpus, out, out + ".log", claims=False)["wall_s"] for _ in range(settings.repeats)]
    entities = [[[e["label"], e["text"], round(e["score"], 3)] for e in record.get("entities", [])]
                for record in read_jsonl(out)]
    return statistics.median(walls), entities


# ---------------------------------------------------------------------------------------------
# Report


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def git_commit(repo):
    try:
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_report(summary):
    machine = summary["machine"]
    print(f"claimtag {machine['claimtag_commit']} vs transformers {machine['transformers']} "
          f"(torch {machine['torch']}), model {os.path.basename(summary['model'])}")
    print(f"{machine['cpu']}, {machine['cores']} cores, THREADS={summary['threads']}, "
          f"medians of {summary['repeats']} runs")
    if summary["claimtag_args"]:
        print(f"claimtag runs with the extra flags: {shlex.join(summary['claimtag_args'])}")
    matmul = summary["matmul"]
    shapes = ", ".join(f"{s['m']}x{s['k']}x{s['n']} {s['gflops']:.0f}" for s in matmul["shapes"])
    print(f"fp32 matmul through libtorch, GFLOP/s: {shapes}; peak {matmul['peak_gflops']:.0f}")
    print(f"claimtag start-up (sanity run): {summary['claimtag_startup_s']:.2f} s")
    load = summary["other_cpu_load"]
    if any(busy is not None and busy > BUSY_WARNING for busy in load.values()):
        shares = {moment: "?" if busy is None else f"{busy:.0%}" for moment, busy in load.items()}
        print(f"WARNING: other work kept the CPUs busy ({shares['before']} before the runs, "
              f"{shares['after']} after); these numbers understate both tools, unevenly.")
    print("tokens/s: WordPiece sub-tokens of all sentences ([CLS]/[SEP] excluded, one count for both tools)")
    print("  over the median wall time of a whole run, start-up included; peak MiB: the run's maximum RSS;")
    print("  GFLOP/s: the model's FLOPs per token times tokens/s; % peak: of the best matmul above.")
    print()
    print("Sanity sentences:")
    hf_sanity = summary["corpora"][0]["check"]["sanity"] if summary["corpora"] else []
    for i, sentence in enumerate(SANITY_SENTENCES):
        print(f"  {sentence}")
        print(f"    claimtag: {format_found(summary['claimtag_sanity'][i])}")
        if i < len(hf_sanity):
            print(f"    HF:       {format_found(hf_sanity[i]['entities'])}")

    for corpus in summary["corpora"]:
        print()
        print(f"== {corpus['title']}: {corpus['documents']:,} documents, {corpus['sentences']:,} sentences, "
              f"{corpus['tokens']:,} sub-tokens ==")
        print(f"   mean {corpus['mean_sentence_tokens']:.1f} sub-tokens a sentence, "
              f"{corpus['sentences_over_510_tokens']} over 510; "
              f"{corpus['flops_per_token'] / 1e6:.2f} MFLOP a token "
              f"(attention at {corpus['mean_sequence_tokens_per_token']:.1f} positions a token)")
        header = (f"{'tool':<36}{'tokens/s':>10}{'docs/s':>9}{'peak MiB':>9}{'wall s':>9}"
                  f"{'start-up s':>11}{'GFLOP/s':>9}{'% peak':>8}")
        print(header)
        print("-" * len(header))
        for row in corpus["rows"]:
            startup = row.get("startup_s", summary["claimtag_startup_s"])
            print(f"{row['tool']:<36}{row['tokens_per_s']:>10,.0f}{row['documents_per_s']:>9.2f}"
                  f"{row['peak_rss_mib']:>9.0f}{row['wall_s']:>9.2f}{startup:>11.2f}"
                  f"{row['gflops']:>9.1f}{row['percent_of_matmul_peak']:>7.0f}%")
        best = next(row for row in corpus["rows"] if row["key"] == corpus["best_hf"])
        ratios = ", ".join(f"{row['tool'].split(', ', 1)[1]} {corpus['claimtag_over_best_hf'][row['key']]:.2f}x"
                           for row in corpus["rows"] if row["key"] in corpus["claimtag_over_best_hf"])
        print(f"claimtag / best HF ({best['tool']}), tokens/s: {ratios}")
        excluding = ", ".join(f"batch {row['batch_size']}{' sorted' if row['sort_by_length'] else ''} "
                              f"{row['tokens_per_s_excluding_startup']:,.0f}"
                              for row in corpus["rows"] if "tagging_s" in row)
        print(f"HF tokens/s excluding its start-up: {excluding}")

        agree = corpus["agreement"]
        print(f"Entity agreement, claimtag vs {best['tool']}: identical {agree['identical']:.4f} "
              f"({agree['both']:,} of {agree['union']:,}); only claimtag {agree['only_claimtag']}, "
              f"only HF {agree['only_hf']}; with HF spans trimmed like claimtag's "
              f"{agree['identical_after_trimming_hf']:.4f}")
        for example in agree["examples"]:
            print(f"    {example['id']}: claimtag {format_span(example['claimtag'])} | HF {format_span(example['hf'])}")
        parity = corpus["check"]["parity"]
        verdict = "ok" if corpus["hf_trusted"] else "MISMATCH: the HF model port is suspect, do not trust the HF rows"
        print(f"Parity (raw logits decoded with claimtag's rules vs claimtag, first {parity['documents']} documents): "
              f"identical {parity['identical']:.4f} ({parity['matched']} of {parity['claimtag_entities']} claimtag "
              f"entities, {parity['logit_entities']} from logits): {verdict}")
        for example in parity["examples"][:5]:
            print(f"    only in {example['only_in']}: {example['id']} [{example['start']},{example['end']}) "
                  f"{example['label']} {example['text']!r}")


def format_found(entities):
    return ", ".join(f"{label} {text!r}" for label, text, _ in entities) or "(none)"


def format_span(span):
    if span is None:
        return "-"
    start, end, label, text = span
    return f"[{start},{end}) {label} {text!r}"


def main():
    settings = Settings()
    for name in settings.corpora:
        if name not in CORPORA:
            fail(f"unknown corpus {name!r} in BENCH_CORPORA; known: {', '.join(CORPORA)}")
    if not os.access(settings.binary, os.X_OK):
        fail(f"no claimtag binary at {settings.binary}; run scripts/bench (it builds one) or set CLAIMTAG_BIN")
    config_path = os.path.join(settings.model, "config.json")
    if not os.path.isfile(config_path):
        fail(f"no model at {settings.model} (no config.json); set CLAIMTAG_MODEL")
    with open(config_path, encoding="utf-8") as config_file:
        flops_config = json.load(config_file)
    context = flops_config.get("claimtag_context_tokens", 0)
    pack = flops_config.get("claimtag_pack_tokens", 0)
    if context or pack:
        # The transformers port tags sentences alone; claimtag gives this model its neighbours.
        progress(f"warning: the model reads its sentences with their neighbours ({pack} sub-tokens packed into "
                 f"one sequence, {context} of document context a side), which claimtag feeds and the "
                 "transformers port does not: the two tools run different inputs, so speed, agreement and "
                 "parity do not compare like with like. For that, set CLAIMTAG_MODEL to a model without "
                 "context or packing")
    # Missing data should stop the benchmark before it spends minutes measuring anything.
    built = {name: build_corpus(settings, name) for name in settings.corpora}
    # Outputs of an earlier benchmark (another batch size, more repeats) would only mislead.
    shutil.rmtree(os.path.join(settings.work, "runs"), ignore_errors=True)

    import torch
    import transformers

    busy_before = cpu_busy()
    if busy_before is not None and busy_before > BUSY_WARNING:
        progress(f"warning: the CPUs are {busy_before:.0%} busy with other work; every number will be slow and noisy")
    progress(f"measuring fp32 matmul with {settings.threads} thread(s)")
    matmul = matmul_ceiling(settings)
    progress("claimtag start-up and sanity sentences")
    startup, sanity = claimtag_startup(settings)
    corpora = [bench_corpus(settings, name, built[name], flops_config, matmul["peak_gflops"])
               for name in settings.corpora]
    busy_after = cpu_busy()

    summary = {
        "machine": {
            "cpu": cpu_name(),
            "cores": len(os.sched_getaffinity(0)),
            "claimtag_commit": git_commit(settings.repo),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "python": platform.python_version(),
        },
        "model": settings.model,
        "claimtag_args": settings.claimtag_args,
        "threads": settings.threads,
        "repeats": settings.repeats,
        "matmul": matmul,
        "other_cpu_load": {"before": busy_before, "after": busy_after},
        "claimtag_startup_s": startup,
        "claimtag_sanity": sanity,
        "corpora": corpora,
    }
    print_report(summary)
    os.makedirs(os.path.dirname(os.path.abspath(settings.json_path)), exist_ok=True)
    with open(settings.json_path, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2, ensure_ascii=False)
    print(f"\nFull record: {settings.json_path}")


if __name__ == "__main__":
    main()
