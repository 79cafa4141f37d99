#!/usr/bin/env python3
"""eval11 world: "CampusLoop", an online education platform (LMS API) over nine days.

usage: AUDITCTL=/path/auditctl world.py OUTDIR SEED [scale]
Python 3 standard library only; deterministic by seed (the fingerprint key and issuer secrets derive from it).

Population (all behind an API gateway that forwards X-Forwarded-For; each backend's instrumentation writes
client.address, socket peer = the gateway's private address):
  students on 1-hour JWTs (app), in five time zones, home / mobile carrier / campus networks, evening or day habits;
  teachers on 8-hour JWTs (web), home + campus;
  support staff on 8-hour JWTs, office + VPN only, Berlin office hours (the org's rules -> policy);
  ops admins; LTI tool integrations on hourly client-credential JWTs from their clouds;
  district SIS sync keys (X-API-Key, registered, bound to the district's network) syncing nightly;
  reporting keys (opaque bearer, registered) a few calls a day (low-rate).
Org-wide events: a 5xx incident (Wed), the weekend, and exam day (Mon 16th): 09:00 local exam with 60 s autosave.
Telemetry realism: each OTLP request merges several services' spans, delayed up to 6 min (out of event-time
order within 15 min), ~1% of requests sent twice, clean 401s at token expiry.
"""
import base64, collections, datetime as dt, gzip, hashlib, hmac, json, os, random, subprocess, sys

OUT, SEED = sys.argv[1], int(sys.argv[2])
SCALE = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
AUDITCTL = os.environ.get("AUDITCTL", "auditctl")
R = random.Random(SEED)
os.makedirs(OUT, exist_ok=True)

T0 = int(dt.datetime(2026, 11, 9, tzinfo=dt.timezone.utc).timestamp())  # Monday 00:00 UTC
DAYS = 9
T_END = T0 + DAYS * 86400
H, D, M = 3600, 86400, 60

def iso(t):
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def hexs(n, r=R):
    return "%0*x" % (n, r.getrandbits(4 * n))

# ---------------------------------------------------------------- secrets
def derive(name):
    return hashlib.sha256(f"eval11/{SEED}/{name}".encode()).hexdigest()
FP_KEY = derive("fingerprint")
SEC = {"student": derive("jwt-student")[:48], "staff": derive("jwt-staff")[:48], "lti": derive("jwt-lti")[:48]}
ISS = {"student": "https://id.campusloop.example/", "staff": "https://staff-id.campusloop.example/",
       "lti": "https://lti.campusloop.example"}
KID = {"student": "cl-id-2026", "staff": "cl-staff-2026", "lti": "cl-lti-2026"}
secrets = set(SEC.values())

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(kind, claims, secret=None, r=R):
    h = b64u(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID[kind]}, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64u(hmac.new((secret or SEC[kind]).encode(), f"{h}.{p}".encode(), hashlib.sha256).digest())
    tok = f"{h}.{p}.{sig}"
    secrets.add(tok); secrets.add(sig)
    return tok

def mk_jwt(kind, sub, client, scope, iat, life, r=R, **extra):
    c = {"iss": ISS[kind], "sub": sub, "aud": "campusloop-api", "client_id": client, "scope": scope,
         "iat": int(iat), "exp": int(iat + life), "jti": hexs(24, r)}
    c.update(extra)
    return jwt(kind, c), c["jti"]

# ---------------------------------------------------------------- networks
ZONES = {  # name: (utc offset hours in November, home ISP /16 pools, mobile pool (/12-ish base,count of /16), campus /16)
    "DE": (1, ["84.%d" % i for i in range(130, 190)] + ["79.%d" % i for i in range(192, 250)], ["176.%d" % i for i in range(0, 8)], "141.20"),
    "US": (-5, ["73.%d" % i for i in range(0, 250)] + ["98.%d" % i for i in range(192, 250)], ["172.%d" % i for i in range(56, 60)], "128.59"),
    "IN": (5.5, ["122.%d" % i for i in range(160, 176)] + ["106.%d" % i for i in range(51, 52)], ["49.%d" % i for i in range(32, 63)], "14.139"),
    "BR": (-3, ["177.%d" % i for i in range(32, 48)] + ["189.%d" % i for i in range(0, 31)], ["179.%d" % i for i in range(0, 15)], "143.107"),
    "AU": (11, ["101.%d" % i for i in range(160, 191)] + ["49.%d" % i for i in range(176, 191)], ["1.%d" % i for i in range(128, 159)], "130.56"),
}
ZONE_W = [("DE", 0.35), ("US", 0.25), ("IN", 0.2), ("BR", 0.1), ("AU", 0.1)]
def pick_zone(r=R):
    x = r.random(); a = 0
    for z, w in ZONE_W:
        a += w
        if x < a:
            return z
    return "DE"
def addr_in16(p16, r=R):
    return f"{p16}.{r.randint(0, 255)}.{r.randint(2, 254)}"
def addr_in24(p24, r=R):
    return f"{p24}.{r.randint(2, 254)}"
CLOUD = {"aws-fra": ["3.120", "3.121", "18.184", "18.185", "52.28"], "aws-use1": ["3.80", "3.81", "54.80", "54.81"],
         "gcp": ["34.64", "34.65", "35.190"], "azure": ["20.50", "20.113", "40.74"]}
OFFICE = "195.37.120"; VPN = "195.37.121"
GATEWAYS = ["10.20.0.11", "10.20.0.12", "10.20.1.11"]
VPS = {"do": ["159.65", "167.99", "206.189", "138.68"], "ovh": ["51.38", "145.239", "51.75"], "hetzner": ["95.216", "65.21", "135.181"],
       "linode": ["139.162", "172.105"], "vultr": ["45.76", "45.77"]}
attack_addresses = set()
def vps_addr(kind=None, r=R):
    kind = kind or r.choice(list(VPS))
    a = addr_in16(r.choice(VPS[kind]), r)
    attack_addresses.add(a)
    return a

# ---------------------------------------------------------------- routes and scopes
SCOPES = {
    "courses:read": ["GET /courses", "GET /courses/{course_id}", "GET /courses/{course_id}/materials", "GET /courses/{course_id}/materials/{id}"],
    "courses:write": ["POST /courses/{course_id}/materials", "PUT /courses/{course_id}/materials/{id}"],
    "submissions:write": ["POST /courses/{course_id}/submissions", "GET /courses/{course_id}/submissions/{id}"],
    "submissions:read": ["GET /courses/{course_id}/submissions", "GET /courses/{course_id}/submissions/{id}"],
    "grades:read": ["GET /me/grades"],
    "grades:write": ["POST /courses/{course_id}/grades", "PUT /courses/{course_id}/grades/{id}"],
    "exams:take": ["GET /exams/{exam_id}", "POST /exams/{exam_id}/attempts", "PUT /exams/{exam_id}/attempts/{id}/answers"],
    "exams:manage": ["POST /exams", "GET /exams/{exam_id}/results"],
    "roster:read": ["GET /courses/{course_id}/roster", "GET /schools/{school_id}/roster"],
    "lti:launch": ["POST /lti/launch", "POST /lti/deep-links"],
    "users:admin": ["* /admin/**"],
    "reports:read": ["GET /reports/{id}"],
}
SVC = {"courses": "courses-svc", "me": "grades-svc", "exams": "exams-svc", "lti": "lti-svc", "schools": "sis-svc",
       "admin": "admin-svc", "reports": "reports-svc", "users": "messaging-svc"}
def service_of(route):
    seg = route.split("/")[1]
    if "/grades" in route:
        return "grades-svc"
    if "/submissions" in route:
        return "submissions-svc"
    return SVC.get(seg, "courses-svc")

def concrete(route, r=R):
    out = []
    for s in route.split("/"):
        if s.startswith("{"):
            out.append(str(r.randint(1000, 99999)) if s != "{exam_id}" else "ex-" + str(r.randint(100, 999)))
        else:
            out.append(s)
    return "/".join(out)

# ---------------------------------------------------------------- events
# event: dict t (float s), method, route, status, client, auth (header name, value) or None, extra attrs, label id or None, cred key
EVENTS = []
cred_info = {}  # raw credential -> (class, owner, kind) ; kind in jwt/key/basic/bearer
injected_creds = set(); attack_only = set()
labels = []
def add(t, method, route, status, client, cred, hdr="authorization", scheme="Bearer ", lab=None, extra=None, path=None):
    if t < T0 or t >= T_END:
        return
    EVENTS.append((t, method, route, status, client, cred, hdr, scheme, lab, extra, path))
    if lab is not None and cred:
        injected_creds.add(cred)

def label(typ, start, end, note, token=None, token_class=None, **kw):
    l = dict(id=f"L{len(labels) + 1:03d}", type=typ, start=iso(start), end=iso(end), note=note, token_class=token_class)
    if token is not None:
        l["_cred"] = token
        injected_creds.add(token)
    l.update(kw)
    labels.append(l)
    return l["id"]

def local_day_start(day, off):
    return T0 + day * D - off * H

def weekday(day):  # 0 = Monday
    return day % 7

EXAM_DAY = 7   # Monday 16 Nov (UTC calendar); exam at 09:00 local
INCIDENT = (T0 + 2 * D + 14 * H, T0 + 2 * D + 14 * H + 40 * M)

def status_for(t, route, base=200):
    if INCIDENT[0] <= t < INCIDENT[1] and route.split("/")[1] == "courses":
        return 503
    return base

# ---------------------------------------------------------------- students
N_STU = int(4000 * SCALE)
students = []
STU_ROUTES = [("GET", "/courses", 5), ("GET", "/courses/{course_id}", 6), ("GET", "/courses/{course_id}/materials", 6),
              ("GET", "/courses/{course_id}/materials/{id}", 10), ("GET", "/me/grades", 2), ("POST", "/courses/{course_id}/submissions", 1),
              ("GET", "/courses/{course_id}/submissions/{id}", 2)]
STU_RW = [w for _, _, w in STU_ROUTES]
STU_SCOPE = "courses:read submissions:write exams:take grades:read"
for i in range(N_STU):
    z = pick_zone()
    off, homes, mobiles, campus = ZONES[z]
    places = []
    home = addr_in16(R.choice(homes))
    places.append(("home", home))
    if R.random() < 0.7:
        places.append(("mobile", R.choice(mobiles)))
    if R.random() < 0.5:
        places.append(("campus", campus))
    if R.random() < 0.15:  # a second home (parents, partner)
        places.append(("home2", addr_in16(R.choice(homes))))
    habit = R.choice(["evening", "evening", "day", "mixed", "late"])
    students.append(dict(id=f"stu-{i:05d}", zone=z, off=off, places=places, habit=habit,
                         p_wd=R.uniform(0.15, 0.7), p_we=R.uniform(0.02, 0.35), exam=R.random() < 0.35,
                         low=R.random() < 0.08, travel=R.random() < 0.01))

def stu_addr(s, hour_local, r=R):
    opts = []
    for kind, a in s["places"]:
        if kind == "campus":
            if 8 <= hour_local < 18:
                opts += [(kind, a)] * 3
        elif kind == "mobile":
            opts += [(kind, a)] * 2
        else:
            opts += [(kind, a)] * 4
    kind, a = r.choice(opts)
    if kind == "mobile":
        return addr_in16(a, r)
    if kind == "campus":
        return addr_in16(a, r)
    return a

def session(cred, start, n, route_pick, client_fn, dur, status_base=200, lab=None, hdr="authorization", scheme="Bearer "):
    ts = sorted(start + R.uniform(0, dur) for _ in range(n))
    for t in ts:
        m, rt = route_pick()
        add(t, m, rt, status_for(t, rt, status_base), client_fn(t), cred, hdr, scheme, lab)
    return ts

def stu_route():
    m, rt, _ = R.choices(STU_ROUTES, STU_RW)[0]
    return m, rt

stu_tokens = collections.defaultdict(list)  # student -> [(token, jti, iat, exp, addr)]
for s in students:
    for day in range(DAYS):
        wd = weekday(day)
        p = s["p_we"] if wd >= 5 else s["p_wd"]
        if s["low"]:
            p *= 0.25
        if R.random() >= p:
            continue
        for _ in range(1 if R.random() < 0.75 else 2):
            hl = {"evening": R.uniform(17, 23.5), "day": R.uniform(8.5, 17), "mixed": R.uniform(8, 23),
                  "late": R.choice([R.uniform(20, 24), R.uniform(0, 2)])}[s["habit"]]
            start = local_day_start(day, s["off"]) + hl * H
            tok, jti = mk_jwt("student", s["id"], "campusloop-app", STU_SCOPE, start - R.uniform(0, 60), 3600)
            cred_info[tok] = ("student", s["id"], "jwt")
            addr = stu_addr(s, hl)
            if s["travel"] and day == 3:
                addr = addr_in16(R.choice(ZONES[R.choice([z for z in ZONES if z != s["zone"]])][1]))
            n = max(3, int(R.lognormvariate(2.3, 0.5)))
            session(tok, start, n, stu_route, lambda t, a=addr: a, min(50 * M, n * R.uniform(40, 150)))
            stu_tokens[s["id"]].append((tok, jti, start, start + 3600, addr))
            if R.random() < 0.05:  # app still open at expiry: one refused call, then a new login
                add(start + 3600 + R.uniform(1, 120), "GET", "/courses/{course_id}/materials", 401, addr, tok)
# exam day: 09:00 local, 60-75 min with a 60 s autosave
for s in students:
    if not s["exam"]:
        continue
    st = local_day_start(EXAM_DAY, s["off"]) + 9 * H - R.uniform(5, 15) * M
    tok, jti = mk_jwt("student", s["id"], "campusloop-app", STU_SCOPE, st, 3600)
    cred_info[tok] = ("student", s["id"], "jwt")
    addr = stu_addr(s, 9)
    exid = R.randint(100, 140)
    add(st, "GET", "/exams/{exam_id}", 200, addr, tok, path=f"/exams/ex-{exid}")
    add(st + R.uniform(300, 700), "POST", "/exams/{exam_id}/attempts", 201, addr, tok, path=f"/exams/ex-{exid}/attempts")
    t = st + 10 * M + R.uniform(0, 120)
    end = min(st + 3600 - 30, t + R.uniform(55, 70) * M)
    while t < end:
        add(t, "PUT", "/exams/{exam_id}/attempts/{id}/answers", 200, addr, tok, path=f"/exams/ex-{exid}/attempts/{R.randint(1, 9)}/answers")
        t += R.uniform(55, 65)
    stu_tokens[s["id"]].append((tok, jti, st, st + 3600, addr))

# ---------------------------------------------------------------- teachers
N_TCH = int(300 * SCALE)
teachers = []
TCH_SCOPE = "courses:read courses:write submissions:read grades:write exams:manage roster:read"
TCH_ROUTES = [("GET", "/courses", 3), ("GET", "/courses/{course_id}", 5), ("GET", "/courses/{course_id}/materials", 4),
              ("POST", "/courses/{course_id}/materials", 1), ("PUT", "/courses/{course_id}/materials/{id}", 2),
              ("GET", "/courses/{course_id}/submissions", 5), ("GET", "/courses/{course_id}/submissions/{id}", 8),
              ("PUT", "/courses/{course_id}/grades/{id}", 5), ("GET", "/courses/{course_id}/roster", 2)]
TCH_RW = [w for *_, w in TCH_ROUTES]
def tch_route():
    m, rt, _ = R.choices(TCH_ROUTES, TCH_RW)[0]
    return m, rt
tch_tokens = collections.defaultdict(list)
for i in range(N_TCH):
    z = pick_zone(); off, homes, mobiles, campus = ZONES[z]
    tch = dict(id=f"tch-{i:04d}", zone=z, off=off, home=addr_in16(R.choice(homes)), campus=addr_in16(campus),
               start=R.uniform(7, 9.5), end=R.uniform(15.5, 19), evening=R.random() < 0.3, p_we=R.uniform(0, 0.3))
    teachers.append(tch)
    for day in range(DAYS):
        wd = weekday(day)
        if wd >= 5 and R.random() >= tch["p_we"]:
            continue
        if wd < 5 and R.random() < 0.08:
            continue
        first = local_day_start(day, off) + (tch["start"] if wd < 5 else R.uniform(10, 16)) * H
        tok, jti = mk_jwt("staff", tch["id"], "campusloop-web", TCH_SCOPE, first, 8 * H)
        cred_info[tok] = ("teacher", tch["id"], "jwt")
        tch_tokens[tch["id"]].append((tok, jti, first, first + 8 * H))
        nsess = R.randint(2, 3) if wd < 5 else 1
        for k in range(nsess):
            t0 = first + k * R.uniform(1.5, 2.5) * H
            if t0 > first + 7.5 * H:
                break
            hl = (t0 - local_day_start(day, off)) / H
            addr = tch["campus"] if (wd < 5 and hl < 15 and R.random() < 0.75) else tch["home"]
            n = R.randint(6, 20)
            session(tok, t0, n, tch_route, lambda t, a=addr: a, 30 * M)
        if tch["evening"] and wd < 5 and R.random() < 0.5:  # evening grading from home, new token
            t0 = local_day_start(day, off) + R.uniform(19.5, 22) * H
            tok2, jti2 = mk_jwt("staff", tch["id"], "campusloop-web", TCH_SCOPE, t0, 8 * H)
            cred_info[tok2] = ("teacher", tch["id"], "jwt")
            tch_tokens[tch["id"]].append((tok2, jti2, t0, t0 + 8 * H))
            session(tok2, t0, R.randint(5, 15), tch_route, lambda t, a=tch["home"]: a, 40 * M)
        if day == EXAM_DAY and wd < 5:  # exam results: a route many teachers call for the first time
            t0 = local_day_start(day, off) + R.uniform(10.5, 13) * H
            for _ in range(R.randint(3, 6)):
                add(t0 + R.uniform(0, 20 * M), "GET", "/exams/{exam_id}/results", 200, tch["campus"], tok)

# ---------------------------------------------------------------- support staff and ops admins (Berlin office, office/VPN only)
SUP_SCOPE = "users:admin courses:read"
SUP_ROUTES = [("GET", "/admin/users/{id}", 6), ("PUT", "/admin/users/{id}", 2), ("POST", "/admin/users/{id}/password-reset", 2),
              ("GET", "/courses/{course_id}", 3), ("GET", "/admin/tickets", 3)]
def sup_route():
    m, rt, _ = R.choices(SUP_ROUTES, [w for *_, w in SUP_ROUTES])[0]
    return m, rt
support = []
for i in range(30):
    sp = dict(id=f"sup-{i:02d}", office=addr_in24(OFFICE), vpn=addr_in24(VPN), start=R.uniform(7.2, 9.5), end=R.uniform(15.5, 18.5))
    support.append(sp)
    sp["tokens"] = []
    for day in range(DAYS):
        if weekday(day) >= 5 or R.random() < 0.1:
            continue
        first = local_day_start(day, 1) + sp["start"] * H
        tok, jti = mk_jwt("staff", sp["id"], "campusloop-admin", SUP_SCOPE, first, 8 * H)
        cred_info[tok] = ("support", sp["id"], "jwt")
        sp["tokens"].append((tok, jti, first, first + 8 * H))
        addr = sp["office"] if R.random() < 0.7 else sp["vpn"]
        dur = (sp["end"] - sp["start"]) * H
        session(tok, first, R.randint(20, 50), sup_route, lambda t, a=addr: a, min(dur, 8 * H - 60))
ops = []
for i in range(2):
    op = dict(id=f"ops-admin-{i + 1}", office=addr_in24(OFFICE))
    ops.append(op)
    for day in range(DAYS):
        if weekday(day) >= 5:
            continue
        first = local_day_start(day, 1) + R.uniform(8, 10) * H
        tok, jti = mk_jwt("staff", op["id"], "campusloop-admin", "users:admin", first, 8 * H)
        cred_info[tok] = ("ops", op["id"], "jwt")
        session(tok, first, R.randint(5, 15), lambda: R.choice([("GET", "/admin/users/{id}"), ("POST", "/admin/users/{id}/impersonate"), ("DELETE", "/admin/users/{id}")]),
                lambda t, a=op["office"]: a, 6 * H)

# ---------------------------------------------------------------- LTI integrations (hourly client-credential JWTs)
LTI_KINDS = {"proctor": ("roster:read lti:launch exams:take", [("POST", "/lti/launch", 3), ("GET", "/courses/{course_id}/roster", 2), ("GET", "/exams/{exam_id}", 2)]),
             "plagiarism": ("submissions:read lti:launch", [("GET", "/courses/{course_id}/submissions", 2), ("GET", "/courses/{course_id}/submissions/{id}", 6), ("POST", "/lti/launch", 1)]),
             "video": ("courses:read lti:launch roster:read", [("POST", "/lti/launch", 4), ("POST", "/lti/deep-links", 2), ("GET", "/courses/{course_id}/materials", 2)])}
ltis = []
for i in range(int(25 * max(SCALE, 0.4))):
    kind = ["proctor", "plagiarism", "video"][i % 3]
    cloud = R.choice(list(CLOUD))
    addrs = [addr_in16(R.choice(CLOUD[cloud])) for _ in range(R.randint(2, 4))]
    li = dict(id=f"lti-{kind}-{i:02d}", kind=kind, cloud=cloud, addrs=addrs, rate=R.uniform(4, 30), allday=R.random() < 0.5, tokens=[])
    ltis.append(li)
    scope, routes = LTI_KINDS[kind]
    for hour in range(DAYS * 24):
        t0 = T0 + hour * H
        hu = (hour % 24)
        wd = weekday(hour // 24)
        f = 1.0 if (6 <= hu < 20) else (0.4 if li["allday"] else 0.0)
        if wd >= 5:
            f *= 0.3
        if kind == "proctor" and hour // 24 == EXAM_DAY:
            f *= 3
        n = int(R.gauss(li["rate"] * f, max(1, li["rate"] * f * 0.2))) if f > 0 else 0
        if n <= 0:
            continue
        lti_iat = t0 + R.uniform(-120, 0)   # v2: kept to end the hour's calls before the real expiry
        tok, jti = mk_jwt("lti", li["id"], li["id"], scope, lti_iat, 3600)
        cred_info[tok] = ("lti", li["id"], "jwt")
        li["tokens"].append((tok, jti, t0, t0 + 3600))
        if R.random() < 0.01:  # redeploy: a new address in its cloud
            li["addrs"].append(addr_in16(R.choice(CLOUD[cloud])))
        session(tok, t0 + 5, n, lambda rs=routes: (lambda x: (x[0], x[1]))(R.choices(rs, [w for *_, w in rs])[0]),
                lambda t, a=li["addrs"]: R.choice(a), min(3590, lti_iat + 3600 - 15 - (t0 + 5)))  # v2: calls end before the token expires

# ---------------------------------------------------------------- district SIS keys and reporting keys
registry = []
districts = []
def new_key():
    k = "clk_live_" + "".join(R.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    secrets.add(k)
    return k
ISP_BIZ = {z: ZONES[z][1] for z in ZONES}
def sis_nightly(dd, day, lab=None, status=200, client=None):
    off = ZONES[dd["zone"]][0]
    t0 = local_day_start(day, off) + dd["sync_at"] * H + R.uniform(-300, 300)
    n = R.randint(25, 60)
    ts = sorted(t0 + R.uniform(0, 12 * M) for _ in range(n))
    for j, t in enumerate(ts):
        if j < n * 0.6:
            add(t, "GET", "/schools/{school_id}/roster", status, client or dd["addr"], dd["key"], "x-api-key", "", lab)
        else:
            add(t, "PUT", "/courses/{course_id}/grades/{id}", status, client or dd["addr"], dd["key"], "x-api-key", "", lab)
    return t0, ts[-1]
def sis_day(dd, day, lab=None):
    off = ZONES[dd["zone"]][0]
    for _ in range(R.randint(1, 3)):
        t = local_day_start(day, off) + R.uniform(9, 16) * H
        add(t, "GET", "/courses/{course_id}/roster", 200, dd["addr"], dd["key"], "x-api-key", "", lab)
N_DIS = int(180 * max(SCALE, 0.3))
for i in range(N_DIS):
    z = pick_zone()
    p24 = f"{R.choice(ISP_BIZ[z])}.{R.randint(0, 255)}"
    created = T0 - R.randint(100, 340) * D
    dd = dict(id=f"district-{i:03d}", zone=z, addr=addr_in24(p24), net=p24 + ".0/24", key=new_key(), sync_at=R.uniform(1, 4),
              created=created, expires=created + 365 * D, scopes=["roster:read", "grades:write"])
    districts.append(dd)
    cred_info[dd["key"]] = ("district", dd["id"], "key")
reports = []
for i in range(int(120 * max(SCALE, 0.3))):
    z = pick_zone()
    k = "clr_" + "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))
    secrets.add(k)
    created = T0 - R.randint(20, 300) * D
    rp = dict(id=f"reporting-{i:03d}", zone=z, key=k, addr=addr_in16(R.choice(ISP_BIZ[z])), created=created, expires=created + 365 * D)
    reports.append(rp)
    cred_info[k] = ("reports", rp["id"], "bearer")
def reports_traffic(rp, skip_days=(), lab=None):
    off = ZONES[rp["zone"]][0]
    for day in range(DAYS):
        if day in skip_days or (weekday(day) >= 5 and R.random() < 0.8):
            continue
        for _ in range(R.randint(0, 3)):
            add(local_day_start(day, off) + R.uniform(7, 19) * H, "GET", "/reports/{id}", 200, rp["addr"], rp["key"], lab=lab)

# ================================================================ injections (labels)
def L(typ, start, end, note, cred, cls, **kw):
    return label(typ, start, end, note, token=cred, token_class=cls, **kw)
used_students = set(); used_teachers = set()
def pick_student(min_tokens=3):
    while True:
        s = R.choice(students)
        mid = [x for x in stu_tokens[s["id"]] if T0 + D <= x[2] <= T_END - D]
        if s["id"] not in used_students and len(mid) >= min_tokens:
            used_students.add(s["id"]); stu_tokens[s["id"]] = mid; return s
def pick_teacher():
    while True:
        t = R.choice(teachers)
        if t["id"] not in used_teachers and len(tch_tokens[t["id"]]) >= 6:
            used_teachers.add(t["id"]); return t
def tok_at_or_after(lst, t):
    for x in lst:
        if x[2] >= t:
            return x
    return lst[-1]
REVOKED = []
REG_EXTRA = []  # extra registry entries for injected keys
inj_districts = set()
def pick_district():
    while True:
        dd = R.choice(districts)
        if dd["id"] not in inj_districts:
            inj_districts.add(dd["id"]); return dd

# --- expired_token x4
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 3 * D)
t = exp + 3 * H
for k in range(5):
    add(t + k * 40, "GET", "/courses/{course_id}/submissions", 200, tch["home"], tok, lab="x")
L("expired_token", t, t + 200, "teacher's 8h JWT used 3h after expiry from home, accepted by a legacy endpoint", tok, "teacher")
li = R.choice(ltis); tok, jti, iat, exp = li["tokens"][len(li["tokens"]) // 2]
t = exp + 2 * H; a = vps_addr("do")
for k in range(6):
    add(t + k * 25, "GET", "/courses/{course_id}/roster", 401, a, tok, lab="x")
L("expired_token", t, t + 150, "LTI hourly JWT replayed 2h after expiry from DigitalOcean, refused 401", tok, "lti")
s = pick_student(); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][1]
t = exp + 5 * H; a = vps_addr("hetzner")
for k in range(4):
    add(t + k * 60, "GET", "/courses/{course_id}/materials/{id}", 200, a, tok, lab="x")
L("expired_token", t, t + 240, "student JWT replayed 5h after expiry from Hetzner, accepted", tok, "student")
dd = pick_district(); dd["expires"] = T0 + 4 * D; dd["created"] = T0 - 200 * D   # expires Fri 13 00:00, still syncing
for day in range(DAYS):
    s0, e0 = sis_nightly(dd, day, lab="x" if T0 + day * D + 0 >= dd["expires"] - 86400 else None)
    if s0 >= dd["expires"] and not any(l["type"] == "expired_token" and l.get("_cred") == dd["key"] for l in labels):
        L("expired_token", s0, e0, "district SIS key past its registry expires_at still used by the nightly sync", dd["key"], "district")
L("expiring_soon", T0, dd["expires"], "district SIS key expires 2026-11-13 (registry), in use", dd["key"], "district")
dd["done"] = True

# --- not_yet_valid_token x3 (minted with nbf 3h ahead)
for k in range(3):
    li = ltis[(k * 7 + 3) % len(ltis)]
    t = T0 + (2 + 2 * k) * D + R.uniform(9, 15) * H
    tok = jwt("lti", {"iss": ISS["lti"], "sub": li["id"], "aud": "campusloop-api", "client_id": li["id"], "scope": LTI_KINDS[li["kind"]][0],
                      "iat": int(t), "nbf": int(t + 3 * H), "exp": int(t + 4 * H), "jti": hexs(24)})
    cred_info[tok] = ("lti", li["id"], "jwt"); attack_only.add(tok)
    for j in range(4):
        add(t + j * 30, "GET", "/courses/{course_id}/roster", 200, li["addrs"][0], tok, lab="x")
    L("not_yet_valid_token", t, t + 120, "LTI JWT minted with nbf 3h in the future, used at once", tok, "lti")

# --- revoked_token x4
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 3 * D)
rv = iat + 2 * H
REVOKED.append({"jti": jti, "revoked_at": iso(rv)})
for k in range(6):
    add(rv + 30 * M + k * 60, "GET", "/courses/{course_id}/submissions/{id}", 200, tch["home"], tok, lab="x")
L("revoked_token", rv + 30 * M, rv + 36 * M, "teacher JWT revoked (jti, leaked in a support ticket) used after revocation", tok, "teacher")
dd = pick_district()
rv = T0 + 4 * D + 12 * H
REVOKED.append({"id": "@" + dd["key"], "revoked_at": iso(rv)})
first_after = None
for day in range(DAYS):
    s0, e0 = sis_nightly(dd, day, lab="x" if T0 + (day + 1) * D > rv else None)
    if s0 > rv and first_after is None:
        first_after = (s0, e0)
L("revoked_token", first_after[0], first_after[1], "district SIS key revoked Thu 12:00 (rotation) still used by the nightly sync", dd["key"], "district")
dd["done"] = True
li = R.choice(ltis); tok, jti, iat, exp = li["tokens"][int(len(li["tokens"]) * 0.6)]
REVOKED.append({"jti": jti, "revoked_at": iso(iat + 10 * M)})
a = vps_addr("ovh")
for k in range(5):
    add(iat + 25 * M + k * 50, "GET", "/courses/{course_id}/submissions/{id}", 200, a, tok, lab="x")
L("revoked_token", iat + 25 * M, iat + 30 * M, "LTI JWT revoked by jti during its hour, replayed from OVH", tok, "lti")
sp = support[3]; tok, jti, iat, exp = sp["tokens"][4]
REVOKED.append({"id": "@" + tok, "revoked_at": iso(iat + 3 * H)})
for k in range(5):
    add(iat + 4 * H + k * 70, "GET", "/admin/users/{id}", 200, sp["office"], tok, lab="x")
L("revoked_token", iat + 4 * H, iat + 4 * H + 300, "support staff JWT revoked by id (session kill) used an hour later", tok, "support")

# --- malformed_token x3
for k in range(3):
    s = pick_student()
    t = T0 + (1 + 3 * k) * D + R.uniform(10, 20) * H
    full, _ = mk_jwt("student", s["id"], "campusloop-app", STU_SCOPE, t, 3600)
    bad = full.split(".")[0] + "." + full.split(".")[1][:20]   # truncated by a broken client/cache
    secrets.add(bad); attack_only.add(bad); cred_info[bad] = ("student", s["id"], "jwt")
    a = stu_addr(s, 12)
    for j in range(5):
        add(t + j * 20, "GET", "/courses/{course_id}", 401, a, bad, lab="x")
    L("malformed_token", t, t + 100, "truncated JWT (two segments) sent by a broken client build", bad, "student")

# --- invalid_signature x4 (scope claim edited)
for k in range(4):
    s = pick_student(); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][0]
    h, p, sg = tok.split(".")
    c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    c["scope"] += " grades:write"
    forged = h + "." + b64u(json.dumps(c, separators=(",", ":")).encode()) + "." + sg
    secrets.add(forged); attack_only.add(forged); cred_info[forged] = ("student", s["id"], "jwt")
    t = iat + 10 * M
    for j in range(4):
        add(t + j * 45, "PUT", "/courses/{course_id}/grades/{id}", 200 if k < 2 else 403, a0, forged, lab="x")
    L("invalid_signature", t, t + 180, "student edited the scope claim of the JWT (adds grades:write), original signature", forged, "student")

# --- unknown_token x4 (unregistered API keys from a decommissioned integration, still accepted)
for k in range(4):
    key = new_key(); attack_only.add(key); cred_info[key] = ("unregistered", "?", "key")
    t = T0 + (2 + k) * D + R.uniform(8, 18) * H
    a = addr_in16(R.choice(ZONES["US"][1])) if k % 2 else vps_addr("vultr")
    attack_addresses.add(a)
    for j in range(6):
        add(t + j * 60, "GET", "/schools/{school_id}/roster", 200 if k != 3 else 403, a, key, "x-api-key", "", lab="x")
    L("unknown_token", t, t + 300, "unregistered clk_live key (old integration) used on the roster API", key, "unregistered")

# --- scope_violation x5
for k in range(3):
    s = pick_student(); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][1]
    t = iat + 15 * M
    for j in range(3):
        add(t + j * 60, "PUT", "/courses/{course_id}/grades/{id}", 403 if k < 2 else 200, a0, tok, lab="x")
    L("scope_violation", t, t + 120, "student hourly token calls the grade-write API", tok, "student")
li = [x for x in ltis if x["kind"] == "video"][0]; tok, jti, iat, exp = li["tokens"][40]
for j in range(3):
    add(iat + 20 * M + j * 30, "GET", "/courses/{course_id}/submissions", 200, li["addrs"][0], tok, lab="x")
L("scope_violation", iat + 20 * M, iat + 21 * M, "video LTI tool reads submissions (not in its scopes)", tok, "lti")
dd = pick_district()
t = T0 + 5 * D + 14 * H
for j in range(3):
    add(t + j * 40, "POST", "/exams", 403, dd["addr"], dd["key"], "x-api-key", "", lab="x")
L("scope_violation", t, t + 80, "district SIS key tries to create exams", dd["key"], "district")

# --- restricted_resource x4 (impersonation only for ops admins)
for k in range(4):
    sp = support[6 + k]; tok, jti, iat, exp = sp["tokens"][2 + k]
    t = iat + R.uniform(1, 5) * H
    for j in range(2):
        add(t + j * 90, "POST", "/admin/users/{id}/impersonate", 200, sp["office"], tok, lab="x")
    L("restricted_resource", t, t + 90, "support staff impersonates a user (restricted to ops-admin-1/2)", tok, "support")

# --- off_hours x6 (3 policy: support staff at night; 3 learned: day teachers at night)
for k in range(3):
    sp = support[12 + k]
    day = [1, 3, 5 if weekday(5) < 5 else 4][k]
    t = local_day_start(day, 1) + R.uniform(1.5, 4) * H
    tok, jti = mk_jwt("staff", sp["id"], "campusloop-admin", SUP_SCOPE, t, 8 * H)
    cred_info[tok] = ("support", sp["id"], "jwt"); attack_only.add(tok)
    for j in range(6):
        add(t + j * 120, "GET", "/admin/users/{id}", 200, sp["vpn"], tok, lab="x")
    L("off_hours", t, t + 600, "support staff account used at night (Berlin), outside policy hours, over VPN", tok, "support", variant="policy")
k = 0
for tch in teachers:
    if k == 3:
        break
    if tch["evening"] or tch["id"] in used_teachers or len(tch_tokens[tch["id"]]) < 6:
        continue
    used_teachers.add(tch["id"])
    day = 4 + k
    t = local_day_start(day, tch["off"]) + R.uniform(2.5, 4) * H
    tok, jti = mk_jwt("staff", tch["id"], "campusloop-web", TCH_SCOPE, t, 8 * H)
    cred_info[tok] = ("teacher", tch["id"], "jwt"); attack_only.add(tok)
    for j in range(12):
        add(t + j * 90, "GET", "/courses/{course_id}/submissions/{id}", 200, tch["home"], tok, lab="x")
    L("off_hours", t, t + 1100, "day-only teacher's account active at 02:30-04:00 local from home (learned)", tok, "teacher", variant="learned")
    k += 1

# --- disallowed_network x4
for k in range(2):
    sp = support[16 + k]; tok, jti, iat, exp = sp["tokens"][3]
    t = iat + 2 * H; a = addr_in16(R.choice(ZONES["DE"][1]))
    for j in range(4):
        add(t + j * 60, "GET", "/admin/users/{id}", 200, a, tok, lab="x")
    L("disallowed_network", t, t + 180, "support staff token used from a home DSL line (policy: office/VPN only)", tok, "support")
for k in range(2):
    dd = pick_district(); t = T0 + (3 + 2 * k) * D + 11 * H
    a = addr_in16(R.choice(ZONES[dd["zone"]][1]))
    for j in range(5):
        add(t + j * 60, "GET", "/schools/{school_id}/roster", 200, a, dd["key"], "x-api-key", "", lab="x")
    L("disallowed_network", t, t + 240, "district key used outside the district's registered network", dd["key"], "district")

# --- exposed_credential x4
EXPOSE = []   # (t, kind, payload, client)
s = pick_student(); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][1]
t = iat + 5 * M
add(t, "GET", "/courses/{course_id}/materials/{id}", 200, a0, tok, lab="x", extra={"url.query": "access_token=" + tok})
L("exposed_credential", t, t + 1, "student app build puts the JWT into the query string (access_token=)", tok, "student")
dd = pick_district(); t = T0 + 4 * D + 3 * H
EXPOSE.append((t, "exception", f"UpstreamError: SIS call failed (request headers: X-API-Key: {dd['key']}) status=502", dd["addr"]))
L("exposed_credential", t, t + 1, "district key printed in an exception message of sis-svc", dd["key"], "district")
li = ltis[5 % len(ltis)]; tok, jti, iat, exp = li["tokens"][30]
EXPOSE.append((iat + 60, "resp", tok, li["addrs"][0]))
L("exposed_credential", iat + 60, iat + 61, "LTI token endpoint span records the issued token in a response header", tok, "lti")
wh = "https://hooks.slack.com/services/T0CAMPUS1/B0ALERTS2/" + "".join(R.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(24))
secrets.add(wh.split("/services/")[1])
t = T0 + 6 * D + 10 * H
EXPOSE.append((t, "log", f"alert delivery failed, retrying POST {wh} after timeout", None))
label("exposed_credential", t, t + 1, "Slack webhook URL logged by the notifications service", token_class="webhook", match_hint="hooks.slack.com")

# --- failed_attempts x4
dd = pick_district()
oldkey = new_key(); attack_only.add(oldkey); cred_info[oldkey] = ("district-old", dd["id"], "key")
t = T0 + 5 * D + 2 * H
for j in range(16):
    add(t + j * 20, "GET", "/schools/{school_id}/roster", 401, dd["addr"], oldkey, "x-api-key", "", lab="x")
L("failed_attempts", t, t + 320, "district cron still sends the rotated-out key (unregistered), 16 x 401 in 5 min", oldkey, "district")
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 5 * D)
t = exp + 30 * M
for j in range(15):
    add(t + j * 15, "GET", "/courses/{course_id}/submissions", 401, tch["campus"], tok, lab="x")
L("failed_attempts", t, t + 230, "grading plugin retries the teacher's expired JWT, 15 x 401 in 4 min", tok, "teacher")
li = ltis[8 % len(ltis)]
t = T0 + 6 * D + 15 * H
badlti = jwt("lti", {"iss": ISS["lti"], "sub": li["id"], "aud": "campusloop-api", "client_id": li["id"], "scope": LTI_KINDS[li["kind"]][0],
                     "iat": int(t), "exp": int(t + 3600), "jti": hexs(24)}, secret="wrong-secret-after-rotation")
attack_only.add(badlti); cred_info[badlti] = ("lti", li["id"], "jwt")
for j in range(12):
    add(t + j * 20, "POST", "/lti/launch", 401, li["addrs"][0], badlti, lab="x")
L("failed_attempts", t, t + 240, "LTI tool signs with an old secret after rotation: 12 x 401", badlti, "lti")
bas = "grade-export:" + "".join(R.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(14))
secrets.add(bas.split(":")[1]); b64 = base64.b64encode(bas.encode()).decode(); secrets.add(b64)
attack_only.add(b64); cred_info[b64] = ("basic", "grade-export", "basic")
t = T0 + 7 * D + 1 * H
a_ge = addr_in24(districts[0]["net"][:-5])
for j in range(24):
    add(t + j * 75, "GET", "/reports/{id}", 401, a_ge, b64, scheme="Basic ", lab="x")
L("failed_attempts", t, t + 24 * 75, "export job with a changed password retries Basic auth every 75 s (24 in a row)", b64, "basic")

# --- denied_access x4
li = [x for x in ltis if x["kind"] == "plagiarism"][1]; tok, jti, iat, exp = li["tokens"][60]
for j in range(18):
    add(iat + 5 * M + j * 90, "GET", "/courses/{course_id}/submissions/{id}", 403 if j % 3 else 200, li["addrs"][0], tok, lab="x")
L("denied_access", iat + 5 * M, iat + 5 * M + 18 * 90, "plagiarism tool enumerates other schools' submissions: 12 x 403", tok, "lti")
s = pick_student(); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][2]
for j in range(12):
    add(iat + 3 * M + j * 60, "GET", "/courses/{course_id}/submissions/{id}", 403 if j % 4 else 200, a0, tok, lab="x")
L("denied_access", iat + 3 * M, iat + 3 * M + 720, "student browses classmates' submissions by id: 9 x 403", tok, "student")
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 2 * D)
for j in range(10):
    add(iat + 2 * H + j * 100, "PUT", "/courses/{course_id}/grades/{id}", 403, tch["campus"], tok, lab="x")
L("denied_access", iat + 2 * H, iat + 2 * H + 1000, "teacher changes grades in courses not theirs: 10 x 403", tok, "teacher")
dd = pick_district(); t = T0 + 6 * D + 13 * H
for j in range(10):
    add(t + j * 120, "GET", "/schools/{school_id}/roster", 403, dd["addr"], dd["key"], "x-api-key", "", lab="x")
L("denied_access", t, t + 1200, "district key reads other districts' rosters: 10 x 403", dd["key"], "district")

# --- credential_stuffing x4 (fast x2, slow, spray)
for k in range(2):
    a = vps_addr("do" if k == 0 else "linode")
    t = T0 + (3 + 3 * k) * D + R.uniform(0, 20) * H
    for j in range(25):
        key = new_key(); attack_only.add(key)
        add(t + j * 14, "GET", "/schools/{school_id}/roster", 401, a, key, "x-api-key", "", lab="x")
    label("credential_stuffing", t, t + 350, "25 guessed clk_live keys from one VPS in 6 min", token_class="guess", client_addresses=[a], variant="fast")
a = addr_in16(R.choice(ZONES["BR"][1])); attack_addresses.add(a)
t = T0 + 5 * D + 20 * H
for j in range(15):
    key = new_key(); attack_only.add(key)
    add(t + j * 215, "GET", "/schools/{school_id}/roster", 401, a, key, "x-api-key", "", lab="x")
label("credential_stuffing", t, t + 15 * 215, "15 guessed keys from one residential address over 54 min (low and slow)", token_class="guess", client_addresses=[a], variant="slow")
spray = []
for z in ["US", "BR", "IN", "DE", "AU"]:
    for _ in range(8):
        spray.append(addr_in16(R.choice(ZONES[z][1])))
attack_addresses.update(spray)
t = T0 + 8 * D + 3 * H
for j in range(80):
    key = new_key(); attack_only.add(key)
    add(t + j * 6, "GET", "/schools/{school_id}/roster", 401, spray[j % len(spray)], key, "x-api-key", "", lab="x")
label("credential_stuffing", t, t + 480, "80 guessed keys from 40 residential-proxy addresses in 8 min (spray)", token_class="guess", client_addresses=spray, variant="spray")

# --- rate_surge x5
dd = pick_district(); t = T0 + 6 * D + 14 * H
for day in range(DAYS):
    sis_nightly(dd, day)
for j in range(40 * 25):
    add(t + j * 1.5, "GET", "/schools/{school_id}/roster", 200, dd["addr"], dd["key"], "x-api-key", "", lab="x")
L("rate_surge", t, t + 1500, "district key scraping rosters at 40/min for 25 min in the afternoon", dd["key"], "district")
dd["done"] = True
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 5 * D)
for j in range(60 * 15):
    add(iat + 3 * H + j, "GET", "/courses/{course_id}/submissions/{id}", 200, tch["campus"], tok, lab="x")
L("rate_surge", iat + 3 * H, iat + 3 * H + 900, "teacher token mass-downloads submissions at 60/min for 15 min", tok, "teacher")
li = [x for x in ltis if x["kind"] == "video"][1]; tok, jti, iat, exp = li["tokens"][int(len(li["tokens"]) * 0.7)]
for j in range(50 * 20):
    add(iat + 10 * M + j * 1.2, "GET", "/courses/{course_id}/materials", 200, li["addrs"][0], tok, lab="x")
L("rate_surge", iat + 10 * M, iat + 30 * M, "video LTI hourly token pulls materials at 50/min for 20 min from its cloud", tok, "lti")
s = pick_student(min_tokens=4); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][-2]
for j in range(45 * 15):
    add(iat + 5 * M + j * 1.33, "GET", "/courses/{course_id}/materials/{id}", 200, a0, tok, lab="x")
L("rate_surge", iat + 5 * M, iat + 20 * M, "student hourly token scrapes course materials at 45/min for 15 min", tok, "student")
rp = reports[7]
reports_traffic(rp)
t = T0 + 6 * D + 15 * H
for j in range(300):
    add(t + j * 8, "GET", "/reports/{id}", 200, rp["addr"], rp["key"], lab="x")
L("rate_surge", t, t + 2400, "low-rate reporting key pulls 300 reports in 40 min", rp["key"], "reports")
rp["done"] = True

# --- new_client_address x5 (+3 in combined)
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 4 * D)
a = vps_addr("do")
for j in range(8):
    add(iat + 2 * H + j * 60, "GET", "/courses/{course_id}/submissions", 200, a, tok, lab="x")
L("new_client_address", iat + 2 * H, iat + 2 * H + 420, "stolen teacher JWT used from DigitalOcean", tok, "teacher")
dd = pick_district(); t = T0 + 5 * D + 10 * H; a = vps_addr("ovh")
for j in range(8):
    add(t + j * 60, "GET", "/schools/{school_id}/roster", 200, a, dd["key"], "x-api-key", "", lab="x")
L("new_client_address", t, t + 420, "district key used from OVH", dd["key"], "district")
li = [x for x in ltis if x["kind"] == "proctor"][2]; tok, jti, iat, exp = li["tokens"][int(len(li["tokens"]) * 0.55)]
a = addr_in16(R.choice(ZONES["US"][1])); attack_addresses.add(a)
for j in range(6):
    add(iat + 15 * M + j * 60, "GET", "/courses/{course_id}/roster", 200, a, tok, lab="x")
L("new_client_address", iat + 15 * M, iat + 20 * M, "proctoring tool's hourly JWT used from a residential ISP (off its cloud)", tok, "lti")
s = pick_student(min_tokens=4); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][-1]
a = vps_addr("linode")
for j in range(6):
    add(iat + 10 * M + j * 60, "GET", "/me/grades", 200, a, tok, lab="x")
L("new_client_address", iat + 10 * M, iat + 15 * M, "student JWT replayed from Linode", tok, "student")
rp = reports[11]; reports_traffic(rp)
t = T0 + 7 * D + 11 * H; a = vps_addr("vultr")
for j in range(5):
    add(t + j * 60, "GET", "/reports/{id}", 200, a, rp["key"], lab="x")
L("new_client_address", t, t + 240, "reporting key used from Vultr", rp["key"], "reports"); rp["done"] = True

# --- new_resource x4 (ungoverned or in-scope routes the token never used)
li = [x for x in ltis if x["kind"] == "video"][2]; tok, jti, iat, exp = li["tokens"][int(len(li["tokens"]) * 0.6)]
for j in range(5):
    add(iat + 12 * M + j * 60, "GET", "/courses/{course_id}/roster", 200, li["addrs"][0], tok, lab="x")
L("new_resource", iat + 12 * M, iat + 16 * M, "video LTI tool starts pulling rosters (granted, never used)", tok, "lti")
dd = pick_district(); t = T0 + 6 * D + 10 * H
for j in range(5):
    add(t + j * 60, "GET", "/users/{id}/messages", 200, dd["addr"], dd["key"], "x-api-key", "", lab="x")
L("new_resource", t, t + 240, "district key reads users' messages (ungoverned route)", dd["key"], "district")
tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + 5 * D)
for j in range(5):
    add(iat + 90 * M + j * 60, "GET", "/users/{id}/messages", 200, tch["campus"], tok, lab="x")
L("new_resource", iat + 90 * M, iat + 94 * M, "teacher token reads students' private messages", tok, "teacher")
rp = reports[13]; reports_traffic(rp)
t = T0 + 6 * D + 16 * H
for j in range(5):
    add(t + j * 60, "GET", "/schools/{school_id}/export", 200, rp["addr"], rp["key"], lab="x")
L("new_resource", t, t + 240, "reporting key calls the bulk school export", rp["key"], "reports"); rp["done"] = True

# --- combined_findings x3: new network + new resource on one token within an hour
for k in range(3):
    tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + (4 + k) * D)
    a = vps_addr(["hetzner", "do", "ovh"][k]); t = iat + 3 * H
    for j in range(4):
        add(t + j * 60, "GET", "/courses/{course_id}/submissions", 200, a, tok, lab="x")
    for j in range(5):
        add(t + 5 * M + j * 60, "GET", "/users/{id}/messages", 200, a, tok, lab="x")
    L("new_client_address", t, t + 180, "stolen teacher JWT from a VPS (combined)", tok, "teacher")
    L("new_resource", t + 5 * M, t + 9 * M, "stolen teacher JWT reads messages (combined)", tok, "teacher")
    L("combined_findings", t, t + 9 * M, "new network + new resource within 10 min", tok, "teacher")

# --- multi_address x4
s = pick_student(min_tokens=4); tok, jti, iat, exp, a0 = stu_tokens[s["id"]][-2]
t = iat + 8 * M
for j in range(10):
    a = addr_in16(R.choice(ZONES[["US", "DE", "IN", "BR", "AU"][j % 5]][1])); attack_addresses.add(a)
    add(t + j * 45, "GET", "/courses/{course_id}/materials/{id}", 200, a, tok, lab="x")
L("multi_address", t, t + 450, "student JWT used through 5 residential proxies of 5 countries in 8 min", tok, "student")
for k in range(2):
    tch = pick_teacher(); tok, jti, iat, exp = tok_at_or_after(tch_tokens[tch["id"]], T0 + (3 + 2 * k) * D)
    t = iat + 4 * H
    for j in range(8):
        a = addr_in16(R.choice(ZONES[["US", "DE", "IN", "BR"][j % 4]][1])); attack_addresses.add(a)
        add(t + j * 40, "GET", "/courses/{course_id}/submissions/{id}", 200, a, tok, lab="x")
    L("multi_address", t, t + 320, "teacher JWT used from 4 ISPs in 4 countries within 6 min", tok, "teacher")
li = ltis[11 % len(ltis)]; tok, jti, iat, exp = li["tokens"][int(len(li["tokens"]) * 0.8)]
t = iat + 20 * M
for j in range(8):
    a = vps_addr(["do", "ovh", "hetzner", "vultr"][j % 4])
    add(t + j * 35, "POST", "/lti/launch", 200, a, tok, lab="x")
L("multi_address", t, t + 280, "LTI hourly JWT used from 4 VPS providers within 5 min", tok, "lti")

# --- lifecycle: stale x4, resurrected x4, unused_scopes x4, expiring_soon x4 (+1 above), excessive_lifetime x4
for k in range(4):
    key = new_key(); cred_info[key] = ("district", f"district-legacy-{k}", "key")
    REG_EXTRA.append(dict(key=key, owner=f"district-legacy-{k}", scopes=["roster:read"], created=T0 - 400 * D + k * D, expires=T0 + 200 * D,
                          last_used="2026-07-15T08:00:00Z", net=None))
    label("stale_token", T0, T_END, "registered key not used since 2026-07-15 (registry last_used_at), never seen", token=key, token_class="district")
for k in range(4):
    dd = pick_district(); dd["last_used"] = "2026-09-01T03:00:00Z"
    first = None
    for day in range(DAYS):
        if day < 3 + k:
            continue
        s0, e0 = sis_nightly(dd, day, lab="x" if first is None else None)
        if first is None:
            first = (s0, e0)
    L("resurrected_token", first[0], first[1], "district key idle since 2026-09-01 (registry last_used_at) resumes syncing", dd["key"], "district")
    dd["done"] = True
for k in range(4):
    dd = pick_district(); dd["scopes"] = ["roster:read", "grades:write", "users:admin"]; dd["created"] = T0 - 250 * D; dd["expires"] = dd["created"] + 365 * D
    for day in range(DAYS):
        sis_nightly(dd, day)
    L("unused_scopes", T0 + 8 * D, T_END, "district key granted users:admin, never uses it (peers hold no such grant)", dd["key"], "district")
    dd["done"] = True
for k in range(4):
    dd = pick_district(); dd["expires"] = T0 + (10 + k // 2) * D + 12 * H; dd["created"] = dd["expires"] - 365 * D
    for day in range(DAYS):
        sis_nightly(dd, day)
    L("expiring_soon", dd["expires"] - 7 * D, T_END, "district key expires within 7 days (registry expires_at), in daily use", dd["key"], "district")
    dd["done"] = True
for k in range(3):
    dd = pick_district(); dd["created"] = T0 - 500 * D; dd["expires"] = T0 + 400 * D
    for day in range(DAYS):
        sis_nightly(dd, day)
    L("excessive_lifetime", T0, T_END, "district key with a 900-day lifetime (registry)", dd["key"], "district")
    dd["done"] = True
op = ops[0]
t = T0 + 5 * D + 10 * H
bg, bgjti = mk_jwt("staff", op["id"], "campusloop-admin", "users:admin", t - 100 * D, 730 * D)
cred_info[bg] = ("ops", op["id"], "jwt")
for j in range(3):
    add(t + j * 60, "GET", "/admin/users/{id}", 200, op["office"], bg, lab="x")
L("excessive_lifetime", t, t + 120, "break-glass admin JWT with a two-year lifetime", bg, "ops")

# validate: every non-lifecycle label with a credential has an injected event of it inside its window
_ev = collections.defaultdict(list)
for e in EVENTS:
    if e[8] is not None:
        _ev[e[5]].append(e[0])
def _ts(x):
    return dt.datetime.strptime(x, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp()
for l in labels:
    if l["type"] in ("stale_token", "unused_scopes", "expiring_soon", "excessive_lifetime", "exposed_credential") or not l.get("_cred"):
        continue
    ok = any(_ts(l["start"]) - 1 <= x <= _ts(l["end"]) + 1 for x in _ev[l["_cred"]])
    if not ok:
        sys.stderr.write(f"LABEL WITHOUT EVENTS {l['id']} {l['type']} {l['start']} {l['note']}\n")
        sys.exit(5)

# ---------------------------------------------------------------- clean traffic of keys not already generated
for dd in districts:
    if dd.get("done"):
        continue
    for day in range(DAYS):
        sis_nightly(dd, day)
        if weekday(day) < 5 and R.random() < 0.3:
            sis_day(dd, day)
for rp in reports:
    if not rp.get("done"):
        reports_traffic(rp)

_rv = {}
for rv in REVOKED:
    _rv[rv.get("id", "")[1:] if "id" in rv else ("jti:" + rv["jti"])] = _ts(rv["revoked_at"])
_jti_cred = {}
for lst in list(tch_tokens.values()) + [li["tokens"] for li in ltis] + [sp["tokens"] for sp in support]:
    for x in lst:
        _jti_cred[x[1]] = x[0]
_cut = {}
for k_, v_ in _rv.items():
    c_ = _jti_cred.get(k_[4:]) if k_.startswith("jti:") else k_
    if c_:
        _cut[c_] = v_
_n0 = len(EVENTS)
EVENTS = [e for e in EVENTS if not (e[8] is None and e[5] in _cut and e[0] >= _cut[e[5]])]
sys.stderr.write(f"dropped {_n0 - len(EVENTS)} clean uses of revoked tokens after their revocation\n")

# ---------------------------------------------------------------- token ids
def fingerprint(lines, header="authorization"):
    p = subprocess.run([AUDITCTL, "fingerprint", "-lines", "-header", header, "-key-file", os.path.join(OUT, "fingerprint.key")],
                       input="\n".join(lines) + "\n", capture_output=True, text=True)
    ids = p.stdout.split("\n")[:len(lines)]
    if p.returncode != 0 or any(not x for x in ids):
        sys.stderr.write(f"fingerprint: rc {p.returncode} {p.stderr[:500]}\n")
    return ids
with open(os.path.join(OUT, "fingerprint.key"), "w") as f:
    f.write(FP_KEY + "\n")
os.chmod(os.path.join(OUT, "fingerprint.key"), 0o600)
allcreds = set(cred_info) | {l["_cred"] for l in labels if l.get("_cred")} | {e[5] for e in EVENTS if e[5]}
kind_of = {}
for c in allcreds:
    kind_of[c] = cred_info.get(c, ("?", "?", "key"))[2]
authlines, keylines = [], []
for c in sorted(allcreds):
    k = kind_of[c]
    if k == "key":
        keylines.append(c)
    elif k == "basic":
        authlines.append("Basic " + c)
    else:
        authlines.append("Bearer " + c)
tid = {}
for c, i in zip(keylines, fingerprint(keylines, "key")):
    tid[c] = i
for line, i in zip(authlines, fingerprint(authlines)):
    tid[line.split(" ", 1)[1]] = i

# ---------------------------------------------------------------- policy
def q(s):
    return json.dumps(s)
P = ["# CampusLoop token policy (eval11). Org rules translated:",
     "#  - each scope allows the routes below; a route no scope names is not judged",
     "#  - impersonation is for the two ops admins only",
     "#  - support staff work Mon-Fri 07:00-19:00 Berlin, from the office or the VPN only",
     "#  - district SIS keys only from their district's registered network; every API key is registered;",
     "#    JWTs of our three issuers are known when their signature verifies",
     "scopes:"]
for sc, rs in SCOPES.items():
    P.append(f"  {q(sc)}: [{', '.join(q(r) for r in rs)}]")
P += ["restricted:", '  - resource: "POST /admin/users/*/impersonate"', "    principals: [ops-admin-1, ops-admin-2]", "principals:"]
for sp in support:
    P += [f"  {sp['id']}:", f"    networks: [{OFFICE}.0/24, {VPN}.0/24]",
          '    working_hours: {time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}']
P.append("revoked:")
for rv in REVOKED:
    if "jti" in rv:
        P.append(f"  - jti: {q(rv['jti'])}")
    else:
        P.append(f"  - id: {tid[rv['id'][1:]]}")
    P.append(f"    revoked_at: {rv['revoked_at']}")
P += ["registry:", "  authoritative: true", "  known: registered_or_verified",
      f"  verified_issuers: [{q(ISS['student'])}, {q(ISS['staff'])}, {q(ISS['lti'])}]", "  tokens:"]
def reg(key, name, owner, scopes, created, expires, net=None, last_used=None):
    P.extend([f"    - id: {tid[key]}", f"      name: {name}", f"      owner: {owner}", "      owner_type: service",
              f"      scopes: [{', '.join(q(x) for x in scopes)}]", f"      created_at: {iso(created)}", f"      expires_at: {iso(expires)}"])
    if net:
        P.append(f"      networks: [{net}]")
    if last_used:
        P.append(f"      last_used_at: {last_used}")
for dd in districts:
    reg(dd["key"], dd["id"] + "-sis", dd["id"], dd["scopes"], dd["created"], dd["expires"], dd["net"], dd.get("last_used"))
for rp in reports:
    reg(rp["key"], rp["id"], rp["id"], ["reports:read"], rp["created"], rp["expires"])
for e in REG_EXTRA:
    reg(e["key"], e["owner"] + "-sis", e["owner"], e["scopes"], e["created"], e["expires"], None, e["last_used"])
open(os.path.join(OUT, "policy.yaml"), "w").write("\n".join(P) + "\n")

# ---------------------------------------------------------------- labels, index, stats
for l in labels:
    c = l.pop("_cred", None)
    if c is not None:
        l["token_id"] = tid[c]
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for l in labels:
        f.write(json.dumps(l, sort_keys=True) + "\n")
inj_ids = sorted({tid[c] for c in injected_creds if c in tid})
json.dump(dict(injected_token_ids=inj_ids, attack_only_token_ids=sorted({tid[c] for c in attack_only if c in tid}),
               attack_addresses=sorted(attack_addresses)), open(os.path.join(OUT, "injected_index.json"), "w"), indent=0)
with open(os.path.join(OUT, "token_classes.tsv"), "w") as f:
    for c in sorted(allcreds):
        cls, owner, _ = cred_info.get(c, ("?", "?", "?"))
        f.write(f"{tid[c]}\t{cls}\t{owner}\n")
pcls = {}
for c, (cls, owner, _) in cred_info.items():
    pcls[owner] = cls
json.dump(pcls, open(os.path.join(OUT, "principals.json"), "w"))
td = set(); cc = set(); by_cls = collections.Counter(); tdby = collections.Counter()
for e in EVENTS:
    c = e[5]
    if c and e[8] is None and c not in injected_creds:
        cc.add(c)
        k = (c, int((e[0] - T0) // D))
        if k not in td:
            td.add(k); tdby[cred_info.get(c, ("?",))[0]] += 1
for c in cc:
    by_cls[cred_info.get(c, ("?",))[0]] += 1
json.dump(dict(clean_token_days=len(td), clean_credentials=len(cc), credentials_by_class=by_cls, token_days_by_class=tdby),
          open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)
open(os.path.join(OUT, "secrets.txt"), "w").write("\n".join(sorted(s for s in secrets if len(s) >= 12)) + "\n")
json.dump(dict(seed=SEED, scale=SCALE, start=iso(T0), end=iso(T_END), jwt_secret_student=SEC["student"], jwt_secret_staff=SEC["staff"],
               jwt_secret_lti=SEC["lti"], issuers=ISS, kids=KID, exam_day=iso(T0 + EXAM_DAY * D), incident=[iso(x) for x in INCIDENT]),
          open(os.path.join(OUT, "world.json"), "w"), indent=1)

# ---------------------------------------------------------------- OTLP requests
def sattr(k, v):
    return {"key": k, "value": {"stringValue": v}}
def span_of(e):
    t, method, route, status, client, cred, hdr, scheme, lab, extra, path = e
    ns = int(t * 1e9)
    attrs = [sattr("http.request.method", method), sattr("http.route", route), sattr("url.path", path or concrete(route)),
             {"key": "http.response.status_code", "value": {"intValue": str(status)}}, sattr("network.peer.address", R.choice(GATEWAYS)),
             sattr("client.address", client), sattr("url.scheme", "https"), sattr("server.address", "api.campusloop.example")]
    if cred:
        attrs.append({"key": "http.request.header." + hdr, "value": {"arrayValue": {"values": [{"stringValue": scheme + cred}]}}})
    if extra:
        for k, v in extra.items():
            attrs.append(sattr(k, v))
    sp = {"traceId": hexs(32), "spanId": hexs(16), "name": f"{method} {route}", "kind": 2, "startTimeUnixNano": str(ns),
          "endTimeUnixNano": str(ns + R.randint(3, 400) * 1000000), "attributes": attrs}
    if status >= 500:
        sp["status"] = {"code": 2}
    return service_of(route), sp
items = []  # (arrival, kind, service, obj)
for e in EVENTS:
    svc, sp = span_of(e)
    delay = R.uniform(0, 5) if R.random() < 0.8 else R.uniform(5, 360)
    items.append((e[0] + delay, "s", svc, sp))
for t, kind, payload, client in EXPOSE:
    ns = int(t * 1e9)
    if kind == "exception":
        sp = {"traceId": hexs(32), "spanId": hexs(16), "name": "sis.upstream.call", "kind": 3, "startTimeUnixNano": str(ns), "endTimeUnixNano": str(ns + 50000000),
              "attributes": [sattr("server.address", "sis-gateway.internal")], "status": {"code": 2},
              "events": [{"timeUnixNano": str(ns + 40000000), "name": "exception", "attributes": [sattr("exception.type", "UpstreamError"), sattr("exception.message", payload)]}]}
        items.append((t + 2, "s", "sis-svc", sp))
    elif kind == "resp":
        sp = {"traceId": hexs(32), "spanId": hexs(16), "name": "POST /lti/token", "kind": 2, "startTimeUnixNano": str(ns), "endTimeUnixNano": str(ns + 30000000),
              "attributes": [sattr("http.request.method", "POST"), sattr("http.route", "/lti/token"), sattr("url.path", "/lti/token"),
                             {"key": "http.response.status_code", "value": {"intValue": "200"}}, sattr("network.peer.address", GATEWAYS[0]), sattr("client.address", client),
                             {"key": "http.response.header.x-auth-token", "value": {"arrayValue": {"values": [{"stringValue": payload}]}}}]}
        items.append((t + 2, "s", "lti-svc", sp))
    else:
        lr = {"timeUnixNano": str(ns), "observedTimeUnixNano": str(ns + 1000000000), "severityNumber": 17, "severityText": "ERROR", "body": {"stringValue": payload}}
        items.append((t + 2, "l", "notifications-svc", lr))
items.sort(key=lambda x: x[0])
nreq = ndup = 0
with gzip.open(os.path.join(OUT, "requests.jsonl.gz"), "wt", compresslevel=3) as f:
    i = 0
    while i < len(items):
        n = R.randint(80, 300)
        j = i + 1
        while j < len(items) and j - i < n and items[j][0] - items[i][0] < 10:
            j += 1
        chunk = items[i:j]; i = j
        spans = collections.defaultdict(list); logs = collections.defaultdict(list)
        for _, k, svc, o in chunk:
            (spans if k == "s" else logs)[svc].append(o)
        reqs = []
        if spans:
            reqs.append(("/v1/traces", {"resourceSpans": [{"resource": {"attributes": [sattr("service.name", svc), sattr("deployment.environment.name", "prod")]},
                                                          "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.http"}, "spans": sp}]} for svc, sp in spans.items()]}))
        if logs:
            reqs.append(("/v1/logs", {"resourceLogs": [{"resource": {"attributes": [sattr("service.name", svc)]}, "scopeLogs": [{"scope": {"name": "app"}, "logRecords": lr}]}
                                                       for svc, lr in logs.items()]}))
        for p, body in reqs:
            line = '{"p":"' + p + '","b":' + json.dumps(body, separators=(",", ":")) + "}\n"
            f.write(line); nreq += 1
            if R.random() < 0.01:
                f.write(line); ndup += 1
cnt = collections.Counter(l["type"] for l in labels)
print(json.dumps(dict(events=len(EVENTS), items=len(items), requests=nreq, duplicated=ndup, labels=len(labels), by_type=cnt,
                      clean=json.load(open(os.path.join(OUT, "clean_stats.json"))), credentials=len(allcreds)), indent=1))
