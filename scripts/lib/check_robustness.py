"""Runs `claimtag tag`, claims on, over every text of the shared corpora with each model given,
and checks every record it writes. Driven by scripts/check-robustness; standard library only.

A run fails on: an exit status other than 0 or 3, a panic or internal error (caught panics
become `internal` error records), a document lost or duplicated, or any span (entity, claim
source, cue, content or content part) whose offsets do not slice the record's text to the
span's own text, a claim whose parent or entities name nothing in the record.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench.d"))
from bench_common import conll_documents, write_jsonl  # noqa: E402


def conll_sentences(path, prefix):
    """One record per sentence, as `--pipe` users and headline taggers send them."""
    records = []
    for document in conll_documents(path, prefix):
        for n, sentence in enumerate(document["text"].split("\n")):
            records.append({"id": f"{document['id']}-s{n}", "text": sentence})
    return records


def inputs(data, work):
    """(name, claimtag input arguments, number of documents expected) for every corpus."""
    sets = []
    for split in ("train", "dev", "test"):
        path = os.path.join(data, "conll2003", f"{split}.txt")
        for layout, reader in (("documents", conll_documents), ("sentences", conll_sentences)):
            records = reader(path, f"conll2003-{split}")
            target = os.path.join(work, f"conll2003-{split}-{layout}.jsonl")
            write_jsonl(records, target)
            sets.append((f"CoNLL-2003 {split}, one {layout[:-1]} a record", [target], len(records)))
    for split in ("train", "dev"):
        folder = os.path.join(data, "polnear", split, "text")
        count = len(glob.glob(os.path.join(folder, "*.txt")))
        sets.append((f"PolNeAR {split}, one article a file", [folder], count))
    pages = sorted(glob.glob(os.path.join(data, "article-extraction", "html", "*.html.gz")))
    sets.append(("article-extraction web pages", pages, len(pages)))
    return sets


def span_problems(text, span, what):
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        return [f"{what} [{start}, {end}) is not inside the text ({len(text)} characters)"]
    if "text" in span and text[start:end] != span["text"]:
        return [f"{what} [{start}, {end}) slices to {text[start:end]!r}, not its text {span['text']!r}"]
    return []


def record_problems(record):
    """Everything wrong with one document record, as messages."""
    text = record.get("text")
    if not isinstance(text, str):
        return ["no text"]
    problems = []
    entity_ids = set()
    for entity in record.get("entities", []):
        problems += span_problems(text, entity, f"entity {entity.get('id')}")
        entity_ids.add(entity.get("id"))
    claim_ids = {claim.get("id") for claim in record.get("claims", [])}
    for claim in record.get("claims", []):
        name = f"claim {claim.get('id')}"
        problems += span_problems(text, claim["cue"], f"{name} cue")
        content = claim["content"]
        problems += span_problems(text, content, f"{name} content")
        for start, end in content.get("parts") or []:
            problems += span_problems(text, {"start": start, "end": end}, f"{name} content part")
            if not content["start"] <= start <= end <= content["end"]:
                problems.append(f"{name} content part [{start}, {end}) lies outside its content")
        source = claim.get("source")
        if source:
            problems += span_problems(text, source, f"{name} source")
            named = [source.get("entity")] + [(source.get("resolved") or {}).get("entity")]
            problems += [f"{name} source names unknown entity {e}" for e in named if e and e not in entity_ids]
        if claim.get("parent") is not None and (claim["parent"] not in claim_ids or claim["parent"] == claim["id"]):
            problems.append(f"{name} has parent {claim['parent']!r}, which is no other claim of the document")
        problems += [f"{name} names unknown entity {e}" for e in claim.get("entities", []) if e not in entity_ids]
    return problems


def check_run(name, command, output, expected):
    """Runs one `claimtag tag`; returns (summary line, failures)."""
    started = time.perf_counter()
    run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    failures = []
    if run.returncode not in (0, 3):
        failures.append(f"exit status {run.returncode}: {run.stderr.strip()[-2000:]}")
    if "panicked" in run.stderr:
        failures.append(f"a panic: {run.stderr.strip()[-2000:]}")
    counts = collections.Counter()
    errors = collections.Counter()
    ids = collections.Counter()
    with open(output, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            record = json.loads(line)
            ids[record.get("id")] += 1
            if "error" in record:
                errors[record["error"]["kind"]] += 1
                if record["error"]["kind"] == "internal":
                    failures.append(f"record {number} ({record.get('id')}): {record['error']['message']}")
                continue
            counts["documents"] += 1
            counts["entities"] += len(record["entities"])
            counts["claims"] += len(record["claims"])
            failures += [f"record {number} ({record.get('id')}): {p}" for p in record_problems(record)]
    total = sum(ids.values())
    if total != expected:
        failures.append(f"{total} records for {expected} inputs")
    failures += [f"id {i!r} written {n} times" for i, n in ids.items() if n > 1]
    error_text = ", ".join(f"{kind} {n}" for kind, n in sorted(errors.items())) or "none"
    summary = (
        f"{name}: {counts['documents']} documents, {counts['entities']} entities, {counts['claims']} claims, "
        f"errors: {error_text}; exit {run.returncode}, {seconds:.0f} s"
    )
    return summary, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--model", action="append", required=True, help="LABEL=DIR, or LABEL=default")
    args = parser.parse_args()
    sets = inputs(args.data, args.work)
    all_failures = 0
    for model in args.model:
        label, directory = model.split("=", 1)
        model_args = [] if directory == "default" else ["--model", directory]
        for number, (name, paths, expected) in enumerate(sets):
            output = os.path.join(args.work, f"{label}-{number}.jsonl")
            command = [args.binary, "tag", *model_args, "--output", output, "--progress", "none", *paths]
            summary, failures = check_run(f"[{label}] {name}", command, output, expected)
            print(summary, flush=True)
            for failure in failures[:20]:
                print(f"    FAIL {failure}", flush=True)
            if len(failures) > 20:
                print(f"    ... and {len(failures) - 20} more", flush=True)
            all_failures += len(failures)
            os.remove(output)
    print(f"check-robustness: {'FAILED, ' + str(all_failures) + ' problems' if all_failures else 'every record is sound'}")
    sys.exit(1 if all_failures else 0)


if __name__ == "__main__":
    main()
