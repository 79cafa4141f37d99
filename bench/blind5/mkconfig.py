#!/usr/bin/env python3
"""Copy the evaluator's config.yaml with its ports moved to BASEPORT's (the only change).
mkconfig.py CONFIG BASEPORT OUT
BASEPORT (20317 in config.yaml) is OTLP gRPC; OTLP/HTTP is +1, health_check -184, pprof -140,
the collector's own metrics +571, the prometheus exporter +572."""
import re, sys
src, base, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = open(src).read()
ports = {"127.0.0.1:20317": "127.0.0.1:%d" % base, "127.0.0.1:20318": "127.0.0.1:%d" % (base + 1),
         "127.0.0.1:20133": "127.0.0.1:%d" % (base - 184), "127.0.0.1:20177": "127.0.0.1:%d" % (base - 140),
         "127.0.0.1:20889": "127.0.0.1:%d" % (base + 572), "port: 20888": "port: %d" % (base + 571)}
for old in ports:
    assert s.count(old) == 1, old
# one pass, so that a new port never gets replaced again
s = re.sub("|".join(re.escape(k) for k in ports), lambda m: ports[m.group(0)], s)
open(out, "w").write(s)
