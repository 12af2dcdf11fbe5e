"""What the benchmarks share: the corpora they measure, a timer for one process, their messages,
and how they read claimtag's output and compare entities.

Pure standard library (claimtag_rules is too), so that scripts/bench-settings and scripts/gpu-bench
can use it with any Python, without the transformers environment bench.py runs in. scripts/gpu-bench
ships it, with claimtag_rules.py, in the bundle's py/ next to run_bench.py.
"""

import glob
import json
import os
import subprocess
import sys
import time

from claimtag_rules import trim_entity


def messages(program):
    """progress() and fail() for one script: lines on stderr that start with `program`, the name
    of the entry point the user ran, so that they can tell whose message it is; fail() then exits
    with status 1."""

    def progress(message):
        print(f"{program}: {message}", file=sys.stderr, flush=True)

    def fail(message):
        progress(message)
        sys.exit(1)

    return progress, fail


def conll_documents(path, prefix="conll2003-test"):
    """CoNLL-2003: a document per -DOCSTART- block, a sentence per blank-line-separated block
    (its tokens, the first column, joined by single spaces), sentences joined by newlines; ids
    are PREFIX-NNN."""
    documents, sentences, tokens = [], [], []

    def end_sentence():
        if tokens:
            sentences.append(" ".join(tokens))
            tokens.clear()

    def end_document():
        end_sentence()
        if sentences:
            documents.append("\n".join(sentences))
            sentences.clear()

    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("-DOCSTART-"):
                end_document()
            elif not line:
                end_sentence()
            else:
                tokens.append(line.split()[0])
    end_document()
    return [{"id": f"{prefix}-{i:03d}", "text": text} for i, text in enumerate(documents, 1)]


def polnear_documents(folder):
    """PolNeAR: one article per file, its file name as id."""
    documents = []
    for path in sorted(glob.glob(os.path.join(folder, "*"))):
        with open(path, encoding="utf-8") as article:
            documents.append({"id": os.path.basename(path), "text": article.read()})
    return documents


CORPORA = {
    # name: (title, path under CLAIMTAG_DATA, reader)
    "conll2003-test": ("CoNLL-2003 English test", "conll2003/test.txt", conll_documents),
    "polnear-dev": ("PolNeAR dev", "polnear/dev/text", polnear_documents),
}


def write_jsonl(documents, path):
    """The documents as claimtag's JSONL input, one {"id", "text"} object a line."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for document in documents:
            out.write(json.dumps(document, ensure_ascii=False) + "\n")


def measure(command, log_path, env=None):
    """Runs `command` to completion; returns (wall seconds, peak RSS in MiB, exit code).

    os.wait4 gives the resource usage of exactly this child (RUSAGE_CHILDREN would give the
    maximum over every child so far), and works where /usr/bin/time is not installed."""
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
    return wall, usage.ru_maxrss / 1024, process.returncode  # ru_maxrss is in KiB on Linux


def log_tail(path, lines=20):
    with open(path, encoding="utf-8", errors="replace") as log:
        return "".join(log.readlines()[-lines:])


def claimtag_env(threads):
    """The environment for a claimtag run held to `threads` threads: --threads sets libtorch's,
    but claimtag tokenizes on rayon's pool, which would otherwise take every core."""
    env = dict(os.environ)
    env["RAYON_NUM_THREADS"] = str(threads)
    return env


def read_jsonl(path):
    """Every record of a JSONL file (claimtag's output, the HF side's), blank lines skipped."""
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def entity_set(records):
    """Entities as (document id, start, end, label), the unit both tools are compared in; error
    records (documents claimtag could not tag) have none."""
    return {(r["id"], e["start"], e["end"], e["label"]) for r in records if "error" not in r for e in r["entities"]}


def jaccard(a, b):
    """How far two entity sets agree: |A∩B| / |A∪B| as "identical" (1.0 when both are empty),
    with the counts behind it."""
    union = a | b
    return {"identical": len(a & b) / len(union) if union else 1.0, "both": len(a & b), "union": len(union),
            "only_first": len(a - b), "only_second": len(b - a)}


def trimmed_like_claimtag(entities, texts):
    """HF spans with claimtag's edge trimming applied (quotes, brackets, dashes...), to tell a
    model disagreement from a post-processing one. `texts` maps document ids to their text."""
    trimmed = set()
    for doc_id, start, end, label in entities:
        kept = trim_entity(texts[doc_id][start:end])
        if kept is not None:
            trimmed.add((doc_id, start + kept[0], start + kept[0] + kept[1], label))
    return trimmed
