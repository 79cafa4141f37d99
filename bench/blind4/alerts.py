#!/usr/bin/env python3
"""Extract Detection Finding records (alerts) from the audit_log directory into one JSON line each.
alerts.py AUDITDIR OUT"""
import gzip, json, os, sys
AUD, OUT = sys.argv[1:3]


def flat(d, pre=""):
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(flat(v, pre + k + "."))
    else:
        out[pre[:-1]] = d
    return out


def get(f, *suffixes):
    for s in suffixes:
        for k, v in f.items():
            if k == s or k.endswith("." + s) or k.endswith(s):
                return v
    return None


n = 0
with open(OUT, "w") as out:
    for root, _, files in os.walk(AUD):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            op = gzip.open if fn.endswith(".gz") else open
            try:
                fh = op(p, "rt")
                for line in fh:
                    if '"class_uid":2004' not in line:
                        continue
                    r = json.loads(line)
                    f = flat(r.get("unmapped", {}).get("tokenaudit", {}))
                    typ = get(f, "finding.type")
                    rel = get(f, "finding.related") or []
                    if isinstance(rel, str):
                        rel = [rel]
                    a = dict(time=r.get("time"), type=typ, token_id=get(f, "token.id"),
                             client=get(f, "client.address"), principal=get(f, "principal.id"),
                             finding_id=get(f, "finding.id"), count=get(f, "finding.count"),
                             related_types=[x.split(":")[0] for x in rel], type_uid=r.get("type_uid"),
                             body=r.get("message") or (r.get("finding_info") or {}).get("title"), raw_keys=sorted(f)[:40])
                    out.write(json.dumps(a) + "\n")
                    n += 1
            except (UnicodeDecodeError, OSError, json.JSONDecodeError) as e:
                print("skip", p, e, file=sys.stderr)
print("alerts", n, file=sys.stderr)
