#!/usr/bin/python3
"""Slow clients against `acmespec serve` (issue 11, D3).

1. About 1,000 slow connections held from 16 loopback addresses other than
   127.0.0.1 (each trickles a TLS record a byte at a time): a normal client
   from 127.0.0.1 is still served, and the slow ones were really held.
2. 300 connections from one address: the per-IP limit (256) closes those
   past it.
3. A connection that trickles a request's headers one byte every half
   second is closed at its request deadline (--request-timeout), however
   often it sends.

Usage: slow_clients.py ACMESPEC_BINARY
"""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def start_serve(binary, *extra):
    """acmespec serve with extra options; (process, https port, plain port, bundle)."""
    workdir = tempfile.mkdtemp(prefix="acmespec-slow-")
    p = subprocess.Popen([binary, "serve", "--port", "0", "--plain-http", "0",
                          "--workdir", workdir, *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = {}
    deadline = time.monotonic() + 60
    while len(info) < 3 and time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        k, _, v = line.strip().partition(": ")
        info[k] = v
    if len(info) < 3:
        p.kill()
        sys.exit("serve did not start: " + p.stderr.read())
    port = int(re.search(r":(\d+)/", info["directory"]).group(1))
    plain = int(re.search(r":(\d+)/", info["plain-http"]).group(1))
    return p, port, plain, info["ca-bundle"], workdir


def stop_serve(p, workdir):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    check(p.returncode == 0, "serve exits 0 on SIGTERM (exit %s)" % p.returncode)
    for f in os.listdir(workdir):
        os.unlink(os.path.join(workdir, f))
    os.rmdir(workdir)


def slow_conn(src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    try:
        s.send(b"\x16")  # the first byte of a TLS handshake record
    except OSError:
        pass  # refused at once: counted as closed
    return s


def closed_by_peer(s):
    """1 when the server closed s (EOF or reset), 0 when it is still open."""
    po = select.poll()
    po.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
    if not po.poll(0):
        return 0
    try:
        return 1 if s.recv(1) == b"" else 0
    except OSError:
        return 1


def normal_client(port, bundle):
    t0 = time.monotonic()
    r = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", bundle,
                        "--interface", "127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}",
                        "https://127.0.0.1:%d/s/default/directory" % port],
                       capture_output=True, text=True)
    return r.stdout.strip(), time.monotonic() - t0, r.stderr.strip()


def held_test(binary):
    p, port, _, bundle, wd = start_serve(binary)
    conns = []
    try:
        for a in range(2, 18):
            for _ in range(63):
                conns.append(slow_conn("127.0.0.%d" % a, port))
        time.sleep(2)
        for s in conns:  # one more byte each: they trickle
            try:
                s.send(b"\x03")
            except OSError:
                pass  # cut by the server: counted below
        open_before = sum(1 for s in conns if not closed_by_peer(s))
        check(open_before >= 1000, "%d of %d slow connections held" % (open_before, len(conns)))
        code, took, err = normal_client(port, bundle)
        check(code == "200", "normal client served while they are held: HTTP %s in %.1f s %s"
              % (code, took, err))
        open_after = sum(1 for s in conns if not closed_by_peer(s))
        check(open_after >= 1000, "%d slow connections still held after it" % open_after)
        # one address past its limit: the rest are closed at once
        extra = [slow_conn("127.0.0.99", port) for _ in range(300)]
        time.sleep(2)
        cut = sum(closed_by_peer(s) for s in extra)
        check(cut >= 30, "per-IP limit: %d of 300 connections from one address closed" % cut)
        for s in extra:
            s.close()
    finally:
        for s in conns:
            s.close()
        stop_serve(p, wd)


def trickle_test(binary):
    p, _, plain, _, wd = start_serve(binary, "--request-timeout", "2")
    try:
        s = socket.create_connection(("127.0.0.1", plain), timeout=5)
        s.send(b"GET /s/default/directory HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        t0 = time.monotonic()
        closed = 0
        while time.monotonic() - t0 < 30:  # a bound on the test, not a timing check
            time.sleep(0.5)
            try:
                s.send(b"a")
            except OSError:
                closed = 1
                break
            if closed_by_peer(s):
                closed = 1
                break
        took = time.monotonic() - t0
        check(closed, "a trickling request is cut at its deadline (after %.1f s)" % took)
        s.close()
        # a normal request on the plain listener still works
        s = socket.create_connection(("127.0.0.1", plain), timeout=10)
        s.sendall(b"GET /s/default/directory HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        check(data.startswith(b"HTTP/1.1 200"), "a prompt request is answered 200")
    finally:
        stop_serve(p, wd)


def main():
    binary = sys.argv[1]
    held_test(binary)
    trickle_test(binary)
    if FAILS:
        print("%d check(s) failed" % len(FAILS))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
