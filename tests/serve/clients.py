#!/usr/bin/env python3
"""Misbehaving and patient clients for the serve limit tests.

  clients.py slow PORT SECONDS        one byte a second; prints when the
                                      server closed the connection
  clients.py hold PORT N SECONDS      opens N connections that send nothing
  clients.py inflight PORT READY GO   a POST whose body is half sent, then
                                      touches READY and waits for the file
                                      GO before sending the rest; prints the
                                      status line and Connection header
Everything is on 127.0.0.1 and ends by itself (timeouts on every socket).
"""
import os
import socket
import sys
import time

REQUEST = b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(10)
    return s


def slow(port, seconds):
    s = connect(port)
    start = time.monotonic()
    data = REQUEST + b"Content-Length: 20\r\n\r\n{\"name\": \"slowly\"}"
    for i in range(len(data)):
        if time.monotonic() - start > seconds:
            print("still open after %.0f s" % seconds)
            return 1
        try:
            s.send(data[i:i + 1])
            s.settimeout(1.0)
            got = s.recv(4096)
            if got == b"":
                print("closed by the server after %.1f s" % (time.monotonic() - start))
                return 0
            print("answered: %r" % got[:60])
            return 1
        except socket.timeout:
            continue  # nothing from the server in a second: send the next byte
        except (BrokenPipeError, ConnectionResetError):
            print("closed by the server after %.1f s" % (time.monotonic() - start))
            return 0
    print("sent everything without being closed")
    return 1


def hold(port, n, seconds):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(port))
        except OSError:
            break
    time.sleep(1.0)
    closed = 0
    for s in socks:  # a connection the server refused reads as closed
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print("holding %d, closed by the server %d" % (len(socks), closed), flush=True)
    time.sleep(max(0.0, seconds - 1.0))
    return 0


def inflight(port, ready, go):
    body = b"{\"name\": \"Hahn Tae-ryong\"}"
    s = connect(port)
    s.sendall(REQUEST + b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
    open(ready, "w").close()
    for _ in range(100):
        if os.path.exists(go):
            break
        time.sleep(0.05)
    s.sendall(body[10:])
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    conn = [l for l in lines if l.lower().startswith("connection:")]
    print(lines[0] if lines else "no answer")
    print(conn[0] if conn else "no Connection header")
    print("body has the hit" if b"custom:demo-002" in rest else "body lacks the hit")
    return 0


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "slow":
        return slow(port, float(sys.argv[3]))
    if mode == "hold":
        return hold(port, int(sys.argv[3]), float(sys.argv[4]))
    return inflight(port, sys.argv[3], sys.argv[4])


if __name__ == "__main__":
    sys.exit(main())
