#!/usr/bin/env python3
"""POST /v1/screen answers what `shinsa screen --json` prints.

usage: cli_equal.py SHINSA INDEX URL QUERIES.jsonl

For each query (one JSON object a line, the CLI's --file shape): the body
of POST /v1/screen with it must be byte for byte the stdout of
`shinsa screen --index INDEX --json --name ... --dob ...`; then all of them
as one batch must answer {"results": [...]} whose elements are those same
objects, in order. Prints one line per check and "N passed, M failed".
"""
import json
import subprocess
import sys
import urllib.request

FIELDS = ["name", "reading", "dob", "nationality", "id", "crypto", "email", "phone", "handle"]


def post(url, body):
    req = urllib.request.Request(url + "/v1/screen", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read(), r.headers.get("X-Shinsa-Index-Version")


def main():
    shinsa, index, url, queries = sys.argv[1:5]
    passed = failed = 0
    lines = [l for l in open(queries, encoding="utf-8").read().splitlines() if l.strip()]
    cli_out = []
    for line in lines:
        q = json.loads(line)
        args = [shinsa, "screen", "--index", index, "--json"]
        for f in FIELDS:
            if f in q:
                args += ["--" + f, q[f]]
        cli = subprocess.run(args, capture_output=True, timeout=60).stdout
        cli_out.append(cli)
        status, body, version = post(url, line)
        if status == 200 and body == cli and version:
            passed += 1
            print("ok   /v1/screen == shinsa screen --json for " + line)
        else:
            failed += 1
            print("FAIL /v1/screen != shinsa screen --json for " + line)
            print("     | api: " + body.decode(errors="replace")[:300])
            print("     | cli: " + cli.decode(errors="replace")[:300])
    batch = "{\"queries\": [" + ", ".join(lines) + "]}"
    status, body, version = post(url, batch)
    got = json.loads(body)
    want = [json.loads(c) for c in cli_out]
    if status == 200 and got.get("results") == want and got.get("index_version") == version:
        passed += 1
        print("ok   batch of %d == the CLI's lines, in order" % len(lines))
    else:
        failed += 1
        print("FAIL batch of %d differs from the CLI's lines" % len(lines))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
