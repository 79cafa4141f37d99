#!/usr/bin/env python3
"""blind9 world: "Paynova", a payments / open-banking API platform, Wed 21 Oct - Fri 30 Oct 2026 (10 days, EU DST end on Sun 25 Oct).
Deterministic (seeded). usage: gen.py OUTDIR [SEED] [SCALE]
Writes: requests.jsonl.gz, labels.jsonl, injected_index.json, clean_stats.json, token_classes.tsv, principals.json,
policy.yaml, world.json, secrets.txt, fingerprint.key, gen_stats.json
"""
import base64, collections, datetime as dt, gzip, hashlib, hmac, json, math, os, random, string, subprocess, sys
from zoneinfo import ZoneInfo

OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 9
SCALE = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
AUDITCTL = os.environ.get("AUDITCTL", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "auditctl"))
os.makedirs(OUT, exist_ok=True)
R = random.Random(SEED)
UTC = dt.timezone.utc
T0 = dt.datetime(2026, 10, 21, tzinfo=UTC)
DAYS = 10
TEND = T0 + dt.timedelta(days=DAYS)
S0 = int(T0.timestamp())
SEND = int(TEND.timestamp())
ALNUM = string.ascii_letters + string.digits

def rs(n, alpha=ALNUM, r=R):
    return "".join(r.choice(alpha) for _ in range(n))

def iso(s):
    return dt.datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

def ts(y, mo, d, h=0, mi=0, s=0):
    return int(dt.datetime(y, mo, d, h, mi, s, tzinfo=UTC).timestamp())

def local(s, tz):
    return dt.datetime.fromtimestamp(s, UTC).astimezone(ZoneInfo(tz))

def at_local(date, hh, mm, tz):
    """unix seconds of a local wall-clock time (date: dt.date)"""
    return int(dt.datetime(date.year, date.month, date.day, hh, mm, tzinfo=ZoneInfo(tz)).timestamp())

def poisson(lam, r=R):
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(r.gauss(lam, math.sqrt(lam)) + 0.5))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= L:
            return k
        k += 1

# ---------------------------------------------------------------- secrets, JWTs
JWT_SECRET_ID = "pnv-id-" + hashlib.sha256(f"id{SEED}".encode()).hexdigest()[:40]
JWT_SECRET_TPP = "pnv-tpp-" + hashlib.sha256(f"tpp{SEED}".encode()).hexdigest()[:40]
FP_KEY = hashlib.sha256(f"fingerprint{SEED}".encode()).hexdigest()
ISS_ID = "https://id.paynova.example/"
ISS_TPP = "https://auth.paynova.example/tpp"
SECRETS = set()

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(claims, kid="pnv-id-2026", secret=None, alg="HS256"):
    secret = secret or (JWT_SECRET_ID if kid == "pnv-id-2026" else JWT_SECRET_TPP)
    h = b64u(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64u(hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest())
    tok = f"{h}.{p}.{sig}"
    SECRETS.add(tok); SECRETS.add(sig)
    return tok

def sk_live():
    k = "sk_live_" + rs(32)
    SECRETS.add(k)
    return k

# ---------------------------------------------------------------- networks
CLOUD = {  # provider -> list of /16 prefixes (region ranges)
    "aws-euc1": ["3.64", "3.66", "3.120", "18.184", "18.192", "52.28", "52.57"],
    "aws-use1": ["3.208", "34.192", "44.192", "52.2", "54.80", "54.144"],
    "aws-apse2": ["3.104", "13.236", "54.66"],
    "aws-apse1": ["13.228", "18.138", "54.169"],
    "aws-sae1": ["18.228", "54.232"],
    "gcp-euw3": ["34.89", "34.107", "35.198", "35.234"],
    "gcp-usc1": ["34.68", "35.184", "35.192"],
    "azure-weu": ["20.50", "20.56", "20.61", "40.114"],
    "azure-eus": ["20.85", "40.71", "52.168"],
    "hetzner": ["88.198", "78.46", "116.202", "49.12"],
    "ovh": ["51.75", "54.36", "145.239", "51.91"],
}
VPS = {"digitalocean": ["167.99", "159.89", "134.209", "64.225"], "vultr": ["45.76", "108.61", "149.28"], "linode": ["172.104", "139.162"],
       "contabo": ["161.97", "173.212"]}
ISP = {  # country -> [(isp name, [/16s], ipv6 /32 or None, kind)]
    "DE": [("telekom", ["79.192", "79.210", "91.12", "91.40", "93.211", "217.230"], "2003:e6", "home"),
           ("vodafone-de", ["88.64", "88.70", "95.88", "95.91"], "2a02:8108", "home"),
           ("o2-de-mobile", ["176.0", "176.4", "176.6", "82.113"], "2a02:3030", "mobile"),
           ("telekom-mobile", ["80.187", "46.80"], "2a01:598", "mobile")],
    "FR": [("orange-fr", ["90.3", "90.12", "86.245", "92.184"], "2a01:cb00", "home"),
           ("free-fr", ["78.192", "82.64", "88.160"], "2a01:e0a", "home"),
           ("sfr-mobile", ["37.164", "37.170", "109.11"], "2a02:8440", "mobile")],
    "GB": [("bt", ["86.128", "86.150", "81.129", "109.147"], "2a00:23c5", "home"),
           ("virgin", ["82.0", "86.0", "86.4"], "2a02:c7f", "home"),
           ("ee-mobile", ["31.94", "92.40"], "2a01:4c8", "mobile")],
}
RESI_PROXY = ["73.15", "73.92", "98.210", "24.16", "71.202", "113.161", "113.172", "177.32", "187.11", "41.202", "105.112", "125.24",
              "36.68", "182.253", "190.15", "201.17", "2.50", "46.44", "94.25", "176.200"]
OFFICE = "217.6.100"          # Telekom business /24, Berlin office
VPN_EGRESS = ["3.66.10.17", "3.66.10.18", "3.66.10.19"]
STAFF_HOME_COUNTRY = "DE"

def addr(p16, r=R, third=None):
    return f"{p16}.{third if third is not None else r.randrange(0, 256)}.{r.randrange(2, 254)}"

def v6(p32, r=R):
    return f"{p32}:{r.randrange(0, 65536):x}:{r.randrange(0, 65536):x}:{r.randrange(0, 65536):x}:{r.randrange(0, 65536):x}:{r.randrange(0, 65536):x}:{r.randrange(1, 65536):x}"

# ---------------------------------------------------------------- event store
EV = []   # (t_ns, seq, kind, service, item)
SEQ = [0]
TOKUSE = collections.defaultdict(set)     # raw token -> set of (day) for clean stats
TOKINFO = {}                               # raw token -> (class, owner)
INJ_TOKENS = set()
ATTACK_ONLY = set()
ATTACK_ADDR = set()
LABELS = []
CUR_INJ = [False]
PRINC = {}   # principal -> class

def attr(k, v):
    if isinstance(v, bool):
        return {"key": k, "value": {"boolValue": v}}
    if isinstance(v, int):
        return {"key": k, "value": {"intValue": str(v)}}
    if isinstance(v, list):
        return {"key": k, "value": {"arrayValue": {"values": [{"stringValue": x} for x in v]}}}
    return {"key": k, "value": {"stringValue": v}}

def hexid(n):
    return "%0*x" % (n * 2, R.getrandbits(n * 8))

def note_tok(tok, t):
    if tok is None:
        return
    if CUR_INJ[0]:
        INJ_TOKENS.add(tok)
    else:
        TOKUSE[tok].add(int(t // 86400))

def span(t, svc, method, route, path, status, headers, client_ip=None, peer_ip=None, kind=2, extra=None, events=None, tok=None, query=None,
         dur_ms=None, url_full=None):
    """t: unix seconds (float). headers: dict header-name -> value (string or list)."""
    tn = int(t * 1e9)
    d = int((dur_ms if dur_ms is not None else R.uniform(15, 400)) * 1e6)
    a = [attr("http.request.method", method)]
    if route:
        a.append(attr("http.route", route))
    if path:
        a.append(attr("url.path", path))
    if query:
        a.append(attr("url.query", query))
    if url_full:
        a.append(attr("url.full", url_full))
    a.append(attr("http.response.status_code", status))
    if kind == 2:
        a.append(attr("url.scheme", "https"))
        if client_ip:
            a.append(attr("client.address", client_ip))
        if peer_ip:
            a.append(attr("network.peer.address", peer_ip))
    for h, v in headers.items():
        a.append(attr("http.request.header." + h, v))
    if extra:
        for k, v in extra.items():
            a.append(attr(k, v))
    sp = {"traceId": hexid(16), "spanId": hexid(8), "name": f"{method} {route or path}", "kind": kind,
          "startTimeUnixNano": str(tn), "endTimeUnixNano": str(tn + d), "attributes": a}
    if status >= 500:
        sp["status"] = {"code": 2}
    if events:
        sp["events"] = [{"timeUnixNano": str(tn + d // 2), "name": "exception", "attributes": [attr(k, v) for k, v in e.items()]} for e in events]
    EV.append((tn, SEQ[0], "span", svc, sp)); SEQ[0] += 1
    note_tok(tok, t)

GW_OFFSET = collections.Counter()

def gwlog(t, method, path, status, client_ip, auth, tok, ua="Mozilla/5.0"):
    """SSO edge gateway access-log record (OTLP log forwarded by an agent collector's file_log)"""
    tn = int(t * 1e9)
    f = "/var/log/sso-edge/access.log"
    off = GW_OFFSET[f]; GW_OFFSET[f] += 180 + len(path)
    a = [attr("http.request.method", method), attr("url.path", path), attr("http.response.status_code", status),
         attr("client.address", client_ip), attr("network.peer.address", "10.20.0.%d" % R.randrange(4, 8)),
         attr("http.request.header.authorization", auth), attr("user_agent.original", ua),
         attr("log.file.path", f), attr("log.file.record_offset", off)]
    body = {"kvlistValue": {"values": [{"key": "method", "value": {"stringValue": method}}, {"key": "path", "value": {"stringValue": path}},
                                       {"key": "status", "value": {"intValue": str(status)}},
                                       {"key": "request_time", "value": {"doubleValue": round(R.uniform(0.01, 0.6), 3)}}]}}
    rec = {"timeUnixNano": str(tn), "observedTimeUnixNano": str(tn + int(R.uniform(0.2, 3) * 1e9)), "severityNumber": 9, "severityText": "INFO",
           "body": body, "attributes": a}
    EV.append((tn, SEQ[0], "log", "sso-edge-gateway", rec)); SEQ[0] += 1
    note_tok(tok, t)

def applog(t, svc, text, sev=13, tok=None, attrs=None):
    tn = int(t * 1e9)
    rec = {"timeUnixNano": str(tn), "observedTimeUnixNano": str(tn), "severityNumber": sev, "severityText": "WARN" if sev == 13 else "ERROR",
           "body": {"stringValue": text}, "attributes": [attr(k, v) for k, v in (attrs or {}).items()]}
    EV.append((tn, SEQ[0], "log", svc, rec)); SEQ[0] += 1

def label(typ, start, end, note, tok=None, addrs=None, hint=None, variant=None, cls=None):
    l = {"id": f"L{len(LABELS)+1:03d}", "type": typ, "start": iso(start), "end": iso(end), "note": note}
    if tok:
        l["_raw"] = tok
    if addrs:
        l["client_addresses"] = sorted(set(addrs))
    if hint:
        l["match_hint"] = hint
    if variant:
        l["variant"] = variant
    if cls:
        l["token_class"] = cls
    LABELS.append(l)
    return l

class inj:
    def __enter__(self):
        CUR_INJ[0] = True
    def __exit__(self, *a):
        CUR_INJ[0] = False

# ---------------------------------------------------------------- policy pieces
SCOPES = {
    "payments:write": ["POST /v1/payment_intents", "POST /v1/payment_intents/{id}/confirm", "POST /v1/payment_intents/{id}/cancel"],
    "payments:read": ["GET /v1/payment_intents/{id}", "GET /v1/payment_intents", "GET /v1/charges", "GET /v1/balance"],
    "refunds:write": ["POST /v1/refunds"],
    "customers:write": ["POST /v1/customers", "GET /v1/customers/{id}"],
    "customers:export": ["GET /v1/customers"],
    "reports:read": ["GET /v1/reports/settlements", "GET /v1/reports/settlements/{id}"],
    "payouts:write": ["POST /v1/payouts"],
    "accounts": ["GET /open-banking/v3.1/aisp/accounts", "GET /open-banking/v3.1/aisp/accounts/{AccountId}",
                 "GET /open-banking/v3.1/aisp/accounts/{AccountId}/balances", "GET /open-banking/v3.1/aisp/accounts/{AccountId}/transactions"],
    "payments": ["POST /open-banking/v3.1/pisp/domestic-payment-consents", "POST /open-banking/v3.1/pisp/domestic-payments"],
    "mobile:accounts": ["GET /app/v2/accounts", "GET /app/v2/accounts/{id}/transactions", "GET /app/v2/accounts/{id}/balance", "GET /app/v2/profile",
                        "GET /app/v2/notifications"],
    "mobile:payments": ["POST /app/v2/transfers", "GET /app/v2/payees", "POST /app/v2/payees"],
    "mobile:cards": ["GET /app/v2/cards", "POST /app/v2/cards/{id}/freeze", "POST /app/v2/cards/{id}/reveal"],
    "bo:read": ["GET /backoffice/**"],
    "bo:write": ["POST /backoffice/**", "PUT /backoffice/**"],
    "ledger:write": ["* /internal/ledger/**"],
    "risk:score": ["* /internal/risk/**"],
    "notify:send": ["POST /internal/notify/**"],
    "deploy:write": ["* /deploy/v1/**"],
}
RESTRICTED = [
    {"resource": "POST /backoffice/payouts/*/release", "principals": []},     # filled: treasury staff
    {"resource": "GET /backoffice/customers/export", "principals": []},       # filled: compliance staff
    {"resource": "POST /backoffice/merchants/*/keys/*/reveal", "principals": []},  # nobody (break-glass)
]
REGISTRY = []   # dicts with _raw (token) or jti
REVOKED = []
PRINCIPALS_POL = {}

day_of = lambda s: int((s - S0) // 86400)   # w2 fix: was a float for float times (bad addresses 'a.b.c.d.0')
DATES = [(T0 + dt.timedelta(days=i)).date() for i in range(-1, DAYS + 1)]

# ---------------------------------------------------------------- 1. merchants
MTZ = [("Europe/Berlin", 18), ("Europe/London", 12), ("Europe/Paris", 10), ("Europe/Madrid", 6), ("Europe/Amsterdam", 5),
       ("America/New_York", 10), ("America/Chicago", 5), ("America/Los_Angeles", 7), ("America/Sao_Paulo", 4),
       ("Asia/Singapore", 5), ("Australia/Sydney", 5), ("Asia/Tokyo", 3)]
CLOUD_BY_TZ = {"Europe": ["aws-euc1", "aws-euc1", "gcp-euw3", "azure-weu", "hetzner", "ovh"], "America/Sao_Paulo": ["aws-sae1", "aws-use1"],
               "America": ["aws-use1", "aws-use1", "gcp-usc1", "azure-eus"], "Asia/Singapore": ["aws-apse1", "gcp-euw3"],
               "Australia": ["aws-apse2"], "Asia/Tokyo": ["aws-apse1", "aws-use1"]}
DIURNAL_SHOP = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.8, 1.0, 1.1, 1.2, 1.3, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.7, 1.8, 1.6, 1.1, 0.6]
DIURNAL_B2B = [0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.0, 2.1, 2.0, 1.6, 1.9, 2.0, 1.9, 1.7, 1.2, 0.7, 0.4, 0.3, 0.2, 0.15, 0.1]
N_MERCH = int(480 * SCALE)
MERCHANTS = []
def pick_w(lst):
    tot = sum(w for _, w in lst); x = R.uniform(0, tot)
    for v, w in lst:
        x -= w
        if x <= 0:
            return v
    return lst[-1][0]

for i in range(N_MERCH):
    tz = pick_w(MTZ)
    key = next(k for k in CLOUD_BY_TZ if tz.startswith(k) or tz == k)
    if tz in CLOUD_BY_TZ:
        key = tz
    prov = R.choice(CLOUD_BY_TZ[key])
    m = {"id": f"acct_{rs(14, string.ascii_uppercase + string.digits)}", "tz": tz, "prov": prov,
         "rate": min(2500.0, max(2.0, R.lognormvariate(math.log(22), 1.25))) * (1.0 if SCALE >= 1 else 1.0),
         "b2b": R.random() < 0.2, "refunds": R.random() < 0.6, "customers": R.random() < 0.5, "reports": R.random() < 0.4,
         "payouts": R.random() < 0.3, "sales": R.random() < 0.82, "sales_mult": R.uniform(3, 8),
         "created": ts(2026, 9, 20) - R.randrange(0, 900) * 86400, "key": sk_live(), "keys": []}
    m["second_region"] = R.random() < 0.15
    # NAT pool epochs: redeploy every 2-5 days
    epochs = []
    t = S0 - R.randrange(0, 3 * 86400)
    while t < SEND:
        p16s = R.sample(CLOUD[prov], min(2 if m["second_region"] else 1, len(CLOUD[prov])))
        pool = []
        for p in p16s:
            third = R.randrange(0, 256)
            pool += [addr(p, third=third) for _ in range(R.randint(2, 4))]
        epochs.append((t, pool))
        t += R.uniform(2, 5) * 86400
    m["epochs"] = epochs
    MERCHANTS.append(m)
    PRINC[m["id"]] = "merchant"

def merchant_pool(m, t):
    pool = m["epochs"][0][1]
    for s, p in m["epochs"]:
        if s <= t:
            pool = p
    return pool

MERCH_USED_SCOPES = collections.defaultdict(set)   # key -> scopes used successfully before day 7
MERCH_ENDPOINTS = [
    ("POST", "/v1/payment_intents", "/v1/payment_intents", "payments:write", 0.33),
    ("POST", "/v1/payment_intents/{id}/confirm", "/v1/payment_intents/pi_{x}/confirm", "payments:write", 0.27),
    ("GET", "/v1/payment_intents/{id}", "/v1/payment_intents/pi_{x}", "payments:read", 0.2),
    ("POST", "/v1/payment_intents/{id}/cancel", "/v1/payment_intents/pi_{x}/cancel", "payments:write", 0.02),
    ("GET", "/v1/balance", "/v1/balance", "payments:read", 0.03),
    ("POST", "/v1/refunds", "/v1/refunds", "refunds:write", 0.04),
    ("POST", "/v1/customers", "/v1/customers", "customers:write", 0.05),
    ("GET", "/v1/customers/{id}", "/v1/customers/cus_{x}", "customers:write", 0.06),
]

def merchant_call(m, key, t, ep=None, status=None, ip=None, extra_q=None):
    if ep is None:
        eps = [e for e in MERCH_ENDPOINTS if (e[3] != "refunds:write" or m["refunds"]) and (e[3] != "customers:write" or m["customers"])]
        x = R.uniform(0, sum(e[4] for e in eps))
        for e in eps:
            x -= e[4]
            if x <= 0:
                break
        ep = e
    meth, route, pth, scope = ep[0], ep[1], ep[2], ep[3]
    path = pth.replace("{x}", rs(24))
    if status is None:
        u = R.random()
        status = 200
        if meth == "POST" and route in ("/v1/payment_intents", "/v1/customers", "/v1/refunds", "/v1/payouts"):
            status = 201 if u > 0.03 else 400
        elif route.endswith("/confirm"):
            status = 200 if u > 0.07 else 402
        elif "{id}" in route and u < 0.01:
            status = 404
        if R.random() < 0.002:
            status = R.choice([500, 502, 503])
    ip = ip or R.choice(merchant_pool(m, t))
    hdr = {"authorization": "Bearer " + key} if R.random() < 0.85 or m.get("hdrform") == "auth" else {"authorization": ["Bearer " + key]}
    span(t, "payments-api", meth, route, path, status, hdr, client_ip=ip, peer_ip="10.0.1.%d" % R.randrange(10, 40), tok=key, query=extra_q,
         extra={"server.address": "api.paynova.example", "user_agent.original": m.get("ua", "paynova-python/7.4.0")})
    if not CUR_INJ[0] and status < 400 and t < S0 + 7 * 86400 and scope:
        MERCH_USED_SCOPES[key].add(scope)

def merchant_traffic(m, key, t_from, t_to, rate_mult=1.0, sales=True):
    prof = DIURNAL_B2B if m["b2b"] else DIURNAL_SHOP
    mean = sum(prof) / 24
    h = (t_from // 3600) * 3600
    while h < t_to:
        lt = local(h, m["tz"])
        f = prof[lt.hour] / mean
        if lt.weekday() >= 5:
            f *= 0.45 if m["b2b"] else 1.15
        if sales and m["sales"] and lt.date() == dt.date(2026, 10, 29) and 10 <= lt.hour < 23:
            f *= m["sales_mult"]
        n = poisson(m["rate"] * rate_mult / 24 * f)
        for _ in range(n):
            t = h + R.uniform(0, 3600)
            if t_from <= t < t_to:
                merchant_call(m, key, t)
        h += 3600
    # daily jobs in local time
    for d in DATES:
        if m["reports"]:
            t = at_local(d, 6, R.randrange(0, 50), m["tz"]) + R.uniform(0, 60)
            if t_from <= t < t_to:
                for j in range(R.randint(1, 3)):
                    merchant_call(m, key, t + j * 2, ep=("GET", "/v1/reports/settlements", "/v1/reports/settlements", "reports:read", 0))
        if m["payouts"] and d.weekday() < 5:
            t = at_local(d, 7, R.randrange(0, 50), m["tz"]) + R.uniform(0, 60)
            if t_from <= t < t_to:
                merchant_call(m, key, t, ep=("POST", "/v1/payouts", "/v1/payouts", "payouts:write", 0))

# key rotations (clean): 3% of merchants rotate their key on a weekday: new key from then on
for m in MERCHANTS:
    TOKINFO[m["key"]] = ("merchant_key", m["id"])
    if R.random() < 0.03:
        rot = S0 + R.randint(2, 8) * 86400 + R.randint(8, 17) * 3600
        nk = sk_live()
        TOKINFO[nk] = ("merchant_key", m["id"])
        m["keys"] = [(m["key"], S0 - 86400, rot, m["created"]), (nk, rot, SEND, rot - 3600)]
    else:
        m["keys"] = [(m["key"], S0 - 86400, SEND, m["created"])]
# a few merchants onboarded mid-week
for m in R.sample(MERCHANTS, max(3, int(8 * SCALE))):
    if len(m["keys"]) == 1:
        st = S0 + R.randint(3, 7) * 86400 + R.randint(9, 16) * 3600
        m["keys"] = [(m["key"], st, SEND, st - 7200)]
        m["created"] = st - 7200

# ---------------------------------------------------------------- special merchants for injections (chosen now, traffic generated normally)
def pick_merchant(pred):
    c = [m for m in MERCHANTS if pred(m) and len(m["keys"]) == 1 and m["keys"][0][1] < S0 and not m.get("special")]
    m = R.choice(c); m["special"] = True
    return m

EU = lambda m: m["tz"].startswith("Europe")
M_A = pick_merchant(lambda m: EU(m) and 15 < m["rate"] < 120 and m["prov"].startswith("aws"))        # stolen key, residential proxy, new resources
M_B = pick_merchant(lambda m: EU(m) and 8 < m["rate"] < 40)                                          # card testing, proxy pool
M_C = [pick_merchant(lambda m: 6 < m["rate"] < 30) for _ in range(3)]                                  # spread card testing
M_D = pick_merchant(lambda m: m["rate"] < 8 and not m["b2b"])                                          # low-rate key abused slowly
M_D["rate"] = 4.0
M_MA = pick_merchant(lambda m: 10 < m["rate"] < 80)                                                    # multi address hosting exits
M_REV = pick_merchant(lambda m: EU(m) and 10 < m["rate"] < 100)                                        # key revoked after leak, rotated
M_EXP = pick_merchant(lambda m: 10 < m["rate"] < 60)                                                   # key expires 26 Oct, merchant keeps sending
M_EXPS = [pick_merchant(lambda m: 5 < m["rate"] < 200) for _ in range(2)]                              # expiring soon (rotated in time)
M_LEAKQ = pick_merchant(lambda m: 5 < m["rate"] < 80)                                                  # key in url query (plugin)
M_LEAKX = pick_merchant(lambda m: 5 < m["rate"] < 80)                                                  # key in exception message
M_FAIL = pick_merchant(lambda m: 10 < m["rate"] < 80)                                                  # deactivated key, retry storm
M_FAIL2 = pick_merchant(lambda m: 5 < m["rate"] < 80)                                                  # deleted key, cron retries slowly
M_DEN = pick_merchant(lambda m: 10 < m["rate"] < 80)                                                   # probing other merchants' objects
M_US = [pick_merchant(lambda m: m["created"] < S0 - 120 * 86400 and 10 < m["rate"] < 300) for _ in range(5)]   # over-permissioned
M_RESTR = pick_merchant(lambda m: m["refunds"] is False and 10 < m["rate"] < 100)                      # calls refunds w/o scope

# revocation: M_REV's key leaked on a public repo 24 Oct 09:40 UTC, revoked 10:00, new key from 10:05
rv = ts(2026, 10, 24, 10, 0)
nk = sk_live(); TOKINFO[nk] = ("merchant_key", M_REV["id"])
M_REV["keys"] = [(M_REV["key"], S0 - 86400, rv, M_REV["created"]), (nk, rv + 300, SEND, rv)]
M_REV["revoked_at"] = rv
# expiry: M_EXP's key expires 26 Oct 00:00 UTC; merchant forgot, a second backend keeps using it (401) ; main backend switched on 25 Oct
ex = ts(2026, 10, 26, 0, 0)
nk = sk_live(); TOKINFO[nk] = ("merchant_key", M_EXP["id"])
M_EXP["keys"] = [(M_EXP["key"], S0 - 86400, ex - 86400 * 1 + 3600 * 9, ex - 365 * 86400), (nk, ex - 86400 + 3600 * 9, SEND, ex - 86400 - 3600)]
M_EXP["expires"] = ex
for mm, exd in zip(M_EXPS, [ts(2026, 10, 31, 0, 0), ts(2026, 11, 3, 0, 0)]):
    mm["expires"] = exd
    mm["keys"] = [(mm["key"], S0 - 86400, SEND, exd - 364 * 86400)]
    mm["created"] = exd - 364 * 86400

for mm, rot in [(M_FAIL, ts(2026, 10, 28, 10, 30)), (M_FAIL2, ts(2026, 10, 23, 14, 0))]:
    nk = sk_live(); TOKINFO[nk] = ("merchant_key", mm["id"])
    mm["keys"] = [(mm["key"], S0 - 86400, rot, mm["created"]), (nk, rot, SEND, rot - 600)]
for m in MERCHANTS:
    for key, a, b, created in m["keys"]:
        merchant_traffic(m, key, max(a, S0), min(b, SEND))

# ---------------------------------------------------------------- 2. mobile banking users
N_USERS = int(2000 * SCALE)
USERS = []
for i in range(N_USERS):
    c = pick_w([("DE", 50), ("FR", 25), ("GB", 25)])
    tz = {"DE": "Europe/Berlin", "FR": "Europe/Paris", "GB": "Europe/London"}[c]
    homes = [x for x in ISP[c] if x[3] == "home"]; mobs = [x for x in ISP[c] if x[3] == "mobile"]
    home = R.choice(homes); mob = R.choice(mobs)
    u = {"id": f"u_{rs(10, string.digits + 'abcdef')}", "c": c, "tz": tz, "home": home, "home24": f"{R.choice(home[1])}.{R.randrange(256)}",
         "mob": mob, "v6": R.random() < 0.4, "act": pick_w([(3.0, 15), (1.2, 35), (0.45, 30), (0.15, 20)]),
         "hours": sorted(R.sample([7, 8, 12, 13, 17, 18, 19, 20, 21, 22], R.randint(2, 5))), "transfers": R.random() < 0.5,
         "cards": R.random() < 0.35, "hid": R.randrange(1000)}
    USERS.append(u)
    PRINC[u["id"]] = "mobile_user"

def mobile_token(u, t, life=None):
    life = life or R.choice([300, 600, 600, 900, 900])
    claims = {"iss": ISS_ID, "sub": u["id"], "aud": "paynova-app", "iat": int(t), "exp": int(t) + life, "jti": rs(16),
              "scope": "mobile:accounts mobile:payments mobile:cards", "client_id": "paynova-ios" if R.random() < 0.5 else "paynova-android"}
    tok = jwt(claims)
    TOKINFO[tok] = ("mobile_jwt", u["id"])
    return tok, int(t) + life

def mobile_session(u, t, ip=None, calls=None, tok=None, extra_routes=None, force_routes=None):
    if ip is None:
        lt = local(t, u["tz"])
        athome = (lt.hour >= 19 or lt.hour < 8 or lt.weekday() >= 5) and R.random() < 0.75
        if athome:
            if u["v6"] and R.random() < 0.5:
                ip = v6(u["home"][2])
            else:
                ip = f"{u['home24']}.{(u['hid'] + day_of(t) // 3) % 250 + 2}"
        else:
            if u["v6"] and R.random() < 0.6:
                ip = v6(u["mob"][2])
            else:
                ip = addr(R.choice(u["mob"][1]))
    if tok is None:
        tok, exp = mobile_token(u, t - R.uniform(1, 20))
    else:
        exp = None
    n = calls or R.randint(3, 12)
    routes = [("GET", "/app/v2/accounts", "/app/v2/accounts")]
    for _ in range(n - 1):
        x = R.random()
        acc = "acc_%05d" % u["hid"]
        if x < 0.45:
            routes.append(("GET", "/app/v2/accounts/{id}/transactions", f"/app/v2/accounts/{acc}/transactions"))
        elif x < 0.6:
            routes.append(("GET", "/app/v2/accounts/{id}/balance", f"/app/v2/accounts/{acc}/balance"))
        elif x < 0.7:
            routes.append(("GET", "/app/v2/notifications", "/app/v2/notifications"))
        elif x < 0.78:
            routes.append(("GET", "/app/v2/profile", "/app/v2/profile"))
        elif x < 0.88 and u["transfers"]:
            routes.append(("GET", "/app/v2/payees", "/app/v2/payees"))
            routes.append(("POST", "/app/v2/transfers", "/app/v2/transfers"))
        elif u["cards"]:
            routes.append(("GET", "/app/v2/cards", "/app/v2/cards"))
    if force_routes:
        routes = force_routes
    tt = t
    for meth, route, path in routes:
        if exp is not None and tt > exp - 5:
            tok, exp = mobile_token(u, tt)
        st = 201 if meth == "POST" else 200
        if R.random() < 0.002:
            st = 503
        span(tt, "mobile-bff", meth, route, path, st, {"authorization": "Bearer " + tok}, client_ip=ip, peer_ip="10.0.2.%d" % R.randrange(10, 30),
             tok=tok, extra={"user_agent.original": "PaynovaApp/5.12 (iOS 18.1)"})
        tt += R.uniform(2, 40)
    return tok, ip, tt

for u in USERS:
    last_tok = None
    for d in DATES[1:-1]:
        n = poisson(u["act"])
        for _ in range(n):
            hh = R.choice(u["hours"]) if R.random() < 0.8 else R.randrange(7, 24)
            t = at_local(d, hh, R.randrange(60), u["tz"]) + R.uniform(0, 60)
            if not (S0 <= t < SEND - 3600):
                continue
            # 3%: the app presents the previous (expired) access token once, gets 401, refreshes
            if last_tok and R.random() < 0.03:
                span(t - 2, "mobile-bff", "GET", "/app/v2/accounts", "/app/v2/accounts", 401, {"authorization": "Bearer " + last_tok},
                     client_ip=None, peer_ip="10.0.2.11", tok=last_tok)
                EV[-1][4]["attributes"].append(attr("client.address", f"{u['home24']}.{(u['hid'] + day_of(t) // 3) % 250 + 2}"))
            last_tok, ip, _ = mobile_session(u, t)

# ---------------------------------------------------------------- 3. open-banking aggregators (TPPs)
TPPS = []
for i, (name, prov, tz, naccts, pisp) in enumerate([
        ("finlytics", "azure-weu", "Europe/London", 160, False), ("budgetbee", "aws-euc1", "Europe/Berlin", 120, False),
        ("moneymap", "gcp-euw3", "Europe/Paris", 90, True), ("sparfux", "hetzner", "Europe/Berlin", 70, False),
        ("ledgerly", "aws-euc1", "Europe/London", 140, True), ("taxcat", "ovh", "Europe/Paris", 50, False),
        ("creditlens", "azure-weu", "Europe/London", 110, False), ("payflow-pisp", "aws-euc1", "Europe/Berlin", 30, True),
        ("accountory", "gcp-euw3", "Europe/Amsterdam", 80, False), ("kontoblick", "hetzner", "Europe/Berlin", 60, False)]):
    nac = max(10, int(naccts * min(1.0, SCALE)))
    p16 = R.sample(CLOUD[prov], 2)
    tp = {"id": f"tpp-{name}", "prov": prov, "tz": tz, "accts": ["acc-" + rs(12, string.digits) for _ in range(nac)], "pisp": pisp,
          "ips": [addr(p16[0], third=R.randrange(256)) for _ in range(R.randint(2, 4))] + [addr(p16[1]) for _ in range(R.randint(1, 2))],
          "poll_hours": sorted(R.sample(range(0, 24, 1), 4)), "poll_min": R.randrange(0, 40), "skew": 0, "toks": {}}
    TPPS.append(tp)
    PRINC[tp["id"]] = "tpp"

def tpp_token(tp, t, life=3600, nbf_skew=0, extra=None):
    hour = int(t // 3600)
    if (hour, nbf_skew) in tp["toks"] and extra is None:
        return tp["toks"][(hour, nbf_skew)]
    iat = hour * 3600 + R.randrange(0, 120) + nbf_skew
    claims = {"iss": ISS_TPP, "sub": tp["id"], "client_id": tp["id"], "aud": "https://api.paynova.example/open-banking",
              "iat": iat, "exp": iat + life, "jti": rs(20), "scope": "accounts payments" if tp["pisp"] else "accounts"}
    if nbf_skew:
        claims["nbf"] = iat
    if extra:
        claims.update(extra)
    tok = jwt(claims, kid="pnv-tpp-2026")
    TOKINFO[tok] = ("tpp_jwt", tp["id"])
    if extra is None:
        tp["toks"][(hour, nbf_skew)] = tok
    return tok

OBP = "/open-banking/v3.1/aisp/accounts"
def tpp_call(tp, t, meth, route, path, st=None, tok=None, ip=None):
    tok = tok or tpp_token(tp, t)
    if st is None:
        st = 200 if R.random() > 0.003 else 403
        if meth == "POST":
            st = 201
    span(t, "openbanking-gw", meth, route, path, st, {"authorization": "Bearer " + tok, "x-fapi-interaction-id": rs(8, "0123456789abcdef")},
         client_ip=ip or R.choice(tp["ips"]), peer_ip="10.0.3.%d" % R.randrange(10, 20), tok=tok)
    return tok

def tpp_poll(tp, t, accts, rate=6.0, tok=None, ip_list=None):
    tt = t
    tpp_call(tp, tt, "GET", OBP, OBP, tok=tok, ip=R.choice(ip_list) if ip_list else None)
    for a in accts:
        for sub in ("balances", "transactions"):
            tt += R.expovariate(rate)
            tpp_call(tp, tt, "GET", OBP + "/{AccountId}/" + sub, f"{OBP}/{a}/{sub}", tok=tok, ip=R.choice(ip_list) if ip_list else None)
    return tt

for tp in TPPS:
    for d in DATES[1:-1]:
        for ph in tp["poll_hours"]:
            t = at_local(d, ph, tp["poll_min"], tp["tz"]) + R.uniform(0, 30)
            if S0 <= t < SEND - 3600:
                tpp_poll(tp, t, tp["accts"])
        # user-initiated fetches during the day + PISP payments
        for hh in range(7, 23):
            h0 = at_local(d, hh, 0, tp["tz"])
            for _ in range(poisson(len(tp["accts"]) / 25)):
                t = h0 + R.uniform(0, 3600)
                if S0 <= t < SEND:
                    a = R.choice(tp["accts"])
                    tpp_call(tp, t, "GET", OBP + "/{AccountId}/balances", f"{OBP}/{a}/balances")
            if tp["pisp"]:
                for _ in range(poisson(2.5)):
                    t = h0 + R.uniform(0, 3600)
                    if S0 <= t < SEND:
                        tpp_call(tp, t, "POST", "/open-banking/v3.1/pisp/domestic-payment-consents", "/open-banking/v3.1/pisp/domestic-payment-consents")
                        tpp_call(tp, t + R.uniform(20, 90), "POST", "/open-banking/v3.1/pisp/domestic-payments", "/open-banking/v3.1/pisp/domestic-payments")

# ---------------------------------------------------------------- 4. back-office staff (SSO edge gateway access logs)
STAFF = []
SURN = ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf",
        "neumann", "schwarz", "braun", "zimmermann", "krueger", "hartmann", "lange", "werner", "krause", "lehmann", "koehler", "maier", "herrmann",
        "walter", "peters", "moeller", "dubois", "martin", "bernard", "smith", "jones", "taylor", "brown", "garcia", "rossi", "nowak"]
def staff_id():
    return f"{R.choice('abcdefghijklmnoprstuvwz')}.{R.choice(SURN)}{R.randrange(10, 99)}"
for team, n, hours in [("support", 36, None), ("riskops", 18, (8, 18)), ("treasury", 8, (8, 17)), ("compliance", 6, (9, 17)), ("engineering", 30, (9, 18))]:
    for i in range(int(n * max(0.5, min(1, SCALE)))):
        s = {"id": staff_id(), "team": team, "hours": hours, "tz": "Europe/Berlin", "remote": team == "engineering" and R.random() < 0.5,
             "home": f"{R.choice(ISP['DE'][0][1] + ISP['DE'][1][1])}.{R.randrange(256)}.{R.randrange(2, 254)}", "late": R.random() < 0.3,
             "oncall": team == "engineering" and R.random() < 0.2}
        if team == "engineering" and R.random() < 0.15:
            s["tz"] = "Europe/London"
        if team == "support":
            s["shiftA"] = R.choice(["early", "early", "late", "late", "night"])
            s["shiftB"] = s["shiftA"] if s["shiftA"] == "night" or R.random() < 0.5 else ("late" if s["shiftA"] == "early" else "early")
            s["off"] = R.sample(range(7), 2)
        STAFF.append(s)
        PRINC[s["id"]] = "staff_" + team
TREASURY = [s["id"] for s in STAFF if s["team"] == "treasury"]
COMPLIANCE = [s["id"] for s in STAFF if s["team"] == "compliance"]
RESTRICTED[0]["principals"] = TREASURY
RESTRICTED[1]["principals"] = COMPLIANCE
STAFF_OFFICE_NETS = [OFFICE + ".0/24"] + [a + "/32" for a in VPN_EGRESS]
BO_ROUTES = {
    "support": [("GET", "/backoffice/merchants/{id}", 30), ("GET", "/backoffice/payments/{id}", 30), ("GET", "/backoffice/disputes", 10),
                ("POST", "/backoffice/disputes/{id}/notes", 8), ("POST", "/backoffice/refunds/{id}/approve", 4), ("GET", "/backoffice/customers/{id}", 18)],
    "riskops": [("GET", "/backoffice/payments/{id}", 30), ("GET", "/backoffice/risk/alerts", 20), ("POST", "/backoffice/merchants/{id}/payouts/hold", 3),
                ("GET", "/backoffice/merchants/{id}", 20), ("PUT", "/backoffice/risk/rules/{id}", 3)],
    "treasury": [("GET", "/backoffice/payouts", 30), ("GET", "/backoffice/payouts/{id}", 30), ("POST", "/backoffice/payouts/{id}/release", 8),
                 ("GET", "/backoffice/ledger/balances", 20)],
    "compliance": [("GET", "/backoffice/customers/{id}", 30), ("GET", "/backoffice/customers/export", 3), ("GET", "/backoffice/audit/events", 20),
                   ("GET", "/backoffice/merchants/{id}", 20)],
    "engineering": [("GET", "/backoffice/merchants/{id}", 20), ("GET", "/backoffice/payments/{id}", 20), ("GET", "/backoffice/system/health", 15),
                    ("GET", "/backoffice/webhooks/{id}/deliveries", 15), ("POST", "/backoffice/webhooks/{id}/redeliver", 4)],
}
def bo_path(route):
    return route.replace("{id}", R.choice(["m", "p", "d", "r", "c", "w", "po"]) + "_" + rs(10, string.digits + "abcdef"))

def staff_token(s, t, life=36000):
    claims = {"iss": ISS_ID, "sub": s["id"], "aud": "backoffice", "iat": int(t), "exp": int(t) + life, "jti": rs(16),
              "scope": "bo:read bo:write", "groups": [s["team"]], "amr": ["pwd", "otp"]}
    tok = jwt(claims)
    TOKINFO[tok] = ("staff_jwt", s["id"])
    return tok

def staff_ip(s, t):
    if s["team"] in ("treasury", "compliance"):
        return f"{OFFICE}.{R.randrange(20, 200)}" if R.random() < 0.7 else R.choice(VPN_EGRESS)
    if s["remote"]:
        return s["home"] if R.random() < 0.8 else R.choice(VPN_EGRESS)
    return f"{OFFICE}.{R.randrange(20, 200)}" if R.random() < 0.85 else R.choice(VPN_EGRESS)

def staff_work(s, t1, t2, rate_h=8.0, tok=None, ip=None, routes=None):
    fixed = tok is not None
    iat = t1 - R.uniform(30, 600)
    tok = tok or staff_token(s, iat)
    t = t1
    while True:
        t += R.expovariate(rate_h / 3600)
        if t >= t2:
            break
        if not fixed and t > iat + 36000 - 120:
            iat = t - 5; tok = staff_token(s, iat)
        rr = routes or BO_ROUTES[s["team"]]
        x = R.uniform(0, sum(w for _, _, w in rr))
        for meth, route, w in rr:
            x -= w
            if x <= 0:
                break
        st = 200 if R.random() > 0.004 else 500
        gwlog(t, meth, bo_path(route), st, ip or staff_ip(s, t), "Bearer " + tok, tok)
    return tok

for s in STAFF:
    for d in DATES[1:-1]:
        wd = d.weekday()
        if s["team"] == "support":
            if wd in s["off"]:
                continue
            shift = s["shiftA"] if d < dt.date(2026, 10, 26) else s["shiftB"]
            st_h, en_h = {"early": (6, 14), "late": (14, 22), "night": (22, 30)}[shift]
            a = at_local(d, st_h % 24, R.randrange(0, 10), s["tz"]) + (86400 if st_h >= 24 else 0)
            b = a + (en_h - st_h) * 3600 + R.randrange(-600, 900)
            staff_work(s, a, b, rate_h=9)
            continue
        if wd >= 5:
            continue
        h1, h2 = s["hours"]
        a = at_local(d, h1, 0, s["tz"]) + R.uniform(-2400, 2400)
        b = at_local(d, h2, 0, s["tz"]) + R.uniform(-2400, 1800)
        if s["late"] and s["team"] in ("engineering", "riskops") and R.random() < 0.15:
            b = at_local(d, R.choice([20, 21, 22]), R.randrange(60), s["tz"])
        if s["team"] in ("treasury", "compliance"):
            a = max(a, at_local(d, 7, 30, s["tz"])); b = min(b, at_local(d, 19, 30, s["tz"]))
        tok = staff_work(s, a, b, rate_h=7 if s["team"] != "engineering" else 5)
# on-call pages for engineers (legitimate night work)
for s in [x for x in STAFF if x["oncall"]]:
    for _ in range(R.randint(0, 2)):
        d = R.choice(DATES[3:-2])
        a = at_local(d, R.choice([1, 2, 3, 23]), R.randrange(60), s["tz"])
        staff_work(s, a, a + R.uniform(1200, 3600), rate_h=30, ip=s["home"] if s["remote"] else R.choice(VPN_EGRESS))

# ---------------------------------------------------------------- 5. internal services, batch jobs, CI, outbound keys
INTERNAL = []
for name, scope, route, rate in [("ledger-writer", "ledger:write", ("POST", "/internal/ledger/entries"), 400), ("settlement-svc", "ledger:write", ("GET", "/internal/ledger/accounts/{id}"), 250),
                                 ("risk-gateway", "risk:score", ("POST", "/internal/risk/score"), 500), ("notify-dispatch", "notify:send", ("POST", "/internal/notify/email"), 200),
                                 ("payout-orchestrator", "ledger:write", ("POST", "/internal/ledger/holds"), 150), ("kyc-worker", "risk:score", ("GET", "/internal/risk/kyc/{id}"), 120),
                                 ("dispute-svc", "ledger:write", ("GET", "/internal/ledger/entries/{id}"), 100), ("fx-rates", "ledger:write", ("PUT", "/internal/ledger/fx/{id}"), 96),
                                 ("webhook-dispatcher", "notify:send", ("POST", "/internal/notify/webhook"), 450), ("chargeback-svc", "ledger:write", ("POST", "/internal/ledger/adjustments"), 60),
                                 ("statement-gen", "ledger:write", ("GET", "/internal/ledger/statements/{id}"), 80), ("sms-gateway", "notify:send", ("POST", "/internal/notify/sms"), 150)]:
    tok = "pnv_svc_" + rs(40)
    SECRETS.add(tok)
    sv = {"id": name, "tok": tok, "scope": scope, "route": route, "rate": rate * min(1, SCALE), "pods": "10.64.%d" % R.randrange(0, 255)}
    INTERNAL.append(sv); TOKINFO[tok] = ("internal_token", name); PRINC[name] = "internal_service"

def int_call(sv, t, route=None, st=None, tok=None, ip=None, method=None):
    meth, r = route or sv["route"]
    path = r.replace("{id}", rs(12, string.digits))
    st = st or (200 if R.random() > 0.003 else 503)
    pod = ip or f"{sv['pods']}.{(day_of(t) * 7 + R.randrange(4)) % 250 + 2}"
    span(t, "ledger-api" if "ledger" in r else ("risk-api" if "risk" in r else "notify-api"), meth, r, path, st,
         {"authorization": "Bearer " + (tok or sv["tok"])}, client_ip=pod, peer_ip=pod, tok=tok or sv["tok"])

for sv in INTERNAL:
    n = int(sv["rate"] * DAYS)
    for _ in range(n):
        int_call(sv, R.uniform(S0, SEND))

BATCH = []
for name in ["nightly-settlement", "recon-export", "interchange-report", "dormant-account-sweep", "gdpr-erasure"]:
    tok = "pnv_job_" + rs(40); SECRETS.add(tok)
    b = {"id": name, "tok": tok, "start": R.choice([1, 1, 2, 3]), "calls": R.randint(150, 500) if SCALE >= 1 else 100}
    BATCH.append(b); TOKINFO[tok] = ("batch_token", name); PRINC[name] = "batch_job"
    for d in DATES[1:-1]:
        t = at_local(d, b["start"], R.randrange(0, 20), "Europe/Berlin")
        if not S0 <= t < SEND:
            continue
        for j in range(b["calls"]):
            pod = f"10.66.{R.randrange(0, 4)}.{R.randrange(2, 250)}" if j == 0 else pod
            t += R.expovariate(0.15)
            span(t, "ledger-api", "GET", "/internal/ledger/entries/{id}", "/internal/ledger/entries/" + rs(10, string.digits), 200,
                 {"authorization": "Bearer " + tok}, client_ip=pod, peer_ip=pod, tok=tok)

CI = []
RUNNERS = CLOUD["gcp-euw3"]
for i in range(6):
    tok = "glpat-" + rs(20, ALNUM + "_-"); SECRETS.add(tok)
    ci = {"id": f"ci-{['checkout', 'ledger', 'mobile-bff', 'openbanking', 'backoffice', 'infra'][i]}", "tok": tok, "hdr": "private-token", "prov": "gitlab"}
    CI.append(ci)
for i in range(2):
    tok = "ghp_" + rs(36); SECRETS.add(tok)
    CI.append({"id": f"release-bot-{i+1}", "tok": tok, "hdr": "authorization", "prov": "github"})
for ci in CI:
    TOKINFO[ci["tok"]] = ("ci_token", ci["id"]); PRINC[ci["id"]] = "ci"

def ci_call(ci, t, meth, route, path, st=200, ip=None, tok=None):
    tok = tok or ci["tok"]
    h = {"private-token": tok} if ci["hdr"] == "private-token" else {"authorization": "token " + tok}
    span(t, "deploy-api", meth, route, path, st, h, client_ip=ip, peer_ip="10.0.5.%d" % R.randrange(10, 20), tok=tok)

def pipeline(ci, t, ip=None):
    ip = ip or (addr(R.choice(RUNNERS)) if ci["prov"] == "gitlab" else addr(R.choice(CLOUD["azure-eus"])))
    rid = rs(8, string.digits)
    ci_call(ci, t, "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201, ip)
    for j in range(R.randint(8, 30)):
        t += R.uniform(5, 25)
        ci_call(ci, t, "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{rid}", 200, ip)
    ci_call(ci, t + 10, "POST", "/deploy/v1/releases/{id}/promote", f"/deploy/v1/releases/{rid}/promote", 200, ip)

CI_REVOKE_AT = ts(2026, 10, 28, 12, 0)
CI4_NEW = "glpat-" + rs(20, ALNUM + "_-"); SECRETS.add(CI4_NEW)
CI4_NEW_CI = dict(CI[4], tok=CI4_NEW, id=CI[4]["id"])
TOKINFO[CI4_NEW] = ("ci_token", CI[4]["id"])
for ci in CI:
    for d in DATES[1:-1]:
        if d.weekday() >= 5 and R.random() < 0.8:
            continue
        for _ in range(R.randint(3, 10) if ci["prov"] == "gitlab" else R.randint(0, 3)):
            t = at_local(d, R.randrange(8, 19), R.randrange(60), "Europe/Berlin")
            if S0 <= t < SEND:
                pipeline(CI4_NEW_CI if (ci is CI[4] and t >= CI_REVOKE_AT - 1800) else ci, t)   # w2 fix: rotated at revocation

# outbound integration keys (CLIENT spans: no client address)
PBK = "pbk_live_" + rs(40); SECRETS.add(PBK)
FVK = "fvk_" + rs(40); SECRETS.add(FVK)
TOKINFO[PBK] = ("outbound_key", "payouts-connector"); TOKINFO[FVK] = ("outbound_key", "risk-engine")
PRINC["payouts-connector"] = "outbound"; PRINC["risk-engine"] = "outbound"
for d in DATES[1:-1]:
    for hh in range(24):
        h0 = at_local(d, hh, 0, "Europe/Berlin")
        for _ in range(poisson(25 if 7 <= hh < 20 else 3)):
            t = h0 + R.uniform(0, 3600)
            if S0 <= t < SEND:
                span(t, "payouts-connector", "POST", None, None, 201, {"authorization": "Bearer " + PBK}, kind=3, tok=PBK,
                     url_full="https://api.partnerbank.example/v2/sepa/transfers", extra={"server.address": "api.partnerbank.example"})
        for _ in range(poisson(30 if 7 <= hh < 23 else 8)):
            t = h0 + R.uniform(0, 3600)
            if S0 <= t < SEND:
                span(t, "risk-engine", "POST", None, None, 200, {"x-api-key": FVK}, kind=3, tok=FVK,
                     url_full="https://score.fraudvendor.example/v3/score", extra={"server.address": "score.fraudvendor.example"})

# ---------------------------------------------------------------- 6. registry-only tokens (stale, resurrected)
STALE = []
for i in range(5):
    tok = "pnv_svc_" + rs(40) if i % 2 else sk_live(); SECRETS.add(tok)
    STALE.append(tok); TOKINFO[tok] = ("stale_registered", f"legacy-{i}")
RESUR = []
for i in range(4):
    tok = sk_live() if i < 2 else "pnv_svc_" + rs(40); SECRETS.add(tok)
    RESUR.append(tok); TOKINFO[tok] = ("resurrected_registered", f"old-integration-{i}")

# ================================================================ INJECTIONS
def proxy_ip():
    return addr(R.choice(RESI_PROXY))

def vps_ip(p=None):
    return addr(R.choice(VPS[p or R.choice(list(VPS))]))

with inj():
    # A: stolen merchant key used from a residential proxy; new resources (events, payment methods)
    t = ts(2026, 10, 26, 14, 10) + R.randrange(0, 600); ip = addr("73.92"); ATTACK_ADDR.add(ip); k = M_A["key"]
    t1 = t
    for j in range(40):
        t += R.uniform(20, 90)
        if j % 3 == 0:
            merchant_call(M_A, k, t, ep=("GET", "/v1/events", "/v1/events", None, 0), status=200, ip=ip)
        elif j % 3 == 1:
            merchant_call(M_A, k, t, ep=("GET", "/v1/payment_methods/{id}", "/v1/payment_methods/pm_{x}", None, 0), status=200, ip=ip)
        else:
            merchant_call(M_A, k, t, ep=MERCH_ENDPOINTS[2], status=200, ip=ip)
    for ty in ("new_client_address", "new_resource", "combined_findings"):
        label(ty, t1, t, f"stolen merchant key {M_A['id']} used from residential proxy {ip} (Comcast) for events/payment-method enumeration", tok=k, cls="merchant_key")

    # B: card testing on a small merchant's key through a residential proxy pool
    k = M_B["key"]; t = ts(2026, 10, 27, 2, 13) + R.randrange(0, 900); t1 = t
    ips = [proxy_ip() for _ in range(45)]; ATTACK_ADDR.update(ips)
    for j in range(420):
        t += R.expovariate(0.3)
        ip = ips[j % len(ips)]
        merchant_call(M_B, k, t, ep=MERCH_ENDPOINTS[0], status=201, ip=ip)
        merchant_call(M_B, k, t + R.uniform(0.5, 2), ep=MERCH_ENDPOINTS[1], status=402 if R.random() < 0.85 else 200, ip=ip)
    for ty in ("rate_surge", "multi_address", "new_client_address"):
        label(ty, t1, t, f"card testing on {M_B['id']}'s key, 840 calls from 45 residential-proxy exits", tok=k, cls="merchant_key")

    # C: card testing spread over 3 keys, each from 2 VPS addresses, ~5-8x usual hour
    for m in M_C:
        k = m["key"]; t = ts(2026, 10, 28, R.choice([3, 11, 19]), R.randrange(60)); t1 = t
        ips = [vps_ip() for _ in range(2)]; ATTACK_ADDR.update(ips)
        n = int(max(90, m["rate"] * 4))
        for j in range(n):
            t += R.uniform(10, 40)
            merchant_call(m, k, t, ep=MERCH_ENDPOINTS[1], status=402 if R.random() < 0.8 else 200, ip=R.choice(ips))
        label("rate_surge", t1, t, f"spread card testing: {n} confirms in {int((t-t1)/60)} min on {m['id']}'s key (usual {m['rate']:.0f}/day)", tok=k, cls="merchant_key")

    # D: low-rate key (4/day) abused slowly from a Hetzner server: 2 h at ~2/min
    k = M_D["key"]; t = ts(2026, 10, 28, 9, 5); t1 = t; ip = addr("88.198"); ATTACK_ADDR.add(ip)
    for j in range(260):
        t += R.uniform(20, 35)
        merchant_call(M_D, k, t, ep=MERCH_ENDPOINTS[2], status=200, ip=ip)
    label("rate_surge", t1, t, f"low-rate key of {M_D['id']} (4/day) used 260 times in 2h from Hetzner {ip}", tok=k, cls="merchant_key")
    label("new_client_address", t1, t, f"low-rate key of {M_D['id']} from Hetzner {ip} (merchant on {M_D['prov']})", tok=k, cls="merchant_key")

    # multi_address: merchant key from 6 VPS exits of different providers in 8 minutes
    k = M_MA["key"]; t = ts(2026, 10, 29, 4, 20); t1 = t; ips = [vps_ip(p) for p in ["digitalocean", "vultr", "linode", "contabo", "digitalocean", "vultr"]]
    ATTACK_ADDR.update(ips)
    for j in range(36):
        t += R.uniform(5, 15)
        merchant_call(M_MA, k, t, ep=MERCH_ENDPOINTS[2], status=200, ip=ips[j % 6])
    label("multi_address", t1, t, f"{M_MA['id']}'s key from 6 VPS addresses of 4 providers within 8 min", tok=k, cls="merchant_key")

    # revoked merchant key (revoked 24 Oct 10:00) used by the thief 26 Oct from a residential proxy: 401s
    k = M_REV["key"]; t = ts(2026, 10, 26, 20, 40); t1 = t; ip = addr("187.11"); ATTACK_ADDR.add(ip)
    for j in range(6):
        t += R.uniform(30, 200)
        merchant_call(M_REV, k, t, ep=MERCH_ENDPOINTS[4], status=401, ip=ip)
    label("revoked_token", t1, t, f"{M_REV['id']}'s key revoked after a leak 24 Oct 10:00, tried from {ip}", tok=k, cls="merchant_key")

    # expired merchant key: second backend keeps using it after 26 Oct 00:00 (401), from the merchant's own NAT
    k = M_EXP["key"]; t = M_EXP["expires"] + 3600 * 7; t1 = t
    for j in range(8):
        t += R.uniform(600, 2400)
        merchant_call(M_EXP, k, t, ep=MERCH_ENDPOINTS[4], status=401)
    label("expired_token", t1, t, f"{M_EXP['id']}'s key expired 26 Oct 00:00, a forgotten backend keeps sending it (401) from its NAT", tok=k, cls="merchant_key")
    label("expiring_soon", M_EXP["expires"] - 7 * 86400 if M_EXP["expires"] - 7 * 86400 > S0 else S0, M_EXP["expires"] - 86400 + 3600 * 9,
          f"{M_EXP['id']}'s key expires 26 Oct (lifetime 365 d), in use", tok=k, cls="merchant_key")

    # key in URL query (a shop plugin appends ?api_key=)
    k = M_LEAKQ["key"]; t = ts(2026, 10, 25, 11, 0) + R.randrange(0, 7200); t1 = t
    for j in range(5):
        t += R.uniform(60, 600)
        merchant_call(M_LEAKQ, k, t, ep=MERCH_ENDPOINTS[2], status=200, extra_q="expand=charges&api_key=" + k)
    label("exposed_credential", t1, t, f"{M_LEAKQ['id']}'s key in url.query (?api_key=) from a shop plugin", tok=k, cls="merchant_key")
    # key in an exception message of the checkout service
    k = M_LEAKX["key"]; t = ts(2026, 10, 27, 16, 30) + R.randrange(0, 3600)
    span(t, "checkout-service", "POST", "/checkout/{id}/pay", "/checkout/co_8812/pay", 500, {}, client_ip=addr("79.192"), peer_ip="10.0.7.4",
         events=[{"exception.type": "PaynovaAuthError", "exception.message": f"upstream rejected request: invalid api key provided: {k} (merchant {M_LEAKX['id']})"}])
    label("exposed_credential", t, t, f"{M_LEAKX['id']}'s key in an exception message of checkout-service", tok=k, cls="merchant_key")

    # failed_attempts: deactivated key retry storm (45 x 401 in 4 min) ; deleted key used by an hourly-ish cron (slow run)
    k = M_FAIL["key"]; t = ts(2026, 10, 28, 13, 2); t1 = t
    for j in range(45):
        t += R.uniform(3, 7)
        merchant_call(M_FAIL, k, t, ep=MERCH_ENDPOINTS[0], status=401)
    label("failed_attempts", t1, t, f"{M_FAIL['id']}'s key rotated 28 Oct 10:30, a pod with the old key: retry storm 45x401 in 4 min", tok=k, cls="merchant_key")
    k = M_FAIL2["key"]; t = ts(2026, 10, 27, 0, 10); t1 = t
    for j in range(26):
        t += R.uniform(1500, 2100)
        merchant_call(M_FAIL2, k, t, ep=("GET", "/v1/balance", "/v1/balance", "payments:read", 0), status=401)
    label("failed_attempts", t1, t, f"{M_FAIL2['id']}'s rotated-out key (23 Oct) still sent by a cron job every ~30 min (26 x 401 over 13 h)", tok=k, cls="merchant_key")

    # denied_access: merchant key probing other merchants' payment intents (403)
    k = M_DEN["key"]; t = ts(2026, 10, 27, 22, 15); t1 = t
    for j in range(40):
        t += R.uniform(10, 30)
        merchant_call(M_DEN, k, t, ep=MERCH_ENDPOINTS[2], status=403 if j % 5 else 404)
    label("denied_access", t1, t, f"{M_DEN['id']}'s key enumerating other merchants' payment intents (32 x 403 in 13 min)", tok=k, cls="merchant_key")

    # scope_violation: restricted (no refunds scope) key calling refunds -> 403
    k = M_RESTR["key"]; t = ts(2026, 10, 28, 15, 40); t1 = t
    for j in range(4):
        t += R.uniform(30, 120)
        merchant_call(M_RESTR, k, t, ep=("POST", "/v1/refunds", "/v1/refunds", None, 0), status=403)
    label("scope_violation", t1, t, f"{M_RESTR['id']}'s key (no refunds:write) attempted refunds", tok=k, cls="merchant_key")

    # credential stuffing: fast (one address, 9 guessed keys in 6 min)
    ip = addr("41.202"); ATTACK_ADDR.add(ip); t = ts(2026, 10, 26, 3, 30); t1 = t
    for j in range(9):
        g = sk_live(); ATTACK_ONLY.add(g); INJ_TOKENS.add(g)
        for _ in range(R.randint(1, 2)):
            t += R.uniform(15, 30)
            span(t, "payments-api", "GET", "/v1/balance", "/v1/balance", 401, {"authorization": "Bearer " + g}, client_ip=ip, peer_ip="10.0.1.12", tok=g)
    label("credential_stuffing", t1, t, "9 guessed sk_live keys from one address in ~6 min", addrs=[ip], variant="fast")
    # slow: 16 guessed keys over 58 minutes from one address
    ip = addr("125.24"); ATTACK_ADDR.add(ip); t = ts(2026, 10, 27, 9, 0); t1 = t
    for j in range(16):
        g = sk_live(); ATTACK_ONLY.add(g); INJ_TOKENS.add(g)
        t += R.uniform(180, 260)
        span(t, "payments-api", "GET", "/v1/balance", "/v1/balance", 401, {"authorization": "Bearer " + g}, client_ip=ip, peer_ip="10.0.1.12", tok=g)
    label("credential_stuffing", t1, t, "16 guessed keys, one every ~4 min from one address", addrs=[ip], variant="slow")
    # spray: 48 guessed keys over 20 residential addresses within 8 min
    ips = [proxy_ip() for _ in range(20)]; ATTACK_ADDR.update(ips); t = ts(2026, 10, 29, 21, 5); t1 = t
    for j in range(48):
        g = sk_live(); ATTACK_ONLY.add(g); INJ_TOKENS.add(g)
        t += R.uniform(5, 15)
        span(t, "payments-api", "POST", "/v1/payment_intents", "/v1/payment_intents", 401, {"authorization": "Bearer " + g}, client_ip=ips[j % 20],
             peer_ip="10.0.1.12", tok=g)
    label("credential_stuffing", t1, t, "48 guessed keys sprayed over 20 residential-proxy addresses in 8 min", addrs=ips, variant="spray")
    # staff Basic credential stuffing against the SSO gateway's legacy basic-auth endpoint
    ip = addr("185.220", third=101); ATTACK_ADDR.add(ip); t = ts(2026, 10, 28, 1, 50); t1 = t
    for j in range(14):
        s = R.choice(STAFF); pw = rs(10); SECRETS.add(pw)
        cred = "Basic " + base64.b64encode(f"{s['id']}:{pw}".encode()).decode()
        ATTACK_ONLY.add(cred); INJ_TOKENS.add(cred)
        t += R.uniform(10, 40)
        gwlog(t, "GET", "/backoffice/legacy/login", 401, ip, cred, cred, ua="python-requests/2.31")
    label("credential_stuffing", t1, t, "14 staff user:password pairs tried with Basic auth from one Tor exit in 8 min", addrs=[ip], variant="fast")

    # ---- TPPs
    tp = TPPS[0]   # finlytics: harvest 1500 accounts' data in one hour at 02:xx local
    t = ts(2026, 10, 28, 2, 20); t1 = t
    tok = tpp_token(tp, t)
    fake = ["acc-" + rs(12, string.digits) for _ in range(1300)]
    tt = tpp_poll(tp, t, fake, rate=1.0, tok=tok)
    label("rate_surge", t1, tt, f"{tp['id']}'s token harvests 1300 accounts (2600 calls) in ~45 min at 02:20 UTC (usual poll {len(tp['accts'])} accounts)", tok=tok, cls="tpp_jwt")
    tp = TPPS[1]   # budgetbee (AISP only) calls PISP -> scope_violation, accepted (misrouted gateway)
    t = ts(2026, 10, 27, 15, 12); tok = tpp_token(tp, t)
    for j in range(3):
        tpp_call(tp, t + j * 40, "POST", "/open-banking/v3.1/pisp/domestic-payments", "/open-banking/v3.1/pisp/domestic-payments", st=201, tok=tok)
    label("scope_violation", t, t + 80, f"{tp['id']} (scope accounts) initiated 3 domestic payments", tok=tok, cls="tpp_jwt")
    tp = TPPS[5]   # taxcat: same with 403
    t = ts(2026, 10, 29, 10, 3); tok = tpp_token(tp, t)
    for j in range(2):
        tpp_call(tp, t + j * 30, "POST", "/open-banking/v3.1/pisp/domestic-payment-consents", "/open-banking/v3.1/pisp/domestic-payment-consents", st=403, tok=tok)
    label("scope_violation", t, t + 30, f"{tp['id']} (scope accounts) attempted payment consents (403)", tok=tok, cls="tpp_jwt")
    tp = TPPS[6]   # creditlens: token replayed from OVH, statements endpoint never used
    t = ts(2026, 10, 28, 20, 30); tok = tpp_token(tp, t + 400); t1 = t; ip = addr("51.91"); ATTACK_ADDR.add(ip)
    for a in tp["accts"][:25]:
        t += R.uniform(5, 20)
        tpp_call(tp, t, "GET", OBP + "/{AccountId}/statements", f"{OBP}/{a}/statements", st=200, tok=tok, ip=ip)
        tpp_call(tp, t + 2, "GET", OBP + "/{AccountId}/transactions", f"{OBP}/{a}/transactions", st=200, tok=tok, ip=ip)
    for ty in ("new_client_address", "new_resource", "combined_findings"):
        label(ty, t1, t, f"{tp['id']}'s hourly JWT (Azure) replayed from OVH {ip}, statements never called before", tok=tok, cls="tpp_jwt")
    tp = TPPS[3]   # sparfux: enumerate accounts without consent -> 403s
    t = ts(2026, 10, 27, 11, 20); tok = tpp_token(tp, t + 300); t1 = t
    for j in range(80):
        t += R.uniform(5, 15)
        a = tp["accts"][j % len(tp["accts"])] if j % 4 == 0 else "acc-" + rs(12, string.digits)
        tpp_call(tp, t, "GET", OBP + "/{AccountId}/transactions", f"{OBP}/{a}/transactions", st=200 if j % 4 == 0 else 403, tok=tok)
    label("denied_access", t1, t, f"{tp['id']} enumerates 60 account ids without consent (403)", tok=tok, cls="tpp_jwt")
    tp = TPPS[8]   # accountory: the same, slower
    t = ts(2026, 10, 29, 14, 0); tok = tpp_token(tp, t + 300); t1 = t
    for j in range(30):
        t += R.uniform(40, 90)
        tpp_call(tp, t, "GET", OBP + "/{AccountId}/balances", f"{OBP}/acc-{rs(12, string.digits)}/balances", st=403, tok=tok)
    label("denied_access", t1, t, f"{tp['id']} tries 30 foreign account ids over ~30 min (403)", tok=tok, cls="tpp_jwt")
    # not_yet_valid: two TPPs' token servers with clocks 2-3 h fast
    for tp, t, sk in [(TPPS[4], ts(2026, 10, 26, 9, 10), 7200), (TPPS[9], ts(2026, 10, 29, 16, 40), 10800)]:
        tok = tpp_token(tp, t, nbf_skew=sk)
        for j in range(6):
            tpp_call(tp, t + j * 25, "GET", OBP + "/{AccountId}/balances", f"{OBP}/{R.choice(tp['accts'])}/balances", st=200, tok=tok)
        label("not_yet_valid_token", t, t + 125, f"{tp['id']}'s token server clock {sk//3600}h fast: nbf/iat in the future, accepted", tok=tok, cls="tpp_jwt")
    # revoked TPP token by jti (certificate compromise), still accepted by a stale gateway node
    tp = TPPS[2]; t = ts(2026, 10, 27, 4, 0)
    tok = tpp_token(tp, t, extra={"jti": "tpp-moneymap-compromised-1027"})
    REVOKED.append({"jti": "tpp-moneymap-compromised-1027", "revoked_at": iso(t - 1800)})
    ip = addr("159.89"); ATTACK_ADDR.add(ip)
    for j in range(12):
        tpp_call(tp, t + j * 20, "GET", OBP + "/{AccountId}/transactions", f"{OBP}/{R.choice(tp['accts'])}/transactions", st=200, tok=tok, ip=ip)
    label("revoked_token", t, t + 220, f"{tp['id']}'s token (jti revoked after cert compromise) used from DigitalOcean", tok=tok, cls="tpp_jwt")
    # expired TPP token used with 200 (clock drift at the resource server) from its own address
    tp = TPPS[7]; t = ts(2026, 10, 28, 8, 0)
    tok = tpp_token(tp, t - 3 * 3600, extra={"jti": rs(20)})
    for j in range(5):
        tpp_call(tp, t + j * 30, "POST", "/open-banking/v3.1/pisp/domestic-payments", "/open-banking/v3.1/pisp/domestic-payments", st=201, tok=tok)
    label("expired_token", t, t + 120, f"{tp['id']}'s token 2h past exp accepted for payments", tok=tok, cls="tpp_jwt")

    # ---- mobile users
    cand = [u for u in USERS if u["act"] >= 1.2]
    def jwt_for(u, t, life=600):
        tok, _ = mobile_token(u, t, life); return tok
    # H1: stolen access token replayed from DigitalOcean within its lifetime
    u = R.choice(cand); t = ts(2026, 10, 26, 19, 5); tok = jwt_for(u, t - 60, 900); ip = vps_ip("digitalocean"); ATTACK_ADDR.add(ip)
    mobile_session(u, t - 50, calls=4, tok=tok)  # the owner's own use first
    _, _, te = mobile_session(u, t + 60, ip=ip, tok=tok, calls=25)
    label("new_client_address", t + 60, te, f"{u['id']}'s access token replayed from DigitalOcean {ip}", tok=tok, cls="mobile_jwt")
    # H2: stolen token driven through 5 residential proxy exits in 8 minutes
    u = R.choice(cand); t = ts(2026, 10, 27, 21, 30); tok = jwt_for(u, t - 30, 900); ips = [proxy_ip() for _ in range(5)]; ATTACK_ADDR.update(ips)
    mobile_session(u, t - 20, calls=3, tok=tok)
    tt = t + 30
    for j in range(25):
        tt += R.uniform(8, 20)
        span(tt, "mobile-bff", "GET", "/app/v2/accounts/{id}/transactions", f"/app/v2/accounts/acc_{j}/transactions", 200, {"authorization": "Bearer " + tok},
             client_ip=ips[j % 5], peer_ip="10.0.2.15", tok=tok)
    label("multi_address", t + 30, tt, f"{u['id']}'s access token through 5 residential proxies in 8 min", tok=tok, cls="mobile_jwt")
    # H3: stolen token from a VPS, reveals card numbers (never used by owner)
    u = R.choice([x for x in cand if not x["cards"]]); t = ts(2026, 10, 28, 12, 40); tok = jwt_for(u, t - 30, 900); ip = vps_ip("vultr"); ATTACK_ADDR.add(ip)
    mobile_session(u, t - 20, calls=3, tok=tok)
    fr = [("GET", "/app/v2/cards", "/app/v2/cards")] + [("POST", "/app/v2/cards/{id}/reveal", f"/app/v2/cards/card_{j}/reveal") for j in range(6)] + \
         [("GET", "/app/v2/payees", "/app/v2/payees"), ("POST", "/app/v2/payees", "/app/v2/payees")]
    _, _, te = mobile_session(u, t + 40, ip=ip, tok=tok, force_routes=fr)
    for ty in ("new_resource", "combined_findings", "new_client_address"):
        label(ty, t + 40, te, f"{u['id']}'s access token from Vultr {ip}: card reveal x6, new payee", tok=tok, cls="mobile_jwt")
    # expired mobile token replayed 3 h after exp from a VPS (401)
    u = R.choice(cand); t = ts(2026, 10, 29, 23, 10); tok = jwt_for(u, t - 3 * 3600 - 900, 600); ip = vps_ip("contabo"); ATTACK_ADDR.add(ip)
    for j in range(3):
        span(t + j * 15, "mobile-bff", "GET", "/app/v2/accounts", "/app/v2/accounts", 401, {"authorization": "Bearer " + tok}, client_ip=ip, peer_ip="10.0.2.13", tok=tok)
    label("expired_token", t, t + 30, f"{u['id']}'s expired token (from a phished session) replayed from Contabo {ip}", tok=tok, cls="mobile_jwt")
    # not_yet_valid: a token minted with the issuer key by a compromised build with iat/nbf +1 day
    u = R.choice(cand); t = ts(2026, 10, 28, 18, 0)
    tok = jwt({"iss": ISS_ID, "sub": u["id"], "aud": "paynova-app", "iat": t + 90000, "nbf": t + 90000, "exp": t + 90000 + 900, "jti": rs(16),
               "scope": "mobile:accounts mobile:payments mobile:cards"})
    ATTACK_ONLY.add(tok); TOKINFO[tok] = ("mobile_jwt", u["id"])
    ip = vps_ip("linode"); ATTACK_ADDR.add(ip)
    for j in range(3):
        span(t + j * 20, "mobile-bff", "GET", "/app/v2/accounts", "/app/v2/accounts", 401, {"authorization": "Bearer " + tok}, client_ip=ip, peer_ip="10.0.2.13", tok=tok)
    label("not_yet_valid_token", t, t + 40, f"token for {u['id']} with iat/nbf a day ahead (pre-minted), from Linode", tok=tok, cls="mobile_jwt")
    # failed_attempts: app refresh-loop bug resends one expired token 30 times in 2 min from the user's home
    u = R.choice(cand); t = ts(2026, 10, 27, 7, 45); tok = jwt_for(u, t - 1500, 600)
    ip = f"{u['home24']}.{(u['hid'] + day_of(t) // 3) % 250 + 2}"
    for j in range(30):
        span(t + j * 4, "mobile-bff", "GET", "/app/v2/notifications", "/app/v2/notifications", 401, {"authorization": "Bearer " + tok}, client_ip=ip,
             peer_ip="10.0.2.13", tok=tok)
    label("failed_attempts", t, t + 120, f"{u['id']}'s app in a refresh loop: one expired token 30 x 401 in 2 min", tok=tok, cls="mobile_jwt")
    # scope_violation: mobile token calling a back-office route through a misconfigured route
    u = R.choice(cand); t = ts(2026, 10, 29, 13, 15); tok = jwt_for(u, t - 30, 900)
    for j in range(3):
        span(t + j * 20, "mobile-bff", "GET", "/backoffice/customers/{id}", f"/backoffice/customers/c_{rs(8, string.digits)}", 200,
             {"authorization": "Bearer " + tok}, client_ip=addr(R.choice(u["mob"][1])), peer_ip="10.0.2.13", tok=tok)
    label("scope_violation", t, t + 40, f"{u['id']}'s app token read back-office customer records (200)", tok=tok, cls="mobile_jwt")

    # ---- forged and malformed JWTs
    for j, (t, st) in enumerate([(ts(2026, 10, 25, 2, 10), 401), (ts(2026, 10, 26, 11, 5), 401), (ts(2026, 10, 28, 23, 40), 200), (ts(2026, 10, 30, 6, 0), 401)]):
        target = R.choice(COMPLIANCE + TREASURY)
        tok = jwt({"iss": ISS_ID, "sub": target, "aud": "backoffice", "iat": t - 60, "exp": t + 3600, "jti": rs(16), "scope": "bo:read bo:write"},
                  secret="paynova-dev-secret-" + rs(8))
        ATTACK_ONLY.add(tok); ip = vps_ip(); ATTACK_ADDR.add(ip)
        for i in range(3):
            gwlog(t + i * 30, "GET", "/backoffice/customers/export" if st == 200 else bo_path("/backoffice/customers/{id}"), st, ip, "Bearer " + tok, tok, ua="curl/8.5.0")
        label("invalid_signature", t, t + 60, f"forged back-office JWT claiming {target}, signed with a guessed key (status {st})", tok=tok)
    for j, t in enumerate([ts(2026, 10, 24, 17, 0), ts(2026, 10, 26, 5, 30), ts(2026, 10, 28, 2, 0), ts(2026, 10, 30, 14, 0)]):
        good = jwt({"iss": ISS_ID, "sub": "x", "iat": t, "exp": t + 60, "jti": rs(8)})
        SECRETS.discard(good); SECRETS.discard(good.split(".")[2])
        bad = [good[:len(good) // 2], good.split(".")[0] + "." + b64u(b'{"sub":"x","iat":17') + "." + good.split(".")[2], "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%%%%" + rs(30) + ".abc",
               good.split(".")[0] + ".!!" + rs(40, ALNUM) + "." + rs(43)][j]
        SECRETS.add(bad) if len(bad) > 20 else None
        ATTACK_ONLY.add(bad); ip = vps_ip(); ATTACK_ADDR.add(ip)
        for i in range(3):
            span(t + i * 20, "mobile-bff", "GET", "/app/v2/accounts", "/app/v2/accounts", 401, {"authorization": "Bearer " + bad}, client_ip=ip, peer_ip="10.0.2.13", tok=bad)
        label("malformed_token", t, t + 40, f"malformed bearer JWT variant {j} from {ip}", tok=bad)

    # ---- staff
    sup = [s for s in STAFF if s["team"] == "support" and s["shiftA"] == "early" and s["shiftB"] == "early"]
    # I: support agent's session token stolen (infostealer), used at 03:10 Berlin from Vietnam, customer export (restricted)
    s = R.choice(sup); t = ts(2026, 10, 28, 2, 10); ip = addr("113.161"); ATTACK_ADDR.add(ip)
    tok = staff_token(s, t - 600)
    t1 = t
    for j in range(14):
        t += R.uniform(30, 120)
        route = "/backoffice/customers/export" if j % 4 == 3 else bo_path(R.choice(["/backoffice/customers/{id}", "/backoffice/merchants/{id}"]))
        gwlog(t, "GET", route, 200, ip, "Bearer " + tok, tok)
    label("new_client_address", t1, t, f"support agent {s['id']}'s SSO session used from Vietnam {ip} at 03:10 Berlin", tok=tok, cls="staff_jwt")
    label("off_hours", t1, t, f"support agent {s['id']} (early shifts) session at 03:10 Berlin", tok=tok, variant="learned", cls="staff_jwt")
    label("restricted_resource", t1, t, f"support agent {s['id']}'s token exported customers (compliance only)", tok=tok, cls="staff_jwt")
    label("combined_findings", t1, t, f"support agent {s['id']}'s stolen session: new network + off hours", tok=tok, cls="staff_jwt")
    # restricted: support agent releases a payout (not treasury)
    s = R.choice([x for x in STAFF if x["team"] == "support"]); t = ts(2026, 10, 27, 10, 20) if s["shiftB"] != "night" else ts(2026, 10, 27, 23, 20)
    tok = staff_token(s, t - 3600)
    for j in range(2):
        gwlog(t + j * 60, "POST", bo_path("/backoffice/payouts/{id}/release"), 200, staff_ip(s, t), "Bearer " + tok, tok)
    label("restricted_resource", t, t + 60, f"support agent {s['id']} released payouts (treasury only)", tok=tok, cls="staff_jwt")
    # restricted: engineer reveals a merchant's key (break-glass route, nobody)
    s = R.choice([x for x in STAFF if x["team"] == "engineering"]); t = ts(2026, 10, 29, 15, 45)
    tok = staff_token(s, t - 3600 * 4)
    gwlog(t, "POST", bo_path("/backoffice/merchants/{id}/keys/{id}/reveal"), 200, staff_ip(s, t), "Bearer " + tok, tok)
    label("restricted_resource", t, t, f"engineer {s['id']} revealed a merchant's secret key via break-glass route", tok=tok, cls="staff_jwt")
    # restricted: riskops exports customers
    s = R.choice([x for x in STAFF if x["team"] == "riskops"]); t = ts(2026, 10, 26, 14, 5)
    tok = staff_token(s, t - 3600 * 5)
    for j in range(3):
        gwlog(t + j * 90, "GET", "/backoffice/customers/export", 200, staff_ip(s, t), "Bearer " + tok, tok)
    label("restricted_resource", t, t + 180, f"riskops {s['id']} exported customers (compliance only)", tok=tok, cls="staff_jwt")
    # disallowed_network: treasury member works from home ISP ; compliance from a hotel abroad
    for s, t, ip in [(R.choice([x for x in STAFF if x["team"] == "treasury"]), ts(2026, 10, 27, 9, 0), addr("95.88")),
                     (R.choice([x for x in STAFF if x["team"] == "compliance"]), ts(2026, 10, 29, 8, 30), addr("187.11"))]:
        ATTACK_ADDR.add(ip)
        tok = staff_token(s, t - 300)
        for j in range(8):
            gwlog(t + j * 120, "GET", bo_path(R.choice(BO_ROUTES[s["team"]])[1]), 200, ip, "Bearer " + tok, tok)
        label("disallowed_network", t, t + 840, f"{s['team']} {s['id']} from {ip}, outside office/VPN", tok=tok, cls="staff_jwt")
    # off_hours policy: treasury at Saturday 02:40 Berlin from VPN ; compliance Tue 23:30 from office
    for s, t in [(R.choice([x for x in STAFF if x["team"] == "treasury"]), at_local(dt.date(2026, 10, 24), 2, 40, "Europe/Berlin")),
                 (R.choice([x for x in STAFF if x["team"] == "compliance"]), at_local(dt.date(2026, 10, 27), 23, 30, "Europe/Berlin"))]:
        tok = staff_token(s, t - 120)
        for j in range(6):
            gwlog(t + j * 100, "GET", bo_path(R.choice(BO_ROUTES[s["team"]])[1]), 200, R.choice(VPN_EGRESS), "Bearer " + tok, tok)
        label("off_hours", t, t + 500, f"{s['team']} {s['id']} (policy hours 07:00-20:00 Mon-Fri Berlin) at {local(t, 'Europe/Berlin'):%a %H:%M}",
              tok=tok, variant="policy", cls="staff_jwt")
    # off_hours learned: engineer (no on-call) at 04:10 local from usual network ; riskops at 01:30
    for s, d, hh in [(R.choice([x for x in STAFF if x["team"] == "engineering" and not x["oncall"]]), dt.date(2026, 10, 29), 4),
                     (R.choice([x for x in STAFF if x["team"] == "riskops"]), dt.date(2026, 10, 28), 1)]:
        t = at_local(d, hh, 10, s["tz"])
        tok = staff_token(s, t - 60)
        for j in range(10):
            gwlog(t + j * 90, "GET", bo_path(R.choice(BO_ROUTES[s["team"]])[1]), 200, staff_ip(s, t), "Bearer " + tok, tok)
        label("off_hours", t, t + 900, f"{s['team']} {s['id']} session at {local(t, s['tz']):%a %H:%M} local (works {s['hours']})", tok=tok, variant="learned",
              cls="staff_jwt")
    # multi_address: engineer's session token through 4 VPN providers' exits in 6 min
    s = R.choice([x for x in STAFF if x["team"] == "engineering"]); t = ts(2026, 10, 29, 10, 30)
    tok = staff_token(s, t - 3600); ips = [vps_ip(p) for p in ["digitalocean", "linode", "vultr", "contabo"]]; ATTACK_ADDR.update(ips)
    for j in range(16):
        gwlog(t + j * 22, "GET", bo_path("/backoffice/merchants/{id}"), 200, ips[j % 4], "Bearer " + tok, tok)
    label("multi_address", t, t + 350, f"engineer {s['id']}'s session through 4 VPS providers in 6 min", tok=tok, cls="staff_jwt")
    # revoked staff session (offboarded employee, jti revoked) used from home
    s = R.choice([x for x in STAFF if x["team"] == "support"]); t = ts(2026, 10, 28, 18, 0)
    tok = jwt({"iss": ISS_ID, "sub": s["id"], "aud": "backoffice", "iat": t - 7200, "exp": t + 28800, "jti": "offboard-" + s["id"], "scope": "bo:read bo:write"})
    TOKINFO[tok] = ("staff_jwt", s["id"])
    REVOKED.append({"jti": "offboard-" + s["id"], "revoked_at": iso(t - 3600)})
    for j in range(5):
        gwlog(t + j * 60, "GET", bo_path("/backoffice/customers/{id}"), 200, s["home"], "Bearer " + tok, tok)
    label("revoked_token", t, t + 240, f"offboarded agent {s['id']}'s session (jti revoked 1h earlier) still accepted", tok=tok, cls="staff_jwt")
    # expired staff token accepted by a misconfigured route
    s = R.choice([x for x in STAFF if x["team"] == "riskops"]); t = ts(2026, 10, 27, 19, 0)
    tok = staff_token(s, t - 40000)
    for j in range(4):
        gwlog(t + j * 60, "GET", bo_path("/backoffice/payments/{id}"), 200, staff_ip(s, t), "Bearer " + tok, tok)
    label("expired_token", t, t + 180, f"riskops {s['id']}'s token 1h past exp accepted", tok=tok, cls="staff_jwt")
    # denied_access: staff token probing admin routes (403)
    s = R.choice([x for x in STAFF if x["team"] == "support"]); t = ts(2026, 10, 29, 16, 0) if s["shiftB"] == "late" else ts(2026, 10, 29, 9, 0)
    tok = staff_token(s, t - 3600)
    for j in range(14):
        gwlog(t + j * 40, "GET", f"/backoffice/admin/{R.choice(['users', 'roles', 'keys', 'config'])}", 403, staff_ip(s, t), "Bearer " + tok, tok)
    label("denied_access", t, t + 560, f"support {s['id']} probing admin routes (14 x 403 in 9 min)", tok=tok, cls="staff_jwt")
    # staff JWT in an application log body (debug logging)
    s = R.choice([x for x in STAFF if x["team"] == "engineering"]); t = ts(2026, 10, 26, 10, 50)
    tok = staff_token(s, t - 600)
    applog(t, "backoffice-api", f"DEBUG forwarding request upstream with bearer {tok} for user {s['id']}", sev=5)
    label("exposed_credential", t, t, f"engineer {s['id']}'s JWT written into backoffice-api debug log", tok=tok, cls="staff_jwt")

    # ---- internal / CI / batch / outbound
    # failed_attempts: internal service with a stale Basic password, 12 failures in 3 min (recon job)
    t = ts(2026, 10, 26, 7, 15); pw = "Recon!" + rs(12); SECRETS.add(pw)
    cred = "Basic " + base64.b64encode(f"svc-recon:{pw}".encode()).decode(); TOKINFO[cred] = ("internal_basic", "svc-recon")
    for j in range(12):
        span(t + j * 14, "ledger-api", "GET", "/internal/ledger/accounts/{id}", "/internal/ledger/accounts/" + rs(8, string.digits), 401, {"authorization": cred},
             client_ip="10.64.9.31", peer_ip="10.64.9.31", tok=cred)
    label("failed_attempts", t, t + 160, "recon job's stale Basic password svc-recon: 12 x 401 in 3 min", tok=cred)
    # new_resource: insider uses ledger-writer's token for the ledger export, from its pods
    sv = INTERNAL[0]; t = ts(2026, 10, 29, 11, 20)
    for j in range(8):
        int_call(sv, t + j * 30, route=("GET", "/internal/ledger/export/{id}"), st=200)
    label("new_resource", t, t + 210, "ledger-writer's token pulls /internal/ledger/export (never called) from its pods", tok=sv["tok"], cls="internal_token")
    # disallowed_network: internal service token from a public address (leaked to a contractor's laptop)
    sv = INTERNAL[3]; t = ts(2026, 10, 28, 16, 0); ip = addr("91.40"); ATTACK_ADDR.add(ip)
    for j in range(6):
        span(t + j * 40, "notify-api", "POST", "/internal/notify/sms", "/internal/notify/sms", 200, {"authorization": "Bearer " + sv["tok"]}, client_ip=ip,
             peer_ip="10.0.9.2", tok=sv["tok"])
    label("disallowed_network", t, t + 200, f"notify-dispatch's internal token from public address {ip}", tok=sv["tok"], cls="internal_token")
    # disallowed_network: CI token from a home line
    ci = CI[1]; t = ts(2026, 10, 27, 20, 30); ip = addr("79.210"); ATTACK_ADDR.add(ip)
    for j in range(5):
        ci_call(ci, t + j * 30, "GET", "/deploy/v1/releases/{id}", "/deploy/v1/releases/" + rs(8, string.digits), 200, ip)
    label("disallowed_network", t, t + 120, f"{ci['id']} token used from a home line {ip} (runners only)", tok=ci["tok"], cls="ci_token")
    # off_hours policy: batch job token at 14:20 Berlin
    b = BATCH[1]; t = at_local(dt.date(2026, 10, 27), 14, 20, "Europe/Berlin")
    for j in range(12):
        span(t + j * 20, "ledger-api", "GET", "/internal/ledger/entries/{id}", "/internal/ledger/entries/" + rs(10, string.digits), 200,
             {"authorization": "Bearer " + b["tok"]}, client_ip="10.66.1.77", peer_ip="10.66.1.77", tok=b["tok"])
    label("off_hours", t, t + 220, f"batch token {b['id']} (window 00:00-05:00 Berlin) used at 14:20", tok=b["tok"], variant="policy", cls="batch_token")
    # revoked CI token (rotated after offboarding) still used by a forgotten pipeline: 401
    ci = CI[4]; t = ts(2026, 10, 29, 9, 40)
    REVOKED.append({"_raw": ci["tok"], "revoked_at": iso(CI_REVOKE_AT)})
    for j in range(4):
        ci_call(ci, t + j * 45, "POST", "/deploy/v1/releases", "/deploy/v1/releases", 401, addr(R.choice(RUNNERS)))
    label("revoked_token", t, t + 140, f"{ci['id']} (revoked 28 Oct 12:00) still sent by a forgotten pipeline", tok=ci["tok"], cls="ci_token")
    # exposed: glpat on a worker's command line (resource attribute)
    ci = CI[5]; t = ts(2026, 10, 26, 15, 0)
    EV.append((int(t * 1e9), SEQ[0], "span_res", "infra-migrator", {"res": {"process.command_args": ["/usr/local/bin/migrate", "--gitlab-url=https://git.paynova.internal",
               "--token=" + ci["tok"]]}, "span": None})); SEQ[0] += 1
    span(t, "infra-migrator", "GET", None, None, 200, {}, kind=3, url_full="https://git.paynova.internal/api/v4/projects")
    EV[-1] = (EV[-1][0], EV[-1][1], "span_resattr", "infra-migrator", EV[-1][4])
    EV.pop(-2)
    label("exposed_credential", t, t, f"{ci['id']} GitLab token on a worker's command line (process.command_args)", tok=ci["tok"], cls="ci_token")
    # exposed: Slack webhook URL in an exception stacktrace
    hook = f"https://hooks.slack.com/services/T{rs(8, string.ascii_uppercase + string.digits)}/B{rs(10, string.ascii_uppercase + string.digits)}/{rs(24)}"
    SECRETS.add(hook.split("/services/")[1]); t = ts(2026, 10, 27, 12, 30)
    span(t, "alert-notifier", "POST", None, None, 500, {}, kind=3, url_full="https://hooks.slack.com/services", events=[{
        "exception.type": "requests.exceptions.HTTPError", "exception.message": "404 Client Error: Not Found",
        "exception.stacktrace": f"Traceback (most recent call last):\n  File \"notify.py\", line 41, in post\n    r = session.post(\"{hook}\", json=payload)\nrequests.exceptions.HTTPError: 404"}])
    label("exposed_credential", t, t, "Slack incoming-webhook URL in alert-notifier's exception stacktrace", hint="hooks.slack.com")
    # unknown tokens: shadow merchant keys, a hard-coded dev token, an unregistered glpat
    for j, t in enumerate([ts(2026, 10, 25, 14, 0), ts(2026, 10, 27, 8, 30)]):
        m = R.choice([x for x in MERCHANTS if not x.get("special")]); g = sk_live(); ATTACK_ONLY.add(g)
        for i in range(6):
            merchant_call(m, g, t + i * 120, ep=MERCH_ENDPOINTS[2], status=200)
        label("unknown_token", t, t + 600, f"unregistered (shadow) secret key used on {m['id']}'s account from its NAT", tok=g)
    g = "pnv_svc_" + rs(40); SECRETS.add(g); ATTACK_ONLY.add(g); t = ts(2026, 10, 28, 10, 0)
    for i in range(5):
        span(t + i * 60, "risk-api", "POST", "/internal/risk/score", "/internal/risk/score", 200, {"authorization": "Bearer " + g}, client_ip="10.64.77.5",
             peer_ip="10.64.77.5", tok=g)
    label("unknown_token", t, t + 240, "hard-coded, unregistered internal token used by a dev pod", tok=g)
    g = "glpat-" + rs(20, ALNUM); SECRETS.add(g); ATTACK_ONLY.add(g); t = ts(2026, 10, 29, 17, 20)
    for i in range(3):
        span(t + i * 30, "deploy-api", "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201 if i == 0 else 403, {"private-token": g},
             client_ip=addr(R.choice(RUNNERS)), peer_ip="10.0.5.11", tok=g)
    label("unknown_token", t, t + 60, "unregistered GitLab token creating a release", tok=g)
    # resurrected: old registered tokens (last used Aug / never) used again
    for j, tok in enumerate(RESUR):
        t = ts(2026, 10, 26 + j, 3 + 4 * j, 15)
        ip = vps_ip("digitalocean") if j % 2 == 0 else addr("88.198")
        ATTACK_ADDR.add(ip)
        for i in range(4):
            if tok.startswith("sk_live_"):
                span(t + i * 60, "payments-api", "GET", "/v1/balance", "/v1/balance", 200, {"authorization": "Bearer " + tok}, client_ip=ip, peer_ip="10.0.1.12", tok=tok)
            else:
                span(t + i * 60, "ledger-api", "GET", "/internal/ledger/accounts/{id}", "/internal/ledger/accounts/" + rs(8, string.digits), 200,
                     {"authorization": "Bearer " + tok}, client_ip="10.64.200.%d" % (j + 3), peer_ip="10.64.200.%d" % (j + 3), tok=tok)
        label("resurrected_token", t, t + 180, f"registered token idle since {'Aug' if j % 2 == 0 else 'creation (never used)'} used again", tok=tok,
              cls="resurrected_registered")

# lifecycle labels (decided by the policy registry)
for tok in STALE:
    INJ_TOKENS.add(tok)
    label("stale_token", S0, SEND, "registered token last used 2026-05/06 (inventory), unused since", tok=tok, cls="stale_registered")
for i in (1, 3):
    label("stale_token", S0, ts(2026, 10, 26 + i, 3 + 4 * i, 15), "registered token created 2026-06-02, never used (inventory), until its resurrection", tok=RESUR[i],
          cls="resurrected_registered")
for m in M_US:
    INJ_TOKENS.add(m["key"])
    label("unused_scopes", S0 + 8 * 86400, SEND, f"{m['id']}'s key granted payouts:write and customers:export, never used", tok=m["key"], cls="merchant_key")
for m in M_EXPS:
    INJ_TOKENS.add(m["key"])
    label("expiring_soon", max(S0, m["expires"] - 7 * 86400), min(SEND, m["expires"]), f"{m['id']}'s key expires {iso(m['expires'])[:10]} (365-day key)",
          tok=m["key"], cls="merchant_key")
INJ_TOKENS.add(FVK)
FVK_EXP = ts(2026, 11, 1, 0, 0)
label("expiring_soon", FVK_EXP - 7 * 86400, SEND, "fraud-vendor outbound key expires 1 Nov (1-year key)", tok=FVK, cls="outbound_key")
EXCESSIVE = [(PBK, "partner bank outbound key, 3-year lifetime", ts(2024, 1, 15), ts(2027, 1, 15), "outbound_key"),
             (CI[0]["tok"], "GitLab CI token with 2-year expiry", ts(2025, 6, 1), ts(2027, 6, 1), "ci_token"),
             (INTERNAL[2]["tok"], "risk-gateway internal token valid 5 years", ts(2023, 3, 1), ts(2028, 3, 1), "internal_token"),
             (CI[6]["tok"], "GitHub PAT (release bot) with 400-day lifetime", ts(2026, 3, 1), ts(2027, 4, 5), "ci_token")]
for tok, note, c, e, cls in EXCESSIVE:
    INJ_TOKENS.add(tok)
    label("excessive_lifetime", S0, SEND, note, tok=tok, cls=cls)

# ================================================================ fingerprints
all_toks = sorted(set(TOKINFO) | INJ_TOKENS | ATTACK_ONLY | set(l["_raw"] for l in LABELS if "_raw" in l))
fp_path = os.path.join(OUT, "fingerprint.key")
with open(fp_path, "w") as f:
    f.write(FP_KEY + "\n")
os.chmod(fp_path, 0o600)
inp = "\n".join((t if t.startswith("Basic ") else t) for t in all_toks) + "\n"
r = subprocess.run([AUDITCTL, "fingerprint", "-lines", "-key-file", fp_path], input=inp, capture_output=True, text=True)
ids = r.stdout.split("\n")
FID = {}
for t, i in zip(all_toks, ids):
    if i:
        FID[t] = i
missing = [t for t in all_toks if t not in FID]
sys.stderr.write(f"fingerprinted {len(FID)} of {len(all_toks)} (no id: {len(missing)}; e.g. {[m[:12] for m in missing[:4]]})\n")

# ================================================================ policy
def yq(s):
    return json.dumps(s)
pl = ["# Paynova token policy (blind9 world, generated by gen.py)", "scopes:"]
for k, v in SCOPES.items():
    pl.append(f"  {yq(k)}: [{', '.join(yq(x) for x in v)}]")
pl.append("restricted:")
for e in RESTRICTED:
    pl.append(f"  - resource: {yq(e['resource'])}")
    pl.append(f"    principals: [{', '.join(yq(p) for p in e['principals'])}]")
pl.append("principals:")
for s in STAFF:
    if s["team"] in ("treasury", "compliance"):
        pl.append(f"  {yq(s['id'])}:")
        pl.append(f"    networks: [{', '.join(yq(n) for n in STAFF_OFFICE_NETS)}]")
        pl.append('    working_hours: {time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: "07:00", end: "20:00"}')
for sv in INTERNAL + BATCH:
    pl.append(f"  {yq(sv['id'])}:")
    pl.append("    networks: [10.0.0.0/8]")
for ci in CI:
    pl.append(f"  {yq(ci['id'])}:")
    nets = [p + ".0.0/16" for p in (RUNNERS if ci["prov"] == "gitlab" else CLOUD["azure-eus"])]
    pl.append(f"    networks: [{', '.join(yq(n) for n in nets)}]")
pl.append("revoked:")
rv_m = M_REV
pl.append(f"  - id: {FID[rv_m['key']]}   # {rv_m['id']} key leaked on a public repository")
pl.append(f"    revoked_at: {iso(rv_m['revoked_at'])}")
for r_ in REVOKED:
    if "_raw" in r_:
        pl.append(f"  - id: {FID[r_['_raw']]}")
    else:
        pl.append(f"  - jti: {yq(r_['jti'])}")
    pl.append(f"    revoked_at: {r_['revoked_at']}")
pl += ["registry:", "  authoritative: true", "  known: registered_or_verified", f"  verified_issuers: [{yq(ISS_ID)}, {yq(ISS_TPP)}]", "  tokens:"]
def reg(tok, name, owner, otype, scopes=None, created=None, expires=None, last_used=None, wh=None):
    pl.append(f"    - id: {FID[tok]}")
    pl.append(f"      name: {yq(name)}")
    pl.append(f"      owner: {yq(owner)}")
    pl.append(f"      owner_type: {otype}")
    if scopes is not None:
        pl.append(f"      scopes: [{', '.join(yq(s) for s in sorted(scopes))}]")
    if created:
        pl.append(f"      created_at: {iso(created)}")
    if expires:
        pl.append(f"      expires_at: {iso(expires)}")
    if last_used:
        pl.append(f"      last_used_at: {last_used}")
    if wh:
        pl.append(f"      working_hours: {wh}")
for m in MERCHANTS:
    for key, a, b, created in m["keys"]:
        # w2 fix: the key's scopes are the merchant's product features (w1 used only what it had called in the first 7 days)
        sc = {"payments:write", "payments:read"} | ({"refunds:write"} if m["refunds"] else set()) | ({"customers:write"} if m["customers"] else set()) \
            | ({"reports:read"} if m["reports"] else set()) | ({"payouts:write"} if m["payouts"] else set())
        if m in M_US and key == m["key"]:
            sc |= {"payouts:write", "customers:export"}
            sc -= {"payouts:write", "customers:export"} & set()   # granted, never used
        exp = m.get("expires") if key == m["key"] else None
        reg(key, f"{m['id']} secret key", m["id"], "service", sc, created=created, expires=exp)
for sv in INTERNAL:
    c, e = (ts(2023, 3, 1), ts(2028, 3, 1)) if sv is INTERNAL[2] else (ts(2026, 2, 1), ts(2027, 2, 1))
    reg(sv["tok"], sv["id"] + " service token", sv["id"], "service", [sv["scope"]], c, e)
for b in BATCH:
    reg(b["tok"], b["id"] + " job token", b["id"], "service", ["ledger:write"], ts(2026, 1, 10), ts(2027, 1, 10),
        wh='{time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "05:00"}')
for ci in CI:
    if ci is CI[0]:
        c, e = ts(2025, 6, 1), ts(2027, 6, 1)
    elif ci is CI[6]:
        c, e = ts(2026, 3, 1), ts(2027, 4, 5)
    else:
        c, e = ts(2026, 4, 1), ts(2027, 3, 31)
    reg(ci["tok"], ci["id"], ci["id"], "service", ["deploy:write"], c, e)
reg(CI4_NEW, CI[4]["id"] + " (rotated 28 Oct)", CI[4]["id"], "service", ["deploy:write"], CI_REVOKE_AT - 3600, ts(2027, 10, 27))
reg(PBK, "partner bank SEPA API key", "payouts-connector", "service", None, ts(2024, 1, 15), ts(2027, 1, 15))
reg(FVK, "fraud vendor scoring key", "risk-engine", "service", None, FVK_EXP - 365 * 86400, FVK_EXP)
for i, tok in enumerate(STALE):
    reg(tok, f"legacy integration {i}", f"legacy-{i}", "service", ["payments:read"], ts(2025, 9, 1) + i * 86400 * 20, None,
        last_used=iso(ts(2026, 5, 10) + i * 86400 * 9))
for i, tok in enumerate(RESUR):
    if i % 2 == 0:
        reg(tok, f"old integration {i}", f"old-integration-{i}", "service", ["payments:read", "ledger:write"], ts(2025, 11, 1), None,
            last_used=iso(ts(2026, 8, 3) + i * 86400 * 4))
    else:
        reg(tok, f"old integration {i}", f"old-integration-{i}", "service", ["payments:read", "ledger:write"], ts(2026, 6, 2), None, last_used="never")
open(os.path.join(OUT, "policy.yaml"), "w").write("\n".join(pl) + "\n")

# ================================================================ requests: merge services, shuffle, late items, retries
EV.sort(key=lambda e: (e[0], e[1]))
R2 = random.Random(SEED + 1)
WIN = 90 * 10**9
reqs = []
cur, cur_start = [], None
late = []  # (due_ns, ev)
for e in EV:
    if cur_start is None:
        cur_start = e[0]
    if e[0] - cur_start >= WIN:
        reqs.append(cur)
        cur, cur_start = [le for due, le in late if due <= e[0]], e[0]
        late = [(due, le) for due, le in late if due > e[0]]
    if R2.random() < 0.03:
        late.append((e[0] + int(R2.uniform(2, 9) * 60e9), e))
    else:
        cur.append(e)
cur += [le for _, le in late]
if cur:
    reqs.append(cur)

RES_COMMON = {"deployment.environment.name": "prod", "cloud.region": "eu-central-1"}
def build(items):
    spans_by = collections.defaultdict(list); logs_by = collections.defaultdict(list); resattr = {}
    for e in items:
        kind, svc, it = e[2], e[3], e[4]
        if kind == "log":
            logs_by[svc].append(it)
        elif kind == "span_resattr":
            resattr[svc + "#x"] = {"process.command_args": None}
            spans_by[svc + "#x"].append(it)
        else:
            spans_by[svc].append(it)
    out = []
    if spans_by:
        rs_ = []
        svcs = list(spans_by); R2.shuffle(svcs)
        for svc in svcs:
            sps = spans_by[svc]; R2.shuffle(sps)
            name = svc.split("#")[0]
            ra = [attr("service.name", name), attr("service.version", "2026.10.%d" % (len(name) % 9 + 1))] + [attr(k, v) for k, v in RES_COMMON.items()]
            if svc.endswith("#x"):
                ra.append(attr("process.command_args", ["/usr/local/bin/migrate", "--gitlab-url=https://git.paynova.internal", "--token=" + CI[5]["tok"]]))
            rs_.append({"resource": {"attributes": ra}, "scopeSpans": [{"scope": {"name": "io.opentelemetry.http", "version": "2.9.0"}, "spans": sps}]})
        out.append(("/v1/traces", {"resourceSpans": rs_}))
    if logs_by:
        rl = []
        for svc, recs in logs_by.items():
            R2.shuffle(recs)
            ra = [attr("service.name", svc)] + [attr(k, v) for k, v in RES_COMMON.items()]
            rl.append({"resource": {"attributes": ra}, "scopeLogs": [{"scope": {"name": "filelog" if svc == "sso-edge-gateway" else "app"}, "logRecords": recs}]})
        out.append(("/v1/logs", {"resourceLogs": rl}))
    return out

n_items = 0; n_req = 0; n_dup = 0
with gzip.open(os.path.join(OUT, "requests.jsonl.gz"), "wt", compresslevel=5) as f:
    pending_dups = []
    for items in reqs:
        # split huge windows
        for k in range(0, len(items), 800):
            chunk = items[k:k + 800]
            for p, body in build(chunk):
                line = '{"p":"%s","b":%s}\n' % (p, json.dumps(body, separators=(",", ":")))
                f.write(line); n_req += 1
                if R2.random() < 0.03:
                    pending_dups.append((n_req + R2.randint(1, 4), line))
            n_items += len(chunk)
        still = []
        for due, line in pending_dups:
            if due <= n_req:
                f.write(line); n_dup += 1
            else:
                still.append((due, line))
        pending_dups = still
    for _, line in pending_dups:
        f.write(line); n_dup += 1

# ================================================================ labels, index, stats
labels_out = []
for l in LABELS:
    l2 = {k: v for k, v in l.items() if k != "_raw"}
    if "_raw" in l:
        l2["token_id"] = FID.get(l["_raw"])
    labels_out.append(l2)
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for l in labels_out:
        f.write(json.dumps(l, sort_keys=True) + "\n")
inj_ids = sorted(FID[t] for t in (INJ_TOKENS | set(l["_raw"] for l in LABELS if "_raw" in l)) if t in FID)
att_ids = sorted(FID[t] for t in ATTACK_ONLY if t in FID)
json.dump({"injected_token_ids": inj_ids, "attack_only_token_ids": att_ids, "attack_addresses": sorted(ATTACK_ADDR)},
          open(os.path.join(OUT, "injected_index.json"), "w"), indent=0)
injset = INJ_TOKENS | ATTACK_ONLY | set(l["_raw"] for l in LABELS if "_raw" in l)
ctd = sum(len(d) for t, d in TOKUSE.items() if t not in injset)
ctok = sum(1 for t in TOKUSE if t not in injset)
by_cls = collections.Counter()
for t, d in TOKUSE.items():
    if t not in injset:
        by_cls[TOKINFO.get(t, ("?",))[0]] += len(d)
json.dump({"clean_token_days": ctd, "clean_tokens": ctok, "clean_token_days_by_class": by_cls}, open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)
with open(os.path.join(OUT, "token_classes.tsv"), "w") as f:
    for t, (c, o) in TOKINFO.items():
        if t in FID:
            f.write(f"{FID[t]}\t{c}\t{o}\n")
json.dump(PRINC, open(os.path.join(OUT, "principals.json"), "w"))
json.dump({"seed": SEED, "scale": SCALE, "jwt_secret_id": JWT_SECRET_ID, "jwt_secret_tpp": JWT_SECRET_TPP, "start": iso(S0), "end": iso(SEND)},
          open(os.path.join(OUT, "world.json"), "w"))
SECRETS.add(JWT_SECRET_ID); SECRETS.add(JWT_SECRET_TPP)
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    for s in sorted(x for x in SECRETS if len(x) >= 8):
        f.write(s + "\n")
stats = {"items": n_items, "requests": n_req, "duplicate_requests": n_dup, "labels": len(LABELS), "label_types": collections.Counter(l["type"] for l in LABELS),
         "merchants": N_MERCH, "mobile_users": N_USERS, "tpps": len(TPPS), "staff": len(STAFF), "internal": len(INTERNAL), "batch": len(BATCH), "ci": len(CI),
         "distinct_tokens": len(TOKINFO), "clean_token_days": ctd, "items_by_service": collections.Counter(e[3] for e in EV),
         "merchant_items_sales_day": None}
json.dump(stats, open(os.path.join(OUT, "gen_stats.json"), "w"), indent=1)
print(json.dumps(stats, indent=1))
