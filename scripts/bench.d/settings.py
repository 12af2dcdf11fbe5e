"""claimtag against itself under different settings (models, context, packing, batch sizes):
speed side by side in one run, and optionally CoNLL-2003 entity F1 for each setting, so that a
trade-off is read off one table. Started by scripts/bench-settings; standard library only.

Every measured run is a process of its own, timed from start to exit. Repeats run in rounds
(every setting once per round), so a slow spell on the machine spreads over all of them, and
the table shows medians.
"""

import json
import os
import re
import shlex
import statistics
import subprocess
import sys

from bench_common import CORPORA, claimtag_env, log_tail, measure, messages, write_jsonl

HERE = os.path.dirname(os.path.abspath(__file__))
# `tag --progress plain` ends with this line; it is the only place claimtag reports the sub-tokens
# it tagged.
SUMMARY = re.compile(r"claimtag: done: (\d+) documents .*?, ([\d.]+) tokens/s, .*?, ([\d.]+) s$", re.M)

progress, fail = messages("bench-settings")


def overall_scores(output):
    """Overall precision, recall and F1 from `claimtag eval --json` output, each as the text table
    prints it (four decimals), or None when the output holds no scores."""
    try:
        overall = json.loads(output)["overall"]
        return tuple(f"{overall[key]:.4f}" for key in ("precision", "recall", "f1"))
    except (ValueError, KeyError, TypeError):
        return None


def parse_settings(arguments):
    """LABEL=FLAGS arguments; the first setting is the baseline the ratios compare with."""
    settings = []
    for argument in arguments or ["default="]:
        label, separator, flags = argument.partition("=")
        if not separator or not label:
            fail(f"{argument!r} is not LABEL=FLAGS (e.g. 'no-context=--context-tokens 0')")
        settings.append((label, shlex.split(flags)))
    if len({label for label, _ in settings}) != len(settings):
        fail("two settings share a label")
    return settings


def tag_and_eval_flags(flags):
    """The flags `tag` and `eval` get for a setting's FLAGS. Tagging measures entities alone
    (`--no-claims`) unless the setting names a claim grouping (`--grouping G`): then it measures
    tagging with claims on, and `eval`, which scores entities, gets the flags without it."""
    if "--grouping" not in flags:
        return ["--no-claims", *flags], flags
    at = flags.index("--grouping")
    return flags, flags[:at] + flags[at + 2:]


def main():
    env = os.environ.get
    repo = os.path.abspath(os.path.join(HERE, "..", ".."))
    binary = env("CLAIMTAG_BIN") or os.path.join(repo, "target", "release", "claimtag")
    data = env("CLAIMTAG_DATA") or os.path.join(repo, "..", "shared", "data")
    threads = int(env("THREADS") or len(os.sched_getaffinity(0)))
    repeats = int(env("REPEATS") or 3)
    corpora = (env("BENCH_CORPORA") or "conll2003-test").split()
    evals = (env("BENCH_EVAL") or "").split()
    work = os.path.join(repo, "target", "bench-settings")
    settings = parse_settings(sys.argv[1:])
    if threads < 1 or repeats < 1:
        fail("THREADS and REPEATS must be at least 1")
    for split in evals:
        if split not in ("dev", "test"):
            fail(f"BENCH_EVAL lists {split!r}; it takes dev and/or test (CoNLL-2003)")
    for name in corpora:
        if name not in CORPORA:
            fail(f"unknown corpus {name!r} in BENCH_CORPORA; known: {', '.join(CORPORA)}")
    if not os.access(binary, os.X_OK):
        fail(f"no claimtag binary at {binary}; run scripts/bench-settings (it builds one) or set CLAIMTAG_BIN")

    run_env = claimtag_env(threads)
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)

    print(f"claimtag {binary}, {threads} threads, medians of {repeats} (wall from start to exit, start-up included)")
    for name in corpora:
        title, relative, reader = CORPORA[name]
        source = os.path.join(data, relative)
        if not os.path.exists(source):
            fail(f"{title} not found at {os.path.abspath(source)}; set CLAIMTAG_DATA")
        corpus = os.path.join(work, f"{name}.jsonl")
        documents = reader(source)
        write_jsonl(documents, corpus)
        walls = {label: [] for label, _ in settings}
        tokens = {}
        for round_ in range(repeats):
            for label, flags in settings:
                progress(f"{name}: round {round_ + 1}/{repeats}: {label}")
                log = os.path.join(work, "logs", f"{name}-{label}-{round_}.log")
                output = os.path.join(work, f"{name}-{label}.jsonl")
                if os.path.exists(output):
                    os.remove(output)  # claimtag refuses to overwrite an earlier run's records
                command = [binary, "tag", corpus, "--input-format", "jsonl", "--format", "jsonl", "--output", output,
                           "--progress", "plain", "--threads", str(threads), *tag_and_eval_flags(flags)[0]]
                wall, _, code = measure(command, log, run_env)
                if code != 0:
                    fail(f"{label}: claimtag exited with {code}:\n  {shlex.join(command)}\n{log_tail(log)}")
                with open(log, encoding="utf-8", errors="replace") as text:
                    summary = SUMMARY.search(text.read())
                if summary:
                    tokens[label] = round(float(summary.group(2)) * float(summary.group(3)))
                walls[label].append(wall)
        print(f"\n== {title}: {len(documents):,} documents")
        print(f"{'setting':<24} {'wall s (median)':>16} {'tokens/s':>9} {'docs/s':>7} {'vs ' + settings[0][0]:>12}  runs")
        baseline = statistics.median(walls[settings[0][0]])
        for label, flags in settings:
            wall = statistics.median(walls[label])
            rate = f"{tokens[label] / wall:,.0f}" if label in tokens else "?"
            runs = " ".join(f"{w:.1f}" for w in walls[label])
            print(f"{label:<24} {wall:>16.2f} {rate:>9} {len(documents) / wall:>7.1f} {baseline / wall:>11.2f}x  {runs}")

    if evals:
        print("\n== CoNLL-2003 entity F1 (claimtag eval, the same flags)")
        print(f"{'setting':<24} " + " ".join(f"{split + ' P / R / F1':>26}" for split in evals) + "  flags")
        for label, flags in settings:
            cells = []
            for split in evals:
                path = os.path.join(data, "conll2003", f"{split}.txt")
                progress(f"eval {split}: {label}")
                result = subprocess.run([binary, "eval", "--data", path, "--json", "--threads", str(threads),
                                         *tag_and_eval_flags(flags)[1]], capture_output=True, text=True, env=run_env)
                overall = overall_scores(result.stdout) if result.returncode == 0 else None
                if overall is None:
                    fail(f"{label}: claimtag eval failed on {path}:\n{result.stderr[-2000:]}")
                cells.append(" / ".join(overall))
            print(f"{label:<24} " + " ".join(f"{cell:>26}" for cell in cells) + f"  {shlex.join(flags)}")


if __name__ == "__main__":
    main()
