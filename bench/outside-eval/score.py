#!/usr/bin/env python3
# score.py RUN_DIR : match Detection Finding records of the audit log against labels.json
import json, glob, sys, collections, datetime
run = sys.argv[1] if len(sys.argv) > 1 else "run"
labels = json.load(open(run + "/labels.json"))
def ts(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
for l in labels:
    l["f"], l["t"] = ts(l["from"]) - 900, ts(l["to"]) + 900
    l["hits"] = []
alerts = []
for f in sorted(glob.glob(run + "/data/audit/audit-*.jsonl")):
    for line in open(f):
        if '"class_uid":2004' not in line: continue
        r = json.loads(line)
        u = r.get("unmapped", {}).get("tokenaudit", {})
        alerts.append(dict(type=u.get("finding.type"), token=u.get("token.id"), client=u.get("client.address"),
                           t=r["time"] / 1000, act=r["activity_name"], related=u.get("finding.related") or [],
                           principal=u.get("principal.id"), resource=u.get("resource"), msg=r.get("message"), sev=r.get("severity"),
                           values=u.get("evidence.values"), outcome=u.get("outcome")))
def types_of(a):
    if a["type"] == "combined_findings":
        return [x.split(":")[0] for x in a["related"]]
    return [a["type"]]
labtok = collections.defaultdict(list)
for l in labels:
    if l["token"]: labtok[l["token"]].append(l)
stuff = [l for l in labels if l["type"] == "credential_stuffing"]
per = collections.defaultdict(lambda: dict(inj=0, matched=0, alerts=0, tp=0, coll=0, fp=0))
for l in labels: per[l["type"]]["inj"] += 1
fps, colls = [], []
for a in alerts:
    ok = False
    for l in labels:
        if l["type"] not in types_of(a): continue
        if not (l["f"] <= a["t"] <= l["t"]): continue
        if l["type"] == "credential_stuffing":
            if a["client"] != l["client"]: continue
        elif a["token"] != l["token"]: continue
        l["hits"].append(a); ok = True
    key = a["type"]
    per[key]["alerts"] += 1
    if ok:
        per[key]["tp"] += 1; continue
    coll = any(l["f"] - 3600 <= a["t"] <= l["t"] + 3600 for l in labtok.get(a["token"], [])) or \
           any(a["client"] == l["client"] and l["f"] <= a["t"] <= l["t"] for l in stuff)
    if coll: per[key]["coll"] += 1; colls.append(a)
    else: per[key]["fp"] += 1; fps.append(a)
for l in labels:
    if l["hits"]: per[l["type"]]["matched"] += 1
def fmt(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%a %m-%d %H:%M")
print(f"{'type':22} {'inj':>3} {'match':>5} {'alerts':>6} {'tp':>4} {'coll':>4} {'fp':>4} {'recall':>6} {'prec':>6} {'prec_strict':>11}")
TP = FP = C = 0
for k in sorted(per):
    p = per[k]; TP += p["tp"]; FP += p["fp"]; C += p["coll"]
    rec = p["matched"] / p["inj"] if p["inj"] else float('nan')
    prec = p["tp"] / (p["tp"] + p["fp"]) if p["tp"] + p["fp"] else float('nan')
    ps = p["tp"] / p["alerts"] if p["alerts"] else float('nan')
    print(f"{k:22} {p['inj']:>3} {p['matched']:>5} {p['alerts']:>6} {p['tp']:>4} {p['coll']:>4} {p['fp']:>4} {rec:6.2f} {prec:6.2f} {ps:11.2f}")
print(f"micro precision (collateral excluded) {TP/(TP+FP):.3f}; strict (collateral as false) {TP/(TP+FP+C):.3f}; alerts {len(alerts)}")
if "-v" in sys.argv:
    print("\n== MISSES")
    for l in labels:
        if not l["hits"]:
            other = [a for a in alerts if (a["token"] == l["token"] and l["token"]) and l["f"] - 3600 <= a["t"] <= l["t"] + 3600]
            print(f"MISS {l['type']} {l['token'] or l['client']} {fmt(l['f']+900)}..{fmt(l['t']-900)} :: {l['desc']}")
            for a in other: print(f"     other alert on it: {a['type']} {fmt(a['t'])} {a['related']} {a['msg'][:150]}")
    print("\n== FALSE ALERTS")
    for a in fps:
        print(f"FP {a['type']} {fmt(a['t'])} tok={a['token']} princ={a['principal']} client={a['client']} res={a['resource']} {a['related']} :: {a['msg'][:220]}")
    print("\n== COLLATERAL (other type on an injected token/stuffing client near its injection)")
    cc = collections.Counter((a['type']) for a in colls)
    print(dict(cc))
    if "-vv" in sys.argv:
        for a in colls: print(f"C {a['type']} {fmt(a['t'])} tok={a['token']} princ={a['principal']} client={a['client']} {a['related']} :: {a['msg'][:160]}")
