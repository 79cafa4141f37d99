#!/usr/bin/env python3
"""Search every output for every raw secret generated (whole tokens, JWT signature segments, key bodies,
Basic passwords). leaks.py SECRETS PATH..."""
import os, subprocess, sys
sec, paths = sys.argv[1], [p for p in sys.argv[2:] if os.path.exists(p)]
n = sum(1 for l in open(sec) if l.strip())
# positive control: the search must find a secret planted in a scratch file
import tempfile
probe = [l.strip() for l in open(sec) if l.strip()][n // 2]
with tempfile.NamedTemporaryFile("w", suffix=".probe", delete=False) as tf:
    tf.write("xx" + probe + "yy\n")
ctl = subprocess.run(["grep", "-rFaoh", "-f", sec, tf.name], stdout=subprocess.PIPE).stdout.decode("latin1").split()
os.unlink(tf.name)
print("positive control (one planted secret): %s" % ("found" if probe in ctl else "NOT FOUND - search broken"))
r = subprocess.run(["grep", "-rFaoh", "-f", sec] + paths, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
hits = [h for h in r.stdout.decode("latin1").split("\n") if h]
print("secret search: %d secrets x %d outputs (%s): %d hits" % (n, len(paths), ", ".join(os.path.basename(p) for p in paths), len(hits)))
for h in sorted(set(hits))[:20]:
    print("  HIT", h[:12] + "...(len %d)" % len(h))
