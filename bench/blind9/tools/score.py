#!/usr/bin/env python3
"""blind9: prior/score.py adopted; additions: strict micro precision (incidental counted as false), incidental alerts listed.
Score a run's audit log against a world's frozen labels (rules: SCORING_RULES.md;
one addition: a label may carry both token_id and match_hint, and then matches on either).

usage: score.py WORLD RUNDIR   (writes RUNDIR/score.json, prints a text summary)
"""
import collections, datetime as dt, glob, json, os, sys

WORLD, RUN = sys.argv[1], sys.argv[2]
LIFECYCLE = {"stale_token", "unused_scopes", "expiring_soon", "excessive_lifetime"}

def ts(s):
    return int(dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp() * 1000)

labels = [json.loads(l) for l in open(os.path.join(WORLD, "labels.jsonl"))]
idx = json.load(open(os.path.join(WORLD, "injected_index.json")))
clean = json.load(open(os.path.join(WORLD, "clean_stats.json")))
tokcls = {}
for l in open(os.path.join(WORLD, "token_classes.tsv")):
    a = l.rstrip("\n").split("\t")
    tokcls[a[0]] = (a[1], a[2])
pcls = json.load(open(os.path.join(WORLD, "principals.json")))
INJ = set(idx["injected_token_ids"]); ATT = set(idx["attack_only_token_ids"]); ADDR = set(idx["attack_addresses"])

alerts, updates = [], collections.Counter()
n_records = 0
HINTS = [l["match_hint"] for l in labels if l.get("match_hint")]
hint_of = {}   # token id -> hint, from the audit log's own item records (alerts carry no token.hint in this build)
for f in sorted(glob.glob(os.path.join(RUN, "data", "audit", "audit-*.jsonl"))):
    with open(f) as fh:
        for line in fh:
            n_records += 1
            if '"class_uid": 2004' not in line and '"class_uid":2004' not in line:
                if HINTS and any(h in line for h in HINTS):
                    u = json.loads(line).get("unmapped", {}).get("tokenaudit", {})
                    if u.get("token.id") and u.get("token.hint"):
                        hint_of[u["token.id"]] = u["token.hint"]
                continue
            d = json.loads(line)
            u = d.get("unmapped", {}).get("tokenaudit", {})
            typ = u.get("finding.type") or (d.get("finding_info", {}).get("types") or ["?"])[0]
            if d.get("type_uid") == 200402:
                updates[typ] += 1
                continue
            if d.get("type_uid") != 200401:
                continue
            ev = u.get("evidence.values")
            if ev is None:
                ev = []
            elif not isinstance(ev, list):
                ev = [ev]
            alerts.append(dict(type=typ, token=u.get("token.id"), client=u.get("client.address"), hint=u.get("token.hint"),
                               time=u.get("finding.first_seen") or d.get("time"), evidence=[str(x) for x in ev], principal=u.get("principal.id"),
                               resource=u.get("resource"), outcome=u.get("outcome"), msg=d.get("message", ""), severity=d.get("severity"),
                               related=u.get("finding.related")))

def lwin(l, lifecycle_any=False):
    s, e = ts(l["start"]), ts(l["end"])
    if l["type"] in LIFECYCLE:
        return s - 86400000, e + 86400000
    return s - 5 * 60000, e + 2 * 3600000

def cred_match(a, l):
    if l.get("token_id") and a["token"] == l["token_id"]:
        return True
    if l.get("client_addresses"):
        if a["client"] in l["client_addresses"] or any(x in l["client_addresses"] for x in a["evidence"]):
            return True
    if l.get("match_hint"):
        h = l["match_hint"]
        hint = a["hint"] or hint_of.get(a["token"])
        if (hint and h in hint) or any(h in x for x in a["evidence"]):
            return True
    return False

detected = collections.defaultdict(list)
res = []
for a in alerts:
    m = []
    for i, l in enumerate(labels):
        if l["type"] != a["type"]:
            continue
        lo, hi = lwin(l)
        if cred_match(a, l) and lo <= a["time"] <= hi:
            m.append(i)
    if m:
        a["cls"] = "true"; a["labels"] = [labels[i]["id"] for i in m]
        for i in m:
            detected[i].append(a)
        continue
    inc = False
    if a["token"] and a["token"] in ATT:
        inc = True
    elif a["client"] and a["client"] in ADDR:
        inc = True
    else:
        for l in labels:
            if l.get("token_id") and a["token"] == l["token_id"]:
                s, e = ts(l["start"]) - 5 * 60000, ts(l["end"]) + 2 * 3600000
                if s <= a["time"] <= e:
                    inc = True; break
    a["cls"] = "incidental" if inc else "false"
    a["clean_cred"] = a["cls"] == "false" and (a["token"] not in INJ) and (a["client"] not in ADDR)

types = sorted(set(l["type"] for l in labels) | set(a["type"] for a in alerts))
rows = []
tot_t = tot_f = 0
recalls = []
ctd = clean["clean_token_days"]
for t in types:
    L = [i for i, l in enumerate(labels) if l["type"] == t]
    A = [a for a in alerts if a["type"] == t]
    det = sum(1 for i in L if detected.get(i))
    tr = sum(1 for a in A if a["cls"] == "true"); inc = sum(1 for a in A if a["cls"] == "incidental"); fa = sum(1 for a in A if a["cls"] == "false")
    fc = sum(1 for a in A if a.get("clean_cred"))
    rec = det / len(L) if L else None
    if L:
        recalls.append(rec)
    tot_t += tr; tot_f += fa
    rows.append(dict(type=t, injected=len(L), detected=det, recall=rec, alerts=len(A), true=tr, incidental=inc, false=fa,
                     precision=(tr / (tr + fa)) if (tr + fa) else None, false_clean=fc, false_clean_per_1000=fc * 1000 / ctd, updates=updates.get(t, 0)))
macro = sum(recalls) / len(recalls)
micro = tot_t / (tot_t + tot_f) if (tot_t + tot_f) else None
tot_i = sum(1 for a in alerts if a["cls"] == "incidental")
strict = tot_t / (tot_t + tot_f + tot_i) if (tot_t + tot_f + tot_i) else None
fclean = sum(1 for a in alerts if a.get("clean_cred"))

def describe_tok(a):
    tk = a["token"]
    if tk in tokcls:
        c, o = tokcls[tk]; return f"{c} ({o})"
    p = a["principal"]
    if p and p in pcls:
        return f"{pcls[p]} ({p})"
    return f"token {tk} principal {p}"

misses = []
for i, l in enumerate(labels):
    if detected.get(i):
        continue
    near = []
    lo, hi = ts(l["start"]) - 3600000, ts(l["end"]) + 3 * 3600000
    for a in alerts:
        if (l.get("token_id") and a["token"] == l["token_id"]) or (l.get("client_addresses") and a["client"] in l["client_addresses"]):
            if l["type"] in LIFECYCLE or lo <= a["time"] <= hi:
                near.append(f"{a['type']}@{dt.datetime.fromtimestamp(a['time']/1000, dt.timezone.utc):%m-%d %H:%M}")
    misses.append(dict(label=l["id"], type=l["type"], variant=l.get("variant"), token_class=l.get("token_class"), start=l["start"], end=l["end"], note=l["note"],
                       other_alerts_on_it=sorted(set(near))))

falses = collections.defaultdict(list)
for a in alerts:
    if a["cls"] == "false":
        falses[a["type"]].append(dict(token=a["token"], who=describe_tok(a), clean_cred=a["clean_cred"], client=a["client"], resource=a["resource"],
                                      outcome=a["outcome"], time=dt.datetime.fromtimestamp(a["time"] / 1000, dt.timezone.utc).strftime("%a %m-%d %H:%M"),
                                      msg=a["msg"][:300]))

incid = collections.defaultdict(list)
for a in alerts:
    if a["cls"] == "incidental":
        incid[a["type"]].append(dict(token=a["token"], who=describe_tok(a), client=a["client"], resource=a["resource"], outcome=a["outcome"],
                                     time=dt.datetime.fromtimestamp(a["time"] / 1000, dt.timezone.utc).strftime("%a %m-%d %H:%M"), msg=a["msg"][:300]))
trues = collections.defaultdict(list)
for a in alerts:
    if a["cls"] == "true":
        trues[a["type"]].append(dict(labels=a["labels"], time=dt.datetime.fromtimestamp(a["time"] / 1000, dt.timezone.utc).strftime("%a %m-%d %H:%M"), msg=a["msg"][:200]))
out = dict(records=n_records, alerts=len(alerts), updates=dict(updates), macro_recall=macro, micro_precision=micro, strict_micro_precision=strict,
           incidental=tot_i, incidental_alerts=incid, true_alerts=trues, true=tot_t, false=tot_f,
           false_clean=fclean, clean_token_days=ctd, false_clean_per_1000=fclean * 1000 / ctd, rows=rows, misses=misses, false_alerts=falses,
           alerts_by_type=dict(collections.Counter(a["type"] for a in alerts)))
json.dump(out, open(os.path.join(RUN, "score.json"), "w"), indent=1)

print(f"audit records {n_records}, alerts (Creates) {len(alerts)}, updates {sum(updates.values())}")
print(f"strict micro precision (incidental as false) {strict:.3f} ({tot_i} incidental)")
print(f"macro recall {macro:.3f}  micro precision {micro:.3f} ({tot_t} true / {tot_f} false)  false on clean credentials {fclean} "
      f"= {fclean * 1000 / ctd:.2f} per 1,000 clean token-days ({ctd})")
print()
print(f"{'type':22} {'inj':>4} {'det':>4} {'recall':>6} {'alerts':>6} {'true':>5} {'incid':>5} {'false':>5} {'prec':>6} {'fclean':>6} {'/1k':>6}")
for r in rows:
    f = lambda x: "-" if x is None else f"{x:.3f}"
    print(f"{r['type']:22} {r['injected']:>4} {r['detected']:>4} {f(r['recall']):>6} {r['alerts']:>6} {r['true']:>5} {r['incidental']:>5} {r['false']:>5} "
          f"{f(r['precision']):>6} {r['false_clean']:>6} {r['false_clean_per_1000']:>6.2f}")
print("\nMISSES")
for m in misses:
    print(f"  {m['label']} {m['type']}{'/' + m['variant'] if m['variant'] else ''} [{m['token_class']}] {m['start']}..{m['end']}: {m['note']}  | other alerts: {', '.join(m['other_alerts_on_it']) or 'none'}")
print("\nFALSE ALERTS")
for t, L in sorted(falses.items()):
    print(f"  {t}: {len(L)}")
    for a in L[:40]:
        print(f"    {a['time']} {a['who']} clean={a['clean_cred']} client={a['client']} res={a['resource']} out={a['outcome']} :: {a['msg'][:160]}")

print("\nINCIDENTAL ALERTS")
for t, L in sorted(incid.items()):
    print(f"  {t}: {len(L)}")
    for a in L[:15]:
        print(f"    {a['time']} {a['who']} client={a['client']} res={a['resource']} out={a['outcome']} :: {a['msg'][:160]}")
