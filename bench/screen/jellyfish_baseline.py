#!/usr/bin/python3
"""Do-it-yourself baseline for bench_screen: Debian's python3-jellyfish
Jaro-Winkler of each query against every list name (lower-cased, ASCII
names only, as a naive screener would do), keeping names above a threshold.

usage: jellyfish_baseline.py NAMES_FILE QUERIES_FILE THRESHOLD
Prints one line: "jellyfish: N queries, S seconds, Q queries/s, H hits".
"""
import sys
import time
import warnings

import jellyfish

# Debian 12's jellyfish warns about a deprecated argument format on every
# call; the baseline's output should be its figures only.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def main():
    names_path, queries_path, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(names_path, encoding="utf-8") as f:
        names = [line.rstrip("\n").lower() for line in f if line.strip()]
    with open(queries_path, encoding="utf-8") as f:
        queries = [line.rstrip("\n").lower() for line in f if line.strip()]
    jw = jellyfish.jaro_winkler_similarity
    hits = 0
    start = time.perf_counter()
    for q in queries:
        for n in names:
            if jw(q, n) >= threshold:
                hits += 1
    elapsed = time.perf_counter() - start
    print("jellyfish: %d queries, %.3f seconds, %.1f queries/s, %d hits"
          % (len(queries), elapsed, len(queries) / elapsed, hits))


if __name__ == "__main__":
    main()
