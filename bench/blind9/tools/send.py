#!/usr/bin/env python3
"""send a world's OTLP/HTTP JSON requests (requests.jsonl.gz) to a collector, in order, a few in flight."""
import gzip, http.client, json, sys, threading, time, queue
path, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
inflight = int(sys.argv[4]) if len(sys.argv) > 4 else 3
q = queue.Queue(maxsize=inflight * 2)
stats = {"sent": 0, "retries": 0, "items_bytes": 0, "fail": 0}
lock = threading.Lock()
def worker():
    conn = None
    while True:
        item = q.get()
        if item is None:
            return
        p, body = item
        for attempt in range(50):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=120)
                conn.request("POST", p, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse(); data = r.read()
                if r.status == 200:
                    break
                with lock: stats["retries"] += 1
                if r.status not in (429, 500, 502, 503, 504):
                    sys.stderr.write(f"HTTP {r.status}: {data[:300]!r}\n")
                    with lock: stats["fail"] += 1
                    break
                time.sleep(min(5, 0.2 * (attempt + 1)))
            except Exception as e:
                with lock: stats["retries"] += 1
                try: conn.close()
                except Exception: pass
                conn = None
                time.sleep(min(5, 0.2 * (attempt + 1)))
        else:
            with lock: stats["fail"] += 1
        with lock:
            stats["sent"] += 1
threads = [threading.Thread(target=worker, daemon=True) for _ in range(inflight)]
for t in threads: t.start()
t0 = time.time()
with gzip.open(path, "rt") as f:
    for i, line in enumerate(f):
        line = line.rstrip("\n")
        p = line[6:line.index('"', 6)]
        body = line[line.index(',"b":') + 5:-1]
        q.put((p, body.encode()))
        if i % 2000 == 0:
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} request {i} sent {stats['sent']} retries {stats['retries']} fail {stats['fail']} ({time.time()-t0:.0f}s)\n")
for _ in threads: q.put(None)
for t in threads: t.join()
print(json.dumps(dict(stats, seconds=round(time.time() - t0))))
