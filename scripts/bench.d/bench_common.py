"""What the benchmarks share: the corpora they measure and a timer for one process.

Pure standard library, so that scripts/bench-settings and scripts/gpu-bench can use it with any
Python, without the transformers environment bench.py runs in.
"""

import glob
import json
import os
import subprocess
import time


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
