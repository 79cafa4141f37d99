#!/usr/bin/env python3
"""Replay the generated OTLP/HTTP JSON requests in order. send.py GENDIR HOST:PORT [THREADS]"""
import http.client, os, queue, sys, threading, time
GEN, HP = sys.argv[1:3]
TH = int(sys.argv[3]) if len(sys.argv) > 3 else 2
host, port = HP.split(":")
items = [l.split("\t") for l in open(GEN + "/manifest.tsv").read().split("\n") if l]
q = queue.Queue(maxsize=8)
stats = dict(sent=0, retries=0, fail=0, resent=0)
lock = threading.Lock()


def worker():
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    while True:
        it = q.get()
        if it is None:
            return
        fn, kind, dup = it
        body = open(os.path.join(GEN, "req", fn), "rb").read()
        for rep in range(2 if dup == "1" else 1):
            for attempt in range(30):
                try:
                    c.request("POST", "/v1/" + kind, body, {"Content-Type": "application/json"})
                    r = c.getresponse()
                    data = r.read()
                    if r.status == 200:
                        break
                    with lock:
                        stats["retries"] += 1
                    if attempt == 0 or r.status not in (429, 503):
                        print("HTTP", r.status, fn, data[:200], file=sys.stderr)
                    time.sleep(min(5, 0.2 * (attempt + 1)))
                except Exception as e:
                    with lock:
                        stats["retries"] += 1
                    print("ERR", fn, e, file=sys.stderr)
                    time.sleep(1)
                    c = http.client.HTTPConnection(host, int(port), timeout=120)
            else:
                with lock:
                    stats["fail"] += 1
            with lock:
                stats["sent"] += 1
                if rep:
                    stats["resent"] += 1


ts = [threading.Thread(target=worker, daemon=True) for _ in range(TH)]
for t in ts:
    t.start()
t0 = time.time()
for k, it in enumerate(items):
    q.put(it)
    if k % 1000 == 0:
        print("progress %d/%d %.0fs" % (k, len(items), time.time() - t0), file=sys.stderr, flush=True)
for _ in ts:
    q.put(None)
for t in ts:
    t.join()
print("sent", stats, "in %.1fs" % (time.time() - t0), file=sys.stderr)
