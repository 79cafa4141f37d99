#!/usr/bin/env python3
"""Blind labelled world for tokenaudit: a logistics B2B SaaS, 14 days of event time.

Usage: world.py OUTDIR [SEED]
Writes OUTDIR/req/*.json (OTLP/HTTP JSON bodies, in send order), OUTDIR/manifest.tsv,
OUTDIR/labels.json, OUTDIR/tokens.json, OUTDIR/secrets.txt, OUTDIR/registry.json,
OUTDIR/fp_input.tsv (tokey \t raw credential, for fingerprinting).
"""
import base64, datetime as dt, hashlib, hmac, ipaddress, json, os, random, string, sys
from zoneinfo import ZoneInfo

OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 4242
SCALE = float(os.environ.get("WORLD_SCALE", "1.0"))
R = random.Random(SEED)

UTC = dt.timezone.utc
START = dt.datetime(2027, 6, 21, 0, 0, tzinfo=UTC)   # Monday; no DST change in US/EU
DAYS = 14
END = START + dt.timedelta(days=DAYS)
S0 = int(START.timestamp())
S_END = int(END.timestamp())
DAY = 86400
HOUR = 3600

CORP_ISS = "https://login.logix-cloud.example/"
CORP_SECRET = "logix-corp-idp-hs256-secret-2027-blind4-xxxxxxxx"
MESH_ISS = "https://mesh-ca.logix.internal/"
MESH_SECRET = "logix-mesh-issuer-hs256-secret-2027-blind4-yyyyyy"
FORGE_SECRET = "attacker-guessed-secret-that-is-not-ours-zzzzzzzzz"

# ----------------------------------------------------------------- networks
def N(c):
    return ipaddress.ip_network(c)

NETS = {
    # mobile carriers (telematics)
    "tmobile_us": [N("172.56.0.0/13"), N("172.32.0.0/11")],
    "verizon_wl": [N("174.192.0.0/10")],
    "att_mob": [N("107.64.0.0/10"), N("166.128.0.0/10")],
    "vodafone_de_mob": [N("109.40.0.0/14")],
    "telekom_de_mob": [N("80.187.0.0/16")],
    # residential
    "comcast_res": [N("73.0.0.0/8")],
    "att_res": [N("99.0.0.0/10")],
    "verizon_fios": [N("71.160.0.0/11")],
    "dtag_res": [N("79.192.0.0/10"), N("87.128.0.0/10"), N("91.0.0.0/10")],
    "ziggo_res": [N("84.24.0.0/13")],
    "orange_pl_res": [N("83.0.0.0/11")],
    # business fibre (site NAT, offices, carrier on-prem)
    "comcast_biz": [N("50.192.0.0/10")],
    "att_biz": [N("12.0.0.0/8")],
    "lumen": [N("4.0.0.0/9")],
    "dtag_biz": [N("217.6.0.0/16"), N("217.7.0.0/16")],
    "kpn_biz": [N("213.124.0.0/14")],
    # clouds (legit: CI runners, carriers' integration servers)
    "aws_use1": [N("3.80.0.0/12"), N("18.204.0.0/14"), N("34.192.0.0/12"), N("44.192.0.0/11")],
    "aws_euc1": [N("3.120.0.0/14"), N("18.184.0.0/15"), N("52.28.0.0/16")],
    "azure_weu": [N("20.50.0.0/16"), N("13.69.0.0/16")],
    "gcp_us": [N("34.68.0.0/14"), N("35.192.0.0/14")],
    # travel
    "bt_uk": [N("86.128.0.0/10")],
    "ntt_ocn": [N("153.128.0.0/10")],
    # attackers
    "hetzner": [N("5.9.0.0/16"), N("88.198.0.0/16"), N("135.181.0.0/16"), N("65.108.0.0/15")],
    "digitalocean": [N("159.89.0.0/16"), N("167.99.0.0/16"), N("206.189.0.0/16"), N("64.225.0.0/16")],
    "ovh": [N("51.38.0.0/16"), N("51.75.0.0/16"), N("145.239.0.0/16")],
    "vultr": [N("45.76.0.0/16"), N("45.32.0.0/16"), N("149.28.0.0/16")],
    "contabo": [N("161.97.0.0/16"), N("173.212.192.0/18")],
    "linode": [N("172.104.0.0/15"), N("139.162.0.0/16")],
    "vnpt_vn": [N("113.160.0.0/11"), N("14.160.0.0/11")],
    "chinanet": [N("58.208.0.0/12")],
    "turktelekom": [N("88.224.0.0/11")],
}
ATTACK_VPS = ["hetzner", "digitalocean", "ovh", "vultr", "contabo", "linode"]
ATTACK_RES = ["vnpt_vn", "chinanet", "turktelekom"]


NETS_INT = {k: [(int(n.network_address), n.num_addresses) for n in v] for k, v in NETS.items()}


def rand_ip(pool, rnd=R):
    base, size = rnd.choice(NETS_INT[pool])
    a = base + rnd.randrange(1, size - 1)
    if a & 255 in (0, 255):
        return rand_ip(pool, rnd)
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def ip_in_24(ip, rnd=R):
    p = ip.split(".")
    return "%s.%s.%s.%d" % (p[0], p[1], p[2], rnd.randrange(2, 254))


# ----------------------------------------------------------------- routes
HTTP = "http"
RPC = "rpc"
ROUTES = {}


def route(name, kind, method=None, tmpl=None, rpc=None):
    ROUTES[name] = (kind, method, tmpl, rpc)


route("scan", HTTP, "POST", "/v1/scans")
route("itemloc", HTTP, "PUT", "/v1/items/{id}/location")
route("itemget", HTTP, "GET", "/v1/items/{id}")
route("locitems", HTTP, "GET", "/v1/locations/{id}/items")
route("shiplist", HTTP, "GET", "/v1/shipments")
route("shipget", HTTP, "GET", "/v1/shipments/{id}")
route("shipev", HTTP, "GET", "/v1/shipments/{id}/events")
route("shipcreate", HTTP, "POST", "/v1/shipments")
route("shipupd", HTTP, "PUT", "/v1/shipments/{id}")
route("shipevpost", HTTP, "POST", "/v1/shipments/{id}/events")
route("invlist", HTTP, "GET", "/v1/invoices")
route("invget", HTTP, "GET", "/v1/invoices/{id}")
route("deploy", HTTP, "POST", "/v1/deployments")
route("deployget", HTTP, "GET", "/v1/deployments/{id}")
route("config", HTTP, "PUT", "/v1/config/{name}")
route("admusers", HTTP, "GET", "/v1/admin/users")
route("admtenant", HTTP, "GET", "/v1/admin/tenants/{id}")
route("admdel", HTTP, "DELETE", "/v1/admin/tenants/{id}")
route("admkeys", HTTP, "POST", "/v1/admin/api-keys")
route("export", HTTP, "GET", "/v1/exports/{dataset}")
route("exportpost", HTTP, "POST", "/v1/exports")
route("rates", HTTP, "GET", "/v1/carriers/{id}/rates")
route("contracts", HTTP, "GET", "/v1/customers/{id}/contracts")
route("custget", HTTP, "GET", "/v1/customers/{id}")
route("me", HTTP, "GET", "/v1/me")
route("dash", HTTP, "GET", "/v1/dashboard/summary")
route("tel_report", RPC, rpc=("fleet.v1.Telemetry", "Report"))
route("tel_hb", RPC, rpc=("fleet.v1.Telemetry", "Heartbeat"))
route("tel_routes", RPC, rpc=("fleet.v1.Dispatch", "ListAssignedRoutes"))
route("tel_fw", RPC, rpc=("fleet.v1.Firmware", "Download"))
route("plan", RPC, rpc=("routing.v1.Planner", "Optimize"))
route("stock", RPC, rpc=("inventory.v1.Stock", "Get"))
route("ledger", RPC, rpc=("billing.v1.Ledger", "Post"))
route("eta", RPC, rpc=("tracking.v1.Eta", "Predict"))

SCOPES = {
    "scan:write": ["POST /v1/scans", "PUT /v1/items/{id}/location"],
    "inventory:read": ["GET /v1/items/{id}", "GET /v1/locations/{id}/items", "inventory.v1.Stock/*"],
    "telemetry:write": ["fleet.v1.Telemetry/*", "fleet.v1.Dispatch/*"],
    "shipments:read": ["GET /v1/shipments", "GET /v1/shipments/{id}", "GET /v1/shipments/{id}/events"],
    "shipments:write": ["POST /v1/shipments", "PUT /v1/shipments/{id}", "POST /v1/shipments/{id}/events"],
    "billing:read": ["GET /v1/invoices", "GET /v1/invoices/{id}"],
    "deploy": ["POST /v1/deployments", "GET /v1/deployments/{id}", "PUT /v1/config/{name}"],
    "admin": ["* /v1/admin/**"],
    "export": ["GET /v1/exports/**", "POST /v1/exports"],
    "mesh": ["routing.v1.Planner/*", "billing.v1.Ledger/*", "tracking.v1.Eta/*"],
}
RESTRICTED_ADMINS = []

# ----------------------------------------------------------------- credentials
ALNUM = string.ascii_letters + string.digits


def rstr(n, alph=ALNUM):
    return "".join(R.choice(alph) for _ in range(n))


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims, secret, kid):
    h = b64u(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), (h + "." + p).encode(), hashlib.sha256).digest()
    return h + "." + p + "." + b64u(sig)


TOKENS = {}      # tokey -> info
SECRETS = []     # raw secrets for the leak search
FP_INPUT = []    # (tokey, raw)
REGISTRY = []    # registry entries: dict with tokey


def new_key(tokey, prefix, kind, owner, **info):
    raw = prefix + rstr(32)
    TOKENS[tokey] = dict(kind=kind, owner=owner, raw=raw, injected=False, days=set(), **info)
    SECRETS.append(raw)
    FP_INPUT.append((tokey, raw))
    return raw


def iso(ts):
    return dt.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def register(tokey, owner, scopes, created, expires, last_used, networks=None, name=None):
    e = dict(tokey=tokey, owner=owner, owner_type="service", scopes=scopes,
             created_at=iso(created), expires_at=iso(expires) if expires else None,
             last_used_at=(iso(last_used) if isinstance(last_used, int) else last_used), name=name or tokey)
    if networks is not None:
        e["networks"] = networks
    REGISTRY.append(e)


# ----------------------------------------------------------------- events
# event: (t_ms, chan, auth, res, status, client, peer, extra, tokey, tag)
# chan: gw (gateway HTTP span), grpc (mesh/edge gRPC span), alog (nginx access log record),
#       applog (application log line), client (client span with url.full)
# auth: ("key", raw) X-API-Key | ("bearer", raw) | ("basic", user, pw) | ("meta", raw) gRPC authorization bearer
#       | ("metakey", raw) gRPC x-api-key
EVENTS = []


def ev(t, chan, auth, res, status, client, tokey, peer=None, extra=None, tag=None):
    t = float(t)
    if t < S0 or t >= S_END:
        return
    EVENTS.append((int(t * 1000) + R.randrange(0, 1000) if t == int(t) else int(t * 1000), chan, auth, res,
                   status, client, peer, extra, tokey, tag))
    if tokey and tag is None and tokey in TOKENS:
        TOKENS[tokey]["days"].add(int((t - S0) // DAY))


def local(ts, tz):
    return dt.datetime.fromtimestamp(ts, ZoneInfo(tz))


def local_ts(day, hh, mm, tz):
    d = (START + dt.timedelta(days=day)).astimezone(ZoneInfo(tz)).date()
    # day index measured in UTC dates; use the local calendar date of that UTC midnight+12h
    d = (START + dt.timedelta(days=day, hours=12)).astimezone(ZoneInfo(tz)).date()
    return int(dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=ZoneInfo(tz)).timestamp())


def weekday(day):
    return (START + dt.timedelta(days=day)).weekday()   # 0 = Monday


def pick(weights):
    x = R.random() * sum(w for _, w in weights)
    for v, w in weights:
        x -= w
        if x <= 0:
            return v
    return weights[-1][0]


def ok_status(r=None):
    x = R.random()
    if x < 0.004:
        return 404
    if x < 0.006:
        return 500
    if x < 0.0075:
        return 409
    return 200


def grpc_ok():
    x = R.random()
    if x < 0.003:
        return 14   # UNAVAILABLE
    if x < 0.005:
        return 5    # NOT_FOUND
    return 0


def sc(n):
    return max(1, int(round(n * SCALE)))


# ---------------------------------------------------------------- population
SITES = [
    # code, tz, isp, shiftdevices, policy working hours?
    ("chi", "America/Chicago", "comcast_biz", False),
    ("dal", "America/Chicago", "att_biz", False),
    ("mem", "America/Chicago", "att_biz", False),
    ("atl", "America/New_York", "comcast_biz", False),
    ("rtm", "Europe/Amsterdam", "kpn_biz", False),
    ("dui", "Europe/Berlin", "dtag_biz", False),
    ("poz", "Europe/Warsaw", "dtag_biz", True),
]
SITE_NAT = {}
for code, tz, isp, _ in SITES:
    base = rand_ip(isp)
    SITE_NAT[code] = [base] + ([ip_in_24(base)] if R.random() < 0.5 else [])

PRINCIPAL_NETS = {}     # principal -> list of CIDRs
PRINCIPAL_HOURS = {}    # principal -> working hours dict
for code, tz, isp, wh in SITES:
    PRINCIPAL_NETS["site-" + code] = [ip + "/32" for ip in SITE_NAT[code]]
    if wh:
        PRINCIPAL_HOURS["site-" + code] = {"time_zone": tz, "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                                           "start": "06:00", "end": "22:00"}

OLD_CREATED = (S0 - 200 * DAY, S0 - 100 * DAY)


def created_expiry():
    c = S0 - R.randrange(100 * DAY, 300 * DAY)
    return c, c + 365 * DAY


scanners = []
for i in range(sc(600)):
    code, tz, isp, _ = R.choice(SITES)
    tk = "scn-%04d" % i
    raw = new_key(tk, "lgx_live_", "scanner", "site-" + code, site=code, tz=tz,
                  shift=R.choice(["early", "late"]), gap=R.uniform(14, 30) * 60,
                  sat=R.random() < 0.5, nat=R.choice(SITE_NAT[code]))
    c, e = created_expiry()
    register(tk, "site-" + code, ["scan:write", "inventory:read"], c, e, S0 - R.randrange(3600, 2 * DAY))
    scanners.append(tk)

FLEETS = ["fleet-%03d" % i for i in range(60)]
telem = []
for i in range(sc(800)):
    us = R.random() < 0.65
    carrier = R.choice(["tmobile_us", "verizon_wl", "att_mob"] if us else ["vodafone_de_mob", "telekom_de_mob"])
    tk = "tel-%04d" % i
    own = R.choice(FLEETS)
    new_key(tk, "lgx_live_", "telematics", own, carrier=carrier, gap=R.uniform(70, 140) * 60,
            addr=rand_ip(carrier))
    c, e = created_expiry()
    register(tk, own, ["telemetry:write"], c, e, S0 - R.randrange(600, 4 * HOUR))
    telem.append(tk)

CARRIER_HOSTS = ["aws_euc1", "aws_use1", "azure_weu", "gcp_us", "lumen", "att_biz", "dtag_biz", "kpn_biz"]
CARRIER_TZ = ["America/Chicago", "America/New_York", "Europe/Berlin", "Europe/Amsterdam", "Europe/Warsaw",
              "America/Los_Angeles"]
carriers = []
for i in range(sc(110)):
    tk = "car-%03d" % i
    host = R.choice(CARRIER_HOSTS)
    a = rand_ip(host)
    new_key(tk, "lgx_live_", "carrier", "carrier-%03d" % i, tz=R.choice(CARRIER_TZ),
            addrs=[a] + ([ip_in_24(a)] if R.random() < 0.4 else []), nightly=R.randrange(30, 110),
            day=R.randrange(4, 25), portal=R.random() < 0.4, bearer=R.random() < 0.5)
    c, e = created_expiry()
    register(tk, "carrier-%03d" % i, ["shipments:read", "shipments:write", "billing:read"], c, e,
             S0 - R.randrange(HOUR, DAY))
    carriers.append(tk)

ci = []
for i in range(sc(50)):
    tk = "ci-%03d" % i
    raw = "lgxci_" + rstr(40, "0123456789abcdef")
    TOKENS[tk] = dict(kind="ci", owner="ci-team-%02d" % (i % 25), raw=raw, injected=False, days=set(),
                      builds=R.randrange(1, 6), tz=R.choice(["America/New_York", "Europe/Berlin"]))
    SECRETS.append(raw)
    FP_INPUT.append((tk, raw))
    c, e = created_expiry()
    register(tk, "ci-team-%02d" % (i % 25), ["deploy"], c, e, S0 - R.randrange(HOUR, 3 * DAY))
    ci.append(tk)
for t in range(25):
    PRINCIPAL_NETS["ci-team-%02d" % t] = [str(n) for n in NETS["aws_use1"]]

lowrate = []
for i in range(sc(800)):
    tk = "low-%04d" % i
    host = R.choice(["comcast_res", "dtag_res", "aws_use1", "azure_weu", "lumen", "att_res", "ziggo_res"])
    own = "partner-%03d" % (i % 300)
    new_key(tk, "lgx_live_", "lowrate", own, addr=rand_ip(host), tz=R.choice(CARRIER_TZ),
            perweek=R.choice([1, 2, 3, 4, 6]), route=R.choice(["shipget", "shipev", "shiplist"]))
    c, e = created_expiry()
    register(tk, own, ["shipments:read"], c, e, S0 - R.randrange(DAY, 6 * DAY))
    lowrate.append(tk)

# office users (principals); their JWTs are minted hourly
ROLES = {
    "dispatcher": ("shipments:read shipments:write inventory:read", ["shiplist", "shipget", "shipev", "shipupd",
                                                                     "shipcreate", "itemget", "dash", "me"]),
    "finance": ("billing:read shipments:read", ["invlist", "invget", "shipget", "dash", "me"]),
    "ops": ("admin inventory:read shipments:read", ["admusers", "admtenant", "itemget", "shiplist", "dash", "me"]),
    "analyst": ("export shipments:read", ["export", "shiplist", "shipget", "dash", "me"]),
}
OFFICES = {"chi-hq": ("America/Chicago", "comcast_biz", ["comcast_res", "att_res", "verizon_fios"], "tmobile_us"),
           "ams": ("Europe/Amsterdam", "kpn_biz", ["ziggo_res"], "vodafone_de_mob"),
           "ber": ("Europe/Berlin", "dtag_biz", ["dtag_res"], "telekom_de_mob"),
           "waw": ("Europe/Warsaw", "dtag_biz", ["orange_pl_res"], "telekom_de_mob")}
OFFICE_IP = {k: rand_ip(v[1]) for k, v in OFFICES.items()}
users = []
USERS_INFO = {}
for i in range(sc(420)):
    role = pick([("dispatcher", 5), ("finance", 2), ("ops", 1), ("analyst", 1.5)])
    uid = "u-%s-%04d" % (role[:3], i)
    off = R.choice(list(OFFICES))
    tz, _, homes, mob = OFFICES[off]
    info = dict(role=role, office=off, tz=tz, home=rand_ip(R.choice(homes)), mobile=mob,
                rate=R.uniform(2, 5), start=R.uniform(7.0, 9.5), length=R.uniform(7.5, 9.5),
                officedays=set(R.sample(range(5), R.choice([2, 3, 4, 5]))),
                travel=(R.randrange(0, 14), R.choice(["bt_uk", "ntt_ocn", "comcast_res", "dtag_res"]))
                if R.random() < 0.06 else None,
                vacation=(R.random() < 0.08), evening=R.random() < 0.3)
    USERS_INFO[uid] = info
    users.append(uid)

RESTRICTED_ADMINS.extend([u for u in users if USERS_INFO[u]["role"] == "ops"][:3])
MESH = ["routing-svc", "billing-svc", "tracking-svc", "dispatch-svc", "notify-svc", "pricing-svc",
        "label-svc", "customs-svc", "yard-svc", "edi-svc", "report-svc", "search-svc", "invoice-svc",
        "geo-svc", "slot-svc", "claims-svc", "tender-svc", "audit-svc", "sync-svc", "quote-svc"]
for s in MESH:
    PRINCIPAL_NETS[s] = ["10.0.0.0/8"]
MESH_POD = {s: "10.40.%d.%d" % (R.randrange(0, 64), R.randrange(2, 250)) for s in MESH}

JWTS = {}   # tokey -> raw (for fingerprinting of injected/sampled ones)
JWT_OWNER = {}


def mint_user_jwt(uid, iat, life=3600, scope=None, extra=None, secret=CORP_SECRET, kid="corp"):
    jti = "j" + rstr(14, "0123456789abcdef")
    cl = {"iss": CORP_ISS, "sub": uid, "aud": "logix-api", "iat": iat, "nbf": iat, "exp": iat + life,
          "jti": jti, "scope": scope if scope is not None else ROLES[USERS_INFO[uid]["role"]][0],
          "azp": "logix-web"}
    if extra:
        cl.update(extra)
    raw = jwt(cl, secret, kid)
    tk = "jwt:" + jti
    JWTS[tk] = raw
    JWT_OWNER[tk] = uid
    SECRETS.append(raw)
    SECRETS.append(raw.rsplit(".", 1)[1])
    return tk, raw, jti


def mint_mesh_jwt(svc, iat, life=12 * HOUR):
    jti = "m" + rstr(14, "0123456789abcdef")
    cl = {"iss": MESH_ISS, "sub": svc, "client_id": svc, "aud": "logix-mesh", "iat": iat, "exp": iat + life,
          "jti": jti, "scope": "mesh inventory:read"}
    raw = jwt(cl, MESH_SECRET, "mesh")
    tk = "jwt:" + jti
    JWTS[tk] = raw
    JWT_OWNER[tk] = svc
    SECRETS.append(raw)
    SECRETS.append(raw.rsplit(".", 1)[1])
    return tk, raw, jti


# ---------------------------------------------------------------- clean traffic
USER_DAYS = set()


def gen_scanner(tk, skip_days=()):
    t = TOKENS[tk]
    tz = t["tz"]
    for d in range(DAYS):
        if d in skip_days:
            continue
        wd = weekday(d)
        if wd == 6 or (wd == 5 and not t["sat"]):
            continue
        if wd == 5:
            a, b = local_ts(d, 7, 0, tz), local_ts(d, 13, 0, tz)
        elif t["shift"] == "early":
            a, b = local_ts(d, 6, 0, tz), local_ts(d, 14, 0, tz)
        else:
            a, b = local_ts(d, 14, 0, tz), local_ts(d, 22, 0, tz)
        x = a + R.uniform(0, 600)
        while x < b - 60:
            r = pick([("scan", 70), ("itemloc", 18), ("itemget", 9), ("locitems", 3)])
            ev(x, "gw", ("key", t["raw"]), r, ok_status(), t["nat"], tk)
            g = R.expovariate(1.0 / t["gap"])
            if R.random() < 0.05:
                g += R.uniform(1200, 2400)    # break
            x += max(20, g)


def gen_telem(tk):
    t = TOKENS[tk]
    x = S0 + R.uniform(0, t["gap"])
    addr = t["addr"]
    while x < S_END:
        if R.random() < 0.3:
            addr = rand_ip(t["carrier"])
        r = pick([("tel_report", 80), ("tel_hb", 15), ("tel_routes", 5)])
        ev(x, "grpc", ("metakey", t["raw"]), r, grpc_ok(), None, tk, peer=addr)
        x += max(60, R.expovariate(1.0 / t["gap"]))


def gen_carrier(tk, until=S_END, status_after=None):
    t = TOKENS[tk]
    tz = t["tz"]
    chan = "alog" if t["portal"] else "gw"
    auth = ("bearer", t["raw"]) if t["bearer"] else ("key", t["raw"])

    def call(x, r):
        if x >= until:
            return
        st = ok_status()
        if status_after and x >= status_after[0]:
            st = status_after[1]
        ev(x, chan, auth, r, st, R.choice(t["addrs"]), tk)

    for d in range(-1, DAYS):
        wd = weekday(d) if d >= 0 else 6
        # nightly batch at 02:00 local, every day
        a = local_ts(d + 1, 2, 0, tz) if d >= 0 else local_ts(0, 2, 0, tz)
        n = int(t["nightly"] * R.uniform(0.8, 1.2))
        span = R.uniform(300, 900)
        for k in range(n):
            call(a + span * k / n + R.uniform(0, 5), pick([("shiplist", 2), ("shipget", 6), ("shipevpost", 3),
                                                              ("shipupd", 2)]))
        if d < 0:
            continue
        # weekly reconciliation on Mondays at 05:00 local
        if wd == 0:
            a = local_ts(d, 5, 0, tz)
            for k in range(t["nightly"] * 2):
                call(a + R.uniform(0, 1200), pick([("invlist", 2), ("invget", 5), ("shiplist", 1)]))
        # quarter end: last business day (Wed 30 June), 20:00 local, 5-20x nightly volume
        if (START + dt.timedelta(days=d)).strftime("%m-%d") == "06-30":
            a = local_ts(d, 20, 0, tz)
            m = int(t["nightly"] * R.uniform(5, 20))
            dur = R.uniform(1800, 3600)
            for k in range(m):
                call(a + dur * k / m + R.uniform(0, 3), pick([("shipget", 5), ("invget", 3), ("invlist", 1),
                                                               ("shipev", 2)]))
        # daytime trickle on weekdays
        if wd < 5:
            for k in range(max(1, int(t["day"] * R.uniform(0.6, 1.4)))):
                call(local_ts(d, 8, 0, tz) + R.uniform(0, 10 * HOUR),
                     pick([("shipget", 5), ("shipcreate", 2), ("shipev", 2), ("invget", 1)]))


def gen_ci(tk, until=S_END):
    t = TOKENS[tk]
    tz = t["tz"]
    for d in range(DAYS):
        if weekday(d) >= 5:
            continue
        for b in range(max(0, t["builds"] + R.randrange(-1, 3))):
            x = local_ts(d, 9, 0, tz) + R.uniform(0, 9 * HOUR)
            if x >= until:
                continue
            ip = rand_ip("aws_use1")
            ev(x, "gw", ("bearer", t["raw"]), "deploy", 201, ip, tk)
            for k in range(R.randrange(8, 35)):
                x += R.uniform(4, 15)
                ev(x, "gw", ("bearer", t["raw"]), pick([("deployget", 8), ("config", 2)]), ok_status(), ip, tk)


def gen_low(tk, start_day=0, until=S_END):
    t = TOKENS[tk]
    for w in range(2):
        for k in range(t["perweek"]):
            d = w * 7 + R.randrange(0, 5)
            if d < start_day:
                continue
            x = local_ts(d, 9, 0, t["tz"]) + R.uniform(0, 8 * HOUR)
            if x >= until:
                continue
            for j in range(R.randrange(1, 4)):
                ev(x + j * R.uniform(1, 20), "gw", ("key", t["raw"]), t["route"], ok_status(), t["addr"], tk)


def user_addr(info, d):
    if info["travel"] and info["travel"][0] <= d < info["travel"][0] + 3:
        return info.setdefault("hotel_%d" % info["travel"][0], rand_ip(info["travel"][1]))
    if weekday(d) in info["officedays"]:
        return OFFICE_IP[info["office"]]
    return info["home"]


def gen_user(uid, skip=()):
    info = USERS_INFO[uid]
    tz = info["tz"]
    scope, routes = ROLES[info["role"]]
    for d in range(DAYS):
        if d in skip:
            continue
        wd = weekday(d)
        if info["vacation"] and 7 <= d <= 11:
            continue
        sessions = []
        if wd < 5:
            s = info["start"] + R.uniform(-0.5, 0.5)
            e = s + info["length"] + R.uniform(-0.7, 0.7)
            sessions.append((s, e, info["rate"], user_addr(info, d)))
            if info["evening"] and R.random() < 0.35:
                h = R.uniform(19.5, 21.5)
                sessions.append((h, h + 0.3, 8, info["home"] if R.random() < 0.7 else rand_ip(info["mobile"])))
        elif R.random() < 0.12:
            h = R.uniform(10, 17)
            sessions.append((h, h + 0.5, 6, info["home"]))
        for (s, e, rate, addr) in sessions:
            a = local_ts(d, 0, 0, tz) + s * HOUR
            b = local_ts(d, 0, 0, tz) + e * HOUR
            x = a
            cur = None
            while x < b:
                if cur is None or x >= cur[1] - 60:
                    tk, raw, _ = mint_user_jwt(uid, int(x))
                    cur = (raw, int(x) + 3600, tk)
                    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=False, days=set())
                r = R.choice(routes)
                st = ok_status()
                if r in ("admusers", "admtenant") and R.random() < 0.1:
                    st = 200
                ev(x, "gw", ("bearer", cur[0]), r, st, addr, cur[2])
                USER_DAYS.add((uid, int((x - S0) // DAY)))
                if R.random() < 0.06:
                    x += R.uniform(900, 2700)    # meeting
                x += max(5, R.expovariate(rate / HOUR))


def gen_mesh():
    for s in MESH:
        gap = R.uniform(240, 600)
        x = S0 + R.uniform(0, gap)
        iat = S0 - R.randrange(0, 6 * HOUR)
        tk, raw, _ = mint_mesh_jwt(s, iat)
        TOKENS[tk] = dict(kind="meshjwt", owner=s, raw=None, injected=False, days=set())
        r = R.choice(["plan", "ledger", "eta", "stock"])
        while x < S_END:
            if x > iat + 11 * HOUR:
                iat = int(x)
                tk, raw, _ = mint_mesh_jwt(s, iat)
                TOKENS[tk] = dict(kind="meshjwt", owner=s, raw=None, injected=False, days=set())
            ev(x, "grpc", ("meta", raw), r, grpc_ok(), None, tk, peer=MESH_POD[s])
            x += max(10, R.expovariate(1.0 / gap))


# ---------------------------------------------------------------- injections
LABELS = []


def label(typ, tokey=None, client=None, t0=None, t1=None, note=""):
    LABELS.append(dict(type=typ, tokey=tokey, client=client, start=int(t0), end=int(t1), note=note))


def inj_day(lo=5, hi=13):
    return R.randrange(lo, hi + 1)


def mark(tk):
    TOKENS[tk]["injected"] = True


def attack_ip(kind=None):
    return rand_ip(kind or R.choice(ATTACK_VPS))


INJ = {}   # shared picks
pool_scn = [s for s in scanners if TOKENS[s]["site"] != "poz"]
pool_scn_poz = [s for s in scanners if TOKENS[s]["site"] == "poz"]
R.shuffle(pool_scn)
R.shuffle(carriers)
R.shuffle(telem)
R.shuffle(lowrate)
R.shuffle(users)
used = set()


def take(pool):
    for x in pool:
        if x not in used:
            used.add(x)
            return x
    raise RuntimeError("pool empty")


def wkday(d):
    while weekday(d) >= 5:
        d += 1
    if d > 13:
        d = 11
    return d


def workday_at(tk, d, hh, tz):
    d = wkday(d)
    return local_ts(d, hh, R.randrange(0, 50), tz), d


# 1. new_resource: scanners and others suddenly calling other routes (successful)
for k in range(8):
    tk = take(pool_scn if k < 5 else (carriers if k < 7 else telem))
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    if t["kind"] == "scanner":
        hh = 9 if t["shift"] == "early" else 16
        x, d = workday_at(tk, d, hh, t["tz"])
        r = ["rates", "contracts", "custget", "rates", "contracts"][k]
        n = R.randrange(5, 20)
        for j in range(n):
            ev(x + j * R.uniform(20, 90), "gw", ("key", t["raw"]), r, 200, t["nat"], tk, tag="inj")
        label("new_resource", tk, None, x, x + n * 90, "scanner key calls %s" % r)
    elif t["kind"] == "carrier":
        x, d = workday_at(tk, d, 11, t["tz"])
        n = R.randrange(6, 15)
        for j in range(n):
            ev(x + j * 40, "alog" if t["portal"] else "gw", ("bearer", t["raw"]) if t["bearer"] else ("key", t["raw"]),
               "contracts", 200, t["addrs"][0], tk, tag="inj")
        label("new_resource", tk, None, x, x + n * 40, "carrier key pulls customer contracts")
    else:
        x = S0 + d * DAY + R.randrange(0, DAY)
        n = R.randrange(5, 12)
        for j in range(n):
            ev(x + j * 30, "grpc", ("metakey", t["raw"]), "tel_fw", 0, None, tk, peer=t["addr"], tag="inj")
        label("new_resource", tk, None, x, x + n * 30, "telematics key downloads firmware images")

# 2. scope_violation (+ new_resource, governed): scanner key pulls exports / invoices / admin
for k in range(6):
    tk = take(pool_scn)
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    hh = 10 if t["shift"] == "early" else 17
    x, d = workday_at(tk, d, hh, t["tz"])
    r = ["export", "invlist", "admusers", "export", "invget", "admtenant"][k]
    st = 200 if k % 2 == 0 else 403
    n = R.randrange(4, 9)
    for j in range(n):
        ev(x + j * R.uniform(15, 60), "gw", ("key", t["raw"]), r, st, t["nat"], tk, tag="inj")
    label("scope_violation", tk, None, x, x + n * 60, "scanner key calls %s (status %d)" % (r, st))
    if st == 200:
        label("new_resource", tk, None, x, x + n * 60, "scanner key calls governed %s" % r)
    else:
        label("denied_access", tk, None, x, x + n * 60, "scanner key refused %d times" % n) if n >= 5 else None

# 3. rate_surge
for k in range(9):
    kind = ["scn", "scn", "scn", "car", "car", "low", "low", "low", "tel"][k]
    tk = take({"scn": pool_scn, "car": carriers, "low": lowrate, "tel": telem}[kind])
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    if kind == "scn":
        hh = 8 if t["shift"] == "early" else 16
        x, d = workday_at(tk, d, hh, t["tz"])
        rate_h = 3600.0 / t["gap"]
        mult = R.uniform(15, 50)
        dur = R.uniform(1800, 3000)
        n = int(rate_h * mult * dur / 3600)
        for j in range(n):
            ev(x + dur * j / n, "gw", ("key", t["raw"]), pick([("scan", 7), ("itemget", 3)]), 200, t["nat"], tk, tag="inj")
    elif kind == "car":
        x, d = workday_at(tk, R.choice([7, 8]), 14, t["tz"])
        dur = R.uniform(1800, 2400)
        n = t["nightly"] * 12
        for j in range(n):
            ev(x + dur * j / n, "alog" if t["portal"] else "gw",
               ("bearer", t["raw"]) if t["bearer"] else ("key", t["raw"]), "shipget", 200, t["addrs"][0], tk, tag="inj")
    elif kind == "low":
        x, d = workday_at(tk, d, 13, t["tz"])
        dur = R.uniform(1800, 2700)
        n = R.randrange(250, 600)
        for j in range(n):
            ev(x + dur * j / n, "gw", ("key", t["raw"]), t["route"], 200, t["addr"], tk, tag="inj")
    else:
        x = S0 + d * DAY + R.randrange(0, DAY)
        dur = 3000
        n = int(3600.0 / t["gap"] * 40 * dur / 3600) + 30
        for j in range(n):
            ev(x + dur * j / n, "grpc", ("metakey", t["raw"]), "tel_report", 0, None, tk, peer=t["addr"], tag="inj")
    label("rate_surge", tk, None, x, x + dur, "%s token: %d calls in %d min" % (kind, n, dur // 60))

# 4. off_hours (learned): scanners at 01:00-02:30 local; (policy) poz scanners at 02:00
for k in range(6):
    tk = take(pool_scn)
    mark(tk)
    t = TOKENS[tk]
    d = wkday(inj_day())
    x = local_ts(d, 1, R.randrange(0, 60), t["tz"])
    n = R.randrange(6, 14)
    for j in range(n):
        ev(x + j * R.uniform(60, 200), "gw", ("key", t["raw"]), "scan", 200, t["nat"], tk, tag="inj")
    label("off_hours", tk, None, x, x + n * 200, "shift scanner (%s shift) used at 01:xx local" % t["shift"])
for k in range(6):
    tk = take(pool_scn_poz)
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    x = local_ts(d, 2, R.randrange(0, 50), t["tz"])
    n = R.randrange(3, 8)
    for j in range(n):
        ev(x + j * 120, "gw", ("key", t["raw"]), "itemloc", 200, t["nat"], tk, tag="inj")
    label("off_hours", tk, None, x, x + n * 120, "poz scanner (policy hours 06-22 mon-sat) used at 02:xx")

# 5. new_client_address
for k in range(8):
    kind = ["car", "car", "car", "low", "low", "tel", "tel", "car"][k]
    tk = take({"car": carriers, "low": lowrate, "tel": telem}[kind])
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    ip = attack_ip(ATTACK_RES[k % 3] if k in (3, 7) else None)
    x = S0 + d * DAY + R.randrange(8 * HOUR, 20 * HOUR)
    n = R.randrange(8, 30)
    for j in range(n):
        if kind == "tel":
            ev(x + j * 45, "grpc", ("metakey", t["raw"]), "tel_report", 0, None, tk, peer=ip, tag="inj")
        elif kind == "car":
            ev(x + j * 45, "alog" if t["portal"] else "gw", ("bearer", t["raw"]) if t["bearer"] else ("key", t["raw"]),
               "shipget", 200, ip, tk, tag="inj")
        else:
            ev(x + j * 45, "gw", ("key", t["raw"]), t["route"], 200, ip, tk, tag="inj")
    label("new_client_address", tk, None, x, x + n * 45, "%s key used from %s" % (kind, ip))

# 6. multi_address
for k in range(6):
    kind = ["car", "tel", "low", "car", "low", "tel"][k]
    tk = take({"car": carriers, "low": lowrate, "tel": telem}[kind])
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    x = S0 + d * DAY + R.randrange(0, DAY)
    nets = R.randrange(5, 9)
    ips = [attack_ip(R.choice(ATTACK_VPS + ATTACK_RES)) for _ in range(nets)]
    j = 0
    for rep in range(3):
        for ip in ips:
            y = x + j * R.uniform(8, 20)
            j += 1
            if kind == "tel":
                ev(y, "grpc", ("metakey", t["raw"]), "tel_report", 0, None, tk, peer=ip, tag="inj")
            elif kind == "car":
                ev(y, "alog" if t["portal"] else "gw", ("bearer", t["raw"]) if t["bearer"] else ("key", t["raw"]),
                   "shipget", 200, ip, tk, tag="inj")
            else:
                ev(y, "gw", ("key", t["raw"]), t["route"], 200, ip, tk, tag="inj")
    label("multi_address", tk, None, x, x + j * 20, "%s key from %d networks within minutes" % (kind, nets))

# 7. credential_stuffing: one address cycling through keys / Basic passwords, all 401
for k in range(7):
    ip = attack_ip()
    d = inj_day()
    x = S0 + d * DAY + R.randrange(0, DAY)
    n = R.randrange(12, 60)
    chan = "alog" if k % 2 else "gw"
    for j in range(n):
        if k == 6:
            auth = ("basic", R.choice(["carrier-%03d" % q for q in range(110)]), rstr(10))
        elif j % 7 == 3:
            auth = ("key", TOKENS[R.choice(carriers)]["raw"][:-4] + rstr(4))   # near-miss of a real key
        else:
            auth = ("key", "lgx_live_" + rstr(32))
        if auth[0] == "key":
            SECRETS.append(auth[1])
        else:
            SECRETS.append(auth[2])
        ev(x + j * R.uniform(3, 12), chan, auth, "shiplist", 401, ip, None, tag="inj")
    label("credential_stuffing", None, ip, x, x + n * 12, "%d distinct credentials from %s, all 401" % (n, ip))

# 8. failed_attempts: one credential refused again and again
for k in range(7):
    kind = ["scn", "ci", "car", "scn", "low", "ci", "car"][k]
    tk = take({"scn": pool_scn, "ci": ci, "car": carriers, "low": lowrate}[kind])
    mark(tk)
    t = TOKENS[tk]
    d = inj_day()
    x = S0 + d * DAY + R.randrange(6 * HOUR, 20 * HOUR)
    ip = attack_ip() if k % 2 == 0 else (t.get("nat") or (t.get("addrs") or [None])[0] or t.get("addr") or rand_ip("aws_use1"))
    n = R.randrange(12, 30)
    auth = ("bearer", t["raw"]) if kind == "ci" else ("key", t["raw"])
    for j in range(n):
        ev(x + j * R.uniform(5, 12), "gw", auth, "shipget" if kind != "ci" else "deploy", 401, ip, tk, tag="inj")
    label("failed_attempts", tk, None, x, x + n * 12, "%s key refused 401 x%d in minutes from %s" % (kind, n, ip))
    if kind == "scn" and k % 2 == 0:
        label("disallowed_network", tk, None, x, x + n * 12, "site scanner key tried from VPS %s" % ip)

# 9. denied_access: office users enumerating admin / exports (403), governed -> scope_violation too
for k in range(7):
    uid = take([u for u in users if USERS_INFO[u]["role"] in ("dispatcher", "finance")])
    info = USERS_INFO[uid]
    d = inj_day()
    x, d = workday_at(uid, d, 14, info["tz"])
    tk, raw, _ = mint_user_jwt(uid, int(x) - 300)
    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    n = R.randrange(8, 20)
    rs = ["admusers", "admtenant", "admkeys", "export", "exportpost"]
    for j in range(n):
        ev(x + j * R.uniform(20, 60), "gw", ("bearer", raw), R.choice(rs), 403, user_addr(info, d), tk, tag="inj")
    label("denied_access", tk, None, x, x + n * 60, "user %s refused 403 x%d on admin/export" % (uid, n))
    label("scope_violation", tk, None, x, x + n * 60, "user without admin/export scope")

# 10. restricted_resource: ops users not on the admin list deleting tenants
ops = [u for u in users if USERS_INFO[u]["role"] == "ops" and u not in RESTRICTED_ADMINS]
for k in range(6):
    uid = ops[k % len(ops)]
    info = USERS_INFO[uid]
    d = inj_day()
    x, d = workday_at(uid, d, 11, info["tz"])
    tk, raw, _ = mint_user_jwt(uid, int(x) - 120)
    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    for j in range(2):
        ev(x + j * 30, "gw", ("bearer", raw), "admdel", 200, user_addr(info, d), tk, tag="inj")
    label("restricted_resource", tk, None, x, x + 60, "ops user %s deletes a tenant (restricted)" % uid)

# 11. disallowed_network: scanner keys outside their site, CI from DigitalOcean, mesh JWT from internet
for k in range(7):
    kind = ["scn", "scn", "scn", "ci", "ci", "mesh", "mesh"][k]
    d = inj_day()
    if kind == "scn":
        tk = take(pool_scn)
        t = TOKENS[tk]
        x, d = workday_at(tk, d, 10 if t["shift"] == "early" else 17, t["tz"])
        ip = rand_ip("comcast_res") if k == 0 else attack_ip()
        for j in range(5):
            ev(x + j * 60, "gw", ("key", t["raw"]), "scan", 200, ip, tk, tag="inj")
        label("disallowed_network", tk, None, x, x + 300, "site scanner key used from %s" % ip)
        if k > 0:
            label("new_client_address", tk, None, x, x + 300, "site scanner key used from VPS %s" % ip)
    elif kind == "ci":
        tk = take(ci)
        t = TOKENS[tk]
        x, d = workday_at(tk, d, 12, t["tz"])
        ip = attack_ip("digitalocean")
        for j in range(6):
            ev(x + j * 20, "gw", ("bearer", t["raw"]), pick([("deploy", 1), ("config", 2)]), 201, ip, tk, tag="inj")
        label("disallowed_network", tk, None, x, x + 120, "CI token used from DigitalOcean %s" % ip)
    else:
        svc = R.choice(MESH)
        x = S0 + d * DAY + R.randrange(0, DAY)
        tk, raw, _ = mint_mesh_jwt(svc, int(x) - 600)
        TOKENS[tk] = dict(kind="meshjwt", owner=svc, raw=None, injected=True, days=set())
        FP_INPUT.append((tk, raw))
        ip = attack_ip()
        for j in range(5):
            ev(x + j * 30, "gw", ("bearer", raw), "shiplist", 200, ip, tk, tag="inj")
        label("disallowed_network", tk, None, x, x + 150, "mesh service JWT (%s) used from internet %s" % (svc, ip))
    mark(tk)

# 12. expiring_soon / expired_token (registry lifetimes)
EXPIRY_OVERRIDE = {}
for k in range(6):
    tk = take(carriers)
    mark(tk)
    t = TOKENS[tk]
    exp = S0 + R.randrange(11 * DAY, 13 * DAY)
    EXPIRY_OVERRIDE[tk] = exp
    label("expiring_soon", tk, None, exp - 7 * DAY, exp, "registry expires_at %s, in daily use" % iso(exp))
    if k < 3:
        t["status_after"] = (exp, 401)
        label("expired_token", tk, None, exp, S_END, "used (401) after registry expiry %s" % iso(exp))
        label("failed_attempts", tk, None, exp, S_END, "nightly job keeps sending the expired key (401)")
    else:
        t["until"] = exp - 600

# 13. JWT-borne types
for k in range(6):   # expired user JWT replayed from a VPS
    uid = take(users)
    info = USERS_INFO[uid]
    d = inj_day()
    x, d = workday_at(uid, d, 10, info["tz"])
    tk, raw, _ = mint_user_jwt(uid, int(x))
    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    ev(x + 60, "gw", ("bearer", raw), "shiplist", 200, user_addr(info, d), tk, tag="inj")
    y = x + 3600 + R.randrange(2 * HOUR, 20 * HOUR)
    ip = attack_ip()
    for j in range(R.randrange(3, 7)):
        ev(y + j * 40, "gw", ("bearer", raw), "shipget", 401 if k < 3 else 200, ip, tk, tag="inj")
    label("expired_token", tk, None, y, y + 300, "user %s JWT replayed %dh after exp from %s" % (uid, (y - x) // 3600, ip))
for k in range(3):   # mesh JWT accepted after exp
    svc = MESH[k]
    d = inj_day()
    x = S0 + d * DAY + R.randrange(0, DAY)
    tk, raw, _ = mint_mesh_jwt(svc, int(x) - 14 * HOUR)
    TOKENS[tk] = dict(kind="meshjwt", owner=svc, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    for j in range(4):
        ev(x + j * 50, "grpc", ("meta", raw), "plan", 0, None, tk, peer=MESH_POD[svc], tag="inj")
    label("expired_token", tk, None, x, x + 200, "mesh JWT of %s used 2h after exp, accepted" % svc)
for k in range(6):   # not yet valid
    uid = take(users)
    info = USERS_INFO[uid]
    d = inj_day()
    x, d = workday_at(uid, d, 11, info["tz"])
    tk, raw, _ = mint_user_jwt(uid, int(x) + 2 * HOUR)
    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    for j in range(3):
        ev(x + j * 60, "gw", ("bearer", raw), "shipget", 200, user_addr(info, d), tk, tag="inj")
    label("not_yet_valid_token", tk, None, x, x + 180, "JWT with iat/nbf 2h in the future")
for k in range(6):   # invalid signature: scope escalated
    uid = take(users)
    info = USERS_INFO[uid]
    d = inj_day()
    x = S0 + d * DAY + R.randrange(0, DAY)
    tk0, raw0, jti = mint_user_jwt(uid, int(x) - 600)
    h, p, s = raw0.split(".")
    cl = json.loads(base64.urlsafe_b64decode(p + "=="))
    cl["scope"] = "admin export shipments:read"
    if k >= 3:
        forged = jwt(cl, FORGE_SECRET, "corp")
    else:
        forged = h + "." + b64u(json.dumps(cl, separators=(",", ":")).encode()) + "." + s
    tk = "forged:%d" % k
    TOKENS[tk] = dict(kind="forged", owner=uid, raw=forged, injected=True, days=set())
    SECRETS.append(forged)
    FP_INPUT.append((tk, forged))
    ip = attack_ip()
    for j in range(4):
        ev(x + j * 30, "gw", ("bearer", forged), R.choice(["admusers", "export"]), 403 if j % 2 else 200, ip, tk, tag="inj")
    label("invalid_signature", tk, None, x, x + 120, "JWT of %s with scope edited to admin" % uid)
for k in range(6):   # malformed
    d = inj_day()
    x = S0 + d * DAY + R.randrange(0, DAY)
    bad = ["eyJhbGciOiJIUzI1NiJ9.%s.%s.%s" % (rstr(20), rstr(10), rstr(10)),
           "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30K!!%s.%s" % (rstr(8), rstr(20)),
           "eyJub3QganNvbn0.eyJzdWIiOiJ4In0.%s" % rstr(43),
           "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjEsImV4cCI6Im5ldmVyIn0.%s" % rstr(43),
           "eyJhbGciOiJIUzI1NiJ9.%%%%%%.%s" % rstr(30),
           "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.%s.%s.%s" % (rstr(20), rstr(5), rstr(5))][k]
    tk = "malformed:%d" % k
    TOKENS[tk] = dict(kind="malformed", owner=None, raw=bad, injected=True, days=set())
    SECRETS.append(bad)
    FP_INPUT.append((tk, bad))
    ip = rand_ip(R.choice(["comcast_res", "dtag_res"])) if k % 2 else attack_ip()
    for j in range(3):
        ev(x + j * 20, "gw", ("bearer", bad), "shiplist", 401, ip, tk, tag="inj")
    label("malformed_token", tk, None, x, x + 60, "unparseable bearer JWT")

# 14. unknown_token: unregistered keys served by the legacy portal
for k in range(6):
    tk = "shadow-%d" % k
    raw = new_key(tk, "lgx_live_", "shadow", None)
    TOKENS[tk]["injected"] = True
    d = inj_day()
    x = S0 + d * DAY + R.randrange(8 * HOUR, 18 * HOUR)
    ip = rand_ip(R.choice(["lumen", "comcast_biz", "aws_use1"])) if k < 4 else attack_ip()
    n = R.randrange(5, 20)
    for j in range(n):
        ev(x + j * 50, "alog" if k % 2 else "gw", ("key", raw), "shiplist" if j % 3 else "shipget",
           403 if k == 5 else 200, ip, tk, tag="inj")
    label("unknown_token", tk, None, x, x + n * 50, "unregistered key served (%s)" % ("403" if k == 5 else "200"))

# 15. revoked_token: revoked keys (by id) and JWTs (by jti)
REVOKED_TOKEYS = []
REVOKED_JTI = []
for k in range(6):
    d = inj_day()
    x = S0 + d * DAY + R.randrange(6 * HOUR, 20 * HOUR)
    if k < 3:
        tk = "oldkey-%d" % k
        raw = new_key(tk, "lgx_live_", "revokedkey", "carrier-%03d" % R.randrange(110))
        TOKENS[tk]["injected"] = True
        REVOKED_TOKEYS.append(tk)
        ip = attack_ip()
        for j in range(R.randrange(3, 10)):
            ev(x + j * 40, "alog" if k else "gw", ("key", raw), "shiplist", 200 if k < 2 else 401, ip, tk, tag="inj")
        label("revoked_token", tk, None, x, x + 400, "revoked carrier key used from %s" % ip)
    else:
        uid = take(users)
        info = USERS_INFO[uid]
        tk, raw, jti = mint_user_jwt(uid, int(x) - 900)
        TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
        FP_INPUT.append((tk, raw))
        REVOKED_JTI.append(jti)
        ip = attack_ip()
        for j in range(4):
            ev(x + j * 40, "gw", ("bearer", raw), "shipget", 200, ip, tk, tag="inj")
        label("revoked_token", tk, None, x, x + 160, "revoked (jti) JWT of %s used from %s" % (uid, ip))

# 16. exposed_credential
for k in range(8):
    d = inj_day()
    x = S0 + d * DAY + R.randrange(8 * HOUR, 18 * HOUR)
    if k < 2:    # api_key= in the logged query of the portal
        tk = take([c for c in carriers if TOKENS[c]["portal"]])
        t = TOKENS[tk]
        ev(x, "alog", None, "shipget", 200, t["addrs"][0], tk, extra={"query": "api_key=" + t["raw"] + "&page=2"}, tag="inj")
        label("exposed_credential", tk, None, x, x + 1, "key in url.query of access log")
    elif k < 4:  # application log line with bearer JWT
        uid = take(users)
        tk, raw, _ = mint_user_jwt(uid, int(x) - 300)
        TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
        FP_INPUT.append((tk, raw))
        ev(x, "applog", None, None, None, None, tk,
           extra={"body": "upstream retry failed; request headers: Authorization: Bearer %s (attempt 3)" % raw}, tag="inj")
        label("exposed_credential", tk, None, x, x + 1, "user JWT printed in an application log line")
    elif k < 6:  # exception message containing url with api_key
        tk = take(telem if k == 4 else lowrate)
        t = TOKENS[tk]
        ev(x, "gw", ("key", t["raw"]) if t["kind"] == "lowrate" else ("key", t["raw"]), "shipget", 500,
           t.get("addr"), tk, extra={"exc": "HTTPError: 502 from https://edi.partner.example/push?api_key=%s&id=77" % t["raw"]},
           tag="inj")
        label("exposed_credential", tk, None, x, x + 1, "key inside exception.message URL")
    else:        # client span url.full with access_token=
        svc = MESH[5 + k]
        tk, raw, _ = mint_mesh_jwt(svc, int(x) - 600)
        TOKENS[tk] = dict(kind="meshjwt", owner=svc, raw=None, injected=True, days=set())
        FP_INPUT.append((tk, raw))
        ev(x, "client", None, None, 200, None, tk,
           extra={"url": "https://carrier-gw.example.net/v2/track?access_token=%s&ref=99" % raw}, tag="inj")
        label("exposed_credential", tk, None, x, x + 1, "service JWT in url.full of an outgoing call")
    mark(tk)

# 17. registry lifecycle: stale, resurrected, unused scopes, excessive lifetime
for k in range(6):
    tk = "stale-%d" % k
    new_key(tk, "lgx_live_", "stale", "partner-%03d" % (200 + k))
    TOKENS[tk]["injected"] = True
    c = S0 - R.randrange(250 * DAY, 330 * DAY)
    register(tk, "partner-%03d" % (200 + k), ["shipments:read"], c, c + 365 * DAY, S0 - R.randrange(100 * DAY, 200 * DAY))
    label("stale_token", tk, None, S0, S_END, "registered, last used >90d ago, never seen")
for k in range(6):
    tk = "dormant-%d" % k
    raw = new_key(tk, "lgx_live_", "dormant", "partner-%03d" % (210 + k))
    TOKENS[tk]["injected"] = True
    c = S0 - R.randrange(200 * DAY, 300 * DAY)
    d = inj_day()
    x = S0 + d * DAY + R.randrange(8 * HOUR, 18 * HOUR)
    register(tk, "partner-%03d" % (210 + k), ["shipments:read"], c, c + 365 * DAY, S0 - R.randrange(40 * DAY, 80 * DAY))
    ip = rand_ip("comcast_res") if k < 3 else attack_ip()
    for j in range(R.randrange(3, 8)):
        ev(x + j * 30, "gw", ("key", raw), "shiplist", 200, ip, tk, tag="inj")
    label("resurrected_token", tk, None, x, x + 240, "idle 40-80 days (registry last_used_at), used again")
UNUSED = []
for k in range(6):
    tk = take(carriers)
    mark(tk)
    UNUSED.append(tk)
    label("unused_scopes", tk, None, S0 + 8 * DAY, S_END, "holds admin+export scopes, never uses them")
LONGLIFE = []
for k in range(6):
    tk = "longlife-%d" % k
    raw = new_key(tk, "lgx_live_", "carrier", "carrier-new-%d" % k, tz=R.choice(CARRIER_TZ),
                  addrs=[rand_ip(R.choice(CARRIER_HOSTS))], nightly=R.randrange(20, 60), day=8, portal=False,
                  bearer=True)
    TOKENS[tk]["injected"] = True
    LONGLIFE.append(tk)
    first = inj_day(5, 11)
    c = S0 + (first - 1) * DAY
    register(tk, "carrier-new-%d" % k, ["shipments:read", "shipments:write", "billing:read"], c, c + 3 * 365 * DAY, "never")
    TOKENS[tk]["first_day"] = first
    label("excessive_lifetime", tk, None, S0 + first * DAY, S_END, "registered lifetime 3 years")

# 18. combined: scanner key at 01-02 local from a VPS calling exports (off_hours + new address + new resource)
for k in range(6):
    tk = take(pool_scn)
    mark(tk)
    t = TOKENS[tk]
    d = wkday(inj_day())
    x = local_ts(d, 1, R.randrange(0, 50), t["tz"])
    ip = attack_ip()
    n = R.randrange(10, 25)
    for j in range(n):
        ev(x + j * R.uniform(30, 90), "gw", ("key", t["raw"]), R.choice(["rates", "contracts", "custget"]), 200, ip, tk, tag="inj")
    for typ in ("combined_findings", "off_hours", "new_client_address", "new_resource", "disallowed_network"):
        label(typ, tk, None, x, x + n * 90, "takeover: scanner key at 01:xx local from VPS %s pulling customer data" % ip)

# 19. office users: 03:00 local use, stolen session from a VPS, scraping surge (fresh hourly JWTs: owner history)
def user_inj(uid, x, n, gap, route_choices, addr, typ, note):
    tk, raw, _ = mint_user_jwt(uid, int(x) - 120)
    TOKENS[tk] = dict(kind="userjwt", owner=uid, raw=None, injected=True, days=set())
    FP_INPUT.append((tk, raw))
    for j in range(n):
        ev(x + j * gap, "gw", ("bearer", raw), R.choice(route_choices), 200, addr, tk, tag="inj")
    label(typ, tk, None, x, x + n * gap, note)
    return tk


for k in range(4):
    uid = take([u for u in users if not USERS_INFO[u]["vacation"] and USERS_INFO[u]["role"] == "dispatcher"])
    info = USERS_INFO[uid]
    d = wkday(inj_day())
    x = local_ts(d, 3, R.randrange(0, 40), info["tz"])
    user_inj(uid, x, R.randrange(6, 12), R.uniform(60, 240), ROLES[info["role"]][1][:4], info["home"], "off_hours",
             "user %s (day ~%.0f-%.0fh local) active at 03:xx local from home" % (uid, info["start"], info["start"] + info["length"]))
for k in range(3):
    uid = take([u for u in users if not USERS_INFO[u]["vacation"]])
    info = USERS_INFO[uid]
    x, d = workday_at(uid, inj_day(), 15, info["tz"])
    ip = attack_ip()
    user_inj(uid, x, R.randrange(8, 20), R.uniform(20, 60), ROLES[info["role"]][1][:3], ip, "new_client_address",
             "user %s session token replayed from VPS %s during the day" % (uid, ip))
for k in range(3):
    uid = take([u for u in users if not USERS_INFO[u]["vacation"]])
    info = USERS_INFO[uid]
    x, d = workday_at(uid, inj_day(), 11, info["tz"])
    user_inj(uid, x, R.randrange(300, 500), R.uniform(2.5, 4), ["shipget", "shiplist"], user_addr(info, d), "rate_surge",
             "user %s JWT scraping shipments: hundreds of calls in ~20 min (normal ~%.0f/h)" % (uid, info["rate"]))

# 20. young tokens (new integrations first seen days 5-11): misuse two days after first use
for k in range(4):
    tk = LONGLIFE[k]
    t = TOKENS[tk]
    d = t["first_day"] + 2
    x = local_ts(d, 13, R.randrange(0, 50), t["tz"])
    if k < 2:
        ip = attack_ip()
        for j in range(12):
            ev(x + j * 40, "gw", ("bearer", t["raw"]), "shipget", 200, ip, tk, tag="inj")
        label("new_client_address", tk, None, x, x + 480, "2-day-old integration key used from VPS %s" % ip)
    else:
        n = R.randrange(400, 600)
        for j in range(n):
            ev(x + j * 5, "gw", ("bearer", t["raw"]), "shipget", 200, t["addrs"][0], tk, tag="inj")
        label("rate_surge", tk, None, x, x + n * 5, "2-day-old integration key: %d calls in %d min at 13:00" % (n, n * 5 // 60))

# ---------------------------------------------------------------- generate clean traffic
for tk in scanners:
    gen_scanner(tk, skip_days=range(7, 12) if R.random() < 0.03 else ())
for tk in telem:
    gen_telem(tk)
for tk in carriers:
    t = TOKENS[tk]
    gen_carrier(tk, until=t.get("until", S_END), status_after=t.get("status_after"))
for tk in LONGLIFE:
    t = TOKENS[tk]
    first = t["first_day"]
    # new integration: daytime + nightly from first day on
    for d in range(first, DAYS):
        for k in range(t["nightly"]):
            ev(local_ts(d + 1, 2, 0, t["tz"]) + k * 10, "gw", ("bearer", t["raw"]), "shipget", 200, t["addrs"][0], tk, tag="lifeuse")
        for k in range(8):
            ev(local_ts(d, 9, 0, t["tz"]) + R.uniform(0, 8 * HOUR), "gw", ("bearer", t["raw"]), "shiplist", 200, t["addrs"][0], tk, tag="lifeuse")
for tk in ci:
    gen_ci(tk)
for tk in lowrate:
    gen_low(tk)
for uid in users:
    gen_user(uid)
gen_mesh()

# ---------------------------------------------------------------- registry overrides
for e in REGISTRY:
    tk = e["tokey"]
    if tk in EXPIRY_OVERRIDE:
        e["expires_at"] = iso(EXPIRY_OVERRIDE[tk])
        e["created_at"] = iso(EXPIRY_OVERRIDE[tk] - 365 * DAY)
    if tk in UNUSED:
        e["scopes"] = ["shipments:read", "shipments:write", "billing:read", "admin", "export"]

# ---------------------------------------------------------------- requests
if os.environ.get("WORLD_INFO"):   # explain a token: its world attributes (no effect on the generated world)
    for k in os.environ["WORLD_INFO"].split(","):
        t = TOKENS.get(k) or JWT_OWNER.get(k) or (k if k in USERS_INFO else None)
        if isinstance(t, dict):
            print(k, {a: b for a, b in t.items() if a not in ("raw", "days")})
        else:
            print(k, t, {a: (sorted(b) if isinstance(b, set) else b) for a, b in USERS_INFO.get(t, {}).items()})
    sys.exit(0)
os.makedirs(os.path.join(OUT, "req"), exist_ok=True)
EVENTS.sort(key=lambda e: e[0])


def A(k, v):
    if isinstance(v, bool):
        return {"key": k, "value": {"boolValue": v}}
    if isinstance(v, int):
        return {"key": k, "value": {"intValue": str(v)}}
    if isinstance(v, list):
        return {"key": k, "value": {"arrayValue": {"values": [{"stringValue": x} for x in v]}}}
    return {"key": k, "value": {"stringValue": v}}


def hexid(n):
    return "%0*x" % (n * 2, R.getrandbits(n * 8))


def concrete(tmpl):
    out = tmpl
    for p in ("{id}", "{name}", "{dataset}"):
        if p in out:
            v = {"{id}": str(R.randrange(10000, 9999999)), "{name}": R.choice(["routing", "pricing", "edi"]),
                 "{dataset}": R.choice(["inventory", "customers", "shipments"])}[p]
            out = out.replace(p, v)
    return out


def auth_attrs(auth, grpc):
    if auth is None:
        return []
    if grpc:
        if auth[0] == "metakey":
            return [A("rpc.grpc.request.metadata.x-api-key", [auth[1]])]
        return [A("rpc.grpc.request.metadata.authorization", ["Bearer " + auth[1]])]
    if auth[0] == "key":
        return [A("http.request.header.x-api-key", [auth[1]])]
    if auth[0] == "bearer":
        return [A("http.request.header.authorization", ["Bearer " + auth[1]])]
    if auth[0] == "basic":
        return [A("http.request.header.authorization",
                  ["Basic " + base64.b64encode(("%s:%s" % (auth[1], auth[2])).encode()).decode()])]
    raise ValueError(auth)


GW_PEERS = ["10.20.0.%d" % i for i in range(11, 15)]
SVC_OF = {"scan": "scan-api", "itemloc": "inventory-api", "itemget": "inventory-api", "locitems": "inventory-api",
          "deploy": "deploy-api", "deployget": "deploy-api", "config": "deploy-api"}


def span_for(e):
    t_ms, chan, auth, res, status, client, peer, extra, tokey, tag = e
    tns = t_ms * 1000000
    sp = {"traceId": hexid(16), "spanId": hexid(8), "startTimeUnixNano": str(tns),
          "endTimeUnixNano": str(tns + R.randrange(3, 400) * 1000000)}
    if chan == "grpc":
        svc, meth = ROUTES[res][3]
        sp["name"] = svc + "/" + meth
        sp["kind"] = 2
        at = [A("rpc.system", "grpc"), A("rpc.service", svc), A("rpc.method", meth),
              A("rpc.grpc.status_code", status), A("network.peer.address", peer),
              A("network.peer.port", R.randrange(30000, 60000)), A("server.address", "mesh.logix.internal")]
        at += auth_attrs(auth, True)
        if status != 0:
            sp["status"] = {"code": 2}
        sp["attributes"] = at
        return ("mesh" if peer.startswith("10.") else "telematics-ingest"), sp
    if chan == "client":
        sp["name"] = "GET"
        sp["kind"] = 3
        sp["attributes"] = [A("http.request.method", "GET"), A("url.full", extra["url"]),
                            A("server.address", "carrier-gw.example.net"), A("http.response.status_code", 200)]
        return "tracking-svc", sp
    kind, method, tmpl, _ = ROUTES[res]
    sp["name"] = method + " " + tmpl
    sp["kind"] = 2
    path = concrete(tmpl)
    at = [A("http.request.method", method), A("http.route", tmpl), A("url.path", path), A("url.scheme", "https"),
          A("http.response.status_code", status), A("network.peer.address", R.choice(GW_PEERS)),
          A("server.address", "api.logix-cloud.example"), A("user_agent.original", "logix-client/3.2")]
    if client:
        at.append(A("client.address", client))
    at += auth_attrs(auth, False)
    if status >= 500:
        sp["status"] = {"code": 2}
    if extra and "exc" in extra:
        sp["events"] = [{"timeUnixNano": str(tns + 1000000), "name": "exception",
                         "attributes": [A("exception.type", "HTTPError"), A("exception.message", extra["exc"])]}]
    sp["attributes"] = at
    return SVC_OF.get(res, "shipment-api"), sp


ALOG_OFF = [0]


def log_for(e):
    t_ms, chan, auth, res, status, client, peer, extra, tokey, tag = e
    tns = t_ms * 1000000
    if chan == "applog":
        return "edi-worker", {"timeUnixNano": str(tns), "observedTimeUnixNano": str(tns), "severityNumber": 13,
                              "severityText": "WARN", "body": {"stringValue": extra["body"]},
                              "attributes": [A("code.function", "push_batch")]}
    kind, method, tmpl, _ = ROUTES[res]
    ALOG_OFF[0] += R.randrange(300, 700)
    at = [A("http.request.method", method), A("url.path", concrete(tmpl)),
          A("http.response.status_code", status), A("client.address", client),
          A("server.address", "portal.logix-cloud.example"), A("user_agent.original", "carrier-edi/1.9"),
          A("log.file.path", "/var/log/nginx/portal-access.json"), A("log.file.record_offset", ALOG_OFF[0])]
    if extra and "query" in extra:
        at.append(A("url.query", extra["query"]))
    if auth:
        if auth[0] == "key":
            at.append(A("http.request.header.x-api-key", auth[1]))
        elif auth[0] == "bearer":
            at.append(A("http.request.header.authorization", "Bearer " + auth[1]))
        elif auth[0] == "basic":
            at.append(A("http.request.header.authorization",
                        "Basic " + base64.b64encode(("%s:%s" % (auth[1], auth[2])).encode()).decode()))
    body = {"kvlistValue": {"values": [
        {"key": "time", "value": {"stringValue": "%.3f" % (t_ms / 1000.0)}},
        {"key": "request_time", "value": {"doubleValue": round(R.uniform(0.002, 0.4), 3)}},
        {"key": "bytes_sent", "value": {"intValue": str(R.randrange(200, 40000))}}]}}
    return "portal-nginx", {"timeUnixNano": str(tns), "observedTimeUnixNano": str(tns + 2000000000),
                            "body": body, "attributes": at}


def traces_body(spans):
    by = {}
    for svc, sp in spans:
        by.setdefault(svc, []).append(sp)
    return {"resourceSpans": [{"resource": {"attributes": [A("service.name", s), A("deployment.environment.name", "prod")]},
                               "scopeSpans": [{"scope": {"name": "logix.instr"}, "spans": v}]} for s, v in by.items()]}


def logs_body(recs):
    by = {}
    for svc, r in recs:
        by.setdefault(svc, []).append(r)
    return {"resourceLogs": [{"resource": {"attributes": [A("service.name", s)]},
                              "scopeLogs": [{"scope": {"name": "filelog" if s == "portal-nginx" else "app"},
                                             "logRecords": v}]} for s, v in by.items()]}


# agents flush every 5 minutes of event time; ~4% of items arrive one flush late; each flush = one traces
# request mixing all span services and one logs request; ~1% of requests are sent twice
WIN = 300 * 1000
late = []
manifest = []
nreq = 0
i = 0
nE = len(EVENTS)
wstart = S0 * 1000
while i < nE or late:
    wend = wstart + WIN
    cur = late
    late = []
    while i < nE and EVENTS[i][0] < wend:
        e = EVENTS[i]
        i += 1
        if R.random() < 0.04:
            late.append(e)
        else:
            cur.append(e)
    R.shuffle(cur)
    spans = [span_for(e) for e in cur if e[1] in ("gw", "grpc", "client")]
    logs = [log_for(e) for e in cur if e[1] in ("alog", "applog")]
    for kind, items, mk in (("traces", spans, traces_body), ("logs", logs, logs_body)):
        for c0 in range(0, len(items), 1000):
            chunk = items[c0:c0 + 1000]
            fn = "r%06d.json" % nreq
            nreq += 1
            with open(os.path.join(OUT, "req", fn), "w") as f:
                f.write(json.dumps(mk(chunk), separators=(",", ":")))
            manifest.append("%s\t%s\t%d" % (fn, kind, 1 if R.random() < 0.01 else 0))
    wstart = wend
    if i >= nE and not late:
        break
with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
    f.write("\n".join(manifest) + "\n")

# ---------------------------------------------------------------- outputs
tokout = {}
for tk, t in TOKENS.items():
    tokout[tk] = dict(kind=t["kind"], owner=t.get("owner"), injected=t["injected"], days=sorted(t["days"]))
with open(os.path.join(OUT, "tokens.json"), "w") as f:
    json.dump(tokout, f)
with open(os.path.join(OUT, "labels.json"), "w") as f:
    json.dump(LABELS, f, indent=0)
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    f.write("\n".join(sorted(set(SECRETS))) + "\n")
with open(os.path.join(OUT, "fp_input.tsv"), "w") as f:
    for tk, raw in FP_INPUT:
        f.write("%s\t%s\n" % (tk, raw))
with open(os.path.join(OUT, "registry.json"), "w") as f:
    json.dump(dict(registry=REGISTRY, principal_nets=PRINCIPAL_NETS, principal_hours=PRINCIPAL_HOURS,
                   revoked_tokeys=REVOKED_TOKEYS, revoked_jti=REVOKED_JTI, scopes=SCOPES,
                   restricted_admins=RESTRICTED_ADMINS, user_days=len(USER_DAYS),
                   jwt_owner={k: v for k, v in JWT_OWNER.items()}), f)
print("events", nE, "requests", nreq, "tokens", len(TOKENS), "labels", len(LABELS), "user-days", len(USER_DAYS),
      file=sys.stderr)
