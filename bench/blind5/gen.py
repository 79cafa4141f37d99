#!/usr/bin/env python3
"""blind5 world generator: Meridian, a multi-region fintech + health API platform.

Writes into OUT (default RUNDIR/out, RUNDIR defaulting to the current directory):
  policy.yaml        the policy our security team would write (fingerprints from auditctl)
  labels.jsonl       every injected misuse (written before the collector runs)
  negatives.jsonl    explicitly benign events that look suspicious (counted as false if alerted)
  creds.json         credential name -> {class, token id if known, first trace ids, labelled?}
  batches/*.json     OTLP/HTTP JSON request bodies, in send order
  secrets.txt        every raw secret sent (for the leak search; never searched itself)
Standard library only. Deterministic for a seed.
"""
import zlib, base64, hashlib, hmac, ipaddress, json, os, random, subprocess, sys, datetime as dt
from zoneinfo import ZoneInfo

SEED = int(os.environ.get("SEED", "5"))
OUT = os.environ.get("OUT", os.path.join(os.environ.get("RUNDIR", "."), "out"))
# auditctl of the repository's distribution: REPO (default: the checkout holding this script)/dist/auditctl
REPO = os.environ.get("REPO") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AUDITCTL = os.environ.get("AUDITCTL", os.path.join(REPO, "dist", "auditctl"))
JWT_SECRET = os.environ["MERIDIAN_JWT_SECRET"].encode()
KID = "meridian-2026"
R = random.Random(SEED)
UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 18, tzinfo=UTC)          # Wednesday
DAYS = 14
T_END = T0 + dt.timedelta(days=DAYS)
ISS_STAFF = "https://login.meridian.example/"
ISS_APP = "https://auth.meridian-app.example/"
ISS_MESH = "https://mesh.meridian.internal/"

def ts(x):  # datetime -> unix seconds float
    return x.timestamp()

def at(d, h, m=0, s=0, tz=UTC):
    """day index d (0 = Wed 18 Nov), local wall time h:m in tz -> unix seconds"""
    base = (T0 + dt.timedelta(days=d)).date()
    loc = dt.datetime(base.year, base.month, base.day, tzinfo=ZoneInfo(tz) if isinstance(tz, str) else tz)
    return ts(loc + dt.timedelta(hours=h, minutes=m, seconds=s))

def local(t, tz):
    return dt.datetime.fromtimestamp(t, ZoneInfo(tz))

def rb62(n):
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(R.choice(a) for _ in range(n))

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(claims, secret=JWT_SECRET, kid=KID, alg="HS256"):
    h = b64u(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64u(hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest())
    return f"{h}.{p}.{sig}"

def ip_in(cidr, host=None):
    n = ipaddress.ip_network(cidr)
    if host is None:
        host = R.randrange(2, min(n.num_addresses - 2, 1 << 24))
    return str(n.network_address + host)

def net24(ip):
    return str(ipaddress.ip_network(ip + "/24", strict=False))

# ---------------------------------------------------------------- networks
RESI = {
    "Asia/Singapore": ["116.14.0.0/16", "42.60.0.0/16", "118.189.0.0/16"],
    "Australia/Sydney": ["1.120.0.0/16", "49.180.0.0/16", "101.160.0.0/16"],
    "Asia/Tokyo": ["153.150.0.0/16", "106.130.0.0/16", "126.0.0.0/16"],
    "Europe/London": ["86.140.0.0/16", "82.0.0.0/16", "2.96.0.0/16"],
    "Europe/Berlin": ["79.200.0.0/16", "91.40.0.0/16", "88.64.0.0/16"],
    "Europe/Paris": ["90.0.0.0/16", "86.200.0.0/16", "78.120.0.0/16"],
    "America/New_York": ["71.190.0.0/16", "73.10.0.0/16", "67.240.0.0/16"],
    "America/Chicago": ["73.100.0.0/16", "99.40.0.0/16", "24.1.0.0/16"],
    "America/Los_Angeles": ["73.50.0.0/16", "76.80.0.0/16", "99.100.0.0/16"],
}
MOBILE = {
    "Asia/Singapore": ["111.65.0.0/16"], "Australia/Sydney": ["1.144.0.0/16"], "Asia/Tokyo": ["1.66.0.0/16"],
    "Europe/London": ["31.94.0.0/16"], "Europe/Berlin": ["176.0.0.0/16"], "Europe/Paris": ["37.160.0.0/16"],
    "America/New_York": ["172.56.0.0/16"], "America/Chicago": ["174.200.0.0/16"], "America/Los_Angeles": ["172.58.0.0/16"],
}
OFFICE = {  # Meridian offices' NAT /24s
    "Europe/London": "195.171.40.0/24", "Europe/Berlin": "62.157.140.0/24", "Asia/Singapore": "203.117.12.0/24",
    "Australia/Sydney": "203.33.250.0/24", "Asia/Tokyo": "210.160.90.0/24", "America/New_York": "38.140.20.0/24",
    "America/Los_Angeles": "64.125.30.0/24",
}
CLOUD = {
    "aws-euw1": "52.16.0.0/16", "aws-use1": "3.80.0.0/16", "aws-use1b": "54.160.0.0/16", "aws-apse1": "13.228.0.0/16",
    "gcp-eu": "34.140.0.0/16", "gcp-us": "35.190.0.0/16", "azure-eu": "20.50.0.0/16", "azure-us": "40.76.0.0/16",
}
GH_RUNNERS = ["20.40.0.0/14", "52.170.0.0/16", "40.84.0.0/16", "13.64.0.0/14"]  # Azure-hosted CI runners
VPS = {"do": ["159.65.0.0/16", "167.99.0.0/16", "134.209.0.0/16"], "hetzner": ["95.217.0.0/16", "116.203.0.0/16"],
       "ovh": ["51.75.0.0/16"], "vultr": ["45.77.0.0/16"], "linode": ["172.105.0.0/16"]}
FOREIGN_RESI = ["177.32.0.0/16", "14.176.0.0/16", "95.25.0.0/16", "49.36.0.0/16", "105.112.0.0/16",
                "36.72.0.0/16", "86.120.0.0/16", "181.50.0.0/16", "41.190.0.0/16", "113.160.0.0/16"]
LB = ["10.0.1.10", "10.0.1.11", "10.0.2.10", "10.0.2.11"]  # load balancers in front of the API (private peer)
GW = ["10.1.0.20", "10.1.0.21", "10.1.0.22"]  # the mobile API gateway's upstream nodes

TZ_STAFF = {"Asia/Singapore": 25, "Australia/Sydney": 15, "Asia/Tokyo": 15, "Europe/London": 35,
            "Europe/Berlin": 30, "America/New_York": 35, "America/Los_Angeles": 25}
TZ_ALL = list(RESI)

# ---------------------------------------------------------------- credentials
CREDS = {}          # name -> dict
EVENTS = []         # dicts with "t"
LABELS = []
NEG = []
REGISTRY = []       # registry entries (cred name, fields)
REVOKED = []        # ("id", credname) or ("jti", value)

def cred(name, kind, raw, cls, header="authorization", **kw):
    c = dict(name=name, kind=kind, raw=raw, cls=cls, header=header, traces=[], **kw)
    CREDS[name] = c
    return c

def header_value(c):
    if c["kind"] == "basic":
        return "Basic " + c["raw"]
    if c["header"] == "authorization":
        return "Bearer " + c["raw"]
    return c["raw"]

def new_key(prefix, name, cls, owner, **kw):
    return cred(name, "key", f"mpk_{prefix}_{rb62(32)}", cls, header="x-api-key", owner=owner, **kw)

def new_basic(user, name, cls, **kw):
    raw = base64.b64encode(f"{user}:{rb62(24)}".encode()).decode()
    return cred(name, "basic", raw, cls, owner=user, **kw)

def new_jwt(name, cls, iss, sub, iat, exp, scope=None, client=False, nbf=None, extra=None, secret=JWT_SECRET, kid=KID):
    cl = {"iss": iss, "sub": sub, "iat": int(iat), "exp": int(exp), "jti": rb62(16)}
    if nbf is not None:
        cl["nbf"] = int(nbf)
    if scope:
        cl["scope"] = scope
    if client:
        cl["client_id"] = sub
        cl["azp"] = sub
    if iss == ISS_APP:
        cl["aud"] = "meridian-app"
    if extra:
        cl.update(extra)
    c = cred(name, "jwt", jwt(cl, secret=secret, kid=kid), cls, owner=sub, jti=cl["jti"])
    return c

def register(c, owner, owner_type, scopes=None, created=None, expires=None, last_used=None, networks=None, wh=None, rname=None):
    e = {"id": c["name"], "name": rname or c["name"], "owner": owner, "owner_type": owner_type}
    if scopes is not None: e["scopes"] = scopes
    if created is not None: e["created_at"] = created
    if expires is not None: e["expires_at"] = expires
    if last_used is not None: e["last_used_at"] = last_used
    if networks is not None: e["networks"] = networks
    if wh is not None: e["working_hours"] = wh
    REGISTRY.append(e)
    c["registered"] = True

def iso(t):
    if isinstance(t, dt.datetime):
        t = t.timestamp()
    if isinstance(t, str):
        return t
    return dt.datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

def label(typ, ident, t0, t1, note, kind="token"):
    LABELS.append(dict(lid=f"L{len(LABELS)+1:03d}", type=typ, ident_kind=kind, ident=ident, t0=t0, t1=t1, note=note))
    if kind == "token":
        CREDS[ident]["labelled"] = True

# ---------------------------------------------------------------- events
def noise_status(rate401=0.0, rate403=0.003, rate5xx=0.007):
    x = R.random()
    if x < rate5xx: return R.choice([500, 502, 503, 504])
    if x < rate5xx + rate403: return 403
    if x < rate5xx + rate403 + rate401: return 401
    return 200

def ev(t, c, method, route, path, status, ip, svc, form="http", extra=None, peer=None):
    if c is not None and len(c["traces"]) < 2:
        pass
    EVENTS.append(dict(t=t, c=c["name"] if c else None, m=method, route=route, path=path, st=status, ip=ip,
                       svc=svc, form=form, extra=extra, peer=peer))

def spread(t0, t1, n):
    return sorted(R.uniform(t0, t1) for _ in range(n))

def fill(path_tpl):
    out = []
    for seg in path_tpl.split("/"):
        if seg.startswith("{"):
            name = seg[1:-1]
            if name == "partner": out.append("X")
            elif name == "dataset": out.append(R.choice(["ledger", "settlements", "claims", "encounters"]))
            else: out.append(str(R.randrange(10000, 9999999)))
        else:
            out.append(seg)
    return "/".join(out)

SVC_OF = [("/v1/payments", "payments-api"), ("/v1/patients", "patients-api"), ("/v1/reports", "reports-api"),
          ("/v1/webhooks", "webhook-ingest"), ("/v1/admin", "admin-bff"), ("/v1/deployments", "deploy-api"),
          ("/v1/config", "deploy-api"), ("/v1/exports", "export-api"), ("/v1/me", "app-api"),
          ("/v1/tenants", "tenant-api"), ("/v1/audit", "audit-api"), ("/v1/files", "files-api")]

def svc_for(route):
    for p, s in SVC_OF:
        if route.startswith(p): return s
    return "edge-api"

def call(t, c, res, ip, status=None, form="http", extra=None, peer=None):
    """res = 'GET /v1/payments/{id}'"""
    method, route = res.split(" ", 1)
    if form == "http" and route.startswith("/v1/webhooks"):
        path = route.replace("{partner}", c.get("owner", "x").split("-")[-1] if c else "x")
    else:
        path = fill(route)
    if status is None:
        status = noise_status()
    ev(t, c, method, route, path, status, ip, svc_for(route), form, extra, peer)

# ---------------------------------------------------------------- the clean world
SCOPES = {
    "payments:read": ["GET /v1/payments", "GET /v1/payments/{id}"],
    "payments:write": ["POST /v1/payments", "POST /v1/payments/{id}/capture", "POST /v1/payments/{id}/refund"],
    "patients:read": ["GET /v1/patients/{id}", "GET /v1/patients/{id}/records"],
    "patients:write": ["POST /v1/patients", "PUT /v1/patients/{id}"],
    "reports:read": ["GET /v1/reports/settlement", "GET /v1/reports/{id}"],
    "webhooks:deliver": ["POST /v1/webhooks/{partner}"],
    "deploy": ["POST /v1/deployments", "GET /v1/config"],
    "etl:export": ["GET /v1/exports/{dataset}", "POST /v1/exports/{dataset}/ack"],
    "admin": ["* /v1/admin/**"],
    "app": ["* /v1/me/**"],
}
SEC_ADMINS = [f"staff-sec-{i:02d}" for i in range(1, 7)]
RESTRICTED = [
    {"resource": "DELETE /v1/admin/**", "principals": SEC_ADMINS},
    {"resource": "* /v1/admin/keys/**", "principals": SEC_ADMINS},
    {"resource": "GET /v1/patients/{id}/records/export", "scopes": ["patients:export"]},
]

def weekday(d):
    return (T0 + dt.timedelta(days=d)).weekday()  # 0 = Mon

STAFF = []      # dicts: name, tz, home ip, role
def gen_staff():
    n = 0
    for tz, k in TZ_STAFF.items():
        for i in range(k):
            n += 1
            role = "support" if i % 3 else "compliance"
            name = f"staff-{tz.split('/')[1].lower()[:3]}-{i:03d}"
            STAFF.append(dict(name=name, tz=tz, role=role, home=ip_in(R.choice(RESI[tz])),
                              office=ip_in(OFFICE[tz], R.randrange(2, 6)), start=R.uniform(7.5, 9.5),
                              length=R.uniform(7.5, 9.5), wfh=R.random() < 0.4, rate=R.uniform(2.5, 6)))
    for i, s in enumerate(SEC_ADMINS):
        tz = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London", "America/Los_Angeles"][i]
        STAFF.append(dict(name=s, tz=tz, role="sec", home=ip_in(R.choice(RESI[tz])), office=ip_in(OFFICE[tz], R.randrange(2, 6)),
                          start=R.uniform(8, 9.5), length=R.uniform(8, 9), wfh=R.random() < 0.4, rate=R.uniform(2.5, 5)))

STAFF_RES = {"support": ["GET /v1/admin/tenants/{id}", "GET /v1/admin/tickets", "PUT /v1/admin/tickets/{id}",
                         "GET /v1/payments/{id}", "GET /v1/admin/tenants/{id}/usage"],
             "compliance": ["GET /v1/admin/tickets", "GET /v1/patients/{id}/records", "GET /v1/patients/{id}",
                            "GET /v1/admin/tenants/{id}"],
             "sec": ["GET /v1/admin/tenants/{id}", "GET /v1/admin/keys/{id}", "GET /v1/admin/tickets",
                     "GET /v1/payments/{id}", "GET /v1/patients/{id}"]}
STAFF_SCOPE = {"support": "admin payments:read", "compliance": "admin patients:read",
               "sec": "admin payments:read patients:read"}
TRAVEL = {}  # staff name -> (d0, d1, tz, ip)

def staff_session(s, t_start, t_end, ip, first_hour_token=None, rate=None):
    """hourly rotated OIDC tokens during [t_start, t_end); returns list of tokens"""
    toks = []
    t = t_start
    rate = rate or s["rate"]
    while t < t_end:
        iat = t - R.uniform(0, 30)
        tok = new_jwt(f"jwt:{s['name']}:{int(iat)}", "staff", ISS_STAFF, s["name"], iat, iat + 3600, scope=STAFF_SCOPE[s["role"]])
        toks.append(tok)
        seg_end = min(iat + 3600 - R.uniform(30, 300), t_end)
        n = max(1, int(R.gauss(rate * (seg_end - t) / 3600, 1.2)))
        for x in spread(t, seg_end, n):
            call(x, tok, R.choice(STAFF_RES[s["role"]]), ip)
        if R.random() < 0.02:  # browser sends the old token once after expiry, refused, then refreshes
            call(iat + 3600 + R.uniform(5, 90), tok, R.choice(STAFF_RES[s["role"]]), ip, status=401)
        t = seg_end + R.uniform(1, 20)
    return toks

def gen_staff_traffic():
    for s in STAFF:
        for d in range(DAYS):
            if weekday(d) >= 5:
                if R.random() < 0.06:  # a weekend check
                    t = at(d, R.uniform(10, 17), tz=s["tz"])
                    staff_session(s, t, t + R.uniform(600, 2400), s["home"])
                continue
            if R.random() < 0.05:  # leave
                continue
            tr = TRAVEL.get(s["name"])
            if tr and tr[0] <= d <= tr[1]:
                tz, ip = tr[2], tr[3]
            else:
                tz = s["tz"]
                ip = s["home"] if (s["wfh"] and R.random() < 0.7) or R.random() < 0.15 else s["office"]
            st = s["start"] + R.gauss(0, 0.4)
            ln = s["length"] + R.gauss(0, 0.5)
            a, b = at(d, st, tz=tz), at(d, st + ln, tz=tz)
            lunch = at(d, 12.2 + R.uniform(0, 1), tz=tz)
            staff_session(s, a, lunch, ip)
            staff_session(s, lunch + R.uniform(1800, 3600), b, ip)
            if R.random() < 0.08:  # evening check from home
                e = at(d, R.uniform(19.5, 21.5), tz=tz)
                staff_session(s, e, e + R.uniform(300, 1800), s["home"] if not tr or not (tr[0] <= d <= tr[1]) else ip)

CUST = []
def gen_customers(n=620):
    for i in range(n):
        tz = R.choice(TZ_ALL)
        CUST.append(dict(name=f"cust-{i:05d}", tz=tz, home=ip_in(R.choice(RESI[tz])), carrier=R.choice(MOBILE[tz]),
                         per_day=R.choice([0.3, 0.6, 1, 1.5, 2, 3]), wake=R.uniform(6.5, 9), sleep=R.uniform(21.5, 23.8)))

APP_RES = ["GET /v1/me/accounts", "GET /v1/me/transactions", "GET /v1/me/transactions/{id}", "POST /v1/me/transfers",
           "GET /v1/me/appointments", "POST /v1/me/appointments", "GET /v1/me/profile"]
CUST_TRAVEL = {}

def cust_session(c, t, ip, n=None, tok=None):
    if tok is None:
        tok = new_jwt(f"jwt:{c['name']}:{int(t)}", "customer", ISS_APP, c["name"], t - 2, t - 2 + 3600, scope="app")
    n = n or R.randint(3, 9)
    x = t
    for _ in range(n):
        call(x, tok, R.choice(APP_RES), ip, form="gwlog")
        x += R.uniform(3, 60)
    if R.random() < 0.03:
        call(t + 3600 + R.uniform(1, 60), tok, R.choice(APP_RES), ip, status=401, form="gwlog")
    return tok

def gen_customer_traffic():
    for c in CUST:
        for d in range(DAYS):
            k = R.random()
            n = int(c["per_day"]) + (1 if R.random() < c["per_day"] % 1 else 0)
            for _ in range(n):
                tz, home, carrier = c["tz"], c["home"], c["carrier"]
                tr = CUST_TRAVEL.get(c["name"])
                if tr and tr[0] <= d <= tr[1]:
                    tz, home, carrier = tr[2], tr[3], tr[4]
                t = at(d, R.uniform(c["wake"], c["sleep"]), tz=tz)
                ip = home if R.random() < 0.55 else ip_in(carrier)
                cust_session(c, t, ip)

TENANTS = []
def gen_tenants():
    tzs = TZ_ALL
    for i in range(470):
        tz = R.choice(tzs)
        kind = "fin" if R.random() < 0.6 else "health"
        if i < 165: cls = "low"
        elif i < 445: cls = "medium"
        elif i < 453: cls = "high"
        else: cls = "monthly"
        onprem = R.random() < 0.35
        if onprem:
            ips = [ip_in(R.choice(RESI[tz]).replace(".0.0/16", f".{R.randrange(0,255)}.0/24"))]
        else:
            cl = R.choice(list(CLOUD))
            base = ip_in(CLOUD[cl])
            ips = [base, ip_in(net24(base))] if R.random() < 0.5 else [base]
        t = dict(name=f"tenant-{i:04d}", tz=tz, kind=kind, cls=cls, ips=ips, start=R.uniform(7, 10), end=R.uniform(16.5, 19.5),
                 rate=R.uniform(3, 8), allow=R.random() < 0.22 and cls != "monthly", monthend=cls in ("medium", "high") and R.random() < 0.5)
        if cls == "low":
            t["res"] = ["GET /v1/payments", "GET /v1/payments/{id}"] if kind == "fin" else ["GET /v1/patients/{id}"]
            t["scopes"] = ["payments:read"] if kind == "fin" else ["patients:read"]
            t["perday"] = R.uniform(2, 6)
        elif kind == "fin":
            t["res"] = ["GET /v1/payments/{id}", "POST /v1/payments", "POST /v1/payments/{id}/capture", "GET /v1/payments"]
            t["scopes"] = ["payments:read", "payments:write"]
        else:
            t["res"] = ["GET /v1/patients/{id}", "GET /v1/patients/{id}/records", "PUT /v1/patients/{id}", "POST /v1/patients"]
            t["scopes"] = ["patients:read", "patients:write"]
        if t["monthend"] or cls == "monthly":
            t["scopes"] = t["scopes"] + ["reports:read"] if cls != "monthly" else ["reports:read"]
        TENANTS.append(t)
        created = T0 - dt.timedelta(days=R.uniform(100, 330))
        k = new_key("live", f"key:{t['name']}:1", "tenant", t["name"])
        t["keys"] = [(k, -1, 99)]
        lu = T0 - dt.timedelta(days=R.uniform(0.05, 1.5)) if cls != "monthly" else T0 - dt.timedelta(days=R.uniform(13, 16))
        t["reg"] = dict(created=iso(ts(created)), expires=iso(ts(created + dt.timedelta(days=365))), last_used=iso(ts(lu)))

def tenant_key_at(t, d):
    for k, a, b in t["keys"]:
        if a <= d < b: return k
    return t["keys"][-1][0]

def gen_tenant_traffic():
    for t in TENANTS:
        tz = t["tz"]
        # force every resource (so every scope) on the first two days
        first = True
        for d in range(DAYS):
            k = tenant_key_at(t, d)
            wd = weekday(local(at(d, 12, tz=tz), tz).timestamp() and 0) if False else (T0 + dt.timedelta(days=d)).weekday()
            if t["cls"] == "low":
                n = max(0, int(R.gauss(t["perday"], 1)))
                if wd >= 5: n = n // 3
                for x in spread(at(d, t["start"], tz=tz), at(d, t["end"], tz=tz), n):
                    call(x, k, R.choice(t["res"]), R.choice(t["ips"]))
            elif t["cls"] in ("medium",):
                if wd >= 5:
                    continue
                a, b = at(d, t["start"] + R.gauss(0, .3), tz=tz), at(d, t["end"] + R.gauss(0, .3), tz=tz)
                n = int(t["rate"] * (b - a) / 3600)
                xs = spread(a, b, n)
                for j, x in enumerate(xs):
                    res = t["res"][j] if first and j < len(t["res"]) else R.choice(t["res"])
                    call(x, k, res, R.choice(t["ips"]))
                first = False
                if "reports:read" in t["scopes"] and wd in (0, 4):
                    for x in spread(a, b, R.randint(2, 5)):
                        call(x, k, "GET /v1/reports/{id}", R.choice(t["ips"]))
            elif t["cls"] == "high":
                for h in range(24):
                    lh = local(at(d, h), tz).hour
                    r = t["rate"] * (3 if 8 <= lh < 20 else 1)
                    for x in spread(at(d, h), at(d, h + 1), int(r + R.random())):
                        res = t["res"][0] if not first else t["res"][min(3, h)]
                        call(x, k, R.choice(t["res"]) if not first else res, R.choice(t["ips"]))
                first = False
                if "reports:read" in t["scopes"] and wd in (0, 4):
                    for x in spread(at(d, 9, tz=tz), at(d, 17, tz=tz), 3):
                        call(x, k, "GET /v1/reports/{id}", R.choice(t["ips"]))
            # month end: Monday 30 Nov (d12): settlement reports, evening local
            if d == 12 and (t["monthend"] or t["cls"] == "monthly"):
                n = R.randint(20, 70)
                s0 = at(d, R.uniform(16.5, 18), tz=tz)
                for x in spread(s0, s0 + R.uniform(600, 3000), n):
                    call(x, k, "GET /v1/reports/settlement", R.choice(t["ips"]))

def gen_tenant_rotations():
    """40 medium tenants rotate their key on a working day 3..11; old key simply stops"""
    meds = [t for t in TENANTS if t["cls"] == "medium"]
    for t in R.sample(meds, 40):
        d = R.choice([5, 6, 7, 8, 9])
        k2 = new_key("live", f"key:{t['name']}:2", "tenant", t["name"])
        old = t["keys"][0][0]
        t["keys"] = [(old, -1, d), (k2, d, 99)]
        t["rot"] = (d, k2)

MESH = ["ledger", "fraud", "risk", "kyc", "notify", "billing", "fx", "cards", "ehr-sync", "claims", "scheduler", "consent",
        "identity", "search", "docs", "audit-writer", "pricing", "payout", "recon", "ml-score", "gateway", "settlement", "vault-proxy", "analytics"]
MESH_CALLS = {}
def gen_mesh():
    for i, s in enumerate(MESH):
        callee = MESH[(i * 7 + 3) % len(MESH)]
        MESH_CALLS[s] = dict(callee=callee, rate=R.uniform(2, 5), pods=[ip_in("10.20.0.0/16") for _ in range(3)],
                             methods=[f"{callee.replace('-', '')}.v1.{callee.title().replace('-', '')}/{m}" for m in R.sample(["Get", "List", "Post", "Check", "Score", "Sync"], 3)])

MESH_TOK = {}
def mesh_token(s, d):
    key = (s, d)
    if key not in MESH_TOK:
        iat = at(d, 0) + (zlib.crc32(s.encode()) % 600) - 300
        MESH_TOK[key] = new_jwt(f"mesh:{s}:{d}", "mesh", ISS_MESH, f"svc-{s}", iat, iat + 86400 + 600, client=True)
    return MESH_TOK[key]

def gen_mesh_traffic():
    for s, m in MESH_CALLS.items():
        for d in range(DAYS):
            if d in (6, 10) and R.random() < 0.3:  # redeploys: new pod IPs
                m["pods"] = [ip_in("10.20.0.0/16") for _ in range(3)]
            for h in range(24):
                r = m["rate"] * (1.6 if 7 <= h <= 20 else 0.6)
                for x in spread(at(d, h), at(d, h + 1), int(r + R.random())):
                    tok = mesh_token(s, d if x >= at(d, 0) + (zlib.crc32(s.encode()) % 600) - 300 + 60 else max(0, d - 1))
                    ev(x, tok, None, None, R.choice(m["methods"]), R.choices([0, 14, 13, 5], [0.985, 0.007, 0.004, 0.004])[0],
                       R.choice(m["pods"]), m["callee"], form="grpc")

ETL = []
def gen_etl():
    for i in range(12):
        weekly = i >= 8
        name = f"etl-{['ledger','claims','settle','risk','bi','ehr','fx','payout','wk-archive','wk-recon','wk-cohort','wk-billing'][i]}"
        k = new_key("etl", f"key:{name}", "etl", name)
        ip = ip_in(R.choice([CLOUD["aws-euw1"], CLOUD["gcp-eu"], CLOUD["aws-use1"]]))
        created = T0 - dt.timedelta(days=R.uniform(95, 300))
        register(k, name, "service", scopes=["etl:export"], created=iso(ts(created)), expires=iso(ts(created + dt.timedelta(days=364))),
                 last_used=iso(ts(T0 - dt.timedelta(days=(R.uniform(3, 6.5) if weekly else R.uniform(0.6, 0.9))))), networks=[],
                 wh={"time_zone": "UTC", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "01:00", "end": "05:00"})
        ETL.append(dict(name=name, key=k, ip=ip, weekly=weekly, start=R.uniform(1.4, 3.0), n=R.randint(30, 60)))

def gen_etl_traffic():
    for e in ETL:
        for d in range(DAYS):
            if e["weekly"] and weekday(d) != 6:
                continue
            n = e["n"] * (3 if d == 13 else 1)  # month close on 1 Dec
            s0 = at(d, e["start"] + R.gauss(0, 0.1))
            xs = spread(s0, s0 + R.uniform(600, 1800) * (2 if d == 13 else 1), n)
            for j, x in enumerate(xs):
                call(x, e["key"], "GET /v1/exports/{dataset}" if j % 5 else "POST /v1/exports/{dataset}/ack", e["ip"],
                     status=noise_status(rate403=0, rate5xx=0.01))

PARTNERS = []
def gen_partners():
    for i in range(25):
        slug = f"partner-{['stripe','adyen','labcorp','quest','plaid','wise','epic','cerner','twilio','sendgrid','docusign','onfido','sift','experian','equifax','visa','mc','amex','paypal','klarna','athena','allscripts','redox','veriff','checkr'][i]}"
        c = new_basic(slug, f"basic:{slug}", "partner")
        n1 = ip_in(R.choice(list(CLOUD.values())))
        n2 = ip_in(R.choice(list(CLOUD.values())))
        ips = [ip_in(net24(n1)) for _ in range(R.randint(2, 3))] + [ip_in(net24(n2)) for _ in range(R.randint(1, 3))]
        allow = i < 10
        created = T0 - dt.timedelta(days=R.uniform(100, 300))
        register(c, slug, "service", scopes=["webhooks:deliver"], created=iso(ts(created)), expires=iso(ts(created + dt.timedelta(days=365))),
                 last_used=iso(ts(T0 - dt.timedelta(hours=R.uniform(0.5, 6)))), networks=[net24(n1), net24(n2)] if allow else [])
        PARTNERS.append(dict(slug=slug, cred=c, ips=ips, rate=R.uniform(1, 3.5), allow=allow))

def gen_partner_traffic():
    for p in PARTNERS:
        for d in range(DAYS):
            for h in range(24):
                for x in spread(at(d, h), at(d, h + 1), int(p["rate"] * R.uniform(0.3, 1.7) + R.random())):
                    call(x, p["cred"], "POST /v1/webhooks/{partner}", R.choice(p["ips"]), status=noise_status(rate403=0.001))

CI = []
def gen_ci():
    for i in range(15):
        name = f"ci-{['web','api','mobile','ledger','ehr','infra','data','ml','docs','billing','cards','risk','fx','search','notify'][i]}"
        k = new_key("ci", f"key:{name}", "ci", name)
        tz = R.choice(["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore"])
        created = T0 - dt.timedelta(days=R.uniform(95, 250))
        register(k, name, "service", scopes=["deploy"], created=iso(ts(created)), expires=iso(ts(created + dt.timedelta(days=365))),
                 last_used=iso(ts(T0 - dt.timedelta(hours=R.uniform(2, 30)))), networks=[])
        CI.append(dict(name=name, key=k, tz=tz, runs=R.uniform(2, 8), selfhosted=ip_in(CLOUD["aws-euw1"]) if R.random() < 0.3 else None))

def gen_ci_traffic():
    for c in CI:
        for d in range(DAYS):
            if weekday(d) >= 5: continue
            for _ in range(int(c["runs"] + R.random())):
                t = at(d, R.uniform(8, 20), tz=c["tz"])
                ip = c["selfhosted"] if c["selfhosted"] and R.random() < 0.5 else ip_in(R.choice(GH_RUNNERS))
                for j in range(R.randint(4, 10)):
                    call(t + j * R.uniform(5, 25), c["key"], "GET /v1/config" if j < 2 else "POST /v1/deployments", ip,
                         status=noise_status(rate403=0.0))

MONTHLY_IDLE = []
def gen_idle_registered():
    # registered keys used monthly: not in the period, last used 10-25 days ago: clean, not stale, not resurrected
    for i in range(30):
        k = new_key("live", f"key:idle-monthly-{i:02d}", "idle", f"tenant-m{i:02d}")
        created = T0 - dt.timedelta(days=R.uniform(120, 300))
        register(k, f"tenant-m{i:02d}", "service", scopes=["reports:read"], created=iso(ts(created)),
                 expires=iso(ts(created + dt.timedelta(days=365))), last_used=iso(ts(T0 - dt.timedelta(days=R.uniform(10, 25)))))

def scanners():
    # internet background: single guesses from many addresses, refused
    for i in range(40):
        ip = ip_in(R.choice(FOREIGN_RESI + sum(VPS.values(), [])))
        d = R.randrange(DAYS)
        t = at(d, R.uniform(0, 24))
        for j in range(R.randint(1, 2)):
            c = cred(f"scan:{i}:{j}", "key", "".join(R.choice("0123456789abcdef") for _ in range(32)), "scanner", header="authorization")
            call(t + j * R.uniform(1, 30), c, R.choice(["GET /v1/payments", "GET /v1/me/profile", "GET /v1/admin/tickets"]), ip, status=401)

# ---------------------------------------------------------------- world
def build():
    gen_staff()
    # four staff travel to a conference in New York (clean, new country), Nov 24-26 (d6..d8)
    eu = [s for s in STAFF if s["tz"] in ("Europe/London", "Europe/Berlin") and s["role"] != "sec"]
    hotel = ip_in("50.200.0.0/16")
    for s in eu[:4]:
        TRAVEL[s["name"]] = (6, 8, "America/New_York", hotel)
    gen_customers()
    for c in R.sample(CUST, 6):  # customers on holiday abroad, roaming
        tz2 = R.choice([z for z in TZ_ALL if z != c["tz"]])
        d0 = R.randrange(3, 10)
        CUST_TRAVEL[c["name"]] = (d0, d0 + 3, tz2, ip_in(R.choice(RESI[tz2])), R.choice(MOBILE[c["tz"]]))
    gen_tenants()
    gen_tenant_rotations()
    gen_mesh(); gen_etl(); gen_partners(); gen_ci(); gen_idle_registered()

def register_tenants():
    for t in TENANTS:
        for k, a, b in t["keys"]:
            nets = [net24(ip) for ip in t["ips"]] if t["allow"] else None
            if a == -1:
                reg = t["reg"]
                register(k, t["name"], "service", scopes=t["scopes"], created=reg["created"], expires=reg["expires"],
                         last_used=reg["last_used"], networks=nets)
            else:
                c = at(a, 0) - 3600
                register(k, t["name"], "service", scopes=t["scopes"], created=iso(c), expires=iso(c + 365 * 86400), last_used="never",
                         networks=nets)

# ---------------------------------------------------------------- misuse
def pick_tenant(cls="medium", allow=False, used=set(), kind=None, rot=False):
    for t in R.sample(TENANTS, len(TENANTS)):
        if t["cls"] != cls or t["name"] in used: continue
        if allow is not None and t["allow"] != allow: continue
        if kind and t["kind"] != kind: continue
        if not rot and "rot" in t: continue
        used.add(t["name"])
        return t
    raise SystemExit("no tenant")

def vps(kind=None):
    return ip_in(R.choice(VPS[kind or R.choice(list(VPS))]))

def misuse():
    H = 3600
    staff_by = {s["name"]: s for s in STAFF}
    plain = [s for s in STAFF if s["role"] != "sec" and s["name"] not in TRAVEL]
    used_staff = set()
    def pstaff(tz=None):
        for s in R.sample(plain, len(plain)):
            if s["name"] in used_staff or (tz and s["tz"] != tz): continue
            used_staff.add(s["name"]); return s

    # ---- expired_token
    t = pick_tenant()
    k = t["keys"][0][0]; t["keys"][0] = (k, -1, 99)
    t["reg"]["expires"] = iso(at(4, 0)); t["reg"]["created"] = iso(at(4, 0) - 364 * 86400)
    # key expires d4; legacy integration keeps using it successfully (service does not enforce expiry)
    label("expiring_soon", k["name"], at(0, 0), at(4, 0), "tenant key expiring d4 in daily use")
    label("expired_token", k["name"], at(4, 0), at(14, 0), "expired (d4) tenant key still accepted (200) by a legacy integration, daily")
    t["expired_use"] = True
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:stolen-exp", "staff", ISS_STAFF, s["name"], at(6, 9, tz=s["tz"]), at(6, 10, tz=s["tz"]), scope=STAFF_SCOPE[s["role"]])
    ip = vps("do")
    for i in range(3):
        call(at(7, 2) + i * 40, tok, "GET /v1/admin/tenants/{id}", ip, status=401)
    label("expired_token", tok["name"], at(7, 2), at(7, 2) + 200, "stolen expired staff JWT replayed from DO VPS, 401 x3")
    e = ETL[0]
    # ETL key expired d8 (registry), the job keeps retrying from its usual IP every 30 min: 401 x12
    ereg = [r for r in REGISTRY if r["id"] == e["key"]["name"]][0]
    ereg["expires_at"] = iso(at(8, 0)); ereg["created_at"] = iso(at(8, 0) - 300 * 86400)
    e["stop"] = 8
    label("expiring_soon", e["key"]["name"], at(1, 0), at(8, 0), "ETL key expiring d8 in nightly use")
    for i in range(12):
        call(at(8, 1.5) + i * 1800, e["key"], "GET /v1/exports/{dataset}", e["ip"], status=401)
    label("expired_token", e["key"]["name"], at(8, 1.5), at(8, 8), "expired ETL key retried by its job from usual IP, 401 every 30 min x12")
    m = "fraud"
    tok = new_jwt("mesh:fraud:expired", "mesh", ISS_MESH, "svc-fraud", at(9, 0) - 86400, at(9, 0), client=True)
    for x in spread(at(9, 3), at(9, 5), 20):
        ev(x, tok, None, None, MESH_CALLS[m]["methods"][0], 0, MESH_CALLS[m]["pods"][0], MESH_CALLS[m]["callee"], form="grpc")
    label("expired_token", tok["name"], at(9, 3), at(9, 5), "mesh JWT 3h past exp still accepted by lax gRPC service x20")
    c = R.choice(CUST)
    tok = new_jwt(f"jwt:{c['name']}:replay", "customer", ISS_APP, c["name"], at(6, 12), at(6, 13), scope="app")
    ip = ip_in(FOREIGN_RESI[0])
    for i in range(5):
        call(at(9, 20) + i * 120, tok, "GET /v1/me/transactions", ip, status=200, form="gwlog")
    label("expired_token", tok["name"], at(9, 20), at(9, 20.2), "customer JWT expired 3 days earlier replayed, buggy endpoint 200 x5")
    p = PARTNERS[12]
    preg = [r for r in REGISTRY if r["id"] == p["cred"]["name"]][0]
    preg["expires_at"] = iso(at(3, 0)); preg["created_at"] = iso(at(3, 0) - 365 * 86400)
    label("expiring_soon", p["cred"]["name"], at(0, 0), at(3, 0), "partner credential expiring d3, in constant use")
    label("expired_token", p["cred"]["name"], at(3, 0), at(14, 0), "partner Basic credential past registry expiry, still sending 200s")

    # ---- not_yet_valid_token
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:nbf", "staff", ISS_STAFF, s["name"], at(7, 14, tz=s["tz"]) + 3 * H, at(7, 14, tz=s["tz"]) + 4 * H,
                  scope=STAFF_SCOPE[s["role"]], nbf=at(7, 14, tz=s["tz"]) + 3 * H)
    for x in spread(at(7, 14, tz=s["tz"]), at(7, 14.5, tz=s["tz"]), 6):
        call(x, tok, R.choice(STAFF_RES[s["role"]]), s["office"], status=200)
    label("not_yet_valid_token", tok["name"], at(7, 14, tz=s["tz"]), at(7, 14.5, tz=s["tz"]), "IdP clock 3h ahead: staff JWT nbf in future, used")
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:nbf30", "staff", ISS_STAFF, s["name"], at(9, 0) + 30 * 86400, at(9, 0) + 31 * 86400,
                  scope="admin payments:read patients:read", nbf=at(9, 0) + 30 * 86400)
    ip = vps("vultr")
    for x in spread(at(9, 23), at(9, 23.3), 5):
        call(x, tok, "GET /v1/admin/tenants/{id}", ip, status=200)
    label("not_yet_valid_token", tok["name"], at(9, 23), at(9, 23.3), "token minted with the signing key dated 30 days ahead, used from VPS")
    tok = new_jwt("mesh:kyc:nbf", "mesh", ISS_MESH, "svc-kyc", at(10, 6), at(10, 30), client=True, nbf=at(10, 6))
    for x in spread(at(10, 4), at(10, 4.5), 8):
        ev(x, tok, None, None, MESH_CALLS["kyc"]["methods"][0], 0, MESH_CALLS["kyc"]["pods"][1], MESH_CALLS["kyc"]["callee"], form="grpc")
    label("not_yet_valid_token", tok["name"], at(10, 4), at(10, 4.5), "mesh token nbf 2h ahead (skewed issuer), accepted x8")
    c = R.choice(CUST)
    tok = new_jwt(f"jwt:{c['name']}:nbf", "customer", ISS_APP, c["name"], at(11, 12) + 6 * H, at(11, 12) + 7 * H, scope="app", nbf=at(11, 12) + 6 * H)
    for i in range(4):
        call(at(11, 12) + i * 30, tok, "GET /v1/me/accounts", c["home"], status=401, form="gwlog")
    label("not_yet_valid_token", tok["name"], at(11, 12), at(11, 12.1), "customer JWT nbf 6h ahead, refused 401 x4")
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:nbf2", "staff", ISS_STAFF, s["name"], at(12, 10, tz=s["tz"]) + 2 * H, at(12, 10, tz=s["tz"]) + 3 * H,
                  scope=STAFF_SCOPE[s["role"]], nbf=at(12, 10, tz=s["tz"]) + 2 * H)
    for x in spread(at(12, 10, tz=s["tz"]), at(12, 10.2, tz=s["tz"]), 3):
        call(x, tok, R.choice(STAFF_RES[s["role"]]), s["home"], status=403)
    label("not_yet_valid_token", tok["name"], at(12, 10, tz=s["tz"]), at(12, 10.2, tz=s["tz"]), "staff JWT nbf 2h ahead, 403 x3")

    # ---- revoked_token
    # BUGFIX (after the first smoke run): the revoked keys are the tenants' previous keys, rotated out and
    # revoked before the period; the first version revoked the key the tenant used legitimately on d0-d4.
    t = pick_tenant()
    k = new_key("live", f"key:{t['name']}:old", "tenant", t["name"]); REVOKED.append(("id", k["name"]))
    register(k, t["name"], "service", scopes=t["scopes"], created=iso(at(-300, 0)), expires=iso(at(65, 0)), last_used=iso(at(-20, 0)))
    ip = vps("hetzner")
    for x in spread(at(8, 3), at(8, 5), 4):
        call(x, k, "GET /v1/payments/{id}" if t["kind"] == "fin" else "GET /v1/patients/{id}", ip, status=200)
    label("revoked_token", k["name"], at(8, 3), at(8, 5), "leaked+revoked tenant key used by attacker from Hetzner, 200 x4")
    t = pick_tenant()
    k = new_key("live", f"key:{t['name']}:old", "tenant", t["name"]); REVOKED.append(("id", k["name"]))
    register(k, t["name"], "service", scopes=t["scopes"], created=iso(at(-280, 0)), expires=iso(at(85, 0)), last_used=iso(at(-12, 0)))
    for i in range(3):
        call(at(7, 10, tz=t["tz"]) + i * 600, k, t["res"][0], t["ips"][0], status=401)
    label("revoked_token", k["name"], at(7, 10, tz=t["tz"]), at(7, 10.5, tz=t["tz"]), "revoked tenant key still configured on one tenant server, 401 x3")
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:offboarded", "staff", ISS_STAFF, s["name"], at(10, 20), at(10, 21), scope=STAFF_SCOPE[s["role"]])
    REVOKED.append(("jti", tok["jti"]))
    for x in spread(at(10, 20.1), at(10, 20.5), 7):
        call(x, tok, "GET /v1/admin/tenants/{id}", s["home"], status=200)
    label("revoked_token", tok["name"], at(10, 20.1), at(10, 20.5), "revoked session (jti) of an offboarded employee used, 200 x7")
    p = PARTNERS[15]
    c2 = new_basic(p["slug"], f"basic:{p['slug']}:old", "partner")
    REVOKED.append(("id", c2["name"]))
    for x in spread(at(6, 1), at(6, 3), 5):
        call(x, c2, "POST /v1/webhooks/{partner}", p["ips"][0], status=401)
    label("revoked_token", c2["name"], at(6, 1), at(6, 3), "partner's rotated-out (revoked) password still sent by one worker, 401 x5")
    ci = CI[3]
    c3 = new_key("ci", f"key:{ci['name']}:old", "ci", ci["name"])
    REVOKED.append(("id", c3["name"]))
    ip = ip_in(R.choice(GH_RUNNERS))
    for j in range(6):
        call(at(8, 15, tz=ci["tz"]) + j * 20, c3, "POST /v1/deployments", ip, status=200)
    label("revoked_token", c3["name"], at(8, 15, tz=ci["tz"]), at(8, 15.1, tz=ci["tz"]), "revoked old CI key left in a forked workflow, accepted x6")
    label("unknown_token", c3["name"], at(8, 15, tz=ci["tz"]), at(8, 15.1, tz=ci["tz"]), "the revoked old CI key is no longer in the (authoritative) inventory, accepted")
    tok = new_jwt("mesh:payout:revoked", "mesh", ISS_MESH, "svc-payout", at(11, 0), at(12, 0), client=True)
    REVOKED.append(("jti", tok["jti"]))
    for x in spread(at(11, 9), at(11, 10), 10):
        ev(x, tok, None, None, MESH_CALLS["payout"]["methods"][1], 0, MESH_CALLS["payout"]["pods"][0], MESH_CALLS["payout"]["callee"], form="grpc")
    label("revoked_token", tok["name"], at(11, 9), at(11, 10), "mesh token revoked by jti after a pod compromise, still used x10")

    # ---- malformed_token
    real = new_jwt("tmp", "x", ISS_APP, "cust-x", at(5, 0), at(5, 1), scope="app")["raw"]; del CREDS["tmp"]
    mals = [
        ("malformed:truncated", real[: real.rfind(".")], "GET /v1/me/accounts", ip_in(R.choice(MOBILE["Europe/London"])), 401, "gwlog", "app build sends JWT without its signature segment"),
        ("malformed:4seg", real + ".ZXh0cmE", "GET /v1/admin/tickets", vps("ovh"), 401, "http", "scanner sends JWT with a 4th segment"),
        ("malformed:badb64", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi$$$###.c2lnbmF0dXJl", "GET /v1/payments", vps("do"), 401, "http", "JWT with invalid base64 in payload"),
        ("malformed:notjson", b64u(b'{"alg":"HS256","typ":"JWT"}') + "." + b64u(b"this is not json") + "." + b64u(b"sig" * 10), "GET /v1/patients/{id}", vps("linode"), 401, "http", "JWT whose payload is not JSON"),
        ("malformed:oversize", "mpk_live_" + "A" * 20000, "GET /v1/payments/{id}", vps("hetzner"), 401, "http", "20 KB API key header (fuzzer)"),
    ]
    for j, (nm, raw, res, ip, st, form, note) in enumerate(mals):
        c = cred(nm, "key" if "oversize" in nm else "jwt", raw, "malformed", header="x-api-key" if "oversize" in nm else "authorization")
        d = 5 + j * 2
        for i in range(3):
            call(at(d, 13) + i * 45, c, res, ip, status=st, form=form)
        label("malformed_token", nm, at(d, 13), at(d, 13) + 200, note)

    # ---- invalid_signature
    bad = b"attacker-guessed-secret-0123456789abcdef"
    s = SEC_ADMINS[0]
    tok = new_jwt("forged:sec-admin", "forged", ISS_STAFF, s, at(6, 22), at(6, 23), scope="admin payments:read patients:read", secret=bad)
    ip = vps("do")
    for x in spread(at(6, 22.1), at(6, 22.4), 6):
        call(x, tok, "GET /v1/admin/keys/{id}", ip, status=200)
    label("invalid_signature", tok["name"], at(6, 22.1), at(6, 22.4), "JWT forged for a security admin with a guessed secret, vulnerable endpoint 200")
    label("restricted_resource", tok["name"], at(6, 22.1), at(6, 22.4), "forged sec-admin JWT on /v1/admin/keys: a forged claim admits nobody")
    label("unknown_token", tok["name"], at(6, 22.1), at(6, 22.4), "forged JWT is neither registered nor verified (authoritative registry), 200")
    s = pstaff()
    good = new_jwt(f"jwt:{s['name']}:tamper", "staff", ISS_STAFF, s["name"], at(8, 11, tz=s["tz"]), at(8, 12, tz=s["tz"]), scope=STAFF_SCOPE[s["role"]])
    h, p_, sg = good["raw"].split(".")
    cl = json.loads(base64.urlsafe_b64decode(p_ + "=="))
    cl["scope"] = "admin payments:read patients:read patients:export"
    tam = cred("forged:tampered-scope", "jwt", h + "." + b64u(json.dumps(cl, separators=(",", ":")).encode()) + "." + sg, "forged")
    for x in spread(at(8, 11.2, tz=s["tz"]), at(8, 11.4, tz=s["tz"]), 4):
        call(x, tam, "GET /v1/patients/{id}/records/export", s["office"], status=403)
    label("restricted_resource", "forged:tampered-scope", at(8, 11.2, tz=s["tz"]), at(8, 11.4, tz=s["tz"]), "tampered JWT calls restricted export")
    label("unknown_token", "forged:tampered-scope", at(8, 11.2, tz=s["tz"]), at(8, 11.4, tz=s["tz"]), "tampered JWT not verified, 403")
    label("invalid_signature", "forged:tampered-scope", at(8, 11.2, tz=s["tz"]), at(8, 11.4, tz=s["tz"]), "employee edited scope claim of own JWT (signature no longer valid), 403")
    c = R.choice(CUST)
    tok = new_jwt("forged:cust", "forged", ISS_APP, c["name"], at(9, 15), at(9, 16), scope="app", secret=bad)
    for x in spread(at(9, 15.1), at(9, 15.3), 5):
        call(x, tok, "GET /v1/me/transactions", ip_in(FOREIGN_RESI[1]), status=401, form="gwlog")
    label("invalid_signature", "forged:cust", at(9, 15.1), at(9, 15.3), "customer JWT forged (wrong key), refused 401")
    tok = new_jwt("forged:mesh-oldkey", "forged", ISS_MESH, "svc-ledger", at(10, 0), at(11, 0), client=True,
                  secret=b"meridian-mesh-2025-retired-secret-xxxxxxxxxx", kid=KID)
    for x in spread(at(10, 8), at(10, 9), 8):
        ev(x, tok, None, None, MESH_CALLS["ledger"]["methods"][0], 0, MESH_CALLS["ledger"]["pods"][0], MESH_CALLS["ledger"]["callee"], form="grpc")
    label("unknown_token", "forged:mesh-oldkey", at(10, 8), at(10, 9), "mesh token of retired key: unverified, accepted")
    label("invalid_signature", "forged:mesh-oldkey", at(10, 8), at(10, 9), "mesh token signed with the retired key, lax service accepts")
    tok = new_jwt("forged:staff-hs", "forged", ISS_STAFF, "staff-lon-001", at(12, 3), at(12, 4), scope="admin", secret=bad)
    for x in spread(at(12, 3.1), at(12, 3.3), 4):
        call(x, tok, "GET /v1/admin/tenants/{id}", ip_in(FOREIGN_RESI[2]), status=403)
    label("unknown_token", "forged:staff-hs", at(12, 3.1), at(12, 3.3), "forged staff JWT, 403")
    label("invalid_signature", "forged:staff-hs", at(12, 3.1), at(12, 3.3), "forged staff JWT, 403")

    # ---- unknown_token (unregistered opaque keys)
    unk = [(200, "GET /v1/payments/{id}", "shadow key created in the console outside the inventory, 200"),
           (403, "GET /v1/patients/{id}", "key of a deleted sandbox tenant, 403"),
           (200, "POST /v1/payments", "unregistered key used by a contractor's script from cloud, 200"),
           (500, "GET /v1/reports/{id}", "unregistered key, upstream errors"),
           (200, "GET /v1/exports/{dataset}", "unregistered ETL-like key exporting data"),
           (403, "GET /v1/payments", "unregistered key probing, 403")]
    for j, (st, res, note) in enumerate(unk):
        c = new_key("live", f"key:unknown-{j}", "unknown", None)
        ip = ip_in(R.choice(list(CLOUD.values()))) if j % 2 == 0 else vps()
        d = 5 + j
        for x in spread(at(d, 14), at(d, 14.5), 4):
            call(x, c, res, ip, status=st)
        label("unknown_token", c["name"], at(d, 14), at(d, 14.5), note)

    # ---- scope_violation
    t = pick_tenant(kind="fin")
    k = tenant_key_at(t, 6)
    t["scopes"] = ["payments:read"]  # read-only key (registry), tenant's code calls refunds
    t["res"] = ["GET /v1/payments/{id}", "GET /v1/payments"]
    for x in spread(at(6, 11, tz=t["tz"]), at(6, 12, tz=t["tz"]), 5):
        call(x, k, "POST /v1/payments/{id}/refund", t["ips"][0], status=403)
    label("scope_violation", k["name"], at(6, 11, tz=t["tz"]), at(6, 12, tz=t["tz"]), "read-only tenant key calls refunds, 403 x5")
    ci = CI[5]
    for x in spread(at(7, 16, tz=ci["tz"]), at(7, 16.2, tz=ci["tz"]), 3):
        call(x, ci["key"], "GET /v1/patients/{id}/records", ip_in(R.choice(GH_RUNNERS)), status=200)
    label("scope_violation", ci["key"]["name"], at(7, 16, tz=ci["tz"]), at(7, 16.2, tz=ci["tz"]), "CI deploy key reads patient records, 200")
    c = R.choice(CUST)
    tok = cust_session(c, at(8, 19, tz=c["tz"]), c["home"], n=2)
    for i in range(3):
        call(at(8, 19, tz=c["tz"]) + 200 + i * 20, tok, "GET /v1/admin/tenants/{id}", c["home"], status=403, form="gwlog")
    label("scope_violation", tok["name"], at(8, 19, tz=c["tz"]), at(8, 19.3, tz=c["tz"]), "customer app token calls admin API, 403")
    e = ETL[2]
    for i in range(4):
        call(at(9, 2.2) + i * 60, e["key"], "POST /v1/payments", e["ip"], status=403)
    label("scope_violation", e["key"]["name"], at(9, 2.2), at(9, 2.3), "ETL export key tries to create payments, 403")
    p = PARTNERS[20]
    for x in spread(at(10, 13), at(10, 13.5), 4):
        call(x, p["cred"], "GET /v1/payments", p["ips"][0], status=200)
    label("scope_violation", p["cred"]["name"], at(10, 13), at(10, 13.5), "partner webhook credential lists payments, 200")
    s = [x for x in STAFF if x["role"] == "support" and x["name"] not in used_staff and x["name"] not in TRAVEL][0]; used_staff.add(s["name"])
    tok = staff_session(s, at(12, 15, tz=s["tz"]), at(12, 15.3, tz=s["tz"]), s["office"], rate=1)[0]
    for x in spread(at(12, 15, tz=s["tz"]), at(12, 15.25, tz=s["tz"]), 3):
        call(x, tok, "GET /v1/patients/{id}/records", s["office"], status=200)
    label("scope_violation", tok["name"], at(12, 15, tz=s["tz"]), at(12, 15.3, tz=s["tz"]), "support staff (no patients scope) reads patient records, 200")

    # ---- restricted_resource
    rr = []
    s = pstaff(); tok = staff_session(s, at(6, 15, tz=s["tz"]), at(6, 15.2, tz=s["tz"]), s["office"], rate=1)[0]
    rr.append((tok, "DELETE /v1/admin/tenants/{id}", s["office"], 200, at(6, 15.05, tz=s["tz"]), "support staff deletes a tenant (admin scope, not sec admin)"))
    s = pstaff(); tok = staff_session(s, at(7, 10, tz=s["tz"]), at(7, 10.2, tz=s["tz"]), s["home"], rate=1)[0]
    rr.append((tok, "GET /v1/admin/keys/{id}", s["home"], 200, at(7, 10.05, tz=s["tz"]), "staff reads API keys admin page"))
    t = pick_tenant(kind="health")
    rr.append((tenant_key_at(t, 9), "GET /v1/patients/{id}/records/export", t["ips"][0], 403, at(9, 11, tz=t["tz"]), "clinic key calls bulk record export (needs patients:export)"))
    tok = mesh_token("notify", 10)
    rr.append((tok, "DELETE /v1/admin/tickets/{id}", MESH_CALLS["notify"]["pods"][0], 200, at(10, 14), "mesh service deletes admin tickets"))
    ci = CI[7]
    rr.append((ci["key"], "POST /v1/admin/keys/rotate", ip_in(R.choice(GH_RUNNERS)), 200, at(12, 11, tz=ci["tz"]), "CI key rotates API keys via admin API"))
    for tok, res, ip, st, t0, note in rr:
        for i in range(2):
            call(t0 + i * 50, tok, res, ip, status=st)
        label("restricted_resource", tok["name"], t0, t0 + 100, note)
        if tok is ci["key"]:
            label("scope_violation", tok["name"], t0, t0 + 100, "CI key (scope deploy) calls admin key rotation: also out of scope")

    # ---- off_hours by policy (ETL / treasury windows)
    for j, (e, d, h) in enumerate([(ETL[1], 6, 14), (ETL[3], 8, 11), (ETL[4], 10, 16.5), (ETL[8], 7, 15), (ETL[5], 12, 9)]):
        for x in spread(at(d, h), at(d, h + 0.3), 12):
            call(x, e["key"], "GET /v1/exports/{dataset}", e["ip"], status=200)
        label("off_hours", e["key"]["name"], at(d, h), at(d, h + 0.3), f"ETL key outside its 01:00-05:00 UTC window (policy), 12 calls")

    # ---- off_hours learned (owner's own tz)
    for j, (tz, d, h) in enumerate([("Europe/Berlin", 7, 3.2), ("America/New_York", 8, 2.5), ("Australia/Sydney", 10, 1.5)]):
        s = pstaff(tz)
        toks = staff_session(s, at(d, h, tz=tz), at(d, h + 0.4, tz=tz), s["home"], rate=25)
        label("off_hours", toks[0]["name"], at(d, h, tz=tz), at(d, h + 0.4, tz=tz), f"staff session at {h}h local ({tz}) from home IP")
    for j, d in enumerate([9, 11]):
        t = pick_tenant()
        k = tenant_key_at(t, d)
        for x in spread(at(d, 3, tz=t["tz"]), at(d, 3.5, tz=t["tz"]), 15):
            call(x, k, R.choice(t["res"]), t["ips"][0], status=200)
        label("off_hours", k["name"], at(d, 3, tz=t["tz"]), at(d, 3.5, tz=t["tz"]), "business-hours tenant key used 03:00 local from its own IP")
    ci = CI[9]
    for x in spread(at(11, 4, tz=ci["tz"]), at(11, 4.3, tz=ci["tz"]), 8):
        call(x, ci["key"], "POST /v1/deployments", ip_in(R.choice(GH_RUNNERS)), status=200)
    label("off_hours", ci["key"]["name"], at(11, 4, tz=ci["tz"]), at(11, 4.3, tz=ci["tz"]), "CI key deploys at 04:00 Sunday local")

    # ---- disallowed_network
    t = pick_tenant(allow=True)
    k = tenant_key_at(t, 8); newip = ip_in(CLOUD["aws-apse1"])
    t["move"] = (8, newip)
    label("disallowed_network", k["name"], at(8, 0), at(14, 0), "tenant moved workload to a new cloud region without updating allowlist")
    t = pick_tenant(allow=True)
    k = tenant_key_at(t, 9); ip = vps("do")
    for x in spread(at(9, 13, tz=t["tz"]), at(9, 14, tz=t["tz"]), 6):
        call(x, k, t["res"][0], ip, status=200)
    label("disallowed_network", k["name"], at(9, 13, tz=t["tz"]), at(9, 14, tz=t["tz"]), "allowlisted tenant key used from DO VPS (stolen)")
    tok = mesh_token("fx", 7)
    ip = ip_in(RESI["Europe/London"][0])
    for x in spread(at(7, 19), at(7, 19.5), 6):
        ev(x, tok, None, None, MESH_CALLS["fx"]["methods"][0], 0, ip, MESH_CALLS["fx"]["callee"], form="grpc", peer="10.1.0.5")
    label("disallowed_network", tok["name"], at(7, 19), at(7, 19.5), "mesh token copied to an engineer's laptop, used via the edge from home")
    p = PARTNERS[2]
    ip = ip_in(R.choice(list(CLOUD.values())))
    for x in spread(at(10, 0), at(10, 6), 15):
        call(x, p["cred"], "POST /v1/webhooks/{partner}", ip, status=200)
    label("disallowed_network", p["cred"]["name"], at(10, 0), at(10, 6), "allowlisted partner sends from a new egress IP")
    t = pick_tenant(allow=True)
    k = tenant_key_at(t, 11)
    ip = ip_in(R.choice(RESI[t["tz"]]))
    for x in spread(at(11, 20, tz=t["tz"]), at(11, 20.5, tz=t["tz"]), 5):
        call(x, k, t["res"][0], ip, status=200)
    label("disallowed_network", k["name"], at(11, 20, tz=t["tz"]), at(11, 20.5, tz=t["tz"]), "tenant developer uses allowlisted key from home ISP")
    tok = mesh_token("cards", 12)
    ip = vps("linode")
    for x in spread(at(12, 2), at(12, 2.5), 5):
        ev(x, tok, None, None, MESH_CALLS["cards"]["methods"][0], 0, ip, MESH_CALLS["cards"]["callee"], form="grpc", peer="10.1.0.5")
    label("disallowed_network", tok["name"], at(12, 2), at(12, 2.5), "mesh token exfiltrated, used from Linode")

    # ---- exposed_credential
    t = pick_tenant()
    k = tenant_key_at(t, 7)
    call(at(7, 11, tz=t["tz"]), k, t["res"][0], t["ips"][0], status=200, extra={"url.query": f"api_key={k['raw']}&limit=50", "_nohdr": True})
    call(at(7, 11.1, tz=t["tz"]), k, t["res"][0], t["ips"][0], status=200, extra={"url.query": f"api_key={k['raw']}&limit=50", "_nohdr": True})
    label("exposed_credential", k["name"], at(7, 11, tz=t["tz"]), at(7, 11.2, tz=t["tz"]), "tenant client library puts the key in ?api_key=")
    s = pstaff()
    tok = staff_session(s, at(8, 14, tz=s["tz"]), at(8, 14.3, tz=s["tz"]), s["office"], rate=4)[0]
    EVENTS.append(dict(t=at(8, 14.1, tz=s["tz"]), c=tok["name"], form="exception", svc="admin-bff",
                       msg=f"upstream refused: Authorization: Bearer {tok['raw']} (status 502)"))
    label("exposed_credential", tok["name"], at(8, 14, tz=s["tz"]), at(8, 14.3, tz=s["tz"]), "staff JWT printed in exception.message of a 502")
    tok = mesh_token("search", 9)
    EVENTS.append(dict(t=at(9, 6), c=tok["name"], form="resattr", svc="search",
                       cmd=f"/app/search-indexer --upstream=ledger:443 --token={tok['raw']}"))
    label("exposed_credential", tok["name"], at(9, 6), at(9, 6.2), "mesh token on a worker's command line (process.command_args)")
    c = R.choice(CUST)
    tok = new_jwt(f"jwt:{c['name']}:deeplink", "customer", ISS_APP, c["name"], at(10, 18, tz=c["tz"]), at(10, 19, tz=c["tz"]), scope="app")
    call(at(10, 18.1, tz=c["tz"]), tok, "GET /v1/me/appointments", c["home"], status=200, form="gwlog",
         extra={"url.query": f"access_token={tok['raw']}", "_nohdr": True})
    label("exposed_credential", tok["name"], at(10, 18, tz=c["tz"]), at(10, 18.3, tz=c["tz"]), "mobile deep link passes access_token in query")
    p = PARTNERS[7]
    user, pw = base64.b64decode(p["cred"]["raw"]).decode().split(":", 1)
    call(at(11, 7), p["cred"], "POST /v1/webhooks/{partner}", p["ips"][0], status=200,
         extra={"url.full": f"https://{user}:{pw}@api.meridian.example/v1/webhooks/cerner"})
    label("exposed_credential", p["cred"]["name"], at(11, 7), at(11, 7.2), "partner credential in url.full userinfo")
    t = pick_tenant()
    k = tenant_key_at(t, 11)
    EVENTS.append(dict(t=at(11, 10, tz=t["tz"]), c=k["name"], form="applog", svc="tenant-sync",
                       msg=f"retrying POST /v1/payments with key {k['raw']} after timeout"))
    label("exposed_credential", k["name"], at(11, 10, tz=t["tz"]), at(11, 10.2, tz=t["tz"]), "tenant key in a log line body")
    s = pstaff()
    tok = staff_session(s, at(12, 9.5, tz=s["tz"]), at(12, 9.8, tz=s["tz"]), s["office"], rate=4)[0]
    c2 = new_jwt(f"jwt:{s['name']}:handed", "staff", ISS_STAFF, s["name"], at(12, 9.6, tz=s["tz"]), at(12, 10.6, tz=s["tz"]), scope=STAFF_SCOPE[s["role"]])
    call(at(12, 9.6, tz=s["tz"]), tok, "GET /v1/admin/tickets", s["office"], status=200, extra={"http.response.header.x-auth-token": [c2["raw"]]})
    label("exposed_credential", c2["name"], at(12, 9.6, tz=s["tz"]), at(12, 9.8, tz=s["tz"]), "new session token written in a response header")

    # ---- failed_attempts
    t = pick_tenant()
    k = new_key("live", f"key:{t['name']}:deleted", "tenant", t["name"])  # key deleted at the issuer, but registered
    register(k, t["name"], "service", scopes=t["scopes"], created=iso(at(-100, 0)), expires=iso(at(265, 0)), last_used=iso(at(-1, 0)))
    for i in range(40):
        call(at(6, 9, tz=t["tz"]) + i * 120 + R.uniform(0, 30), k, t["res"][0], t["ips"][0], status=401)
    label("failed_attempts", k["name"], at(6, 9, tz=t["tz"]), at(6, 10.5, tz=t["tz"]), "deleted key retried every 2 min x40 (401)")
    p = PARTNERS[5]
    c = new_basic(p["slug"], f"basic:{p['slug']}:typo", "partner")
    register(c, p["slug"], "service", scopes=["webhooks:deliver"], created=iso(at(-150, 0)), expires=iso(at(200, 0)), last_used=iso(at(-1, 0)))
    for i in range(24):
        call(at(7, 0) + i * 3600 + R.uniform(0, 200), c, "POST /v1/webhooks/{partner}", p["ips"][1], status=401)
    label("failed_attempts", c["name"], at(7, 0), at(8, 0), "partner's hourly job with a mistyped password, 401 hourly x24")
    tok = mesh_token("risk", 9)
    for x in spread(at(9, 14), at(9, 14.05), 30):
        ev(x, tok, None, None, MESH_CALLS["risk"]["methods"][0], 16, MESH_CALLS["risk"]["pods"][0], MESH_CALLS["risk"]["callee"], form="grpc")
    label("failed_attempts", tok["name"], at(9, 14), at(9, 14.05), "mesh service's account disabled: UNAUTHENTICATED x30 in 3 min")
    ci = CI[11]
    ip = ip_in(R.choice(GH_RUNNERS))
    for j in range(12):
        call(at(10, 10, tz=ci["tz"]) + j * 18, ci["key"], "GET /v1/config", ip, status=401)
    label("failed_attempts", ci["key"]["name"], at(10, 10, tz=ci["tz"]), at(10, 10.1, tz=ci["tz"]), "CI key refused 12 times in 4 min (build retries)")
    c = R.choice(CUST)
    tok = new_jwt(f"jwt:{c['name']}:bot", "customer", ISS_APP, c["name"], at(11, 15), at(11, 16), scope="app")
    ip = vps("do")
    for x in spread(at(11, 15.1), at(11, 15.25), 40):
        call(x, tok, "POST /v1/me/transfers", ip, status=401, form="gwlog")
    label("failed_attempts", tok["name"], at(11, 15.1), at(11, 15.25), "bot replays a customer token that the service rejects, 401 x40")
    t = pick_tenant()
    k = tenant_key_at(t, 12)
    for i in range(25):
        call(at(12, 20, tz=t["tz"]) + i * 600, k, t["res"][0], t["ips"][0], status=401)
    label("failed_attempts", k["name"], at(12, 20, tz=t["tz"]), at(13, 0.2, tz=t["tz"]), "tenant key suspended for billing, 401 every 10 min x25")

    # ---- denied_access (no policy involved: ungoverned resources)
    t = pick_tenant(kind="health")
    k = tenant_key_at(t, 7)
    for x in spread(at(7, 14, tz=t["tz"]), at(7, 14.5, tz=t["tz"]), 25):
        call(x, k, "GET /v1/patients/{id}/consents", t["ips"][0], status=403)
    label("denied_access", k["name"], at(7, 14, tz=t["tz"]), at(7, 14.5, tz=t["tz"]), "clinic key enumerates other clinics' consents (BOLA), 403 x25")
    c = R.choice(CUST)
    tok = cust_session(c, at(8, 21, tz=c["tz"]), c["home"], n=3)
    for x in spread(at(8, 21, tz=c["tz"]) + 120, at(8, 21.2, tz=c["tz"]), 15):
        call(x, tok, "GET /v1/accounts/{id}/statements", c["home"], status=403, form="gwlog")
    label("denied_access", tok["name"], at(8, 21, tz=c["tz"]), at(8, 21.3, tz=c["tz"]), "customer iterates other accounts' statements, 403 x15")
    s = pstaff()
    tok = staff_session(s, at(9, 11, tz=s["tz"]), at(9, 11.5, tz=s["tz"]), s["office"], rate=6)[0]
    for x in spread(at(9, 11.05, tz=s["tz"]), at(9, 11.4, tz=s["tz"]), 8):
        call(x, tok, "GET /v1/tenants/{id}/billing", s["office"], status=403)
    label("denied_access", tok["name"], at(9, 11, tz=s["tz"]), at(9, 11.5, tz=s["tz"]), "staff probes tenant billing pages, 403 x8")
    ci = CI[1]
    ip = ip_in(R.choice(GH_RUNNERS))
    for j in range(10):
        call(at(9, 16, tz=ci["tz"]) + j * 30, ci["key"], "PUT /v1/config/{id}", ip, status=403)
    label("denied_access", ci["key"]["name"], at(9, 16, tz=ci["tz"]), at(9, 16.1, tz=ci["tz"]), "CI key refused 10 config writes (403)")
    p = PARTNERS[9]
    for x in spread(at(10, 9), at(10, 9.5), 12):
        call(x, p["cred"], "GET /v1/tenants/{id}/users", p["ips"][0], status=403)
    label("denied_access", p["cred"]["name"], at(10, 9), at(10, 9.5), "partner credential probes tenant users, 403 x12")
    tok = mesh_token("analytics", 11)
    for x in spread(at(11, 13), at(11, 13.5), 30):
        ev(x, tok, None, None, "vault.v1.Vault/GetSecret", 7, MESH_CALLS["analytics"]["pods"][0], "vault-proxy", form="grpc")
    label("denied_access", tok["name"], at(11, 13), at(11, 13.5), "analytics service asks vault for secrets, PERMISSION_DENIED x30")

    # ---- credential_stuffing (identity: client address)
    def stuff(ip, t0, t1, n, res, kind, note, form="http"):
        for j, x in enumerate(spread(t0, t1, n)):
            if kind == "key": c = new_key("live", f"stuff:{ip}:{j}", "stuffing", None)
            elif kind == "basic": c = new_basic(f"partner-{R.choice(['stripe','plaid','wise','epic'])}{j}", f"stuff:{ip}:{j}", "stuffing")
            else: c = cred(f"stuff:{ip}:{j}", "key", rb62(40), "stuffing", header="authorization")
            call(x, c, res, ip, status=401, form=form)
        label("credential_stuffing", ip, t0, t1, note, kind="ip")
    stuff(vps("do"), at(5, 22), at(5, 22.07), 40, "GET /v1/payments", "key", "40 guessed keys in 4 min (fast)")
    stuff(ip_in(FOREIGN_RESI[3]), at(7, 4), at(7, 4.13), 20, "POST /v1/webhooks/{partner}", "basic", "20 Basic credentials in 8 min against webhooks")
    stuff(vps("ovh"), at(8, 23), at(8, 23.1), 8, "GET /v1/me/profile", "bearer", "8 bearer tokens in 6 min", form="gwlog")
    stuff(ip_in(FOREIGN_RESI[4]), at(10, 1), at(10, 3), 24, "GET /v1/payments", "key", "slow: 24 keys over 2 h (one per 5 min)")
    stuff(vps("vultr"), at(11, 5), at(11, 5.85), 15, "GET /v1/me/accounts", "bearer", "slow: 15 tokens over 50 min", form="gwlog")
    stuff(ip_in(FOREIGN_RESI[5]), at(12, 16), at(12, 16.95), 11, "GET /v1/patients/{id}", "key", "slow: 11 keys over 57 min")

    # ---- rate_surge
    t = pick_tenant("low")
    k = tenant_key_at(t, 9)
    for x in spread(at(9, 13, tz=t["tz"]), at(9, 13.33, tz=t["tz"]), 400):
        call(x, k, t["res"][0], t["ips"][0], status=200)
    label("rate_surge", k["name"], at(9, 13, tz=t["tz"]), at(9, 13.33, tz=t["tz"]), "low-rate key (few calls/day) makes 400 calls in 20 min")
    t = pick_tenant()
    k = tenant_key_at(t, 10)
    for x in spread(at(10, 11, tz=t["tz"]), at(10, 11.17, tz=t["tz"]), 600):
        call(x, k, t["res"][0], t["ips"][0], status=200)
    label("rate_surge", k["name"], at(10, 11, tz=t["tz"]), at(10, 11.17, tz=t["tz"]), "medium tenant key scrapes 600 records in 10 min")
    s = pstaff()
    toks = staff_session(s, at(8, 15, tz=s["tz"]), at(8, 15.08, tz=s["tz"]), s["office"], rate=3600)
    label("rate_surge", toks[0]["name"], at(8, 15, tz=s["tz"]), at(8, 15.1, tz=s["tz"]), "staff hourly JWT makes ~300 calls in 5 min (bulk export script)")
    tok = mesh_token("consent", 11)
    for x in spread(at(11, 16), at(11, 16.17), 200):
        ev(x, tok, None, None, MESH_CALLS["consent"]["methods"][0], 0, MESH_CALLS["consent"]["pods"][0], MESH_CALLS["consent"]["callee"], form="grpc")
    label("rate_surge", tok["name"], at(11, 16), at(11, 16.17), "mesh service loops: 200 calls in 10 min vs ~4/h")
    p = PARTNERS[18]
    for x in spread(at(12, 4), at(12, 4.25), 150):
        call(x, p["cred"], "POST /v1/webhooks/{partner}", p["ips"][0], status=200)
    label("rate_surge", p["cred"]["name"], at(12, 4), at(12, 4.25), "partner replays a webhook backlog: 150 in 15 min vs ~2/h")
    t = pick_tenant("low")
    k = tenant_key_at(t, 13)
    for x in spread(at(13, 10, tz=t["tz"]), at(13, 11, tz=t["tz"]), 180):
        call(x, k, t["res"][0], t["ips"][0], status=200)
    label("rate_surge", k["name"], at(13, 10, tz=t["tz"]), at(13, 11, tz=t["tz"]), "low-rate key: 180 calls spread over an hour")

    # ---- new_client_address (alone: usual resources, business hours)
    for j, (ipf, d, cls) in enumerate([(lambda: vps("do"), 6, "medium"), (lambda: ip_in(FOREIGN_RESI[6]), 8, "medium"),
                                         (lambda: vps("hetzner"), 10, "low"), (lambda: vps("ovh"), 12, "medium")]):
        t = pick_tenant(cls)
        k = tenant_key_at(t, d); ip = ipf()
        for x in spread(at(d, 11, tz=t["tz"]), at(d, 13, tz=t["tz"]), 5):
            call(x, k, t["res"][0], ip, status=200)
        label("new_client_address", k["name"], at(d, 11, tz=t["tz"]), at(d, 13, tz=t["tz"]), f"stolen tenant key used at low rate from a new network ({ip})")
    p = PARTNERS[21]
    ip = vps("vultr")
    for x in spread(at(9, 10), at(9, 12), 6):
        call(x, p["cred"], "POST /v1/webhooks/{partner}", ip, status=200)
    label("new_client_address", p["cred"]["name"], at(9, 10), at(9, 12), "partner credential used from a Vultr VPS")
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:stolen", "staff", ISS_STAFF, s["name"], at(11, 10, tz=s["tz"]), at(11, 11, tz=s["tz"]), scope=STAFF_SCOPE[s["role"]])
    ip = ip_in(FOREIGN_RESI[7])
    for x in spread(at(11, 10.2, tz=s["tz"]), at(11, 10.8, tz=s["tz"]), 5):
        call(x, tok, R.choice(STAFF_RES[s["role"]]), ip, status=200)
    label("new_client_address", tok["name"], at(11, 10.2, tz=s["tz"]), at(11, 10.8, tz=s["tz"]), "staff access token stolen (infostealer) used from a foreign residential ISP")

    # ---- new_resource (ungoverned resources, a session of calls)
    nr = [("GET /v1/tenants/{id}/users", "medium"), ("GET /v1/audit/events", "medium"), ("GET /v1/files/{id}/download", "high"),
          ("POST /v1/exports/adhoc", "medium")]
    for j, (res, cls) in enumerate(nr):
        t = pick_tenant(cls)
        d = 6 + 2 * j
        k = tenant_key_at(t, d)
        for x in spread(at(d, 14, tz=t["tz"]), at(d, 14.5, tz=t["tz"]), 8):
            call(x, k, res, t["ips"][0], status=200)
        label("new_resource", k["name"], at(d, 14, tz=t["tz"]), at(d, 14.5, tz=t["tz"]), f"tenant key starts calling {res} (x8) from its own IP")
    p = PARTNERS[23]
    for x in spread(at(12, 13), at(12, 13.5), 6):
        call(x, p["cred"], "GET /v1/files/{id}/download", p["ips"][0], status=200)
    label("new_resource", p["cred"]["name"], at(12, 13), at(12, 13.5), "partner credential downloads files (x6)")

    # ---- multi_address
    t = pick_tenant()
    k = tenant_key_at(t, 7)
    for j in range(6):
        call(at(7, 12, tz=t["tz"]) + j * 80, k, t["res"][0], ip_in(FOREIGN_RESI[j]), status=200)
    label("multi_address", k["name"], at(7, 12, tz=t["tz"]), at(7, 12.15, tz=t["tz"]), "tenant key through residential proxies: 6 countries in 8 min")
    s = pstaff()
    tok = new_jwt(f"jwt:{s['name']}:vpnhop", "staff", ISS_STAFF, s["name"], at(9, 14, tz=s["tz"]), at(9, 15, tz=s["tz"]), scope=STAFF_SCOPE[s["role"]])
    for j in range(4):
        call(at(9, 14.1, tz=s["tz"]) + j * 100, tok, R.choice(STAFF_RES[s["role"]]), vps(["do", "ovh", "vultr", "linode"][j]), status=200)
    label("multi_address", tok["name"], at(9, 14.1, tz=s["tz"]), at(9, 14.3, tz=s["tz"]), "staff access token via 4 VPN exits in 7 min")
    c = R.choice(CUST)
    tok = new_jwt(f"jwt:{c['name']}:proxy", "customer", ISS_APP, c["name"], at(10, 19), at(10, 20), scope="app")
    for j in range(5):
        call(at(10, 19.1) + j * 70, tok, "GET /v1/me/accounts", ip_in(FOREIGN_RESI[(j + 3) % 10]), status=200, form="gwlog")
    label("multi_address", tok["name"], at(10, 19.1), at(10, 19.25), "customer token used from 5 mobile proxies in 6 min")
    p = PARTNERS[24]
    for j in range(4):
        call(at(11, 2) + j * 90, p["cred"], "POST /v1/webhooks/{partner}", vps(["do", "hetzner", "vultr", "linode"][j]), status=200)
    label("multi_address", p["cred"]["name"], at(11, 2), at(11, 2.15), "partner credential from 4 VPS providers in 6 min")
    t = pick_tenant("high")
    k = tenant_key_at(t, 12)
    for j in range(6):
        call(at(12, 6) + j * 60, k, t["res"][0], vps("do"), status=200)
    label("multi_address", k["name"], at(12, 6), at(12, 6.12), "busy tenant key from 6 DigitalOcean droplets in 6 min")

    # ---- stale_token (registered, unused > 90 days)
    for j, days in enumerate([95, 120, 180, 260, 400]):
        k = new_key("live", f"key:stale-{j}", "stale", f"tenant-s{j}")
        created = T0 - dt.timedelta(days=days + 60)
        register(k, f"tenant-s{j}", "service", scopes=["payments:read"], created=iso(ts(created)),
                 expires=iso(ts(created + dt.timedelta(days=365))), last_used=iso(ts(T0 - dt.timedelta(days=days))))
        label("stale_token", k["name"], at(0, 0), at(14, 0), f"registered key, last used {days} days before the period, unused")
    k = new_key("live", "key:stale-never", "stale", "tenant-s9")
    register(k, "tenant-s9", "service", scopes=["payments:read"], created=iso(at(-200, 0)), expires=iso(at(160, 0)), last_used="never")
    label("stale_token", k["name"], at(0, 0), at(14, 0), "registered key created 200 days ago, never used")

    # ---- resurrected_token
    for j, (days, who) in enumerate([(45, "own"), (75, "vps"), (150, "own"), (210, "vps"), (33, "own")]):
        k = new_key("live", f"key:resurrect-{j}", "resurrect", f"tenant-r{j}")
        created = T0 - dt.timedelta(days=days + 100)
        register(k, f"tenant-r{j}", "service", scopes=["payments:read"], created=iso(ts(created)),
                 expires=iso(ts(created + dt.timedelta(days=365))), last_used=iso(ts(T0 - dt.timedelta(days=days))))
        ip = ip_in(CLOUD["aws-use1"]) if who == "own" else vps()
        d = 5 + j * 2
        for x in spread(at(d, 10), at(d, 11), 4):
            call(x, k, "GET /v1/payments", ip, status=200)
        label("resurrected_token", k["name"], at(d, 10), at(d, 11), f"key idle {days}+{d} days used again ({who})")

    # ---- unused_scopes (old keys granted more than they use)
    for j in range(5):
        t = pick_tenant(kind="fin")
        t["scopes"] = ["payments:read", "payments:write", "reports:read", "patients:read"] if j % 2 == 0 else ["payments:read", "payments:write", "admin"]
        t["monthend"] = False
        t["res"] = ["GET /v1/payments/{id}", "POST /v1/payments", "GET /v1/payments"]
        label("unused_scopes", tenant_key_at(t, 13)["name"], at(8, 0), at(14, 0), f"tenant key holds {t['scopes']} but never uses the extra scopes")

    # ---- expiring_soon (natural expiry within/after the period, in use)
    for j, d in enumerate([6, 10, 15, 17]):
        t = pick_tenant()
        k = t["keys"][0][0]
        t["reg"]["expires"] = iso(at(d, 0)); t["reg"]["created"] = iso(at(d, 0) - 365 * 86400)
        if d < 14:
            k2 = new_key("live", f"key:{t['name']}:2", "tenant", t["name"]); t["keys"] = [(k, -1, d - 1), (k2, d - 1, 99)]; t["rot"] = (d - 1, k2)
            if j == 1:  # a straggler instance presents the expired key once, refused
                call(at(d, 10, tz=t["tz"]), k, t["res"][0], t["ips"][0], status=401)
                NEG.append(dict(type="expired_token", ident=k["name"], note="straggler sends expired key once after rotation, 401 from usual IP"))
        label("expiring_soon", k["name"], at(max(0, d - 7), 0), at(min(d, 14), 0), f"tenant key (1 y) expiring d{d}, in daily use")

    # ---- excessive_lifetime
    for j, years in enumerate([2, 3, 5]):
        t = pick_tenant()
        t["reg"]["created"] = iso(T0 - dt.timedelta(days=200)); t["reg"]["expires"] = iso(T0 - dt.timedelta(days=200) + dt.timedelta(days=365 * years))
        label("excessive_lifetime", t["keys"][0][0]["name"], at(0, 0), at(14, 0), f"tenant key issued with a {years}-year lifetime")
    tok = new_jwt("jwt:dev-longlived", "devjwt", ISS_MESH, "svc-reporting-dev", at(-30, 0), at(-30, 0) + 2 * 365 * 86400, client=True)
    for d in range(5, 14):
        for x in spread(at(d, 9), at(d, 17), 6):
            ev(x, tok, None, None, MESH_CALLS["docs"]["methods"][0], 0, "10.20.77.7", MESH_CALLS["docs"]["callee"], form="grpc")
    label("excessive_lifetime", tok["name"], at(5, 0), at(14, 0), "developer-minted service JWT valid for 2 years")
    ci = CI[13]
    r = [x for x in REGISTRY if x["id"] == ci["key"]["name"]][0]
    r["created_at"] = iso(at(-120, 0)); r["expires_at"] = iso(at(-120, 0) + 1000 * 86400)
    label("excessive_lifetime", ci["key"]["name"], at(0, 0), at(14, 0), "CI key with a 1000-day lifetime")

    # ---- account takeover: new network + new resources + off hours -> combined_findings
    for j, d in enumerate([7, 8, 9, 11, 12]):
        t = pick_tenant()
        k = tenant_key_at(t, d)
        ip = [vps("do"), ip_in(FOREIGN_RESI[8]), vps("hetzner"), ip_in(FOREIGN_RESI[9]), vps("linode")][j]
        t0 = at(d, 2.5, tz=t["tz"])
        xs = spread(t0, t0 + 2400, 12)
        newres = ["GET /v1/tenants/{id}/users", "GET /v1/audit/events", "GET /v1/files/{id}/download"]
        for i, x in enumerate(xs):
            call(x, k, t["res"][0] if i < 3 else newres[i % 3], ip, status=200)
        for typ in ("new_client_address", "new_resource", "off_hours", "combined_findings"):
            label(typ, k["name"], t0, t0 + 2400, f"takeover: key used 02:30 local from {ip}, calls 3 new resources")

def gen_moves():
    for t in TENANTS:
        if "move" in t:
            d, ip = t["move"]
            t["ips_after"] = (d, [ip])

def gen_all():
    build()
    misuse()
    register_tenants()
    # tenant traffic honours moves: patch ip choice by day
    for t in TENANTS:
        if "move" in t:
            d, ip = t["move"]
            t["_ips"] = t["ips"]
    gen_staff_traffic(); gen_customer_traffic()
    gen_tenant_traffic_with_moves()
    gen_mesh_traffic(); gen_etl_traffic_stop(); gen_partner_traffic(); gen_ci_traffic(); scanners()
    for e in EVENTS:  # payments-api outage d9 14:00-14:20 UTC: every call 503
        if e.get("svc") == "payments-api" and at(9, 14) <= e["t"] < at(9, 14.33) and e.get("st") == 200:
            e["st"] = 503

def gen_tenant_traffic_with_moves():
    saved = {}
    moved = [t for t in TENANTS if "move" in t]
    # run normally for everyone, then rewrite moved tenants' events after the move day
    gen_tenant_traffic()
    for t in moved:
        d, ip = t["move"]
        names = {k["name"] for k, a, b in t["keys"]}
        for e in EVENTS:
            if e.get("c") in names and e["t"] >= at(d, 0) and e.get("form") == "http":
                e["ip"] = ip
    # revoked/expired tenants stop using their key after stop_at is handled by keys ranges

def gen_etl_traffic_stop():
    gen_etl_traffic()
    for e in ETL:
        if "stop" in e:
            nm = e["key"]["name"]
            EVENTS[:] = [x for x in EVENTS if not (x.get("c") == nm and x["t"] >= at(e["stop"], 0) and x.get("st") != 401)]

# ---------------------------------------------------------------- OTLP encoding
def sattr(k, v):
    if isinstance(v, bool): return {"key": k, "value": {"boolValue": v}}
    if isinstance(v, int): return {"key": k, "value": {"intValue": str(v)}}
    if isinstance(v, list): return {"key": k, "value": {"arrayValue": {"values": [{"stringValue": x} for x in v]}}}
    return {"key": k, "value": {"stringValue": v}}

def trace_for(e, rr):
    tid = "%032x" % rr.getrandbits(128)
    sid = "%016x" % rr.getrandbits(64)
    c = e.get("c")
    if c and len(CREDS[c]["traces"]) < 3:
        CREDS[c]["traces"].append(tid)
    return tid, sid

def encode(e, rr):
    """returns (signal, service, item)"""
    c = CREDS[e["c"]] if e.get("c") else None
    tid, sid = trace_for(e, rr)
    tn = str(int(e["t"] * 1e9))
    te = str(int(e["t"] * 1e9) + rr.randrange(2_000_000, 200_000_000))
    f = e["form"]
    if f == "http":
        a = [sattr("http.request.method", e["m"]), sattr("http.route", e["route"]), sattr("url.path", e["path"]),
             sattr("url.scheme", "https"), sattr("http.response.status_code", e["st"]), sattr("server.address", "api.meridian.example"),
             sattr("client.address", e["ip"]), sattr("network.peer.address", e.get("peer") or rr.choice(LB)),
             sattr("user_agent.original", "meridian-sdk/4.2" if c and c["cls"] in ("tenant", "ci", "etl") else "Mozilla/5.0")]
        ex = e.get("extra") or {}
        if not ex.get("_nohdr"):
            a.append(sattr("http.request.header." + c["header"], [header_value(c)]))
        for k, v in ex.items():
            if not k.startswith("_"): a.append(sattr(k, v))
        span = {"traceId": tid, "spanId": sid, "name": f"{e['m']} {e['route']}", "kind": 2, "startTimeUnixNano": tn,
                "endTimeUnixNano": te, "attributes": a, "status": {"code": 2} if e["st"] >= 500 else {}}
        return "traces", e["svc"], span
    if f == "grpc":
        svc_m = e["path"]
        a = [sattr("rpc.system", "grpc"), sattr("rpc.service", svc_m.split("/")[0]), sattr("rpc.method", svc_m.split("/")[1]),
             sattr("rpc.grpc.status_code", e["st"]), sattr("network.peer.address", e.get("peer") or e["ip"]),
             sattr("rpc.grpc.request.metadata.authorization", [header_value(c)])]
        if e.get("peer"):
            a.append(sattr("client.address", e["ip"]))
        span = {"traceId": tid, "spanId": sid, "name": svc_m, "kind": 2, "startTimeUnixNano": tn, "endTimeUnixNano": te,
                "attributes": a, "status": {"code": 2} if e["st"] in (13, 14) else {}}
        return "traces", e["svc"], span
    if f == "gwlog":
        a = [sattr("http.request.method", e["m"]), sattr("http.route", e["route"]), sattr("url.path", e["path"]),
             sattr("http.response.status_code", e["st"]), sattr("client.address", e["ip"]), sattr("network.peer.address", rr.choice(GW)),
             sattr("user_agent.original", "MeridianApp/7.3 (iOS 19)")]
        ex = e.get("extra") or {}
        if not ex.get("_nohdr"):
            a.append(sattr("http.request.header.authorization", header_value(c)))
        for k, v in ex.items():
            if not k.startswith("_"): a.append(sattr(k, v))
        rec = {"timeUnixNano": tn, "observedTimeUnixNano": tn, "severityNumber": 9, "severityText": "INFO",
               "body": {"stringValue": f"{e['m']} {e['path']} {e['st']}"}, "attributes": a, "traceId": tid, "spanId": sid}
        return "logs", "api-gateway", rec
    if f == "exception":
        span = {"traceId": tid, "spanId": sid, "name": "GET /v1/admin/tickets", "kind": 2, "startTimeUnixNano": tn, "endTimeUnixNano": te,
                "attributes": [sattr("http.request.method", "GET"), sattr("http.route", "/v1/admin/tickets"), sattr("http.response.status_code", 502),
                               sattr("client.address", "10.3.0.4"), sattr("network.peer.address", "10.3.0.4")],
                "events": [{"timeUnixNano": tn, "name": "exception", "attributes": [sattr("exception.type", "UpstreamError"),
                                                                                     sattr("exception.message", e["msg"])]}],
                "status": {"code": 2}}
        return "traces", e["svc"], span
    if f == "resattr":
        span = {"traceId": tid, "spanId": sid, "name": "index.batch", "kind": 1, "startTimeUnixNano": tn, "endTimeUnixNano": te,
                "attributes": [sattr("index.docs", 1200)]}
        return "traces", ("RESATTR", e["cmd"], e["svc"]), span
    if f == "applog":
        rec = {"timeUnixNano": tn, "observedTimeUnixNano": tn, "severityNumber": 13, "severityText": "WARN",
               "body": {"stringValue": e["msg"]}, "attributes": [sattr("code.function", "sync_payments")], "traceId": tid, "spanId": sid}
        return "logs", e["svc"], rec
    raise ValueError(f)

def write_batches():
    rr = random.Random(SEED + 1)
    EVENTS.sort(key=lambda e: e["t"])
    os.makedirs(f"{OUT}/batches", exist_ok=True)
    # windows of 5 minutes of event time, shuffled, cut at 400 items; windows interleaved pairwise
    wins, cur, w0 = [], [], None
    for e in EVENTS:
        if w0 is None or e["t"] - w0 >= 300 or len(cur) >= 400:
            if cur: wins.append(cur)
            cur, w0 = [], e["t"]
        cur.append(e)
    if cur: wins.append(cur)
    n = 0
    files = []
    for i in range(0, len(wins), 2):
        merged = sum(wins[i:i + 2], [])  # two windows: a request spans up to ~10 minutes
        rr.shuffle(merged)
        for j in range(0, len(merged), 400):
            part = merged[j:j + 400]
            by = {}
            for e in part:
                sig, svc, item = encode(e, rr)
                by.setdefault(sig, {}).setdefault(svc, []).append(item)
            for sig, svcs in by.items():
                if sig == "traces":
                    rs = []
                    for svc, items in svcs.items():
                        attrs = [sattr("service.name", svc if isinstance(svc, str) else svc[2]), sattr("deployment.environment.name", "prod"),
                                 sattr("cloud.region", rr.choice(["eu-west-1", "us-east-1", "ap-southeast-1"]))]
                        if not isinstance(svc, str):
                            attrs.append(sattr("process.command_args", svc[1].split(" ")))
                            attrs.append(sattr("process.command_line", svc[1]))
                        rs.append({"resource": {"attributes": attrs}, "scopeSpans": [{"scope": {"name": "io.opentelemetry.instrumentation"}, "spans": items}]})
                    body = {"resourceSpans": rs}
                else:
                    rl = [{"resource": {"attributes": [sattr("service.name", svc)]}, "scopeLogs": [{"scope": {"name": "gateway.access"}, "logRecords": items}]}
                          for svc, items in svcs.items()]
                    body = {"resourceLogs": rl}
                fn = f"{OUT}/batches/{n:06d}_{sig}.json"
                with open(fn, "w") as fh:
                    json.dump(body, fh, separators=(",", ":"))
                files.append(fn)
                n += 1
                if rr.random() < 0.01:  # exporter retry: the same request again
                    fn2 = f"{OUT}/batches/{n:06d}_{sig}.json"
                    with open(fn2, "w") as fh:
                        json.dump(body, fh, separators=(",", ":"))
                    n += 1
    return n

# ---------------------------------------------------------------- fingerprints and policy
def fingerprint_all(names):
    env = dict(os.environ)
    out = {}
    for nm in names:
        c = CREDS[nm]
        v = header_value(c) if c["kind"] == "basic" else c["raw"]
        r = subprocess.run([AUDITCTL, "fingerprint"], input=v.encode(), capture_output=True, env=env)
        out[nm] = r.stdout.decode().strip()
    return out

def yq(s):
    return json.dumps(s)

def write_policy(fp):
    L = ["# Meridian token policy (blind5). Written from docs/policy.md.", "scopes:"]
    for s, pats in SCOPES.items():
        L.append(f"  {yq(s)}: [{', '.join(yq(p) for p in pats)}]")
    L.append("restricted:")
    for r in RESTRICTED:
        L.append(f"  - resource: {yq(r['resource'])}")
        for k in ("principals", "scopes", "tokens"):
            if k in r: L.append(f"    {k}: [{', '.join(yq(x) for x in r[k])}]")
    L.append("principals:")
    for s in MESH:
        L.append(f"  svc-{s}:\n    networks: [10.0.0.0/8]")
    L.append("revoked:")
    for kind, v in REVOKED:
        L.append(f"  - id: {fp[v]}" if kind == "id" else f"  - jti: {yq(v)}")
    L += ["registry:", "  authoritative: true", "  known: registered_or_verified",
          f"  verified_issuers: [{yq(ISS_STAFF)}, {yq(ISS_APP)}, {yq(ISS_MESH)}]", "  tokens:"]
    for e in REGISTRY:
        L.append(f"    - id: {fp[e['id']]}")
        for k in ("name", "owner", "owner_type"):
            L.append(f"      {k}: {yq(e[k])}")
        if "scopes" in e: L.append(f"      scopes: [{', '.join(yq(x) for x in e['scopes'])}]")
        for k in ("created_at", "expires_at", "last_used_at"):
            if k in e: L.append(f"      {k}: {e[k]}")
        if "networks" in e: L.append(f"      networks: [{', '.join(e['networks'])}]")
        if "working_hours" in e:
            w = e["working_hours"]
            L.append(f"      working_hours: {{time_zone: {w['time_zone']}, days: [{', '.join(w['days'])}], start: {yq(w['start'])}, end: {yq(w['end'])}}}")
    with open(f"{OUT}/policy.yaml", "w") as fh:
        fh.write("\n".join(L) + "\n")

def main():
    os.makedirs(OUT, exist_ok=True)
    gen_all()
    # registry entries for tenants were created with tenant reg dicts possibly altered by misuse(): done in register_tenants()
    need = {e["id"] for e in REGISTRY} | {v for k, v in REVOKED if k == "id"} | {l["ident"] for l in LABELS if l["ident_kind"] == "token"} \
        | {n["ident"] for n in NEG}
    fp = fingerprint_all(sorted(need))
    write_policy(fp)
    nb = write_batches()
    for l in LABELS:
        if l["ident_kind"] == "token":
            l["token_id"] = fp[l["ident"]]
    with open(f"{OUT}/labels.jsonl", "w") as fh:
        for l in LABELS: fh.write(json.dumps(l) + "\n")
    for n_ in NEG: n_["token_id"] = fp[n_["ident"]]
    with open(f"{OUT}/negatives.jsonl", "w") as fh:
        for n_ in NEG: fh.write(json.dumps(n_) + "\n")
    # token-days of clean credentials, and the credential table
    days = {}
    for e in EVENTS:
        if e.get("c"): days.setdefault(e["c"], set()).add(int((e["t"] - ts(T0)) // 86400))
    with open(f"{OUT}/creds.json", "w") as fh:
        json.dump({nm: dict(cls=c["cls"], labelled=bool(c.get("labelled")), token_id=fp.get(nm), traces=c["traces"],
                            days=len(days.get(nm, ())), registered=bool(c.get("registered"))) for nm, c in CREDS.items()}, fh)
    with open(f"{OUT}/secrets.txt", "w") as fh:
        for c in CREDS.values():
            fh.write(c["raw"] + "\n")
            if c["kind"] == "basic":
                fh.write(base64.b64decode(c["raw"]).decode().split(":", 1)[1] + "\n")
    clean = [nm for nm, c in CREDS.items() if not c.get("labelled") and c["cls"] not in ("stuffing", "malformed", "forged")]
    print(json.dumps(dict(events=len(EVENTS), batches=nb, creds=len(CREDS), clean_creds=len(clean),
                          clean_token_days=sum(len(days.get(nm, ())) for nm in clean), labels=len(LABELS),
                          registry=len(REGISTRY))))

if __name__ == "__main__":
    main()
