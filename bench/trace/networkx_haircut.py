#!/usr/bin/python3
"""Baseline: the haircut propagation of docs/trace.md written with networkx
(Debian's python3-networkx). Reads a graph's generic CSV and labels, runs
haircut from one source with the default stops (exchange, bridge), prints
one JSON line: propagation seconds, tainted total at exits, tainted count.
Balances before an address is tainted are its receipts minus its payments
(clamped at zero), as in the C engine, so the totals match exactly."""
import csv
import json
import sys
import time

import networkx as nx


def main():
    transfers, labels, source = sys.argv[1], sys.argv[2], sys.argv[3]
    g = nx.MultiDiGraph()
    kinds = {}
    with open(labels) as f:
        for row in csv.DictReader(f):
            kinds[row["address"]] = row["kind"]
    with open(transfers) as f:
        rd = csv.reader(f)
        next(rd)
        for seq, (t, _tx, a, b, asset, amount) in enumerate(rd):
            g.add_edge(a, b, time=int(t), seq=seq, asset=asset, amount=int(amount))
    start = time.perf_counter()
    edges = sorted(g.edges(data=True), key=lambda e: (e[2]["time"], e[2]["seq"]))
    flow = {}     # (node, asset) -> [in, out] before the node is tainted
    state = {}    # (node, asset) -> [balance, taint, tainted_in]
    stops = {"exchange", "bridge"}
    for a, b, d in edges:
        asset, y = d["asset"], d["amount"]
        ka, kb = (a, asset), (b, asset)
        t = 0
        if a == source:
            t = y
        elif ka in state:
            s = state[ka]
            if kinds.get(a) in stops:
                s[0] = max(s[0] - y, 0)
            else:
                if y > s[0]:
                    s[0] = y
                t = s[1] * y // s[0]
                s[1] -= t
                s[0] -= y
        else:
            f = flow.setdefault(ka, [0, 0])
            f[1] += y
        if b == source:
            continue
        if kb in state:
            s = state[kb]
            s[0] += y
            s[1] += t
            s[2] += t
        elif t:
            f = flow.pop(kb, [0, 0])
            state[kb] = [max(f[0] - f[1], 0) + y, t, t]
        else:
            flow.setdefault(kb, [0, 0])[0] += y
    seconds = time.perf_counter() - start
    exits = sum(s[2] for (n, _), s in state.items() if kinds.get(n) in stops)
    print(json.dumps({"seconds": seconds, "transfers": len(edges), "exits_tainted": str(exits),
                      "tainted": len(state)}))


if __name__ == "__main__":
    main()
