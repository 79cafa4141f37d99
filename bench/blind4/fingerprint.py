#!/usr/bin/env python3
"""Token ids of the world's credentials with the product's own CLI (auditctl fingerprint), never writing a
secret to the process list. fingerprint.py AUDITCTL KEYFILE FP_INPUT OUT"""
import subprocess, sys
from concurrent.futures import ThreadPoolExecutor
ctl, key, inp, out = sys.argv[1:5]
rows = [l.rstrip("\n").split("\t", 1) for l in open(inp) if l.strip()]


def one(row):
    tk, raw = row
    hdr = "authorization" if raw.startswith("ey") or tk.startswith("ci-") else "key"
    val = ("Bearer " + raw) if hdr == "authorization" else raw
    r = subprocess.run([ctl, "fingerprint", "-key-file", key, "-header", hdr], input=val.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return tk, r.stdout.decode().strip().split()[0]


with ThreadPoolExecutor(3) as ex:
    res = list(ex.map(one, rows))
with open(out, "w") as f:
    for tk, fp in res:
        f.write("%s\t%s\n" % (tk, fp))
print("fingerprinted", len(res), file=sys.stderr)
