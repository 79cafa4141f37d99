#!/usr/bin/env python3
"""Replay world/requests/* in order over OTLP/HTTP JSON with N workers; retry refused requests like an OTLP exporter."""
import http.client, os, sys, threading, time, json
rdir, port = sys.argv[1], int(sys.argv[2]); workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
files = sorted(os.listdir(rdir)); lock = threading.Lock(); idx = [0]; stats = {"sent": 0, "retries": 0, "bytes": 0, "failed": 0}
def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while True:
        with lock:
            if idx[0] >= len(files): return
            f = files[idx[0]]; idx[0] += 1
        body = open(os.path.join(rdir, f), "rb").read(); path = "/v1/traces" if f.endswith("traces.json") else "/v1/logs"
        back = 0.2
        for attempt in range(60):
            try:
                conn.request("POST", path, body, {"Content-Type": "application/json"})
                r = conn.getresponse(); r.read()
                if r.status == 200:
                    break
                with lock: stats["retries"] += 1
                sys.stderr.write("%s -> %d, retrying\n" % (f, r.status))
            except Exception as e:
                with lock: stats["retries"] += 1
                sys.stderr.write("%s -> %r, retrying\n" % (f, e))
                conn.close(); conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            time.sleep(back); back = min(back * 2, 10)
        else:
            with lock: stats["failed"] += 1
        with lock:
            stats["sent"] += 1; stats["bytes"] += len(body)
            if stats["sent"] % 500 == 0:
                sys.stderr.write("sent %d/%d\n" % (stats["sent"], len(files)))
t0 = time.time()
ts = [threading.Thread(target=worker) for _ in range(workers)]
[t.start() for t in ts]; [t.join() for t in ts]
stats["seconds"] = round(time.time() - t0, 1)
print(json.dumps(stats))
