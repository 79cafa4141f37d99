#!/usr/bin/env python3
"""blind7 world: PayRail, a B2B payments platform, 9 days of event time.

usage: gen_world.py OUTDIR AUDITCTL [SEED]

Writes OUTDIR/{requests.jsonl.gz, policy.yaml, fingerprint.key, labels.jsonl,
injected_index.json, clean_stats.json, secrets.txt, principals.json, world.json}.
Deterministic for a seed (the fingerprint key is derived from the seed).
stdlib only.
"""
import base64, datetime as dt, gzip, hashlib, hmac, json, math, os, random, subprocess, sys, uuid
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

OUT = sys.argv[1]
AUDITCTL = sys.argv[2]
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 7001
R = random.Random(SEED)
os.makedirs(OUT, exist_ok=True)

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 15, tzinfo=UTC)          # Sunday 00:00 UTC
DAYS = 9                                              # Sun 15 .. Mon 23 (incl.)
T_END = T0 + dt.timedelta(days=DAYS)
NS = 10 ** 9
S0 = int(T0.timestamp())
S_END = int(T_END.timestamp())
HOURS = DAYS * 24

ISSUER = "https://auth.payrail.example/"
STAGING_ISSUER = "https://auth.staging.payrail.example/"
AUD = "https://api.payrail.example"
JWT_KID = "payrail-auth-2026"
JWT_SECRET = hashlib.sha256(b"blind7-payrail-issuer-%d" % SEED).hexdigest()   # 64 chars
FP_KEY = hashlib.sha256(b"blind7-fingerprint-key-%d" % SEED).hexdigest()

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def rs(n, alphabet=ALNUM):
    return "".join(R.choice(alphabet) for _ in range(n))

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(claims, secret=JWT_SECRET, kid=JWT_KID, alg="HS256"):
    h = {"alg": alg, "typ": "JWT", "kid": kid}
    si = b64u(json.dumps(h, separators=(",", ":")).encode()) + "." + b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), si.encode(), hashlib.sha256).digest()
    return si + "." + b64u(sig)

def iso(s):
    return dt.datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

# ---------------------------------------------------------------- tokens
TOK = []          # dicts: s (raw secret), cls, owner, fp_in, fp_hdr, need_fp
def new_tok(secret, cls, owner, fp_in=None, fp_hdr="authorization", need_fp=False, **kw):
    d = dict(s=secret, cls=cls, owner=owner, fp_in=fp_in if fp_in is not None else secret,
             fp_hdr=fp_hdr, need_fp=need_fp, idx=len(TOK))
    d.update(kw)
    TOK.append(d)
    return d

# ---------------------------------------------------------------- networks
def ip_in(prefix16, third=None, last=None):
    a, b = prefix16.split(".")[:2]
    c = third if third is not None else R.randint(0, 255)
    d = last if last is not None else R.randint(2, 250)
    return f"{a}.{b}.{c}.{d}"

CLOUD = {   # provider -> /16s (real ranges of those providers)
    "aws": ["3.80", "3.84", "3.208", "18.184", "34.224", "44.192", "52.1", "52.70", "54.144", "54.210", "52.16", "34.240", "3.248", "18.156"],
    "gcp": ["34.68", "34.73", "34.102", "35.184", "35.196", "34.140"],
    "azure": ["20.42", "20.61", "40.76", "52.142", "13.66", "20.108"],
    "do": ["159.89", "167.99", "138.68", "104.248", "164.92"],
    "hetzner": ["49.12", "78.46", "88.99", "95.216", "116.203"],
    "ovh": ["51.38", "51.68", "51.75", "51.91", "147.135"],
}
VPS = {  # attacker hosting
    "vultr": ["45.32", "45.76", "108.61", "149.28", "207.148"],
    "linode": ["172.104", "172.105", "139.162", "45.79"],
    "do": ["146.190", "137.184", "209.97"],
    "hetzner": ["65.108", "135.181", "157.90"],
    "ovh": ["51.195", "54.38", "141.94"],
    "m247": ["185.94", "193.27"],
}
ISP = {   # residential / business broadband /16s by country
    "US": ["73.14", "73.95", "24.5", "98.210", "71.172", "108.28", "99.33", "107.209", "68.45", "76.102"],
    "GB": ["81.154", "86.150", "109.152", "82.4", "90.213"],
    "DE": ["79.200", "87.150", "91.36", "93.210", "84.161"],
    "FR": ["90.45", "86.220", "78.200", "82.65"],
    "ES": ["83.44", "88.25", "79.150"],
    "SG": ["118.200", "116.86", "101.127"],
    "AU": ["101.160", "120.148", "49.180"],
    "IE": ["86.40", "89.101", "37.228"],
}
CARRIER = {  # mobile carrier CGNAT /16s
    "US": ["172.56", "172.58", "174.205", "107.77"],
    "GB": ["92.40", "82.132", "31.94"],
    "DE": ["80.187", "109.43"],
    "FR": ["37.170", "92.184"],
    "ES": ["88.28", "95.127"],
    "SG": ["111.65", "121.7"],
    "AU": ["1.128", "110.145"],
    "IE": ["188.141", "46.7"],
}
FOREIGN_RESI = ["177.37", "179.215", "189.6", "117.199", "49.37", "113.161", "14.186", "36.72", "114.125", "41.216", "197.210", "5.141", "95.104", "178.136", "46.242", "186.179", "200.87"]
TOR_EXIT = ["185.220.101", "185.220.100", "199.249.230"]
OFFICE_IPS = [f"185.57.80.{i}" for i in (10, 11, 12, 13, 14)]
VPN_IPS = [f"34.250.12.{i}" for i in (4, 5, 6, 7)]
LB_PEERS = [f"10.0.5.{i}" for i in range(10, 18)]
GW_PEERS = [f"10.0.6.{i}" for i in range(20, 26)]
REGION_TZ = {"US": ["America/New_York", "America/Chicago", "America/Los_Angeles"], "GB": ["Europe/London"],
             "DE": ["Europe/Berlin"], "FR": ["Europe/Paris"], "ES": ["Europe/Madrid"], "SG": ["Asia/Singapore"],
             "AU": ["Australia/Sydney"], "IE": ["Europe/Dublin"]}
COUNTRIES = ["US"] * 40 + ["GB"] * 12 + ["DE"] * 12 + ["FR"] * 8 + ["ES"] * 6 + ["SG"] * 6 + ["AU"] * 6 + ["IE"] * 10

def vps_ip():
    prov = R.choice(list(VPS))
    return ip_in(R.choice(VPS[prov]))

def resi_proxy_ip():
    return ip_in(R.choice(FOREIGN_RESI))

# local time tables: tz -> list over HOURS of (weekday 0=Mon, local hour)
_TZC = {}
def loc(tz):
    if tz not in _TZC:
        z = ZoneInfo(tz)
        _TZC[tz] = [((T0 + dt.timedelta(hours=h)).astimezone(z).weekday(), (T0 + dt.timedelta(hours=h)).astimezone(z).hour) for h in range(HOURS)]
    return _TZC[tz]

def poisson(lam):
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(round(R.gauss(lam, math.sqrt(lam)))))
    L = math.exp(-lam); k = 0; p = 1.0
    while True:
        p *= R.random()
        if p <= L:
            return k
        k += 1

ECOM_W = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.25, 0.45, 0.7, 0.85, 0.95, 1.0, 1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.35, 1.4, 1.25, 0.9, 0.5]
_s = sum(ECOM_W); ECOM_W = [w * 24 / _s for w in ECOM_W]
B2B_W = [0] * 7 + [0.35] + [1.2] * 10 + [0.8, 0.3] + [0] * 4
_s = sum(B2B_W); B2B_W = [w * 24 / _s for w in B2B_W]
ECOM_DAY = [1.3, 1.0, 1.0, 1.0, 1.05, 1.15, 1.05]        # Mon..Sun (Monday peak)
B2B_DAY = [1.35, 1.1, 1.05, 1.0, 0.95, 0.0, 0.0]

# ---------------------------------------------------------------- events
EV = []   # (t_ns, svc, sig, rec)
def tid():
    return "%032x" % R.getrandbits(128)
def sid():
    return "%016x" % R.getrandbits(64)

UA = {"merchant": ["payrail-python/4.2.1", "payrail-node/3.9.0", "payrail-php/2.14.3", "payrail-java/5.1.0", "WooCommerce-PayRail/1.8.2", "payrail-go/1.6.0"],
      "attacker": ["python-requests/2.31.0", "curl/8.4.0", "Go-http-client/1.1", "Mozilla/5.0 (X11; Linux x86_64)"]}

def http(t, svc, method, route, path, status, client, tok, cred_hdr, cred_val, inj=False, peer=None,
         sig="span", kind=2, query=None, ua=None, extra=None, body=None, res=None, events=None, arr=True):
    """one server request (span or access-log record). t in float seconds."""
    a = [("http.request.method", method)]
    if sig == "span":
        a.append(("http.route", route))
    a.append(("url.path", path))
    if query is not None:
        a.append(("url.query", query))
    a.append(("http.response.status_code", int(status)))
    if kind == 2:
        if client is not None:
            a.append(("client.address", client))
        a.append(("network.peer.address", peer if peer else R.choice(LB_PEERS)))
    if cred_hdr:
        v = [cred_val] if (arr and sig == "span") else cred_val
        a.append(("http.request.header." + cred_hdr, v))
    if ua:
        a.append(("user_agent.original", ua))
    if extra:
        a.extend(extra)
    rec = dict(sig=sig, kind=kind, name=f"{method} {route}", attrs=a, tok=(tok["idx"] if tok else None), inj=inj,
               status=status, body=body, res=res, events=events, dur=R.uniform(0.008, 0.35))
    EV.append((int(t * NS) + R.randint(0, 999), svc, sig, rec))

def applog(t, svc, body, tok=None, inj=False, res=None, attrs=None, sev=13):
    rec = dict(sig="log", kind=0, name=None, attrs=attrs or [], tok=(tok["idx"] if tok else None), inj=inj,
               status=None, body=body, res=res, events=None, sev=sev, applog=True)
    EV.append((int(t * NS) + R.randint(0, 999), svc, "log", rec))

LABELS = []
INJ_TOKENS = set()        # token idx used by injected events
ATTACK_ONLY = set()       # token idx used only by injected events
ATTACK_ADDR = set()
def label(typ, start, end, tok=None, addrs=None, hint=None, note="", variant=None):
    d = dict(type=typ, start=iso(int(start)), end=iso(int(math.ceil(end))), note=note)
    if variant:
        d["variant"] = variant
    if tok is not None:
        d["_tok"] = tok["idx"]
    if addrs:
        d["client_addresses"] = sorted(set(addrs))
    if hint:
        d["match_hint"] = hint
    LABELS.append(d)

def hs(day, hour=0, minute=0, sec=0.0):
    return S0 + day * 86400 + hour * 3600 + minute * 60 + sec

# ================================================================ clean population
MERCHANTS = []
shared_hosts = []
for i in range(70):   # shared-hosting servers: (ip) used by many small shops
    prov = R.choice(["ovh", "hetzner", "do", "aws", "gcp"])
    pfx = R.choice(CLOUD[prov])
    shared_hosts.append((prov, ip_in(pfx)))

def merchant_egress(kind, country):
    if kind == "cloud":
        prov = R.choices(["aws", "gcp", "azure", "do", "hetzner", "ovh"], [45, 20, 15, 8, 6, 6])[0]
        pfx = R.choice(CLOUD[prov]); third = R.randint(0, 255)
        n = R.randint(1, 3)
        ips = [ip_in(pfx, third, R.randint(2, 250)) for _ in range(n)]
        return prov, ips, [f"{pfx}.{third}.0/24"]
    if kind == "shared":
        prov, ip = R.choice(shared_hosts)
        return prov, [ip], [ip + "/32"]
    pfx = R.choice(ISP[country])
    ip = ip_in(pfx)
    return "isp", [ip], [ip + "/32"]

def mk_merchant(i, tier):
    country = R.choice(COUNTRIES)
    tz = R.choice(REGION_TZ[country])
    b2b = R.random() < (0.3 if tier == "mid" else 0.22 if tier == "small" else 0.0)
    if tier == "large":
        daily = R.uniform(700, 1800); ek = "cloud"
    elif tier == "mid":
        daily = R.uniform(50, 280); ek = R.choices(["cloud", "isp"], [80, 20])[0]
    else:
        daily = min(40, max(1.2, R.lognormvariate(math.log(7), 0.8))); ek = R.choices(["shared", "cloud", "isp"], [45, 30, 25])[0]
    prov, ips, cidrs = merchant_egress(ek, country)
    if tier == "large":
        p2, ips2, c2 = merchant_egress("cloud", country)
        ips += ips2; cidrs += c2
    scopes = ["payments:write", "payments:read"]
    if b2b:
        if R.random() < 0.5: scopes.append("settlements:read")
    else:
        if R.random() < (0.8 if tier != "small" else 0.3): scopes.append("refunds:write")
        if R.random() < 0.25: scopes.append("balance:read")
    m = dict(id=f"m_{i:05d}", tier=tier, country=country, tz=tz, b2b=b2b, daily=daily, ek=ek, prov=prov, ips=ips,
             cidrs=cidrs, allow=(ek == "cloud" and R.random() < 0.3 and tier != "small") or (ek == "isp" and tier == "mid" and R.random() < 0.2),
             ua=R.choice(UA["merchant"]))
    key = "prk_live_" + rs(32)
    created = S0 - R.randint(3, 700) * 86400 - R.randint(0, 86399)
    exp = None
    if R.random() < 0.35:
        exp = created + 365 * 86400
        if exp < S_END + 10 * 86400:      # keep clean keys clear of expiry windows
            created = S0 - R.randint(3, 300) * 86400
            exp = created + 365 * 86400
            if exp < S_END + 10 * 86400:
                exp = None
    m["key"] = new_tok(key, "merchant_key", m["id"], fp_hdr="key", need_fp=True, scopes=scopes, created=created, exp=exp,
                       last_used=S0 - R.randint(1, 20) * 86400 - R.randint(0, 86399), m=m)
    return m

mi = 0
for tier, n in (("large", 12), ("mid", 200), ("small", 2500)):
    for _ in range(n):
        MERCHANTS.append(mk_merchant(mi, tier)); mi += 1

# reporting keys (settlements cron) for some merchants
for m in R.sample([m for m in MERCHANTS if m["tier"] != "large"], 260):
    k = "prk_live_" + rs(32)
    m["rkey"] = new_tok(k, "merchant_report_key", m["id"], fp_hdr="key", need_fp=True, scopes=["settlements:read"],
                        created=S0 - R.randint(30, 600) * 86400, exp=None, last_used=S0 - 86400 + R.randint(0, 3000), m=m)
    m["rkey_hour"] = R.choice([5, 6, 7])
    m["rkey_min"] = R.randint(0, 50)

# dormant registered keys (clean: idle < 70 days at the world's end)
DORMANT = []
for j in range(300):
    owner = R.choice(MERCHANTS)["id"]
    DORMANT.append(new_tok("prk_live_" + rs(32), "merchant_key_dormant", owner, fp_hdr="key", need_fp=True, scopes=["payments:write", "payments:read"],
                           created=S0 - R.randint(80, 700) * 86400, exp=None, last_used=S0 - R.randint(5, 60) * 86400))

# partners
PARTNER_NAMES = ["acmepay", "shopwave", "invoicely", "tillpoint", "bookkeep", "marketfox", "cartcraft", "payrollhub", "ledgerly", "subscribo",
                 "travelbiz", "eventix", "saasbill", "fleetpay", "clinicpro", "eduflow", "rentroll", "tradepost", "kassa", "mercato",
                 "agrisales", "hostlane", "fitbook", "venuely", "parkit"]
PARTNERS = []
for n in PARTNER_NAMES:
    country = R.choice(["US", "US", "GB", "DE", "FR", "IE", "SG"])
    prov = R.choice(["aws", "aws", "gcp", "azure", "hetzner", "ovh"])
    pfx = R.choice(CLOUD[prov]); third = R.randint(0, 255)
    ips = [ip_in(pfx, third, R.randint(2, 250)) for _ in range(R.randint(2, 4))]
    cid = "partner-" + n
    secret = "pcs_" + rs(40)
    basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    p = dict(name=n, cid=cid, tz=R.choice(REGION_TZ[country]), ips=ips, cidr=f"{pfx}.{third}.0/24", allow=R.random() < 0.6,
             rate=R.uniform(6, 40), reports=R.random() < 0.4, mint=R.randint(0, 59), ua=f"{n}-integration/{R.randint(1,4)}.{R.randint(0,9)}")
    p["basic"] = new_tok("Basic " + basic, "partner_secret", cid, fp_in="Basic " + basic, need_fp=True, created=S0 - R.randint(100, 600) * 86400,
                         last_used=S0 - 3600, raw_secret=secret, b64=basic)
    PARTNERS.append(p)

# support staff
STAFF = []
SHIFT = {"day": (7, 0, "06:30", "16:00"), "evening": (15, 0, "14:30", "24:00"), "night": (23, 0, "22:30", "08:00")}
DAYNAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
surnames = ["oconnor", "murphy", "kelly", "walsh", "byrne", "ryan", "obrien", "lynch", "doyle", "mccarthy", "gallagher", "doherty", "kennedy", "quinn",
            "nolan", "brennan", "daly", "moore", "hughes", "burke", "collins", "farrell", "flynn", "power", "reilly", "dunne", "foley", "kavanagh",
            "nowak", "silva", "garcia", "rossi", "muller", "dubois", "kowalski", "santos", "ferreira", "lopez", "novak", "horvat", "popescu", "petrov",
            "costa", "martin", "bernard", "keane", "healy", "carroll", "regan", "sheehan", "tobin", "mahon", "cullen", "barry"]
R.shuffle(surnames)
for i in range(54):
    shift = "day" if i < 20 else "evening" if i < 38 else "night"
    start = R.randint(0, 6)
    days = sorted(set((start + k) % 7 for k in range(5)))
    lead = i in (0, 1, 2, 3, 20, 21)
    STAFF.append(dict(id="agent." + surnames[i], shift=shift, days=days, lead=lead, remote=R.random() < (0.7 if shift == "night" else 0.15),
                      office_ip=R.choice(OFFICE_IPS), vpn_ip=R.choice(VPN_IPS), rate=R.uniform(18, 45)))

# deploy bots
BOTS = []
BOTNAMES = ["ci-payments", "ci-partner", "ci-mobile", "ci-backoffice", "ci-platform", "ci-release", "ci-data", "ci-risk", "ci-web", "ci-infra"]
RUNNER16 = ["20.42", "20.57", "20.81", "40.84", "52.176", "13.105", "20.169", "4.148"]
for n in BOTNAMES:
    key = "prd_ci_" + rs(40)
    scopes = ["deploy"] + (["deploy:promote"] if n in ("ci-release", "ci-platform", "ci-data") else [])
    b = dict(name=n, nightly=n in ("ci-release", "ci-platform", "ci-data"), day_rate=R.uniform(0.25, 1.0), promote=n in ("ci-release", "ci-platform"))
    b["key"] = new_tok(key, "ci_key", n, need_fp=True, scopes=scopes, created=S0 - R.randint(60, 330) * 86400, exp=None, last_used=S0 - 86400)
    BOTS.append(b)

RECON = new_tok("svc_recon_" + rs(40), "recon_key", "recon-batch", need_fp=True, scopes=["recon", "settlements:read"],
                created=S0 - 200 * 86400, exp=None, last_used=S0 - 80000)
STRIPE = [new_tok("sk_live_" + rs(99), "stripe_key", "payments-core", need_fp=True, created=S0 - 400 * 86400, exp=None, last_used=S0 - 60)
          for _ in range(2)]

# mobile users (merchant staff app)
USERS = []
for i in range(1500):
    m = R.choice(MERCHANTS)
    country = m["country"] if R.random() < 0.9 else R.choice(COUNTRIES)
    tz = m["tz"] if country == m["country"] else R.choice(REGION_TZ[country])
    home = ip_in(R.choice(ISP[country]))
    habits = R.sample(range(7, 23), R.randint(2, 4))
    USERS.append(dict(id="u_" + uuid.UUID(int=R.getrandbits(128)).hex[:12], m=m, country=country, tz=tz, home=home,
                      carrier=R.choice(CARRIER[country]), mobile_share=R.uniform(0.1, 0.7), act=min(5, R.lognormvariate(math.log(1.0), 0.6)),
                      habits=habits, refund=R.random() < 0.2, moves=R.random() < 0.08))

# ================================================================ clean traffic generators
MERCH_RES = {
    "payments:write": [("POST", "/v1/payments", lambda: "/v1/payments", 55), ("POST", "/v1/payments/{id}/capture", lambda: f"/v1/payments/{R.randint(10**8, 10**9)}/capture", 12)],
    "payments:read": [("GET", "/v1/payments/{id}", lambda: f"/v1/payments/{R.randint(10**8, 10**9)}", 24), ("GET", "/v1/payments", lambda: "/v1/payments", 3)],
    "refunds:write": [("POST", "/v1/refunds", lambda: "/v1/refunds", 3)],
    "balance:read": [("GET", "/v1/balance", lambda: "/v1/balance", 2)],
    "settlements:read": [("GET", "/v1/settlements", lambda: "/v1/settlements", 2), ("GET", "/v1/settlements/{id}", lambda: f"/v1/settlements/{R.randint(10**5, 10**6)}", 2)],
}
def merch_call(m, key, t, scope=None, client=None, inj=False, status=None, ua=None, res=None, svc="merchant-api", query_key=False):
    if res is None:
        if scope is None:
            opts = [r for s in key["scopes"] for r in MERCH_RES[s]]
            res = R.choices(opts, [o[3] for o in opts])[0]
        else:
            res = R.choice(MERCH_RES[scope])
    method, route, pathf, _ = res
    path = pathf()
    if status is None:
        u = R.random()
        if method == "POST" and route == "/v1/payments":
            status = 201 if u > 0.07 else 402 if u > 0.01 else 400
        elif method == "GET" and "{id}" in route:
            status = 200 if u > 0.008 else 404 if u > 0.003 else 403
        else:
            status = 200 if u > 0.004 else 409
        if R.random() < 0.0015:
            status = R.choice([500, 502])
    c = client or R.choice(m["ips"])
    _ret = status
    if query_key:
        http(t, svc, method, route, path, status, c, key, None, None, inj=inj, query="api_key=" + key["s"] + "&expand=charges", ua=ua or m["ua"])
    else:
        http(t, svc, method, route, path, status, c, key, "x-api-key", key["s"], inj=inj, ua=ua or m["ua"])
    if svc == "merchant-api" and route == "/v1/payments" and status == 201 and R.random() < 0.06 and not inj:
        st = STRIPE[0] if m["country"] in ("US", "SG", "AU") else STRIPE[1]
        http(t + R.uniform(0.01, 0.2), "payments-core", "POST", "/v1/payment_intents", "/v1/payment_intents", 200 if R.random() > 0.03 else 402,
             None, st, "authorization", "Bearer " + st["s"], kind=3, extra=[("url.full", "https://api.stripe.com/v1/payment_intents"), ("server.address", "api.stripe.com")])
    return _ret

INCIDENT = (hs(4, 14, 5), hs(4, 14, 37))      # Thu 19 Nov 14:05-14:37 UTC: payments 503 storm
LINKS_LAUNCH = hs(3, 10, 0)                     # Wed 18 Nov: POST /v1/payment_links released
LINK_ADOPT = {}
for m in R.sample([m for m in MERCHANTS if m["tier"] != "small" and not m["b2b"]], 90):
    LINK_ADOPT[m["id"]] = LINKS_LAUNCH + R.uniform(0.2, 5.0) * 86400

MERCH_SKIP = {}   # token idx -> list of (start, end) where clean generation is suppressed

def gen_merchant(m):
    key = m["key"]
    L = loc(m["tz"])
    W = B2B_W if m["b2b"] else ECOM_W
    D = B2B_DAY if m["b2b"] else ECOM_DAY
    per_hour = m["daily"] / 24.0
    times = []
    for h in range(HOURS):
        wd, lh = L[h]
        lam = per_hour * W[lh] * D[wd]
        if m["b2b"] and wd >= 5 and R.random() < 0.03:
            lam = per_hour * 0.5 if 9 <= lh <= 16 else 0
        for _ in range(poisson(lam)):
            times.append(S0 + h * 3600 + R.uniform(0, 3600))
    times.sort()
    skip = MERCH_SKIP.get(key["idx"], [])
    used = set()
    for t in times:
        if any(a <= t <= b for a, b in skip):
            continue
        opts = [r for s in key["scopes"] for r in MERCH_RES[s]]
        res = R.choices(opts, [o[3] for o in opts])[0]
        if m["id"] in LINK_ADOPT and t > LINK_ADOPT[m["id"]] and R.random() < 0.08:
            res = ("POST", "/v1/payment_links", lambda: "/v1/payment_links", 1)
        if INCIDENT[0] <= t <= INCIDENT[1] and res[1] == "/v1/payments" and R.random() < 0.45:
            # 503 then client retries (1-3) within seconds
            merch_call(m, key, t, res=res, status=503)
            tt = t
            for k in range(R.randint(1, 3)):
                tt += R.uniform(0.5, 4) * (k + 1)
                merch_call(m, key, tt, res=res, status=503 if R.random() < 0.5 else 201)
            continue
        st_ = merch_call(m, key, t, res=res)
        if st_ < 500 and st_ not in (401, 403):       # v3: only a successful call exercises a scope
            for s, rl in MERCH_RES.items():
                if res in rl:
                    used.add((s, t < S0 + 6 * 86400))
        if R.random() < 0.004 and m["tier"] != "small":     # network blip: client retried the same call
            merch_call(m, key, t + R.uniform(0.2, 2.0), res=res)
    # every granted scope of a clean key is exercised at least once in days 0..5 (least privilege)
    if key["idx"] not in NO_FORCE:
        for s in key["scopes"]:
            if (s, True) not in used:
                L2 = [h for h in range(24, 5 * 24) if (B2B_W if m["b2b"] else ECOM_W)[L[h][1]] > 0.5 and (not m["b2b"] or L[h][0] < 5)]
                h = R.choice(L2)
                merch_call(m, key, S0 + h * 3600 + R.uniform(0, 3600), scope=s, status=200)
    if "rkey" in m:
        rk = m["rkey"]
        for d in range(DAYS):
            # cron at local hour; find the UTC hour in this day whose local hour matches
            for h in range(d * 24, d * 24 + 24):
                if L[h][1] == m["rkey_hour"]:
                    t = S0 + h * 3600 + m["rkey_min"] * 60 + R.uniform(0, 90)
                    if any(a <= t <= b for a, b in MERCH_SKIP.get(rk["idx"], [])):
                        break
                    http(t, "merchant-api", "GET", "/v1/settlements", "/v1/settlements", 200, m["ips"][0], rk, "x-api-key", rk["s"], ua="settle-sync/1.2")
                    for k in range(R.randint(1, 8)):
                        http(t + 2 + k * R.uniform(0.5, 2), "merchant-api", "GET", "/v1/settlements/{id}", f"/v1/settlements/{R.randint(10**5, 10**6)}", 200,
                             m["ips"][0], rk, "x-api-key", rk["s"], ua="settle-sync/1.2")
                    break

NO_FORCE = set()
PARTNER_JWTS = {}   # partner name -> list of (iat, tok)
def partner_token(p, iat, **kw):
    claims = {"iss": ISSUER, "sub": p["cid"], "aud": AUD, "azp": p["cid"], "client_id": p["cid"], "iat": int(iat), "exp": int(iat) + 3600,
              "jti": str(uuid.UUID(int=R.getrandbits(128))), "scope": "partner:onboard partner:read" + (" partner:reports" if p["reports"] else "")}
    claims.update(kw)
    return new_tok(jwt(claims), "partner_jwt", p["cid"], claims=claims)

PARTNER_SKIP = {}
def gen_partner(p):
    L = loc(p["tz"])
    toks = []
    for h in range(-1, HOURS):
        iat = S0 + h * 3600 + p["mint"] * 60 + R.uniform(0, 50)
        toks.append((iat, partner_token(p, iat)))
    PARTNER_JWTS[p["name"]] = toks
    for iat, tk in toks:
        if iat >= S0:
            http(iat - R.uniform(0.05, 0.5), "auth-service", "POST", "/oauth/token", "/oauth/token", 200, R.choice(p["ips"]), p["basic"], "authorization",
                 p["basic"]["s"], ua=p["ua"])
    for h in range(HOURS):
        wd, lh = L[h]
        lam = p["rate"] * (1.5 if 8 <= lh < 19 else 0.6) * (0.5 if wd >= 5 else 1.0)
        for _ in range(poisson(lam)):
            t = S0 + h * 3600 + R.uniform(0, 3600)
            if any(a <= t <= b for a, b in PARTNER_SKIP.get(p["name"], [])):
                continue
            tk = max((x for x in toks if x[0] <= t), key=lambda x: x[0])[1]
            u = R.random()
            if u < 0.5:
                method, route, path = "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}"
            elif u < 0.88:
                method, route, path = "GET", "/partner/v1/merchants/{id}/payments", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}/payments"
            else:
                method, route, path = "POST", "/partner/v1/merchants", "/partner/v1/merchants"
            st = 200 if R.random() > 0.01 else R.choice([404, 409, 500])
            http(t, "partner-api", method, route, path, st, R.choice(p["ips"]), tk, "authorization", "Bearer " + tk["s"], ua=p["ua"])
        if p["reports"] and lh == 5:
            t0 = S0 + h * 3600 + R.uniform(0, 300)
            tk = max((x for x in toks if x[0] <= t0), key=lambda x: x[0])[1]
            for k in range(R.randint(8, 30)):
                t = t0 + k * R.uniform(2, 10)
                tk = max((x for x in toks if x[0] <= t), key=lambda x: x[0])[1]   # v3: the client refreshes its token
                http(t, "partner-api", "GET", "/partner/v1/reports/{id}", f"/partner/v1/reports/{R.randint(1000, 9999)}", 200, R.choice(p["ips"]), tk,
                     "authorization", "Bearer " + tk["s"], ua=p["ua"])

APP_RES = [("GET", "/app/v1/dashboard", lambda: "/app/v1/dashboard", 30), ("GET", "/app/v1/transactions", lambda: "/app/v1/transactions", 25),
           ("GET", "/app/v1/transactions/{id}", lambda: f"/app/v1/transactions/{R.randint(10**8, 10**9)}", 25),
           ("GET", "/app/v1/payouts", lambda: "/app/v1/payouts", 10), ("GET", "/app/v1/notifications", lambda: "/app/v1/notifications", 8),
           ("POST", "/app/v1/devices", lambda: "/app/v1/devices", 2)]
def user_token(u, iat, **kw):
    claims = {"iss": ISSUER, "sub": u["id"], "aud": AUD, "iat": int(iat), "exp": int(iat) + 3600, "jti": str(uuid.UUID(int=R.getrandbits(128))),
              "scope": "app:read" + (" app:refund" if u["refund"] else ""), "merchant": u["m"]["id"]}
    claims.update(kw)
    return new_tok(jwt(claims), "mobile_jwt", u["id"], claims=claims)

def app_req(t, u, tk, res=None, status=None, client=None, inj=False, query=None, ua=None):
    method, route, pathf, _ = res or R.choices(APP_RES, [r[3] for r in APP_RES])[0]
    path = pathf()
    st = status or (200 if R.random() > 0.006 else R.choice([404, 500]))
    http(t, "edge-gateway", method, route, path, st, client, tk, "authorization", "Bearer " + tk["s"], inj=inj, sig="log", peer=R.choice(GW_PEERS),
         ua=ua or "PayRailApp/6.3 (iOS 18.1)", query=query,
         body=f"{method} {path} HTTP/1.1 {st}")

USER_SKIP = {}
USER_LAST = {}
def gen_user(u):
    L = loc(u["tz"])
    last_tok = None
    home = u["home"]
    for d in range(DAYS):
        if u["moves"] and d == 4:
            home = ip_in(".".join(home.split(".")[:2]))
        # sessions today
        n = poisson(u["act"] * (0.6 if L[d * 24 + 12][0] >= 5 else 1.0))
        for _ in range(n):
            lh = R.choice(u["habits"]) if R.random() < 0.8 else R.randint(7, 22)
            # UTC hour in day d with that local hour
            hs_ = [h for h in range(max(0, d * 24 - 14), min(HOURS, d * 24 + 38)) if L[h][1] == lh and h // 24 == d] or [d * 24 + lh]
            h = hs_[0]
            t = S0 + h * 3600 + R.uniform(0, 3500)
            if any(a - 3600 <= t <= b + 3600 for a, b in USER_SKIP.get(u["id"], [])):
                continue
            client = home if R.random() > u["mobile_share"] else ip_in(u["carrier"])
            if last_tok is not None and R.random() < 0.06 and t > last_tok["claims"]["exp"] + 60:
                app_req(t, u, last_tok, status=401, client=client)       # stale token before the refresh
                t += R.uniform(0.3, 1.5)
            tk = user_token(u, t - R.uniform(0.2, 2))
            last_tok = tk
            k = R.randint(3, 12)
            for j in range(k):
                res = None
                if u["refund"] and R.random() < 0.03:
                    res = ("POST", "/app/v1/refunds", lambda: "/app/v1/refunds", 1)
                app_req(t, u, tk, res=res, client=client)
                t += R.uniform(2, 90)
    USER_LAST[u["id"]] = last_tok

def staff_token(a, iat, life=12 * 3600, **kw):
    sc = "support" + (" support:admin" if a["lead"] else "")
    claims = {"iss": ISSUER, "sub": a["id"], "aud": "https://backoffice.payrail.example", "iat": int(iat), "exp": int(iat) + life,
              "jti": str(uuid.UUID(int=R.getrandbits(128))), "scope": sc, "amr": ["pwd", "otp"]}
    claims.update(kw)
    return new_tok(jwt(claims), "staff_jwt", a["id"], claims=claims)

STAFF_RES = [("GET", "/backoffice/v1/merchants/{id}", 40), ("GET", "/backoffice/v1/payments/{id}", 33), ("POST", "/backoffice/v1/merchants/{id}/notes", 14),
             ("PUT", "/backoffice/v1/merchants/{id}/status", 3), ("GET", "/backoffice/v1/merchants/{id}/payments", 10)]
LEAD_RES = [("GET", "/backoffice/v1/admin/audit-log", 4), ("PUT", "/backoffice/v1/merchants/{id}/payout-account", 1)]
def staff_req(t, a, tk, route=None, method=None, status=None, client=None, inj=False, extra=None):
    if route is None:
        opts = STAFF_RES + (LEAD_RES if a["lead"] else [])
        method, route, _ = R.choices(opts, [o[2] for o in opts])[0]
    path = route.replace("{id}", str(R.randint(10**4, 10**5)))
    st = status or (200 if R.random() > 0.005 else R.choice([404, 409, 500]))
    http(t, "backoffice-api", method, route, path, st, client, tk, "authorization", "Bearer " + tk["s"], inj=inj, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", extra=extra)

STAFF_SESSIONS = {}   # agent id -> list of (start, end, tok, client)
def gen_staff(a):
    z = ZoneInfo("Europe/Dublin")
    sh, sm, _, _ = SHIFT[a["shift"]]
    STAFF_SESSIONS[a["id"]] = []
    for d in range(-1, DAYS):
        day = (T0 + dt.timedelta(days=d)).astimezone(z)
        if day.weekday() not in a["days"]:
            continue
        start_local = dt.datetime(day.year, day.month, day.day, sh, sm, tzinfo=z) + dt.timedelta(minutes=R.uniform(-12, 10))
        start = start_local.timestamp()
        end = start + 8.25 * 3600 + R.uniform(-20, 20) * 60
        if end < S0 or start > S_END:
            continue
        client = a["vpn_ip"] if R.random() < (0.7 if a["remote"] else 0.1) else a["office_ip"]
        tk = staff_token(a, start)
        STAFF_SESSIONS[a["id"]].append((start, end, tk, client))
        t = max(start, S0)
        brk = start + R.uniform(3.5, 4.5) * 3600
        while t < end:
            if brk <= t < brk + 1800:
                t = brk + 1800
            staff_req(t, a, tk, client=client)
            t += R.expovariate(a["rate"] / 3600.0)

def gen_bots():
    for b in BOTS:
        k = b["key"]
        builds = []
        for d in range(DAYS):
            wd = (T0 + dt.timedelta(days=d)).weekday()
            if wd < 5:
                for h in range(8, 19):
                    for _ in range(poisson(b["day_rate"])):
                        builds.append(S0 + d * 86400 + h * 3600 + R.uniform(0, 3600))
            if b["nightly"]:
                for _ in range(R.randint(3, 6)):
                    builds.append(S0 + d * 86400 + R.uniform(1 * 3600, 3.5 * 3600))
        for t in builds:
            if any(a <= t <= c for a, c in MERCH_SKIP.get(k["idx"], [])):
                continue
            ip = ip_in(R.choice(RUNNER16))
            rid = R.randint(10**5, 10**6)
            http(t, "deploy-api", "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201, ip, k, "authorization", "Bearer " + k["s"], ua="deployctl/2.4.0")
            tt = t
            for _ in range(R.randint(12, 50)):
                tt += R.uniform(5, 15)
                http(tt, "deploy-api", "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{rid}", 200, ip, k, "authorization", "Bearer " + k["s"], ua="deployctl/2.4.0")
            if b["promote"] and R.random() < 0.7:
                http(tt + 3, "deploy-api", "POST", "/deploy/v1/releases/{id}/promote", f"/deploy/v1/releases/{rid}/promote", 200, ip, k, "authorization",
                     "Bearer " + k["s"], ua="deployctl/2.4.0")

def gen_recon():
    for d in range(DAYS):
        t = S0 + d * 86400 + 2 * 3600 + R.uniform(-90, 120)
        http(t, "recon-service", "POST", "/internal/recon/runs", "/internal/recon/runs", 201, "10.20.3.15", RECON, "authorization", "Bearer " + RECON["s"],
             peer="10.20.3.15", ua="recon-batch/3.0")
        n = R.randint(400, 900)
        for k in range(n):
            t += R.uniform(0.8, 2.6)
            http(t, "settlements-api", "GET", "/v1/settlements/{id}", f"/v1/settlements/{R.randint(10**5, 10**6)}", 200, "10.20.3.15", RECON, "authorization",
                 "Bearer " + RECON["s"], peer="10.20.3.15", ua="recon-batch/3.0")
            if k % 40 == 0:
                http(t + 0.1, "recon-service", "GET", "/internal/recon/batches/{id}", f"/internal/recon/batches/{R.randint(1000, 9999)}", 200, "10.20.3.15", RECON,
                     "authorization", "Bearer " + RECON["s"], peer="10.20.3.15", ua="recon-batch/3.0")

# ================================================================ injections
def pick(pred, pool):
    c = [x for x in pool if pred(x) and not x.get("_victim")]
    if not c:   # partners/agents/bots: reuse a victim principal (a different token of it)
        c = [x for x in pool if pred(x) and ("cid" in x or "shift" in x or "promote" in x)]
    x = R.choice(c)
    x["_victim"] = True
    return x

def inj_key(tok):
    INJ_TOKENS.add(tok["idx"])

def attack_tok(tok):
    INJ_TOKENS.add(tok["idx"]); ATTACK_ONLY.add(tok["idx"])
    return tok

def addr(a):
    ATTACK_ADDR.add(a); return a

def day_t(d, hour, minute=0):
    return hs(d, hour, minute, R.uniform(0, 50))

def merch_local_hour_t(m, d, lh, minute=0):
    L = loc(m["tz"])
    for h in range(d * 24, d * 24 + 24):
        if L[h][1] == lh:
            return S0 + h * 3600 + minute * 60 + R.uniform(0, 30)
    return S0 + d * 86400 + lh * 3600

def rotate_out(x, bot=False):
    """v3: the owner rotated this key before the world starts; the old key is revoked and only the injection uses it."""
    old = x["key"]
    sec = ("prd_ci_" + rs(40)) if bot else ("prk_live_" + rs(32))
    newc = S0 - R.randint(2, 12) * 86400
    new = new_tok(sec, old["cls"], old["owner"], fp_hdr=old["fp_hdr"], need_fp=True, scopes=list(old["scopes"]), created=newc, exp=None,
                  last_used=S0 - 86400 + R.randint(0, 3000), m=old.get("m"))
    old["last_used"] = newc - 3600
    old["created"] = min(old["created"], newc - 30 * 86400)
    old["exp"] = None
    x["key"] = new
    return old

def run_injections():
    mids = [m for m in MERCHANTS if m["tier"] == "mid"]
    smalls = [m for m in MERCHANTS if m["tier"] == "small"]
    # -------------------------------------------------- lifecycle: stale_token
    for j in range(6):
        if j < 4:
            m = R.choice(MERCHANTS)
            tk = new_tok("prk_live_" + rs(32), "merchant_key_stale", m["id"], fp_hdr="key", need_fp=True, scopes=["payments:write", "payments:read"],
                         created=S0 - R.randint(600, 900) * 86400, exp=None, last_used=S0 - R.randint(100, 500) * 86400)
        elif j == 4:
            tk = new_tok("prd_ci_" + rs(40), "ci_key_stale", "ci-legacy", need_fp=True, scopes=["deploy"], created=S0 - 700 * 86400, exp=None,
                         last_used=S0 - 260 * 86400)
        else:
            sec = "pcs_" + rs(40)
            b = base64.b64encode(f"partner-oldshop:{sec}".encode()).decode()
            tk = new_tok("Basic " + b, "partner_secret_stale", "partner-oldshop", need_fp=True, created=S0 - 800 * 86400, last_used=S0 - 190 * 86400, raw_secret=sec, b64=b)
        tk["stale"] = True
        label("stale_token", S0, S_END, tok=tk, note=f"registered {tk['cls']} last used {iso(tk['last_used'])[:10]}, never used in the world")
        INJ_TOKENS.add(tk["idx"]); ATTACK_ONLY.add(tk["idx"])
    # -------------------------------------------------- unused_scopes: old keys holding payouts/refunds they never use
    for j in range(5):
        m = pick(lambda m: not m["b2b"] and m["daily"] > 60, mids)
        k = m["key"]
        k["created"] = S0 - R.randint(200, 600) * 86400
        k["exp"] = None
        k["scopes"] = ["payments:write", "payments:read"]
        k["extra_scopes"] = ["payouts:write", "refunds:write"] if j % 2 == 0 else ["payouts:write"]
        inj_key(k)
        label("unused_scopes", S0 + 8 * 86400, S_END, tok=k, note=f"old merchant key granted {k['extra_scopes']} never used (over-permissioned)")
    # -------------------------------------------------- expiring_soon
    for j in range(3):
        m = pick(lambda m: m["daily"] > 20, mids + smalls)
        k = m["key"]
        k["exp"] = S_END + R.randint(1, 5) * 86400
        k["created"] = k["exp"] - 365 * 86400
        inj_key(k)
        label("expiring_soon", k["exp"] - 7 * 86400, S_END, tok=k, note="merchant key in use expiring within 7 days")
    # -------------------------------------------------- excessive_lifetime
    for j in range(4):
        m = pick(lambda m: m["daily"] > 15, mids + smalls)
        k = m["key"]
        k["created"] = S0 - R.randint(300, 800) * 86400
        k["exp"] = k["created"] + R.randint(3, 6) * 365 * 86400
        inj_key(k)
        label("excessive_lifetime", S0, S0 + 2 * 86400, tok=k, note=f"merchant key lifetime {(k['exp'] - k['created']) // 86400} days")
    p = pick(lambda p: True, PARTNERS)
    legacy = new_tok(jwt({"iss": ISSUER, "sub": p["cid"], "azp": p["cid"], "aud": AUD, "iat": S0 - 400 * 86400, "exp": S0 + 3250 * 86400,
                          "jti": "legacy-" + p["name"], "scope": "partner:read"}), "partner_jwt_legacy", p["cid"])
    attack_tok(legacy)
    t = day_t(2, 9)
    first = t
    for d in range(2, DAYS):
        for k in range(R.randint(4, 9)):
            t = hs(d, R.randint(8, 18), R.randint(0, 59), R.uniform(0, 59))
            http(t, "partner-api", "GET", "/partner/v1/merchants/{id}/payments", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}/payments", 200,
                 p["ips"][0], legacy, "authorization", "Bearer " + legacy["s"], inj=True, ua="legacy-sync/0.9")
    label("excessive_lifetime", first, first + 86400, tok=legacy, note="legacy partner JWT valid for ~10 years")

    # -------------------------------------------------- revoked / failed attempts / expired
    REVOKED_IDS = []
    # rv1: leaked merchant key revoked by id, attacker uses it (propagation lag: accepted)
    m = pick(lambda m: True, smalls); k = rotate_out(m); inj_key(k); REVOKED_IDS.append(k)
    ip = addr(vps_ip()); t = day_t(3, 21, 10); st = t
    for j in range(8):
        merch_call(m, k, t, scope="payments:read", client=ip, inj=True, ua="python-requests/2.31.0"); t += R.uniform(20, 200)
    label("revoked_token", st, t, tok=k, note="revoked (leaked) merchant key used from a VPS, still accepted")
    # rv4+f1: revoked deploy key still sent by an old hourly cron -> 401 each hour
    b = pick(lambda b: not b["nightly"], BOTS); k = rotate_out(b, bot=True); inj_key(k); REVOKED_IDS.append(k)
    ip = ip_in(RUNNER16[0], 77, 31)
    t = hs(5, 0, 17, R.uniform(0, 30)); st = t
    for j in range(30):
        http(t, "deploy-api", "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{R.randint(10**5, 10**6)}", 401, ip, k, "authorization",
             "Bearer " + k["s"], inj=True, ua="curl/7.68.0")
        t += 3600 + R.uniform(-20, 20)
    label("revoked_token", st, t, tok=k, note="revoked deploy key retried hourly by a forgotten cron (401)")
    label("failed_attempts", st, t, tok=k, note="hourly 401 run of a revoked deploy key (consecutive failures)")
    # rv5+f2: revoked merchant key, attacker tries 15x in 4 minutes
    m = pick(lambda m: True, smalls); k = rotate_out(m); inj_key(k); REVOKED_IDS.append(k)
    ip = addr(vps_ip()); t = day_t(6, 4, 40); st = t
    for j in range(15):
        merch_call(m, k, t, scope="payments:write", client=ip, inj=True, status=401, ua="Go-http-client/1.1"); t += R.uniform(5, 16)
    label("failed_attempts", st, t, tok=k, note="revoked merchant key tried 15x in ~4 min from a VPS")
    label("revoked_token", st, t, tok=k, note="revoked merchant key tried from a VPS (401)")
    # rv6: revoked key still sent by the merchant's forgotten staging server
    m = pick(lambda m: m["ek"] == "cloud", mids); k = rotate_out(m); inj_key(k); REVOKED_IDS.append(k)
    st = None
    for d in (6, 7, 8):
        for j in range(4):
            t = hs(d, R.randint(0, 23), R.randint(0, 59))
            st = t if st is None else min(st, t)   # v4: label start is the earliest injected call
            merch_call(m, k, t, scope="payments:read", client=m["ips"][0], inj=True, status=401)
    label("revoked_token", st, hs(8, 23, 59), tok=k, note="revoked merchant key still sent by its staging box (401, 4/day)")
    # rv2: revoked partner JWT (jti) replayed while still valid
    p = pick(lambda p: not p["allow"], PARTNERS)
    toks = PARTNER_JWTS[p["name"]]
    iat = hs(5, 10, 31)
    tk = attack_tok(partner_token(p, iat)); tk["revoked_jti"] = True     # v3: leaked before its partner used it
    ip = addr(vps_ip()); t = iat + 1200; st = t
    for j in range(3):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 200, ip, tk, "authorization", "Bearer " + tk["s"], inj=True,
             ua="python-requests/2.31.0"); t += R.uniform(30, 200)
    label("revoked_token", st, t, tok=tk, note="partner JWT revoked by jti after it leaked, replayed from a VPS")
    # rv3: terminated employee's session (jti revoked), used from home ISP
    a = pick(lambda a: a["shift"] == "day" and not a["lead"], STAFF)
    tk = staff_token(a, hs(6, 8, 0)); tk["revoked_jti"] = True; attack_tok(tk)
    ip = addr(ip_in(R.choice(ISP["IE"]))); t = hs(6, 9, 30, 0); st = t
    for j in range(5):
        staff_req(t, a, tk, client=ip, inj=True); t += R.uniform(30, 300)
    label("revoked_token", st, t, tok=tk, note="terminated agent's session (jti revoked) used from a home ISP")
    label("disallowed_network", st, t, tok=tk, note="agent session used outside office/VPN networks")
    # expired: ex1 partner JWT replayed 6h after expiry from VPS
    p = pick(lambda p: True, PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(4, 3) <= x[0] < hs(4, 4)][0]
    inj_key(tk); ip = addr(vps_ip()); t = iat + 3600 + 6 * 3600; st = t
    for j in range(3):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}/payments", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}/payments", 401, ip, tk,
             "authorization", "Bearer " + tk["s"], inj=True, ua="curl/8.4.0"); t += R.uniform(5, 60)
    label("expired_token", st, t, tok=tk, note="captured partner JWT replayed 6h after expiry from a VPS (401)")
    # ex2: merchant key expired (registry) but still accepted by the legacy endpoint
    m = pick(lambda m: m["daily"] > 40 and m["ek"] == "cloud", mids); k = m["key"]; inj_key(k)
    k["exp"] = hs(5, 12); k["created"] = k["exp"] - 365 * 86400
    label("expiring_soon", S0, k["exp"], tok=k, note="merchant key in use expiring within 7 days (later expired)")
    label("expired_token", k["exp"], S_END, tok=k, note="merchant key past its registry expiry still accepted by the legacy endpoint")
    # ex3: staff JWT replayed the next day from residential IP
    a = pick(lambda a: a["shift"] == "evening", STAFF)
    sess = [s for s in STAFF_SESSIONS_PLAN[a["id"]] if hs(3, 0) < s < hs(6, 0)][0]
    a["_replay_from"] = sess
    # (done after staff generation: see post_staff_injections)
    # ex4: mobile token replayed 3h after expiry from another country (after generation)
    # ex5: deploy key past registry expiry still used by a forgotten pipeline
    b = pick(lambda b: not b["nightly"], BOTS); k = b["key"]; inj_key(k)
    k["exp"] = hs(3, 6); k["created"] = k["exp"] - 300 * 86400
    label("expiring_soon", S0, k["exp"], tok=k, note="deploy key in use expiring within 7 days")
    st = None
    for d in (4, 5, 6):
        for j in range(R.randint(2, 4)):
            t = hs(d, R.randint(8, 18), R.randint(0, 59)); st = t if st is None else min(st, t)   # v4
            http(t, "deploy-api", "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201, ip_in(R.choice(RUNNER16)), k, "authorization", "Bearer " + k["s"], inj=True,
                 ua="deployctl/2.1.0")
    MERCH_SKIP.setdefault(k["idx"], []).append((k["exp"], S_END))
    label("expired_token", st, hs(6, 23), tok=k, note="deploy key past its registry expiry still used (accepted) by an old pipeline")
    # not_yet_valid (insider pre-minted with the real signing key)
    p = pick(lambda p: True, PARTNERS)
    tk = attack_tok(partner_token(p, hs(7, 9), nbf=hs(7, 9)))
    ip = addr(vps_ip()); t = day_t(4, 22, 5); st = t
    for j in range(3):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 200, ip, tk, "authorization", "Bearer " + tk["s"], inj=True,
             ua="python-requests/2.31.0"); t += R.uniform(10, 100)
    label("not_yet_valid_token", st, t, tok=tk, note="partner JWT minted 3 days ahead (nbf/iat in the future) used from a VPS")
    a = pick(lambda a: a["shift"] == "day", STAFF)
    tk = attack_tok(staff_token(a, hs(8, 7), nbf=hs(8, 7)))
    t = day_t(6, 11, 20); st = t
    for j in range(2):
        staff_req(t, a, tk, client=a["office_ip"], inj=True); t += 40
    label("not_yet_valid_token", st, t, tok=tk, note="agent JWT minted two days ahead, used from the office")
    for j in range(2):
        u = pick(lambda u: True, USERS)
        tk = attack_tok(user_token(u, hs(6 + j, 15), nbf=hs(6 + j, 15)))
        ip = addr(vps_ip()); t = day_t(5 + j, 13, 30); st = t
        for q in range(3):
            app_req(t, u, tk, client=ip, inj=True, ua="okhttp/4.12.0"); t += R.uniform(5, 40)
        label("not_yet_valid_token", st, t, tok=tk, note="app JWT with nbf a day ahead (pre-minted) used from a VPS")
    # malformed tokens
    mal = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwYXJ0bmVyLWFjbWVwYXkiLCJzY29wZSI6ImFkbWluIn0",
           "eyJhbGciOiJIUzI1NiJ9.%%%%invalid%%%%." + rs(43, ALNUM + "-_"),
           b64u(b'{"alg":"HS256","typ":"JWT"}') + "." + b64u(b'{"sub":"agent.x","exp":"tomorrow","iat":"now"}') + "." + rs(43, ALNUM + "-_"),
           b64u(b'{"alg":"HS256"}') + "." + b64u(b'{"sub":"u_1"}') + "." + rs(43, ALNUM) + "." + rs(20),
           "eyJ" + rs(20000, ALNUM + "-_") + "." + rs(300) + "." + rs(43)]
    for j, s in enumerate(mal):
        tk = attack_tok(new_tok(s, "malformed", "?", need_fp=True))
        ip = addr(R.choice([vps_ip(), resi_proxy_ip(), R.choice(TOR_EXIT) + "." + str(R.randint(2, 250))]))
        t = day_t(1 + j, R.randint(0, 23), R.randint(0, 50)); st = t
        svc, route, path = [("partner-api", "/partner/v1/merchants/{id}", "/partner/v1/merchants/1"), ("backoffice-api", "/backoffice/v1/merchants/{id}", "/backoffice/v1/merchants/4242"),
                            ("partner-api", "/partner/v1/merchants/{id}", "/partner/v1/merchants/77"), ("deploy-api", "/deploy/v1/releases/{id}", "/deploy/v1/releases/1"),
                            ("merchant-api", "/v1/balance", "/v1/balance")][j]
        for q in range(R.randint(1, 3)):
            http(t, svc, "GET", route, path, 401, ip, tk, "authorization", "Bearer " + s, inj=True, ua=R.choice(UA["attacker"])); t += R.uniform(1, 30)
        label("malformed_token", st, t, tok=tk, note=f"malformed bearer #{j} against {svc}")
    # invalid signature
    forge_secret = "this-is-not-the-payrail-secret-0123456789abcdef"
    a = pick(lambda a: not a["lead"], STAFF)
    tk = attack_tok(staff_token(a, hs(4, 9), scope="support support:admin"))
    tk["s"] = jwt(tk["claims"], secret=forge_secret); tk["fp_in"] = tk["s"]
    ip = addr(vps_ip()); t = day_t(4, 9, 40); st = t
    for q in range(2):
        staff_req(t, a, tk, route="/backoffice/v1/admin/users", method="GET", client=ip, status=401, inj=True); t += 20
    label("invalid_signature", st, t, tok=tk, note="agent JWT with support:admin added, re-signed with a guessed key (401)")
    p = pick(lambda p: True, PARTNERS)
    tk = attack_tok(partner_token(p, hs(5, 16)))
    tk["s"] = jwt(tk["claims"], secret=forge_secret); tk["fp_in"] = tk["s"]
    ip = addr(resi_proxy_ip()); t = hs(5, 16, 10); st = t
    http(t, "partner-api", "POST", "/partner/v1/merchants", "/partner/v1/merchants", 401, ip, tk, "authorization", "Bearer " + tk["s"], inj=True, ua="curl/8.4.0")
    label("invalid_signature", st, t, tok=tk, note="forged partner JWT (401)")
    u = pick(lambda u: not u["refund"], USERS)
    tk = attack_tok(user_token(u, hs(6, 18), scope="app:read app:refund"))
    tk["s"] = jwt(tk["claims"], secret=forge_secret); tk["fp_in"] = tk["s"]
    ip = addr(vps_ip()); t = hs(6, 18, 5); st = t
    for q in range(3):
        app_req(t, u, tk, res=("POST", "/app/v1/refunds", lambda: "/app/v1/refunds", 1), status=200, client=ip, inj=True, ua="okhttp/4.12.0"); t += 30
    label("invalid_signature", st, t, tok=tk, note="app JWT with app:refund added, forged; the gateway accepted it (200)")
    u = pick(lambda u: True, USERS)
    tk = attack_tok(new_tok(jwt({"iss": ISSUER, "sub": u["id"], "aud": AUD, "iat": hs(7, 1), "exp": hs(7, 2), "scope": "app:read"}, kid="payrail-auth-2025",
                                secret="old-rotated-out-signing-secret-2025-abcdef0123"), "mobile_jwt_forged", u["id"]))
    ip = addr(resi_proxy_ip()); t = hs(7, 1, 20); st = t
    for q in range(2):
        app_req(t, u, tk, client=ip, status=401, inj=True, ua="okhttp/4.12.0"); t += 15
    label("invalid_signature", st, t, tok=tk, note="app JWT signed with the rotated-out 2025 key (401)")
    tk = attack_tok(new_tok(jwt({"iss": ISSUER, "sub": "recon-batch", "iat": hs(2, 2), "exp": hs(2, 5), "scope": "recon"}, alg="RS256",
                                secret=forge_secret), "forged", "recon-batch"))
    ip = addr("10.31.7.44"); t = hs(2, 3, 12); st = t
    for q in range(2):
        http(t, "recon-service", "POST", "/internal/recon/runs", "/internal/recon/runs", 401, ip, tk, "authorization", "Bearer " + tk["s"], peer=ip, inj=True, ua="curl/7.81.0")
        t += 9
    label("invalid_signature", st, t, tok=tk, note="RS256-labelled JWT with an HMAC signature from an internal dev box (401)")
    # unknown tokens (authoritative registry)
    tk = attack_tok(new_tok("prk_live_" + rs(32), "merchant_key_shadow", "?", fp_hdr="key", need_fp=True))
    m = pick(lambda m: True, mids)
    ip = addr(vps_ip()); st = day_t(3, 2)
    for q in range(10):
        t = st + q * R.uniform(60, 400)
        merch_call(m, tk, t, scope="payments:read", client=ip, inj=True, status=200, ua="python-requests/2.31.0")
    label("unknown_token", st, t, tok=tk, note="shadow merchant key created outside the inventory, accepted (200)")
    m = pick(lambda m: True, mids)
    tk = attack_tok(new_tok("prk_test_" + rs(32), "merchant_test_key", m["id"], fp_hdr="key", need_fp=True))
    t = day_t(5, 15); st = t
    for q in range(3):
        merch_call(m, tk, t, scope="payments:write", client=m["ips"][0], inj=True, status=403); t += R.uniform(3, 30)
    label("unknown_token", st, t, tok=tk, note="sandbox key sent to production (403)")
    u = pick(lambda u: True, USERS)
    tk = attack_tok(user_token(u, hs(6, 20), iss=STAGING_ISSUER))
    t = hs(6, 20, 3); st = t
    for q in range(4):
        app_req(t, u, tk, client=u["home"], inj=True, status=200); t += R.uniform(3, 40)
    label("unknown_token", st, t, tok=tk, note="staging-issued JWT (same signing key) accepted by production")
    tk = attack_tok(new_tok("prd_ci_" + rs(40), "ci_key_unregistered", "?", need_fp=True))
    t = day_t(7, 10); st = t
    ip = ip_in(R.choice(RUNNER16))
    for q in range(3):
        http(t, "deploy-api", "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201, ip, tk, "authorization", "Bearer " + tk["s"], inj=True, ua="deployctl/2.4.0"); t += 50
    label("unknown_token", st, t, tok=tk, note="deploy token minted outside the inventory, accepted")
    tk = attack_tok(new_tok("ptk_" + rs(48), "opaque_unregistered", "?", need_fp=True))
    ip = addr(vps_ip()); t = day_t(2, 19); st = t
    for q in range(2):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 403, ip, tk, "authorization", "Bearer " + tk["s"], inj=True,
             ua="curl/8.4.0"); t += 20
    label("unknown_token", st, t, tok=tk, note="unregistered opaque bearer on partner API (403)")
    return REVOKED_IDS

STAFF_SESSIONS_PLAN = {}
def plan_staff():
    z = ZoneInfo("Europe/Dublin")
    for a in STAFF:
        STAFF_SESSIONS_PLAN[a["id"]] = []
        sh, sm, _, _ = SHIFT[a["shift"]]
        for d in range(-1, DAYS):
            day = (T0 + dt.timedelta(days=d)).astimezone(z)
            if day.weekday() in a["days"]:
                STAFF_SESSIONS_PLAN[a["id"]].append(dt.datetime(day.year, day.month, day.day, sh, sm, tzinfo=z).timestamp())

def pre_injections_learned():
    """injections needing victims chosen before clean generation (to suppress clean traffic in their windows)."""
    mids = [m for m in MERCHANTS if m["tier"] == "mid"]
    smalls = [m for m in MERCHANTS if m["tier"] == "small"]
    P = []
    # rate_surge r1: card testing through a compromised mid merchant's server
    m = pick(lambda m: not m["b2b"] and 50 < m["daily"] < 150, mids); inj_key(m["key"])
    t0 = merch_local_hour_t(m, 5, 3, 10)
    P.append(("surge_card", m, t0))
    m = pick(lambda m: 4 < m["daily"] < 15, smalls); inj_key(m["key"])
    P.append(("surge_small", m, hs(6, R.randint(10, 16), 5)))
    m = pick(lambda m: not m["b2b"] and m["daily"] > 80, mids); inj_key(m["key"])
    P.append(("surge_scrape", m, hs(7, 13, 20)))
    # new_client_address
    for j, (pool, cond) in enumerate([(smalls, lambda m: m["ek"] == "shared"), (mids, lambda m: m["ek"] == "isp"), (mids, lambda m: m["ek"] == "cloud"),
                                      (smalls, lambda m: m["daily"] < 4), (smalls, lambda m: m["ek"] == "isp")]):
        m = pick(cond, pool); inj_key(m["key"])
        P.append(("newaddr", m, hs(4 + j % 4, R.randint(0, 23), R.randint(0, 50))))
    # multi_address: merchant key from 5 VPSs within 9 minutes
    m = pick(lambda m: m["ek"] == "cloud", mids); inj_key(m["key"])
    P.append(("multi", m, hs(6, 19, 2)))
    # new_resource: compromised server, new (granted) resources
    m = pick(lambda m: m["ek"] == "cloud" and "refunds:write" not in m["key"]["scopes"] and "balance:read" not in m["key"]["scopes"], mids)
    inj_key(m["key"]); m["key"]["extra_scopes"] = ["refunds:write", "balance:read"]; m["key"]["created"] = S0 - 40 * 86400; m["key"]["exp"] = None
    P.append(("newres", m, hs(6, 10, 40)))
    m = pick(lambda m: m["b2b"] and "settlements:read" not in m["key"]["scopes"] and m["daily"] > 60, mids)
    inj_key(m["key"]); m["key"]["extra_scopes"] = ["settlements:read"]; m["key"]["created"] = S0 - 50 * 86400; m["key"]["exp"] = None
    P.append(("newres_settle", m, merch_local_hour_t(m, 7, 11, 15)))
    # learned off_hours: B2B merchants (weekday office hours) used at 03:00 local from the same egress
    for j in range(2):
        m = pick(lambda m: m["b2b"] and m["daily"] > 80, mids); inj_key(m["key"])
        P.append(("offhours_b2b", m, merch_local_hour_t(m, 5 + j * 2, 3, 12)))
    # scope violations / denied by merchant keys
    m = pick(lambda m: "refunds:write" not in m["key"]["scopes"], mids); inj_key(m["key"])
    P.append(("scope_refund_200", m, hs(5, 11, 30)))
    m = pick(lambda m: True, mids); inj_key(m["key"])
    P.append(("scope_payout", m, hs(3, 16, 45)))
    m = pick(lambda m: m["daily"] > 40, mids); inj_key(m["key"])
    P.append(("probe", m, hs(7, 2, 10)))
    # disallowed: allowlisted keys from elsewhere
    m = pick(lambda m: m["allow"] and m["ek"] == "cloud", mids + [x for x in MERCHANTS if x["tier"] == "large"]); inj_key(m["key"])
    P.append(("disallow_vps", m, hs(5, 23, 40)))
    m = pick(lambda m: m["allow"], mids); inj_key(m["key"])
    P.append(("disallow_office", m, hs(7, 9, 15)))
    # resurrected: registered keys idle 35-85 days, used again
    for j in range(3):
        owner = pick(lambda m: True, smalls)
        k = new_tok("prk_live_" + rs(32), "merchant_key_dormant", owner["id"], fp_hdr="key", need_fp=True, scopes=["payments:write", "payments:read"],
                    created=S0 - R.randint(300, 700) * 86400, exp=None, last_used=S0 - R.randint(35, 85) * 86400)
        inj_key(k)
        P.append(("resurrect", owner, hs(3 + j * 2, R.randint(6, 20), 5), k))
    # exposure: key in the URL query
    m = pick(lambda m: m["ek"] == "shared" and m["daily"] > 6, smalls); inj_key(m["key"])
    P.append(("expose_query", m, hs(5, 0)))
    return P

def run_pre(P):
    for item in P:
        kind, m, t0 = item[0], item[1], item[2]
        k = m["key"]
        if kind == "surge_card":
            t = t0; st = t
            for q in range(int(R.uniform(14, 18) * 60)):
                merch_call(m, k, t, res=MERCH_RES["payments:write"][0], client=m["ips"][0], inj=True, status=201 if R.random() < 0.15 else 402, ua=m["ua"]); t += R.uniform(0.3, 1.5)
            label("rate_surge", st, t, tok=k, note="card testing through the merchant's compromised server (~70/min for 15 min, same egress)")
        elif kind == "surge_small":
            t = t0; st = t
            for q in range(420):
                merch_call(m, k, t, scope="payments:read", client=m["ips"][0], inj=True, status=200); t += R.uniform(2, 9)
            label("rate_surge", st, t, tok=k, note="low-rate shop key (~10/day) makes 420 calls in ~40 min from its own host")
        elif kind == "surge_scrape":
            t = t0; st = t
            for q in range(1500):
                merch_call(m, k, t, res=MERCH_RES["payments:read"][0], client=m["ips"][0], inj=True, status=200); t += R.uniform(0.6, 1.8)
            label("rate_surge", st, t, tok=k, note="payment scraping with a mid merchant's key (~50/min for 30 min) from its egress")
        elif kind == "newaddr":
            ip = addr(vps_ip() if m["ek"] != "cloud" or R.random() < 0.5 else ip_in(R.choice(VPS["ovh"])))
            t = t0; st = t
            for q in range(R.randint(3, 6)):
                merch_call(m, k, t, scope="payments:read", client=ip, inj=True, status=200, ua="python-requests/2.31.0"); t += R.uniform(300, 1500)
            label("new_client_address", st, t, tok=k, note=f"leaked {m['tier']}/{m['ek']} merchant key used at low volume from a foreign VPS")
        elif kind == "multi":
            t = t0; st = t; ips = [addr(vps_ip()) for _ in range(5)]
            for q in range(15):
                merch_call(m, k, t, scope="payments:read", client=ips[q % 5], inj=True, status=200, ua="python-requests/2.31.0"); t += R.uniform(15, 35)
            label("multi_address", st, t, tok=k, note="merchant key driven from 5 VPSs in ~8 minutes")
        elif kind == "newres":
            t = t0; st = t
            for q in range(4):
                merch_call(m, k, t, res=MERCH_RES["balance:read"][0], client=m["ips"][0], inj=True, status=200); t += R.uniform(20, 90)
            for q in range(3):
                merch_call(m, k, t, res=MERCH_RES["refunds:write"][0], client=m["ips"][0], inj=True, status=200); t += R.uniform(20, 90)
            label("new_resource", st, t, tok=k, note="compromised server: balance and refunds (granted, never called) from the merchant's own egress")
        elif kind == "newres_settle":
            t = t0; st = t
            for q in range(6):
                merch_call(m, k, t, res=MERCH_RES["settlements:read"][1], client=m["ips"][0], inj=True, status=200); t += R.uniform(20, 120)
            label("new_resource", st, t, tok=k, note="B2B key pulls settlements (granted, never used) 6x")
        elif kind == "offhours_b2b":
            t = t0; st = t
            for q in range(7):
                merch_call(m, k, t, scope="payments:read", client=m["ips"][0], inj=True, status=200); t += R.uniform(60, 400)
            label("off_hours", st, t, tok=k, note="weekday-office-hours B2B key used at 03:00 local from its egress", variant="learned")
        elif kind == "scope_refund_200":
            t = t0; st = t
            merch_call(m, k, t, res=MERCH_RES["refunds:write"][0], client=m["ips"][0], inj=True, status=200)
            label("scope_violation", st, t, tok=k, note="refund with a key lacking refunds:write, accepted (service did not enforce)")
        elif kind == "scope_payout":
            t = t0; st = t
            for q in range(2):
                merch_call(m, k, t, res=("POST", "/v1/payouts", lambda: "/v1/payouts", 1), client=m["ips"][0], inj=True, status=403); t += 40
            label("scope_violation", st, t, tok=k, note="payout attempt with a payments-only key (403)")
        elif kind == "probe":
            ip = m["ips"][0]; t = t0; st = t
            probes = [("POST", "/v1/payouts"), ("GET", "/v1/payouts"), ("GET", "/v1/payouts/{id}"), ("GET", "/v1/settlements"), ("GET", "/v1/settlements/{id}"),
                      ("POST", "/v1/refunds"), ("GET", "/v1/balance"), ("POST", "/v1/payouts"), ("GET", "/v1/payouts"), ("GET", "/v1/settlements")]
            sc = set(m["key"]["scopes"])
            n = 0
            for meth, route in probes:
                own = {"/v1/refunds": "refunds:write", "/v1/balance": "balance:read"}.get(route)
                if own and own in sc:
                    continue
                path = route.replace("{id}", str(R.randint(10**5, 10**6)))
                http(t, "merchant-api", meth, route, path, 403, ip, k, "x-api-key", k["s"], inj=True, ua="python-requests/2.31.0"); t += R.uniform(20, 120); n += 1
            for q in range(4):
                http(t, "merchant-api", "POST", "/v1/payouts", "/v1/payouts", 403, ip, k, "x-api-key", k["s"], inj=True, ua="python-requests/2.31.0"); t += R.uniform(20, 60)
            label("denied_access", st, t, tok=k, note="scope probing from the merchant's compromised server: ~12 denied calls in ~15 min")
            label("scope_violation", st, t, tok=k, note="scope probing: payouts/settlements with a payments key (403)")
        elif kind == "disallow_vps":
            ip = addr(vps_ip()); t = t0; st = t
            for q in range(3):
                merch_call(m, k, t, scope="payments:read", client=ip, inj=True, status=403, ua="curl/8.4.0"); t += R.uniform(20, 100)
            label("disallowed_network", st, t, tok=k, note="allowlisted merchant key tried from a VPS (403)")
        elif kind == "disallow_office":
            ip = ip_in(R.choice(ISP[m["country"]])); t = t0; st = t
            for q in range(5):
                merch_call(m, k, t, scope="payments:write", client=ip, inj=True, status=403); t += R.uniform(30, 200)
            label("disallowed_network", st, t, tok=k, note="allowlisted merchant key from the merchant's new, unregistered office line (403)")
        elif kind == "resurrect":
            k = item[3]
            ip = addr(vps_ip()) if R.random() < 0.67 else R.choice(m["ips"])
            t = t0; st = t
            for q in range(R.randint(3, 6)):
                merch_call(m, k, t, scope="payments:read", client=ip, inj=True, status=200, ua="python-requests/2.31.0"); t += R.uniform(30, 600)
            label("resurrected_token", st, t, tok=k, note=f"registered key idle since {iso(k['last_used'])[:10]} used again")
        elif kind == "expose_query":
            t = hs(5, 9) + R.uniform(0, 3600); st = t
            for q in range(12):
                merch_call(m, k, t, scope="payments:read", client=m["ips"][0], inj=True, status=200, query_key=True); t += R.uniform(600, 2400)
            label("exposed_credential", st, t, tok=k, note="plugin update puts the merchant key in the URL query (?api_key=)")
            MERCH_SKIP.setdefault(k["idx"], []).append((st, t))

def post_injections():
    """injections on JWT populations (need their clean sessions generated first)"""
    # ---- staff
    evening = [a for a in STAFF if a["shift"] == "evening" and not a.get("_victim") and not a["lead"]]
    # off_hours policy: evening sessions stolen (token valid till 03:00) used 02:10-02:50 from the VPN egress
    for j, d in enumerate((4, 6)):
        a = R.choice([x for x in evening if not x.get("_victim") and any(hs(d - 1, 0) < s[0] < hs(d, 0) for s in STAFF_SESSIONS[x["id"]])])
        a["_victim"] = True
        s = [s for s in STAFF_SESSIONS[a["id"]] if hs(d - 1, 0) < s[0] < hs(d, 0)][0]
        tk = s[2]; inj_key(tk)
        t = hs(d, 2, 10, R.uniform(0, 60)); st = t
        for q in range(6):
            staff_req(t, a, tk, client=R.choice(VPN_IPS), inj=True); t += R.uniform(60, 420)
        label("off_hours", st, t, tok=tk, variant="policy", note="evening agent's session (12h) used at 02:10-02:50 via the VPN, outside the shift")
    # day agent phished: attacker logs in at 03:10 from a residential address
    a = pick(lambda a: a["shift"] == "day" and not a["lead"], STAFF)
    tk = attack_tok(staff_token(a, hs(7, 3, 8)))
    ip = addr(ip_in(R.choice(FOREIGN_RESI))); t = hs(7, 3, 10, 5); st = t
    for q in range(8):
        staff_req(t, a, tk, client=ip, inj=True); t += R.uniform(40, 200)
    label("off_hours", st, t, tok=tk, variant="policy", note="phished day agent: new session at 03:10 from a residential proxy")
    label("disallowed_network", st, t, tok=tk, note="phished day agent's session outside office/VPN")
    # agent working from home without VPN (policy breach)
    a = pick(lambda a: a["shift"] == "day" and not a["lead"] and STAFF_SESSIONS[a["id"]], STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(4, 0)][0]
    tk = s[2]; inj_key(tk)
    ip = ip_in(R.choice(ISP["IE"])); t = s[0] + 3 * 3600; st = t
    for q in range(6):
        staff_req(t, a, tk, client=ip, inj=True); t += R.uniform(60, 300)
    label("disallowed_network", st, t, tok=tk, note="agent's console session from a home broadband line without the VPN")
    # restricted_resource: non-lead agents change a merchant's payout bank account
    for j in range(3):
        a = pick(lambda a: not a["lead"] and len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
        s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(2 + j, 0)][0]
        tk = s[2]; inj_key(tk)
        t = s[0] + R.uniform(1, 6) * 3600; st = t
        for q in range(1 if j != 1 else 2):
            staff_req(t, a, tk, route="/backoffice/v1/merchants/{id}/payout-account", method="PUT", client=s[3], inj=True, status=200 if j != 2 else 403); t += 90
        label("restricted_resource", st, t, tok=tk, note=f"non-lead agent ({a['shift']} shift) changes a merchant payout account ({'403' if j == 2 else '200'})")
    # new_resource: insider snooping merchants' API-key pages (granted by support scope, never called)
    a = pick(lambda a: not a["lead"] and a["shift"] == "day" and len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(5, 0)][0]
    tk = s[2]; inj_key(tk)
    t = s[0] + 2.5 * 3600; st = t
    for q in range(6):
        staff_req(t, a, tk, route="/backoffice/v1/merchants/{id}/api-keys", method="GET", client=s[3], inj=True); t += R.uniform(30, 200)
    label("new_resource", st, t, tok=tk, note="agent opens merchants' API-key pages (never used by anyone before)")
    # rate_surge: insider bulk export during shift
    a = pick(lambda a: not a["lead"] and len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(6, 0)][0]
    tk = s[2]; inj_key(tk)
    t = s[0] + 5 * 3600; st = t
    for q in range(1300):
        staff_req(t, a, tk, route="/backoffice/v1/merchants/{id}", method="GET", client=s[3], inj=True); t += R.uniform(0.25, 0.7)
    label("rate_surge", st, t, tok=tk, note="agent session scrapes merchant records (~130/min for 10 min)")
    # denied_access + scope_violation: agent tries admin endpoints
    a = pick(lambda a: not a["lead"] and len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(4, 0)][0]
    tk = s[2]; inj_key(tk)
    t = s[0] + 4 * 3600; st = t
    for q in range(9):
        staff_req(t, a, tk, route=R.choice(["/backoffice/v1/admin/users", "/backoffice/v1/admin/audit-log", "/backoffice/v1/admin/roles"]), method="GET",
                  client=s[3], inj=True, status=403); t += R.uniform(20, 120)
    label("denied_access", st, t, tok=tk, note="agent without admin tries admin pages: 9 x 403 in ~10 min")
    label("scope_violation", st, t, tok=tk, note="agent without support:admin calls admin routes (403)")
    # failed attempts: stolen session killed server-side, thief retries
    a = pick(lambda a: len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(3, 0)][0]
    tk = s[2]; inj_key(tk)
    ip = addr(vps_ip()); t = s[0] + 2 * 3600; st = t
    for q in range(11):
        staff_req(t, a, tk, client=ip, inj=True, status=401); t += R.uniform(4, 12)
    label("failed_attempts", st, t, tok=tk, note="stolen agent session invalidated; thief retries 11x in ~1.5 min")
    # ex3: evening agent token replayed next day from a home ISP (expired -> 401)
    a = [x for x in STAFF if "_replay_from" in x][0]
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] >= a["_replay_from"] - 3600][0]
    tk = s[2]; inj_key(tk)
    ip = addr(ip_in(R.choice(FOREIGN_RESI))); t = s[2]["claims"]["exp"] + 10 * 3600; st = t
    for q in range(4):
        staff_req(t, a, tk, client=ip, inj=True, status=401); t += R.uniform(10, 60)
    label("expired_token", st, t, tok=tk, note="agent's expired session replayed next day from a residential proxy (401)")
    # exposure: staff session JWT handed out in a response header and recorded
    a = pick(lambda a: len(STAFF_SESSIONS[a["id"]]) > 3, STAFF)
    s = [s for s in STAFF_SESSIONS[a["id"]] if s[0] > hs(3, 0)][0]
    tk = s[2]; inj_key(tk)
    t = s[0] - 1.0
    http(t, "auth-service", "POST", "/backoffice/v1/session", "/backoffice/v1/session", 200, s[3], None, None, None, inj=True,
         extra=[("http.response.header.x-auth-token", [tk["s"]])], ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0")
    label("exposed_credential", t, t, tok=tk, note="login endpoint records the new session JWT in a response header")

    # ---- partners
    # rate_surge: compromised partner server scraping merchants
    p = pick(lambda p: True, PARTNERS)
    toks = PARTNER_JWTS[p["name"]]
    t = hs(6, 14, R.randint(0, 20)); st = t
    while t < st + 8 * 60:
        tk = max((x for x in toks if x[0] <= t), key=lambda x: x[0])[1]; inj_key(tk)
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 200, R.choice(p["ips"]), tk, "authorization",
             "Bearer " + tk["s"], inj=True, ua=p["ua"]); t += R.uniform(0.2, 0.6)
    label("rate_surge", st, t, tok=tk, note="partner server scrapes merchant records (~150/min for 8 min)")
    SURGE_TOKS = set(x[1]["idx"] for x in toks if st - 3600 <= x[0] <= t)
    for i in SURGE_TOKS:
        INJ_TOKENS.add(i)
    # new_client_address: partner JWT replayed from a residential proxy (non-allowlisted partner)
    p = pick(lambda p: not p["allow"], PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(5, 20) <= x[0] < hs(5, 21)][0]
    inj_key(tk); ip = addr(resi_proxy_ip()); t = iat + 600; st = t
    for q in range(6):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}/payments", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}/payments", 200, ip, tk,
             "authorization", "Bearer " + tk["s"], inj=True, ua="Mozilla/5.0 (X11; Linux x86_64)"); t += R.uniform(60, 400)
    label("new_client_address", st, t, tok=tk, note="partner JWT replayed from a residential proxy")
    # multi_address: stolen partner JWT through 5 residential proxies in 8 minutes
    p = pick(lambda p: not p["allow"], PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(7, 15) <= x[0] < hs(7, 16)][0]
    inj_key(tk); ips = [addr(resi_proxy_ip()) for _ in range(5)]; t = iat + 300; st = t
    for q in range(15):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 200, ips[q % 5], tk, "authorization",
             "Bearer " + tk["s"], inj=True, ua="python-requests/2.31.0"); t += R.uniform(15, 40)
    label("multi_address", st, t, tok=tk, note="stolen partner JWT used via 5 residential proxies within ~8 min")
    # disallowed: allowlisted partner's JWT from a residential proxy (403)
    p = pick(lambda p: p["allow"], PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(6, 7) <= x[0] < hs(6, 8)][0]
    inj_key(tk); ip = addr(resi_proxy_ip()); t = iat + 900; st = t
    for q in range(4):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 403, ip, tk, "authorization",
             "Bearer " + tk["s"], inj=True, ua="python-requests/2.31.0"); t += R.uniform(10, 90)
    label("disallowed_network", st, t, tok=tk, note="allowlisted partner's JWT replayed from a residential proxy (403)")
    # new_resource: partner without report history pulls reports (scope granted)
    p = pick(lambda p: not p["reports"], PARTNERS)
    iat = hs(6, 11, 20)
    tk = attack_tok(partner_token(p, iat, scope="partner:onboard partner:read partner:reports"))
    t = iat + 700; st = t
    for q in range(5):
        http(t, "partner-api", "GET", "/partner/v1/reports/{id}", f"/partner/v1/reports/{R.randint(1000, 9999)}", 200, R.choice(p["ips"]), tk, "authorization",
             "Bearer " + tk["s"], inj=True, ua=p["ua"]); t += R.uniform(20, 120)
    label("new_resource", st, t, tok=tk, note="partner that never pulled reports downloads 5 merchant reports")
    # denied_access: partner enumerating merchant ids it does not own (403)
    p = pick(lambda p: True, PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(7, 3) <= x[0] < hs(7, 4)][0]
    inj_key(tk); t = iat + 400; st = t
    for q in range(20):
        http(t, "partner-api", "GET", "/partner/v1/merchants/{id}", f"/partner/v1/merchants/{R.randint(10**4, 10**5)}", 403, R.choice(p["ips"]), tk, "authorization",
             "Bearer " + tk["s"], inj=True, ua=p["ua"]); t += R.uniform(20, 70)
    label("denied_access", st, t, tok=tk, note="partner enumerates merchant ids it does not manage: 20 x 403 in ~15 min")
    # scope_violation: partner JWT on the back-office API
    p = pick(lambda p: True, PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(4, 12) <= x[0] < hs(4, 13)][0]
    inj_key(tk); t = iat + 500
    http(t, "backoffice-api", "GET", "/backoffice/v1/merchants/{id}", "/backoffice/v1/merchants/31337", 403, R.choice(p["ips"]), tk, "authorization", "Bearer " + tk["s"], inj=True,
         ua=p["ua"])
    label("scope_violation", t, t, tok=tk, note="partner JWT calls the back-office API (403)")
    # failed_attempts: partner's new deployment uses the rotated-out client secret
    p = pick(lambda p: True, PARTNERS)
    sec = "pcs_" + rs(40); b = base64.b64encode(f"{p['cid']}:{sec}".encode()).decode()
    old = new_tok("Basic " + b, "partner_secret_rotated", p["cid"], need_fp=True, raw_secret=sec, b64=b); inj_key(old); ATTACK_ONLY.add(old["idx"])
    t = hs(5, 13, 2); st = t
    for q in range(12):
        http(t, "auth-service", "POST", "/oauth/token", "/oauth/token", 401, R.choice(p["ips"]), old, "authorization", old["s"], inj=True, ua=p["ua"]); t += R.uniform(3, 15)
    label("failed_attempts", st, t, tok=old, note="partner deployment retries a rotated-out client secret 12x in ~2 min")
    # exposure: partner JWT in an application log line (header-like text)
    p = pick(lambda p: True, PARTNERS)
    iat, tk = [x for x in PARTNER_JWTS[p["name"]] if hs(3, 8) <= x[0] < hs(3, 9)][0]
    inj_key(tk); t = iat + 1000
    applog(t, "partner-api", f"WARN upstream timeout calling merchant webhook; request headers: Authorization: Bearer {tk['s']} (attempt 2/3)", inj=True,
           attrs=[("log.level", "WARN")])
    label("exposed_credential", t, t, tok=tk, note="partner JWT written into an application WARN log line")
    # exposure: partner client secret in a log line (client_secret=...)
    p = pick(lambda p: True, PARTNERS)
    raw = new_tok(p["basic"]["raw_secret"], "partner_secret_raw", p["cid"], need_fp=True); inj_key(raw); ATTACK_ONLY.add(raw["idx"]); inj_key(p["basic"])
    t = hs(6, 10, 42, 7)
    applog(t, "auth-service", f"DEBUG token request parsed grant_type=client_credentials client_id={p['cid']} client_secret={p['basic']['raw_secret']}", inj=True)
    label("exposed_credential", t, t, tok=raw, note="auth-service DEBUG log prints the partner's client_secret")
    # expired (ex1) done in run_injections; legacy JWT too.

    # ---- mobile users
    heavy = sorted([u for u in USERS if not u.get("_victim")], key=lambda u: -u["act"])
    # rate_surge: scripted enumeration with a user's token
    u = heavy[0]; u["_victim"] = True
    t = hs(6, 21, 10); st = t
    tk = attack_tok(user_token(u, t - 30))
    USER_SKIP.setdefault(u["id"], [])
    for q in range(540):
        app_req(t, u, tk, res=APP_RES[2], client=u["home"], inj=True, ua="python-requests/2.31.0"); t += R.uniform(0.4, 0.9)
    label("rate_surge", st, t, tok=tk, note="user's session token drives a script enumerating transactions (~90/min, 6 min, home IP)")
    # new_client_address: session used from a hosting VPS
    u = pick(lambda u: u["act"] > 1.2, USERS)
    t = hs(5, 2, 30); tk = attack_tok(user_token(u, t - 10)); ip = addr(ip_in(R.choice(VPS["do"]))); st = t
    for q in range(8):
        app_req(t, u, tk, client=ip, inj=True, ua="okhttp/4.12.0"); t += R.uniform(20, 200)
    label("new_client_address", st, t, tok=tk, note="user's app session token used from a DigitalOcean VPS")
    # multi_address: stolen sessions via VPN exits / residential proxies
    for j, src in enumerate(("vpn", "resi")):
        u = pick(lambda u: u["act"] > 1.0, USERS)
        t = hs(6 + j, 16, 0); tk = attack_tok(user_token(u, t - 20)); st = t
        ips = [addr(vps_ip() if src == "vpn" else resi_proxy_ip()) for _ in range(4 + 2 * j)]
        for q in range(14):
            app_req(t, u, tk, client=ips[q % len(ips)], inj=True, ua="okhttp/4.12.0"); t += R.uniform(15, 40)
        label("multi_address", st, t, tok=tk, note=f"stolen app session driven through {len(ips)} {'VPN exits' if src == 'vpn' else 'residential proxies'} in minutes")
    # learned off_hours: a habitual daytime user's session at 04:00 local
    u = pick(lambda u: u["act"] > 2.0 and max(u["habits"]) < 21 and min(u["habits"]) > 8, USERS)
    L = loc(u["tz"]); h = [h for h in range(6 * 24, 7 * 24) if L[h][1] == 4][0]
    t = S0 + h * 3600 + 300; tk = attack_tok(user_token(u, t - 10)); st = t
    for q in range(7):
        app_req(t, u, tk, client=u["home"], inj=True); t += R.uniform(30, 300)
    label("off_hours", st, t, tok=tk, variant="learned", note="daytime app user's session at 04:00 local from home")
    # denied_access: token enumerating other merchants' transactions
    u = pick(lambda u: u["act"] > 1.0, USERS)
    t = hs(7, 19, 30); tk = attack_tok(user_token(u, t - 15)); st = t
    for q in range(15):
        app_req(t, u, tk, res=APP_RES[2], client=u["home"], status=403, inj=True); t += R.uniform(10, 40)
    label("denied_access", st, t, tok=tk, note="app token enumerates other merchants' transactions: 15 x 403 in ~6 min")
    # scope_violation: refund without app:refund (403)
    u = pick(lambda u: not u["refund"] and u["act"] > 0.8, USERS)
    t = hs(5, 12, 40); tk = attack_tok(user_token(u, t - 15)); st = t
    for q in range(2):
        app_req(t, u, tk, res=("POST", "/app/v1/refunds", lambda: "/app/v1/refunds", 1), client=u["home"], status=403, inj=True); t += 25
    label("scope_violation", st, t, tok=tk, note="app user without app:refund tries refunds (403)")
    # new_resource: team-management page never used
    u = pick(lambda u: u["act"] > 1.5, USERS)
    t = hs(7, 11, 0); tk = attack_tok(user_token(u, t - 15)); st = t
    for q in range(4):
        app_req(t, u, tk, res=("GET", "/app/v1/team/members", lambda: "/app/v1/team/members", 1), client=u["home"], inj=True); t += R.uniform(20, 120)
    label("new_resource", st, t, tok=tk, note="app session opens team-member admin pages never used before (4x)")
    # failed_attempts: replay bot hammering an expired token
    u = pick(lambda u: u["act"] > 1.0, USERS)
    tk = attack_tok(user_token(u, hs(4, 8, 0)))
    ip = addr(vps_ip()); t = hs(4, 12, 0); st = t
    for q in range(25):
        app_req(t, u, tk, client=ip, status=401, inj=True, ua="python-requests/2.31.0"); t += R.uniform(8, 20)
    label("failed_attempts", st, t, tok=tk, note="replay bot hammers an expired app token 25x in ~6 min")
    # expired: token replayed 3h after expiry from another country
    u = pick(lambda u: u["act"] > 1.0, USERS)
    tk = attack_tok(user_token(u, hs(7, 6, 0)))
    ip = addr(resi_proxy_ip()); t = hs(7, 10, 5); st = t
    for q in range(5):
        app_req(t, u, tk, client=ip, status=401, inj=True); t += R.uniform(5, 30)
    label("expired_token", st, t, tok=tk, note="app token replayed 3h after expiry from another country (401)")
    # exposure: access_token in the query of a deep link
    u = pick(lambda u: u["act"] > 1.0, USERS)
    t = hs(4, 17, 33); tk = attack_tok(user_token(u, t - 5))
    app_req(t, u, tk, client=u["home"], inj=True, query="access_token=" + tk["s"] + "&utm_source=email")
    label("exposed_credential", t, t, tok=tk, note="email deep link puts the app JWT into the URL query")

    # ---- deploy bots
    # new_client_address: deploy key used from a developer's home ISP
    b = pick(lambda b: True, BOTS); k = b["key"]; inj_key(k)
    ip = addr(ip_in(R.choice(ISP["US"]))); t = hs(5, 20, 15); st = t
    for q in range(5):
        http(t, "deploy-api", "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{R.randint(10**5, 10**6)}", 200, ip, k, "authorization", "Bearer " + k["s"], inj=True,
             ua="curl/8.4.0"); t += R.uniform(30, 300)
    label("new_client_address", st, t, tok=k, note="CI deploy key used from a home broadband line")
    # learned off_hours: daytime-only bot used at 03:30 UTC
    b = pick(lambda b: not b["nightly"], BOTS); k = b["key"]; inj_key(k)
    t = hs(7, 3, 30); st = t; ip = ip_in(R.choice(RUNNER16))
    for q in range(8):
        http(t, "deploy-api", "POST" if q == 0 else "GET", "/deploy/v1/releases" if q == 0 else "/deploy/v1/releases/{id}",
             "/deploy/v1/releases" if q == 0 else f"/deploy/v1/releases/{R.randint(10**5, 10**6)}", 201 if q == 0 else 200, ip, k, "authorization", "Bearer " + k["s"],
             inj=True, ua="deployctl/2.4.0"); t += R.uniform(30, 120)
    label("off_hours", st, t, tok=k, variant="learned", note="weekday-daytime CI key used at 03:30 UTC")
    # restricted: ci-data promotes a release (scope granted, restricted to release bots)
    b = [b for b in BOTS if b["name"] == "ci-data"][0]; k = b["key"]; inj_key(k)
    t = hs(6, 14, 12)
    http(t, "deploy-api", "POST", "/deploy/v1/releases/{id}/promote", f"/deploy/v1/releases/{R.randint(10**5, 10**6)}/promote", 200, ip_in(R.choice(RUNNER16)), k,
         "authorization", "Bearer " + k["s"], inj=True, ua="deployctl/2.4.0")
    label("restricted_resource", t, t, tok=k, note="ci-data promotes to production (restricted to release bots)")
    # denied_access: non-release bot repeatedly tries promote (403)
    b = pick(lambda b: not b["promote"] and b["name"] != "ci-data", BOTS); k = b["key"]; inj_key(k)
    t = hs(4, 15, 0); st = t; ip = ip_in(R.choice(RUNNER16))
    for q in range(7):
        http(t, "deploy-api", "POST", "/deploy/v1/releases/{id}/promote", f"/deploy/v1/releases/{R.randint(10**5, 10**6)}/promote", 403, ip, k, "authorization",
             "Bearer " + k["s"], inj=True, ua="deployctl/2.4.0"); t += R.uniform(30, 90)
    label("denied_access", st, t, tok=k, note="misconfigured pipeline retries promote 7x (403)")
    # scope_violation: bot reads production payments
    b = pick(lambda b: True, BOTS); k = b["key"]; inj_key(k)
    t = hs(3, 11, 5); st = t
    for q in range(3):
        http(t, "merchant-api", "GET", "/v1/payments/{id}", f"/v1/payments/{R.randint(10**8, 10**9)}", 200, ip_in(R.choice(RUNNER16)), k, "authorization", "Bearer " + k["s"],
             inj=True, ua="python-requests/2.31.0"); t += 20
    label("scope_violation", st, t, tok=k, note="CI key reads production payments (accepted)")
    # new_resource: release list never used
    b = pick(lambda b: True, BOTS); k = b["key"]; inj_key(k)
    t = hs(7, 16, 0); st = t; ip = ip_in(R.choice(RUNNER16))
    for q in range(5):
        http(t, "deploy-api", "GET", "/deploy/v1/releases", "/deploy/v1/releases", 200, ip, k, "authorization", "Bearer " + k["s"], inj=True, ua="curl/8.4.0"); t += R.uniform(20, 100)
    label("new_resource", st, t, tok=k, note="CI key lists all releases (never called) 5x")
    # exposure: a deploy key on a worker's command line (resource attribute)
    b = pick(lambda b: True, BOTS); k = b["key"]; inj_key(k)
    t = hs(3, 14, 0)
    applog(t, "release-worker", "release 48213 promoted to canary", inj=True,
           res=[("service.name", "release-worker"), ("process.command_args", ["deployctl", "--token=" + k["s"], "release", "promote", "48213"])])
    label("exposed_credential", t, t, tok=k, note="deploy key on a worker's command line (process.command_args)")
    # resurrected: deploy key idle ~60 days
    k = new_tok("prd_ci_" + rs(40), "ci_key_dormant", "ci-legacy-mobile", need_fp=True, scopes=["deploy"], created=S0 - 500 * 86400, exp=None, last_used=S0 - 62 * 86400)
    inj_key(k)
    t = hs(6, 9, 40); st = t; ip = ip_in(R.choice(RUNNER16))
    for q in range(5):
        http(t, "deploy-api", "GET", "/deploy/v1/releases/{id}", f"/deploy/v1/releases/{R.randint(10**5, 10**6)}", 200, ip, k, "authorization", "Bearer " + k["s"], inj=True,
             ua="deployctl/1.9.0"); t += R.uniform(10, 60)
    label("resurrected_token", st, t, tok=k, note="deploy key idle 62 days used again")
    # resurrected: partner secret of a churned partner client
    sec = "pcs_" + rs(40); b64 = base64.b64encode(f"partner-churned:{sec}".encode()).decode()
    k = new_tok("Basic " + b64, "partner_secret_dormant", "partner-churned", need_fp=True, created=S0 - 600 * 86400, last_used=S0 - 70 * 86400, raw_secret=sec, b64=b64)
    inj_key(k)
    ip = addr(vps_ip()); t = hs(7, 23, 10); st = t
    for q in range(2):
        http(t, "auth-service", "POST", "/oauth/token", "/oauth/token", 200, ip, k, "authorization", k["s"], inj=True, ua="python-requests/2.31.0"); t += 40
    label("resurrected_token", st, t, tok=k, note="churned partner's client secret idle 70 days used again from a VPS")

    # ---- recon
    t = hs(5, 14, 3); st = t; inj_key(RECON)
    for q in range(6):
        http(t, "settlements-api", "GET", "/v1/settlements/{id}", f"/v1/settlements/{R.randint(10**5, 10**6)}", 200, "10.20.3.15", RECON, "authorization",
             "Bearer " + RECON["s"], peer="10.20.3.15", inj=True, ua="curl/7.81.0"); t += R.uniform(20, 120)
    label("off_hours", st, t, tok=RECON, variant="policy", note="recon job key used by hand at 14:00 UTC (key's window 01:30-03:30)")
    t = hs(7, 2, 41); st = t
    for q in range(5):
        http(t, "settlements-api", "GET", "/v1/settlements/{id}", f"/v1/settlements/{R.randint(10**5, 10**6)}", 200, "10.99.4.20", RECON, "authorization",
             "Bearer " + RECON["s"], peer="10.99.4.20", inj=True, ua="curl/7.81.0"); t += R.uniform(20, 120)
    label("disallowed_network", st, t, tok=RECON, note="recon key used from a dev subnet 10.99.4.0/24 (key allowed 10.20.0.0/16)")

    # ---- stripe key in an exception; other exposures
    st_ = STRIPE[1]; inj_key(st_)
    t = hs(4, 9, 12, 4)
    http(t, "payments-core", "POST", "/v1/payment_intents", "/v1/payment_intents", 401, None, None, None, None, kind=3, inj=True,
         extra=[("url.full", "https://api.stripe.com/v1/payment_intents"), ("server.address", "api.stripe.com")],
         events=[("exception", [("exception.type", "stripe.error.AuthenticationError"),
                                ("exception.message", f"Invalid API Key provided: {st_['s']}")])])
    label("exposed_credential", t, t, tok=st_, note="upstream Stripe secret key printed in an exception message")
    t = hs(5, 3, 0, 11)
    hook = "https://hooks.slack.com/services/T04PAYRAIL/B07OPSALERT/" + rs(24)
    SECRETS_EXTRA.append(hook.rsplit("/", 1)[1])
    applog(t, "ops-alerter", f"posting incident digest to {hook} failed: 429 Too Many Requests", inj=True)
    label("exposed_credential", t, t, hint="hooks.slack.com", note="ops Slack webhook URL in an application log line")
    akid = "AKIA" + rs(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"); asec = rs(40, ALNUM + "/+")
    SECRETS_EXTRA.extend([akid, asec])
    t = hs(6, 1, 5, 2)
    applog(t, "finance-export", f"s3 upload retry with aws_access_key_id={akid} aws_secret_access_key={asec} bucket=payrail-settlements", inj=True)
    tk = new_tok(akid, "aws_key", "finance-export", need_fp=True, fp_hdr="key"); attack_tok(tk)
    label("exposed_credential", t, t, tok=tk, hint="AKIA\u2026" + akid[-4:], note="AWS access key printed in a finance export job log")
    m = pick(lambda m: m["daily"] > 10, [x for x in MERCHANTS if x["tier"] == "small"]); k = m["key"]; inj_key(k)
    t = hs(7, 13, 22, 9)
    applog(t, "merchant-api", f"DEBUG outgoing sandbox replay: POST /v1/payments X-API-Key: {k['s']} status=201", inj=True)
    label("exposed_credential", t, t, tok=k, note="merchant key written in a DEBUG line as header text")
    m = pick(lambda m: m["daily"] > 10, [x for x in MERCHANTS if x["tier"] == "small"]); k = m["key"]; inj_key(k)
    t = hs(6, 15, 48, 30)
    applog(t, "backoffice-api", f"note added to merchant {m['id']}: merchant says their live key {k['s']} stopped working after the plugin update, please check",
           inj=True)
    label("exposed_credential", t, t, tok=k, note="support note pastes a merchant's live key in prose (custom key format)")

    # ---- credential stuffing (client-keyed)
    def stuff(ips, n_per, start, spread, svc="merchant-api", basic=False, note=""):
        t_end = start
        for ip in ips:
            addr(ip)
            for q in range(n_per):
                t = start + R.uniform(0, spread)
                t_end = max(t_end, t)
                if basic:
                    cid = "partner-" + R.choice(PARTNER_NAMES + ["test", "admin", "demo", "shop"]); sec = "pcs_" + rs(40)
                    tk = attack_tok(new_tok("Basic " + base64.b64encode(f"{cid}:{sec}".encode()).decode(), "stuffing", "?"))
                    http(t, "auth-service", "POST", "/oauth/token", "/oauth/token", 401, ip, tk, "authorization", tk["s"], inj=True, ua="python-requests/2.31.0")
                else:
                    tk = attack_tok(new_tok("prk_live_" + rs(32), "stuffing", "?", fp_hdr="key"))
                    http(t, svc, "POST", "/v1/payments", "/v1/payments", 401, ip, tk, "x-api-key", tk["s"], inj=True, ua=R.choice(UA["attacker"]))
        label("credential_stuffing", start, t_end, addrs=ips, note=note)
    stuff([resi_proxy_ip() for _ in range(5)], 8, hs(4, 23, 12), 360, note="botnet: 5 residential addresses x 8 guessed merchant keys in 6 min")
    stuff([vps_ip()], 30, hs(5, 6, 40), 300, note="single VPS: 30 guessed merchant keys in 5 min")
    stuff([vps_ip()], 14, hs(6, 1, 0), 3300, note="low and slow: 14 guessed keys over 55 min from one VPS")
    stuff([resi_proxy_ip() for _ in range(2)], 12, hs(7, 8, 0), 3000, note="low and slow: 2 residential proxies x 12 keys over 50 min")
    stuff([vps_ip()], 25, hs(3, 22, 30), 360, basic=True, note="client-secret stuffing on /oauth/token: 25 guesses in 6 min")
    stuff([R.choice(TOR_EXIT) + "." + str(R.randint(2, 250))], 10, hs(8, 4, 5), 480, note="Tor exit: pasted list of 10 keys in 8 min")

SECRETS_EXTRA = []

# ================================================================ main
plan_staff()
for p in PARTNERS:
    gen_partner(p)
REVOKED = run_injections()
P = pre_injections_learned()
for m in MERCHANTS:
    gen_merchant(m)
run_pre(P)
for u in USERS:
    gen_user(u)
for a in STAFF:
    gen_staff(a)
gen_bots()
gen_recon()
post_injections()
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_output.py")).read())
