#!/usr/bin/env python3
"""Search every output of a run for every raw secret sent: whole tokens, JWT payload and signature segments,
Basic credentials (base64 and decoded password), webhook URLs and their path secret.
Uses GNU grep -F (Aho-Corasick) over every file; prints counts per file and the first hits (truncated)."""
import base64, os, re, sys, json, subprocess, collections, tempfile
secfile, out = sys.argv[1], sys.argv[2]
needles = set()
for line in open(secfile):
    s = line.rstrip("\n")
    if not s or s == "A" * len(s) or len(s) < 12:
        continue
    if s.startswith("https://hooks.slack.com/"):
        needles.add(s); needles.add(s.rsplit("/", 1)[1]); continue
    parts = s.split(".")
    if len(parts) == 3 and s.startswith("eyJ"):
        for p in parts[1:]:
            if len(p) >= 16: needles.add(p)
        needles.add(s); continue
    if " " in s:      # e.g. the SQL-injection "key": not a secret
        continue
    needles.add(s)
    try:
        dec = base64.b64decode(s, validate=True).decode()
        if ":" in dec and len(dec.split(":", 1)[1]) >= 8:
            needles.add(dec.split(":", 1)[1])
    except Exception:
        pass
pf = tempfile.NamedTemporaryFile("w", delete=False, suffix=".pat")
pf.write("\n".join(sorted(needles)) + "\n"); pf.close()
hits = collections.Counter(); examples = []; files = 0; total = 0
for root, dirs, fs in os.walk(out):
    for f in fs:
        path = os.path.join(root, f)
        if f == "policy.yaml" or os.sep + "keys" + os.sep in path:
            continue
        files += 1; total += os.path.getsize(path)
        cmd = ["grep", "-a", "-o", "-F", "-f", pf.name, path] if not f.endswith(".gz") else ["sh", "-c", "zcat '%s' | grep -a -o -F -f '%s'" % (path, pf.name)]
        r = subprocess.run(cmd, capture_output=True)
        found = [l for l in r.stdout.decode(errors="replace").splitlines() if l]
        if found:
            hits[os.path.relpath(path, out)] += len(found)
            examples += [(os.path.relpath(path, out), x[:10] + "…") for x in found[:3]]
os.unlink(pf.name)
print(json.dumps({"needles": len(needles), "files_scanned": files, "bytes_scanned": total, "hits_total": sum(hits.values()),
                  "hits_by_file": hits, "examples": examples[:20]}, indent=1))
