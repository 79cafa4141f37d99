#!/usr/bin/env python3
"""Score the product's alerts (audit log Detection Findings) against labels.jsonl (SCORING_RULES.md)."""
import json, glob, os, re, sys, collections, datetime as dt

B = os.environ.get("RUNDIR", ".")   # outputs: out/ (the world), run/ (the collector's), score.md, score.json
OUT = os.environ.get("OUT", f"{B}/out")
RUN = f"{B}/run"
labels = [json.loads(l) for l in open(f"{OUT}/labels.jsonl")]
negs = [json.loads(l) for l in open(f"{OUT}/negatives.jsonl")]
creds = json.load(open(f"{OUT}/creds.json"))

def fmt(ms):
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%a %m-%d %H:%M")

# ---- read the audit log: alerts and the trace -> token map
alerts = {}      # finding id -> dict
records = collections.Counter()
trace_tok = {}
for f in sorted(glob.glob(f"{RUN}/data/audit/audit-*.jsonl")):
    for line in open(f):
        try:
            r = json.loads(line)
        except Exception:
            continue
        cu = r.get("class_uid")
        u = r.get("unmapped", {}).get("tokenaudit", {})
        if cu == 2004:
            ft = u.get("finding.type")
            records[ft] += 1
            fid = u.get("finding.id")
            a = alerts.get(fid)
            t = u.get("finding.first_seen") or r.get("time")
            if a is None:
                alerts[fid] = dict(fid=fid, type=ft, tok=u.get("token.id"), ip=u.get("client.address"), t=t, last=t,
                                   msg=r.get("message"), n=1, principal=u.get("principal.id"), resource=u.get("resource"),
                                   values=u.get("evidence.values"), related=u.get("finding.related"))
            else:
                a["n"] += 1
                a["last"] = max(a["last"], r.get("time") or 0)
        elif cu == 6003:
            tid = (r.get("trace") or {}).get("uid")
            if tid and u.get("token.id"):
                trace_tok.setdefault(tid, u.get("token.id"))

# token id -> credential name
tok2cred = {}
for nm, c in creds.items():
    if c.get("token_id"):
        tok2cred[c["token_id"]] = nm
    for tid in c["traces"]:
        if tid in trace_tok and trace_tok[tid] not in tok2cred:
            tok2cred[trace_tok[tid]] = nm
stuff_ips = {l["ident"] for l in labels if l["ident_kind"] == "ip"}

def ident_of(l):
    return l["token_id"] if l["ident_kind"] == "token" else l["ident"]

labelled_tok = collections.defaultdict(list)
for l in labels:
    labelled_tok[ident_of(l)].append(l)
neg_tok = {(n["type"], n["token_id"]) for n in negs}

def match(a, l):
    if a["type"] != l["type"]:
        return False
    if l["ident_kind"] == "ip":
        if a["ip"] != l["ident"]:
            return False
    elif a["tok"] != l["token_id"]:
        return False
    t = a["t"] / 1000
    t0 = l["t0"]
    if l["type"] in ("stale_token", "unused_scopes", "expiring_soon", "excessive_lifetime") and t0 <= 1795478400:
        t0 -= 86400  # scorer fix: in UTC the period's traffic starts on 17 Nov (APAC local mornings)
    return t0 - 900 <= t <= l["t1"] + 3 * 3600

detected = collections.defaultdict(list)
verdict = {}
for fid, a in alerts.items():
    ms = [l for l in labels if match(a, l)]
    if ms:
        verdict[fid] = "true"
        for l in ms:
            detected[l["lid"]].append(fid)
        continue
    keys = [a["tok"]] + ([a["ip"]] if a["ip"] in stuff_ips else [])
    cname = tok2cred.get(a["tok"], "")
    if (a["type"], a["tok"]) in neg_tok:
        verdict[fid] = "false-negative-label"
        continue
    inc = False
    for k in keys:
        for l in labelled_tok.get(k, []):
            if l["t0"] - 3600 <= a["t"] / 1000 <= l["t1"] + 6 * 3600:
                inc = True
    if cname and creds.get(cname, {}).get("cls") == "stuffing":
        inc = True
    if inc:
        verdict[fid] = "incidental"
    elif any(k in labelled_tok for k in keys):
        verdict[fid] = "false-labelled-token"
    else:
        verdict[fid] = "false-clean"

types = sorted({l["type"] for l in labels} | {a["type"] for a in alerts.values()})
clean_days = sum(c["days"] for c in creds.values() if not c["labelled"] and c["cls"] not in ("stuffing", "malformed", "forged"))
rows = []
tot_tp = tot_fp = 0
recalls = []
for ty in types:
    inj = [l for l in labels if l["type"] == ty]
    det = [l for l in inj if detected.get(l["lid"])]
    al = [a for a in alerts.values() if a["type"] == ty]
    tp = sum(1 for a in al if verdict[a["fid"]] == "true")
    inc = sum(1 for a in al if verdict[a["fid"]] == "incidental")
    fp = sum(1 for a in al if verdict[a["fid"]].startswith("false"))
    fpc = sum(1 for a in al if verdict[a["fid"]] == "false-clean")
    tot_tp += tp; tot_fp += fp
    rec = len(det) / len(inj) if inj else None
    if inj: recalls.append(rec)
    prec = tp / (tp + fp) if tp + fp else None
    rows.append((ty, len(inj), len(det), rec, len(al), records[ty], tp, inc, fp, prec, fpc, 1000 * fpc / clean_days))

def f(x, p=3):
    return "—" if x is None else (f"{x:.{p}f}" if isinstance(x, float) else str(x))

out = []
out.append(f"clean token-days: {clean_days}; clean credentials: {sum(1 for c in creds.values() if not c['labelled'] and c['cls'] not in ('stuffing','malformed','forged'))}")
out.append(f"alerts (distinct finding ids): {len(alerts)}; Detection Finding records: {sum(records.values())}")
out.append("")
out.append("| finding type | injected | detected | recall | alerts | records | true | incidental | false | precision | false on clean tokens | per 1,000 clean token-days |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    out.append("| " + " | ".join(f(x) for x in r) + " |")
mr = sum(recalls) / len(recalls)
mp = tot_tp / (tot_tp + tot_fp) if tot_tp + tot_fp else 0
out.append("")
out.append(f"**macro recall {mr:.3f}** over {len(recalls)} labelled types; **micro precision {mp:.3f}** ({tot_tp} true / {tot_fp} false alerts; incidental excluded)")
out.append("")
out.append("### Missed labels")
for l in labels:
    if not detected.get(l["lid"]):
        same = [a for a in alerts.values() if (a["tok"] == ident_of(l) or a["ip"] == l["ident"])]
        other = "; ".join(f"{a['type']}@{fmt(a['t'])}" for a in sorted(same, key=lambda a: a["t"]))
        out.append(f"- {l['lid']} {l['type']} `{l['ident']}` ({ident_of(l)}) {fmt(l['t0']*1000)}–{fmt(l['t1']*1000)} UTC: {l['note']}. "
                   f"Other alerts on it: {other or 'none'}")
out.append("")
out.append("### False alerts")
for a in sorted(alerts.values(), key=lambda a: (a["type"], a["t"])):
    if verdict[a["fid"]].startswith("false"):
        cn = tok2cred.get(a["tok"], "?")
        c = creds.get(cn, {})
        out.append(f"- {verdict[a['fid']]} {a['type']} {fmt(a['t'])} UTC tok={a['tok']} cred=`{cn}` class={c.get('cls')} "
                   f"principal={a['principal']} ip={a['ip']} res={a['resource']} x{a['n']}: {a['msg']}")
out.append("")
out.append("### Incidental alerts (labelled token, other type, inside its misuse window)")
for a in sorted(alerts.values(), key=lambda a: (a["type"], a["t"])):
    if verdict[a["fid"]] == "incidental":
        cn = tok2cred.get(a["tok"], "?")
        out.append(f"- {a['type']} {fmt(a['t'])} cred=`{cn}` ip={a['ip']}: {a['msg']}")
open(f"{B}/score.md", "w").write("\n".join(out) + "\n")
json.dump(dict(rows=rows, macro_recall=mr, micro_precision=mp, verdict=verdict), open(f"{B}/score.json", "w"))
print("\n".join(out[:40]))
