#!/usr/bin/env python3
"""search every output of a run (audit log, state, checkpoints, collector log, sender log) for the world's raw secrets."""
import os, subprocess, sys, collections
WORLD, RUN = sys.argv[1], sys.argv[2]
sec = os.path.join(WORLD, "secrets.txt")
n = sum(1 for _ in open(sec))
r = subprocess.run(["grep", "-r", "-a", "-o", "-F", "-f", sec, RUN], capture_output=True, text=True, errors="replace")
hits = collections.Counter()
files = collections.Counter()
for line in r.stdout.splitlines():
    f, _, s = line.partition(":")
    hits[s] += 1; files[f] += 1
print(f"raw secrets searched: {n}; occurrences found in outputs: {sum(hits.values())}; distinct secrets found: {len(hits)}")
for f, c in files.most_common(10):
    print(f"  {c} in {f}")
for s, c in hits.most_common(10):
    print(f"  {c}x {s[:6]}… (len {len(s)})")
