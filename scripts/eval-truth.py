#!/usr/bin/env python3
"""Precision and recall of `shinsa accounts score --json` (review + block)
against the ground truth written by `shinsa accounts gen`.

A smoke test, not a measurement: the generator and the detector were
written by the same hands, so high figures say the planted signs are
found, not that real operators would be.

usage: shinsa accounts score --json ... | eval-truth.py TRUTH.jsonl [MIN_RECALL]

With MIN_RECALL, exits 1 when recall is lower (the demo's own check that
the planted cells are still found).
"""
import json
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    min_recall = float(sys.argv[2]) if len(sys.argv) == 3 else 0.0
    truth = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            truth[t["account"]] = t["role"]
    flagged, levels = set(), {}
    for line in sys.stdin:
        v = json.loads(line)
        levels[v["account"]] = v["level"]
        if v["level"] in ("review", "block"):
            flagged.add(v["account"])
    bad = {a for a, role in truth.items() if role != "ordinary"}
    hit = flagged & bad
    precision = len(hit) / len(flagged) if flagged else 0.0
    recall = len(hit) / len(bad) if bad else 0.0
    print(f"accounts: {len(levels)} scored; planted operator/collaborator accounts: {len(bad)}")
    print(f"review+block: {len(flagged)}; of them planted: {len(hit)}")
    print(f"precision {precision:.3f}, recall {recall:.3f} "
          "(a smoke test: the generator and the detector share their authors)")
    missed = sorted(bad - flagged)
    if missed:
        print("missed:", ", ".join(f"{a} ({truth[a]})" for a in missed[:10]))
    if recall < min_recall:
        sys.exit(f"recall {recall:.3f} is below {min_recall}")


if __name__ == "__main__":
    main()
