#!/usr/bin/env python3
"""search every output of a run (audit log, state, checkpoints, collector log, metrics scrapes, sender log) for the world's raw secrets.
A planted positive control (one real secret written to <run>/planted_control.txt) must be found; it is reported apart."""
import os, subprocess, sys, collections
WORLD, RUN = sys.argv[1], sys.argv[2]
sec = os.path.join(WORLD, "secrets.txt")
secrets = [l.rstrip("\n") for l in open(sec) if l.strip()]
ctl = os.path.join(RUN, "planted_control.txt")
control = max(secrets, key=len)
open(ctl, "w").write("positive control: " + control + "\n")
r = subprocess.run(["grep", "-r", "-a", "-o", "-F", "-f", sec, RUN], capture_output=True, text=True, errors="replace")
hits = collections.Counter(); files = collections.Counter(); ctl_found = False
for line in r.stdout.splitlines():
    f, _, s = line.partition(":")
    if f == ctl:
        ctl_found = ctl_found or s == control or control.startswith(s) or s in control
        continue
    hits[s] += 1; files[f] += 1
os.remove(ctl)
kinds = collections.Counter()
print(f"raw secrets searched: {len(secrets)} (whole keys, whole JWTs, JWT signatures, passwords, webhook paths, issuer secrets)")
print(f"positive control (planted file): {'FOUND' if ctl_found else 'NOT FOUND - search broken'}")
print(f"occurrences found in outputs: {sum(hits.values())}; distinct secrets found: {len(hits)}")
for f, c in files.most_common(10):
    print(f"  {c} in {f}")
for s, c in hits.most_common(10):
    print(f"  {c}x {s[:6]}… (len {len(s)})")
