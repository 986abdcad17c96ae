#!/usr/bin/env python3
"""Screens in a loop until a stop file appears, and reports what it saw.

usage: swap_load.py URL STOP_FILE OUT.json

Three clients: two on kept-alive connections, one opening a connection per
request. Each POSTs {"name": "Swap Probe Person"} to /v1/screen and records
the status, the X-Shinsa-Index-Version header and whether the answer had a
hit. OUT.json gets {"requests", "failures": [...], "versions": {version:
[answers with a hit, answers without]}}.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

BODY = json.dumps({"name": "Swap Probe Person"}).encode()


def client(url, stop, keep_alive, out, lock):
    u = urllib.parse.urlsplit(url)
    conn = None
    while not os.path.exists(stop):
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            conn.request("POST", "/v1/screen", BODY, {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            version = r.getheader("X-Shinsa-Index-Version")
            hit = b'"hits": [{' in data
            with lock:
                out["requests"] += 1
                if r.status != 200:
                    out["failures"].append("status %d: %s" % (r.status, data[:200]))
                else:
                    counts = out["versions"].setdefault(version, [0, 0])
                    counts[0 if hit else 1] += 1
            if not keep_alive or r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:  # a failed request is what the test looks for
            with lock:
                out["requests"] += 1
                out["failures"].append("%s: %s" % (type(e).__name__, e))
            if conn:
                conn.close()
            conn = None
            time.sleep(0.01)
    if conn:
        conn.close()


def main():
    url, stop, path = sys.argv[1:4]
    out = {"requests": 0, "failures": [], "versions": {}}
    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(url, stop, k, out, lock))
               for k in (True, True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
