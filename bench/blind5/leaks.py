#!/usr/bin/env python3
"""Search every output of the run for any raw secret sent (out/secrets.txt)."""
import os, re, sys, glob
B = os.environ.get("RUNDIR", ".")   # the run directory: out/ (the world), run/ (the collector's)
OUT = os.environ.get("OUT", f"{B}/out")
secrets = set()
for l in open(f"{OUT}/secrets.txt"):
    l = l.rstrip("\n")
    if len(l) >= 12:
        secrets.add(l)
        if l.count(".") == 2:  # JWT: its signature and payload segments alone
            for seg in l.split(".")[1:]:
                if len(seg) >= 16: secrets.add(seg)
piece = re.compile(rb"[A-Za-z0-9_\-+/=$#.]{12,}")
split = re.compile(rb"[./=+:@?&,#$]")
found = {}
files = [p for p in glob.glob(f"{B}/run/**", recursive=True) if os.path.isfile(p)] + sys.argv[1:]
for p in files:
    data = open(p, "rb").read()
    for m in piece.finditer(data):
        s = m.group(0)
        cands = {s} | set(split.split(s))
        for c in cands:
            if len(c) >= 12:
                try: cs = c.decode()
                except Exception: continue
                if cs in secrets:
                    found.setdefault(p, set()).add(cs[:12] + "…")
n = sum(len(v) for v in found.values())
print(f"searched {len(files)} files for {len(secrets)} secrets/segments: {n} found")
for p, v in found.items():
    print(p, len(v), sorted(v)[:5])
