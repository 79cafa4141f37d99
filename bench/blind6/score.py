#!/usr/bin/env python3
"""Score a run against the frozen labels (SCORING_RULES.md). usage: score.py BLIND6_DIR RUN_DIR"""
import gzip, json, os, sys, collections
from datetime import datetime, timezone
HERE, OUT = sys.argv[1], sys.argv[2]
W = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "world")
LABELS = sys.argv[4] if len(sys.argv) > 4 else os.path.join(HERE, "labels.v2.jsonl" if os.path.exists(os.path.join(HERE, "labels.v2.jsonl")) else "labels.jsonl")
labels = [json.loads(l) for l in open(LABELS)]
idx = json.load(open(os.path.join(W, "injected_index.json")))
stats = json.load(open(os.path.join(W, "clean_stats.json")))
INJ = set(idx["injected_token_ids"]); ATK = set(idx["attack_only_token_ids"]); ADDR = set(idx["attack_addresses"])
def ts(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
LIFE = {"stale_token", "unused_scopes", "expiring_soon", "excessive_lifetime"}
for L in labels:
    L["s"], L["e"] = ts(L["start"]), ts(L["end"])
    if L["type"] in LIFE: L["lo"], L["hi"] = L["s"] - 86400, L["e"] + 86400
    else: L["lo"], L["hi"] = L["s"] - 300, L["e"] + 7200
def flat(o, p="", acc=None):
    acc = {} if acc is None else acc
    if isinstance(o, dict):
        for k, v in o.items(): flat(v, p + "." + k if p else k, acc)
    else:
        acc[p] = o
    return acc
def get(f, suffix):
    for k, v in f.items():
        if k.endswith(suffix): return v
    return None
recs = []; nrec = 0; classes = collections.Counter()
ad = os.path.join(OUT, "data", "audit")
for fn in sorted(os.listdir(ad)):
    p = os.path.join(ad, fn)
    if os.path.isdir(p) or not fn.startswith("audit-"): continue
    op = gzip.open if fn.endswith(".gz") else open
    try:
        fh = op(p, "rt")
        for line in fh:
            line = line.strip()
            if not line.startswith("{"): continue
            try: r = json.loads(line)
            except Exception: continue
            nrec += 1; classes[r.get("class_uid")] += 1
            if r.get("class_uid") == 2004: recs.append(r)
    except Exception as e:
        print("skip", p, e, file=sys.stderr)
alerts = []; updates = collections.Counter()
for r in recs:
    f = flat(r)
    typ = get(f, "finding.type")
    a = {"type": typ, "tok": get(f, "token.id"), "client": get(f, "client.address"), "hint": get(f, "token.hint") or "",
         "values": get(f, "evidence.values"), "first": get(f, "finding.first_seen"), "time": r.get("time"),
         "type_uid": r.get("type_uid"), "msg": r.get("message") or get(f, "finding_info.title") or "", "principal": get(f, "principal.id"),
         "fid": get(f, "finding.id"), "sev": r.get("severity")}
    t = a["first"] or a["time"]
    a["t"] = (t / 1000.0) if t and t > 1e11 else t
    if r.get("type_uid") == 200402:
        updates[typ] += 1; continue
    alerts.append(a)
def cred_match(a, L):
    if L.get("token_id") and a["tok"] == L["token_id"]: return True
    if L.get("client_addresses"):
        if a["client"] in L["client_addresses"]: return True
        vals = a["values"] if isinstance(a["values"], list) else [a["values"]] if a["values"] else []
        if any(str(v) in L["client_addresses"] for v in vals): return True
    if L.get("match_hint") and (L["match_hint"] in (a["hint"] or "") or L["match_hint"] in json.dumps(a["values"])): return True
    return False
types = sorted({L["type"] for L in labels} | {a["type"] for a in alerts if a["type"]})
for L in labels: L["hits"] = []
for a in alerts:
    a["cls"] = None
    for L in labels:
        if L["type"] == a["type"] and cred_match(a, L) and a["t"] is not None and L["lo"] <= a["t"] <= L["hi"]:
            L["hits"].append(a); a["cls"] = "true"
    if a["cls"]: continue
    if a["tok"] in ATK or a["client"] in ADDR:
        a["cls"] = "incidental"; continue
    for L in labels:
        if L.get("token_id") and a["tok"] == L["token_id"] and a["t"] is not None and L["s"] - 300 <= a["t"] <= L["e"] + 7200:
            a["cls"] = "incidental"; break
        if L.get("client_addresses") and a["client"] in L["client_addresses"]:
            a["cls"] = "incidental"; break
    if not a["cls"]:
        a["cls"] = "false"
        a["clean"] = a["tok"] not in INJ and a["client"] not in ADDR
rows = []; TD = stats["clean_token_days"]
tot = collections.Counter(); recalls = []
for t in types:
    Ls = [L for L in labels if L["type"] == t]; As = [a for a in alerts if a["type"] == t]
    inj = len(Ls); det = sum(1 for L in Ls if L["hits"])
    tr = sum(1 for a in As if a["cls"] == "true"); inc = sum(1 for a in As if a["cls"] == "incidental")
    fa = sum(1 for a in As if a["cls"] == "false"); fc = sum(1 for a in As if a["cls"] == "false" and a.get("clean"))
    rec = det / inj if inj else None
    if inj: recalls.append(rec)
    prec = tr / (tr + fa) if tr + fa else None
    rows.append((t, inj, det, rec, len(As), tr, inc, fa, prec, fc, fc / TD * 1000, updates.get(t, 0)))
    tot.update(inj=inj, det=det, alerts=len(As), tr=tr, inc=inc, fa=fa, fc=fc)
fmt = lambda x: "-" if x is None else ("%.3f" % x if isinstance(x, float) else str(x))
lines = ["| finding type | injected | detected | recall | alerts | true | incidental | false | precision | false on clean | per 1k clean token-days | updates (not scored) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows: lines.append("| " + " | ".join(fmt(x) for x in r) + " |")
mr = sum(recalls) / len(recalls); mp = tot["tr"] / (tot["tr"] + tot["fa"]) if tot["tr"] + tot["fa"] else None
lines.append("| **all** | %d | %d | macro %.3f | %d | %d | %d | %d | micro %s | %d | %.3f | %d |" % (tot["inj"], tot["det"], mr, tot["alerts"], tot["tr"], tot["inc"], tot["fa"], fmt(mp), tot["fc"], tot["fc"] / TD * 1000, sum(updates.values())))
print("labels: %s  world: %s" % (LABELS, W))
print("audit records: %d by class %s; Detection Finding Creates %d, Updates %d; clean token-days %d, clean tokens %d" % (nrec, dict(classes), len(alerts), sum(updates.values()), TD, stats["clean_tokens"]))
print("\n".join(lines))
print("\n## Misses")
for L in labels:
    if not L["hits"]:
        other = sorted({(a["type"], a["cls"]) for a in alerts if (L.get("token_id") and a["tok"] == L["token_id"]) or (L.get("client_addresses") and a["client"] in L["client_addresses"])})
        print("- %s %s %s %s..%s: %s | other alerts on this credential: %s" % (L["id"], L["type"], (L.get("token_id") or ",".join(L.get("client_addresses", [])[:3]) or L.get("match_hint")), L["start"], L["end"], L["desc"], other or "none"))
print("\n## False alerts")
for a in sorted([a for a in alerts if a["cls"] == "false"], key=lambda a: (a["type"], a["t"] or 0)):
    print("- %s %s tok=%s principal=%s client=%s clean=%s: %s" % (a["type"], datetime.fromtimestamp(a["t"], timezone.utc).strftime("%m-%d %H:%M") if a["t"] else "?", a["tok"], a["principal"], a["client"], a.get("clean"), (a["msg"] or "")[:220]))
json.dump({"rows": rows, "macro_recall": mr, "micro_precision": mp, "alerts": [{k: v for k, v in a.items() if k != "values"} for a in alerts]},
          open(os.path.join(OUT, "score.json"), "w"), indent=0, default=str)
