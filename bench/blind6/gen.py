#!/usr/bin/env python3
"""blind6 world generator: "Fernwerk", an IoT fleet + developer platform company.

Writes into OUT (default ./world):
  requests/NNNNNN-{traces|logs}.json   OTLP/JSON export requests in send order (resends included)
  secrets.txt                          every raw secret sent (for the leak search), one per line
  labels.jsonl                         injected misuse (token ids filled in by fingerprint step)
  policy.yaml                          the security team's policy (registry by fingerprint)
  clean_stats.json                     clean token-days etc.
Python 3 standard library only. Deterministic for a given seed.
"""
import zlib, base64, hashlib, hmac, json, os, random, sys, subprocess, zoneinfo
from datetime import datetime, timezone, timedelta
from concurrent.futures import ThreadPoolExecutor

SEED = int(os.environ.get("SEED", "6"))
OUT = sys.argv[1] if len(sys.argv) > 1 else "world"
BIN = os.environ.get("BIN", "bin")
FPKEY = os.environ.get("FPKEY", os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys", "fingerprint.key"))
R = random.Random(SEED)

UTC = timezone.utc
T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)      # Sunday
T1 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)       # Tuesday 00:00, 9 days
S0 = int(T0.timestamp()); S1 = int(T1.timestamp())
DAY = 86400; HOUR = 3600; MIN = 60
RELEASE = int(datetime(2026, 11, 26, 14, 0, tzinfo=UTC).timestamp())
OUTAGE = (int(datetime(2026, 11, 27, 9, 10, tzinfo=UTC).timestamp()), int(datetime(2026, 11, 27, 9, 45, tzinfo=UTC).timestamp()))
MONTH_END = int(datetime(2026, 11, 30, 0, 0, tzinfo=UTC).timestamp())
ATTACK0 = int(datetime(2026, 11, 27, 6, 0, tzinfo=UTC).timestamp())

ISSUER = "https://auth.fernwerk.io/"
JWT_SECRET = b"fw-idp-hs256-signing-secret-2026q4-7c1e9a4f0b22d853aa"
JWT_KID = "fw-idp-2026q4"
B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

def rs(n, alpha=B62, rng=R):
    return "".join(rng.choice(alpha) for _ in range(n))

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(claims, secret=JWT_SECRET, alg="HS256", kid=JWT_KID):
    h = {"alg": alg, "typ": "JWT", "kid": kid}
    si = b64u(json.dumps(h, separators=(",", ":")).encode()) + "." + b64u(json.dumps(claims, separators=(",", ":")).encode())
    if alg == "none":
        return si + "."
    dig = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    return si + "." + b64u(hmac.new(secret, si.encode(), dig).digest())

def iso(ts):
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

# ---------------------------------------------------------------- addresses
def ip_in(prefix, rng=R):
    """prefix like '172.56' or '172.56.14' -> random host"""
    parts = prefix.split(".")
    while len(parts) < 4:
        parts.append(str(rng.randint(1, 254)))
    return ".".join(parts)

CARRIERS = {  # mobile carriers with CGNAT pools (several /16s each)
    "tmobile_us": ["172.56", "172.58", "172.59"],
    "verizon": ["174.205", "174.212", "174.198"],
    "att": ["107.77", "166.205"],
    "telekom_de_m": ["80.187"],
    "vodafone_de_m": ["109.40", "109.41"],
    "ee_uk": ["31.94"],
    "orange_fr_m": ["92.184"],
}
RESID = {  # fixed-line ISPs (home routers, small sites)
    "comcast": ["73.15", "73.92", "73.189", "98.207", "24.6"],
    "dtag": ["84.152", "87.163", "91.58", "79.214"],
    "vodafone_de": ["88.70", "94.134"],
    "bt": ["86.140", "86.155"],
    "orange_fr": ["90.24", "90.91"],
    "jio": ["49.36", "49.43"],
    "airtel": ["122.161", "122.177"],
    "ntt": ["153.150", "153.222"],
    "telstra": ["101.184", "120.148"],
    "spectrum": ["66.65", "75.85"],
}
OFFICE = {"berlin": "195.145.61", "sf": "50.204.111", "bangalore": "182.74.52"}
CLOUD = {  # partners' servers
    "aws": ["3.120", "18.196", "52.28", "54.93", "3.236", "18.209", "52.15"],
    "gcp": ["34.89", "35.198", "34.141"],
    "azure": ["20.52", "40.74", "51.105"],
}
GHA = ["20.55", "20.98", "40.84", "52.176", "104.45", "20.171", "13.89"]  # CI runners (Azure)
VPS = {  # attacker infrastructure: hosting providers
    "digitalocean": ["159.65", "167.71", "138.68", "164.90"],
    "hetzner": ["5.161", "65.108", "95.217"],
    "ovh": ["51.75", "54.36"],
    "vultr": ["45.77", "149.28"],
    "linode": ["172.105", "139.162"],
    "m247": ["185.230.125", "89.238.150"],
}
PROXY_RESID = ["177.92", "187.36", "113.161", "14.232", "186.11", "41.216", "105.112", "190.98", "36.71", "118.69",
               "201.17", "181.48", "102.89", "171.253", "27.72", "125.165", "200.63", "1.54", "39.40", "110.136"]

def lb(prefix="10.2"):
    return ip_in(prefix + "." + str(R.randint(0, 3)))

# ---------------------------------------------------------------- events
EVENTS = []          # each: dict
CLEAN_TD = set()     # (token, day) of clean events
SECRETS = set()
LABELS = []
ROUTES_USED = {}     # token -> set of resources (for post-hoc scopes)

def tid():
    return "%032x" % R.getrandbits(128)

def sid():
    return "%016x" % R.getrandbits(64)

def ev(t, svc, method, route, path, status, auth=None, client=None, peer=None, sig="span", clean=True, tok=None,
       extra=None, res_extra=None, events=None, body=None, kind=2, xff=None, logfile=None):
    e = {"t": t, "svc": svc, "m": method, "r": route, "p": path, "s": status, "a": auth, "c": client, "pe": peer,
         "sig": sig, "x": extra, "rx": res_extra, "evs": events, "b": body, "k": kind, "xff": xff, "tok": tok, "clean": clean}
    EVENTS.append(e)
    if tok:
        SECRETS.add(tok)
        if clean:
            CLEAN_TD.add((tok, (t - S0) // DAY))
    return e

def label(ftype, cred, start, end, desc, **kw):
    d = {"id": "L%03d" % (len(LABELS) + 1), "type": ftype, "start": iso(int(start)), "end": iso(int(end)), "desc": desc}
    if isinstance(cred, list):
        d["client_addresses"] = cred
    else:
        d["raw"] = cred     # replaced by token id before writing
    d.update(kw)
    LABELS.append(d)

# ---------------------------------------------------------------- route catalogue
DEV_ROUTES = [  # (method, route, path template, scope, weight)
    ("GET", "/v2/devices", "/v2/devices", "devices:read", 10),
    ("GET", "/v2/devices/{device_id}", "/v2/devices/{n}", "devices:read", 25),
    ("GET", "/v2/devices/{device_id}/telemetry", "/v2/devices/{n}/telemetry", "devices:read", 15),
    ("POST", "/v2/devices", "/v2/devices", "devices:write", 2),
    ("PATCH", "/v2/devices/{device_id}", "/v2/devices/{n}", "devices:write", 4),
    ("POST", "/v2/devices/{device_id}/commands", "/v2/devices/{n}/commands", "devices:write", 3),
    ("GET", "/v2/fleets", "/v2/fleets", "fleet:read", 4),
    ("GET", "/v2/fleets/{fleet_id}", "/v2/fleets/{n}", "fleet:read", 6),
    ("GET", "/v2/fleets/{fleet_id}/devices", "/v2/fleets/{n}/devices", "fleet:read", 6),
    ("GET", "/v2/firmware/images", "/v2/firmware/images", "firmware:write", 2),
    ("POST", "/v2/firmware/images", "/v2/firmware/images", "firmware:write", 1),
    ("GET", "/v2/webhooks", "/v2/webhooks", "webhooks:manage", 1),
    ("PUT", "/v2/webhooks/{webhook_id}", "/v2/webhooks/{n}", "webhooks:manage", 1),
    ("GET", "/v2/reports/usage", "/v2/reports/usage", "reports:read", 2),
]
NEW_ROUTES = [("GET", "/v2/devices/{device_id}/diagnostics", "/v2/devices/{n}/diagnostics", "devices:read", 12)]
INT_ROUTES = [
    ("GET", "/v2/devices", "/v2/devices", "devices:read"),
    ("GET", "/v2/devices/{device_id}/telemetry", "/v2/devices/{n}/telemetry", "devices:read"),
    ("GET", "/v2/fleets/{fleet_id}/devices", "/v2/fleets/{n}/devices", "fleet:read"),
    ("GET", "/v2/reports/usage", "/v2/reports/usage", "reports:read"),
    ("GET", "/v2/reports/billing/{month}", "/v2/reports/billing/{m}", "reports:read"),
    ("POST", "/v2/devices/{device_id}/commands", "/v2/devices/{n}/commands", "devices:write"),
]
SCOPES = {
    "devices:read": ["GET /v2/devices", "GET /v2/devices/{device_id}", "GET /v2/devices/{device_id}/telemetry",
                     "GET /v2/devices/{device_id}/diagnostics", "GET /v2/devices/{device_id}/telemetry/export"],
    "devices:write": ["POST /v2/devices", "PATCH /v2/devices/{device_id}", "DELETE /v2/devices/{device_id}",
                      "POST /v2/devices/{device_id}/commands"],
    "fleet:read": ["GET /v2/fleets", "GET /v2/fleets/{fleet_id}", "GET /v2/fleets/{fleet_id}/devices"],
    "fleet:admin": ["POST /v2/fleets", "DELETE /v2/fleets/{fleet_id}", "PUT /v2/fleets/{fleet_id}/policy"],
    "firmware:write": ["* /v2/firmware/**"],
    "firmware:publish": ["POST /v2/firmware/releases"],
    "reports:read": ["GET /v2/reports/**"],
    "webhooks:manage": ["* /v2/webhooks/**"],
    "keys:read": ["GET /v2/devices/{device_id}/keys"],
    "telemetry:write": ["POST /v1/ingest/*/readings", "POST /v1/ingest/*/events"],
    "config:read": ["GET /v1/devices/*/config", "GET /v1/devices/*/firmware"],
}
SCOPE_OF = {}
for sc, pats in SCOPES.items():
    for p in pats:
        SCOPE_OF[p] = sc

def fill(path):
    return path.replace("{n}", str(R.randint(100000, 999999))).replace("{m}", "2026-%02d" % R.randint(1, 11))

# ---------------------------------------------------------------- population
TENANTS = ["tn-%s" % w for w in ["ackerwerk", "solvia", "hydrant", "nordgrid", "voltaro", "kestrel", "pampa", "rivet",
                                 "ostwind", "lumen", "terrawatt", "cobalt", "quell", "fjord", "sundial", "brightline",
                                 "meridian", "okapi", "zephyr", "harbor"]]
for i in range(100):
    TENANTS.append("tn-c%03d" % i)

class Device:
    pass

DEVICES = []
NDEV = int(os.environ.get("NDEV", "5000"))
for i in range(NDEV):
    d = Device()
    d.n = 100000 + i * 7 + R.randint(0, 6)
    d.key = "fwdk_" + rs(40)
    d.tenant = R.choice(TENANTS[:20]) if R.random() < 0.6 else R.choice(TENANTS)
    r = R.random()
    d.cls = "meter" if r < 0.60 else "charger" if r < 0.89 else "gateway" if r < 0.95 else "sparse"
    if R.random() < 0.55:   # cellular: CGNAT pool, several /24s
        car = R.choice(list(CARRIERS))
        d.addrs = [ip_in(R.choice(CARRIERS[car])) for _ in range(R.randint(2, 6))]
    else:
        isp = R.choice(list(RESID))
        a = ip_in(R.choice(RESID[isp]))
        d.addrs = [a] if R.random() < 0.7 else [a, ip_in(".".join(a.split(".")[:3]))]
    d.created = S0 - R.randint(20, 900) * DAY
    d.phase = R.randint(0, 6 * HOUR)
    d.clean = True
    DEVICES.append(d)

def dev_ingest(d, t, path_kind="readings", status=200, client=None, key=None, clean=True, method=None):
    if path_kind == "readings":
        m, p = "POST", "/v1/ingest/%d/readings" % d.n
    elif path_kind == "events":
        m, p = "POST", "/v1/ingest/%d/events" % d.n
    elif path_kind == "config":
        m, p = "GET", "/v1/devices/%d/config" % d.n
    elif path_kind == "firmware":
        m, p = "GET", "/v1/devices/%d/firmware" % d.n
    else:
        m, p = path_kind
    k = key or d.key
    ev(t, "ingest-gw", method or m, None, p, status, auth=("x-api-key", k), client=client or R.choice(d.addrs),
       peer=lb("10.1"), sig="log", clean=clean, tok=k, body={"upstream_cluster": "ingest", "duration_ms": R.randint(3, 90),
                                                            "bytes_sent": R.randint(40, 900)})

def gen_devices():
    for d in DEVICES:
        if d.cls == "meter":
            period = 6 * HOUR
        elif d.cls == "gateway":
            period = 60 * MIN
        elif d.cls == "sparse":
            period = R.choice([12, 24]) * HOUR
        else:
            period = None
        if period:
            t = S0 + d.phase % period
            while t < S1:
                tt = t + R.randint(-120, 120)
                st = 200
                if OUTAGE[0] <= tt < OUTAGE[1]:
                    # 503 then retries with backoff
                    for k, back in enumerate([0, 30, 90, 270]):
                        tr = tt + back
                        st = 503 if tr < OUTAGE[1] else 200
                        dev_ingest(d, tr, status=st)
                        if st == 200:
                            break
                else:
                    dev_ingest(d, tt)
                if R.random() < 0.003:   # duplicate submit after client timeout
                    dev_ingest(d, tt + R.randint(5, 40))
                t += period
        else:  # charger: sessions, diurnal in its local-ish time (UTC offset by tenant hash)
            off = (zlib.crc32(d.tenant.encode()) % 3) * 6 * HOUR
            day = S0
            while day < S1:
                ns = R.randint(1, 3)
                for _ in range(ns):
                    hr = int(R.triangular(6, 23, 17))
                    st = day + hr * HOUR + R.randint(0, 3599) - off
                    for j in range(R.randint(2, 6)):
                        tt = st + j * R.randint(300, 900)
                        if S0 <= tt < S1:
                            status = 503 if OUTAGE[0] <= tt < OUTAGE[1] else 200
                            dev_ingest(d, tt, status=status)
                            if status == 503:
                                dev_ingest(d, tt + R.randint(60, 400), status=200 if tt + 400 > OUTAGE[1] else 503)
                day += DAY
        # config poll daily (+ firmware check for gateways), new events route after release
        t = S0 + (d.phase * 7) % DAY
        while t < S1:
            dev_ingest(d, t + R.randint(-300, 300), "config")
            if d.cls == "gateway":
                dev_ingest(d, t + R.randint(600, 1200), "firmware")
            t += DAY
        if d.cls in ("gateway", "charger") and R.random() < 0.7:
            # firmware 4.2 rollout after the release adds the events route
            t = RELEASE + R.randint(0, 30 * HOUR)
            while t < S1:
                dev_ingest(d, t, "events")
                t += R.randint(2, 8) * HOUR

# ---------------------------------------------------------------- developers
TZS = [("America/Los_Angeles", 0.22), ("America/New_York", 0.18), ("Europe/Berlin", 0.22), ("Europe/London", 0.1),
       ("Asia/Kolkata", 0.14), ("Asia/Tokyo", 0.06), ("Australia/Sydney", 0.08)]
TZHOME = {"America/Los_Angeles": ["comcast", "spectrum"], "America/New_York": ["comcast", "spectrum"],
          "Europe/Berlin": ["dtag", "vodafone_de"], "Europe/London": ["bt"], "Asia/Kolkata": ["jio", "airtel"],
          "Asia/Tokyo": ["ntt"], "Australia/Sydney": ["telstra"]}
TZCAR = {"America/Los_Angeles": "tmobile_us", "America/New_York": "verizon", "Europe/Berlin": "telekom_de_m",
         "Europe/London": "ee_uk", "Asia/Kolkata": "airtel", "Asia/Tokyo": "ntt", "Australia/Sydney": "telstra"}
TZOFF = {"America/Los_Angeles": "sf", "America/New_York": "sf", "Europe/Berlin": "berlin", "Europe/London": "berlin",
         "Asia/Kolkata": "bangalore", "Asia/Tokyo": None, "Australia/Sydney": None}

class Dev:
    pass

DEVS = []
NDEVS = int(os.environ.get("NDEVS", "420"))
for i in range(NDEVS):
    v = Dev()
    v.name = "u%04d" % (1000 + i)
    x = R.random(); acc = 0
    for tz, w in TZS:
        acc += w
        if x <= acc:
            v.tz = tz; break
    else:
        v.tz = TZS[-1][0]
    v.zi = zoneinfo.ZoneInfo(v.tz)
    isp = R.choice(TZHOME[v.tz]); homes = RESID[isp] if isp in RESID else CARRIERS[isp]
    v.home = ip_in(R.choice(homes))
    v.office = TZOFF[v.tz]
    car = TZCAR[v.tz]
    v.phone = CARRIERS.get(car, RESID.get(car))
    v.start_h = R.choice([7, 8, 8, 9, 9, 9, 10, 10, 11])
    v.len_h = R.choice([8, 8, 9, 9, 10])
    v.rate = R.choice([15, 25, 40, 40, 60, 90])    # calls per working day
    v.weekend = R.random() < 0.12
    v.pat = "fwp_" + rs(36)
    w = [r for r in DEV_ROUTES]
    v.routes = R.sample(w, R.randint(4, 9))
    v.routes = sorted(v.routes, key=lambda r: -r[4])
    v.ci = "fwp_" + rs(36) if R.random() < 0.35 else None
    v.contractor = False
    v.travel = None
    v.pat_created = S0 - R.randint(5, 300) * DAY
    v.ci_created = S0 - R.randint(5, 300) * DAY
    DEVS.append(v)
for v in DEVS[:10]:
    v.contractor = True
for v in R.sample(DEVS[10:], 6):
    v.travel = R.choice(["Asia/Tokyo", "Europe/Berlin", "America/New_York"])

def local_dt(ts, zi):
    return datetime.fromtimestamp(ts, zi)

def dev_call(v, t, route, tok=None, status=None, client=None, clean=True, svc="api-gateway", path=None):
    m, r, p = route[0], route[1], route[2]
    tok = tok or v.pat
    if status is None:
        status = 200 if R.random() > 0.01 else R.choice([404, 409, 422, 500])
    ROUTES_USED.setdefault(tok, set()).add(m + " " + r)
    ev(t, svc, m, r, path or fill(p), status, auth=("authorization", "Bearer " + tok), client=client, peer=lb("10.2"),
       clean=clean, tok=tok)

def gen_dev(v):
    day = S0 - DAY
    while day < S1 + DAY:
        ld = local_dt(day, v.zi)
        # each local day
        for dd in range(1):
            pass
        day += DAY
    # iterate local days
    d0 = local_dt(S0, v.zi).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    for k in range(11):
        dl = d0 + timedelta(days=k)
        wd = dl.weekday()
        if wd >= 5 and not (v.weekend and R.random() < 0.5):
            continue
        if R.random() < 0.07:   # day off
            continue
        n = max(3, int(R.gauss(v.rate, v.rate * 0.3)))
        if wd >= 5:
            n = n // 3
        st = dl + timedelta(hours=v.start_h, minutes=R.randint(-40, 40))
        span_s = v.len_h * HOUR
        base = int(st.timestamp())
        traveling = v.travel and (base >= S0 + 3 * DAY) and (base < S0 + 6 * DAY)
        if traveling:
            hotel = ip_in({"Asia/Tokyo": "153.246", "Europe/Berlin": "87.123", "America/New_York": "96.247"}[v.travel])
        wfh = v.office is None or R.random() < 0.45
        for j in range(n):
            t = base + int(R.random() ** 1.1 * span_s)
            if not (S0 <= t < S1):
                continue
            if traveling:
                cl = hotel
            elif R.random() < 0.04:
                cl = ip_in(R.choice(v.phone))
            elif wfh:
                cl = v.home
            else:
                cl = ip_in(OFFICE[v.office])
            routes = v.routes + (NEW_ROUTES if t >= RELEASE + R.randint(0, 6 * HOUR) else [])
            rt = R.choices(routes, weights=[r[4] for r in routes])[0]
            dev_call(v, t, rt, client=cl)
            if R.random() < 0.25:   # the UI issues a couple of follow-ups
                for q in range(R.randint(1, 3)):
                    dev_call(v, t + R.randint(1, 20), rt, client=cl)
        # CI runs
        if v.ci:
            for r_ in range(R.randint(1, 4)):
                t = base + R.randint(0, span_s)
                runner = ip_in(R.choice(GHA))
                for q in range(R.randint(10, 30)):
                    tt = t + q * R.randint(2, 8)
                    if S0 <= tt < S1:
                        rt = R.choice(v.routes[:3])
                        dev_call(v, tt, rt, tok=v.ci, client=runner)

# ---------------------------------------------------------------- integrations (OAuth client credentials, hourly JWTs)
class Integ:
    pass

INTEGS = []
NINT = int(os.environ.get("NINT", "180"))
for i in range(NINT):
    g = Integ()
    g.cid = "int-%s-%03d" % (R.choice(["crm", "erp", "bms", "energy", "insure", "grid", "analytics"]), i)
    prov = R.choice(list(CLOUD))
    g.addrs = [ip_in(R.choice(CLOUD[prov]) + "." + str(R.randint(0, 255))) for _ in range(R.randint(1, 3))]
    g.scopes = sorted(set(R.sample(["devices:read", "fleet:read", "reports:read", "devices:write"], R.randint(1, 3))))
    g.routes = [r for r in INT_ROUTES if r[3] in g.scopes] or [INT_ROUTES[0]]
    g.mode = R.choice(["biz", "steady", "nightly"])
    g.tz = zoneinfo.ZoneInfo(R.choice(["Europe/Berlin", "America/Chicago", "Europe/Paris", "America/New_York"]))
    g.allowlisted = R.random() < 0.25
    g.monthend = "reports:read" in g.scopes and R.random() < 0.6
    g.xff = R.random() < 0.3
    INTEGS.append(g)

def int_token(g, iat, life=HOUR, **extra):
    c = {"iss": ISSUER, "sub": g.cid, "client_id": g.cid, "aud": "https://api.fernwerk.io", "scope": " ".join(g.scopes),
         "iat": iat, "exp": iat + life, "jti": rs(22)}
    c.update(extra)
    return jwt(c)

def int_call(g, t, tok, route=None, status=200, client=None, clean=True):
    rt = route or R.choice(g.routes)
    cl = client or R.choice(g.addrs)
    ROUTES_USED.setdefault(tok, set()).add(rt[0] + " " + rt[1])
    if g.xff and client is None:
        ev(t, "partner-api", rt[0], rt[1], fill(rt[2]), status, auth=("authorization", "Bearer " + tok), client=None,
           peer=lb("10.3"), xff=cl + ", 10.3.0.%d" % R.randint(2, 20), clean=clean, tok=tok)
    else:
        ev(t, "partner-api", rt[0], rt[1], fill(rt[2]), status, auth=("authorization", "Bearer " + tok), client=cl,
           peer=lb("10.3"), clean=clean, tok=tok)

def gen_integ(g):
    cur = None; cur_exp = 0
    times = []
    if g.mode == "steady":
        per = R.choice([15, 30]) * MIN
        t = S0 + R.randint(0, per)
        while t < S1:
            times.append(t + R.randint(-20, 20)); t += per
    elif g.mode == "biz":
        d0 = datetime.fromtimestamp(S0, g.tz).replace(hour=0, minute=0, second=0) - timedelta(days=1)
        for k in range(11):
            dl = d0 + timedelta(days=k)
            if dl.weekday() >= 5:
                continue
            t = int((dl + timedelta(hours=8)).timestamp())
            while t < int((dl + timedelta(hours=18)).timestamp()):
                if S0 <= t < S1:
                    times.append(t + R.randint(0, 60))
                t += 15 * MIN
    else:
        d0 = datetime.fromtimestamp(S0, g.tz).replace(hour=2, minute=R.randint(0, 50), second=0)
        for k in range(10):
            t = int((d0 + timedelta(days=k)).timestamp())
            for q in range(R.randint(30, 60)):
                tt = t + q * R.randint(3, 9)
                if S0 <= tt < S1:
                    times.append(tt)
    if g.monthend:  # month-end billing export: a burst of report pulls on Nov 30 (org-wide)
        t = MONTH_END + R.randint(6, 14) * HOUR + R.randint(0, 3599)
        for q in range(R.randint(40, 90)):
            times.append(t + q * R.randint(2, 6))
    times.sort()
    for t in times:
        if t >= cur_exp - 30:
            # the client refreshes; sometimes it first sends the expired token once (clean, RFC 6750)
            if cur and R.random() < 0.04 and t < cur_exp + 600:
                int_call(g, max(t, cur_exp + 5), cur, status=401)
            iat = t - R.randint(0, 5)
            cur = int_token(g, iat); cur_exp = iat + HOUR
        rt = None
        if g.monthend and t >= MONTH_END and t < MONTH_END + DAY and "reports:read" in g.scopes and R.random() < 0.8:
            rt = ("GET", "/v2/reports/billing/{month}", "/v2/reports/billing/2026-11", "reports:read")
        int_call(g, t, cur, route=rt)

# ---------------------------------------------------------------- internal services (daily service JWTs)
SERVICES = ["svc-billing", "svc-provisioning", "svc-alerting", "svc-ota", "svc-analytics", "svc-support-portal",
            "svc-notifier", "svc-search", "svc-audit-export", "svc-tenant-admin", "svc-scheduler", "svc-geo"]
INTERNAL_ROUTES = {
    "svc-billing": [("POST", "/internal/v1/billing/usage"), ("GET", "/internal/v1/tenants/{tenant_id}")],
    "svc-provisioning": [("POST", "/internal/v1/devices/{device_id}/claim"), ("GET", "/internal/v1/tenants/{tenant_id}")],
    "svc-alerting": [("GET", "/internal/v1/devices/{device_id}/state")],
    "svc-ota": [("GET", "/internal/v1/firmware/{build_id}"), ("POST", "/internal/v1/rollouts/{rollout_id}/progress")],
    "svc-analytics": [("GET", "/internal/v1/devices/{device_id}/state"), ("GET", "/internal/v1/tenants/{tenant_id}")],
    "svc-support-portal": [("GET", "/internal/v1/tenants/{tenant_id}"), ("GET", "/internal/v1/devices/{device_id}/state")],
    "svc-notifier": [("POST", "/internal/v1/notifications")],
    "svc-search": [("GET", "/internal/v1/index/{shard}")],
    "svc-audit-export": [("GET", "/internal/v1/audit/{day}")],
    "svc-tenant-admin": [("GET", "/internal/v1/tenants/{tenant_id}"), ("PUT", "/internal/v1/tenants/{tenant_id}")],
    "svc-scheduler": [("POST", "/internal/v1/jobs/{job_id}/run")],
    "svc-geo": [("GET", "/internal/v1/geo/{cell}")],
}
SVC_POD = {s: "10.20.%d" % (i + 10) for i, s in enumerate(SERVICES)}

def svc_token(s, iat, life=DAY + 600, **extra):  # v2: daily token valid 24h10m, so the next day's token (issued 23:55) overlaps; v1 expired 5 min before the switch
    c = {"iss": ISSUER, "sub": s, "azp": s, "aud": "platform-api", "scope": "internal", "iat": iat, "exp": iat + life,
         "jti": rs(22)}
    c.update(extra)
    return jwt(c)

def gen_services():
    for i, s in enumerate(SERVICES):
        per = R.choice([60, 90, 120, 180, 300])
        t = S0 + R.randint(0, per)
        day_tok = {}
        while t < S1:
            dn = (t - S0) // DAY
            if dn not in day_tok:
                day_tok[dn] = svc_token(s, S0 + dn * DAY - 300)
            tok = day_tok[dn]
            m, r = R.choice(INTERNAL_ROUTES[s])
            path = r.split("{")[0] + str(R.randint(1000, 99999)) + (r.split("}")[1] if "}" in r else "")
            st = 200 if R.random() > 0.005 else 503
            ev(t, "platform-api", m, r, path, st, auth=("authorization", "Bearer " + tok), client=None,
               peer=ip_in(SVC_POD[s]), tok=tok)
            t += int(per * R.uniform(0.5, 1.5))

# release-bot: publishes firmware releases (restricted route), clean
RELEASE_BOT = "fwp_" + rs(36)
def gen_release_bot():
    for t in [RELEASE - 1800, S0 + 2 * DAY + 50000, S0 + 7 * DAY + 40000]:
        runner = ip_in(R.choice(GHA))
        for q in range(6):
            rt = ("POST", "/v2/firmware/releases", "/v2/firmware/releases") if q == 3 else ("GET", "/v2/firmware/images", "/v2/firmware/images")
            ROUTES_USED.setdefault(RELEASE_BOT, set()).add(rt[0] + " " + rt[1])
            ev(t + q * 20, "api-gateway", rt[0], rt[1], rt[2], 201 if q == 3 else 200,
               auth=("authorization", "Bearer " + RELEASE_BOT), client=runner, peer=lb("10.2"), tok=RELEASE_BOT)

# ---------------------------------------------------------------- automation tokens (bots of tenants), registry extras
REG = []   # registry entries: dict(raw, owner, owner_type, scopes, created, expires, last_used, name)
AUTOS = []
for i in range(14):
    a = Dev(); a.name = "bot-%s-sync-%02d" % (R.choice(TENANTS[:20])[3:], i)
    a.pat = "fwp_" + rs(36)
    prov = R.choice(list(CLOUD)); a.addr = ip_in(R.choice(CLOUD[prov]) + "." + str(R.randint(0, 255)))
    a.routes = R.sample(DEV_ROUTES[:3] + DEV_ROUTES[6:9], 3)
    a.period = R.choice([60, 120, 180]) * MIN
    a.created = S0 - R.randint(120, 260) * DAY
    AUTOS.append(a)

def gen_autos():
    for a in AUTOS:
        t = S0 + R.randint(0, a.period)
        while t < S1:
            for q in range(R.randint(3, 8)):
                rt = R.choice(a.routes)
                ROUTES_USED.setdefault(a.pat, set()).add(rt[0] + " " + rt[1])
                ev(t + q * 3, "api-gateway", rt[0], rt[1], fill(rt[2]), 200, auth=("authorization", "Bearer " + a.pat),
                   client=a.addr, peer=lb("10.2"), tok=a.pat)
            t += a.period + R.randint(-60, 60)

# ---------------------------------------------------------------- generate clean
gen_devices()
for v in DEVS:
    if v.contractor:
        v.weekend = False
    gen_dev(v)
for g in INTEGS:
    gen_integ(g)
gen_services()
gen_release_bot()
gen_autos()
NCLEAN_EVENTS = len(EVENTS)

# ---------------------------------------------------------------- injections
ATT = R.Random(SEED * 7 + 1) if False else random.Random(SEED * 7 + 1)
USED = set()
def pick(pool, cond=lambda x: True):
    c = [x for x in pool if id(x) not in USED and cond(x)]
    x = ATT.choice(c); USED.add(id(x)); return x

def at(day_from=5.3, day_to=8.85):
    return S0 + int(ATT.uniform(day_from, day_to) * DAY)

def vps(kind=None):
    kind = kind or ATT.choice(list(VPS))
    return ip_in(ATT.choice(VPS[kind]), ATT)

def proxy():
    return ip_in(ATT.choice(PROXY_RESID), ATT)

def scopes_of(tok):
    s = set()
    for res in ROUTES_USED.get(tok, ()):
        for pat, sc in SCOPE_OF.items():
            if pat == res or (pat.startswith("* ") and res.split(" ", 1)[1].startswith(pat[2:].rstrip("*").rstrip("/"))) \
               or (pat.endswith("/**") and res.startswith(pat[:-3])):
                s.add(sc)
    return s

def in_work(v, t):
    l = local_dt(t, v.zi)
    return l.weekday() < 5 and v.start_h + 1 <= l.hour < v.start_h + v.len_h - 2

def work_time(v, lo=5.3, hi=8.7):
    for _ in range(1000):
        t = at(lo, hi)
        if in_work(v, t):
            return t
    raise RuntimeError("no work time")

def atk_dev(v, t, route, tok=None, status=200, client=None, svc="api-gateway", path=None, auth=None):
    tok = tok or v.pat
    m, r, p = route[0], route[1], route[2]
    ev(t, svc, m, r, path or fill(p), status, auth=auth or ("authorization", "Bearer " + tok), client=client,
       peer=lb("10.2"), clean=False, tok=tok)

R_EXPORT = ("GET", "/v2/devices/{device_id}/telemetry/export", "/v2/devices/{n}/telemetry/export")
R_DEV = DEV_ROUTES[1]
has = lambda v, sc: sc in scopes_of(v.pat)
normal_dev = lambda v: not v.contractor and not v.travel

# --- rate_surge
d = pick(DEVICES, lambda d: d.cls == "meter"); t = at(); d.clean = False
for q in range(15 * 35):
    dev_ingest(d, t + q * 60 // 35, "config", clean=False, client=d.addrs[0])
label("rate_surge", d.key, t, t + 15 * 60, "meter key (4 calls/day) polls config 35/min for 15 min from its own NAT address (cloned device)")
d = pick(DEVICES, lambda d: d.cls == "sparse"); t = at(); d.clean = False
for q in range(150):
    dev_ingest(d, t + q * 20, "readings", clean=False, client=d.addrs[0])
label("rate_surge", d.key, t, t + 150 * 20, "sparse sensor key (1-2 calls/day) makes 150 calls in 50 min, 3/min (hour-scale only)")
d = pick(DEVICES, lambda d: d.cls == "charger"); t = at(); d.clean = False; cl = vps("hetzner")
for q in range(360):
    dev_ingest(d, t + q, "config", clean=False, client=cl)
label("rate_surge", d.key, t, t + 360, "charger key scraped 60/min for 6 min from a Hetzner server", incidental_ok=["new_client_address"])
v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read")); t = work_time(v)
for q in range(700):
    atk_dev(v, t + q * 60 // 70, R_DEV, client=v.home)
label("rate_surge", v.pat, t, t + 600, "developer PAT: 70 req/min for 10 min from the owner's home address (malware on laptop dumping devices)")
v = pick(DEVS, lambda v: v.ci and normal_dev(v)); t = work_time(v); runner = ip_in(ATT.choice(GHA), ATT)
for q in range(600):
    atk_dev(v, t + q * 3, v.routes[0], tok=v.ci, client=runner)
label("rate_surge", v.ci, t, t + 1800, "CI PAT: compromised workflow makes 600 calls in 30 min (20/min sustained) from a CI runner")
g = pick(INTEGS, lambda g: g.mode == "steady" and not g.allowlisted); t = at()
tok = int_token(g, t - 600)
for q in range(400):
    ev(t + q * 60 // 40, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
       auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
label("rate_surge", tok, t, t + 600, "integration (one call per 15-30 min) hourly JWT: 40/min for 10 min from its usual server")

# --- new_client_address (low-rate stolen use) and combined
for k in range(2):
    v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read")); t = work_time(v); cl = vps("digitalocean")
    for q in range(3):
        atk_dev(v, t + q * ATT.randint(40, 400), v.routes[0], client=cl)
    label("new_client_address", v.pat, t, t + 1200, "developer PAT used 3 times from a DigitalOcean VPS (stolen, low rate, usual routes)")
d = pick(DEVICES, lambda d: len(d.addrs) >= 3); t = at(); cl = vps("hetzner"); d.clean = False
for q in range(2):
    dev_ingest(d, t + q * 500, "readings", clean=False, client=cl)
label("new_client_address", d.key, t, t + 500, "cellular device key (several usual CGNAT addresses) used twice from Hetzner")
d = pick(DEVICES, lambda d: len(d.addrs) <= 2 and d.cls != "gateway"); t = at(); cl = ip_in("113.161", ATT); d.clean = False
for q in range(4):
    dev_ingest(d, t + q * 700, "config", clean=False, client=cl)
label("new_client_address", d.key, t, t + 2100, "home-broadband device key used 4 times from a Vietnamese residential ISP")
g = pick(INTEGS, lambda g: not g.allowlisted); t = at(); tok = int_token(g, t - 900); cl = vps("ovh")
for q in range(3):
    ev(t + q * 300, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
       auth=("authorization", "Bearer " + tok), client=cl, peer=lb("10.3"), clean=False, tok=tok)
label("new_client_address", tok, t, t + 600, "integration's current hourly JWT replayed 3 times from an OVH server")
v = pick(DEVS, lambda v: normal_dev(v)); t = work_time(v); cl = vps("m247")
for q in range(2):
    atk_dev(v, t + q * 900, v.routes[0], client=cl)
label("new_client_address", v.pat, t, t + 900, "developer PAT used twice from an M247 VPN exit")
for k in range(5):
    if k < 3:
        v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read") and R_EXPORT[0] + " " + R_EXPORT[1] not in ROUTES_USED.get(v.pat, ()))
        t = work_time(v); cl = vps(); tok = v.pat
        atk_dev(v, t, v.routes[0], client=cl)
        for q in range(4):
            atk_dev(v, t + 300 + q * 120, R_EXPORT, client=cl)
        t2 = t + 300 + 2 * 120
    else:
        d = pick(DEVICES, lambda d: d.cls == "meter"); t = at(); cl = vps(); tok = d.key; d.clean = False
        dev_ingest(d, t, "config", clean=False, client=cl)
        for q in range(4):
            dev_ingest(d, t + 240 + q * 90, "firmware", clean=False, client=cl)
        t2 = t + 240 + 2 * 90
    label("new_client_address", tok, t, t + 800, "stolen credential from a new hosting network, then a resource never used (combined case %d)" % (k + 1))
    label("new_resource", tok, t, t + 800, "stolen credential calls a route it never used, 4 times (combined case %d)" % (k + 1))
    label("combined_findings", tok, t, t + 800, "new network + new resource within minutes (combined case %d)" % (k + 1))

# --- new_resource standalone
for k in range(3):
    v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read") and R_EXPORT[0] + " " + R_EXPORT[1] not in ROUTES_USED.get(v.pat, ()))
    t = work_time(v); cl = v.home
    for q in range(5):
        atk_dev(v, t + q * 240, R_EXPORT, client=cl)
    label("new_resource", v.pat, t, t + 960, "developer PAT bulk-exports telemetry (never-used route in its scope) 5 times from home")
for k in range(2):
    d = pick(DEVICES, lambda d: d.cls in ("meter", "charger")); t = at(); d.clean = False
    for q in range(4):
        dev_ingest(d, t + q * 200, "firmware", clean=False, client=d.addrs[0])
    label("new_resource", d.key, t, t + 600, "device key that never fetched firmware metadata calls it 4 times from its own address")

# --- multi_address
v = pick(DEVS, lambda v: normal_dev(v)); t = work_time(v)
for q in range(5):
    atk_dev(v, t + q * 100, v.routes[0], client=proxy())
label("multi_address", v.pat, t, t + 500, "developer PAT from 5 residential-proxy networks within 8 minutes")
d = pick(DEVICES, lambda d: d.cls == "gateway"); t = at(); d.clean = False
for q in range(4):
    dev_ingest(d, t + q * 90, "config", clean=False, client=vps())
label("multi_address", d.key, t, t + 360, "gateway device key from 4 hosting networks within 6 minutes")
v = pick(DEVS, lambda v: normal_dev(v)); t = work_time(v)
for q, k in enumerate(["m247", "vultr", "ovh", "linode"]):
    atk_dev(v, t + q * 130, v.routes[0], client=vps(k))
label("multi_address", v.pat, t, t + 520, "developer PAT through 4 VPN providers within 9 minutes")
d = pick(DEVICES, lambda d: len(d.addrs) >= 3); t = at(); d.clean = False
for q in range(5):
    dev_ingest(d, t + q * 80, "readings", clean=False, client=proxy())
label("multi_address", d.key, t, t + 400, "cellular device key (several usual addresses) from 5 proxy networks within 7 minutes")
g = pick(INTEGS, lambda g: not g.allowlisted and g.mode != "nightly"); t = at(); tok = int_token(g, t - 600)
for q in range(4):
    ev(t + q * 120, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
       auth=("authorization", "Bearer " + tok), client=proxy(), peer=lb("10.3"), clean=False, tok=tok)
label("multi_address", tok, t, t + 480, "integration's hourly JWT from 4 proxy networks within 8 minutes")

# --- off_hours: policy (contractors) and learned (own time zone night)
CONTRACTORS = [v for v in DEVS if v.contractor]
for k, (wd, hr, n) in enumerate([(5, 2, 5), (4, 23, 4), (6, 13, 6)]):
    v = CONTRACTORS[k]; USED.add(id(v))
    for _ in range(20000):
        t = at(5.2, 8.8); l = local_dt(t, v.zi)
        if l.weekday() == wd and l.hour == hr:
            break
    else:
        raise RuntimeError("no slot for contractor off-hours case")
    for q in range(n):
        atk_dev(v, t + q * 300, v.routes[0], client=v.home)
    label("off_hours", v.pat, t, t + n * 300, "contractor PAT (policy working hours) used %d times, local %s %02d:xx" % (n, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][wd], hr),
          variant="policy")
for k in range(5):
    v = pick(DEVS, lambda v: normal_dev(v) and not v.weekend and v.start_h >= 8 and v.rate >= 25)
    for _ in range(20000):
        t = at(5.3, 8.8); l = local_dt(t, v.zi)
        if l.weekday() < 5 and l.hour == 3:
            break
    else:
        raise RuntimeError("no night slot")
    for q in range(6):
        atk_dev(v, t + q * 400, v.routes[q % 2], client=v.home)
    label("off_hours", v.pat, t, t + 2400, "developer PAT used 6 times at 03:xx in the owner's own time zone (%s), from home" % v.tz, variant="learned")

# --- disallowed_network
for s in ["svc-billing", "svc-tenant-admin"]:
    t = at(); tok = svc_token(s, (t - S0) // DAY * DAY + S0 - 300); cl = vps()
    for q in range(3):
        ev(t + q * 200, "api-gateway", "GET", "/internal/v1/tenants/{tenant_id}", "/internal/v1/tenants/%d" % ATT.randint(1000, 9999),
           200, auth=("authorization", "Bearer " + tok), client=cl, peer=lb("10.2"), clean=False, tok=tok)
    label("disallowed_network", tok, t, t + 400, "%s's service JWT (networks: 10.0.0.0/8) used from a public server through the gateway" % s)
for k in range(3):
    g = pick(INTEGS, lambda g: g.allowlisted and g.mode != "nightly"); t = at(); tok = int_token(g, t - 300)
    cl = ip_in(ATT.choice(CLOUD["aws"]), ATT) if k == 0 else ip_in(ATT.choice(RESID["comcast"]), ATT) if k == 1 else proxy()
    for q in range(2):
        ev(t + q * 240, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
           auth=("authorization", "Bearer " + tok), client=cl, peer=lb("10.3"), clean=False, tok=tok)
    label("disallowed_network", tok, t, t + 240, "allow-listed integration's JWT used from outside its allow-list")
v = CONTRACTORS[4]; USED.add(id(v)); t = work_time(v); cl = vps("vultr")
for q in range(3):
    atk_dev(v, t + q * 200, v.routes[0], client=cl)
label("disallowed_network", v.pat, t, t + 400, "contractor PAT (policy networks) used from a Vultr server in working hours")

# --- exposed_credential
v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read")); t = work_time(v)
for q in range(3):
    ev(t + q * 30, "api-gateway", "GET", "/v2/devices", "/v2/devices", 200, auth=None, client=v.home, peer=lb("10.2"),
       clean=False, tok=v.pat, extra={"url.query": "access_token=%s&page=%d" % (v.pat, q + 1)})
label("exposed_credential", v.pat, t, t + 60, "developer script passes its PAT as ?access_token= (url.query)", place="url.query")
g = pick(INTEGS, lambda g: True); t = at(); tok = int_token(g, t - 100)
ev(t, "partner-api", "GET", "/v2/devices", "/v2/devices", 500, auth=("authorization", "Bearer " + tok), client=g.addrs[0],
   peer=lb("10.3"), clean=False, tok=tok,
   events=[("exception", {"exception.type": "UpstreamAuthError", "exception.message": "token introspection failed for %s: upstream timeout" % tok})])
label("exposed_credential", tok, t, t + 10, "integration JWT printed in an exception.message of a 500", place="exception")
ghs = "ghs_" + rs(36, rng=ATT); t = at()
ev(t, "build-service", "GET", None, None, None, kind=3, clean=False, tok=ghs,
   extra={"url.full": "https://github.com/fernwerk/device-firmware.git/info/refs"},
   events=[("exception", {"exception.type": "GitCommandError",
                          "exception.message": "Cmd('git') failed: git clone https://x-access-token:%s@github.com/fernwerk/device-firmware.git exit 128" % ghs})])
label("exposed_credential", ghs, t, t + 10, "GitHub App installation token in a git clone URL inside exception.message (build-service client span)", place="exception")
sk = "sk_live_" + rs(24, rng=ATT); t = at()
ev(t, "billing-worker", None, None, None, None, sig="applog", clean=False, tok=sk,
   body="stripe charge failed (card_declined) using key %s for invoice in_1QxT4" % sk)
label("exposed_credential", sk, t, t + 10, "Stripe live key in an application log line (string body)", place="log.body")
a = pick(AUTOS); t = at()
ev(t, "api-gateway", "GET", R_DEV[1], fill(R_DEV[2]), 200, auth=("authorization", "Bearer " + a.pat), client=a.addr, peer=lb("10.2"),
   clean=False, tok=a.pat, res_extra={"service.name": "fleet-sync-cron", "process.command_args": ["/usr/local/bin/fwctl", "sync", "--all", "--token=%s" % a.pat]})
label("exposed_credential", a.pat, t, t + 10, "automation PAT on the cron job's command line (resource process.command_args)", place="resource")
newkey = "fwdk_" + rs(40, rng=ATT); t = at()
ev(t, "api-gateway", "POST", "/internal/v1/devices/{device_id}/claim", "/internal/v1/devices/%d/claim" % ATT.randint(100000, 999999), 201,
   auth=("authorization", "Bearer " + svc_token("svc-provisioning", (t - S0) // DAY * DAY + S0 - 300)), client=None, peer=ip_in(SVC_POD["svc-provisioning"]),
   clean=False, tok=newkey, extra={"http.response.header.x-auth-token": [newkey]})
label("exposed_credential", newkey, t, t + 10, "new device key handed out in a response header recorded on the claim span", place="http.response.header.x-auth-token")
hook = "https://hooks.slack.com/services/T04FW%s/B07%s/%s" % (rs(6, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", ATT), rs(7, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", ATT), rs(24, rng=ATT)); t = at()
ev(t, "svc-alerting", None, None, None, None, sig="applog", clean=False, tok=hook,
   body="posting incident digest to %s returned 429, retrying" % hook)
label("exposed_credential", "WEBHOOK", t, t + 10, "Slack webhook URL in an application log line", place="log.body", match_hint="hooks.slack.com", secret=hook)
t = at(); stok = svc_token("svc-notifier", (t - S0) // DAY * DAY + S0 - 300)
ev(t, "svc-notifier", None, None, None, None, sig="applog", clean=False, tok=stok,
   body="DEBUG outbound request headers: Authorization: Bearer %s (request id 7f1c)" % stok)
label("exposed_credential", stok, t, t + 10, "service JWT printed by a DEBUG log line of outbound headers", place="log.body")

# --- failed_attempts
v = pick(DEVS, normal_dev); t = work_time(v); cl = vps()
for q in range(14):
    atk_dev(v, t + q * 13, v.routes[0], status=401, client=cl)
label("failed_attempts", v.pat, t, t + 180, "developer PAT (rotated in the IdP) tried 14 times in 3 min from a VPS", incidental_ok=["new_client_address"])
d = pick(DEVICES); t = at(); cl = proxy(); d.clean = False
for q in range(12):
    dev_ingest(d, t + q * 20, "readings", status=401, clean=False, client=cl)
label("failed_attempts", d.key, t, t + 240, "rotated device key replayed 12 times in 4 min (cloned device)")
d = pick(DEVICES, lambda d: d.cls == "meter"); t = at(5.3, 8.5); d.clean = False
for q in range(60):
    dev_ingest(d, t + q * 180, "readings", status=401, clean=False, client=d.addrs[0])
label("failed_attempts", d.key, t, t + 60 * 180, "slow: device whose key was rotated server-side retries every 3 min for 3 h (60 consecutive 401)", variant="slow")
v = pick(DEVS, lambda v: v.ci and normal_dev(v)); t = work_time(v, 5.3, 8.4); runner = ip_in(ATT.choice(GHA), ATT)
for q in range(32):
    atk_dev(v, t + q * 900, v.routes[0], tok=v.ci, status=401, client=runner)
label("failed_attempts", v.ci, t, t + 32 * 900, "slow: scheduled CI job retries a revoked-in-IdP PAT every 15 min for 8 h (32 consecutive 401)", variant="slow")
a = pick(AUTOS); t = at(5.3, 8.3)
for q in range(24):
    atk_dev(None, t + q * 1800, a.routes[0], tok=a.pat, status=401, client=a.addr)
label("failed_attempts", a.pat, t, t + 24 * 1800, "slow: automation PAT refused every 30 min for 12 h (24 consecutive 401)", variant="slow")
v = pick(DEVS, normal_dev); t = work_time(v); cl = v.home
for q in range(11):
    atk_dev(v, t + q * 11, v.routes[0], status=401, client=cl)
label("failed_attempts", v.pat, t, t + 120, "developer PAT refused 11 times in 2 min from home")

# --- denied_access
v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:read")); t = work_time(v)
for q in range(22):
    atk_dev(v, t + q * 55, R_DEV, status=403 if q % 2 == 0 else 200, client=v.home if ATT.random() < 2 else None)
label("denied_access", v.pat, t, t + 22 * 55, "developer PAT walks other tenants' device ids: 11 x 403 among 22 calls in 20 min")
g = pick(INTEGS, lambda g: "devices:read" in g.scopes); t = at(); tok = int_token(g, t - 200)
for q in range(8):
    ev(t + q * 200, "partner-api", "GET", "/v2/devices/{device_id}/telemetry", "/v2/devices/%d/telemetry" % ATT.randint(100000, 999999), 403,
       auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
label("denied_access", tok, t, t + 1600, "integration JWT refused 8 times (403) in 27 min probing other tenants' telemetry")
d = pick(DEVICES); t = at(); d.clean = False
for q in range(10):
    dev_ingest(d, t + q * 90, ("GET", "/v1/devices/%d/config" % (100000 + ATT.randint(0, 60000))), status=403, clean=False, client=d.addrs[0])
label("denied_access", d.key, t, t + 900, "device key reads 10 other devices' config (403 each) in 15 min")
v = pick(DEVS, lambda v: normal_dev(v) and has(v, "devices:write")); t = work_time(v)
for q in range(7):
    atk_dev(v, t + q * 300, ("DELETE", "/v2/devices/{device_id}", "/v2/devices/{n}"), status=403, client=v.home)
label("denied_access", v.pat, t, t + 2100, "developer PAT refused 7 device deletions (object-level 403) in 35 min")
v = pick(DEVS, lambda v: v.ci and normal_dev(v)); t = work_time(v); runner = ip_in(ATT.choice(GHA), ATT)
for q in range(9):
    atk_dev(v, t + q * 60, v.routes[0], tok=v.ci, status=403, client=runner)
label("denied_access", v.ci, t, t + 540, "CI PAT refused 9 times (403) in 9 min")

# --- credential_stuffing
t = at(); cl = vps("digitalocean")
for q in range(30):
    tk = "fwp_" + rs(36, rng=ATT)
    ev(t + q * 10, "api-gateway", "GET", "/v2/devices", "/v2/devices", 401, auth=("authorization", "Bearer " + tk), client=cl,
       peer=lb("10.2"), clean=False, tok=tk)
label("credential_stuffing", [cl], t, t + 300, "30 guessed PATs from one DigitalOcean address in 5 min")
t = at(); cl = vps("ovh")
for q in range(25):
    tk = "fwdk_" + rs(40, rng=ATT)
    ev(t + q * 19, "ingest-gw", "POST", None, "/v1/ingest/%d/readings" % (100000 + ATT.randint(0, 50000)), 401, auth=("x-api-key", tk),
       client=cl, peer=lb("10.1"), sig="log", clean=False, tok=tk, body={"upstream_cluster": "ingest", "duration_ms": 2})
label("credential_stuffing", [cl], t, t + 480, "25 guessed device keys against the ingest API from one OVH address in 8 min")
t = at(); cl = proxy()
for q in range(16):
    tk = "fwp_" + rs(36, rng=ATT)
    ev(t + q * 240, "api-gateway", "GET", "/v2/fleets", "/v2/fleets", 401, auth=("authorization", "Bearer " + tk), client=cl,
       peer=lb("10.2"), clean=False, tok=tk)
label("credential_stuffing", [cl], t, t + 16 * 240, "low and slow: 16 PATs from one residential-proxy address, one every 4 min for 64 min", variant="slow")
t = at(); cl = vps("linode")
for q in range(20):
    tk = "Basic " + base64.b64encode(("%s@%s:%s" % (rs(7, "abcdefghijklmnopqrstuvwxyz", ATT), ATT.choice(["gmail.com", "outlook.com", "web.de"]), rs(10, rng=ATT))).encode()).decode()
    ev(t + q * 18, "api-gateway", "POST", "/v2/auth/token", "/v2/auth/token", 401, auth=("authorization", tk), client=cl,
       peer=lb("10.2"), clean=False, tok=tk.split(" ")[1])
label("credential_stuffing", [cl], t, t + 360, "20 e-mail:password pairs (HTTP Basic) from one Linode address in 6 min")
t = at(); cls = []
for q in range(45):
    cl = proxy(); cls.append(cl)
    for j in range(2):
        tk = "fwp_" + rs(36, rng=ATT)
        ev(t + q * 13 + j * 4, "api-gateway", "GET", "/v2/devices", "/v2/devices", 401, auth=("authorization", "Bearer " + tk), client=cl,
           peer=lb("10.2"), clean=False, tok=tk)
label("credential_stuffing", cls, t, t + 45 * 13 + 4, "distributed: 90 guessed PATs from 45 residential-proxy addresses (2 each) in 10 min", variant="distributed")
t = at(); cl = vps("vultr")
for q in range(8):
    tk = "fwp_" + rs(36, rng=ATT)
    for j in range(2):
        ev(t + q * 65 + j * 5, "api-gateway", "GET", "/v2/devices", "/v2/devices", 401, auth=("authorization", "Bearer " + tk), client=cl,
           peer=lb("10.2"), clean=False, tok=tk)
label("credential_stuffing", [cl], t, t + 8 * 65 + 5, "8 leaked (rotated) PATs from a paste, each tried twice, from one Vultr address in 9 min")

# --- expired_token
for k in range(3):
    g = pick(INTEGS, lambda g: g.mode != "nightly"); t = at(); tok = int_token(g, t - 3 * HOUR)
    for q in range(1 + k):
        ev(t + q * 120, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
           auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
    label("expired_token", tok, t, t + 300, "integration JWT expired 2 h earlier accepted (200) by a service with a stale validation cache")
for k in range(2):
    g = pick(INTEGS); t = at(); tok = int_token(g, t - 5 * HOUR); cl = vps()
    for q in range(2):
        ev(t + q * 60, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 401,
           auth=("authorization", "Bearer " + tok), client=cl, peer=lb("10.3"), clean=False, tok=tok)
    label("expired_token", tok, t, t + 60, "expired integration JWT (from leaked logs) replayed from a hosting network (401)")
v = pick(DEVS, lambda v: normal_dev(v) and not v.weekend and not v.tz.startswith("America")); EXPIRED_PAT = v
EXP_AT = int(datetime(2026, 11, 28, 0, 0, tzinfo=UTC).timestamp())
for _ in range(20000):
    t = at(6.2, 8.7)
    if in_work(v, t):
        break
else:
    raise RuntimeError("no work slot")
for q in range(5):
    atk_dev(v, t + q * 400, v.routes[0], client=v.home)
label("expired_token", v.pat, t, t + 2000, "developer PAT past its registry expires_at (2026-11-28) still accepted (200)")
# that PAT's clean use before expiry should raise expiring_soon; remove its clean use after expiry
label("expiring_soon", v.pat, S0, EXP_AT, "registry expires_at 2026-11-28 while in daily use", variant="registry")

# --- not_yet_valid_token
for k in range(3):
    g = pick(INTEGS, lambda g: g.mode != "nightly"); t = at(); iat = t + 2 * HOUR
    tok = int_token(g, iat, nbf=iat)
    for q in range(2):
        ev(t + q * 90, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200 if k < 2 else 401,
           auth=("authorization", "Bearer " + tok), client=g.addrs[0] if k else vps(), peer=lb("10.3"), clean=False, tok=tok)
    label("not_yet_valid_token", tok, t, t + 90, "integration JWT whose nbf/iat lies 2 h in the future (pre-minted token)")
for s in ["svc-ota", "svc-scheduler"]:
    t = at(); iat = (t - S0) // DAY * DAY + S0 + DAY + 600
    tok = svc_token(s, iat, nbf=iat)
    for q in range(3):
        m, r = INTERNAL_ROUTES[s][0]
        ev(t + q * 60, "platform-api", m, r, r.split("{")[0] + "4242", 200, auth=("authorization", "Bearer " + tok),
           peer=ip_in(SVC_POD[s]), clean=False, tok=tok)
    label("not_yet_valid_token", tok, t, t + 120, "%s token minted for tomorrow (nbf next day) used today" % s)

# --- revoked_token
REVOKED = []
for k in range(2):
    tk = "fwp_" + rs(36, rng=ATT); owner = "u%04d" % (900 + k); t = at(); cl = vps()
    REG.append(dict(raw=tk, owner=owner, owner_type="user", scopes=["devices:read", "fleet:read"], created=S0 - 200 * DAY,
                    expires=S0 + 150 * DAY, last_used=S0 - 20 * DAY, name="departed-%s" % owner))
    REVOKED.append(("id", tk))
    for q in range(3):
        ev(t + q * 300, "api-gateway", "GET", "/v2/fleets/{fleet_id}/devices", "/v2/fleets/%d/devices" % ATT.randint(10, 99), 200 if k == 0 else 401,
           auth=("authorization", "Bearer " + tk), client=cl, peer=lb("10.2"), clean=False, tok=tk)
    label("revoked_token", tk, t, t + 600, "departed employee's revoked PAT used from a VPS (%s)" % ("accepted" if k == 0 else "refused"))
for k in range(2):
    tk = "fwdk_" + rs(40, rng=ATT); t = at(); cl = proxy(); n = 100000 + ATT.randint(0, 60000)
    REG.append(dict(raw=tk, owner=ATT.choice(TENANTS), owner_type="service", scopes=["telemetry:write", "config:read"],
                    created=S0 - 400 * DAY, expires=None, last_used=S0 - 10 * DAY, name="decommissioned-%d" % n))
    REVOKED.append(("id", tk))
    for q in range(4):
        ev(t + q * 600, "ingest-gw", "POST", None, "/v1/ingest/%d/readings" % n, 200, auth=("x-api-key", tk), client=cl,
           peer=lb("10.1"), sig="log", clean=False, tok=tk, body={"upstream_cluster": "ingest", "duration_ms": 11})
    label("revoked_token", tk, t, t + 1800, "decommissioned device's revoked key used by a cloned device (accepted)")
g = pick(INTEGS, lambda g: g.mode != "nightly"); t = at(); jti = "rv" + rs(20, rng=ATT); tok = int_token(g, t - 900, jti=jti)
REVOKED.append(("jti", jti))
for q in range(3):
    ev(t + q * 200, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
       auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
label("revoked_token", tok, t, t + 400, "integration JWT revoked by jti during incident response, still used")
v = pick(DEVS, lambda v: v.ci and normal_dev(v)); t = at(); cl = vps(); tk = "fwp_" + rs(36, rng=ATT)
REG.append(dict(raw=tk, owner=v.name, owner_type="user", scopes=["devices:read"], created=S0 - 100 * DAY,
                expires=S0 + 80 * DAY, last_used=S0 - 2 * DAY, name="ci-old-%s" % v.name))
REVOKED.append(("id", tk))
for q in range(3):
    atk_dev(v, t + q * 100, v.routes[0], tok=tk, status=401, client=cl)
label("revoked_token", tk, t, t + 300, "old CI PAT revoked on 2026-11-20 after it leaked in a public repo, tried by the finder (401)")

# --- malformed_token
MAL = []
t0 = at()
mal = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJpbnQtY3JtLTAwMSIsInNjb3BlIjoiZGV2aWNl",
       "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + b64u(b"this is not json at all {") + "." + b64u(ATT.randbytes(32)),
       "A" * 17000,
       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln.ZXh0cmE",
       "eyJ!!!hbGciOi.eyJzdWIiOiJ4In0." + b64u(ATT.randbytes(32))]
for k, m_ in enumerate(mal):
    t = at(); cl = vps() if k % 2 else proxy()
    ev(t, "api-gateway", "GET", "/v2/devices", "/v2/devices", 401, auth=("authorization", "Bearer " + m_), client=cl, peer=lb("10.2"),
       clean=False, tok=m_)
    label("malformed_token", m_, t, t + 5, "malformed bearer credential #%d from a scanner" % (k + 1), fp_header="authorization")
t = at(); m_ = "' OR '1'='1' --"
ev(t, "ingest-gw", "POST", None, "/v1/ingest/100000/readings", 401, auth=("x-api-key", m_), client=vps(), peer=lb("10.1"), sig="log",
   clean=False, tok=m_, body={"upstream_cluster": "ingest", "duration_ms": 1})
label("malformed_token", m_, t, t + 5, "SQL injection string as X-API-Key", fp_header="key")

# --- invalid_signature
def forged(claims, secret=b"secret", alg="HS256", kid=JWT_KID):
    return jwt(claims, secret=secret, alg=alg, kid=kid)
cases = []
g = pick(INTEGS, lambda g: "devices:write" not in g.scopes); t = at()
c = {"iss": ISSUER, "sub": g.cid, "client_id": g.cid, "aud": "https://api.fernwerk.io", "scope": "devices:read devices:write fleet:admin", "iat": t - 60, "exp": t + 3000, "jti": rs(22, rng=ATT)}
cases.append((forged(c, secret=b"fernwerk-guess-" + ATT.randbytes(8)), t, 403, g.addrs[0], "integration JWT with edited scope, re-signed with a guessed key"))
t = at(); c = {"iss": ISSUER, "sub": "svc-tenant-admin", "azp": "svc-tenant-admin", "scope": "internal", "iat": t - 60, "exp": t + DAY}
cases.append((forged(c, secret=b"secret"), t, 401, vps(), "service JWT forged with the HS256 secret 'secret'"))
t = at(); c = {"iss": ISSUER, "sub": "svc-billing", "azp": "svc-billing", "scope": "internal", "iat": t - 60, "exp": t + DAY}
cases.append((jwt(c, alg="none"), t, 401, vps(), "unsigned (alg none) service JWT"))
g = pick(INTEGS); t = at(); good = int_token(g, t - 100); h, p, s_ = good.split(".")
pl = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))); pl["exp"] = t + 30 * DAY
cases.append((h + "." + b64u(json.dumps(pl, separators=(",", ":")).encode()) + "." + s_, t, 401, g.addrs[0], "integration JWT with exp extended, original signature kept"))
t = at(); u = ATT.choice(DEVS); c = {"iss": ISSUER, "sub": u.name, "scope": "devices:read fleet:admin", "iat": t - 60, "exp": t + HOUR}
cases.append((forged(c, secret=ATT.randbytes(40), alg="HS512"), t, 403, proxy(), "HS512 user JWT signed with a wrong key"))
t = at(); c = {"iss": ISSUER, "sub": "svc-ota", "azp": "svc-ota", "scope": "internal", "iat": t - 60, "exp": t + DAY}
cases.append((forged(c, secret=b"fw-idp-hs256-signing-secret-2026q3-0d1f", kid="fw-idp-2026q3"), t, 401, vps(), "service JWT signed with the retired 2026q3 key (leaked)"))
for tok, t, st, cl, desc in cases:
    for q in range(2):
        ev(t + q * 30, "api-gateway", "GET", "/v2/devices", "/v2/devices", st, auth=("authorization", "Bearer " + tok), client=cl,
           peer=lb("10.2"), clean=False, tok=tok)
    label("invalid_signature", tok, t, t + 30, desc)

# --- unknown_token
t = at(); tk = "fwp_" + rs(36, rng=ATT); v = ATT.choice(DEVS)
for q in range(4):
    atk_dev(None, t + q * 120, R_DEV, tok=tk, client=v.home)
label("unknown_token", tk, t, t + 360, "staging PAT (not in the prod registry) accepted by prod (200)")
t = at(); tk = "fwdk_" + rs(40, rng=ATT); n = 700000 + ATT.randint(0, 999); cl = ip_in(ATT.choice(RESID["dtag"]), ATT)
for q in range(6):
    ev(t + q * 600, "ingest-gw", "POST", None, "/v1/ingest/%d/readings" % n, 200, auth=("x-api-key", tk), client=cl,
       peer=lb("10.1"), sig="log", clean=False, tok=tk, body={"upstream_cluster": "ingest", "duration_ms": 9})
label("unknown_token", tk, t, t + 3000, "shadow device with an unregistered key posting readings (200)")
t = at(); tk = "fwk_" + rs(30, rng=ATT); cl = ip_in(ATT.choice(CLOUD["aws"]), ATT)
for q in range(3):
    ev(t + q * 60, "api-gateway", "GET", "/v2/devices", "/v2/devices", 200, auth=("x-api-key", tk), client=cl, peer=lb("10.2"),
       clean=False, tok=tk)
label("unknown_token", tk, t, t + 120, "legacy-format API key absent from the registry accepted (200)", fp_header="key")
t = at(); tk = "fwp_" + rs(36, rng=ATT); cl = vps()
for q in range(3):
    ev(t + q * 45, "api-gateway", "GET", "/v2/fleets", "/v2/fleets", 403, auth=("authorization", "Bearer " + tk), client=cl,
       peer=lb("10.2"), clean=False, tok=tk)
label("unknown_token", tk, t, t + 90, "unregistered PAT recognised but refused (403)")
t = at(); basic = base64.b64encode(b"svc-legacy-export:Winter2026!").decode(); cl = ip_in("10.40.3")
for q in range(3):
    ev(t + q * 300, "platform-api", "GET", "/internal/v1/audit/{day}", "/internal/v1/audit/2026-11-2%d" % q, 200,
       auth=("authorization", "Basic " + basic), client=None, peer=cl, clean=False, tok=basic)
label("unknown_token", "Basic " + basic, t, t + 600, "unregistered HTTP Basic credential of a legacy exporter accepted (200)")

# --- scope_violation
v = pick(DEVS, lambda v: normal_dev(v) and not has(v, "devices:write")); t = work_time(v)
atk_dev(v, t, ("DELETE", "/v2/devices/{device_id}", "/v2/devices/{n}"), status=204, client=v.home)
label("scope_violation", v.pat, t, t + 5, "PAT without devices:write deletes a device (204)")
v = pick(DEVS, lambda v: normal_dev(v) and not has(v, "fleet:admin")); t = work_time(v)
for q in range(2):
    atk_dev(v, t + q * 60, ("PUT", "/v2/fleets/{fleet_id}/policy", "/v2/fleets/{n}/policy"), status=403, client=v.home)
label("scope_violation", v.pat, t, t + 60, "PAT without fleet:admin tries to change a fleet policy (403)")
d = pick(DEVICES); t = at(); d.clean = False
dev_ingest(d, t, ("GET", "/v2/fleets/%d/devices" % ATT.randint(10, 99)), status=200, clean=False, client=d.addrs[0])
label("scope_violation", d.key, t, t + 5, "device key lists a fleet's devices on the developer API (200)")
g = pick(INTEGS, lambda g: "devices:write" not in g.scopes and g.mode != "nightly"); t = at(); tok = int_token(g, t - 300)
ev(t, "partner-api", "POST", "/v2/devices/{device_id}/commands", "/v2/devices/%d/commands" % ATT.randint(100000, 999999), 202,
   auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
label("scope_violation", tok, t, t + 5, "integration JWT without devices:write sends a device command (202)")
v = pick(DEVS, lambda v: v.ci and normal_dev(v) and not has(v, "devices:write") and "devices:write" not in scopes_of(v.ci)); t = work_time(v)
atk_dev(v, t, ("POST", "/v2/devices", "/v2/devices"), tok=v.ci, status=201, client=ip_in(ATT.choice(GHA), ATT))
label("scope_violation", v.ci, t, t + 5, "CI PAT without devices:write registers a device (201)")
v = pick(DEVS, lambda v: normal_dev(v) and not has(v, "reports:read")); t = work_time(v)
for q in range(3):
    atk_dev(v, t + q * 40, ("GET", "/v2/reports/billing/{month}", "/v2/reports/billing/2026-1%d" % q), status=200, client=v.home)
label("scope_violation", v.pat, t, t + 80, "PAT without reports:read pulls billing reports (200)")

# --- restricted_resource
v = pick(DEVS, lambda v: normal_dev(v) and has(v, "firmware:write")); t = work_time(v)
atk_dev(v, t, ("POST", "/v2/firmware/releases", "/v2/firmware/releases"), status=201, client=v.home)
label("restricted_resource", v.pat, t, t + 5, "developer (firmware:write, not release-bot) publishes a firmware release (201)")
for k in range(3):
    v = pick(DEVS, normal_dev); t = work_time(v)
    for q in range(2):
        atk_dev(v, t + q * 50, ("GET", "/v2/admin/tenants/{tenant_id}", "/v2/admin/tenants/%d" % ATT.randint(1, 120)), status=200 if k < 2 else 403,
                client=v.home)
    label("restricted_resource", v.pat, t, t + 50, "non-SRE developer calls the admin API")
a = pick(AUTOS); t = at()
ev(t, "api-gateway", "GET", "/v2/devices/{device_id}/keys", "/v2/devices/%d/keys" % ATT.randint(100000, 999999), 200,
   auth=("authorization", "Bearer " + a.pat), client=a.addr, peer=lb("10.2"), clean=False, tok=a.pat)
label("restricted_resource", a.pat, t, t + 5, "tenant automation token exports a device key (restricted to provisioning)")

# --- resurrected_token / stale_token (registry)
for k in range(5):
    tk = "fwp_" + rs(36, rng=ATT) if k < 3 else "fwdk_" + rs(40, rng=ATT)
    lu = S0 - ATT.randint(40, 80) * DAY; t = at()
    if k < 3:
        owner = "u%04d" % (950 + k)
        REG.append(dict(raw=tk, owner=owner, owner_type="user", scopes=["devices:read"], created=lu - 60 * DAY,
                        expires=S0 + 200 * DAY, last_used=lu, name="pat-%s" % owner))
        cl = vps() if k < 2 else ip_in(ATT.choice(RESID["dtag"]), ATT)
        for q in range(3):
            ev(t + q * 200, "api-gateway", "GET", "/v2/devices", "/v2/devices", 200, auth=("authorization", "Bearer " + tk), client=cl,
               peer=lb("10.2"), clean=False, tok=tk)
        desc = "PAT idle since %s used again %s" % (iso(lu)[:10], "from a VPS" if k < 2 else "from a home ISP")
    else:
        n = 100000 + ATT.randint(0, 60000)
        REG.append(dict(raw=tk, owner=ATT.choice(TENANTS), owner_type="service", scopes=["telemetry:write", "config:read"],
                        created=lu - 300 * DAY, expires=None, last_used=lu, name="dev-%d" % n))
        cl = ip_in(ATT.choice(CARRIERS["verizon"]), ATT)
        for q in range(3):
            ev(t + q * 3600, "ingest-gw", "POST", None, "/v1/ingest/%d/readings" % n, 200, auth=("x-api-key", tk), client=cl,
               peer=lb("10.1"), sig="log", clean=False, tok=tk, body={"upstream_cluster": "ingest", "duration_ms": 9})
        desc = "device key idle since %s back online" % iso(lu)[:10]
    label("resurrected_token", tk, t, t + 600, desc)
for k in range(5):
    tk = "fwp_" + rs(36, rng=ATT) if k < 3 else "fwdk_" + rs(40, rng=ATT)
    lu = S0 - ATT.randint(100, 220) * DAY
    e = dict(raw=tk, owner="u%04d" % (960 + k) if k < 3 else ATT.choice(TENANTS), owner_type="user" if k < 3 else "service",
             scopes=["devices:read"] if k < 3 else ["telemetry:write", "config:read"], created=lu - 90 * DAY,
             expires=S0 + 300 * DAY if k < 3 else None, last_used=lu if k != 2 else "never", name="stale-%d" % k)
    if k == 2:
        e["created"] = S0 - 130 * DAY
    REG.append(e)
    SECRETS.add(tk)
    label("stale_token", tk, S0, S1, "registered, last used %s, never seen in the window" % (iso(lu)[:10] if k != 2 else "never (created %s)" % iso(e["created"])[:10]))
for k in range(4):   # hard negatives: idle 35-60 days, not stale, not used
    tk = "fwp_" + rs(36, rng=ATT); SECRETS.add(tk)
    REG.append(dict(raw=tk, owner="u%04d" % (970 + k), owner_type="user", scopes=["devices:read"], created=S0 - 200 * DAY,
                    expires=S0 + 100 * DAY, last_used=S0 - ATT.randint(35, 60) * DAY, name="idle-%d" % k))

# --- unused_scopes: automation tokens holding scopes they never use (created > 90 days before)
OVERPERM = {}
for a in AUTOS[:6]:
    extra = ["devices:write", "fleet:admin", "firmware:write"]
    OVERPERM[a.pat] = extra
    label("unused_scopes", a.pat, S0 + 8 * DAY, S1, "automation token granted %s it never uses (created %s)" % (",".join(extra), iso(a.created)[:10]))

# --- expiring_soon (registry) and excessive_lifetime
EXPIRY = {}
for k, v in enumerate([x for x in DEVS if normal_dev(x) and id(x) not in USED and x.weekend is False][:4]):
    USED.add(id(v))
    ex = S1 + ATT.randint(2, 6) * DAY
    EXPIRY[v.pat] = (ex - 180 * DAY, ex)
    label("expiring_soon", v.pat, max(S0, ex - 7 * DAY), S1, "PAT expires %s (180-day lifetime) and is in daily use" % iso(ex)[:10], variant="registry")
for d in [x for x in DEVICES if x.cls == "gateway" and id(x) not in USED][:2]:
    USED.add(id(d))
    ex = S1 + ATT.randint(1, 5) * DAY
    EXPIRY[d.key] = (d.created, ex)
    label("expiring_soon", d.key, max(S0, ex - 7 * DAY), S1, "gateway key with a registry expiry %s in use" % iso(ex)[:10], variant="registry")
EXPIRY[EXPIRED_PAT.pat] = (EXP_AT - 90 * DAY, EXP_AT)
LONG = {}
for v in [x for x in DEVS if normal_dev(x) and id(x) not in USED][:3]:
    USED.add(id(v))
    LONG[v.pat] = (S0 - 40 * DAY, S0 - 40 * DAY + 730 * DAY)
    label("excessive_lifetime", v.pat, S0, S1, "PAT with a 2-year lifetime in the registry")
t = at(0.1, 8.8); tok = svc_token("svc-legacy-importer", S0 - 100 * DAY, life=5 * 365 * DAY)
for q in range(0, 8 * 24, 6):
    ev(S0 + q * HOUR + 1234, "platform-api", "POST", "/internal/v1/import/{batch_id}", "/internal/v1/import/%d" % q, 200,
       auth=("authorization", "Bearer " + tok), peer="10.20.90.7", clean=False, tok=tok)
label("excessive_lifetime", tok, S0, S1, "legacy importer's service JWT with a 5-year exp")
g = pick(INTEGS, lambda g: g.mode == "steady"); tok = int_token(g, S0 - 30 * DAY, life=400 * DAY)
for q in range(0, 8 * 24, 4):
    ev(S0 + q * HOUR + 777, "partner-api", g.routes[0][0], g.routes[0][1], fill(g.routes[0][2]), 200,
       auth=("authorization", "Bearer " + tok), client=g.addrs[0], peer=lb("10.3"), clean=False, tok=tok)
label("excessive_lifetime", tok, S0, S1, "integration issued a 400-day client-credentials JWT (manual mint) used every 4 h")

# ---------------------------------------------------------------- post-processing: drop clean events that would contradict a label
FAILWIN = {}
for L in LABELS:
    if L["type"] == "failed_attempts" and "raw" in L:
        s_ = int(datetime.strptime(L["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
        e_ = int(datetime.strptime(L["end"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
        FAILWIN[L["raw"]] = (s_ - 60, e_ + 60)
def keep(e):
    if not e["clean"]:
        return True
    tk = e["tok"]
    if tk == EXPIRED_PAT.pat and e["t"] >= EXP_AT - 60:
        return False
    w = FAILWIN.get(tk)
    if w and w[0] <= e["t"] <= w[1]:
        return False
    return True
EVENTS = [e for e in EVENTS if keep(e)]
EVENTS = [e for e in EVENTS if S0 <= e["t"] < S1]
os.makedirs(OUT, exist_ok=True)

# ---------------------------------------------------------------- fingerprints (auditctl, keyed with the collector's key)
FPCACHE = os.path.join(OUT, "fp_cache.json")
fpc = json.load(open(FPCACHE)) if os.path.exists(FPCACHE) else {}
def need(raw, mode="authorization"):
    return (mode, raw)
todo = set()
for d in DEVICES: todo.add(("authorization", d.key))
for v in DEVS:
    todo.add(("authorization", v.pat))
    if v.ci: todo.add(("authorization", v.ci))
for a in AUTOS: todo.add(("authorization", a.pat))
todo.add(("authorization", RELEASE_BOT))
for e in REG: todo.add(("authorization", e["raw"]))
for L in LABELS:
    if "raw" in L and L["raw"] != "WEBHOOK":
        todo.add((L.get("fp_header", "authorization"), L["raw"]))
# attack-only tokens (stuffing guesses etc.)
ATTACK_TOK = set(); ATTACK_ADDR = set(); CLEAN_ADDR = set()
for e in EVENTS:
    if e["clean"]:
        if e["c"]: CLEAN_ADDR.add(e["c"])
    else:
        if e["tok"] and e["a"]:
            mode = "key" if e["a"][0] == "x-api-key" else "authorization"
            raw = e["a"][1]
            ATTACK_TOK.add((mode, raw)); todo.add((mode, raw))
        if e["c"]: ATTACK_ADDR.add(e["c"])
        if e["xff"]: pass
ATTACK_ADDR -= CLEAN_ADDR
def fp1(item):
    mode, raw = item
    r = subprocess.run([os.path.join(BIN, "auditctl"), "fingerprint", "-header", mode, "-key-file", FPKEY],
                       input=raw.encode(), capture_output=True)
    return item, r.stdout.decode().strip()
key = lambda it: it[0] + "\x00" + it[1]
missing = [it for it in todo if key(it) not in fpc]
print("fingerprinting", len(missing), "of", len(todo), file=sys.stderr)
with ThreadPoolExecutor(6) as ex:
    for it, out in ex.map(fp1, sorted(missing)):
        assert out.startswith("tok_"), (it[0], out)
        fpc[key(it)] = out
json.dump(fpc, open(FPCACHE, "w"))
def FP(raw, mode="authorization"):
    return fpc[mode + "\x00" + raw]

# ---------------------------------------------------------------- policy
def yq(s):
    return json.dumps(s)
P = []
P.append("# Fernwerk API token policy (security team, written from docs/policy.md). Generated from the inventory export of 2026-11-21.")
P.append("scopes:")
for sc, pats in SCOPES.items():
    P.append("  %s: [%s]" % (yq(sc), ", ".join(yq(p) for p in pats)))
SRE = [v.name for v in DEVS if id(v) not in USED and not v.contractor][:4]
P.append("restricted:")
P.append('  - resource: "POST /v2/firmware/releases"\n    principals: [release-bot]\n    scopes: [firmware:publish]')
P.append('  - resource: "* /v2/admin/**"\n    principals: [%s]' % ", ".join(SRE))
P.append('  - resource: "GET /v2/devices/{device_id}/keys"\n    principals: [svc-provisioning]\n    scopes: [keys:read]')
P.append("principals:")
for s in SERVICES + ["svc-legacy-importer"]:
    P.append("  %s:\n    networks: [10.0.0.0/8]" % s)
for g in INTEGS:
    if g.allowlisted:
        P.append("  %s:\n    networks: [%s]" % (g.cid, ", ".join(a + "/32" for a in g.addrs)))
for v in CONTRACTORS:
    nets = [".".join(v.home.split(".")[:3]) + ".0/24"]
    if v.office:
        nets.append(OFFICE[v.office] + ".0/24")
    nets += [p + ".0.0/16" for p in v.phone]
    P.append("  %s:\n    networks: [%s]\n    working_hours: {time_zone: %s, days: [mon, tue, wed, thu, fri], start: \"%02d:00\", end: \"%02d:00\"}"
             % (v.name, ", ".join(nets), v.tz, v.start_h - 1, min(24, v.start_h + v.len_h + 1)))
P.append("revoked:")
for kind, val in REVOKED:
    P.append("  - %s: %s" % (kind, FP(val) if kind == "id" else yq(val)))
for k in range(15):   # older revocations of tokens not seen any more
    P.append("  - id: tok_%032x" % ATT.getrandbits(128))
P.append("registry:\n  authoritative: true\n  known: registered_or_verified\n  verified_issuers: [%s]\n  tokens:" % yq(ISSUER))
def reg(raw, name, owner, otype, scopes, created, expires, last_used, networks=None):
    P.append("    - id: %s" % FP(raw))
    P.append("      name: %s" % yq(name))
    P.append("      owner: %s" % yq(owner))
    P.append("      owner_type: %s" % otype)
    P.append("      scopes: [%s]" % ", ".join(sorted(scopes)))
    P.append("      created_at: %s" % iso(created))
    if expires:
        P.append("      expires_at: %s" % iso(expires))
    P.append("      last_used_at: %s" % (last_used if last_used == "never" else iso(last_used)))
    if networks is not None:
        P.append("      networks: [%s]" % ", ".join(networks))
INV = S0 - 3 * HOUR
for d in DEVICES:
    cr, ex = EXPIRY.get(d.key, (d.created, None))
    reg(d.key, "dev-%d" % d.n, d.tenant, "service", ["telemetry:write", "config:read"], cr, ex, INV - R.randint(0, 40 * HOUR))
def pat_life(raw, created_hint):
    if raw in EXPIRY: return EXPIRY[raw]
    if raw in LONG: return LONG[raw]
    ex = S0 + R.randint(25, 330) * DAY
    life = min(l for l in (90, 180, 365) if l * DAY > ex - S0 + 5 * DAY) * DAY
    return ex - life, ex
for v in DEVS:
    sc = scopes_of(v.pat) or {"devices:read"}
    cr, ex = pat_life(v.pat, v.pat_created)
    reg(v.pat, "pat-%s-laptop" % v.name, v.name, "user", sc, cr, ex, INV - R.randint(0, 60 * HOUR))
    if v.ci:
        sc = scopes_of(v.ci) or {"devices:read"}
        cr, ex = pat_life(v.ci, v.ci_created)
        reg(v.ci, "ci-%s" % v.name, v.name, "user", sc, cr, ex, INV - R.randint(0, 60 * HOUR), networks=[] if v.contractor else None)
for a in AUTOS:
    sc = scopes_of(a.pat) | set(OVERPERM.get(a.pat, []))
    reg(a.pat, a.name, a.name, "service", sc, a.created, a.created + 365 * DAY, INV - R.randint(0, 10 * HOUR))
reg(RELEASE_BOT, "release-bot-gha", "release-bot", "service", ["firmware:write", "firmware:publish"], S0 - 50 * DAY, S0 + 130 * DAY, S0 - 6 * DAY, networks=[])
for e in REG:
    reg(e["raw"], e["name"], e["owner"], e["owner_type"], e["scopes"], e["created"], e["expires"], e["last_used"])
open(os.path.join(OUT, "policy.yaml"), "w").write("\n".join(P) + "\n")

# ---------------------------------------------------------------- labels, index, stats, secrets
lab_toks = set()
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for L in LABELS:
        L = dict(L)
        if "raw" in L:
            raw = L.pop("raw")
            if raw == "WEBHOOK":
                L.pop("secret", None); L["token_id"] = None
            else:
                L["token_id"] = FP(raw, L.get("fp_header", "authorization")); lab_toks.add(raw)
        L.pop("fp_header", None)
        f.write(json.dumps(L, sort_keys=True) + "\n")
inj_ids = sorted({FP(raw, mode) for mode, raw in ATTACK_TOK} | {FP(r) for r in lab_toks if ("authorization\x00" + r) in fpc})
clean_tokens = set(); clean_td = set()
injected_raw = {raw for _, raw in ATTACK_TOK} | lab_toks
for e in EVENTS:
    if e["clean"] and e["tok"] and e["tok"] not in injected_raw:
        clean_tokens.add(e["tok"]); clean_td.add((e["tok"], (e["t"] - S0) // DAY))
clean_raw = {e["tok"] for e in EVENTS if e["clean"] and e["tok"]}
attack_only = sorted({FP(raw, mode) for mode, raw in ATTACK_TOK if raw.split(" ", 1)[-1] not in clean_raw and raw not in clean_raw})
json.dump({"injected_token_ids": inj_ids, "attack_only_token_ids": attack_only, "attack_addresses": sorted(ATTACK_ADDR)}, open(os.path.join(OUT, "injected_index.json"), "w"), indent=0)
stats = {"events": len(EVENTS), "clean_events": sum(1 for e in EVENTS if e["clean"]), "clean_tokens": len(clean_tokens),
         "clean_token_days": len(clean_td), "labels": len(LABELS), "devices": NDEV, "developers": NDEVS, "integrations": NINT,
         "registry_entries": sum(1 for l in P if l.startswith("    - id:")), "start": iso(S0), "end": iso(S1)}
json.dump(stats, open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)
print(json.dumps(stats), file=sys.stderr)
sec = set(SECRETS)
for L in LABELS:
    if L.get("secret"): sec.add(L["secret"])
for e in EVENTS:
    if e["a"]:
        sec.add(e["a"][1].split(" ", 1)[-1])
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    for s_ in sorted(sec):
        f.write(s_ + "\n")

# ---------------------------------------------------------------- transport: OTLP/JSON requests
def av(v):
    if isinstance(v, bool): return {"boolValue": v}
    if isinstance(v, int): return {"intValue": str(v)}
    if isinstance(v, list): return {"arrayValue": {"values": [av(x) for x in v]}}
    if isinstance(v, dict): return {"kvlistValue": {"values": [{"key": k, "value": av(x)} for k, x in v.items()]}}
    return {"stringValue": str(v)}
def attrs(d):
    return [{"key": k, "value": av(v)} for k, v in d.items()]
TR = random.Random(SEED * 13 + 5)
HOSTS = {"api-gateway": ["gw-a1", "gw-b2", "gw-c3"], "partner-api": ["cdn-edge-fra", "cdn-edge-iad"], "ingest-gw": ["envoy-ing-1", "envoy-ing-2", "envoy-ing-3", "envoy-ing-4"],
         "platform-api": ["platform-api-7d9f", "platform-api-x2kq"]}
OFFSET = {}
UA = {"ingest-gw": ["fw-meter/3.1.4", "fw-charger/5.0.2", "fw-gateway/4.2.0"], "api-gateway": ["fwctl/2.8.1", "Mozilla/5.0 fernwerk-console", "python-requests/2.32.3"],
      "partner-api": ["Apache-HttpClient/5.3", "okhttp/4.12.0", "Go-http-client/2.0"]}
def nanos(e):
    if "ns" not in e:
        e["ns"] = e["t"] * 1_000_000_000 + TR.randint(0, 999_999_999)
    return e["ns"]
def span_of(e):
    a = {}
    if e["k"] == 3:
        a["url.full"] = (e["x"] or {}).get("url.full", "")
        a["http.request.method"] = e["m"]
    else:
        a["http.request.method"] = e["m"]
        if e["r"]: a["http.route"] = e["r"]
        a["url.path"] = e["p"]; a["url.scheme"] = "https"
        a["server.address"] = "api.fernwerk.io" if e["svc"] != "platform-api" else "platform-api.internal"
        if e["s"] is not None: a["http.response.status_code"] = e["s"]
        a["network.peer.address"] = e["pe"]; a["network.peer.port"] = TR.randint(30000, 60999)
        if e["c"]: a["client.address"] = e["c"]
        if e["xff"]: a["http.request.header.x-forwarded-for"] = [e["xff"]]
        if e["svc"] in UA: a["user_agent.original"] = TR.choice(UA[e["svc"]])
    if e["a"]:
        a["http.request.header." + e["a"][0]] = [e["a"][1]]
    for k, v in (e["x"] or {}).items():
        if k != "url.full": a[k] = v
    st = nanos(e)
    sp = {"traceId": e.setdefault("tid", tid()), "spanId": e.setdefault("sid", sid()),
          "name": (e["m"] + " " + (e["r"] or "")).strip() if e["k"] == 2 else "git clone",
          "kind": e["k"], "startTimeUnixNano": str(st), "endTimeUnixNano": str(st + TR.randint(2, 400) * 1_000_000),
          "attributes": attrs(a)}
    if e["k"] == 2 and e["svc"] != "platform-api":
        sp["parentSpanId"] = e.setdefault("psid", sid()) if False else ""
    if (e["s"] is not None and e["s"] >= 500) or e["evs"]:
        sp["status"] = {"code": 2}
    if e["evs"]:
        sp["events"] = [{"timeUnixNano": str(st + 1_000_000), "name": n, "attributes": attrs(at_)} for n, at_ in e["evs"]]
    return sp
def log_of(e):
    st = nanos(e)
    if e["sig"] == "applog":
        return {"timeUnixNano": str(st), "observedTimeUnixNano": str(st + 2_000_000_000), "severityNumber": 13, "severityText": "WARN",
                "body": {"stringValue": e["b"]}, "attributes": []}
    host = e.setdefault("host", TR.choice(HOSTS["ingest-gw"]))
    OFFSET[host] = OFFSET.get(host, 0) + TR.randint(300, 420)
    a = {"http.request.method": e["m"], "url.path": e["p"], "http.response.status_code": e["s"], "network.peer.address": e["pe"],
         "client.address": e["c"], "user_agent.original": TR.choice(UA["ingest-gw"]),
         "log.file.name": "access.log", "log.file.path": "/var/log/envoy/access.log", "log.file.record_offset": e.setdefault("off", OFFSET[host])}
    if e["a"]:
        a["http.request.header." + e["a"][0]] = e["a"][1]
    return {"timeUnixNano": str(st), "observedTimeUnixNano": str(st + TR.randint(1, 30) * 1_000_000_000), "severityNumber": 9,
            "severityText": "INFO", "body": av(e["b"]) if e["b"] else {"stringValue": ""}, "attributes": attrs(a)}
def res_key(e):
    if e["rx"]:
        return json.dumps(e["rx"], sort_keys=True)
    return e["svc"] + "|" + e.setdefault("host", TR.choice(HOSTS.get(e["svc"], [e["svc"] + "-0"])))
def resource_of(e):
    if e["rx"]:
        d = {"deployment.environment.name": "prod", "service.namespace": "fernwerk"}; d.update(e["rx"]); return {"attributes": attrs(d)}
    return {"attributes": attrs({"service.name": e["svc"], "service.namespace": "fernwerk", "deployment.environment.name": "prod",
                                 "host.name": e["host"], "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.language": "go" if e["svc"] != "ingest-gw" else "envoy"})}
def build(items, signal):
    groups = {}
    for e in items:
        groups.setdefault(res_key(e), []).append(e)
    out = []
    for k, es in groups.items():
        if signal == "traces":
            out.append({"resource": resource_of(es[0]), "scopeSpans": [{"scope": {"name": "fernwerk/httpserver", "version": "1.4.0"}, "spans": [span_of(e) for e in es]}]})
        else:
            out.append({"resource": resource_of(es[0]), "scopeLogs": [{"scope": {"name": "envoy.access" if es[0]["svc"] == "ingest-gw" else "app"}, "logRecords": [log_of(e) for e in es]}]})
    return {"resourceSpans": out} if signal == "traces" else {"resourceLogs": out}
EDGE = {"ingest-gw", "api-gateway", "partner-api"}
EVENTS.sort(key=lambda e: e["t"])
reqs = []   # (send_time, seq, signal, items)
for sender in ("edge", "app"):
    evs = [e for e in EVENTS if (e["svc"] in EDGE) == (sender == "edge")]
    i = 0
    while i < len(evs):
        w = TR.randint(60, 360); t_end = evs[i]["t"] + w
        j = i
        while j < len(evs) and evs[j]["t"] < t_end and j - i < 1500:
            j += 1
        chunk = evs[i:j]; i = j
        delay = TR.randint(0, 120) if sender == "edge" else TR.randint(60, 400)
        st = chunk[-1]["t"] + delay
        for signal in ("traces", "logs"):
            its = [e for e in chunk if (e["sig"] == "span") == (signal == "traces")]
            if its:
                TR.shuffle(its)
                reqs.append((st, len(reqs), signal, its))
reqs.sort()
rdir = os.path.join(OUT, "requests"); os.makedirs(rdir, exist_ok=True)
for f_ in os.listdir(rdir): os.remove(os.path.join(rdir, f_))
n = 0; resent = 0; pending = []
for k, (st, _, signal, its) in enumerate(reqs):
    body = json.dumps(build(its, signal), separators=(",", ":"))
    n += 1; open(os.path.join(rdir, "%06d-%s.json" % (n, signal)), "w").write(body)
    if TR.random() < 0.025:
        pending.append([TR.randint(1, 4), signal, body])
    for p in list(pending):
        p[0] -= 1
        if p[0] <= 0 and p is not pending[-1] or (p[0] <= 0):
            n += 1; resent += 1; open(os.path.join(rdir, "%06d-%s.json" % (n, p[1])), "w").write(p[2]); pending.remove(p)
for p in pending:
    n += 1; resent += 1; open(os.path.join(rdir, "%06d-%s.json" % (n, p[1])), "w").write(p[2])
print("requests", n, "resent", resent, file=sys.stderr)
stats["requests"] = n; stats["resent_requests"] = resent
json.dump(stats, open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)

# ---------------------------------------------------------------- self-checks of the world (not of the product)
import ipaddress
def _net_ok(v, ip):
    nets = [".".join(v.home.split(".")[:3]) + ".0/24"] + ([OFFICE[v.office] + ".0/24"] if v.office else []) + [p + ".0.0/16" for p in v.phone]
    return any(ipaddress.ip_address(ip) in ipaddress.ip_network(n) for n in nets)
bad = collections_bad = 0
ctoks = {v.pat: v for v in CONTRACTORS}
for e in EVENTS:
    v = ctoks.get(e["tok"])
    if v and e["clean"]:
        l = local_dt(e["t"], v.zi)
        if l.weekday() >= 5 or not (v.start_h - 1 <= l.hour < min(24, v.start_h + v.len_h + 1)) or not _net_ok(v, e["c"]):
            bad += 1
print("self-check: contractor clean events outside policy hours/networks:", bad, file=sys.stderr)
for L in LABELS:
    if L["type"] == "off_hours":
        v = next((x for x in DEVS if x.pat == L.get("raw")), None)
        l = local_dt(int(datetime.strptime(L["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()), v.zi)
        print("self-check off_hours", L["id"], v.tz, l.strftime("%a %H:%M"), "contractor" if v.contractor else "learned", "hours %d-%d" % (v.start_h, v.start_h + v.len_h), file=sys.stderr)
alw = {g.cid: g for g in INTEGS if g.allowlisted}
