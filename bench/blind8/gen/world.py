#!/usr/bin/env python3
"""CareGrid: a FHIR API SaaS (EHR vendor integrations, clinicians, patients, medical devices, internal services,
CI, nightly batch, upstream APIs) over 9 days of event time, with labelled misuse.  stdlib only.

usage: world.py OUTDIR SEED
"""
import calendar, collections, gzip, hashlib, json, math, os, random, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crypto import RSAKey, jwt, b64u

OUT, SEED = sys.argv[1], int(sys.argv[2])
AUDITCTL = os.environ.get("AUDITCTL", "auditctl")
os.makedirs(OUT, exist_ok=True)
R = random.Random(SEED)
T0 = calendar.timegm((2026, 11, 4, 0, 0, 0))  # Wed 2026-11-04 00:00 UTC; DST already over in US and EU
DAY = 86400
NDAYS = 9
TEND = T0 + NDAYS * DAY


def D(d, h=0, m=0, s=0):
    return T0 + d * DAY + h * 3600 + m * 60 + s


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def weekday(t):  # 0=Mon
    return time.gmtime(t).tm_wday


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rs(n, alpha=ALNUM):
    return "".join(R.choices(alpha, k=n))


def uuid():
    h = "%032x" % R.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def poisson(lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(R.gauss(lam, math.sqrt(lam)) + 0.5))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= R.random()
        if p <= L:
            return k
        k += 1


# ---------------------------------------------------------------- keys
JWT_ID_SECRET = rs(48)      # id.caregrid.health (clinicians, patients, internal batch)
JWT_SMART_HS = rs(48)       # auth.caregrid.health/smart HS256 clients
JWT_OLD_HS = rs(48)         # a secret that is not configured (a vendor's stale copy / an attacker's guess)
ISS_ID, ISS_SMART = "https://id.caregrid.health", "https://auth.caregrid.health/smart"
KID_ID, KID_SMART_HS, KID_SMART_RS = "cg-id-2026", "cg-smart-hs-2026", "cg-smart-rs-2026"
print("generating RSA keys", file=sys.stderr, flush=True)
RSA = RSAKey(R)
RSA_EVIL = RSAKey(R)
FP_KEY = "%064x" % R.getrandbits(256)

# ---------------------------------------------------------------- addresses (real operators' ranges)
def ip_in(prefix, a=None, b=None):
    p = prefix.split(".")
    while len(p) < 4:
        p.append(str(R.randint(1, 254)))
    return ".".join(p)

HOSP_ISP = ["4.%d" % R.randint(16, 63) for _ in range(20)] + ["38.%d" % R.randint(96, 127) for _ in range(12)] + \
           ["64.125.%d" % R.randint(0, 255) for _ in range(6)] + ["12.%d" % R.randint(130, 250) for _ in range(8)]
HOME_ISP = [("comcast", ["73.%d" % i for i in range(0, 256)] + ["98.%d" % i for i in range(192, 256)] + ["67.%d" % i for i in range(160, 192)]),
            ("att", ["99.%d" % i for i in range(0, 64)]),
            ("verizon-fios", ["71.%d" % i for i in range(160, 192)] + ["96.%d" % i for i in range(224, 256)]),
            ("cox", ["68.%d" % i for i in range(96, 112)] + ["70.%d" % i for i in range(160, 192)]),
            ("charter", ["24.%d" % i for i in range(160, 176)])]
CARRIER = [("tmobile", ["172.%d" % i for i in range(56, 60)]), ("vzw", ["174.%d" % i for i in range(192, 256)]),
           ("att-mobility", ["107.%d" % i for i in range(64, 128)] + ["166.%d" % i for i in range(170, 180)])]
EU_HOME = [("bt", ["86.%d" % i for i in range(128, 192)]), ("dtag", ["84.%d" % i for i in range(128, 192)])]
AWS = ["3.%d" % i for i in range(80, 96)] + ["18.%d" % i for i in range(204, 216)] + ["54.%d" % i for i in range(144, 176)]
AZURE = ["20.%d" % i for i in range(36, 128)] + ["13.%d" % i for i in range(64, 96)]
GCP = ["34.%d" % i for i in range(64, 128)] + ["35.%d" % i for i in range(184, 192)]
VPS = {"digitalocean": ["159.65", "167.99", "206.189", "134.209", "64.225"], "hetzner": ["116.202", "88.198", "95.216", "65.108", "135.181"],
       "ovh": ["51.75", "51.89", "54.36", "145.239"], "vultr": ["45.32", "45.76", "149.28", "108.61"], "linode": ["172.104", "139.162", "45.79"]}


def home_addr():
    isp, blocks = R.choice(HOME_ISP)
    return ip_in(R.choice(blocks))


def carrier_addr(car=None):
    c = car or R.choice(CARRIER)
    return ip_in(R.choice(c[1])), c


def vps_addr(provider):
    return ip_in(R.choice(VPS[provider]))


def slash24(ip):
    return ".".join(ip.split(".")[:3]) + ".0/24"


LB_PEERS = ["10.20.0.%d" % i for i in range(5, 13)]
API_PEERS = ["10.20.1.%d" % i for i in range(5, 9)]

# ---------------------------------------------------------------- transport
EXPORTERS = [  # name, signal, flush seconds, instance
    ("fhir-api", "t", 60, "fhir-api-7d9c-0"), ("fhir-api", "t", 90, "fhir-api-7d9c-1"), ("ingest-svc", "t", 120, "ingest-0"),
    ("internal-api", "t", 45, "internal-api-0"), ("deploy-api", "t", 200, "deploy-api-0"), ("rx-svc", "t", 240, "rx-svc-0"),
    ("billing-svc", "t", 30, "billing-0"), ("deid-batch", "t", 240, "deid-batch-cron"),
    ("edge-gateway", "l", 30, "edge-gw-a"), ("edge-gateway", "l", 45, "edge-gw-b"), ("edge-gateway", "l", 60, "edge-gw-c"),
    ("app-logs", "l", 150, "app-logs-0"),
]
EXP_PHASE = [R.uniform(0, f) for (_, _, f, _) in EXPORTERS]
EX = {n: [i for i, e in enumerate(EXPORTERS) if e[0] == n] for n in set(e[0] for e in EXPORTERS)}
EV = []   # (arrival, exporter, json)

TOKIDX = {}
clean_days = set()
inj_raw = set()
first_use, last_use = {}, {}
succ_uses = collections.defaultdict(list)   # raw -> [t] successful uses (tracked tokens only)
TRACK = set()
n_items = [0, 0]


def use(raw, t, inj, ok=True):
    if raw is None:
        return
    if inj:
        inj_raw.add(raw)
    else:
        i = TOKIDX.get(raw)
        if i is None:
            i = TOKIDX[raw] = len(TOKIDX)
        clean_days.add((i, int((t - T0) // DAY)))
    if not raw.startswith("eyJ") or raw in TRACK:
        first_use.setdefault(raw, t); last_use[raw] = max(last_use.get(raw, t), t)
        if ok:
            succ_uses[raw].append(t)


def emit(service, t, js, signal):
    xs = EX[service]
    xi = xs[0] if len(xs) == 1 else R.choice(xs)
    f = EXPORTERS[xi][2]; ph = EXP_PHASE[xi]
    arr = ph + (math.floor((t - ph) / f) + 1) * f + R.uniform(0, 3)
    if R.random() < 0.004:
        arr += R.uniform(30, 300)
    EV.append((arr, xi, js))
    n_items[0 if signal == "t" else 1] += 1


def sv(v):
    return '{"stringValue":%s}' % json.dumps(v)


def kv(k, v):
    if isinstance(v, bool):
        val = '{"boolValue":%s}' % ("true" if v else "false")
    elif isinstance(v, int):
        val = '{"intValue":"%d"}' % v
    elif isinstance(v, list):
        val = '{"arrayValue":{"values":[%s]}}' % ",".join(sv(x) for x in v)
    else:
        val = sv(v)
    return '{"key":%s,"value":%s}' % (json.dumps(k), val)


def span_js(t, dur_ms, name, kind, attrs, err=False, events=None):
    ts = int(t * 1e9); te = ts + int(dur_ms * 1e6)
    ev = ""
    if events:
        ev = ',"events":[%s]' % ",".join('{"timeUnixNano":"%d","name":%s,"attributes":[%s]}' % (ts + 1000, json.dumps(n), ",".join(kv(k, v) for k, v in a)) for n, a in events)
    return ('{"traceId":"%032x","spanId":"%016x","name":%s,"kind":%d,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]%s,"status":{"code":%d}}'
            % (R.getrandbits(128), R.getrandbits(64), json.dumps(name), kind, ts, te, ",".join(kv(k, v) for k, v in attrs), ev, 2 if err else 0))


def log_js(t, attrs, body, sev=9):
    ts = int(t * 1e9)
    return ('{"timeUnixNano":"%d","observedTimeUnixNano":"%d","severityNumber":%d,"severityText":"%s","body":{"stringValue":%s},"attributes":[%s]}'
            % (ts, ts + R.randint(200, 4000) * 1000000, sev, "INFO" if sev < 13 else ("WARN" if sev < 17 else "ERROR"), json.dumps(body), ",".join(kv(k, v) for k, v in attrs)))


STORM = (D(6, 14, 0), D(6, 14, 41))   # fhir-api 5xx storm (Tue 14:00-14:41 UTC), not misuse


def storm_status(t, st):
    if STORM[0] <= t < STORM[1] and R.random() < 0.85:
        return R.choice([503, 503, 502, 504])
    return st


def fold(path):
    return path


def server_span(service, t, method, route, path, query, status, client_ip, peer, ua, auth=None, apikey=None, raw=None, inj=False, extra=None, events=None, dur=None):
    a = [("http.request.method", method), ("url.path", path)]
    if query:
        a.append(("url.query", query))
    a += [("url.scheme", "https"), ("http.route", route), ("http.response.status_code", status), ("server.address", "api.caregrid.health"),
          ("network.peer.address", peer), ("network.protocol.version", "1.1"), ("user_agent.original", ua)]
    if client_ip:
        a.append(("client.address", client_ip))
    if auth:
        a.append(("http.request.header.authorization", [auth]))
    if apikey:
        a.append(("http.request.header.x-api-key", [apikey]))
    if extra:
        a += extra
    emit(service, t, span_js(t, dur or R.uniform(4, 180), f"{method} {route}", 2, a, err=status >= 500, events=events), "t")
    use(raw, t, inj, ok=status < 400)


def gw_log(t, method, path, query, status, client_ip, ua, auth=None, raw=None, inj=False, extra=None):
    a = [("http.request.method", method), ("url.path", path)]
    if query:
        a.append(("url.query", query))
    a += [("http.response.status_code", status), ("client.address", client_ip), ("network.peer.address", R.choice(LB_PEERS)),
          ("server.address", "app.caregrid.health"), ("user_agent.original", ua), ("http.request.header.x-forwarded-proto", "https")]
    if auth:
        a.append(("http.request.header.authorization", auth))
    if extra:
        a += extra
    body = f"{method} {path} {status} {R.randint(3, 900)}ms"
    emit("edge-gateway", t, log_js(t, a, body, 9 if status < 500 else 13), "l")
    use(raw, t, inj, ok=status < 400)


def client_span(service, t, method, url, host, status, auth=None, apikey=None, raw=None, inj=False):
    a = [("http.request.method", method), ("url.full", url), ("server.address", host), ("server.port", 443), ("http.response.status_code", status)]
    if auth:
        a.append(("http.request.header.authorization", [auth]))
    if apikey:
        a.append(("http.request.header.x-api-key", [apikey]))
    emit(service, t, span_js(t, R.uniform(40, 900), method, 3, a, err=status >= 500), "t")
    use(raw, t, inj, ok=status < 400)


# ---------------------------------------------------------------- populations
TZS = [("America/New_York", -5, 0.34), ("America/Chicago", -6, 0.25), ("America/Denver", -7, 0.08), ("America/Phoenix", -7, 0.05),
       ("America/Los_Angeles", -8, 0.18), ("Pacific/Honolulu", -10, 0.02), ("Europe/London", 0, 0.05), ("Europe/Berlin", 1, 0.03)]


def pick_tz():
    x = R.random(); acc = 0
    for name, off, w in TZS:
        acc += w
        if x < acc:
            return name, off
    return TZS[0][:2]


def local_to_utc(d, hours, off):
    return T0 + d * DAY + hours * 3600 - off * 3600


def local_hour(t, off):
    return ((t + off * 3600) % DAY) / 3600.0


def local_wday(t, off):
    return weekday(t + off * 3600)


PATIENT_IDS = [uuid() for _ in range(30000)]
CARE_PLAN_LAUNCH = D(5, 15, 0)   # new route launched Mon 15:00 UTC, adopted over days

# Hospitals
HOSPITALS = []
for h in range(42):
    tzn, off = pick_tz()
    if h == 7:
        tzn, off = "America/Chicago", -6
    blk = ip_in(R.choice(HOSP_ISP)) if False else R.choice(HOSP_ISP)
    base = ".".join((blk + ".%d" % R.randint(0, 255)).split(".")[:3]) if blk.count(".") == 1 else blk
    nat = [base + ".%d" % R.randint(2, 250) for _ in range(R.randint(2, 4))]
    HOSPITALS.append(dict(id="H%02d" % h, tz=tzn, off=off, nat=nat, nat_after=None, change_at=None))
# H07 changes its NAT once (new provider circuit), Mon 09:00 UTC
h7 = HOSPITALS[7]
nb = R.choice(HOSP_ISP); nb = nb + ".%d" % R.randint(0, 255) if nb.count(".") == 1 else nb
h7["nat_after"] = [nb + ".%d" % R.randint(2, 250) for _ in range(3)]
h7["change_at"] = D(5, 9, 0)


def hosp_addr(h, t):
    if h["change_at"] and t >= h["change_at"]:
        return R.choice(h["nat_after"])
    return R.choice(h["nat"])


def id_jwt(sub, azp, scope, iat, life, kind="user", extra=None, nbf=None):
    p = {"iss": ISS_ID, "sub": sub, "aud": "caregrid-app", "azp": azp, "scope": scope, "iat": int(iat), "exp": int(iat + life), "jti": uuid()}
    if nbf:
        p["nbf"] = int(nbf)
    if extra:
        p.update(extra)
    return jwt({"alg": "HS256", "typ": "JWT", "kid": KID_ID}, p, hs_secret=JWT_ID_SECRET), p


def smart_jwt(client_id, scope, iat, life, alg, nbf=None):
    p = {"iss": ISS_SMART, "sub": client_id, "client_id": client_id, "aud": "https://api.caregrid.health/fhir/r4", "scope": scope,
         "iat": int(iat), "exp": int(iat + life), "jti": uuid()}
    if nbf:
        p["nbf"] = int(nbf)
    if alg == "RS256":
        return jwt({"alg": "RS256", "typ": "JWT", "kid": KID_SMART_RS}, p, rsa=RSA), p
    return jwt({"alg": "HS256", "typ": "JWT", "kid": KID_SMART_HS}, p, hs_secret=JWT_SMART_HS), p


PRINCIPALS = {}
ALL_SECRETS = set()

# ---- clinicians
CLIN_UA_WEB = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 CareGridWeb/4.12",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15 CareGridWeb/4.12"]
CLIN_UA_MOB = ["CareGridClinician/7.3.1 (iPhone; iOS 18.1; Scale/3.00)", "CareGridClinician/7.3.0 (Android 15; Pixel 8)"]
CLIN = []
roles = ["nurse"] * 50 + ["physician"] * 28 + ["pharmacist"] * 5 + ["office"] * 11 + ["resident"] * 6
for c in range(700):
    h = R.choice(HOSPITALS)
    role = R.choice(roles)
    if role == "office":
        pattern = "office"
    elif role == "physician":
        pattern = R.choice(["day", "day", "day", "rotating"])
    else:
        pattern = R.choice(["day", "day", "night", "rotating"])
    mobile = R.random() < 0.4
    car = R.choice(CARRIER)
    eu = h["off"] >= 0
    home = ip_in(R.choice(R.choice(EU_HOME)[1])) if eu else home_addr()
    cl = dict(id="clin-%04d" % c, h=h, role=role, pattern=pattern, mobile=mobile, car=car, home=home,
              home2=(home_addr() if (not eu and R.random() < 0.06) else None), oncall=(role == "physician" and R.random() < 0.5),
              ua=R.choice(CLIN_UA_MOB if mobile else CLIN_UA_WEB), tokens=[], week=[R.random() < 0.58 for _ in range(7)])
    if pattern == "office":
        cl["week"] = [True] * 5 + [False, False]
    CLIN.append(cl)
    PRINCIPALS[cl["id"]] = "clinician/" + role + "/" + pattern
OPS = ["ops-admin-1", "ops-admin-2", "ops-admin-3"]
STEWARDS = ["steward-1", "steward-2"]
HQ = ["64.125.%d.%d" % (R.randint(0, 255), R.randint(2, 250))]
HQ = [HQ[0].rsplit(".", 1)[0] + ".%d" % R.randint(2, 250) for _ in range(3)]
for p in OPS + STEWARDS:
    PRINCIPALS[p] = "staff/" + p.split("-")[0]

CLIN_SCOPE = "user/*.read user/Observation.write app/worklist"


def clin_resource(role, t):
    pid = R.choice(PATIENT_IDS)
    x = R.random()
    if t >= CARE_PLAN_LAUNCH and R.random() < min(0.12, 0.12 * (t - CARE_PLAN_LAUNCH) / (3 * DAY)):
        return "GET", "/fhir/r4/CarePlan", f"patient={pid}&status=active"
    if role == "office":
        ch = [("GET", f"/fhir/r4/Patient/{pid}", None), ("GET", "/fhir/r4/Appointment", f"patient={pid}&date=ge2026-11-01"),
              ("GET", "/fhir/r4/Coverage", f"beneficiary={pid}"), ("GET", "/app/api/worklist", "queue=frontdesk")]
        return R.choice(ch)
    if x < 0.3:
        return "GET", f"/fhir/r4/Patient/{pid}", None
    if x < 0.55:
        return "GET", "/fhir/r4/Observation", f"patient={pid}&category=vital-signs&_sort=-date&_count=50"
    if x < 0.65:
        return "GET", "/fhir/r4/Encounter", f"patient={pid}&status=in-progress"
    if x < 0.75:
        return "GET", "/fhir/r4/MedicationRequest", f"patient={pid}&status=active"
    if x < 0.85:
        return "GET", "/app/api/worklist", "unit=%d" % R.randint(1, 12)
    if x < 0.95 and role in ("nurse", "resident"):
        return "POST", "/fhir/r4/Observation", None
    return "GET", f"/fhir/r4/DocumentReference/{uuid()}", None


def clin_status(method, path, t, role):
    st = 201 if method == "POST" else 200
    x = R.random()
    if x < 0.004:
        st = 403
    elif x < 0.014 and method == "GET" and "/Patient/" in path:
        st = 404
    elif x < 0.016:
        st = 500
    if path.startswith("/fhir/"):
        st = storm_status(t, st)
    return st


def gen_session(cl, start, end, addr_mode):
    """one working session of a clinician: tokens (1h web, 12h mobile), bursts of calls."""
    life = 12 * 3600 if cl["mobile"] else 3600
    tok = None; exp = 0; t = start
    sess_addr = None
    while t < end:
        if tok is None or t >= exp - 30:
            old, oldexp = tok, exp
            tok, p = id_jwt(cl["id"], "caregrid-clinician-" + ("mobile" if cl["mobile"] else "web"), CLIN_SCOPE, t, life)
            exp = t + life; ALL_SECRETS.add(tok); cl["tokens"].append((t, exp, tok))
            if old and R.random() < 0.04:   # the app sent the expired token once before refreshing
                gw_log(oldexp + R.uniform(2, 60), "GET", "/app/api/worklist", "unit=3", 401, sess_addr or hosp_addr(cl["h"], t), cl["ua"], "Bearer " + old, raw=old)
        if addr_mode == "hospital":
            a = hosp_addr(cl["h"], t)
            if cl["mobile"] and R.random() < 0.2:
                a = carrier_addr(cl["car"])[0]
        elif addr_mode == "home":
            home = cl["home2"] if (cl["home2"] and t > D(4, 12)) else cl["home"]
            a = home if R.random() < 0.7 else hosp_addr(cl["h"], t)  # home line or hospital VPN
        else:
            a = carrier_addr(cl["car"])[0]
        sess_addr = a
        nb = R.randint(2, 7)
        for i in range(nb):
            t += R.uniform(2, 25)
            if t >= end:
                break
            if t >= exp - 30:   # the app refreshes before the call
                tok, p = id_jwt(cl["id"], "caregrid-clinician-" + ("mobile" if cl["mobile"] else "web"), CLIN_SCOPE, t, life)
                exp = t + life; ALL_SECRETS.add(tok); cl["tokens"].append((t, exp, tok))
            m, path, q = clin_resource(cl["role"], t)
            st = clin_status(m, path, t, cl["role"])
            gw_log(t, m, path, q, st, a, cl["ua"], "Bearer " + tok, raw=tok)
            if st >= 502 and R.random() < 0.7:
                gw_log(t + R.uniform(1, 4), m, path, q, storm_status(t, 200), a, cl["ua"], "Bearer " + tok, raw=tok)
        t += R.expovariate(1 / (42 * 60))


print("clinicians", file=sys.stderr, flush=True)
for cl in CLIN:
    off = cl["h"]["off"]
    for d in range(-1, NDAYS):
        wd = (weekday(T0) + d) % 7
        if not cl["week"][wd]:
            continue
        pat = cl["pattern"]
        if pat == "rotating":
            pat = "day" if d < 4 else "night"
            if d == 4:
                continue
        if pat == "office":
            s, e = local_to_utc(d, R.uniform(7.5, 8.6), off), local_to_utc(d, R.uniform(16.4, 17.8), off)
        elif pat == "day":
            s, e = local_to_utc(d, R.uniform(6.7, 7.4), off), local_to_utc(d, R.uniform(18.8, 19.6), off)
        else:
            s, e = local_to_utc(d, R.uniform(18.7, 19.4), off), local_to_utc(d, R.uniform(30.8, 31.5), off)
        s, e = max(s, T0), min(e, TEND)
        if e > s:
            gen_session(cl, s, e, "hospital")
    if cl["oncall"]:
        for d in R.sample(range(NDAYS), 3):
            for _ in range(R.randint(1, 3)):
                s = local_to_utc(d, R.uniform(22, 29.5), off)
                if T0 <= s < TEND - 3600:
                    gen_session(cl, s, s + R.uniform(300, 1200), "home")
    # off-shift look-ins from home or phone, rare (not for office staff, whose policy hours forbid it)
    for _ in range(poisson(1.2) if cl["pattern"] != "office" else 0):
        d = R.randrange(NDAYS)
        s = local_to_utc(d, R.uniform(9, 22), off)
        if T0 <= s < TEND - 3600:
            gen_session(cl, s, s + R.uniform(120, 600), R.choice(["home", "carrier"]) if cl["mobile"] else "home")

# ops admins and data stewards
STAFF_TOK = collections.defaultdict(list)
for p in OPS + STEWARDS:
    for d in range(NDAYS):
        if weekday(D(d)) >= 5:
            continue
        s = D(d, R.uniform(14, 16)); e = D(d, R.uniform(21, 23.5))
        t = s; tok = None; exp = 0
        scope = "user/*.read admin" if p in OPS else "user/*.read user/Patient.delete"
        while t < e:
            if tok is None or t > exp - 30:
                tok, _ = id_jwt(p, "caregrid-console", scope, t, 3600); exp = t + 3600; ALL_SECRETS.add(tok); STAFF_TOK[p].append((t, exp, tok))
            a = R.choice(HQ)
            if p in OPS:
                m, path = R.choice([("GET", "/admin/v1/tenants"), ("GET", f"/admin/v1/users/{R.randint(1000, 99999)}"), ("PUT", f"/admin/v1/users/{R.randint(1000, 99999)}"),
                                    ("GET", "/admin/v1/audit/exports")])
            else:
                m, path = R.choice([("GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}")] * 4 + [("DELETE", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}")])
            st = 204 if m == "DELETE" else 200
            gw_log(t, m, path, None, st, a, CLIN_UA_WEB[0], "Bearer " + tok, raw=tok)
            t += R.expovariate(1 / 900)

# ---- patients
print("patients", file=sys.stderr, flush=True)
PAT_UA = ["CareGrid/3.9.2 (iPhone; iOS 18.1)", "CareGrid/3.9.1 (Android 14; SM-S918U)", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"]
PAT = []
for i in range(8200):
    tzn, off = pick_tz()
    if off >= 0:
        tzn, off = "America/New_York", -5
    pid = PATIENT_IDS[i]
    pt = dict(id="pt-" + pid[:8] + pid[9:13], pid=pid, off=off, car=R.choice(CARRIER), home=home_addr(), oncar=R.random() < 0.6,
              ua=R.choice(PAT_UA), tokens=[])
    PAT.append(pt)
    PRINCIPALS[pt["id"]] = "patient"
    for _ in range(poisson(2.3)):
        d = R.randrange(NDAYS)
        hr = R.choice([7, 8, 9, 12, 13, 17, 18, 19, 20, 21, 22]) + R.random()
        s = local_to_utc(d, hr, off)
        if not (T0 <= s < TEND - 3600):
            continue
        tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", s, 3600)
        ALL_SECRETS.add(tok); pt["tokens"].append((s, s + 3600, tok))
        a = carrier_addr(pt["car"])[0] if (pt["oncar"] and R.random() < 0.8) else pt["home"]
        t = s
        for _ in range(R.randint(3, 10)):
            t += R.uniform(3, 40)
            m, path, q = R.choice([("GET", f"/fhir/r4/Patient/{pid}", None), ("GET", "/fhir/r4/Observation", f"patient={pid}&category=laboratory&_sort=-date"),
                                   ("GET", "/fhir/r4/Appointment", f"patient={pid}&date=ge2026-11-01"), ("GET", "/fhir/r4/MedicationRequest", f"patient={pid}"),
                                   ("GET", "/app/api/messages", "folder=inbox"), ("POST", "/app/api/messages", None)])
            st = 201 if m == "POST" else 200
            if path.startswith("/fhir/"):
                st = storm_status(t, st)
            gw_log(t, m, path, q, st, a, pt["ua"], "Bearer " + tok, raw=tok)

# ---- EHR vendor integrations (SMART backend services)
print("vendors", file=sys.stderr, flush=True)
VEND = []
VNAMES = ["epic-interconnect", "oracle-health", "meditech-expanse", "athena-sync", "nextgen-bridge", "veradigm-link", "eclinicalworks", "greenway-pf",
          "labcorp-results", "quest-quanum", "surescripts-rx", "healthgorilla", "redox-engine", "particle-health", "zus-aggregator", "innovaccer-dap",
          "arcadia-ingest", "lightbeam-pop", "wellsky-hh", "pointclickcare", "netsmart-bh", "modmed-ehr", "drchrono-api", "elation-sync", "kareo-bridge",
          "commure-strongline", "biofourmis-rpm", "validic-connect"]
for v, nm in enumerate(VNAMES):
    h = R.choice(HOSPITALS)
    cloud = R.choice(["aws", "aws", "azure", "gcp", "onprem"])
    if cloud == "onprem":
        eg = [hosp_addr(h, T0) for _ in range(2)]
    else:
        pool = {"aws": AWS, "azure": AZURE, "gcp": GCP}[cloud]
        nets = [ip_in(R.choice(pool)) .rsplit(".", 1)[0] for _ in range(R.randint(1, 2))]
        eg = [R.choice(nets) + ".%d" % R.randint(2, 250) for _ in range(R.randint(2, 5))]
    kind = R.choice(["reader", "reader", "writer", "mixed"])
    export = R.random() < 0.3
    scope = "system/*.read" + (" system/*.write" if kind != "reader" else "") + (" system/bulk.export" if export else "")
    vd = dict(id="vnd-%s-%s" % (nm, h["id"].lower()), h=h, off=h["off"], eg=eg, cloud=cloud, kind=kind, export=export, scope=scope,
              alg="RS256" if v % 3 else "HS256", life=R.choice([300, 900, 1800, 1800, 3600, 3600]), lam=R.uniform(0.15, 1.6),
              bizhours=(v in (3, 11, 17, 22)), tokens=[], ua=f"{nm}/{R.randint(2, 9)}.{R.randint(0, 20)} (+https://{nm}.example)")
    VEND.append(vd)
    PRINCIPALS[vd["id"]] = "vendor/" + kind + ("/export" if export else "")
VEND[0]["alg"] = "RS256"; VEND[0]["life"] = 3600; VEND[0]["bizhours"] = False; VEND[0]["lam"] = 1.2


def vend_token(vd, t):
    if not vd["tokens"] or t >= vd["tokens"][-1][1] - 60:
        tok, _ = smart_jwt(vd["id"], vd["scope"], t - R.uniform(0, 20), vd["life"], vd["alg"])
        vd["tokens"].append((t, t + vd["life"], tok)); ALL_SECRETS.add(tok)
    return vd["tokens"][-1][2]


VEND_RES_R = [("GET", "/fhir/r4/Patient/{id}", "pid", None), ("GET", "/fhir/r4/Observation", None, "obs"), ("GET", "/fhir/r4/Encounter", None, "enc"),
              ("GET", "/fhir/r4/Condition", None, "cond"), ("GET", "/fhir/r4/AllergyIntolerance", None, "cond"), ("GET", "/fhir/r4/Practitioner/{id}", "num", None)]
VEND_RES_W = [("POST", "/fhir/r4/Bundle", None, None), ("POST", "/fhir/r4/Observation", None, None), ("PUT", "/fhir/r4/Observation/{id}", "num", None)]


def vend_call(vd, t, res, tok=None, addr=None, status=None, inj=False, raw=None, query=None):
    m, route, idk, qk = res
    pid = R.choice(PATIENT_IDS)
    path = route.replace("{id}", pid if idk == "pid" else str(R.randint(10000, 999999)))
    q = query or ({"obs": f"patient={pid}&_lastUpdated=gt2026-11-01", "enc": f"patient={pid}", "cond": f"patient={pid}&clinical-status=active"}.get(qk) if qk else None)
    tok = tok or vend_token(vd, t)
    st = status if status is not None else ((201 if m == "POST" else 200) if R.random() > 0.006 else R.choice([404, 422, 500]))
    if status is None:
        st = storm_status(t, st)
    server_span("fhir-api", t, m, route, path, q, st, addr or R.choice(vd["eg"]), R.choice(API_PEERS), vd["ua"], auth="Bearer " + tok, raw=raw or tok, inj=inj)
    return st


for vd in VEND:
    off = vd["off"]
    t = T0
    while t < TEND:
        lh = local_hour(t, off); wd = local_wday(t, off)
        if vd["bizhours"]:
            fac = 1.0 if (wd < 5 and 7 <= lh < 19) else 0.0
        else:
            fac = (0.3 + 1.7 * max(0.0, math.sin(math.pi * (lh - 6) / 14))) if 6 <= lh < 20 else 0.3
            if wd >= 5:
                fac *= 0.5
        n = poisson(vd["lam"] * fac)
        for _ in range(n):
            tt = t + R.uniform(0, 60)
            if vd["kind"] == "reader":
                res = R.choice(VEND_RES_R)
            elif vd["kind"] == "writer":
                res = R.choice(VEND_RES_W + VEND_RES_R[:1])
            else:
                res = R.choice(VEND_RES_R + VEND_RES_W)
            if vd["id"] in ("vnd-redox-engine", "vnd-zus-aggregator") or (vd is VEND[5] or vd is VEND[9]):
                if tt >= D(6, 16) and R.random() < 0.08:
                    res = ("GET", "/fhir/r4/CarePlan", None, "enc")
            st = vend_call(vd, tt, res)
            if st >= 502:
                for k in range(R.randint(1, 3)):   # SDK retries during the storm
                    vend_call(vd, tt + 2 ** k + R.random(), res)
        t += 60
    if vd["export"]:   # nightly bulk $export at 02:00 local
        for d in range(NDAYS):
            s = local_to_utc(d, 2 + R.uniform(0, 0.3), off)
            if not (T0 <= s < TEND - 3600):
                continue
            grp = "grp-" + vd["h"]["id"].lower()
            a = R.choice(vd["eg"])
            etoks = vd.setdefault("etokens", [])

            def etok(t):   # the export job holds its own client-credentials token, renewed as it expires
                if not etoks or not (etoks[-1][0] <= t < etoks[-1][1] - 60):
                    tk, _ = smart_jwt(vd["id"], vd["scope"], t - R.uniform(0, 20), vd["life"], vd["alg"])
                    etoks.append((t, t + vd["life"], tk)); ALL_SECRETS.add(tk)
                return etoks[-1][2]
            vend_call(vd, s, ("GET", "/fhir/r4/Group/{id}/$export", None, None), tok=etok(s), addr=a, status=202, query="_type=Patient,Observation,Encounter&_since=2026-11-01T00:00:00Z")
            job = uuid(); t = s
            for _ in range(R.randint(10, 30)):
                t += 30
                tok = etok(t)
                server_span("fhir-api", t, "GET", "/fhir/r4/bulkstatus/{id}", f"/fhir/r4/bulkstatus/{job}", None, 202, a, R.choice(API_PEERS), vd["ua"], auth="Bearer " + tok, raw=tok)
            for _ in range(R.randint(15, 60)):
                t += R.uniform(4, 15)
                tok = etok(t)
                server_span("fhir-api", t, "GET", "/fhir/r4/bulkfiles/{id}", f"/fhir/r4/bulkfiles/{uuid()}", None, 200, a, R.choice(API_PEERS), vd["ua"], auth="Bearer " + tok, raw=tok)

# ---- devices (opaque keys in X-API-Key)
print("devices", file=sys.stderr, flush=True)
CLINICS = []
for c in range(60):
    if c < 20:
        h = HOSPITALS[c * 2 % 42]
        nets = sorted(set(slash24(x) for x in h["nat"] + (h["nat_after"] or [])))
        CLINICS.append(dict(id="C%03d" % c, tz=h["tz"], addr=lambda t, h=h: hosp_addr(h, t), nets=nets, policy=True, h=h))
    else:
        b = R.choice(["50.%d" % R.randint(128, 255), "12.%d" % R.randint(130, 250), "4.%d" % R.randint(16, 63), "70.%d" % R.randint(160, 191), "99.%d" % R.randint(0, 63)])
        ip = ip_in(b)
        CLINICS.append(dict(id="C%03d" % c, tz="America/Chicago", addr=lambda t, ip=ip: ip, nets=[slash24(ip)], policy=(c < 40), ip=ip, h=None))
DEV = []
REG = []   # registry entries: dict(raw|jti, name, owner, owner_type, scopes, created_at, expires_at, last_used_at, networks)
for i in range(420):
    cl = CLINICS[i % 60] if i < 360 else R.choice(CLINICS)
    key = "cgd_live_" + rs(32)
    ivl = R.choice([300, 600, 900, 900, 1800, 1800, 3600, 3600])
    created = D(0) - R.randint(30, 290) * DAY
    dv = dict(key=key, clinic=cl, ivl=ivl, created=created, name="dev-%s-%03d" % (cl["id"].lower(), i), owner="devices-" + cl["id"].lower(),
              ua=R.choice(["Cobas-Link/2.4", "Sysmex-CaretakerBridge/1.9", "PhilipsIntelliVue-Gateway/5.2", "Welch-Allyn-Connex/3.1", "Abbott-iSTAT-Sync/1.6"]),
              stop=None, rotated=None)
    DEV.append(dv)
    PRINCIPALS[dv["owner"]] = "device-fleet"
ROTATE = R.sample(range(360), 12)


def device_post(dv, t, key=None, status=None, addr=None, inj=False, path="/fhir/r4/Observation", method="POST", route=None, query=None, peer_public=True, extra=None):
    key = key or dv["key"]
    st = status if status is not None else (201 if R.random() > 0.002 else R.choice([500, 503]))
    a = addr or dv["clinic"]["addr"](t)
    server_span("ingest-svc", t, method, route or path, path, query, st, None, a, dv["ua"], apikey=key, raw=key, inj=inj, extra=extra, dur=R.uniform(8, 60))


for i, dv in enumerate(DEV):
    REG.append(dict(raw=dv["key"], name=dv["name"], owner=dv["owner"], owner_type="service", scopes=["device/Observation.write"],
                    created_at=dv["created"], expires_at=dv["created"] + 365 * DAY))
    outage = None
    if R.random() < 0.04:
        os_ = D(R.randrange(NDAYS), R.uniform(0, 23)); outage = (os_, os_ + R.uniform(2, 10) * 3600)
    rot = D(6, R.uniform(15, 18)) if i in ROTATE else None
    key2 = None
    if rot:
        key2 = "cgd_live_" + rs(32); dv["key2"] = key2; dv["rot"] = rot
        REG.append(dict(raw=key2, name=dv["name"] + "-r2", owner=dv["owner"], owner_type="service", scopes=["device/Observation.write"],
                        created_at=int(rot - 600), expires_at=int(rot - 600 + 365 * DAY)))
        ALL_SECRETS.add(key2)
    ALL_SECRETS.add(dv["key"])
    t = T0 + R.uniform(0, dv["ivl"])
    while t < TEND:
        if not (outage and outage[0] <= t < outage[1]):
            k = key2 if (rot and t >= rot) else dv["key"]
            device_post(dv, t + R.uniform(-15, 15), key=k)
        t += dv["ivl"]

# ---- internal services (opaque bearer), from pods
print("internal", file=sys.stderr, flush=True)
SVC = []
SVC_DEF = [("svc-scheduler", ["internal:tenants", "internal:notify"], 24, 1.5), ("svc-notify", ["internal:notify", "internal:consents"], 24, 2.0),
           ("svc-consent", ["internal:consents"], 24, 1.0), ("svc-audit-shipper", ["internal:audit"], 24, 3.0), ("svc-reporting", ["internal:tenants", "internal:audit"], 10, 0.8),
           ("svc-billing-sync", ["internal:tenants"], 24, 0.3), ("svc-identity", ["internal:tenants", "internal:consents"], 24, 1.2), ("svc-fax-gw", ["internal:notify"], 24, 0.2),
           ("svc-search-index", ["internal:consents", "internal:tenants"], 24, 1.0), ("svc-portal-bff", ["internal:tenants", "internal:consents", "internal:notify"], 24, 2.5),
           ("svc-hl7-bridge", ["internal:audit", "internal:notify"], 24, 0.8), ("svc-quality-measures", ["internal:tenants"], 10, 0.5),
           ("svc-referrals", ["internal:notify", "internal:consents"], 24, 0.6), ("svc-telehealth", ["internal:tenants", "internal:notify"], 24, 0.7)]
SCOPE_RES = {"internal:tenants": ("GET", "/internal/v1/tenants/{id}"), "internal:notify": ("POST", "/internal/v1/notifications"),
             "internal:consents": ("GET", "/internal/v1/patients/{id}/consents"), "internal:audit": ("POST", "/internal/v1/audit-events"),
             "internal:deid": ("POST", "/internal/v1/deid/records")}


def internal_call(sv_, t, m, route, status=200, peer=None, tok=None, inj=False, extra=None, events=None):
    path = route.replace("{id}", str(R.randint(100, 99999)))
    tok = tok or sv_["tok"]
    server_span("internal-api", t, m, route, path, None, status, None, peer or R.choice(sv_["pods"]), "Go-http-client/2.0" if R.random() < .5 else "okhttp/4.12.0",
                auth="Bearer " + tok, raw=tok, inj=inj, extra=extra, events=events)


for name, scopes, hrs, lam in SVC_DEF:
    tok = "cgs_" + rs(40)
    ALL_SECRETS.add(tok)
    sv_ = dict(name=name, tok=tok, scopes=scopes, hrs=hrs, lam=lam, pods=["10.40.%d.%d" % (R.randint(1, 8), R.randint(2, 250)) for _ in range(3)])
    SVC.append(sv_)
    PRINCIPALS[name] = "internal-service"
    REG.append(dict(raw=tok, name=name + "-token", owner=name, owner_type="service", scopes=scopes, created_at=D(0) - R.randint(95, 250) * DAY))
    t = T0
    while t < TEND:
        h = ((t - T0) % DAY) / 3600
        if hrs == 24 or 12 <= h < 22:
            fac = 0.6 + 0.8 * math.sin(math.pi * max(0, h - 10) / 14) if 10 <= h < 24 else 0.6
            for _ in range(poisson(0.6 * lam * fac)):
                sc = scopes[0] if R.random() < 0.6 else R.choice(scopes)
                m, route = SCOPE_RES[sc]
                st = 200 if m == "GET" else 201
                if R.random() < 0.003:
                    st = 500
                internal_call(sv_, t + R.uniform(0, 60), m, route, st)
        t += 60
        if (t - T0) % DAY == 0:
            sv_["pods"] = ["10.40.%d.%d" % (R.randint(1, 8), R.randint(2, 250)) for _ in range(3)]   # redeploy

# ---- CI (GitHub PATs) against deploy-api, from Actions runners (Azure)
print("ci", file=sys.stderr, flush=True)
CI = []
for i in range(24):
    pat = "ghp_" + rs(36)
    ALL_SECRETS.add(pat)
    created = D(0) - R.randint(20, 200) * DAY
    ci = dict(pat=pat, owner="ci-" + R.choice(["fhir-api", "ingest", "portal", "gateway", "deid", "mobile-bff", "infra", "search", "billing", "notify", "hl7", "analytics"]) + "-%02d" % i,
              created=created, builds=R.uniform(1, 6))
    CI.append(ci)
    PRINCIPALS[ci["owner"]] = "ci"
    REG.append(dict(raw=pat, name="gha-" + ci["owner"], owner=ci["owner"], owner_type="service", scopes=["deploy:write"], created_at=created,
                    expires_at=created + R.choice([90, 180, 365]) * DAY, last_used_at=D(0) - R.randint(1, 30) * 3600))
    if REG[-1]["expires_at"] < TEND + 8 * DAY:
        REG[-1]["expires_at"] = TEND + R.randint(30, 120) * DAY


def ci_build(ci, t, pat=None, addr=None, inj=False, n=None, extra_res=None):
    pat = pat or ci["pat"]
    a = addr or ip_in(R.choice(AZURE))
    rid = R.randint(10000, 99999)
    server_span("deploy-api", t, "POST", "/deploy/v1/releases", "/deploy/v1/releases", None, 201, a, R.choice(API_PEERS), "GitHub-Actions/2.321.0 deployctl/1.8", auth="token " + pat, raw=pat, inj=inj)
    for _ in range(n or R.randint(14, 80)):
        t += R.uniform(1, 6)
        if extra_res:
            m, route = R.choice(extra_res)
        else:
            m, route = R.choice([("GET", "/deploy/v1/releases/{id}")] * 3 + [("GET", "/deploy/v1/artifacts/{id}")])
        server_span("deploy-api", t, m, route, route.replace("{id}", str(rid if "releases" in route else R.randint(1, 999999))), None, 200, a, R.choice(API_PEERS),
                    "GitHub-Actions/2.321.0 deployctl/1.8", auth="token " + pat, raw=pat, inj=inj)
    return t


for ci in CI:
    for d in range(NDAYS):
        wk = weekday(D(d)) < 5
        nb = poisson(ci["builds"] if wk else ci["builds"] * 0.1)
        for _ in range(nb):
            ci_build(ci, D(d, R.uniform(13, 23.3)))

# ---- nightly de-identification batch and analytics export (internal pods)
print("batch", file=sys.stderr, flush=True)
DEID_TOK = {}
for d in range(NDAYS):
    s = D(d, 1, R.uniform(0, 5))
    tok, _ = id_jwt("svc-deid-batch", "svc-deid-batch", "system/*.read internal:deid", s - 60, 4 * 3600)
    ALL_SECRETS.add(tok); DEID_TOK[d] = tok
    pod = "10.50.3.%d" % R.randint(2, 250)
    t = s
    while t < D(d, 3, 30):
        for _ in range(poisson(14)):
            tt = t + R.uniform(0, 60)
            server_span("deid-batch", tt, "GET", "/fhir/r4/Observation", "/fhir/r4/Observation", f"_count=500&_lastUpdated=gt2026-11-0{(d % 9) + 1}&page={R.randint(1, 4000)}",
                        200, None, pod, "deid-batch/2.3 python-httpx/0.27", auth="Bearer " + tok, raw=tok)
        for _ in range(poisson(3)):
            tt = t + R.uniform(0, 60)
            server_span("deid-batch", tt, "POST", "/internal/v1/deid/records", "/internal/v1/deid/records", None, 201, None, pod, "deid-batch/2.3 python-httpx/0.27",
                        auth="Bearer " + tok, raw=tok)
        t += 60
PRINCIPALS["svc-deid-batch"] = "batch"; PRINCIPALS["svc-analytics"] = "batch"
for d in range(NDAYS):
    s = D(d, 0, R.uniform(25, 35))
    tok, _ = smart_jwt("svc-analytics", "system/*.read system/bulk.export", s - 30, 3600, "HS256")
    ALL_SECRETS.add(tok)
    pod = "10.50.4.%d" % R.randint(2, 250)
    server_span("fhir-api", s, "GET", "/fhir/r4/$export", "/fhir/r4/$export", "_type=Observation,Encounter&_since=2026-10-01T00:00:00Z", 202, None, pod, "analytics-export/1.4", auth="Bearer " + tok, raw=tok)
    t = s; job = uuid()
    for _ in range(R.randint(8, 16)):
        t += 60
        server_span("fhir-api", t, "GET", "/fhir/r4/bulkstatus/{id}", f"/fhir/r4/bulkstatus/{job}", None, 202, None, pod, "analytics-export/1.4", auth="Bearer " + tok, raw=tok)
    for _ in range(R.randint(20, 40)):
        t += R.uniform(3, 10)
        server_span("fhir-api", t, "GET", "/fhir/r4/bulkfiles/{id}", f"/fhir/r4/bulkfiles/{uuid()}", None, 200, None, pod, "analytics-export/1.4", auth="Bearer " + tok, raw=tok)

# ---- upstream third-party APIs (CLIENT spans)
print("upstream", file=sys.stderr, flush=True)
RX_KEY = "rxh_live_" + rs(32)
STRIPE_KEY = "sk_live_" + rs(24)
ALL_SECRETS.update([RX_KEY, STRIPE_KEY])
REG.append(dict(raw=RX_KEY, name="rxhub-eligibility", owner="svc-rx", owner_type="service", scopes=[], created_at=D(0) - 200 * DAY, expires_at=D(0) + 165 * DAY))
REG.append(dict(raw=STRIPE_KEY, name="stripe-billing", owner="svc-billing", owner_type="service", scopes=[], created_at=D(0) - 120 * DAY))
PRINCIPALS["svc-rx"] = "upstream-client"; PRINCIPALS["svc-billing"] = "upstream-client"
t = T0
while t < TEND:
    h = ((t - T0) % DAY) / 3600
    for _ in range(poisson(0.5 if 12 <= h or h < 2 else 0.1)):
        tt = t + R.uniform(0, 60)
        client_span("rx-svc", tt, "POST", f"https://api.rxhub.net/v2/eligibility?member={R.randint(10**8, 10**9)}", "api.rxhub.net", 200 if R.random() > 0.01 else 503, apikey=RX_KEY, raw=RX_KEY)
    for _ in range(poisson(0.15)):
        tt = t + R.uniform(0, 60)
        client_span("billing-svc", tt, "POST", "https://api.stripe.com/v1/payment_intents", "api.stripe.com", 200, auth="Bearer " + STRIPE_KEY, raw=STRIPE_KEY)
    t += 60

CLEAN_ITEMS = n_items[0] + n_items[1]
print(f"clean items {CLEAN_ITEMS}", file=sys.stderr, flush=True)

# ================================================================= injections
LABELS = []
LAB_RAW = {}     # label index -> raw token
ATTACK_ADDR = set()


class Inj:
    def __init__(self, typ, raw, cls, note, variant=None, clients=None):
        self.typ, self.raw, self.cls, self.note, self.variant, self.clients = typ, raw, cls, note, variant, clients
        self.times = []


def label(inj_obj, times=None, start=None, end=None):
    ts = times if times is not None else inj_obj.times
    LABELS.append(dict(type=inj_obj.typ, raw=inj_obj.raw, token_class=inj_obj.cls, note=inj_obj.note, variant=inj_obj.variant,
                       client_addresses=inj_obj.clients, start=start if start is not None else min(ts), end=end if end is not None else max(ts)))


def tok_cover(tokens, t0, dur):
    for s, e, tok in tokens:
        if s <= t0 and t0 + dur < e - 60:
            return t0, tok
    for s, e, tok in tokens:
        if s > t0 and e - s > dur + 120:
            return s + 30, tok
    raise SystemExit("no token covers the window")


def find_mobile(cands, after, before, dur):
    for cl in cands:
        for s, e, tk in cl["tokens"]:
            if after <= s < before and e - s >= dur + 3600:
                return cl, s, tk
    raise SystemExit("no mobile token")


def tok_at(tokens, t):
    for s, e, tok in tokens:
        if s <= t < e - 60:
            return tok
    return None


def att(ip):
    ATTACK_ADDR.add(ip); return ip


CUR = []   # times of the current scenario


def G(t, *a, **k):
    CUR.append(t); gw_log(t, *a, inj=True, **k)


def S(t, *a, **k):
    CUR.append(t); server_span(*([a[0], t] + list(a[1:])), inj=True, **k)


def take():
    x = list(CUR); CUR.clear(); return x


print("injections", file=sys.stderr, flush=True)
day_clins = [c for c in CLIN if c["pattern"] == "day" and c["role"] in ("physician", "nurse") and c["h"]["off"] < 0]
night_ok = [c for c in CLIN if c["pattern"] in ("day",) and c["mobile"] and c["h"]["off"] < 0]
office = [c for c in CLIN if c["pattern"] == "office" and c["h"]["off"] < 0]
R.shuffle(day_clins); R.shuffle(night_ok); R.shuffle(office)

# --- A: stolen tokens used from hosting providers (new_client_address)
# A1 vendor RS256 JWT replayed from DigitalOcean while the vendor runs
vd = VEND[0]
t0, tok = tok_cover(vd["tokens"], D(5, 15, 12), 1500)
a = att(vps_addr("digitalocean")); tt = t0
for _ in range(22):
    tt += R.uniform(20, 60); CUR.append(tt)
    vend_call(vd, tt, R.choice(VEND_RES_R[:2]), tok=tok, addr=a, status=200, inj=True)
x = Inj("new_client_address", tok, "vendor SMART JWT (RS256, 60 min)", f"{vd['id']} token replayed from DigitalOcean {a} while the integration runs from {vd['cloud']}")
label(x, take())

# A2 CI PAT from Hetzner at 03:10 UTC (CI runs 13-23 UTC weekdays): new address + learned off-hours + combined
ci = CI[3]; a = att(vps_addr("hetzner"))
t = D(6, 3, 10); CUR.append(t)
te = ci_build(ci, t, addr=a, inj=True, n=9, extra_res=[("GET", "/deploy/v1/artifacts/{id}")])
CUR.append(te); ts = take()
for typ, var in (("new_client_address", None), ("off_hours", "learned"), ("combined_findings", None)):
    label(Inj(typ, ci["pat"], "CI GitHub PAT", f"{ci['owner']} PAT used from Hetzner {a} at 03:10 UTC, 10 calls", variant=var), ts)

# A3 clinician mobile 12h token replayed from OVH during the clinician's shift
cl, s, tok = find_mobile(night_ok[0:10], D(6, 12), D(8), 6 * 3600); t0 = s + 4 * 3600
a = att(vps_addr("ovh"))
for i in range(12):
    m, path, q = clin_resource("physician", t0)
    G(t0 + i * 70, m, path, q, 200, a, "python-requests/2.32.3", "Bearer " + tok, raw=tok)
label(Inj("new_client_address", tok, "clinician mobile JWT (12 h)", f"{cl['id']} ({cl['h']['tz']}) session token replayed from OVH {a} during the shift, 12 calls"), take())

# A4 device key taken home: used from a residential line (no network policy for that clinic)
dv = [d for d in DEV if not d["clinic"]["policy"] and d.get("key2") is None][0]
a = att(home_addr()); t0 = D(7, 1, 20)
for i in range(4):
    CUR.append(t0 + i * 60); device_post(dv, t0 + i * 60, addr=a, inj=True)
for i in range(6):
    tt = t0 + 300 + i * 45; CUR.append(tt)
    device_post(dv, tt, addr=a, inj=True, method="GET", path=f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", route="/fhir/r4/Patient/{id}", status=200)
ts = take()
label(Inj("new_client_address", dv["key"], "device API key", f"{dv['name']} key used from a residential address {a} (clinic {dv['clinic']['id']} has no network policy)"), ts)
label(Inj("scope_violation", dv["key"], "device API key", f"{dv['name']} key reading Patient records (scope device/Observation.write) from {a}"), ts[4:])
label(Inj("new_resource", dv["key"], "device API key", f"{dv['name']} key: first GET /fhir/r4/Patient/{{id}} ×6"), ts[4:])

# A5 internal service token leaked, used from Vultr: disallowed network (policy 10/8) + new address
sv_ = SVC[6]; a = att(vps_addr("vultr")); t0 = D(7, 22, 30)
for i in range(8):
    CUR.append(t0 + i * 50); internal_call(sv_, t0 + i * 50, "GET", "/internal/v1/patients/{id}/consents", peer=a, inj=True)
ts = take()
label(Inj("disallowed_network", sv_["tok"], "internal service opaque token", f"{sv_['name']} token used from Vultr {a} (policy networks 10.0.0.0/8)"), ts)
label(Inj("new_client_address", sv_["tok"], "internal service opaque token", f"{sv_['name']} token used from Vultr {a}"), ts)

# --- B: credential stuffing
# B1 fast: DigitalOcean address tries 25 guessed device keys against ingest
a = att(vps_addr("digitalocean")); t0 = D(5, 4, 20)
guess = []
for i in range(25):
    k = "cgd_live_" + rs(32); guess.append(k); ALL_SECRETS.add(k)
    CUR.append(t0 + i * 9); device_post(DEV[0], t0 + i * 9, key=k, addr=a, status=401, inj=True)
label(Inj("credential_stuffing", None, "guessed device keys", f"25 guessed X-API-Key values from {a} in 4 min", clients=[a]), take())
# B2 fast: Vultr address tries 8 opaque bearer tokens at the gateway
a = att(vps_addr("vultr")); t0 = D(6, 9, 41)
for i in range(8):
    k = rs(40); ALL_SECRETS.add(k)
    G(t0 + i * 35, "GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 401, a, "Go-http-client/1.1", "Bearer " + k, raw=k)
label(Inj("credential_stuffing", None, "guessed bearer tokens", f"8 guessed bearer tokens from {a} in 5 min", clients=[a]), take())
# B3 slow: OVH address, 14 guessed device keys over 55 min
a = att(vps_addr("ovh")); t0 = D(7, 13, 5)
for i in range(14):
    k = "cgd_live_" + rs(32); ALL_SECRETS.add(k)
    CUR.append(t0 + i * 240 + R.uniform(0, 30)); device_post(DEV[1], CUR[-1], key=k, addr=a, status=401, inj=True)
label(Inj("credential_stuffing", None, "guessed device keys (slow)", f"14 guessed keys from {a} over 55 min (about one per 4 min)", variant="slow", clients=[a]), take())
# B4 spray: 30 residential-proxy addresses, 45 guesses in 8 min
addrs = [att(home_addr()) for _ in range(30)]; t0 = D(8, 16, 2)
for i in range(45):
    k = rs(43, ALNUM + "-_"); ALL_SECRETS.add(k)
    G(t0 + i * 10.5, "GET", "/app/api/worklist", "unit=1", 401, addrs[i % 30], R.choice(CLIN_UA_WEB), "Bearer " + k, raw=k)
label(Inj("credential_stuffing", None, "guessed bearer tokens (spray)", "45 guessed bearer tokens from 30 residential proxy addresses in 8 min", variant="spray", clients=addrs), take())
# B5 fast on gateway from Linode, 6 guesses in 3 min
a = att(vps_addr("linode")); t0 = D(8, 3, 33)
for i in range(6):
    k = rs(40); ALL_SECRETS.add(k)
    G(t0 + i * 30, "GET", "/app/api/messages", "folder=inbox", 401, a, "curl/8.5.0", "Bearer " + k, raw=k)
label(Inj("credential_stuffing", None, "guessed bearer tokens", f"6 guessed bearer tokens from {a} in 3 min", clients=[a]), take())

# --- C: failed attempts
# C1 a second instrument still configured with a rotated-out key: 401 every 2 minutes for 5 hours
dv = DEV[ROTATE[0]]; t0 = dv["rot"] + 1200; t = t0
while t < t0 + 5 * 3600:
    CUR.append(t); device_post(dv, t, key=dv["key"], status=401, inj=True); t += 120 + R.uniform(-5, 5)
label(Inj("failed_attempts", dv["key"], "device API key (rotated out)", f"{dv['name']}: old key still sent by a second instrument, 401 every 2 min for 5 h after rotation"), take())
# C2 patient's expired token replayed 15 times in 3 min from a VPS (also expired_token)
pt = PAT[11]
while not pt["tokens"]:
    pt = PAT[PAT.index(pt) + 1]
old = pt["tokens"][0][2]; a = att(vps_addr("digitalocean")); t0 = max(pt["tokens"][0][1] + 3 * 3600, D(5, 20))
for i in range(15):
    G(t0 + i * 12, "GET", f"/fhir/r4/Patient/{pt['pid']}", None, 401, a, "python-requests/2.31.0", "Bearer " + old, raw=old)
ts = take()
label(Inj("failed_attempts", old, "patient app JWT (1 h, expired)", f"{pt['id']} expired token replayed 15× in 3 min from {a}"), ts)
label(Inj("expired_token", old, "patient app JWT (1 h, expired)", f"{pt['id']} expired token replayed from {a}"), ts)
# C3 CI PAT revoked (policy revoked by id) and retried by a pipeline: 12 × 401 in 3 min
ci = dict(CI[7]); ci["pat"] = "ghp_" + rs(36); ALL_SECRETS.add(ci["pat"]); t0 = D(7, 17, 3)
REG.append(dict(raw=ci["pat"], name="gha-" + ci["owner"] + "-old", owner=ci["owner"], owner_type="service", scopes=["deploy:write"], created_at=D(0) - 150 * DAY,
                expires_at=D(0) + 150 * DAY, last_used_at=D(0) - 20 * DAY))
for i in range(12):
    S(t0 + i * 15, "deploy-api", "POST", "/deploy/v1/releases", "/deploy/v1/releases", None, 401, ip_in(R.choice(AZURE)), R.choice(API_PEERS), "GitHub-Actions/2.321.0 deployctl/1.8",
      auth="token " + ci["pat"], raw=ci["pat"])
ts = take()
REVOKED_RAW = [ci["pat"]]
label(Inj("failed_attempts", ci["pat"], "CI GitHub PAT (revoked)", f"{ci['owner']} revoked PAT retried 12× in 3 min"), ts)
label(Inj("revoked_token", ci["pat"], "CI GitHub PAT (revoked)", f"{ci['owner']} PAT revoked by id, still sent (401)"), ts)
# C4 internal service with a rotated credential: 401 every 30 s for 40 min from its pod
sv_ = SVC[7]; t0 = D(8, 10, 0); oldtok = "cgs_" + rs(40); ALL_SECRETS.add(oldtok)
REG.append(dict(raw=oldtok, name=sv_["name"] + "-token-2025", owner=sv_["name"], owner_type="service", scopes=sv_["scopes"], created_at=D(0) - 300 * DAY, expires_at=D(5)))
for i in range(80):
    CUR.append(t0 + i * 30); internal_call(sv_, t0 + i * 30, "POST", "/internal/v1/notifications", status=401, tok=oldtok, inj=True)
ts = take()
label(Inj("failed_attempts", oldtok, "internal service opaque token (expired in registry)", f"{sv_['name']} pod restarted with last year's token: 401 every 30 s for 40 min"), ts)
label(Inj("expired_token", oldtok, "internal service opaque token (expired in registry)", f"{sv_['name']} token past its registry expires_at ({iso(D(5))}) still sent (401) from its pod"), ts)

# --- D: rate surges
# D1 low-rate device key (hourly) surging to 30/h for 3 hours from its clinic
dv = [d for d in DEV if d["ivl"] == 3600 and d.get("key2") is None and d["clinic"]["policy"]][3]
t0 = D(6, 20, 0); t = t0
while t < t0 + 3 * 3600:
    CUR.append(t); device_post(dv, t, inj=True); t += 120 + R.uniform(-20, 20)
label(Inj("rate_surge", dv["key"], "device API key (hourly)", f"{dv['name']} hourly reporter posting every 2 min for 3 h (30×)"), take())
# D2 bulk patient-record exfiltration by paging with a vendor token, from the vendor's own egress
vd = VEND[0]; t0, tok = tok_cover(vd["tokens"], D(7, 16, 5), 1560)
for i in range(1500):
    tt = t0 + i * 1.0 + R.uniform(0, 0.5); CUR.append(tt)
    vend_call(vd, tt, ("GET", "/fhir/r4/Patient", None, None), tok=tok, addr=R.choice(vd["eg"]), status=200, inj=True, query=f"_count=100&_offset={i * 100}")
label(Inj("rate_surge", tok, "vendor SMART JWT (RS256, 60 min)", f"{vd['id']}: Patient?_count=100 paging at 60/min for 25 min (bulk exfiltration) from its own egress"), take())
# D3 patient token scraping Observation pages, 200 calls in 20 minutes
pt = [p for p in PAT if len(p["tokens"]) >= 2][5]
t0 = local_to_utc(6, 22.0, pt["off"])
tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", t0 - 30, 3600); ALL_SECRETS.add(tok)
a = carrier_addr(pt["car"])[0]
for i in range(200):
    G(t0 + i * 6, "GET", "/fhir/r4/Observation", f"patient={R.choice(PATIENT_IDS)}&_count=100", 200, a, pt["ua"], "Bearer " + tok, raw=tok)
label(Inj("rate_surge", tok, "patient app JWT (1 h)", f"{pt['id']} account: 200 Observation queries for arbitrary patients in 20 min"), take())
# D4 internal service token surging 15x for 30 min from its pods
sv_ = SVC[2]; t0 = D(8, 11, 10)
for i in range(450):
    CUR.append(t0 + i * 4); internal_call(sv_, t0 + i * 4, "GET", "/internal/v1/patients/{id}/consents", inj=True)
label(Inj("rate_surge", sv_["tok"], "internal service opaque token", f"{sv_['name']}: 15/min for 30 min against ~1/min"), take())
# D5 insider snooping: clinician mobile token 60 chart opens a minute for 10 min from the hospital
cl, s, tok = find_mobile(night_ok[10:20], D(5, 12), D(8), 5 * 3600); t0 = s + 3 * 3600
for i in range(600):
    G(t0 + i, "GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 200, hosp_addr(cl["h"], t0), cl["ua"], "Bearer " + tok, raw=tok)
label(Inj("rate_surge", tok, "clinician mobile JWT (12 h)", f"{cl['id']}: 600 Patient reads in 10 min from the hospital (snooping)"), take())

# --- E: off hours
# E1/E2/E4 policy hours: office staff (policy Mon-Fri 07:00-19:00 local)
for k, (d, lh, n) in enumerate([(6, 3.2, 6), (7, 22.6, 5), (8, 5.0, 7)]):
    cl = office[k]; off = cl["h"]["off"]; t0 = local_to_utc(d, lh, off)
    tok, _ = id_jwt(cl["id"], "caregrid-clinician-web", CLIN_SCOPE, t0 - 20, 3600); ALL_SECRETS.add(tok)
    a = cl["home"]
    for i in range(n):
        m, path, q = clin_resource("office", t0)
        G(t0 + i * 50, m, path, q, 200, a, cl["ua"], "Bearer " + tok, raw=tok)
    label(Inj("off_hours", tok, "office staff web JWT (policy hours)", f"{cl['id']} ({cl['h']['tz']}) signed in at {lh:.1f}h local, {n} calls", variant="policy"), take())
# E3 deid batch client minting a token at midday (policy UTC 00:00-06:00)
t0 = D(7, 14, 5); tok, _ = id_jwt("svc-deid-batch", "svc-deid-batch", "system/*.read internal:deid", t0 - 10, 4 * 3600); ALL_SECRETS.add(tok)
for i in range(30):
    S(t0 + i * 20, "deid-batch", "GET", "/fhir/r4/Observation", "/fhir/r4/Observation", f"_count=500&page={i + 1}", 200, None, "10.50.3.%d" % R.randint(2, 250), "python-httpx/0.27", auth="Bearer " + tok, raw=tok)
label(Inj("off_hours", tok, "batch JWT (policy hours)", "svc-deid-batch token minted and used at 14:05 UTC (policy 00:00-06:00 UTC)", variant="policy"), take())
# E6 learned: svc-reporting (12-22 UTC only) at 04:00 UTC, with new resources too (combined)
sv_ = SVC[4]; t0 = D(6, 4, 2)
for i in range(6):
    CUR.append(t0 + i * 40); internal_call(sv_, t0 + i * 40, "GET", "/internal/v1/tenants/{id}", inj=True)
for i in range(5):
    CUR.append(t0 + 300 + i * 30); internal_call(sv_, t0 + 300 + i * 30, "GET", "/internal/v1/keys/{id}", inj=True)
ts = take()
label(Inj("off_hours", sv_["tok"], "internal service opaque token", f"{sv_['name']} (12-22 UTC) used at 04:02 UTC", variant="learned"), ts)
label(Inj("new_resource", sv_["tok"], "internal service opaque token", f"{sv_['name']} first GET /internal/v1/keys/{{id}} ×5"), ts[6:])
label(Inj("combined_findings", sv_["tok"], "internal service opaque token", f"{sv_['name']} off hours + new resource"), ts)
# E7 learned: day-shift clinician (mobile) at 02:30 local from home
cl = [c for c in night_ok[30:] if not c["oncall"]][0]; off = cl["h"]["off"]; t0 = local_to_utc(7, 26.5, off)
tok, _ = id_jwt(cl["id"], "caregrid-clinician-mobile", CLIN_SCOPE, t0 - 30, 12 * 3600); ALL_SECRETS.add(tok)
for i in range(7):
    m, path, q = clin_resource("physician", t0)
    G(t0 + i * 45, m, path, q, 200, cl["home"], cl["ua"], "Bearer " + tok, raw=tok)
label(Inj("off_hours", tok, "clinician mobile JWT (12 h)", f"{cl['id']} (day shifts only, {cl['h']['tz']}) used at 02:30 local from home", variant="learned"), take())
# E8 learned: business-hours vendor (07-19 local weekdays) at 03:00 local
vd = [v for v in VEND if v["bizhours"]][0]; t0 = local_to_utc(6, 3.0, vd["off"])
tok, _ = smart_jwt(vd["id"], vd["scope"], t0 - 10, vd["life"], vd["alg"]); ALL_SECRETS.add(tok)
for i in range(8):
    CUR.append(t0 + i * 25); vend_call(vd, t0 + i * 25, VEND_RES_R[0], tok=tok, status=200, inj=True)
label(Inj("off_hours", tok, f"vendor SMART JWT ({vd['alg']}, business hours only)", f"{vd['id']} (07-19 local weekdays) used at 03:00 local", variant="learned"), take())

# --- F: new resource
# F1 device key (policy clinic) reading Patient records from its clinic: scope_violation + new_resource
dv = [d for d in DEV if d["clinic"]["policy"] and d.get("key2") is None][10]; t0 = D(6, 15, 0)
for i in range(8):
    CUR.append(t0 + i * 40); device_post(dv, t0 + i * 40, inj=True, method="GET", path=f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", route="/fhir/r4/Patient/{id}", status=200)
ts = take()
label(Inj("new_resource", dv["key"], "device API key", f"{dv['name']} GET Patient ×8 from its clinic"), ts)
label(Inj("scope_violation", dv["key"], "device API key", f"{dv['name']} GET Patient (scope device/Observation.write)"), ts)
# F3 CI PAT reading deploy secrets (governed by deploy:admin, which it lacks)
ci = CI[10]; t0 = D(8, 15, 20)
te = ci_build(ci, t0, inj=True, n=6, extra_res=[("GET", "/deploy/v1/secrets/{id}")]); CUR.extend([t0, te]); ts = take()
label(Inj("new_resource", ci["pat"], "CI GitHub PAT", f"{ci['owner']} GET /deploy/v1/secrets/{{id}} ×6 in a build"), ts)
label(Inj("scope_violation", ci["pat"], "CI GitHub PAT", f"{ci['owner']} GET /deploy/v1/secrets/{{id}} (needs deploy:admin)"), ts)
# F4 writer vendor suddenly reading Patient/Condition it never read (young tokens: judged by owner)
vd = [v for v in VEND if v["kind"] == "writer" and not v["bizhours"] and v["life"] >= 900][0]
t0, tok = tok_cover(vd["tokens"], D(7, 19, 0), 240)
for i in range(6):
    CUR.append(t0 + i * 30); vend_call(vd, t0 + i * 30, ("GET", "/fhir/r4/MedicationStatement", None, "cond"), tok=tok, status=200, inj=True)
label(Inj("new_resource", tok, f"vendor SMART JWT ({vd['alg']}, {vd['life'] // 60} min)", f"{vd['id']} (writer) GET MedicationStatement ×6, never called by the vendor"), take())

# --- G: multi address
# G1 clinician web token driven through 5 residential proxies within 8 minutes
cl = [c for c in CLIN if not c["mobile"] and c["pattern"] == "day" and c["h"]["off"] < 0][5]
t0 = local_to_utc(6, 13.0, cl["h"]["off"]); tok = tok_at(cl["tokens"], t0)
if tok is None:
    tok, _ = id_jwt(cl["id"], "caregrid-clinician-web", CLIN_SCOPE, t0 - 30, 3600); ALL_SECRETS.add(tok)
px = [att(home_addr()) for _ in range(5)]
for i in range(15):
    m, path, q = clin_resource("nurse", t0)
    G(t0 + i * 30, m, path, q, 200, px[i % 5], "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0", "Bearer " + tok, raw=tok)
label(Inj("multi_address", tok, "clinician web JWT (1 h)", f"{cl['id']} token driven through 5 residential proxies in 7 min"), take())
# G2 vendor token from 4 VPS providers in 6 minutes, plus a new resource (combined)
vd = [v for v in VEND[1:] if v["life"] >= 1800 and not v["bizhours"]][0]
t0, tok = tok_cover(vd["tokens"], D(8, 12, 40), 420)
px = [att(vps_addr(p)) for p in ("digitalocean", "hetzner", "ovh", "vultr")]
for i in range(12):
    CUR.append(t0 + i * 30)
    vend_call(vd, t0 + i * 30, ("GET", "/fhir/r4/Patient", None, None) if i % 3 == 0 else VEND_RES_R[0], tok=tok, addr=px[i % 4], status=200, inj=True, query="name=smith&_count=100" if i % 3 == 0 else None)
ts = take()
cls_ = f"vendor SMART JWT ({vd['alg']}, {vd['life'] // 60} min)"
label(Inj("multi_address", tok, cls_, f"{vd['id']} token used from DigitalOcean, Hetzner, OVH, Vultr within 6 min"), ts)
label(Inj("new_client_address", tok, cls_, f"{vd['id']} token used from VPS providers"), ts)
label(Inj("combined_findings", tok, cls_, f"{vd['id']} multi-address + new network (+ new resource GET /fhir/r4/Patient search)"), ts)
# G3 patient token from 4 mobile-proxy addresses within 5 minutes
pt = [p for p in PAT if len(p["tokens"]) >= 3][2]; t0 = local_to_utc(7, 21.25, pt["off"])
tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", t0 - 30, 3600); ALL_SECRETS.add(tok)
px = [att(carrier_addr()[0]) for _ in range(4)]
for i in range(12):
    G(t0 + i * 25, "GET", "/fhir/r4/Observation", f"patient={pt['pid']}&_count=100", 200, px[i % 4], pt["ua"], "Bearer " + tok, raw=tok)
label(Inj("multi_address", tok, "patient app JWT (1 h)", f"{pt['id']} token from 4 mobile-proxy addresses in 5 min"), take())
# G4 device key used from its clinic and 3 hosting addresses within 10 minutes
dv = [d for d in DEV if not d["clinic"]["policy"] and d.get("key2") is None][3]; t0 = D(8, 7, 30)
px = [dv["clinic"]["addr"](t0)] + [att(vps_addr(p)) for p in ("linode", "hetzner", "digitalocean")]
for i in range(12):
    CUR.append(t0 + i * 45); device_post(dv, t0 + i * 45, addr=px[i % 4], inj=True)
label(Inj("multi_address", dv["key"], "device API key", f"{dv['name']} key from its clinic plus Linode, Hetzner, DigitalOcean within 9 min"), take())

# --- H: stateless token verdicts
# expired: vendor JWT accepted 3h after expiry by a misconfigured route (200), from the vendor's own egress
vd = VEND[4]; old = vd["tokens"][len(vd["tokens"]) // 2]; t0 = old[1] + 3 * 3600
for i in range(3):
    CUR.append(t0 + i * 40); vend_call(vd, t0 + i * 40, VEND_RES_R[1], tok=old[2], status=200, inj=True)
label(Inj("expired_token", old[2], f"vendor SMART JWT ({vd['alg']})", f"{vd['id']} token used 3 h after exp and accepted (200)"), take())
# expired: clinician 12h token used a day later from a hotel network, 403
cl = night_ok[40]; old = cl["tokens"][len(cl["tokens"]) // 2]; t0 = max(old[1] + 20 * 3600, D(5, 1))
a = att(home_addr())
for i in range(3):
    G(t0 + i * 60, "GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 403, a, cl["ua"], "Bearer " + old[2], raw=old[2])
label(Inj("expired_token", old[2], "clinician mobile JWT (12 h)", f"{cl['id']} token presented a day after expiry from an unfamiliar address {a} (403)"), take())
# expired: device key past its registry expires_at, still accepted
dv = [d for d in DEV if d["clinic"]["policy"] and d.get("key2") is None and d["ivl"] == 900][0]
for r in REG:
    if r["raw"] == dv["key"]:
        r["created_at"] = D(0) - 358 * DAY; r["expires_at"] = D(7, 12)   # lifetime 365.5 days
EXPKEY = dv["key"]; TRACK.add(EXPKEY)
inj_raw.add(EXPKEY)
# the device keeps reporting (clean generation already emitted its traffic); label the post-expiry window
label(Inj("expired_token", dv["key"], "device API key (registry expires_at)", f"{dv['name']} key expired in the registry at {iso(D(7, 12))} and is still accepted every 15 min"),
      start=D(7, 12), end=TEND)
# not yet valid: four JWTs with nbf in the future
for k in range(4):
    t0 = D(5 + k, 10 + k, 7)
    if k % 2 == 0:
        vd = VEND[6 + k]
        tok, _ = smart_jwt(vd["id"], vd["scope"], t0 + 2 * 3600, 3600, vd["alg"], nbf=t0 + 2 * 3600); ALL_SECRETS.add(tok)
        for i in range(4):
            CUR.append(t0 + i * 30); vend_call(vd, t0 + i * 30, VEND_RES_R[0], tok=tok, status=200 if k == 0 else 401, inj=True)
        cls_ = f"vendor SMART JWT ({vd['alg']})"; who = vd["id"]
    else:
        cl = day_clins[10 + k]; a = hosp_addr(cl["h"], t0)
        tok, _ = id_jwt(cl["id"], "caregrid-clinician-web", CLIN_SCOPE, t0 + 3 * 3600, 3600, nbf=t0 + 3 * 3600); ALL_SECRETS.add(tok)
        for i in range(3):
            G(t0 + i * 30, "GET", "/app/api/worklist", "unit=2", 200, a, cl["ua"], "Bearer " + tok, raw=tok)
        cls_ = "clinician web JWT"; who = cl["id"]
    label(Inj("not_yet_valid_token", tok, cls_, f"{who} token with iat/nbf 2-3 h in the future (issuer clock skew or pre-minted)"), take())
# revoked
import base64 as _b64
cl = night_ok[50]; t0 = D(6, 18, 0)
tok, _ = id_jwt(cl["id"], "caregrid-clinician-mobile", CLIN_SCOPE, t0 - 3 * 3600, 12 * 3600); ALL_SECRETS.add(tok)   # the lost phone's session
REVOKED_JTI = []
REVOKED_JTI.append(json.loads(_b64.urlsafe_b64decode(tok.split(".")[1] + "==").decode())["jti"])
a = att(vps_addr("linode"))
for i in range(5):
    G(t0 + i * 60, "GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 200, a, "python-requests/2.32.3", "Bearer " + tok, raw=tok)
label(Inj("revoked_token", tok, "clinician mobile JWT (revoked by jti)", f"{cl['id']} reported lost phone: token revoked by jti, used from {a}"), take())
dv = [d for d in DEV if d["clinic"]["policy"] and d.get("key2") is None][20]; t0 = D(7, 9, 0)
deckey = "cgd_live_" + rs(32); ALL_SECRETS.add(deckey)
REG.append(dict(raw=deckey, name=dv["name"] + "-decommissioned", owner=dv["owner"], owner_type="service", scopes=["device/Observation.write"], created_at=D(0) - 200 * DAY, expires_at=D(0) + 165 * DAY))
REVOKED_RAW.append(deckey)
for i in range(6):
    CUR.append(t0 + i * 600); device_post(dv, t0 + i * 600, key=deckey, inj=True)
label(Inj("revoked_token", deckey, "device API key (revoked by id)", f"{dv['name']} decommissioned device's key (revoked) still posting"), take())
vd = VEND[12]; t0 = D(8, 9, 30)
tok, _ = smart_jwt(vd["id"], vd["scope"], t0 - 300, vd["life"], vd["alg"]); ALL_SECRETS.add(tok)   # minted on the vendor's compromised host, never used by the integration
REVOKED_JTI.append(json.loads(_b64.urlsafe_b64decode(tok.split(".")[1] + "==").decode())["jti"])
for i in range(4):
    CUR.append(t0 + i * 20); vend_call(vd, t0 + i * 20, VEND_RES_R[1], tok=tok, status=200, inj=True)
label(Inj("revoked_token", tok, f"vendor SMART JWT ({vd['alg']})", f"{vd['id']} token revoked by jti after a vendor incident, still accepted"), take())
# malformed
mal = ["eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImNnLXNtYXJ0LXJzLTIwMjYifQ.eyJpc3MiOiJodHRwczovL2F1dGguY2FyZWdyaWQuaGVhbHRoL3NtYXJ0Iiwic3ViIjoidm5k",
       "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + b64u(b"this is not json at all, oops") + "." + b64u(os.urandom(0) + bytes(R.getrandbits(8) for _ in range(32))),
       "eyJhbGciOiJIUzI1NiJ9." + rs(20, ALNUM + "!*") + "." + rs(43, ALNUM + "-_"),
       "eyJ" + rs(17000, ALNUM + "-_")]
for k, m_ in enumerate(mal):
    ALL_SECRETS.add(m_); t0 = D(5 + k, 8 + k * 3, 11)
    if k < 2:
        vd = VEND[15 + k]
        for i in range(3):
            CUR.append(t0 + i * 15); vend_call(vd, t0 + i * 15, VEND_RES_R[1], tok=m_, status=401, inj=True)
        who = vd["id"] + " SDK"
    else:
        a = att(vps_addr("digitalocean"))
        for i in range(3):
            G(t0 + i * 15, "GET", "/app/api/worklist", "unit=1", 401, a, "curl/8.5.0", "Bearer " + m_, raw=m_)
        who = "scanner " + a
    label(Inj("malformed_token", m_, "malformed bearer", f"{who}: {['truncated JWT (2 segments)', 'JWT whose payload is not JSON', 'JWT with characters outside base64url', '17 KB token (over max_token_bytes)'][k]}"), take())
# invalid signature
cl = day_clins[20]; t0 = D(6, 11, 0); good = tok_at(cl["tokens"], t0) or cl["tokens"][-1][2]
hh, pp, ss = good.split(".")
pl = json.loads(_b64.urlsafe_b64decode(pp + "==")); pl["scope"] += " admin user/Patient.delete"
forged = hh + "." + b64u(json.dumps(pl, separators=(",", ":")).encode()) + "." + ss
forged2 = smart_jwt(VEND[18]["id"], VEND[18]["scope"] + " system/bulk.export", D(7, 3), 3600, "RS256")[0]
hdr, pay, _ = forged2.split("."); forged2 = hdr + "." + pay + "." + b64u(RSA_EVIL.sign_sha256((hdr + "." + pay).encode()))
pt = PAT[40]; forged3 = jwt({"alg": "HS256", "typ": "JWT", "kid": KID_ID}, {"iss": ISS_ID, "sub": pt["id"], "aud": "caregrid-app", "azp": "caregrid-patient-app",
                                                                        "scope": "patient/*.read patient/messages", "iat": D(8, 1), "exp": D(8, 2), "jti": uuid()}, hs_secret=JWT_OLD_HS)
forged4 = jwt({"alg": "HS256", "typ": "JWT", "kid": KID_SMART_RS}, {"iss": ISS_SMART, "sub": VEND[19]["id"], "client_id": VEND[19]["id"], "scope": "system/*.read system/*.write",
                                                                   "iat": D(8, 14), "exp": D(8, 15), "jti": uuid()}, hs_secret=json.dumps(RSA.jwk(KID_SMART_RS)))
for k, (fg, t0, who) in enumerate([(forged, D(6, 11, 30), f"{cl['id']} token with an edited scope claim (original signature)"),
                                    (forged2, D(7, 3, 20), f"{VEND[18]['id']} RS256 token signed by a key not in the JWKS"),
                                    (forged3, D(8, 1, 10), f"{pt['id']} HS256 token signed with a guessed secret"),
                                    (forged4, D(8, 14, 5), f"{VEND[19]['id']} token: alg confusion (HS256 keyed with the RSA public JWK)")]):
    ALL_SECRETS.add(fg); a = att(vps_addr(["vultr", "ovh", "hetzner", "linode"][k]))
    for i in range(3):
        if k in (1, 3):
            S(t0 + i * 20, "fhir-api", "GET", "/fhir/r4/Patient/{id}", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 401, a, R.choice(API_PEERS), "python-requests/2.32.3", auth="Bearer " + fg, raw=fg)
        else:
            G(t0 + i * 20, "GET", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 401, a, "python-requests/2.32.3", "Bearer " + fg, raw=fg)
    label(Inj("invalid_signature", fg, "forged JWT", who + f", from {a}, 401"), take())
# unknown tokens (authoritative registry)
rogue = "cgd_live_" + rs(32); ALL_SECRETS.add(rogue); t0 = D(6, 8, 0)
dv = DEV[30]
for i in range(24):
    CUR.append(t0 + i * 600); device_post(dv, t0 + i * 600, key=rogue, inj=True)
label(Inj("unknown_token", rogue, "unregistered device key", f"rogue instrument at {dv['clinic']['id']} provisioned outside the registry, posting every 10 min for 4 h"), take())
legacy = "cgs_" + rs(40); ALL_SECRETS.add(legacy); t0 = D(7, 10, 0)
for i in range(20):
    CUR.append(t0 + i * 90); internal_call(SVC[9], t0 + i * 90, "GET", "/internal/v1/tenants/{id}", tok=legacy, inj=True)
label(Inj("unknown_token", legacy, "unregistered internal opaque token", "a legacy internal token (never registered) used from a pod for 30 min"), take())
vkey = "cgv_" + rs(36); ALL_SECRETS.add(vkey); t0 = D(8, 13, 0); vd = VEND[20]
for i in range(15):
    S(t0 + i * 40, "fhir-api", "GET", "/fhir/r4/Observation", "/fhir/r4/Observation", f"patient={R.choice(PATIENT_IDS)}", 200, R.choice(vd["eg"]), R.choice(API_PEERS), vd["ua"], apikey=vkey, raw=vkey)
label(Inj("unknown_token", vkey, "unregistered vendor API key", f"{vd['id']} calling with an old static X-API-Key that is not registered (200)"), take())
upat = "ghp_" + rs(36); ALL_SECRETS.add(upat); t0 = D(8, 18, 0)
for i in range(4):
    S(t0 + i * 30, "deploy-api", "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{R.randint(10000, 99999)}", None, 403, ip_in(R.choice(AZURE)), R.choice(API_PEERS), "GitHub-Actions/2.321.0 deployctl/1.8",
      auth="token " + upat, raw=upat)
label(Inj("unknown_token", upat, "unregistered GitHub PAT", "a personal PAT not in the registry used by a fork's workflow (403)"), take())
# scope violations (besides A4, F1, F3)
vd = [v for v in VEND if v["kind"] == "reader" and not v["bizhours"]][2]; t0, tok = tok_cover(vd["tokens"], D(6, 17, 0), 300)
for i in range(4):
    CUR.append(t0 + i * 60); vend_call(vd, t0 + i * 60, ("POST", "/fhir/r4/Bundle", None, None), tok=tok, status=200, inj=True)
label(Inj("scope_violation", tok, f"vendor SMART JWT ({vd['alg']}, read-only)", f"{vd['id']} (system/*.read only) POST /fhir/r4/Bundle ×4, accepted"), take())
pt = [p for p in PAT if p["tokens"]][60]; t0 = D(7, 23, 0); tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", t0 - 30, 3600); ALL_SECRETS.add(tok)
a = pt["home"]
for i in range(5):
    G(t0 + i * 20, "GET", "/fhir/r4/Encounter", f"patient={R.choice(PATIENT_IDS)}", 200, a, pt["ua"], "Bearer " + tok, raw=tok)
label(Inj("scope_violation", tok, "patient app JWT (1 h)", f"{pt['id']} GET /fhir/r4/Encounter for other patients (not in patient/*.read), served"), take())
# restricted
cl = day_clins[30]; t0 = local_to_utc(7, 11.0, cl["h"]["off"]); tok, _ = id_jwt(cl["id"], "caregrid-clinician-web", CLIN_SCOPE, t0 - 30, 3600); ALL_SECRETS.add(tok)
for i in range(2):
    G(t0 + i * 40, "DELETE", f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", None, 204, hosp_addr(cl["h"], t0), cl["ua"], "Bearer " + tok, raw=tok)
label(Inj("restricted_resource", tok, "clinician web JWT", f"{cl['id']} DELETE /fhir/r4/Patient/{{id}} ×2 (data stewards only), served"), take())
vd = [v for v in VEND if not v["export"] and not v["bizhours"]][4]; t0, tok = tok_cover(vd["tokens"], D(8, 2, 10), 90)
for i in range(2):
    CUR.append(t0 + i * 30); vend_call(vd, t0 + i * 30, ("GET", "/fhir/r4/Group/{id}/$export", None, None), tok=tok, status=202, inj=True, query="_type=Patient")
label(Inj("restricted_resource", tok, f"vendor SMART JWT ({vd['alg']}) without bulk scope", f"{vd['id']} GET Group/{{id}}/$export without system/bulk.export (202)"), take())
sv_ = SVC[13]; t0 = D(6, 19, 30)
for i in range(3):
    S(t0 + i * 30, "internal-api", "GET", "/admin/v1/tenants", "/admin/v1/tenants", None, 200, None, R.choice(sv_["pods"]), "okhttp/4.12.0", auth="Bearer " + sv_["tok"], raw=sv_["tok"])
label(Inj("restricted_resource", sv_["tok"], "internal service opaque token", f"{sv_['name']} calling GET /admin/v1/tenants (ops admins only), served"), take())
pt = [p for p in PAT if p["tokens"]][70]; t0 = D(8, 20, 0); tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", t0 - 30, 3600); ALL_SECRETS.add(tok)
for i in range(3):
    G(t0 + i * 25, "GET", f"/admin/v1/users/{R.randint(1000, 99999)}", None, 403, pt["home"], pt["ua"], "Bearer " + tok, raw=tok)
label(Inj("restricted_resource", tok, "patient app JWT (1 h)", f"{pt['id']} probing /admin/v1/users/{{id}} (403)"), take())
# disallowed network (besides A5)
dv = [d for d in DEV if d["clinic"]["policy"] and d["clinic"]["h"] is None and d.get("key2") is None][4]; a = att(home_addr()); t0 = D(7, 19, 0)
for i in range(3):
    CUR.append(t0 + i * 120); device_post(dv, t0 + i * 120, addr=a, inj=True)
label(Inj("disallowed_network", dv["key"], "device API key (clinic network policy)", f"{dv['name']} key used from {a}, outside its clinic /24"), take())
dv = [d for d in DEV if d["clinic"]["policy"] and d["clinic"]["h"] is not None and d.get("key2") is None and d["key"] != EXPKEY][6]
other = [h for h in HOSPITALS if h is not dv["clinic"]["h"] and h is not HOSPITALS[7]][5]; t0 = D(8, 6, 0)
for i in range(4):
    CUR.append(t0 + i * 300); device_post(dv, t0 + i * 300, addr=hosp_addr(other, t0), inj=True)
label(Inj("disallowed_network", dv["key"], "device API key (hospital network policy)", f"{dv['name']} instrument moved to hospital {other['id']} without re-registration"), take())
d_ = 8; tok = DEID_TOK[d_]; a = att(ip_in(R.choice(AWS))); t0 = D(d_, 2, 0)
for i in range(6):
    S(t0 + i * 30, "deid-batch", "GET", "/fhir/r4/Observation", "/fhir/r4/Observation", f"_count=500&page={i + 1}", 200, a, "10.50.3.9", "python-httpx/0.27", auth="Bearer " + tok, raw=tok)
label(Inj("disallowed_network", tok, "batch JWT (network policy 10/8)", f"svc-deid-batch token of the night also used from AWS {a} (through a private peer, client.address public)"), take())

# --- X: exposed credentials
# X1 patient web app puts its access token in the URL query
pt = [p for p in PAT if p["tokens"]][80]; t0 = D(6, 20, 0); tok, _ = id_jwt(pt["id"], "caregrid-patient-app", "patient/*.read patient/messages", t0 - 30, 3600); ALL_SECRETS.add(tok)
for i in range(3):
    G(t0 + i * 20, "GET", "/app/api/messages", f"folder=inbox&access_token={tok}", 200, pt["home"], pt["ua"], "Bearer " + tok, raw=tok)
label(Inj("exposed_credential", tok, "patient app JWT (1 h)", f"{pt['id']} web build writes access_token into the query string"), take())
# X2 billing-svc application log prints the Stripe key
t0 = D(7, 15, 42)
js = log_js(t0, [("code.function", "charge_card"), ("service.instance", "billing-0")], f"stripe call failed: Authorization: Bearer {STRIPE_KEY} returned 402 card_declined", sev=13)
emit("app-logs", t0, js, "l"); inj_raw.add(STRIPE_KEY)
label(Inj("exposed_credential", STRIPE_KEY, "upstream Stripe key", "billing-svc error log line prints the Authorization header with the Stripe key"), [t0])
# X3 exception message on an internal span carries the rxhub key (custom format, registered and presented on client spans)
t0 = D(8, 12, 12)
ev = [("exception", [("exception.type", "UpstreamAuthError"), ("exception.message", f"rxhub rejected key {RX_KEY} (HTTP 401) for member 55120931")])]
server_span("internal-api", t0, "POST", "/internal/v1/notifications", "/internal/v1/notifications", None, 500, None, "10.40.3.17", "Go-http-client/2.0",
            auth="Bearer " + SVC[1]["tok"], raw=SVC[1]["tok"], inj=False, events=ev)
inj_raw.add(RX_KEY)
label(Inj("exposed_credential", RX_KEY, "upstream rxhub key (custom format)", "internal-api exception message quotes the rxhub key"), [t0])
# X4 resource attribute: a deploy worker started with --token=ghp_... on its command line
ci = CI[15]; t0 = D(7, 18, 30)
res_attrs = [("service.name", "deploy-worker"), ("process.command_args", ["deployctl", "sync", "--env=prod", f"--token={ci['pat']}"]), ("host.name", "runner-7f2c")]
xspan = span_js(t0, 40, "sync", 1, [("deploy.env", "prod")])
EV.append((t0 + 60, -1, ("deploy-worker-res", res_attrs, xspan))); inj_raw.add(ci["pat"]); n_items[0] += 1
label(Inj("exposed_credential", ci["pat"], "CI GitHub PAT", f"{ci['owner']} PAT on a worker's process.command_args (resource attribute)"), [t0])
# X5 a device sends its key in the URL query as well as the header
dv = [d for d in DEV if not d["clinic"]["policy"] and d.get("key2") is None][8]; t0 = D(8, 4, 0)
for i in range(3):
    CUR.append(t0 + i * 900); device_post(dv, t0 + i * 900, inj=True, query=f"api_key={dv['key']}&_format=json")
label(Inj("exposed_credential", dv["key"], "device API key", f"{dv['name']} firmware appends ?api_key= to the URL"), take())
# X6 clinician JWT in a front-end error log body
cl = None
for c in day_clins[40:]:
    for s, e, tk in c["tokens"]:
        if s >= D(5, 12) and s < D(8, 12):
            cl, tok, t0 = c, tk, s + 600; break
    if cl:
        break
js = log_js(t0, [("service.name.origin", "clinician-web"), ("browser.name", "Chrome")], f"TypeError: cannot read properties of undefined (reading 'entry') at fetchChart; token={tok}", sev=17)
emit("app-logs", t0, js, "l"); inj_raw.add(tok)
label(Inj("exposed_credential", tok, "clinician web JWT (1 h)", f"{cl['id']} JWT pasted into a browser error report log"), [t0])

# --- lifecycle: stale, resurrected, unused scopes, expiring soon, excessive lifetime
for k in range(4):
    raw = ["cgd_live_", "ghp_", "cgs_", "cgd_live_"][k] + rs([32, 36, 40, 32][k]); ALL_SECRETS.add(raw)
    e = dict(raw=raw, name=["dev-c099-retired", "gha-legacy-release", "svc-old-etl-token", "dev-c098-spare"][k], owner=["devices-c099", "ci-legacy", "svc-old-etl", "devices-c098"][k],
             owner_type="service", scopes=[["device/Observation.write"], ["deploy:write"], ["internal:tenants"], ["device/Observation.write"]][k],
             created_at=D(0) - [300, 260, 330, 200][k] * DAY, last_used_at=(D(0) - [150, 120, 200, 0][k] * DAY) if k != 3 else "never")
    REG.append(e); inj_raw.add(raw)
    LABELS.append(dict(type="stale_token", raw=raw, token_class="registered, never seen", note=f"{e['name']}: last used {e['last_used_at'] if k == 3 else iso(e['last_used_at'])}",
                       variant=None, client_addresses=None, start=T0, end=TEND))
for k in range(4):
    t0 = [D(6, 10), D(7, 15), D(5, 16), D(8, 11)][k]
    if k == 0:
        dv = DEV[100]; raw = "cgd_live_" + rs(32); ALL_SECRETS.add(raw)
        REG.append(dict(raw=raw, name="dev-c040-backup", owner=dv["owner"], owner_type="service", scopes=["device/Observation.write"], created_at=D(0) - 250 * DAY,
                        expires_at=D(0) + 100 * DAY, last_used_at=D(0) - 66 * DAY))
        for i in range(6):
            CUR.append(t0 + i * 900); device_post(dv, t0 + i * 900, key=raw, inj=True)
        cls_ = "device API key (backup instrument)"
    elif k == 1:
        raw = "ghp_" + rs(36); ALL_SECRETS.add(raw)
        REG.append(dict(raw=raw, name="gha-hotfix", owner="ci-hotfix", owner_type="service", scopes=["deploy:write"], created_at=D(0) - 300 * DAY, expires_at=D(0) + 60 * DAY,
                        last_used_at=D(0) - 76 * DAY))
        CUR.append(t0); CUR.append(ci_build(dict(pat=raw), t0, pat=raw, inj=True, n=20)); cls_ = "CI GitHub PAT (dormant)"
    elif k == 2:
        raw = "cgs_" + rs(40); ALL_SECRETS.add(raw)
        REG.append(dict(raw=raw, name="svc-migration-token", owner="svc-migration", owner_type="service", scopes=["internal:tenants"], created_at=D(0) - 340 * DAY,
                        last_used_at=D(0) - 97 * DAY))
        for i in range(10):
            CUR.append(t0 + i * 60); internal_call(SVC[0], t0 + i * 60, "GET", "/internal/v1/tenants/{id}", tok=raw, inj=True)
        cls_ = "internal opaque token (dormant)"
    else:
        raw = "cgv_" + rs(36); ALL_SECRETS.add(raw); vd = VEND[21]
        REG.append(dict(raw=raw, name="legacy-static-key-" + vd["id"], owner=vd["id"], owner_type="service", scopes=["system/*.read"], created_at=D(0) - 300 * DAY,
                        expires_at=D(0) + 60 * DAY, last_used_at=D(0) - 150 * DAY))
        for i in range(8):
            S(t0 + i * 60, "fhir-api", "GET", "/fhir/r4/Observation", "/fhir/r4/Observation", f"patient={R.choice(PATIENT_IDS)}", 200, R.choice(vd["eg"]), R.choice(API_PEERS), vd["ua"], apikey=raw, raw=raw)
        cls_ = "vendor static API key (dormant)"
    label(Inj("resurrected_token", raw, cls_, f"registered token with last_used_at {iso(REG[-1]['last_used_at'])} used again"), take())
# unused scopes: registered tokens created >90 days ago holding a scope they never use (used from day 0 to day 8)
US = []
for k, dv in enumerate([d for d in DEV if d.get("key2") is None and d["ivl"] <= 1800][40:42]):
    for r in REG:
        if r["raw"] == dv["key"]:
            r["scopes"] = ["device/Observation.write", "device/Device.read"]; r["created_at"] = D(0) - 200 * DAY; r["expires_at"] = D(0) + 165 * DAY
    US.append((dv["key"], "device API key", f"{dv['name']}: registry grants device/Device.read, never used"))
for sv_ in (SVC[3], SVC[5]):
    for r in REG:
        if r["raw"] == sv_["tok"]:
            r["scopes"] = list(sv_["scopes"]) + ["internal:deid"]
    US.append((sv_["tok"], "internal service opaque token", f"{sv_['name']}: registry grants internal:deid, never used"))
for raw, cls_, note in US:
    TRACK.add(raw); inj_raw.add(raw)
    LABELS.append(dict(type="unused_scopes", raw=raw, token_class=cls_, note=note, variant=None, client_addresses=None, start=T0 + 8 * DAY, end=TEND, _us=True))
# expiring soon: lifetimes > 7 days, expiry within the world or just after
EXS = []
dv = [d for d in DEV if d.get("key2") is None and d["ivl"] == 600][5]
for r in REG:
    if r["raw"] == dv["key"]:
        r["created_at"] = D(0) - 300 * DAY; r["expires_at"] = D(11, 0)
EXS.append((dv["key"], "device API key", f"{dv['name']} key expires {iso(D(11))}"))
ci = CI[20]
for r in REG:
    if r["raw"] == ci["pat"]:
        r["expires_at"] = D(10, 12)
EXS.append((ci["pat"], "CI GitHub PAT", f"{ci['owner']} PAT expires {iso(D(10, 12))}"))
for r in REG:
    if r["raw"] == RX_KEY:
        r["expires_at"] = D(12, 0)
EXS.append((RX_KEY, "upstream rxhub key", f"rxhub key expires {iso(D(12))}"))
sv_ = SVC[8]
for r in REG:
    if r["raw"] == sv_["tok"]:
        r["expires_at"] = D(9, 18); r["created_at"] = D(0) - 150 * DAY
EXS.append((sv_["tok"], "internal service opaque token", f"{sv_['name']} token expires {iso(D(9, 18))}"))
EXS.append((EXPKEY, "device API key (registry expires_at)", f"key expires {iso(D(7, 12))} (lifetime 365.5 days)"))
for raw, cls_, note in EXS:
    TRACK.add(raw); inj_raw.add(raw)
    LABELS.append(dict(type="expiring_soon", raw=raw, token_class=cls_, note=note, variant=None, client_addresses=None, start=None, end=None, _exp=True))
# excessive lifetime
XL = []
dv = [d for d in DEV if d.get("key2") is None and d["ivl"] == 1800][30]
for r in REG:
    if r["raw"] == dv["key"]:
        r["created_at"] = D(0) - 160 * DAY; r["expires_at"] = D(0) + 570 * DAY
XL.append((dv["key"], "device API key", f"{dv['name']}: registry lifetime 730 days"))
sv_ = SVC[10]
for r in REG:
    if r["raw"] == sv_["tok"]:
        r["created_at"] = D(0) - 120 * DAY; r["expires_at"] = D(0) + 610 * DAY
XL.append((sv_["tok"], "internal service opaque token", f"{sv_['name']}: registry lifetime 730 days"))
ci = CI[21]
for r in REG:
    if r["raw"] == ci["pat"]:
        r["created_at"] = D(0) - 100 * DAY; r["expires_at"] = D(0) + 450 * DAY
XL.append((ci["pat"], "CI GitHub PAT", f"{ci['owner']}: PAT lifetime 550 days"))
vd = VEND[23]; t0 = D(5, 13, 0)
ltok, _ = smart_jwt(vd["id"], vd["scope"], D(0) - 30 * DAY, 730 * DAY, vd["alg"]); ALL_SECRETS.add(ltok)
for i in range(10):
    CUR.append(t0 + i * 3600); vend_call(vd, t0 + i * 3600, VEND_RES_R[1], tok=ltok, status=200, inj=True)
XL.append((ltok, f"vendor SMART JWT ({vd['alg']}) minted for 2 years", f"{vd['id']} uses a JWT with exp 730 days after iat"))
xlt = take()
for raw, cls_, note in XL:
    TRACK.add(raw); inj_raw.add(raw)
    LABELS.append(dict(type="excessive_lifetime", raw=raw, token_class=cls_, note=note, variant=None, client_addresses=None, start=None, end=None, _xl=True))

# combined findings: stolen clinician token at 03:00 local from a VPS with new resources
cl = [c for c in night_ok[60:] if not c["oncall"]][0]; off = cl["h"]["off"]; t0 = local_to_utc(8, 27.0, off)
if t0 > TEND - 3600:
    t0 = local_to_utc(7, 27.0, off)
tok, _ = id_jwt(cl["id"], "caregrid-clinician-mobile", CLIN_SCOPE, t0 - 4 * 3600, 12 * 3600); ALL_SECRETS.add(tok)
a = att(vps_addr("vultr"))
for i in range(10):
    path = R.choice([f"/fhir/r4/Patient/{R.choice(PATIENT_IDS)}", "/fhir/r4/Coverage", "/fhir/r4/Account"])
    G(t0 + i * 40, "GET", path, None if "Patient" in path else "beneficiary=" + R.choice(PATIENT_IDS), 200, a, "python-requests/2.32.3", "Bearer " + tok, raw=tok)
ts = take()
for typ, var in (("combined_findings", None), ("new_client_address", None), ("off_hours", "learned")):
    label(Inj(typ, tok, "clinician mobile JWT (12 h, owner known)", f"{cl['id']} session token used at 03:00 local from Vultr {a}, Coverage/Account never used by the owner", variant=var), ts)

print(f"injected items {n_items[0] + n_items[1] - CLEAN_ITEMS}", file=sys.stderr, flush=True)

# ================================================================= lifecycle label windows from recorded use
for l in LABELS:
    if l.get("_exp"):
        raw = l["raw"]; exp = [r["expires_at"] for r in REG if r["raw"] == raw][0]
        ws = exp - 7 * DAY
        us = sorted(t for t in succ_uses[raw] if t >= ws)
        first = us[0] if us else max(ws, T0)
        l["start"], l["end"] = first, first + 3600
        l["note"] += f"; first successful use in the 7-day window {iso(l['start'])}"
    if l.get("_xl"):
        raw = l["raw"]; us = succ_uses.get(raw) or []
        if raw == ltok:
            us = xlt
        l["start"], l["end"] = (min(us), max(us)) if us else (T0, TEND)
    if l.get("_us"):
        us = [t for t in succ_uses[l["raw"]] if t >= T0 + 8 * DAY]
        l["start"] = min(us) if us else T0 + 8 * DAY
        l["end"] = TEND

# ================================================================= fingerprints
with open(os.path.join(OUT, "fingerprint.key"), "w") as f:
    f.write(FP_KEY + "\n")
os.chmod(os.path.join(OUT, "fingerprint.key"), 0o600)
need = set(r["raw"] for r in REG) | set(l["raw"] for l in LABELS if l["raw"]) | set(REVOKED_RAW) | set(inj_raw)
need.discard(None)
print(f"fingerprinting {len(need)} tokens", file=sys.stderr, flush=True)


def fp(raw):
    r = subprocess.run([AUDITCTL, "fingerprint", "-key-file", os.path.join(OUT, "fingerprint.key")], input=raw.encode(), capture_output=True)
    out = r.stdout.decode().strip()
    if not out.startswith("tok_"):
        raise SystemExit(f"fingerprint failed: {r.stderr!r}")
    return out


with ThreadPoolExecutor(4) as ex:
    FP = dict(zip(sorted(need), ex.map(fp, sorted(need))))

# ================================================================= policy
def q(s):
    return json.dumps(s)


P = []
P.append("# CareGrid token policy (docs/policy.md). Token ids are fingerprints under this deployment's key.")
P.append("scopes:")
SC = {"system/*.read": ["GET /fhir/r4/**"], "system/*.write": ["POST /fhir/r4/Bundle", "POST /fhir/r4/Observation", "PUT /fhir/r4/Observation/{id}"],
      "system/bulk.export": ["GET /fhir/r4/$export", "GET /fhir/r4/Group/{id}/$export", "GET /fhir/r4/bulkstatus/{id}", "GET /fhir/r4/bulkfiles/{id}"],
      "user/*.read": ["GET /fhir/r4/**"], "user/Observation.write": ["POST /fhir/r4/Observation"], "user/Patient.delete": ["DELETE /fhir/r4/**"],
      "app/worklist": ["GET /app/api/worklist", "GET /app/api/worklist/{id}"],
      "patient/*.read": ["GET /fhir/r4/Patient/{id}", "GET /fhir/r4/Observation", "GET /fhir/r4/Appointment", "GET /fhir/r4/MedicationRequest"],
      "patient/messages": ["GET /app/api/messages", "POST /app/api/messages"],
      "device/Observation.write": ["POST /fhir/r4/Observation"], "device/Device.read": ["GET /fhir/r4/Device/{id}"],
      "deploy:write": ["POST /deploy/v1/releases", "GET /deploy/v1/releases/{id}", "GET /deploy/v1/artifacts/{id}"], "deploy:admin": ["* /deploy/v1/**"],
      "internal:tenants": ["GET /internal/v1/tenants/{id}"], "internal:notify": ["POST /internal/v1/notifications"],
      "internal:consents": ["GET /internal/v1/patients/{id}/consents"], "internal:audit": ["POST /internal/v1/audit-events"], "internal:deid": ["POST /internal/v1/deid/records"],
      "admin": ["* /admin/**"]}
for k, v in SC.items():
    P.append(f"  {q(k)}: [{', '.join(q(x) for x in v)}]")
P.append("restricted:")
P.append('  - resource: "* /admin/**"')
P.append(f"    principals: [{', '.join(OPS)}]")
P.append('  - resource: "DELETE /fhir/r4/**"')
P.append(f"    principals: [{', '.join(STEWARDS)}]")
P.append('  - resource: "GET /fhir/r4/Group/*/$export"')
P.append('    scopes: ["system/bulk.export"]')
P.append('  - resource: "GET /fhir/r4/$export"')
P.append('    scopes: ["system/bulk.export"]')
P.append("principals:")
for cl in CLIN:
    if cl["pattern"] == "office":
        P.append(f"  {cl['id']}:")
        P.append(f"    working_hours: {{time_zone: {cl['h']['tz']}, days: [mon, tue, wed, thu, fri], start: \"07:00\", end: \"19:00\"}}")
P.append("  svc-deid-batch:")
P.append('    working_hours: {time_zone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "06:00"}')
P.append('    networks: ["10.0.0.0/8"]')
for sv_ in SVC:
    P.append(f"  {sv_['name']}:")
    P.append('    networks: ["10.0.0.0/8"]')
for c in CLINICS:
    if c["policy"]:
        P.append(f"  devices-{c['id'].lower()}:")
        P.append(f"    networks: [{', '.join(q(n) for n in c['nets'])}]")
P.append("revoked:")
for raw in REVOKED_RAW:
    P.append(f"  - id: {FP[raw]}")
for j in REVOKED_JTI:
    P.append(f"  - jti: {q(j)}")
P.append("registry:")
P.append("  authoritative: true")
P.append("  known: registered_or_verified")
P.append(f"  verified_issuers: [{q(ISS_ID)}, {q(ISS_SMART)}]")
P.append("  tokens:")
for r in REG:
    P.append(f"    - id: {FP[r['raw']]}")
    P.append(f"      name: {q(r['name'])}")
    P.append(f"      owner: {q(r['owner'])}")
    P.append(f"      owner_type: {r['owner_type']}")
    P.append(f"      scopes: [{', '.join(q(s) for s in r['scopes'])}]")
    P.append(f"      created_at: {iso(r['created_at'])}")
    if r.get("expires_at"):
        P.append(f"      expires_at: {iso(r['expires_at'])}")
    if r.get("last_used_at") is not None:
        P.append(f"      last_used_at: {r['last_used_at'] if isinstance(r['last_used_at'], str) else iso(r['last_used_at'])}")
open(os.path.join(OUT, "policy.yaml"), "w").write("\n".join(P) + "\n")
json.dump({"keys": [RSA.jwk(KID_SMART_RS)]}, open(os.path.join(OUT, "jwks.json"), "w"))

# ================================================================= labels & indexes
labs = []
for i, l in enumerate(LABELS):
    d = dict(id="L%03d" % (i + 1), type=l["type"], variant=l["variant"], token_class=l["token_class"], note=l["note"],
             start=iso(int(l["start"])), end=iso(int(math.ceil(l["end"]))))
    if l["raw"]:
        d["token_id"] = FP[l["raw"]]
    if l["client_addresses"]:
        d["client_addresses"] = l["client_addresses"]
    labs.append(d)
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for d in labs:
        f.write(json.dumps(d) + "\n")
clean_raw = set(TOKIDX) - inj_raw
inj_ids = sorted(FP[r] for r in inj_raw)
attack_only = sorted(FP[r] for r in inj_raw if r not in TOKIDX)
json.dump(dict(injected_token_ids=inj_ids, attack_only_token_ids=attack_only, attack_addresses=sorted(ATTACK_ADDR)), open(os.path.join(OUT, "injected_index.json"), "w"), indent=1)
ctd = sum(1 for (i, d) in clean_days if True) - 0
inj_idx = set(TOKIDX[r] for r in inj_raw if r in TOKIDX)
ctd = sum(1 for (i, d) in clean_days if i not in inj_idx)
json.dump(dict(clean_token_days=ctd, clean_tokens=len(clean_raw), all_credentials=len(set(TOKIDX) | inj_raw), injected_tokens=len(inj_raw)),
          open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)
cls_of = {}
for r in REG:
    cls_of[FP[r["raw"]]] = (r["name"].split("-")[0] + " registered", r["owner"])
for l in LABELS:
    if l["raw"]:
        cls_of[FP[l["raw"]]] = (l["token_class"], "injected")
with open(os.path.join(OUT, "token_classes.tsv"), "w") as f:
    for k, (c, o) in cls_of.items():
        f.write(f"{k}\t{c}\t{o}\n")
json.dump(PRINCIPALS, open(os.path.join(OUT, "principals.json"), "w"))
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    for s in sorted(ALL_SECRETS | {JWT_ID_SECRET, JWT_SMART_HS}):
        if len(s) < 16000:
            f.write(s + "\n")
json.dump(dict(seed=SEED, t0=iso(T0), tend=iso(TEND), jwt_secret_id=JWT_ID_SECRET, jwt_secret_smart=JWT_SMART_HS, kid_id=KID_ID, kid_smart_hs=KID_SMART_HS,
               kid_smart_rs=KID_SMART_RS, items_clean=CLEAN_ITEMS, items_total=n_items[0] + n_items[1], spans=n_items[0], logs=n_items[1],
               storm=[iso(STORM[0]), iso(STORM[1])], careplan_launch=iso(CARE_PLAN_LAUNCH), h07_nat_change=iso(h7["change_at"])),
          open(os.path.join(OUT, "world.json"), "w"), indent=1)

# ================================================================= requests
print(f"writing requests ({len(EV)} items)", file=sys.stderr, flush=True)
EV.sort(key=lambda e: (e[0], e[1] if isinstance(e[1], int) else 99))
nreq = [0, 0]


def resource_js(xi):
    name, sig, f, inst = EXPORTERS[xi]
    ra = [("service.name", name), ("service.instance.id", inst), ("service.namespace", "caregrid"), ("deployment.environment.name", "prod"),
          ("cloud.provider", "aws"), ("cloud.region", "us-east-2"), ("k8s.cluster.name", "cg-prod-use2")]
    return "[" + ",".join(kv(k, v) for k, v in ra) + "]"


RES = {xi: resource_js(xi) for xi in range(len(EXPORTERS))}
lines = []


def flush_bucket(items):
    by = collections.defaultdict(list)
    for arr, xi, js in items:
        by[xi].append(js)
    tr, lg = [], []
    for xi, L in by.items():
        if isinstance(xi, int) and xi >= 0:
            name, sig = EXPORTERS[xi][0], EXPORTERS[xi][1]
            for c in range(0, len(L), 1000):
                chunk = L[c:c + 1000]
                if sig == "t":
                    tr.append('{"resource":{"attributes":%s},"scopeSpans":[{"scope":{"name":"io.opentelemetry.http","version":"2.10.0"},"spans":[%s]}]}' % (RES[xi], ",".join(chunk)))
                else:
                    lg.append('{"resource":{"attributes":%s},"scopeLogs":[{"scope":{"name":"%s"},"logRecords":[%s]}]}' % (RES[xi], "envoy.access" if name == "edge-gateway" else "app", ",".join(chunk)))
        else:
            for (_, res_attrs, xspan) in L:
                tr.append('{"resource":{"attributes":[%s]},"scopeSpans":[{"scope":{"name":"deployctl"},"spans":[%s]}]}' % (",".join(kv(k, v) for k, v in res_attrs), xspan))
    out = []
    if tr:
        out.append('{"p":"/v1/traces","b":{"resourceSpans":[%s]}}' % ",".join(tr)); nreq[0] += 1
    if lg:
        out.append('{"p":"/v1/logs","b":{"resourceLogs":[%s]}}' % ",".join(lg)); nreq[1] += 1
    return out


dups = 0
with gzip.open(os.path.join(OUT, "requests.jsonl.gz"), "wt", compresslevel=3) as f:
    cur, curb = [], None
    pending = []
    for e in EV:
        arr, xi, js = e
        if xi == -1:
            js = js  # tuple payload
        b = int(arr // 30)
        if curb is not None and b != curb:
            for ln in flush_bucket(cur):
                f.write(ln + "\n")
                if R.random() < 0.02:
                    pending.append((R.randint(1, 4), ln)); dups += 1
            nxt = []
            for k, ln in pending:
                if k <= 1:
                    f.write(ln + "\n")
                else:
                    nxt.append((k - 1, ln))
            pending = nxt
            cur = []
        curb = b
        cur.append(e)
    for ln in flush_bucket(cur):
        f.write(ln + "\n")
    for k, ln in pending:
        f.write(ln + "\n")
wj = json.load(open(os.path.join(OUT, "world.json")))
wj.update(requests_traces=nreq[0], requests_logs=nreq[1], duplicated_requests=dups, labels=len(labs))
json.dump(wj, open(os.path.join(OUT, "world.json"), "w"), indent=1)
print(json.dumps(dict(items=len(EV), requests=nreq, dups=dups, labels=len(labs), clean_token_days=ctd, credentials=len(set(TOKIDX) | inj_raw),
                      clean_tokens=len(clean_raw))), flush=True)
print(collections.Counter(l["type"] for l in labs), flush=True)
