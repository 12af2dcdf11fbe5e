"""claimtag against the Hugging Face token-classification pipeline on a GPU: same model, same
corpora (CoNLL-2003 English test, PolNeAR dev), same sentences. Bundled by scripts/gpu-bench and
started by the bundle's run.sh, which sets the environment (LD_LIBRARY_PATH, PYTHON, settings).

Per corpus:
  1. claimtag at every precision (--device cuda --precision P --no-claims --sentences
     --batch-tokens N), REPEATS times in rounds, each run a process of its own, its GPU memory
     polled with nvidia-smi; the fastest run counts (a GPU run's variance is mostly start-up).
  2. hf_gpu.py once: the pipeline on the sentences of claimtag's fp32 output, every dtype and
     batch size, with torch.cuda.max_memory_allocated per configuration.
  3. Entity agreement |A∩B|/|A∪B| over (document id, start, end, label), everything against
     claimtag fp32, and claimtag bf16 against the fastest HF configuration.

Aims to finish within BUDGET_S (default 240 s) of its start, so that the whole run stays under 5
minutes: once it is spent, later claimtag rounds and HF configurations are skipped (and reported
as skipped); a run already started finishes. Only the standard library is imported
here; torch is imported by hf_gpu.py alone.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.dirname(HERE)
# scripts/gpu-bench copies bench_common.py (and the claimtag_rules.py it imports) from
# scripts/bench.d into py/ beside this file.
sys.path.insert(0, HERE)
from bench_common import entity_set, jaccard, log_tail, messages, read_jsonl, trimmed_like_claimtag  # noqa: E402

progress, fail = messages("gpu-bench")


class Settings:
    def __init__(self):
        env = os.environ.get
        self.binary = env("CLAIMTAG_BIN") or os.path.join(BUNDLE, "claimtag")
        self.model = env("CLAIMTAG_MODEL") or os.path.join(BUNDLE, "models", "claimtag-ner-en")
        self.corpus_dir = env("CORPUS_DIR") or os.path.join(BUNDLE, "corpus")
        self.corpora = (env("CORPORA") or "conll2003-test polnear-dev").split()
        self.device = env("DEVICE") or "cuda"
        self.precisions = (env("PRECISIONS") or "fp32 fp16 bf16").split()
        self.batch_tokens = int(env("BATCH_TOKENS") or 65536)
        self.repeats = int(env("REPEATS") or 2)
        self.hf_batch_sizes = [int(size) for size in (env("HF_BATCH_SIZES") or "32 64 128 256").split()]
        self.hf_dtypes = (env("HF_DTYPES") or "fp32 bf16").split()
        self.max_docs = int(env("MAX_DOCS") or 0)
        self.budget_s = float(env("BUDGET_S") or 240)
        self.work = env("WORK") or "/tmp/claimtag-gpu-bench"
        self.out = env("OUT") or ""
        self.skip_hf = env("SKIP_HF", "0") == "1"
        if "fp32" not in self.precisions:
            fail("PRECISIONS must include fp32: the HF side reads its sentences, and agreement is measured against it")
        if self.repeats < 1 or not self.hf_batch_sizes:
            fail("REPEATS must be at least 1 and HF_BATCH_SIZES must list a size")


# ---------------------------------------------------------------------------------------------
# GPU memory


def nvidia_smi(*query):
    """Rows of `nvidia-smi --query-... --format=csv,noheader,nounits`, or None without one."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        result = subprocess.run(["nvidia-smi", *query, "--format=csv,noheader,nounits"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return [[field.strip() for field in line.split(",")] for line in result.stdout.splitlines() if line.strip()]


class MemoryPoller:
    """Peak GPU memory of one process while it runs, polled with nvidia-smi every 0.1 s: its
    own row of --query-compute-apps where the process table is visible, and the device's
    memory.used above what it was before the run (containers often hide other PID namespaces'
    processes, so the first may stay empty)."""

    def __init__(self, pid, baseline_mib):
        self.pid, self.baseline = str(pid), baseline_mib
        self.process_peak, self.device_peak = None, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            apps = nvidia_smi("--query-compute-apps=pid,used_memory") or []
            for row in apps:
                if len(row) == 2 and row[0] == self.pid and row[1].isdigit():
                    self.process_peak = max(self.process_peak or 0, int(row[1]))
            used = device_memory_used()
            if used is not None and self.baseline is not None:
                self.device_peak = max(self.device_peak or 0, used - self.baseline)
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return {"gpu_mib_process": self.process_peak, "gpu_mib_device_delta": self.device_peak}


def device_memory_used():
    rows = nvidia_smi("--query-gpu=memory.used")
    if not rows or not rows[0] or not rows[0][0].isdigit():
        return None
    return int(rows[0][0])  # the first GPU: claimtag's --device cuda is cuda:0


# ---------------------------------------------------------------------------------------------
# claimtag


def run_claimtag(settings, corpus, precision, out, log):
    command = [settings.binary, "tag", corpus, "--model", settings.model, "--input-format", "jsonl",
               "--format", "jsonl", "--output", out, "--no-claims", "--sentences",
               "--device", settings.device, "--precision", precision,
               "--batch-tokens", str(settings.batch_tokens), "--progress", "none"]
    if os.path.exists(out):
        os.remove(out)  # a fresh run, never a continuation
    gpu = settings.device.startswith("cuda")
    baseline = device_memory_used() if gpu else None
    with open(log, "wb") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log_file, stderr=log_file)
        poller = MemoryPoller(process.pid, baseline) if gpu else None
        code = process.wait()
        wall = time.perf_counter() - started
    memory = poller.stop() if poller else {"gpu_mib_process": None, "gpu_mib_device_delta": None}
    if code not in (0, 3):
        fail(f"claimtag exited with {code}:\n  {' '.join(command)}\n{log_tail(log)}")
    return {"wall_s": wall, "exit_code": code, **memory}


def limited_corpus(settings, name):
    source = os.path.join(settings.corpus_dir, f"{name}.jsonl")
    if not os.path.isfile(source):
        fail(f"no corpus {source}")
    if not settings.max_docs:
        return source
    path = os.path.join(settings.work, f"{name}.first{settings.max_docs}.jsonl")
    with open(source, encoding="utf-8") as lines, open(path, "w", encoding="utf-8") as out:
        for i, line in enumerate(lines):
            if i == settings.max_docs:
                break
            out.write(line)
    return path


# ---------------------------------------------------------------------------------------------
# One corpus


def bench_corpus(settings, name, deadline):
    corpus = limited_corpus(settings, name)
    documents = sum(1 for _ in open(corpus, encoding="utf-8"))
    runs_dir = os.path.join(settings.work, name)
    os.makedirs(runs_dir, exist_ok=True)

    claimtag_runs = {p: [] for p in settings.precisions}
    for round_ in range(settings.repeats):
        if round_ > 0 and time.time() > deadline:
            progress(f"{name}: out of time after {round_} round(s) of claimtag")
            break
        for precision in settings.precisions:
            out = os.path.join(runs_dir, f"claimtag-{precision}.jsonl")
            run = run_claimtag(settings, corpus, precision, out, out + f".r{round_}.log")
            progress(f"{name}: claimtag {precision} round {round_ + 1}: {run['wall_s']:.2f} s, "
                     f"GPU {run['gpu_mib_process'] or run['gpu_mib_device_delta'] or '?'} MiB")
            claimtag_runs[precision].append(run)
    # claimtag-PRECISION.jsonl holds the last round's output; all rounds tag the same input.
    reference = read_jsonl(os.path.join(runs_dir, "claimtag-fp32.jsonl"))
    texts = {r["id"]: r["text"] for r in reference if "error" not in r}
    reference_entities = entity_set(reference)

    hf = None
    if settings.skip_hf:
        progress(f"{name}: SKIP_HF=1, no HF runs")
    elif time.time() > deadline:
        # Loading the model and warming up only to skip every configuration would waste more.
        progress(f"{name}: out of time, no HF runs")
    else:
        hf = run_hf(settings, os.path.join(runs_dir, "claimtag-fp32.jsonl"), runs_dir, deadline)
    tokens = hf["tokens"] if hf else None

    rows = []
    for precision, runs in claimtag_runs.items():
        best = min(runs, key=lambda run: run["wall_s"])
        entities = entity_set(read_jsonl(os.path.join(runs_dir, f"claimtag-{precision}.jsonl")))
        row = {"key": f"claimtag-{precision}", "tool": f"claimtag {precision}", "wall_s": best["wall_s"],
               "wall_s_runs": [run["wall_s"] for run in runs],
               "startup_s": settings.startup.get(precision),
               "gpu_mib": best["gpu_mib_process"] or best["gpu_mib_device_delta"],
               "gpu_mib_source": "nvidia-smi process" if best["gpu_mib_process"] else
                                 ("nvidia-smi device delta" if best["gpu_mib_device_delta"] else None),
               "agreement_with_claimtag_fp32": jaccard(entities, reference_entities)["identical"]}
        # Start-up (CUDA, libtorch, model load: the run on two sentences) taken out, to set
        # beside HF's tagging time, which excludes its start-up too.
        row["tagging_s"] = max(1e-9, row["wall_s"] - (row["startup_s"] or 0.0))
        rows.append(row)
    if hf:
        for run in hf["runs"]:
            if run["skipped"]:
                rows.append({"key": run["key"], "tool": f"HF {run['dtype']} batch {run['batch_size']}", "skipped": True})
                continue
            entities = entity_set(read_jsonl(os.path.join(runs_dir, run["entities_file"])))
            rows.append({
                "key": run["key"], "tool": f"HF {run['dtype']} batch {run['batch_size']}",
                "wall_s": run["tag_s"] + hf["load_s"], "tagging_s": run["tag_s"], "startup_s": hf["load_s"],
                "gpu_mib": run.get("max_memory_allocated_mib"), "gpu_mib_source": "torch max_memory_allocated",
                "gpu_mib_reserved": run.get("max_memory_reserved_mib"),
                "agreement_with_claimtag_fp32": jaccard(entities, reference_entities)["identical"],
                "agreement_with_claimtag_fp32_after_trimming_hf": jaccard(
                    trimmed_like_claimtag(entities, texts), reference_entities)["identical"],
                "_entities": entities,
            })
    for row in rows:
        if row.get("skipped"):
            continue
        row["documents_per_s"] = documents / row["tagging_s"]
        row["documents_per_s_with_startup"] = documents / row["wall_s"]
        if tokens:
            row["tokens_per_s"] = tokens / row["tagging_s"]
            row["tokens_per_s_with_startup"] = tokens / row["wall_s"]

    result = {"name": name, "documents": documents, "sentences": hf["sentences"] if hf else None, "tokens": tokens,
              "rows": rows, "hf": {k: v for k, v in hf.items() if k != "runs"} if hf else None}
    hf_rows = [row for row in rows if row["key"].startswith("hf-") and not row.get("skipped")]
    if hf_rows:
        best = min(hf_rows, key=lambda row: row["tagging_s"])
        result["best_hf"] = best["key"]
        result["claimtag_over_best_hf"] = {
            row["key"]: {"tagging": best["tagging_s"] / row["tagging_s"], "with_startup": best["wall_s"] / row["wall_s"]}
            for row in rows if row["key"].startswith("claimtag-")}
        if "bf16" in settings.precisions:
            bf16 = entity_set(read_jsonl(os.path.join(runs_dir, "claimtag-bf16.jsonl")))
            result["agreement_claimtag_bf16_vs_best_hf"] = jaccard(bf16, best["_entities"])
            result["agreement_claimtag_bf16_vs_best_hf_after_trimming_hf"] = jaccard(
                bf16, trimmed_like_claimtag(best["_entities"], texts))
    for row in rows:
        row.pop("_entities", None)
    return result


def run_hf(settings, sentences_from, runs_dir, deadline):
    command = [sys.executable, os.path.join(HERE, "hf_gpu.py"), "--model", settings.model, "--input", sentences_from,
               "--out-dir", runs_dir, "--device", "0" if settings.device.startswith("cuda") else "-1",
               "--dtypes", *settings.hf_dtypes, "--batch-sizes", *map(str, settings.hf_batch_sizes),
               "--deadline", str(deadline)]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    progress(f"HF pipeline: {' '.join(command[1:])}")
    result = subprocess.run(command, stdout=subprocess.PIPE, env=env)
    if result.returncode != 0:
        # claimtag's numbers still stand; report the HF side as failed rather than losing all.
        progress(f"the HF run exited with {result.returncode}; no HF rows for this corpus")
        return None
    return json.loads(result.stdout)


def startup_runs(settings):
    """Wall time of claimtag on one short sentence per precision: nearly all start-up."""
    corpus = os.path.join(settings.work, "startup.jsonl")
    with open(corpus, "w", encoding="utf-8") as out:
        out.write(json.dumps({"id": "startup", "text": "Vladimir Putin met Volodymyr Zelensky in Kyiv."}) + "\n")
    startup = {}
    for precision in settings.precisions:
        out = os.path.join(settings.work, f"startup-{precision}.jsonl")
        # Twice: the first run also pays for loading the binary and libraries from disk.
        walls = [run_claimtag(settings, corpus, precision, out, out + ".log")["wall_s"] for _ in range(2)]
        startup[precision] = min(walls)
        found = [f"{e['label']} {e['text']!r}" for e in read_jsonl(out)[0]["entities"]]
        progress(f"claimtag {precision} start-up {startup[precision]:.2f} s; found {', '.join(found) or 'nothing'}")
    return startup


# ---------------------------------------------------------------------------------------------
# Report


def fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


def print_report(summary):
    print(f"claimtag vs HF token-classification on {summary['gpu'] or summary['device']} "
          f"(torch {summary.get('torch') or '?'}, transformers {summary.get('transformers') or '?'}), "
          f"claimtag --batch-tokens {summary['batch_tokens']}")
    print("tokens/s: WordPiece sub-tokens of claimtag's sentences over tagging time (start-up excluded:")
    print("  claimtag's wall minus its two-sentence start-up run; HF's pipeline time after the model loaded);")
    print("  'with start-up' divides by the whole run. GPU MiB: claimtag by nvidia-smi (process, else device")
    print("  delta), HF by torch.cuda.max_memory_allocated (excludes the CUDA context, ~0.5 GiB).")
    for corpus in summary["corpora"]:
        print()
        print(f"== {corpus['name']}: {corpus['documents']} documents, {fmt(corpus['sentences'], ',')} sentences, "
              f"{fmt(corpus['tokens'], ',')} sub-tokens ==")
        header = f"{'tool':<22}{'tokens/s':>11}{'docs/s':>9}{'w/ start-up tok/s':>19}{'tag s':>8}{'start s':>8}{'GPU MiB':>9}{'agree fp32':>11}"
        print(header)
        print("-" * len(header))
        for row in corpus["rows"]:
            if row.get("skipped"):
                print(f"{row['tool']:<22}  skipped (out of time)")
                continue
            print(f"{row['tool']:<22}{fmt(row.get('tokens_per_s'), ',.0f'):>11}{row['documents_per_s']:>9.1f}"
                  f"{fmt(row.get('tokens_per_s_with_startup'), ',.0f'):>19}{row['tagging_s']:>8.2f}"
                  f"{fmt(row.get('startup_s'), '.2f'):>8}{fmt(row.get('gpu_mib'), ',.0f'):>9}"
                  f"{row['agreement_with_claimtag_fp32']:>11.4f}")
        if corpus.get("best_hf"):
            ratios = ", ".join(f"{key.split('-', 1)[1]} {ratio['tagging']:.2f}x ({ratio['with_startup']:.2f}x with start-up)"
                               for key, ratio in corpus["claimtag_over_best_hf"].items())
            print(f"claimtag / best HF ({corpus['best_hf']}), throughput: {ratios}")
        if corpus.get("agreement_claimtag_bf16_vs_best_hf"):
            agree = corpus["agreement_claimtag_bf16_vs_best_hf"]
            trimmed = corpus["agreement_claimtag_bf16_vs_best_hf_after_trimming_hf"]
            print(f"Entity agreement claimtag bf16 vs {corpus['best_hf']}: {agree['identical']:.4f} "
                  f"({agree['both']:,} of {agree['union']:,}); with HF spans trimmed like claimtag's "
                  f"{trimmed['identical']:.4f}")


def main():
    settings = Settings()
    started = time.time()
    deadline = started + settings.budget_s
    os.makedirs(settings.work, exist_ok=True)
    if not os.access(settings.binary, os.X_OK):
        fail(f"no claimtag binary at {settings.binary}")
    gpu_rows = nvidia_smi("--query-gpu=name,driver_version,memory.total") if settings.device.startswith("cuda") else None
    progress(f"device {settings.device}: {gpu_rows or 'no nvidia-smi information'}")
    settings.startup = startup_runs(settings)
    corpora = [bench_corpus(settings, name, deadline) for name in settings.corpora]
    hf_info = next((corpus["hf"] for corpus in corpora if corpus["hf"]), {}) or {}
    summary = {
        "device": settings.device,
        "gpu": ", ".join(row[0] for row in gpu_rows) if gpu_rows else None,
        "gpu_driver": gpu_rows[0][1] if gpu_rows else None,
        "torch": hf_info.get("torch"),
        "transformers": hf_info.get("transformers"),
        "python": platform.python_version(),
        "batch_tokens": settings.batch_tokens,
        "precisions": settings.precisions,
        "hf_dtypes": settings.hf_dtypes,
        "hf_batch_sizes": settings.hf_batch_sizes,
        "repeats": settings.repeats,
        "max_docs": settings.max_docs,
        "claimtag_startup_s": settings.startup,
        "elapsed_s": time.time() - started,
        "corpora": corpora,
    }
    print_report(summary)
    print(f"\nelapsed {summary['elapsed_s']:.0f} s")
    destination = os.path.join(settings.out, "gpu-bench.json") if settings.out else os.path.join(settings.work, "gpu-bench.json")
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    with open(destination, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2, ensure_ascii=False)
    print(f"Full record: {destination}")


if __name__ == "__main__":
    main()
