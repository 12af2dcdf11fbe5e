"""Compares two `claimtag tag --format jsonl` outputs of the same input, for
scripts/check-alternate-libtorch: the same binary source built against two libtorch versions must
find the same entities (id, text, label, start, end) and the same claims; entity scores and claim
confidences may differ by floating-point noise, and the largest difference is reported.

    python3 compare-tag-outputs.py compare NAME REFERENCE.jsonl OTHER.jsonl [REF_S OTHER_S] >> REPORTS.jsonl
    python3 compare-tag-outputs.py table REPORTS.jsonl REFERENCE_LABEL OTHER_LABEL

compare prints one JSON line (name, documents, entities, claims, mismatches, max_score_diff,
examples, and the two runs' seconds if given) and exits 1 when anything but the scores differs; table prints those lines as a table.
"""

import json
import sys


def read(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def without_scores(entity):
    return {key: value for key, value in entity.items() if key != "score"}


def without_confidence(claim):
    """A claim less its `confidence`, which comes from the role head's probabilities (mean of the
    claim's role tags) and so carries the same floating-point noise as entity scores."""
    return {key: value for key, value in claim.items() if key != "confidence"}


def compare(name, reference_path, other_path, reference_s=None, other_s=None):
    reference, other = read(reference_path), read(other_path)
    mismatches, examples = 0, []
    max_diff, entities, claims = 0.0, 0, 0

    def mismatch(what):
        nonlocal mismatches
        mismatches += 1
        if len(examples) < 5:
            examples.append(what)

    if len(reference) != len(other):
        mismatch(f"{len(reference)} records in the reference, {len(other)} in the other")
    for ref, new in zip(reference, other):
        doc = ref.get("id")
        if doc != new.get("id") or ("error" in ref) != ("error" in new):
            mismatch(f"record {doc!r} vs {new.get('id')!r}: ids or error records differ")
            continue
        ref_entities, new_entities = ref.get("entities", []), new.get("entities", [])
        entities += len(ref_entities)
        if [without_scores(e) for e in ref_entities] != [without_scores(e) for e in new_entities]:
            only_ref = [e for e in map(without_scores, ref_entities) if e not in map(without_scores, new_entities)]
            only_new = [e for e in map(without_scores, new_entities) if e not in map(without_scores, ref_entities)]
            mismatch(f"{doc}: entities differ; only in the reference {only_ref[:3]}, only in the other {only_new[:3]}")
        else:
            for a, b in zip(ref_entities, new_entities):
                max_diff = max(max_diff, abs(a["score"] - b["score"]))
        ref_claims, new_claims = ref.get("claims", []), new.get("claims", [])
        claims += len(ref_claims)
        if [without_confidence(c) for c in ref_claims] != [without_confidence(c) for c in new_claims]:
            mismatch(f"{doc}: claims differ")
        else:
            for a, b in zip(ref_claims, new_claims):
                max_diff = max(max_diff, abs(a["confidence"] - b["confidence"]))
        if ref.get("sentences") != new.get("sentences"):
            mismatch(f"{doc}: sentence spans differ")
    json.dump({
        "name": name,
        "documents": len(reference),
        "entities": entities,
        "claims": claims,
        "mismatches": mismatches,
        "max_score_diff": max_diff,
        "examples": examples,
        "reference_s": float(reference_s) if reference_s else None,
        "other_s": float(other_s) if other_s else None,
    }, sys.stdout)
    print()
    return 1 if mismatches else 0


def seconds(value):
    return "-" if value is None else f"{value:.2f}"


def table(path, reference_label, other_label):
    print(f"{'input':<22}{'docs':>6}{'entities':>10}{'claims':>8}{'mismatches':>12}{'max |score diff|':>18}"
          f"{reference_label + ' s':>12}{other_label + ' s':>12}")
    for report in read(path):
        print(f"{report['name']:<22}{report['documents']:>6}{report['entities']:>10}{report['claims']:>8}"
              f"{report['mismatches']:>12}{report['max_score_diff']:>18.2e}"
              f"{seconds(report['reference_s']):>12}{seconds(report['other_s']):>12}")
        for example in report["examples"]:
            print(f"    {example}")
    return 0


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "compare" and len(args) in (3, 5):
        return compare(*args)
    if mode == "table" and len(args) == 3:
        return table(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
