#!/usr/bin/env python3
"""Score tokenaudit alerts against the blind world's labels.

score.py GENDIR ALERTS_JSONL FPMAP_TSV OUT_SCORE OUT_DETAIL_JSON
"""
import collections, json, sys

GEN, ALERTS, FPMAP, OUT, DETAIL = sys.argv[1:6]
labels = json.load(open(GEN + "/labels.json"))
tokens = json.load(open(GEN + "/tokens.json"))
reg = json.load(open(GEN + "/registry.json"))
fp = {}
tok2fp = {}
for line in open(FPMAP):
    tk, f = line.rstrip("\n").split("\t")
    fp[f] = tk
    tok2fp[tk] = f
alerts = [json.loads(l) for l in open(ALERTS) if l.strip()]
GRACE = 15 * 60

# injected principals (for JWT attribution) and clean token-days
inj_tokeys = {tk for tk, t in tokens.items() if t["injected"]}
clean_days = 0
seen_pd = set()
for tk, t in tokens.items():
    if t["injected"] or not t["days"]:
        continue
    if t["kind"] in ("userjwt", "meshjwt"):
        for d in t["days"]:
            seen_pd.add((t["owner"], d))
    else:
        clean_days += len(t["days"])
clean_days += len(seen_pd)


def who(a):
    """tokey (or synthetic) of the alert's token; ('clean'|'inj'|'unknown', key)."""
    tid = a.get("token_id")
    if tid and tid in fp:
        tk = fp[tid]
        return tk, ("inj" if tk in inj_tokeys else "clean")
    if tid:
        p = a.get("principal")
        if p and (p.startswith("u-") or p.endswith("-svc")):
            return "jwt-of:" + p + ":" + tid[-6:], "clean"
        return "unmapped:" + tid, "unknown"
    return "client:" + str(a.get("client")), "noid"


types = sorted({l["type"] for l in labels} | {a["type"] for a in alerts})
lab_found = [False] * len(labels)
alert_match = [False] * len(alerts)
for i, l in enumerate(labels):
    for j, a in enumerate(alerts):
        ts = a["time"] / 1000.0
        if not (l["start"] - 1 <= ts <= l["end"] + GRACE):
            continue
        if l["type"] != a["type"] and l["type"] not in a.get("related_types", []):
            continue
        if l["type"] == "credential_stuffing":
            if a.get("client") != l["client"]:
                continue
        else:
            if a.get("token_id") is None or a.get("token_id") != tok2fp.get(l["tokey"]):
                continue
        lab_found[i] = True
        alert_match[j] = True

rows = []
tot_alerts = tot_true = tot_false_clean = 0
recalls = []
detail = dict(missed=[], false_clean=[], other_injected=[], unknown=[])
stuff_clients = {l["client"] for l in labels if l["type"] == "credential_stuffing"}
for ty in types:
    L = [i for i, l in enumerate(labels) if l["type"] == ty]
    A = [j for j, a in enumerate(alerts) if a["type"] == ty]
    found = sum(lab_found[i] for i in L)
    true = sum(alert_match[j] for j in A)
    fclean = 0
    for j in A:
        if alert_match[j]:
            continue
        a = alerts[j]
        k, cls = who(a)
        if ty == "credential_stuffing" and a.get("client") in stuff_clients:
            cls = "inj"
        rec = dict(type=ty, token=k, time=a["time"], body=a.get("body", "")[:220], client=a.get("client"),
                   related=a.get("related_types"))
        if cls == "clean":
            fclean += 1
            detail["false_clean"].append(rec)
        elif cls == "inj":
            detail["other_injected"].append(rec)
        else:
            detail["unknown"].append(rec)
    for i in L:
        if not lab_found[i]:
            detail["missed"].append(labels[i])
    rec = found / len(L) if L else None
    if L:
        recalls.append(rec)
    prec = true / len(A) if A else None
    tot_alerts += len(A)
    tot_true += true
    tot_false_clean += fclean
    rows.append((ty, len(L), found, rec, len(A), true, fclean, prec, 1000.0 * fclean / clean_days))

with open(OUT, "w") as f:
    f.write("clean token-days: %d (user and service JWTs counted per principal-day)\n" % clean_days)
    f.write("%-22s %6s %5s %6s %6s %5s %6s %6s %8s\n" % ("type", "labels", "found", "recall", "alerts", "true",
                                                          "fclean", "prec", "f/1k-td"))
    for r in rows:
        f.write("%-22s %6d %5d %6s %6d %5d %6d %6s %8.3f\n" % (r[0], r[1], r[2], "-" if r[3] is None else "%.3f" % r[3],
                                                              r[4], r[5], r[6], "-" if r[7] is None else "%.3f" % r[7], r[8]))
    mr = sum(recalls) / len(recalls)
    f.write("\nmacro recall over %d labelled types: %.3f\n" % (len(recalls), mr))
    f.write("micro precision (true / all alerts): %d / %d = %.3f\n" % (tot_true, tot_alerts, tot_true / max(1, tot_alerts)))
    f.write("false alerts on clean tokens: %d (%.3f per 1,000 clean token-days)\n" % (tot_false_clean, 1000.0 * tot_false_clean / clean_days))
    f.write("other alerts on injected tokens (matching no label): %d; unattributed: %d\n" % (len(detail["other_injected"]), len(detail["unknown"])))
    f.write("labels: %d, found %d\n" % (len(labels), sum(lab_found)))
json.dump(detail, open(DETAIL, "w"), indent=1)
print(open(OUT).read())
