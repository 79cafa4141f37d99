#!/usr/bin/env python3
"""Send out/batches/* in order over OTLP/HTTP JSON (keep-alive, retry on failure)."""
import http.client, os, sys, time, glob, threading
ADDR = os.environ.get("OTLP", "127.0.0.1:%d" % (int(os.environ.get("BASEPORT", "20317")) + 1))
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
lim = int(sys.argv[2]) if len(sys.argv) > 2 else len(files)
files = files[:lim]
def post(conn, path, body):
    for attempt in range(30):
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            r = conn.getresponse(); data = r.read()
            if r.status == 200:
                return conn
            sys.stderr.write(f"status {r.status} {data[:200]!r}\n")
        except Exception as e:
            sys.stderr.write(f"error {e}\n")
            conn.close(); conn = http.client.HTTPConnection(ADDR, timeout=60)
        time.sleep(min(5, 0.2 * 2 ** attempt))
    raise SystemExit("gave up")
t0 = time.time()
conn = http.client.HTTPConnection(ADDR, timeout=60)
for i, f in enumerate(files):
    body = open(f, "rb").read()
    conn = post(conn, "/v1/traces" if f.endswith("_traces.json") else "/v1/logs", body)
    if i % 500 == 0:
        print(f"{i}/{len(files)} {time.time()-t0:.1f}s", flush=True)
print(f"sent {len(files)} requests in {time.time()-t0:.1f}s", flush=True)
