# exec'd by gen_world.py in its namespace: fingerprints, policy, requests, labels, stats.
import heapq

for t in TOK:   # v2 fix: a registry last use is never before creation
    if t.get("last_used") and t.get("created") and t["last_used"] < t["created"]:
        t["last_used"] = t["created"] + 3600
print(f"events: {len(EV)}  tokens: {len(TOK)}  labels: {len(LABELS)}", flush=True)

# ---------------------------------------------------------------- fingerprint key + ids
with open(os.path.join(OUT, "fingerprint.key"), "w") as f:
    f.write(FP_KEY + "\n")
os.chmod(os.path.join(OUT, "fingerprint.key"), 0o600)

need = [t for t in TOK if t["need_fp"] or t["idx"] in INJ_TOKENS or t.get("revoked_jti")]
def fp(t):
    r = subprocess.run([AUDITCTL, "fingerprint", "-key-file", os.path.join(OUT, "fingerprint.key"), "-header", t["fp_hdr"]],
                       input=t["fp_in"].encode(), capture_output=True)
    out = r.stdout.decode().strip()
    if not out.startswith("tok_"):
        raise SystemExit(f"fingerprint failed for {t['cls']}: {r.stderr.decode()}")
    return out.split()[0]
with ThreadPoolExecutor(6) as ex:
    for t, f_ in zip(need, ex.map(fp, need)):
        t["fp"] = f_
print(f"fingerprinted {len(need)} tokens", flush=True)

# ---------------------------------------------------------------- policy.yaml
def q(s):
    return json.dumps(s)
P = []
P.append("# PayRail production token policy (blind7 world). Generated; ids are fingerprints under the world's key.")
P.append("scopes:")
SCOPES = {
    "payments:write": ["POST /v1/payments", "POST /v1/payments/{id}/capture", "POST /v1/payments/{id}/cancel", "POST /v1/payment_links"],
    "payments:read": ["GET /v1/payments", "GET /v1/payments/{id}"],
    "refunds:write": ["POST /v1/refunds"],
    "balance:read": ["GET /v1/balance"],
    "payouts:write": ["POST /v1/payouts", "GET /v1/payouts", "GET /v1/payouts/{id}"],
    "settlements:read": ["GET /v1/settlements", "GET /v1/settlements/{id}"],
    "partner:onboard": ["POST /partner/v1/merchants", "GET /partner/v1/merchants/{id}"],
    "partner:read": ["GET /partner/v1/merchants/{id}/payments"],
    "partner:reports": ["GET /partner/v1/reports/{id}"],
    "app:read": ["GET /app/v1/**"],
    "app:refund": ["POST /app/v1/refunds"],
    "support": ["GET /backoffice/v1/merchants/**", "GET /backoffice/v1/payments/**", "POST /backoffice/v1/merchants/{id}/notes",
                "PUT /backoffice/v1/merchants/{id}/status", "PUT /backoffice/v1/merchants/{id}/payout-account"],
    "support:admin": ["* /backoffice/v1/admin/**"],
    "deploy": ["POST /deploy/v1/releases", "GET /deploy/v1/releases/{id}"],
    "deploy:promote": ["POST /deploy/v1/releases/{id}/promote"],
    "recon": ["POST /internal/recon/runs", "GET /internal/recon/batches/{id}"],
}
for s, pats in SCOPES.items():
    P.append(f"  {q(s)}: [{', '.join(q(p) for p in pats)}]")
leads = [a["id"] for a in STAFF if a["lead"]]
P.append("restricted:")
P.append(f"  - resource: \"PUT /backoffice/v1/merchants/{{id}}/payout-account\"")
P.append(f"    principals: [{', '.join(q(x) for x in leads)}]")
P.append(f"  - resource: \"* /backoffice/v1/admin/**\"")
P.append(f"    scopes: [\"support:admin\"]")
P.append(f"  - resource: \"POST /deploy/v1/releases/{{id}}/promote\"")
P.append(f"    principals: [\"ci-release\", \"ci-platform\"]")
P.append("principals:")
for a in STAFF:
    _, _, s, e = SHIFT[a["shift"]]
    P.append(f"  {q(a['id'])}:")
    P.append(f"    networks: [\"185.57.80.0/24\", \"34.250.12.0/28\"]")
    P.append(f"    working_hours: {{time_zone: Europe/Dublin, days: [{', '.join(DAYNAMES[d] for d in a['days'])}], start: {q(s)}, end: {q(e)}}}")
for p in PARTNERS:
    if p["allow"]:
        P.append(f"  {q(p['cid'])}:")
        P.append(f"    networks: [{q(p['cidr'])}]")
P.append("revoked:")
for k in REVOKED:
    P.append(f"  - id: {k['fp']}")
for t in TOK:
    if t.get("revoked_jti"):
        P.append(f"  - jti: {q(t['claims']['jti'])}")
P.append("registry:")
P.append("  authoritative: true")
P.append("  known: registered_or_verified")
P.append(f"  verified_issuers: [{q(ISSUER)}]")
P.append("  tokens:")
REG_CLS = {"merchant_key", "merchant_report_key", "merchant_key_dormant", "merchant_key_stale", "partner_secret", "partner_secret_stale",
           "partner_secret_dormant", "ci_key", "ci_key_stale", "ci_key_dormant", "recon_key", "stripe_key"}
nreg = 0
for t in TOK:
    if t["cls"] not in REG_CLS:
        continue
    nreg += 1
    P.append(f"    - id: {t['fp']}")
    P.append(f"      name: {q(t['cls'] + '-' + t['fp'][4:12])}")
    P.append(f"      owner: {q(t['owner'])}")
    P.append(f"      owner_type: service")
    sc = list(t.get("scopes") or []) + list(t.get("extra_scopes") or [])
    if sc:
        P.append(f"      scopes: [{', '.join(q(s) for s in sc)}]")
    if t.get("created"):
        P.append(f"      created_at: {iso(t['created'])}")
    if t.get("exp"):
        P.append(f"      expires_at: {iso(t['exp'])}")
    if t.get("last_used"):
        P.append(f"      last_used_at: {iso(t['last_used'])}")
    if t["cls"] in ("merchant_key", "merchant_report_key") and t["m"]["allow"]:
        P.append(f"      networks: [{', '.join(q(c) for c in t['m']['cidrs'])}]")
    if t["cls"] == "recon_key":
        P.append("      networks: [\"10.20.0.0/16\"]")
        P.append("      working_hours: {time_zone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: \"01:30\", end: \"03:30\"}")
with open(os.path.join(OUT, "policy.yaml"), "w") as f:
    f.write("\n".join(P) + "\n")
print(f"policy: {nreg} registered tokens", flush=True)

# ---------------------------------------------------------------- OTLP requests
def av(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, list):
        return {"arrayValue": {"values": [av(x) for x in v]}}
    return {"stringValue": str(v)}
def attrs(lst):
    return [{"key": k, "value": av(v)} for k, v in lst]

SVC_VER = {}
def res_attrs(svc):
    if svc not in SVC_VER:
        SVC_VER[svc] = f"{R.randint(1, 9)}.{R.randint(0, 40)}.{R.randint(0, 9)}"
    return [("service.name", svc), ("service.version", SVC_VER[svc]), ("deployment.environment.name", "production"), ("cloud.region", "eu-west-1")]

def span_json(t_ns, rec):
    s = {"traceId": tid(), "spanId": sid(), "name": rec["name"], "kind": rec["kind"], "startTimeUnixNano": str(t_ns),
         "endTimeUnixNano": str(t_ns + int(rec["dur"] * NS)), "attributes": attrs(rec["attrs"])}
    if rec["kind"] == 2 and rec["status"] and rec["status"] >= 500:
        s["status"] = {"code": 2}
    if rec["events"]:
        s["events"] = [{"name": n, "timeUnixNano": str(t_ns + 1000), "attributes": attrs(a)} for n, a in rec["events"]]
    if rec["kind"] == 3 and rec["status"] and rec["status"] >= 400:
        s["status"] = {"code": 2}
    return s

def log_json(t_ns, rec):
    if rec.get("applog"):
        sev = rec.get("sev", 13)
        return {"timeUnixNano": str(t_ns), "observedTimeUnixNano": str(t_ns + R.randint(10**6, 2 * 10**9)), "severityNumber": sev,
                "severityText": {9: "INFO", 13: "WARN", 5: "DEBUG"}.get(sev, "INFO"), "body": {"stringValue": rec["body"]}, "attributes": attrs(rec["attrs"])}
    a = rec["attrs"] + [("log.file.path", "/var/log/nginx/access.json")]
    return {"timeUnixNano": str(t_ns), "observedTimeUnixNano": str(t_ns + R.randint(10**8, 3 * 10**9)), "severityNumber": 9, "severityText": "INFO",
            "body": {"stringValue": rec["body"]}, "attributes": attrs(a)}

EV.sort(key=lambda e: e[0])
# per-stream batching (each service's SDK/agent exports every 30-240 s or at its size cap),
# then a gateway collector forwards what arrived within a few seconds as one request.
CAP = {"merchant-api": 1000, "partner-api": 400, "edge-gateway": 600, "backoffice-api": 300, "settlements-api": 500}
buffers = {}   # (svc, sig) -> [first_t, due, items]
batches = []
def flush(key, when):
    first, due, items = buffers.pop(key)
    batches.append((when + R.uniform(0.5, 4.0), key[1], key[0], items))
next_check = EV[0][0] // NS if EV else 0
for t_ns, svc, sig, rec in EV:
    ts_ = t_ns / NS
    if ts_ >= next_check:
        for key in [k for k, b in buffers.items() if b[1] <= ts_]:
            flush(key, buffers[key][1])
        next_check = ts_ + 1.0
    key = (svc, sig)
    if key not in buffers:
        buffers[key] = [ts_, ts_ + R.uniform(30, 240), []]
    buffers[key][2].append((t_ns, rec))
    if len(buffers[key][2]) >= CAP.get(svc, 300):
        flush(key, ts_)
for key in list(buffers):
    flush(key, buffers[key][1])
batches.sort(key=lambda b: b[0])
requests = []
cur = None
for when, sig, svc, items in batches:
    if cur and cur["sig"] == sig and when - cur["when"] < 5 and cur["n"] + len(items) <= 1500:
        cur["parts"].append((svc, items)); cur["n"] += len(items)
    else:
        cur = {"sig": sig, "when": when, "parts": [(svc, items)], "n": len(items)}
        requests.append(cur)

def body_of(req):
    if req["sig"] == "span":
        rs_ = []
        for svc, items in req["parts"]:
            plain = [span_json(t, r) for t, r in items if not r.get("res")]
            if plain:
                rs_.append({"resource": {"attributes": attrs(res_attrs(svc))}, "scopeSpans": [{"scope": {"name": "io.opentelemetry.http", "version": "2.9.0"}, "spans": plain}]})
            for t, r in items:
                if r.get("res"):
                    rs_.append({"resource": {"attributes": attrs(r["res"])}, "scopeSpans": [{"scope": {"name": "app"}, "spans": [span_json(t, r)]}]})
        return "/v1/traces", {"resourceSpans": rs_}
    rl = []
    for svc, items in req["parts"]:
        plain = [log_json(t, r) for t, r in items if not r.get("res")]
        if plain:
            rl.append({"resource": {"attributes": attrs(res_attrs(svc))}, "scopeLogs": [{"scope": {"name": "filelog" if svc == "edge-gateway" else "app"}, "logRecords": plain}]})
        for t, r in items:
            if r.get("res"):
                rl.append({"resource": {"attributes": attrs(r["res"])}, "scopeLogs": [{"scope": {"name": "app"}, "logRecords": [log_json(t, r)]}]})
    return "/v1/logs", {"resourceLogs": rl}

n_dup = 0
n_items = 0
max_spread = 0
with gzip.open(os.path.join(OUT, "requests.jsonl.gz"), "wt", compresslevel=3) as f:
    pending_dup = []
    for i, req in enumerate(requests):
        path, body = body_of(req)
        line = json.dumps({"p": path, "b": body}, separators=(",", ":"))
        f.write(line + "\n")
        n_items += req["n"]
        ts_all = [t for _, items in req["parts"] for t, _ in items]
        max_spread = max(max_spread, (max(ts_all) - min(ts_all)) / NS)
        for d in [d for d in pending_dup if d[0] <= i]:
            f.write(d[1] + "\n"); pending_dup.remove(d); n_dup += 1
        if R.random() < 0.02:           # the exporter's retry of a request whose response it missed
            pending_dup.append((i + R.randint(0, 3), line))
    for d in pending_dup:
        f.write(d[1] + "\n"); n_dup += 1
print(f"requests: {len(requests)} (+{n_dup} duplicates), items {n_items}, widest request spans {max_spread:.0f}s", flush=True)

# ---------------------------------------------------------------- labels, index, stats
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for i, l in enumerate(LABELS):
        d = {"id": f"L{i:03d}"}
        d.update({k: v for k, v in l.items() if not k.startswith("_")})
        if "_tok" in l:
            t = TOK[l["_tok"]]
            d["token_id"] = t["fp"]
            d["token_class"] = t["cls"]
        f.write(json.dumps(d) + "\n")
inj_ids = sorted(set(TOK[i]["fp"] for i in INJ_TOKENS if "fp" in TOK[i]))
att_ids = sorted(set(TOK[i]["fp"] for i in ATTACK_ONLY if "fp" in TOK[i]))
# injected principals (owners of victim tokens), used only to describe alerts
with open(os.path.join(OUT, "injected_index.json"), "w") as f:
    json.dump({"injected_token_ids": inj_ids, "attack_only_token_ids": att_ids, "attack_addresses": sorted(ATTACK_ADDR)}, f)
clean_pairs = set()
per_cls = {}
for t_ns, svc, sig, rec in EV:
    ti = rec["tok"]
    if ti is None or rec["inj"] or ti in INJ_TOKENS:
        continue
    day = (t_ns // NS - S0) // 86400
    if (ti, day) not in clean_pairs:
        clean_pairs.add((ti, day))
        c = TOK[ti]["cls"]
        per_cls[c] = per_cls.get(c, 0) + 1
clean_tokens = set(p[0] for p in clean_pairs)
with open(os.path.join(OUT, "clean_stats.json"), "w") as f:
    json.dump({"clean_token_days": len(clean_pairs), "clean_tokens": len(clean_tokens), "clean_token_days_by_class": per_cls,
               "events": len(EV), "items_sent": n_items, "requests": len(requests), "duplicate_requests": n_dup}, f, indent=1)
print(f"clean tokens {len(clean_tokens)}, clean token-days {len(clean_pairs)}: {per_cls}", flush=True)
# principal -> class (to describe alerts); token id -> class for fingerprinted tokens
pcls = {}
for t in TOK:
    pcls.setdefault(t["owner"], t["cls"])
with open(os.path.join(OUT, "principals.json"), "w") as f:
    json.dump(pcls, f)
with open(os.path.join(OUT, "token_classes.tsv"), "w") as f:
    for t in TOK:
        if "fp" in t:
            f.write(f"{t['fp']}\t{t['cls']}\t{t['owner']}\n")
# raw secrets (for the leak search; kept outside the run directory)
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    seen = set()
    for t in TOK:
        for s in (t["s"].split(" ", 1)[1] if t["s"].startswith("Basic ") else t["s"], t.get("raw_secret"), t.get("b64")):
            if s and len(s) >= 12 and s not in seen:
                seen.add(s); f.write(s + "\n")
    for s in SECRETS_EXTRA:
        if s not in seen:
            seen.add(s); f.write(s + "\n")
with open(os.path.join(OUT, "world.json"), "w") as f:
    json.dump({"seed": SEED, "t0": iso(S0), "t_end": iso(S_END), "jwt_secret": JWT_SECRET, "jwt_kid": JWT_KID, "issuer": ISSUER}, f, indent=1)
print("done", flush=True)
