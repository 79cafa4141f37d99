#!/usr/bin/env python3
"""eval10 world generator: "Kubeyard", a managed Kubernetes control-plane API (hosted cluster API,
deploy/infra API behind a gateway, container registry behind nginx, edge gateway for partners).

usage: AUDITCTL=/path/to/auditctl world.py OUTDIR SEED [SCALE]
Python 3 standard library only; deterministic per seed (the fingerprint key is derived from the seed).

Writes: requests.jsonl.gz (send.py format), labels.jsonl, injected_index.json, clean_stats.json,
token_classes.tsv, principals.json, secrets.txt, world.json, fingerprint.key, policy.yaml, gen.log lines on stdout.
"""
import base64, collections, datetime as dt, gzip, hashlib, hmac, ipaddress, json, os, random, subprocess, sys

OUT, SEED = sys.argv[1], int(sys.argv[2])
SCALE = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
AUDITCTL = os.environ.get("AUDITCTL", "auditctl")
rng = random.Random(SEED)
os.makedirs(OUT, exist_ok=True)

T0 = int(dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc).timestamp())   # Monday
DAYS = 9
TEND = T0 + DAYS * 86400                                                     # Wednesday Dec 2 00:00
DAY = 86400
H = 3600
RELEASE_DAY = 8          # Tue Dec 1
INCIDENT = (T0 + 2 * DAY + 14 * H, T0 + 2 * DAY + 15 * H + 1800)   # Wed Nov 25 14:00-15:30 UTC: apiserver 5xx storm

def iso(t):
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def rstr(n, alpha="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(alpha) for _ in range(n))

def sh(s):
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16)

def hexs(n):
    return "%0*x" % (n, rng.getrandbits(4 * n))

# ---------------------------------------------------------------- secrets and JWTs
ISS_SA = "https://sa.kubeyard.example"
ISS_LOGIN = "https://login.kubeyard.example/"
ISS_CI = "https://ci-federation.kubeyard.example"
SECRETS = {"sa": "kyd-sa-" + rstr(40), "login": "kyd-login-" + rstr(40), "ci": "kyd-ci-" + rstr(40)}
KID = {"sa": "kyd-sa-2026", "login": "kyd-login-2026", "ci": "kyd-ci-2026"}
ISS = {"sa": ISS_SA, "login": ISS_LOGIN, "ci": ISS_CI}

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(issuer, claims, secret=None, alg="HS256", kid=None):
    hdr = {"alg": alg, "typ": "JWT", "kid": kid or KID[issuer]}
    c = dict(iss=ISS[issuer]); c.update(claims)
    si = b64u(json.dumps(hdr, separators=(",", ":")).encode()) + "." + b64u(json.dumps(c, separators=(",", ":")).encode())
    key = (secret or SECRETS[issuer]).encode()
    sig = b64u(hmac.new(key, si.encode(), hashlib.sha256).digest())
    return si + "." + sig

# ---------------------------------------------------------------- address pools
POOLS = {
    "aws": ["3.120.0.0/14", "18.184.0.0/15", "52.28.0.0/16", "34.192.0.0/12", "54.144.0.0/12", "3.208.0.0/12"],
    "gcp": ["35.190.0.0/17", "34.140.0.0/16", "35.204.0.0/16", "34.89.0.0/16"],
    # world v3: 40.64.0.0/10 (v1, v2) held Azure China's (21Vianet) 40.72-40.73 blocks, where no GitHub-hosted runner runs;
    # replaced by another Microsoft /10 of the same size, so every other random draw of the world stays the same
    "azure_runners": ["20.0.0.0/11", "20.64.0.0/10", "52.224.0.0/11", "13.64.0.0/11", "20.96.0.0/12"],
    "do": ["167.99.0.0/16", "159.65.0.0/16", "134.209.0.0/16", "138.68.0.0/16"],
    "hetzner": ["95.216.0.0/15", "65.21.0.0/16", "116.202.0.0/15", "88.198.0.0/16"],
    "ovh": ["51.75.0.0/16", "54.36.0.0/16", "51.89.0.0/16", "145.239.0.0/16"],
    "vultr": ["45.32.0.0/16", "149.28.0.0/16", "45.76.0.0/16"],
    "linode": ["172.104.0.0/15", "139.162.0.0/16"],
    "us_res": ["73.0.0.0/8", "24.0.0.0/13", "71.160.0.0/11", "99.0.0.0/10", "108.0.0.0/14", "67.160.0.0/11"],
    "de_res": ["79.192.0.0/10", "87.128.0.0/10", "91.32.0.0/11", "88.64.0.0/12"],
    "uk_res": ["86.128.0.0/10", "81.128.0.0/12", "82.0.0.0/14"],
    "in_res": ["122.160.0.0/12", "182.64.0.0/12", "49.36.0.0/14", "106.51.0.0/16"],
    "us_mob": ["172.56.0.0/14"], "de_mob": ["176.0.0.0/13"], "uk_mob": ["92.40.0.0/14"], "in_mob": ["157.32.0.0/12"],
    "pt_hotel": ["85.240.0.0/13"],
    "proxy_res": ["177.32.0.0/12", "189.0.0.0/11", "113.160.0.0/11", "36.64.0.0/11", "95.24.0.0/13", "78.160.0.0/11",
                  "187.0.0.0/11", "41.96.0.0/12", "186.0.0.0/11", "14.160.0.0/11"],
}
OFFICES = {"us": "12.34.56.0/24", "de": "217.6.45.0/24", "in": "115.112.3.0/24", "uk": "81.145.17.0/24"}
VPN = ["165.225.48.0/24", "165.225.72.0/24"]

def ip_in(cidr):
    n = ipaddress.ip_network(cidr)
    return str(n.network_address + rng.randrange(1, n.num_addresses - 1))

def ip_pool(pool):
    return ip_in(rng.choice(POOLS[pool]))

def same24(ip):
    a = ip.split(".")
    return "%s.%s.%s.%d" % (a[0], a[1], a[2], rng.randrange(2, 254))

def slash24(ip):
    a = ip.split(".")
    return "%s.%s.%s.0/24" % (a[0], a[1], a[2])

def slash16(ip):
    a = ip.split(".")
    return "%s.%s.0.0/16" % (a[0], a[1])

# ---------------------------------------------------------------- event sink
items = []            # (event_time_s, signal, service, json)
CLEAN_USE = collections.defaultdict(set)   # cred -> days (clean events)
INJ_CREDS = set()
CLEAN_CREDS = set()
CLEAN_IPS, INJ_IPS = set(), set()
CRED = {}             # raw credential -> dict(form, cls, owner)
INJ = False
SRC_COUNT = collections.Counter()

def cred(raw, form, cls, owner):
    if raw not in CRED:
        CRED[raw] = dict(form=form, cls=cls, owner=owner)
    return raw

def use(raw, t, ip):
    if raw is None:
        return
    if INJ:
        INJ_CREDS.add(raw)
        if ip: INJ_IPS.add(ip)
    else:
        CLEAN_CREDS.add(raw)
        CLEAN_USE[raw].add(int((t - T0) // DAY))
        if ip: CLEAN_IPS.add(ip)

def A(k, v):
    if isinstance(v, bool):
        return '{"key":%s,"value":{"boolValue":%s}}' % (json.dumps(k), "true" if v else "false")
    if isinstance(v, int):
        return '{"key":%s,"value":{"intValue":"%d"}}' % (json.dumps(k), v)
    if isinstance(v, list):
        return '{"key":%s,"value":{"arrayValue":{"values":[%s]}}}' % (json.dumps(k), ",".join('{"stringValue":%s}' % json.dumps(x) for x in v))
    return '{"key":%s,"value":{"stringValue":%s}}' % (json.dumps(k), json.dumps(v))

def span(t, svc, name, attrs, kind=2, err=False, dur_ms=None, events=None):
    if dur_ms is None:
        dur_ms = rng.randint(3, 180)
    ns = int(t * 1e9) + rng.randrange(0, 999) * 1000
    ev = ""
    if events:
        ev = ',"events":[%s]' % ",".join('{"timeUnixNano":"%d","name":%s,"attributes":[%s]}' % (ns + 1000, json.dumps(n), ",".join(A(k, v) for k, v in a.items())) for n, a in events)
    s = '{"traceId":"%s","spanId":"%s","name":%s,"kind":%d,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s],"status":{"code":%d}%s}' % (
        hexs(32), hexs(16), json.dumps(name), kind, ns, ns + dur_ms * 1000000, ",".join(A(k, v) for k, v in attrs.items()), 2 if err else 0, ev)
    items.append((t, "t", svc, s))
    SRC_COUNT[svc] += 1

LOGOFF = collections.Counter()
def logrec(t, svc, body, attrs, sev=9, path=None):
    ns = int(t * 1e9) + rng.randrange(0, 999) * 1000
    a = dict(attrs)
    if path:
        LOGOFF[path] += rng.randint(180, 420)
        a["log.file.path"] = path
        a["log.file.record_offset"] = LOGOFF[path]
    s = '{"timeUnixNano":"%d","observedTimeUnixNano":"%d","severityNumber":%d,"body":{"stringValue":%s},"attributes":[%s]}' % (
        ns, ns + rng.randint(1, 20) * 10**8, sev, json.dumps(body), ",".join(A(k, v) for k, v in a.items()))
    items.append((t, "l", svc, s))
    SRC_COUNT[svc] += 1

def incident_5xx(t, p=0.3):
    return INCIDENT[0] <= t < INCIDENT[1] and rng.random() < p

# kube-apiserver: directly behind a TCP load balancer that preserves the source address (public peer),
# or reached from the management cluster's pods (private peer, no client.address).
def apiserver(t, tok, method, route, path, status, ip, ua="kubectl/v1.31.2 (linux/amd64)", query=None, raw=None, events=None, extra=None):
    if status < 500 and incident_5xx(t):
        status = 503
    a = {"http.request.method": method, "http.route": route, "url.path": path, "url.scheme": "https",
         "server.address": "api.kubeyard.example", "network.peer.address": ip, "user_agent.original": ua,
         "http.response.status_code": status}
    if query:
        a["url.query"] = query
    if tok is not None:
        a["http.request.header.authorization"] = [tok]
    if extra:
        a.update(extra)
    span(t, "kube-apiserver", method + " " + route, a, err=status >= 500, events=events)
    use(raw, t, ip)

def fleet_grpc(t, tok, method, code, ip, raw):
    if code == 0 and incident_5xx(t):
        code = 14
    a = {"rpc.system": "grpc", "rpc.service": "kubeyard.fleet.v1.Fleet", "rpc.method": method,
         "rpc.grpc.status_code": code, "network.peer.address": ip, "server.address": "fleet.kubeyard.example",
         "rpc.grpc.request.metadata.authorization": [tok], "user_agent.original": "grpc-go/1.68.1"}
    span(t, "fleet-hub", "kubeyard.fleet.v1.Fleet/" + method, a, err=code not in (0, 16, 7))
    use(raw, t, ip)

GW = ["10.0.3.%d" % i for i in range(10, 20)]
def deploy_api(t, method, route, path, status, ip, auth=None, key=None, raw=None, ua="terraform-provider-kubeyard/2.7.1", events=None, query=None):
    a = {"http.request.method": method, "http.route": route, "url.path": path, "http.response.status_code": status,
         "network.peer.address": rng.choice(GW), "client.address": ip, "server.address": "deploy.kubeyard.example",
         "user_agent.original": ua}
    if query:
        a["url.query"] = query
    if auth:
        a["http.request.header.authorization"] = [auth]
    if key:
        a["http.request.header.x-api-key"] = [key]
    span(t, "deploy-api", method + " " + route, a, err=status >= 500, events=events)
    use(raw, t, ip)

def registry_log(t, method, path, status, ip, auth, raw, ua="containerd/1.7.22"):
    size = rng.randint(400, 90000000) if "/blobs/" in path else rng.randint(300, 9000)
    body = '%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"' % (ip, dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"), method, path, status, size, ua)
    a = {"http.request.method": method, "url.path": path, "http.response.status_code": status, "network.peer.address": ip,
         "user_agent.original": ua}
    if auth:
        a["http.request.header.authorization"] = auth
    logrec(t, "registry-nginx", body, a, path="/var/log/nginx/registry-access.log")
    use(raw, t, ip)

EDGE = ["10.0.1.%d" % i for i in range(20, 26)]
def edge_log(t, method, path, status, ip, key, raw, ua="partner-sync/3.2", query=None):
    body = "[%s] \"%s %s HTTP/2\" %d - upstream=deploy-api" % (iso(t), method, path, status)
    a = {"http.request.method": method, "url.path": path, "http.response.status_code": status, "client.address": ip,
         "network.peer.address": rng.choice(EDGE), "user_agent.original": ua}
    if query:
        a["url.query"] = query
    if key:
        a["http.request.header.x-api-key"] = key
    logrec(t, "edge-envoy", body, a, path="/var/log/envoy/edge-access.log")
    use(raw, t, ip)

# ---------------------------------------------------------------- routes
NS = ["default", "web", "api", "payments", "batch", "data", "ingress", "monitoring", "search", "auth"]
POD = lambda: "%s-%s-%s" % (rng.choice(["web", "api", "worker", "cron", "gateway", "db-proxy"]), hexs(9)[:9], rstr(5, "bcdfghjklmnpqrstvwxz2456789"))
DEPL = lambda: rng.choice(["web", "api", "worker", "checkout", "search", "notifier", "gateway", "scheduler"])

def r_k8s(kind, ns=None):
    ns = ns or rng.choice(NS)
    if kind == "pods": return "GET", "/api/v1/namespaces/{namespace}/pods", "/api/v1/namespaces/%s/pods" % ns
    if kind == "pod": return "GET", "/api/v1/namespaces/{namespace}/pods/{name}", "/api/v1/namespaces/%s/pods/%s" % (ns, POD())
    if kind == "log": return "GET", "/api/v1/namespaces/{namespace}/pods/{name}/log", "/api/v1/namespaces/%s/pods/%s/log" % (ns, POD())
    if kind == "deps": return "GET", "/apis/apps/v1/namespaces/{namespace}/deployments", "/apis/apps/v1/namespaces/%s/deployments" % ns
    if kind == "dep": return "GET", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "/apis/apps/v1/namespaces/%s/deployments/%s" % (ns, DEPL())
    if kind == "patchdep": return "PATCH", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "/apis/apps/v1/namespaces/%s/deployments/%s" % (ns, DEPL())
    if kind == "events": return "GET", "/api/v1/namespaces/{namespace}/events", "/api/v1/namespaces/%s/events" % ns
    if kind == "cms": return "GET", "/api/v1/namespaces/{namespace}/configmaps", "/api/v1/namespaces/%s/configmaps" % ns
    if kind == "svcs": return "GET", "/api/v1/namespaces/{namespace}/services", "/api/v1/namespaces/%s/services" % ns
    if kind == "delpod": return "DELETE", "/api/v1/namespaces/{namespace}/pods/{name}", "/api/v1/namespaces/%s/pods/%s" % (ns, POD())
    if kind == "secrets": return "GET", "/api/v1/namespaces/{namespace}/secrets", "/api/v1/namespaces/%s/secrets" % ns
    if kind == "secret": return "GET", "/api/v1/namespaces/{namespace}/secrets/{name}", "/api/v1/namespaces/%s/secrets/%s" % (ns, rng.choice(["db-creds", "tls-cert", "api-keys", "registry-pull", "oauth-client"]))
    if kind == "allsecrets": return "GET", "/api/v1/secrets", "/api/v1/secrets"
    if kind == "nodes": return "GET", "/api/v1/nodes", "/api/v1/nodes"
    if kind == "cordon": return "PATCH", "/api/v1/nodes/{name}", "/api/v1/nodes/ip-10-1-%d-%d.ec2.internal" % (rng.randrange(256), rng.randrange(256))
    if kind == "lease": return "PUT", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "/apis/coordination.k8s.io/v1/namespaces/%s/leases/%s" % (ns, "controller-leader")
    if kind == "getlease": return "GET", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "/apis/coordination.k8s.io/v1/namespaces/%s/leases/%s" % (ns, "controller-leader")
    if kind == "exec": return "GET", "/api/v1/namespaces/{namespace}/pods/{name}/exec", "/api/v1/namespaces/%s/pods/%s/exec" % (ns, POD())
    if kind == "ssar": return "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    if kind == "version": return "GET", "/version", "/version"
    if kind == "releases": return "GET", "/apis/kubeyard.io/v2/namespaces/{namespace}/releases", "/apis/kubeyard.io/v2/namespaces/%s/releases" % ns
    if kind == "delns": return "DELETE", "/api/v1/namespaces/{namespace}", "/api/v1/namespaces/%s" % ns
    if kind.startswith("admin:"):
        p = kind[6:]
        return ("POST" if p == "impersonate" else "GET"), "/admin/v1/" + p, "/admin/v1/" + p
    raise KeyError(kind)

# ---------------------------------------------------------------- labels
LABELS = []
def label(typ, start, end, note, tok=None, addrs=None, hint=None, cls=None, variant=None):
    l = dict(type=typ, start=iso(start), end=iso(end), note=note, token_class=cls)
    if tok: l["_raw"] = tok
    if addrs: l["client_addresses"] = sorted(set(addrs))
    if hint: l["match_hint"] = hint
    if variant: l["variant"] = variant
    LABELS.append(l)

# ==================================================================================================
# CLEAN POPULATION
# ==================================================================================================
def jit(x, f=0.2):
    return x * (1 + rng.uniform(-f, f))

# ---- customer clusters: fleet agent (gRPC) and an in-cluster controller (REST), hourly projected SA JWTs
NCL = int(70 * SCALE)
clusters = []
for c in range(NCL):
    cloud = "aws" if rng.random() < 0.7 else "gcp"
    nat = ip_pool(cloud)
    cl = dict(id="c-%s" % hexs(6), cloud=cloud, nat=[nat], org="org%02d" % (c % 40), sa_tokens={})
    if rng.random() < 0.3:
        cl["nat"].append(same24(nat))
    if c < 6:   # NAT gateway replaced on day 4: new address in the same /16 of the same cloud region
        a = nat.split(".")
        cl["nat_change"] = (T0 + 4 * DAY + rng.randint(0, DAY), "%s.%s.%d.%d" % (a[0], a[1], rng.randrange(256), rng.randrange(2, 254)))
    cl["secrets_ctrl"] = c % 5 == 0   # external-secrets controllers may read secrets
    clusters.append(cl)

def cl_ip(cl, t):
    if "nat_change" in cl and t >= cl["nat_change"][0]:
        return cl["nat_change"][1]
    return rng.choice(cl["nat"])

def sa_tokens_for(key, sub, scope, t_start, t_end, cls, owner, period=H):
    """hourly projected tokens, refreshed at ~80% of their lifetime: list of (iat, exp, raw)."""
    out = []
    t = t_start - rng.randint(0, 2400)
    while t < t_end:
        exp = t + period
        raw = jwt("sa", dict(sub=sub, aud=["https://api.kubeyard.example"], iat=int(t), nbf=int(t), exp=int(exp), jti=hexs(24), scope=scope))
        cred("Bearer " + raw, "auth", cls, owner)
        out.append((t, exp, raw))
        t += period * rng.uniform(0.78, 0.84)
    return out

def tok_at(toks, t):
    best = None
    for iat, exp, raw in toks:
        if iat <= t < exp:
            best = raw   # the newest valid
    return best

SA_TOKENS = {}
def run_cluster(cl):
    for role, period_s, scope in (("fleet-agent", 480, "fleet cluster:read"),
                                  ("controller", 720, "cluster:read cluster:write leases" + (" secrets:read" if cl["secrets_ctrl"] else ""))):
        sub = "system:serviceaccount:%s:%s" % (cl["id"], role if role == "fleet-agent" else ("external-secrets" if cl["secrets_ctrl"] else "kyd-controller"))
        toks = sa_tokens_for(cl["id"] + role, sub, scope, T0, TEND, "sa_" + role, sub)
        SA_TOKENS[(cl["id"], role)] = (toks, sub)
        t = T0 + rng.uniform(0, period_s)
        while t < TEND:
            tk = tok_at(toks, t)
            ip = cl_ip(cl, t)
            # 2% of refreshes: the client sends its just-expired token once, is refused, then refreshes
            if rng.random() < 0.004:
                old = [x for x in toks if x[1] <= t]
                if old and t - old[-1][1] < 1200:
                    o = old[-1][2]
                    if role == "fleet-agent":
                        fleet_grpc(t - 1, "Bearer " + o, "Heartbeat", 16, ip, "Bearer " + o)
                    else:
                        m, r, p = r_k8s("pods"); apiserver(t - 1, "Bearer " + o, m, r, p, 401, ip, ua="kyd-controller/1.4", raw="Bearer " + o)
            if role == "fleet-agent":
                meth = "Heartbeat" if rng.random() < 0.8 else rng.choice(["ReportStatus", "GetDesiredState"])
                fleet_grpc(t, "Bearer " + tk, meth, 0, ip, "Bearer " + tk)
                if INCIDENT[0] <= t < INCIDENT[1]:
                    for k in range(rng.randint(1, 3)):
                        fleet_grpc(t + 2 + 3 * k, "Bearer " + tk, meth, 0, ip, "Bearer " + tk)
                t += jit(period_s, 0.15)
            else:
                kind = rng.choice(["pods", "deps", "getlease", "lease", "lease", "events"] + (["secrets"] if cl["secrets_ctrl"] else []))
                m, r, p = r_k8s(kind)
                apiserver(t, "Bearer " + tk, m, r, p, 200, ip, ua="kyd-controller/1.4 (linux/arm64)", raw="Bearer " + tk)
                if INCIDENT[0] <= t < INCIDENT[1]:
                    for k in range(rng.randint(1, 4)):
                        apiserver(t + 1 + 2 ** k, "Bearer " + tk, m, r, p, 200, ip, ua="kyd-controller/1.4 (linux/arm64)", raw="Bearer " + tk)
                t += jit(period_s, 0.4)
for cl in clusters:
    run_cluster(cl)

# ---- Kubeyard's own platform controllers: management-cluster pods (private pod IPs)
PLAT = []
for i, name in enumerate(["cluster-provisioner", "node-lifecycle", "cert-rotator", "billing-meter", "backup-operator", "upgrade-operator",
                          "dns-operator", "quota-controller", "image-gc", "policy-agent", "autoscaler-bridge", "audit-forwarder"]):
    sub = "system:serviceaccount:kyd-platform:%s" % name
    toks = sa_tokens_for(name, sub, sub and "cluster:read cluster:write leases nodes:read secrets:read", T0, TEND, "sa_platform", sub)
    podip = "10.244.%d.%d" % (rng.randrange(256), rng.randrange(2, 254))
    t = T0 + rng.uniform(0, 120)
    nextmove = t + rng.uniform(1, 4) * DAY
    kinds = rng.sample(["pods", "deps", "nodes", "events", "cms", "secrets", "svcs"], 3) + ["lease", "getlease"]
    while t < TEND:
        if t > nextmove:     # pod rescheduled: new pod IP
            podip = "10.244.%d.%d" % (rng.randrange(256), rng.randrange(2, 254)); nextmove = t + rng.uniform(1, 4) * DAY
        tk = tok_at(toks, t)
        m, r, p = r_k8s(rng.choice(kinds), ns="kyd-platform" if rng.random() < 0.3 else None)
        apiserver(t, "Bearer " + tk, m, r, p, 200, podip, ua="%s/2.1 kubeyard-platform" % name, raw="Bearer " + tk)
        t += jit(120, 0.3)

# ---- humans: OIDC JWTs (1 h) from kubectl and the console
TZ = {"us_w": -8, "us_e": -5, "de": 1, "uk": 0, "in": 5.5}
REG = {"us_w": "us", "us_e": "us", "de": "de", "uk": "uk", "in": "in"}
ROLES_SC = {"dev": "cluster:read cluster:write logs:read exec",
            "sre": "cluster:read cluster:write logs:read exec secrets:read nodes:read nodes:admin deploy:read",
            "admin": "cluster:read cluster:write logs:read exec secrets:read nodes:read nodes:admin deploy:read admin infra:read infra:write",
            "contractor": "cluster:read logs:read"}
ROLE_KINDS = {"dev": ["pods", "pod", "log", "deps", "dep", "patchdep", "events", "cms", "svcs", "delpod", "exec", "ssar", "version"],
              "sre": ["pods", "pod", "log", "deps", "dep", "events", "nodes", "cordon", "secrets", "secret", "delpod", "patchdep", "exec", "ssar"],
              "admin": ["pods", "deps", "nodes", "secrets", "admin:tenants", "admin:quotas", "admin:clusters", "events", "delns", "ssar"],
              "contractor": ["pods", "pod", "log", "deps", "events"]}
NUSERS = int(240 * SCALE)
users = []
for i in range(NUSERS):
    region = rng.choice(["us_w", "us_w", "us_e", "us_e", "de", "de", "uk", "in", "in"])
    role = "dev" if i % 6 else "sre"
    if i < 6: role = "admin"; region = rng.choice(["us_w", "de"])
    if 6 <= i < 14: role = "contractor"; region = "de"
    r = REG[region]
    u = dict(sub="u%04d@kubeyard-customers.example" % i, role=role, region=region, tz=TZ[region],
             home=ip_pool(r + "_res"), mob=r + "_mob", office=OFFICES[r], p_office=rng.uniform(0.2, 0.8),
             start=rng.gauss(9.0, 0.8), end=rng.gauss(17.8, 0.8), sessions=rng.uniform(1.5, 4.0),
             fav=rng.sample(ROLE_KINDS[role], min(len(ROLE_KINDS[role]), rng.randint(4, 7))), oncall=None, weekend=rng.random() < 0.08,
             first_day=0, traveller=False, toks=[])
    if role == "sre" and rng.random() < 0.5:
        u["oncall"] = rng.choice([0, 1])   # on-call week 0 (Nov 23-29) or week 1 (Nov 30-)
    if role == "contractor":
        u["start"] = max(8.2, u["start"]); u["end"] = min(18.3, u["end"]); u["weekend"] = False
    users.append(u)
for u in rng.sample([u for u in users if u["role"] == "dev"], 10):
    u["first_day"] = 3     # joined on Thursday
for u in rng.sample([u for u in users if u["role"] == "dev" and u["region"] in ("us_w", "us_e") and not u["first_day"]], 6):
    u["traveller"] = True  # conference in Lisbon Wed-Thu of week 1
ADMINS = [u for u in users if u["role"] == "admin"]
CONTRACTORS = [u for u in users if u["role"] == "contractor"]

def human_session(u, t, n, ip, kinds=None, issue=True, tokclass="human_jwt"):
    """a kubectl session: one fresh 1-h token (refreshed when the session runs past it)."""
    kinds = kinds or u["fav"]
    iat = t - rng.randint(5, 60)
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(iat), exp=int(iat + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    cred("Bearer " + raw, "auth", tokclass, u["sub"])
    u["toks"].append((iat, iat + H, raw))
    for k in range(n):
        if t >= iat + H:   # kubectl sends the expired token once (30%), is refused, and refreshes
            if rng.random() < 0.3:
                m, r, p = r_k8s("pods"); apiserver(t, "Bearer " + raw, m, r, p, 401, ip, raw="Bearer " + raw); t += 1.5
            iat = t - 1
            raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(iat), exp=int(iat + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
            cred("Bearer " + raw, "auth", tokclass, u["sub"])
            u["toks"].append((iat, iat + H, raw))
        kind = rng.choice(kinds)
        if kind == "deploy:read":
            deploy_api(t, "GET", "/deploy/v1/releases", "/deploy/v1/releases", 200, ip, auth="Bearer " + raw, raw="Bearer " + raw, ua="kubeyard-console/5.2")
        else:
            m, r, p = r_k8s(kind)
            st = 200
            if kind == "delns":
                st = 200
            apiserver(t, "Bearer " + raw, m, r, p, st, ip, raw="Bearer " + raw)
        t += rng.expovariate(1 / 45.0) + 2
    return t

def day_loc(u, d):
    if u["traveller"] and d in (2, 3):
        return "hotel"
    if u["role"] == "admin":
        return "office" if rng.random() < u["p_office"] else "vpn"
    return "office" if rng.random() < u["p_office"] else "home"

for u in users:
    hotel = ip_pool("pt_hotel")
    vpn = ip_in(rng.choice(VPN))
    if rng.random() < 0.15:
        u["home2"] = (T0 + rng.randint(2, 7) * DAY, same24(u["home"]) if rng.random() < 0.5 else ip_in(slash16(u["home"])))
    for d in range(u["first_day"], DAYS):
        local_midnight = T0 + d * DAY - u["tz"] * H
        wd = (d % 7)   # 0 = Monday
        weekend = wd >= 5
        loc = day_loc(u, d)
        home = u["home"]
        if "home2" in u and T0 + d * DAY >= u["home2"][0]:
            home = u["home2"][1]
        def ipfor(loc):
            if loc == "office": return ip_in(u["office"]) if rng.random() < 0.1 else u["office"].replace(".0/24", ".%d" % (10 + sh(u["sub"]) % 200))
            if loc == "home": return home
            if loc == "vpn": return vpn
            if loc == "hotel": return hotel
        if not weekend or (u["weekend"] and rng.random() < 0.5):
            nsess = max(1, int(rng.gauss(u["sessions"], 1))) if not weekend else 1
            busy = 1.0
            if d == RELEASE_DAY: busy = 1.4
            tz_shift = 0 if loc != "hotel" else (u["tz"] - 0)   # in Lisbon they work Lisbon hours
            for s in range(nsess):
                h = rng.uniform(u["start"], u["end"] - 0.5)
                t = local_midnight + h * H + tz_shift * H
                if not (T0 <= t < TEND): continue
                l2 = "vpn" if (loc == "home" and rng.random() < 0.15 and u["role"] != "admin") else loc
                if u["role"] != "admin" and rng.random() < 0.05: l2 = "mob"
                ip = ipfor(l2) if l2 != "mob" else ip_pool(u["mob"])
                if l2 == "vpn": ip = vpn
                kinds = list(u["fav"])
                if d == RELEASE_DAY and u["role"] in ("dev", "sre") and rng.random() < 0.6:
                    kinds += ["releases", "releases"]
                if u["role"] == "sre" and rng.random() < 0.3:
                    kinds += ["deploy:read"]
                human_session(u, t, int(rng.randint(4, 22) * busy), ip, kinds=kinds)
        # incident: SREs hammer kubectl during the 5xx storm
        if d == 2 and u["role"] == "sre" and rng.random() < 0.7:
            t = INCIDENT[0] + rng.uniform(0, 1200)
            human_session(u, t, rng.randint(40, 70), ipfor(loc if loc != "hotel" else "home"), kinds=["pods", "pods", "events", "log", "deps", "nodes"])
        # on-call nights: pages at random local night hours from home
        if u["oncall"] is not None and d // 7 == u["oncall"] or (u["oncall"] == 1 and d == 8):
            if rng.random() < 0.35:
                t = local_midnight + rng.uniform(0.5, 6.0) * H
                if T0 <= t < TEND:
                    human_session(u, t, rng.randint(8, 30), home, kinds=["pods", "events", "log", "deps", "nodes", "pod"])

# ---- CI/CD: federated short-lived tokens from hosted runners (Azure pools)
NPIPE = int(50 * SCALE)
pipes = []
for i in range(NPIPE):
    repo = "kubeyard-cust/%s-%s" % (rng.choice(["shop", "api", "ledger", "search", "auth", "mobile-bff", "etl", "web", "notify", "maps"]), hexs(4))
    tzr = rng.choice(["us_w", "us_e", "de", "in"])
    tgt = rng.sample(clusters, rng.randint(1, 3))
    pipes.append(dict(repo=repo, sub="repo:%s:ref:refs/heads/main" % repo, tz=TZ[tzr], runs=rng.uniform(2, 9), nightly=rng.random() < 0.3, targets=tgt, toks=[]))
CI_SCOPE = "deploy:write deploy:read registry:push registry:pull cluster:read cluster:write"

def registry_pulls(cl, t, n_img):
    cr = CLUSTER_PULL[cl["id"]]
    for k in range(n_img):
        repo = rng.choice(REPOS)
        ip = cl_ip(cl, t)
        registry_log(t, "GET", "/v2/%s/manifests/%s" % (repo, rng.choice(["v1.%d.%d" % (rng.randrange(30), rng.randrange(10)), "latest", "main-" + hexs(7)])), 200, ip, cr, cr)
        for b in range(rng.randint(1, 4)):
            t += rng.uniform(0.2, 3)
            registry_log(t, "GET", "/v2/%s/blobs/sha256:%s" % (repo, hexs(64)), 200, ip, cr, cr)
        t += rng.uniform(1, 20)

REGISTRY = []    # policy registry entries: dict(raw, name, owner, owner_type, scopes, created_at, expires_at, last_used_at, networks)
REPOS = ["kubeyard-cust/%s" % x for x in ["shop-web", "api", "ledger", "search", "auth", "mobile-bff", "etl", "notify", "maps", "worker",
                                           "checkout", "gateway", "scheduler", "reports", "billing", "profile", "catalog", "media", "chat", "ml-serve"]]
CLUSTER_PULL = {}
for cl in clusters:
    user = "pull-" + cl["id"]
    pw = rstr(32)
    raw = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
    cred(raw, "auth", "registry_pull", user)
    CLUSTER_PULL[cl["id"]] = raw
    cl["pull_user"] = user; cl["pull_pw"] = pw
    cr_created = T0 - rng.randint(30, 300) * DAY
    REGISTRY.append(dict(raw=raw, name="registry-pull-%s" % cl["id"], owner=user, owner_type="service", scopes=["registry:pull"],
                         created_at=cr_created, expires_at=cr_created + 365 * DAY, last_used_at=T0 - rng.randint(600, 20000), networks=None))

def ci_run(p, t, inj_extra=None):
    iat = t - 5
    raw = jwt("ci", dict(sub=p["sub"], aud=["https://deploy.kubeyard.example"], iat=int(iat), nbf=int(iat), exp=int(iat + 900), jti=hexs(24),
                          repository=p["repo"], ref="refs/heads/main", runner_environment="github-hosted", scope=CI_SCOPE))
    cred("Bearer " + raw, "auth", "ci_token", p["sub"])
    p["toks"].append((iat, iat + 900, raw, t))
    ip = ip_pool("azure_runners")
    hdr = "Bearer " + raw
    ua = "kubeyard-deploy-action/3.4"
    tt = t
    deploy_api(tt, "GET", "/deploy/v1/releases", "/deploy/v1/releases", 200, ip, auth=hdr, raw=hdr, ua=ua); tt += rng.uniform(2, 8)
    for k in range(rng.randint(2, 6)):   # image push
        path = "/v2/%s/blobs/uploads/%s" % (p["repo"], hexs(8) + "-" + hexs(4))
        registry_log(tt, rng.choice(["PUT", "PATCH"]), path, 201, ip, hdr, hdr, ua="buildkit/0.17"); tt += rng.uniform(1, 20)
    registry_log(tt, "PUT", "/v2/%s/manifests/main-%s" % (p["repo"], hexs(7)), 201, ip, hdr, hdr, ua="buildkit/0.17"); tt += rng.uniform(5, 30)
    rel = rng.randint(10000, 99999)
    deploy_api(tt, "POST", "/deploy/v1/releases", "/deploy/v1/releases", 201, ip, auth=hdr, raw=hdr, ua=ua); tt += 3
    for cl in p["targets"]:
        m, r, pth = r_k8s("patchdep")
        apiserver(tt, hdr, m, r, pth, 200, ip, ua="kubectl/v1.31.2 (linux/amd64) ci", raw=hdr); tt += 2
        for k in range(rng.randint(3, 8)):   # rollout status polling
            m, r, pth = r_k8s("dep")
            apiserver(tt, hdr, m, r, pth, 200, ip, ua="kubectl/v1.31.2 (linux/amd64) ci", raw=hdr); tt += rng.uniform(5, 15)
        deploy_api(tt, "GET", "/deploy/v1/releases/{id}", "/deploy/v1/releases/%d" % rel, 200, ip, auth=hdr, raw=hdr, ua=ua); tt += 1
        registry_pulls(cl, tt + rng.uniform(5, 30), rng.randint(1, 3))
    return raw, ip

for p in pipes:
    for d in range(DAYS):
        wd = d % 7
        nr = p["runs"] if wd < 5 else 0.3
        if d == RELEASE_DAY: nr *= 3
        n = max(0, int(rng.gauss(nr, 1.2)))
        local_midnight = T0 + d * DAY - p["tz"] * H
        for k in range(n):
            # merges cluster in the afternoon
            t = local_midnight + min(21.5, max(8, rng.gauss(14, 2.5))) * H
            ci_run(p, t)
        if p["nightly"]:
            ci_run(p, T0 + d * DAY + 2 * H + rng.uniform(0, 900))

# background pulls (node autoscaling, restarts)
for cl in clusters:
    t = T0 + rng.uniform(0, 3 * H)
    while t < TEND:
        registry_pulls(cl, t, rng.randint(1, 2))
        hrs = (t - T0) % DAY / H
        t += rng.expovariate(1 / (2.5 * H)) + 60
        if (t - T0) // DAY == RELEASE_DAY and rng.random() < 0.5:   # rollout: every node pulls
            registry_pulls(cl, t, rng.randint(2, 5))

# ---- Terraform / GitOps agents: static API keys (X-API-Key) polling the deploy API
def mkkey(prefix="kyd_live_"):
    return prefix + rstr(40)

def reg(raw, **kw):
    e = dict(raw=raw); e.update(kw); REGISTRY.append(e); return e

NTF = int(30 * SCALE)
tf_agents = []
for i in range(NTF):
    cloud = rng.choice(["aws", "aws", "gcp"])
    ip = ip_pool(cloud)
    key = cred(mkkey(), "key", "terraform_key", "tf-org%02d" % i)
    kind = "clean"
    created = T0 - rng.randint(100, 320) * DAY
    scopes = ["infra:read", "infra:write"]
    exp = created + 365 * DAY
    if i in (0, 1, 2, 3): kind = "overscoped"; scopes = ["infra:read", "infra:write", "admin"]; created = T0 - 200 * DAY; exp = created + 365 * DAY
    if i in (4, 5, 6): kind = "longlife"; created = T0 - 100 * DAY; exp = created + 800 * DAY
    ag = dict(i=i, ip=ip, key=key, kind=kind, owner="tf-org%02d" % i, cloud=cloud, cluster=rng.choice(clusters)["id"], writes=(rng.random() < 0.6 or kind == "overscoped"))
    if 8 <= i < 14:   # rotated on day 4: the old key is revoked, the new one registered
        ag["rot"] = (T0 + 4 * DAY + rng.randint(9 * H, 17 * H), cred(mkkey(), "key", "terraform_key", ag["owner"]))
    ag["entry"] = reg(key, name="terraform-%s" % ag["owner"], owner=ag["owner"], owner_type="service", scopes=scopes, created_at=created,
                      expires_at=exp, last_used_at=T0 - rng.randint(0, 2) * DAY - rng.randint(0, 20) * H, networks=[slash16(ip)])
    if "rot" in ag:
        reg(ag["rot"][1], name="terraform-%s-2" % ag["owner"], owner=ag["owner"], owner_type="service", scopes=scopes, created_at=ag["rot"][0] - 600,
            expires_at=ag["rot"][0] + 365 * DAY, last_used_at=None, networks=[slash16(ip)])
    tf_agents.append(ag)

def tf_key_at(ag, t):
    if "rot" in ag and t >= ag["rot"][0]:
        return ag["rot"][1]
    return ag["key"]

for ag in tf_agents:
    t = T0 + rng.uniform(0, 600)
    ip = ag["ip"]
    nw = 0
    while t < TEND:
        key = tf_key_at(ag, t)
        if ag["i"] in (20, 21) and t > T0 + 5 * DAY and ip == ag["ip"]:
            ip = ip_in(slash16(ag["ip"]))   # redeployed within its VPC's NAT range
        c = ag["cluster"]
        deploy_api(t, "GET", "/deploy/v1/clusters/{cluster}", "/deploy/v1/clusters/%s" % c, 200, ip, key=key, raw=key)
        if rng.random() < 0.35:
            deploy_api(t + rng.uniform(0.3, 2), "GET", "/deploy/v1/clusters/{cluster}/nodepools", "/deploy/v1/clusters/%s/nodepools" % c, 200, ip, key=key, raw=key)
        dd = int((t - T0) // DAY)
        if ag["writes"] and dd % 7 < 5 and 14 <= (t - T0) % DAY / H < 20 and rng.random() < 0.012:
            deploy_api(t + 3, "PUT", "/deploy/v1/clusters/{cluster}/nodepools/{pool}", "/deploy/v1/clusters/%s/nodepools/%s" % (c, rng.choice(["default", "spot", "gpu"])), 200, ip, key=key, raw=key)
            nw += 1
        t += jit(720, 0.3)
    if ag["writes"] and nw == 0:   # at least one apply in the week
        key = tf_key_at(ag, T0 + 3 * DAY + 15 * H)
        deploy_api(T0 + 3 * DAY + 15 * H + rng.uniform(0, 3600), "PUT", "/deploy/v1/clusters/{cluster}/nodepools/{pool}", "/deploy/v1/clusters/%s/nodepools/default" % ag["cluster"], 200, ag["ip"], key=key, raw=key)

# ---- monitoring scrapers: opaque bearer tokens, every 2 minutes, from the vendor's fixed addresses
for i in range(int(6 * SCALE)):
    tok = cred("Bearer kyd_mon_" + rstr(36), "auth", "scraper_token", "monitoring-vendor-%d" % i)
    ips = [ip_pool("gcp")]; ips.append(same24(ips[0]))
    reg(tok, name="scraper-%d" % i, owner="monitoring-vendor-%d" % i, owner_type="service", scopes=["metrics:read"],
        created_at=T0 - rng.randint(30, 200) * DAY, expires_at=None, last_used_at=T0 - 600, networks=None)
    t = T0 + rng.uniform(0, 120)
    while t < TEND:
        if rng.random() < 0.5:
            apiserver(t, tok, "GET", "/metrics", "/metrics", 200, rng.choice(ips), ua="Prometheus/2.55.1", raw=tok)
        else:
            apiserver(t, tok, "GET", "/api/v1/nodes/{name}/proxy/metrics", "/api/v1/nodes/node-%d/proxy/metrics" % rng.randrange(40), 200, rng.choice(ips), ua="Prometheus/2.55.1", raw=tok)
        t += jit(120, 0.05)

# ---- partner integrations: low-rate keys through the edge gateway (envoy access logs)
partners = []
for i in range(int(30 * SCALE)):
    key = cred(mkkey("kyd_part_"), "key", "partner_key", "partner-%02d" % i)
    host = rng.choice(["aws", "gcp", "hetzner", "azure_runners"])
    ip = ip_pool(host)
    tzr = rng.choice(["us_e", "de", "uk", "in"])
    created = T0 - rng.randint(60, 300) * DAY
    exp = created + 365 * DAY
    kind = "clean"
    if i in (0, 1, 2): kind = "expiring"; created = T0 - 300 * DAY; exp = T0 + 11 * DAY
    pt = dict(i=i, key=key, ip=ip, tz=TZ[tzr], kind=kind, owner="partner-%02d" % i, rate=rng.uniform(6, 20))
    reg(key, name="partner-%02d" % i, owner=pt["owner"], owner_type="service", scopes=["infra:read", "billing:read"], created_at=created,
        expires_at=exp, last_used_at=T0 - rng.randint(1, 3) * DAY, networks=None)
    partners.append(pt)
    for d in range(DAYS):
        if d % 7 >= 5: continue
        local_midnight = T0 + d * DAY - pt["tz"] * H
        n = max(1, int(rng.gauss(pt["rate"], 3)))
        t = local_midnight + rng.uniform(9, 10) * H
        while n > 0:
            burst = min(n, rng.randint(2, 5))
            for k in range(burst):
                r = rng.random()
                if r < 0.5: edge_log(t, "GET", "/deploy/v1/clusters", 200, ip, key, key)
                elif r < 0.8: edge_log(t, "GET", "/billing/v1/usage", 200, ip, key, key)
                else: edge_log(t, "GET", "/billing/v1/invoices/%d" % rng.randint(100000, 999999), 200, ip, key, key)
                t += rng.uniform(0.5, 4)
            n -= burst
            t += rng.uniform(0.5, 1.5) * H
            if (t - local_midnight) / H > 17: break

# ==================================================================================================
# INJECTIONS
# ==================================================================================================
INJ = True
ATT = dict(do="do", hz="hetzner", ovh="ovh", vu="vultr", li="linode")

def vps():
    return ip_pool(rng.choice(["do", "hetzner", "ovh", "vultr", "linode"]))

def when(d, h):
    return T0 + d * DAY + h * H + rng.uniform(0, 1200)

# A1: stolen customer-cluster SA token replayed from a VPS: reads pods, then tries secrets (403)
vic = rng.sample([c for c in clusters if not c["secrets_ctrl"]], 6)
for j, cl in enumerate(vic[:3]):
    t = when(4 + j, rng.choice([3, 11, 20]))
    toks, sub = SA_TOKENS[(cl["id"], "controller")]
    tk = tok_at(toks, t); hdr = "Bearer " + tk
    ip = vps(); t0 = t
    for k in range(4):
        m, r, p = r_k8s(rng.choice(["pods", "deps", "svcs"])); apiserver(t, hdr, m, r, p, 200, ip, ua="kubectl/v1.29.0 (linux/amd64)", raw=hdr); t += rng.uniform(3, 10)
    t1 = t
    for k in range(8):
        m, r, p = r_k8s(rng.choice(["secrets", "secret"])); apiserver(t, hdr, m, r, p, 403, ip, ua="kubectl/v1.29.0 (linux/amd64)", raw=hdr); t += rng.uniform(2, 6)
    label("new_client_address", t0, t, "stolen SA token of %s replayed from a VPS %s" % (cl["id"], ip), tok=hdr, cls="sa_controller")
    label("scope_violation", t1, t, "stolen SA token lists secrets (no secrets:read), 403", tok=hdr, cls="sa_controller")
    label("denied_access", t1, t, "stolen SA token: 8 refused secret reads in ~30 s", tok=hdr, cls="sa_controller")

# A2: stolen external-secrets SA token: dumps every secret cluster-wide from a VPS at a high rate
vic2 = rng.sample([c for c in clusters if c["secrets_ctrl"]], 3)
for j, cl in enumerate(vic2):
    t = when(5 + j, rng.choice([2, 9, 22]))
    toks, sub = SA_TOKENS[(cl["id"], "controller")]
    tk = tok_at(toks, t); hdr = "Bearer " + tk
    ip = vps(); t0 = t
    m, r, p = r_k8s("pods"); apiserver(t, hdr, m, r, p, 200, ip, ua="python-requests/2.32.3", raw=hdr); t += 4
    for k in range(70):
        m, r, p = r_k8s("allsecrets" if k < 3 else rng.choice(["secret", "secret", "allsecrets"]))
        apiserver(t, hdr, m, r, p, 200, ip, ua="python-requests/2.32.3", raw=hdr); t += rng.uniform(0.5, 1.8)
    for typ in ("new_client_address", "new_resource", "rate_surge", "combined_findings"):
        label(typ, t0, t, "stolen external-secrets SA token of %s dumps all secrets from VPS %s (70 calls in ~1.5 min)" % (cl["id"], ip), tok=hdr, cls="sa_controller")

# B1: leaked CI token used from a VPS within its 15-minute lifetime (deploy + out-of-scope secret read)
for j in range(3):
    p = rng.choice(pipes)
    d = 4 + j if 4 + j < 5 else 7 + (j % 2)
    cand = [x for x in p["toks"] if T0 + 4 * DAY <= x[0] < TEND - H]
    if not cand:
        continue
    iat, exp, raw, tr = rng.choice(cand)
    hdr = "Bearer " + raw
    ip = vps(); t = iat + rng.uniform(240, 420); t0 = t
    deploy_api(t, "GET", "/deploy/v1/releases", "/deploy/v1/releases", 200, ip, auth=hdr, raw=hdr, ua="curl/8.5.0"); t += 5
    m, r, pth = r_k8s("pods"); apiserver(t, hdr, m, r, pth, 200, ip, ua="curl/8.5.0", raw=hdr); t += 4
    m, r, pth = r_k8s("deps"); apiserver(t, hdr, m, r, pth, 200, ip, ua="curl/8.5.0", raw=hdr); t += 6
    t1 = t
    for k in range(3):
        m, r, pth = r_k8s("secret"); apiserver(t, hdr, m, r, pth, 403, ip, ua="curl/8.5.0", raw=hdr); t += 3
    label("new_client_address", t0, t, "leaked CI token of %s used from VPS %s within its lifetime" % (p["repo"], ip), tok=hdr, cls="ci_token")
    label("scope_violation", t1, t, "leaked CI token reads secrets (not in its scopes)", tok=hdr, cls="ci_token")

# B2: leaked CI tokens replayed after expiry from a VPS (refused 401)
for j in range(3):
    p = rng.choice(pipes)
    cand = [x for x in p["toks"] if T0 + 3 * DAY <= x[0] < T0 + 7 * DAY]
    iat, exp, raw, tr = rng.choice(cand)
    hdr = "Bearer " + raw
    ip = vps(); t = exp + rng.uniform(2 * H, 20 * H); t0 = t
    n = 14 if j == 0 else 5
    for k in range(n):
        if k % 2: deploy_api(t, "POST", "/deploy/v1/releases", "/deploy/v1/releases", 401, ip, auth=hdr, raw=hdr, ua="Go-http-client/1.1")
        else:
            m, r, pth = r_k8s("secrets"); apiserver(t, hdr, m, r, pth, 401, ip, ua="Go-http-client/1.1", raw=hdr)
        t += rng.uniform(5, 15)
    label("expired_token", t0, t, "CI token of %s replayed %.1f h after expiry from VPS %s (%d refused calls)" % (p["repo"], (t0 - exp) / H, ip, n), tok=hdr, cls="ci_token")
    if n >= 10:
        label("failed_attempts", t0, t, "the expired CI token retried 14 times in ~2.5 min", tok=hdr, cls="ci_token")

# C1: fast credential stuffing at the registry (one address, many usernames)
NAMES = ["admin", "root", "deploy", "ci", "jenkins", "gitlab", "registry", "docker", "test", "dev", "prod", "backup", "k8s", "kube", "ops",
         "build", "release", "robot", "svc", "pull", "push", "harbor", "nexus", "user", "guest", "support", "devops", "sre", "web", "api"]
def basic(u, pw):
    return "Basic " + base64.b64encode(("%s:%s" % (u, pw)).encode()).decode()
for j in range(3):
    ip = vps(); t = when(4 + 2 * j, rng.choice([1, 13, 23])); t0 = t
    for k in range(40):
        b = basic(rng.choice(NAMES) + rng.choice(["", "1", "-bot", "_svc", "2024"]), rng.choice(["password", "123456", "Passw0rd!", "registry", "changeme", rstr(8)]))
        cred(b, "auth", "stuffing_guess", "?")
        registry_log(t, "GET", "/v2/", 401, ip, b, b, ua="python-requests/2.31.0"); t += rng.uniform(2, 8)
    label("credential_stuffing", t0, t, "registry: 40 guessed Basic credentials from %s in ~3 min" % ip, addrs=[ip], cls="registry", variant="fast")

# C2: slow stuffing: a few guesses every few minutes for 2 hours
for j in range(2):
    ip = ip_pool("proxy_res"); t = when(5 + 2 * j, 6); t0 = t
    for k in range(26):
        b = basic("pull-c-" + hexs(6), rstr(32))
        cred(b, "auth", "stuffing_guess", "?")
        registry_log(t, "GET", "/v2/", 401, ip, b, b, ua="containerd/1.6.8"); t += rng.uniform(200, 340)
    label("credential_stuffing", t0, t, "registry: 26 guessed pull credentials from %s over ~2 h (one per ~4.5 min)" % ip, addrs=[ip], cls="registry", variant="slow")

# C3: spray over residential proxies
for j in range(2):
    t = when(6 + j, rng.choice([4, 17])); t0 = t
    addrs = []
    for k in range(60):
        ip = ip_pool("proxy_res"); addrs.append(ip)
        for g in range(rng.randint(1, 2)):
            b = basic(rng.choice(NAMES) + str(rng.randint(1, 99)), rng.choice(["Winter2026!", "Kubeyard1", "Welcome123", rstr(10)]))
            cred(b, "auth", "stuffing_guess", "?")
            registry_log(t + rng.uniform(0, 420), "GET", "/v2/", 401, ip, b, b, ua="Docker-Client/24.0.7 (linux)")
    label("credential_stuffing", t0, t0 + 440, "registry spray: ~90 guesses from 60 residential-proxy addresses in 7 min", addrs=addrs, cls="registry", variant="spray")

# C4: stolen cluster pull credential used from a VPS to mirror many images
for j, cl in enumerate(rng.sample(clusters, 2)):
    cr = CLUSTER_PULL[cl["id"]]
    ip = vps(); t = when(5 + 2 * j, 21); t0 = t
    for k in range(60):
        repo = rng.choice(REPOS)
        registry_log(t, "GET", "/v2/%s/manifests/%s" % (repo, rng.choice(["latest", "v1.%d.0" % rng.randrange(30)])), 200, ip, cr, cr, ua="skopeo/1.16.1"); t += rng.uniform(0.2, 0.8)
        for b in range(4):
            registry_log(t, "GET", "/v2/%s/blobs/sha256:%s" % (repo, hexs(64)), 200, ip, cr, cr, ua="skopeo/1.16.1"); t += rng.uniform(0.2, 1.2)
    label("rate_surge", t0, t, "stolen pull credential of %s mirrors 300 manifests/blobs in ~4 min from %s" % (cl["id"], ip), tok=cr, cls="registry_pull")
    label("new_client_address", t0, t, "stolen pull credential of %s used from VPS %s" % (cl["id"], ip), tok=cr, cls="registry_pull")

# D1: partner key calls infra:write (out of scope)
for j, pt in enumerate(rng.sample([p for p in partners if p["kind"] == "clean"], 3)):
    t = T0 + (4 + j) * DAY - pt["tz"] * H + 11 * H + rng.uniform(0, 3600); t0 = t
    for k in range(2):
        edge_log(t, "PUT", "/deploy/v1/clusters/%s/nodepools/default" % rng.choice(clusters)["id"], 403 if k == 0 else 200, pt["ip"], pt["key"], pt["key"]); t += 20
    label("scope_violation", t0, t, "partner key %s resizes a node pool (infra:write not granted)" % pt["owner"], tok=pt["key"], cls="partner_key")

# D2: developer deletes a namespace (restricted to platform admins)
devs = [u for u in users if u["role"] == "dev" and not u["first_day"] and not u["traveller"]]
for j, u in enumerate(rng.sample(devs, 3)):
    d = 4 + j if 4 + j < 5 else 7 + j % 2
    t = T0 + d * DAY - u["tz"] * H + 14 * H + rng.uniform(0, 3600)
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    ip = u["office"].replace(".0/24", ".%d" % (10 + sh(u["sub"]) % 200))
    m, r, p = r_k8s("pods"); apiserver(t, hdr, m, r, p, 200, ip, raw=hdr)
    m, r, p = r_k8s("delns"); apiserver(t + 30, hdr, m, r, p, 200, ip, raw=hdr)
    label("restricted_resource", t, t + 30, "developer %s deletes namespace (restricted to platform admins), accepted" % u["sub"], tok=hdr, cls="human_jwt")

# D3: developer enumerates admin endpoints (403s)
for j, u in enumerate(rng.sample([x for x in devs], 2)):
    t = T0 + (5 + j * 2) * DAY - u["tz"] * H + 15 * H   # 5 = Saturday? keep weekday: 4 and 7
    t = T0 + (4 if j == 0 else 7) * DAY - u["tz"] * H + 15 * H + rng.uniform(0, 1800)
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    ip = u["home"]; t0 = t
    for k, pth in enumerate(["tenants", "quotas", "clusters", "users", "impersonate", "tenants", "audit", "clusters"]):
        m, r, p = r_k8s("admin:" + pth); apiserver(t, hdr, m, r, p, 403, ip, raw=hdr); t += rng.uniform(10, 40)
    label("scope_violation", t0, t, "developer %s probes /admin/v1/* (admin scope not granted), 403" % u["sub"], tok=hdr, cls="human_jwt")
    label("denied_access", t0, t, "developer %s: 8 refused admin calls in ~4 min" % u["sub"], tok=hdr, cls="human_jwt")

# D4: a CI pipeline token deletes a cluster through the deploy API (restricted)
for j, p in enumerate(rng.sample(pipes, 2)):
    t = T0 + (4 + 3 * j) * DAY + 15 * H + rng.uniform(0, 3600)
    raw, ip = ci_run(p, t)
    hdr = "Bearer " + raw
    deploy_api(t + 200, "DELETE", "/deploy/v1/clusters/{cluster}", "/deploy/v1/clusters/%s" % rng.choice(clusters)["id"], 202, ip, auth=hdr, raw=hdr, ua="kubeyard-deploy-action/3.4")
    label("restricted_resource", t + 200, t + 200, "pipeline %s (compromised workflow) deletes a cluster (restricted to platform admins)" % p["repo"], tok=hdr, cls="ci_token")

# E1: rotated-out (revoked) terraform keys used by a thief from a VPS; refused 401
rot = [a for a in tf_agents if "rot" in a]
for j, ag in enumerate(rot[:3]):
    ip = vps(); t = when(6 + j, rng.choice([3, 19])); t0 = t
    n = 12 if j == 0 else 4
    for k in range(n):
        deploy_api(t, "GET", "/deploy/v1/clusters", "/deploy/v1/clusters", 401, ip, key=ag["key"], raw=ag["key"], ua="curl/8.5.0"); t += rng.uniform(4, 15)
    label("revoked_token", t0, t, "terraform key of %s revoked on day 4 (rotation) used from VPS %s" % (ag["owner"], ip), tok=ag["key"], cls="terraform_key")
    label("disallowed_network", t0, t, "terraform key of %s used outside its allowed network" % ag["owner"], tok=ag["key"], cls="terraform_key")
    if n >= 10:
        label("failed_attempts", t0, t, "revoked key retried 12 times in ~2 min", tok=ag["key"], cls="terraform_key")

# E2: revoked human sessions (stolen laptop: jti revoked) used from abroad, accepted by a replica without the revocation list
REVOKED_JTI = []
for j, u in enumerate(rng.sample(devs, 2)):
    t = T0 + (5 + 2 * j) * DAY + rng.uniform(8, 20) * H
    jti = hexs(24)
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 1200), exp=int(t - 1200 + H), jti=jti, scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    REVOKED_JTI.append((jti, t - 900))
    ip = ip_pool("proxy_res"); t0 = t
    for k in range(5):
        m, r, p = r_k8s(rng.choice(["pods", "secrets", "cms"])); apiserver(t, hdr, m, r, p, 200, ip, raw=hdr); t += rng.uniform(5, 20)
    label("revoked_token", t0, t, "session of %s revoked (stolen laptop) used from %s" % (u["sub"], ip), tok=hdr, cls="human_jwt")

# F1: SA token of a decommissioned cluster found in an image layer, replayed days later (refused)
for j in range(2):
    cl = rng.choice(clusters)
    toks, sub = SA_TOKENS[(cl["id"], "fleet-agent")]
    iat, exp, raw = rng.choice([x for x in toks if x[0] < T0 + 2 * DAY])
    hdr = "Bearer " + raw
    ip = vps(); t = when(6 + j, 10); t0 = t
    for k in range(3):
        fleet_grpc(t, hdr, "GetDesiredState", 16, ip, hdr); t += rng.uniform(3, 9)
    label("expired_token", t0, t, "fleet-agent SA token (expired days ago) replayed over gRPC from VPS %s" % ip, tok=hdr, cls="sa_fleet-agent")

# F2: expired partner-style keys still accepted by the legacy billing endpoint, from a new network
for j in range(2):
    key = cred(mkkey("kyd_part_"), "key", "partner_key", "partner-legacy-%d" % j)
    reg(key, name="partner-legacy-%d" % j, owner="partner-legacy-%d" % j, owner_type="service", scopes=["infra:read", "billing:read"],
        created_at=T0 - 380 * DAY, expires_at=T0 - 15 * DAY, last_used_at=T0 - 16 * DAY, networks=None)
    ip = vps(); t = when(5 + j, 14); t0 = t
    for k in range(3):
        edge_log(t, "GET", "/billing/v1/invoices/%d" % rng.randint(100000, 999999), 200, ip, key, key, ua="python-requests/2.28"); t += rng.uniform(2, 10)
    label("expired_token", t0, t, "expired partner key accepted by the legacy billing endpoint from %s" % ip, tok=key, cls="partner_key")

# G: not-yet-valid tokens: minted with the leaked CI federation key, iat/nbf two days ahead
for j in range(3):
    p = rng.choice(pipes)
    t = when(6 + j % 3, rng.choice([1, 12, 18]))
    raw = jwt("ci", dict(sub=p["sub"], aud=["https://deploy.kubeyard.example"], iat=int(t + 2 * DAY), nbf=int(t + 2 * DAY), exp=int(t + 2 * DAY + 30 * DAY), jti=hexs(24),
                          repository=p["repo"], ref="refs/heads/main", scope=CI_SCOPE))
    hdr = cred("Bearer " + raw, "auth", "forged_ci", p["sub"])
    ip = vps(); t0 = t
    for k in range(3):
        deploy_api(t, "GET", "/deploy/v1/releases", "/deploy/v1/releases", 401, ip, auth=hdr, raw=hdr, ua="curl/8.5.0"); t += 4
    label("not_yet_valid_token", t0, t, "CI token minted with a leaked signing key, valid from 2 days ahead, from %s" % ip, tok=hdr, cls="forged_ci")

# H: malformed JWTs from scanners
for j in range(3):
    ip = vps(); t = when(4 + 2 * j, rng.choice([0, 7, 16])); t0 = t
    bad = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTUxNjIzOTAyMn0",   # two parts
           "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06YWRtaW4i.",                                 # truncated payload
           "eyJhbGciOiJIUzI1NiJ9.%%%%invalid%%%%." + rstr(43)][j]
    hdr = cred("Bearer " + bad, "auth", "malformed", "?")
    for k in range(3):
        m, r, p = r_k8s(rng.choice(["nodes", "secrets", "version"])); apiserver(t, hdr, m, r, p, 401, ip, ua="Mozilla/5.0 zgrab/0.x", raw=hdr); t += 2
    label("malformed_token", t0, t, "scanner sends a malformed JWT from %s" % ip, tok=hdr, cls="malformed")

# I: forged JWTs (wrong key) claiming an admin
for j in range(4):
    adm = rng.choice(ADMINS)
    t = when(4 + j, rng.choice([2, 10, 15, 23]))
    raw = jwt("login", dict(sub=adm["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 30), exp=int(t - 30 + H), jti=hexs(24), scope=ROLES_SC["admin"]), secret="guessed-" + rstr(12))
    hdr = cred("Bearer " + raw, "auth", "forged_jwt", adm["sub"])
    ip = vps(); t0 = t
    for k in range(3):
        m, r, p = r_k8s(rng.choice(["admin:tenants", "secrets", "admin:impersonate"]))
        apiserver(t, hdr, m, r, p, 200 if j == 3 else 401, ip, ua="python-requests/2.32.3", raw=hdr); t += 3
    label("invalid_signature", t0, t, "JWT forged in the name of admin %s (wrong key)%s, from %s" % (adm["sub"], ", accepted by a misconfigured replica" if j == 3 else "", ip), tok=hdr, cls="forged_jwt")

# J: unregistered API keys accepted (a shadow key minted through a support backdoor)
for j in range(3):
    key = cred(mkkey(), "key", "shadow_key", "?")
    ip = vps(); t = when(5 + j, rng.choice([4, 13, 21])); t0 = t
    for k in range(4):
        deploy_api(t, "GET", rng.choice(["/deploy/v1/clusters", "/deploy/v1/clusters/{cluster}"]), "/deploy/v1/clusters", 200, ip, key=key, raw=key, ua="curl/8.5.0"); t += rng.uniform(3, 12)
    label("unknown_token", t0, t, "unregistered API key accepted by the deploy API, from %s" % ip, tok=key, cls="shadow_key")

# K-policy: contractors (working hours Mon-Fri 07:00-20:00 Berlin) used at night / on Sunday
for j, u in enumerate(rng.sample(CONTRACTORS, 3)):
    d = [5, 6, 7][j]
    t = T0 + d * DAY - 1 * H + rng.choice([2.5, 3.0, 23.0]) * H
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC["contractor"], amr=["pwd"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    t0 = t
    for k in range(5):
        m, r, p = r_k8s(rng.choice(["pods", "log", "deps"])); apiserver(t, hdr, m, r, p, 200, u["home"], raw=hdr); t += rng.uniform(20, 90)
    label("off_hours", t0, t, "contractor %s (policy hours Mon-Fri 07-20 Berlin) at %s Berlin" % (u["sub"], dt.datetime.fromtimestamp(t0 + H, dt.timezone.utc).strftime("%a %H:%M")),
          tok=hdr, cls="human_jwt", variant="policy")

# K-learned: day-only developers' accounts used in their night (stolen refresh tokens)
daydevs = [u for u in devs if u["oncall"] is None and not u["weekend"] and u["role"] == "dev"]
for j, u in enumerate(rng.sample(daydevs, 4)):
    d = [5, 6, 7, 8][j]
    t = T0 + d * DAY - u["tz"] * H + rng.uniform(2.5, 4.0) * H
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    far = j < 2
    ip = ip_pool("proxy_res") if far else u["home"]
    t0 = t
    for k in range(8):
        m, r, p = r_k8s(rng.choice(["pods", "deps", "cms", "events"])); apiserver(t, hdr, m, r, p, 200, ip, raw=hdr); t += rng.uniform(15, 60)
    lt = dt.datetime.fromtimestamp(t0 + u["tz"] * H, dt.timezone.utc).strftime("%a %H:%M")
    label("off_hours", t0, t, "day-only developer %s used at %s local%s" % (u["sub"], lt, " from %s (new country)" % ip if far else " from home"), tok=hdr, cls="human_jwt", variant="learned")
    if far:
        label("new_client_address", t0, t, "developer %s session from a residential proxy abroad %s" % (u["sub"], ip), tok=hdr, cls="human_jwt")
        label("combined_findings", t0, t, "off_hours + new_client_address on one token", tok=hdr, cls="human_jwt")

# K-learned partners: a business-hours partner key used at 02:00-03:00 partner time
for j, pt in enumerate(rng.sample([p for p in partners if p["kind"] == "clean"], 2)):
    d = 7 + j
    t = T0 + d * DAY - pt["tz"] * H + rng.uniform(2.0, 3.0) * H; t0 = t
    for k in range(6):
        edge_log(t, "GET", rng.choice(["/deploy/v1/clusters", "/billing/v1/usage"]), 200, pt["ip"], pt["key"], pt["key"]); t += rng.uniform(10, 60)
    label("off_hours", t0, t, "business-hours partner key %s used at night (partner time)" % pt["owner"], tok=pt["key"], cls="partner_key", variant="learned")

# L: admin tokens (policy networks: office + VPN) used from elsewhere
for j, u in enumerate(rng.sample(ADMINS, 2)):
    t = T0 + (4 + 3 * j) * DAY - u["tz"] * H + 16 * H + rng.uniform(0, 3600)
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC["admin"], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    ip = vps(); t0 = t
    for k in range(4):
        m, r, p = r_k8s(rng.choice(["nodes", "admin:tenants", "pods"])); apiserver(t, hdr, m, r, p, 200, ip, raw=hdr); t += rng.uniform(10, 30)
    label("disallowed_network", t0, t, "admin %s session from VPS %s (admins: office and VPN only)" % (u["sub"], ip), tok=hdr, cls="human_jwt")

# M: exposed credentials
# M1: SA JWT in a URL query (web terminal exec over websocket with access_token=)
for j in range(2):
    cl = rng.choice(clusters)
    toks, sub = SA_TOKENS[(cl["id"], "controller")]
    t = when(4 + 3 * j, 14)
    tk = tok_at(toks, t); hdr = "Bearer " + tk
    m, r, p = r_k8s("pods")
    apiserver(t, None, "GET", "/api/v1/namespaces/{namespace}/pods/{name}/exec", p + "/x/exec", 101, cl_ip(cl, t), ua="kubeyard-web-terminal/0.9",
              query="command=sh&stdin=true&tty=true&access_token=" + tk, raw=hdr)
    label("exposed_credential", t, t, "SA token of %s in the exec URL's query (web terminal)" % cl["id"], tok=hdr, cls="sa_controller")
# M2: terraform key pasted into an application log line
for j, ag in enumerate([a for a in tf_agents if a["kind"] == "clean" and "rot" not in a][:2]):
    t = when(5 + j * 2, 9)
    key = tf_key_at(ag, t)
    logrec(t, "gitops-agent", "level=debug msg=\"provider configured\" endpoint=https://deploy.kubeyard.example api_key=%s region=eu-central-1" % key,
           {"k8s.namespace.name": "gitops"}, sev=5)
    use(key, t, None)
    label("exposed_credential", t, t, "terraform key of %s printed in a gitops-agent debug log line" % ag["owner"], tok=key, cls="terraform_key")
# M3: a GitHub PAT in an exception message of the deploy API
t = when(6, 11)
pat = cred("ghp_" + rstr(36), "key", "github_pat", "ci-bot")
p = rng.choice(pipes)
raw, ip = ci_run(p, t)
deploy_api(t + 400, "POST", "/deploy/v1/releases", "/deploy/v1/releases", 500, ip, auth="Bearer " + raw, raw="Bearer " + raw,
           events=[("exception", {"exception.type": "GitCloneError", "exception.message": "git clone https://x-access-token:%s@github.com/%s.git failed: exit 128" % (pat, p["repo"])})])
use(pat, t + 400, None)
label("exposed_credential", t + 400, t + 400, "GitHub PAT in a deploy-api exception message", tok=pat, cls="github_pat")
# M4: Slack webhook URL in a log body
for j in range(1):
    t = when(7, 13)
    wh = "https://hooks.slack.com/services/T0KYD%s/B0%s/%s" % (rstr(5, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), rstr(8, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), rstr(24))
    cred(wh, "none", "slack_webhook", "alerts")
    logrec(t, "release-notifier", "posting release summary to %s failed: 404 no_service" % wh, {"k8s.namespace.name": "kyd-platform"}, sev=13)
    INJ_CREDS.add(wh)
    label("exposed_credential", t, t, "Slack webhook URL in a release-notifier error log", hint="hooks.slack.com", cls="slack_webhook")
# M5: a human JWT in a URL query (console deep link)
u = rng.choice([x for x in users if x["role"] == "sre" and x["oncall"] is None])
t = T0 + 7 * DAY - u["tz"] * H + 11 * H
raw = jwt("login", dict(sub=u["sub"], azp="kubeyard-console", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
deploy_api(t, "GET", "/deploy/v1/releases", "/deploy/v1/releases", 200, u["home"], auth=hdr, raw=hdr, ua="Mozilla/5.0", query="view=table&access_token=" + raw)
label("exposed_credential", t, t, "user %s token copied into a console deep-link query" % u["sub"], tok=hdr, cls="human_jwt")
# M6: GitLab PAT on a CI job's command line (resource attribute)
t = when(8, 10)
glpat = cred("glpat-" + rstr(20, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), "key", "gitlab_pat", "mirror-job")
ns = int(t * 1e9)
items.append((t, "t", "repo-mirror|" + json.dumps(glpat), '{"traceId":"%s","spanId":"%s","name":"mirror","kind":1,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[],"status":{"code":0}}' % (hexs(32), hexs(16), ns, ns + 10**9)))
INJ_CREDS.add(glpat)
label("exposed_credential", t, t, "GitLab PAT on the repo-mirror job's command line (process.command_args)", tok=glpat, cls="gitlab_pat")

# P1: stolen current terraform key: exfiltration surge from a VPS
for j, ag in enumerate([a for a in tf_agents if a["kind"] == "clean" and "rot" not in a][2:4]):
    ip = vps(); t = when(6 + j, rng.choice([1, 20])); t0 = t
    key = tf_key_at(ag, t)
    for k in range(150):
        c = rng.choice(clusters)["id"]
        deploy_api(t, "GET", "/deploy/v1/clusters/{cluster}", "/deploy/v1/clusters/%s" % c, 200, ip, key=key, raw=key, ua="python-requests/2.32.3"); t += rng.uniform(0.5, 2.5)
    for typ in ("rate_surge", "new_client_address", "disallowed_network"):
        label(typ, t0, t, "stolen terraform key of %s enumerates every cluster (150 calls in ~4 min) from VPS %s" % (ag["owner"], ip), tok=key, cls="terraform_key")

# S: stolen human token driven through residential proxies (many networks in minutes)
for j, u in enumerate(rng.sample([x for x in devs if x["region"] in ("us_w", "us_e")], 3)):
    t = T0 + (4 + 2 * j) * DAY - u["tz"] * H + rng.uniform(10, 16) * H
    raw = jwt("login", dict(sub=u["sub"], azp="kubectl", aud=["kubeyard"], iat=int(t - 60), exp=int(t - 60 + H), jti=hexs(24), scope=ROLES_SC[u["role"]], amr=["pwd", "mfa"]))
    hdr = cred("Bearer " + raw, "auth", "human_jwt", u["sub"])
    t0 = t
    for k in range(12):
        ip = ip_pool(rng.choice(["us_res", "us_res", "us_mob"]))
        m, r, p = r_k8s(rng.choice(["pods", "deps", "cms"])); apiserver(t, hdr, m, r, p, 200, ip, raw=hdr); t += rng.uniform(15, 40)
    label("multi_address", t0, t, "token of %s used from 12 US residential/mobile proxy exits in ~6 min" % u["sub"], tok=hdr, cls="human_jwt")

# T: lifecycle
# stale registered keys (never used in the world)
for j in range(4):
    key = cred(mkkey(), "key", "terraform_key", "tf-legacy-%d" % j)
    e = dict(name="terraform-legacy-%d" % j, owner="tf-legacy-%d" % j, owner_type="service", scopes=["infra:read"], expires_at=None, networks=None)
    if j < 2: e.update(created_at=T0 - 300 * DAY, last_used_at=T0 - 120 * DAY - j * 9 * DAY)
    elif j == 2: e.update(created_at=T0 - 200 * DAY, last_used_at="never")
    else: e.update(created_at=T0 - 300 * DAY, last_used_at=None)
    reg(key, **e)
    INJ_CREDS.add(key)
    label("stale_token", T0, TEND, "registered key %s unused for 90+ days (%s)" % (e["name"], "last_used_at 120+ days ago" if j < 2 else ("never used" if j == 2 else "created 300 days ago, no last use")), tok=key, cls="terraform_key")
# resurrected: keys last used 45-70 days ago, used again by a thief
for j in range(3):
    key = cred(mkkey("kyd_part_"), "key", "partner_key", "partner-dormant-%d" % j)
    reg(key, name="partner-dormant-%d" % j, owner="partner-dormant-%d" % j, owner_type="service", scopes=["infra:read", "billing:read"],
        created_at=T0 - 250 * DAY, expires_at=T0 + 115 * DAY, last_used_at=T0 - rng.randint(45, 70) * DAY, networks=None)
    ip = vps(); t = when(5 + j, rng.choice([3, 15])); t0 = t
    for k in range(3):
        edge_log(t, "GET", rng.choice(["/deploy/v1/clusters", "/billing/v1/usage"]), 200, ip, key, key, ua="curl/8.5.0"); t += 8
    label("resurrected_token", t0, t, "partner key dormant since %s used again from %s" % (iso(REGISTRY[-1]["last_used_at"])[:10], ip), tok=key, cls="partner_key")
# unused scopes (over-granted terraform keys, admin never used)
for ag in tf_agents:
    if ag["kind"] == "overscoped":
        INJ_CREDS.add(ag["key"])
        label("unused_scopes", T0 + 8 * DAY, TEND, "terraform key of %s granted admin, never used (created 200 days ago)" % ag["owner"], tok=ag["key"], cls="terraform_key")
    if ag["kind"] == "longlife":
        INJ_CREDS.add(ag["key"])
        label("excessive_lifetime", T0, TEND, "terraform key of %s registered with an 800-day lifetime" % ag["owner"], tok=ag["key"], cls="terraform_key")
for pt in partners:
    if pt["kind"] == "expiring":
        INJ_CREDS.add(pt["key"])
        label("expiring_soon", T0 + 4 * DAY, TEND, "partner key %s expires %s and is in daily use" % (pt["owner"], iso(T0 + 11 * DAY)), tok=pt["key"], cls="partner_key")
# a break-glass JWT with a two-year lifetime used by an SRE
sre = rng.choice([u for u in users if u["role"] == "sre" and not u["oncall"]])
t = T0 + 3 * DAY - sre["tz"] * H + 11 * H
raw = jwt("login", dict(sub=sre["sub"], azp="breakglass", aud=["kubeyard"], iat=int(t - 3 * DAY), exp=int(t - 3 * DAY + 730 * DAY), jti=hexs(24), scope=ROLES_SC["sre"], amr=["pwd", "mfa"]))
hdr = cred("Bearer " + raw, "auth", "human_jwt", sre["sub"])
for k in range(6):
    m, r, p = r_k8s(rng.choice(["pods", "nodes", "events"])); apiserver(t + k * 40, hdr, m, r, p, 200, sre["office"].replace(".0/24", ".%d" % (10 + sh(sre["sub"]) % 200)), raw=hdr)
label("excessive_lifetime", t, t + 240, "break-glass JWT of %s with a 730-day lifetime" % sre["sub"], tok=hdr, cls="human_jwt")
INJ = False

# ==================================================================================================
# OUTPUT
# ==================================================================================================
# fingerprint every credential
key_file = os.path.join(OUT, "fingerprint.key")
with open(key_file, "w") as f:   # the format auditctl keygen writes: 64 hex digits and a newline; derived from the seed
    f.write(hashlib.sha256(b"eval10-fingerprint-key-%d" % SEED).hexdigest() + "\n")
os.chmod(key_file, 0o600)
raws_auth = [r for r, c in CRED.items() if c["form"] == "auth"]
raws_key = [r for r, c in CRED.items() if c["form"] == "key"]
def fp(lines, header):
    p = subprocess.run([AUDITCTL, "fingerprint", "-lines", "-header", header, "-key-file", key_file], input="\n".join(lines) + "\n", capture_output=True, text=True)
    ids = p.stdout.split("\n")[:len(lines)]
    return ids
TID = {}
for r, i in zip(raws_auth, fp(raws_auth, "authorization")): TID[r] = i
for r, i in zip(raws_key, fp(raws_key, "key")): TID[r] = i
missing = [r[:20] for r in raws_auth + raws_key if not TID.get(r)]
print("fingerprinted %d credentials, %d without id (%s)" % (len(TID), len(missing), missing[:5]))

# the GitLab PAT span: resource carries the command line
fixed = []
for t, sig, svc, s in items:
    if svc.startswith("repo-mirror|"):
        pat = json.loads(svc.split("|", 1)[1])
        svc = "repo-mirror"
        s = s  # resource attributes are added at request assembly
        fixed.append((t, sig, svc + "\x00" + "git-mirror --source gitlab.com/kubeyard/infra --token=%s --dest github.com/kubeyard/infra" % pat, s))
    else:
        fixed.append((t, sig, svc, s))
items = fixed

# labels: resolve token ids
labels = []
for n, l in enumerate(sorted(LABELS, key=lambda x: (x["start"], x["type"]))):
    l = dict(l); l["id"] = "L%03d" % (n + 1)
    raw = l.pop("_raw", None)
    if raw:
        l["token_id"] = TID[raw]
    labels.append(l)
with open(os.path.join(OUT, "labels.jsonl"), "w") as f:
    for l in labels:
        f.write(json.dumps(l, sort_keys=True) + "\n")

inj_ids = sorted(set(TID[r] for r in INJ_CREDS if r in TID))
att_only = sorted(set(TID[r] for r in INJ_CREDS - CLEAN_CREDS if r in TID))
att_addr = sorted(INJ_IPS - CLEAN_IPS)
json.dump(dict(injected_token_ids=inj_ids, attack_only_token_ids=att_only, attack_addresses=att_addr), open(os.path.join(OUT, "injected_index.json"), "w"), indent=0)

ctd = 0; by_cls = collections.Counter(); clean_creds = 0; cls_creds = collections.Counter()
for r, days in CLEAN_USE.items():
    if r in INJ_CREDS: continue
    ctd += len(days); by_cls[CRED[r]["cls"]] += len(days); clean_creds += 1; cls_creds[CRED[r]["cls"]] += 1
json.dump(dict(clean_token_days=ctd, clean_credentials=clean_creds, token_days_by_class=by_cls, credentials_by_class=cls_creds), open(os.path.join(OUT, "clean_stats.json"), "w"), indent=1)

with open(os.path.join(OUT, "token_classes.tsv"), "w") as f:
    for r, c in CRED.items():
        if r in TID:
            f.write("%s\t%s\t%s\n" % (TID[r], c["cls"], c["owner"]))
pcls = {}
for r, c in CRED.items():
    pcls.setdefault(c["owner"], c["cls"])
json.dump(pcls, open(os.path.join(OUT, "principals.json"), "w"))

# secrets: whole credentials, JWT signatures, Basic passwords, webhook paths, issuer secrets
sec = set()
for r in CRED:
    v = r.split(" ", 1)[1] if r.startswith(("Bearer ", "Basic ")) else r
    if len(v) < 12: continue
    sec.add(v)
    if r.startswith("Basic "):
        try:
            up = base64.b64decode(v).decode()
            pw = up.split(":", 1)[1]
            if len(pw) >= 12: sec.add(pw)
        except Exception:
            pass
    elif v.count(".") == 2 and len(v.rsplit(".", 1)[1]) >= 20:
        sec.add(v.rsplit(".", 1)[1])
    if v.startswith("https://hooks.slack.com/"):
        sec.add(v.split("/services/", 1)[1])
for s in SECRETS.values(): sec.add(s)
with open(os.path.join(OUT, "secrets.txt"), "w") as f:
    for s in sorted(sec): f.write(s + "\n")

# policy
def pol_time(t):
    return iso(t)
P = []
P.append("# Kubeyard token policy (eval10 world, seed %d). Tokens are named by their fingerprint." % SEED)
P.append("scopes:")
SCOPES = {
 "cluster:read": ["GET /api/v1/namespaces/{namespace}/pods", "GET /api/v1/namespaces/{namespace}/pods/{name}", "GET /apis/apps/v1/namespaces/{namespace}/deployments",
                  "GET /apis/apps/v1/namespaces/{namespace}/deployments/{name}", "GET /api/v1/namespaces/{namespace}/events", "GET /api/v1/namespaces/{namespace}/configmaps",
                  "GET /api/v1/namespaces/{namespace}/services", "GET /apis/kubeyard.io/v2/namespaces/{namespace}/releases"],
 "cluster:write": ["PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}", "POST /apis/apps/v1/namespaces/{namespace}/deployments",
                   "DELETE /api/v1/namespaces/{namespace}/pods/{name}", "PUT /api/v1/namespaces/{namespace}/configmaps/{name}", "POST /apis/kubeyard.io/v2/namespaces/{namespace}/releases"],
 "logs:read": ["GET /api/v1/namespaces/{namespace}/pods/{name}/log"],
 "exec": ["* /api/v1/namespaces/{namespace}/pods/{name}/exec"],
 "secrets:read": ["GET /api/v1/namespaces/{namespace}/secrets", "GET /api/v1/namespaces/{namespace}/secrets/{name}", "GET /api/v1/secrets"],
 "nodes:read": ["GET /api/v1/nodes", "GET /api/v1/nodes/{name}"],
 "nodes:admin": ["PATCH /api/v1/nodes/{name}"],
 "leases": ["GET /apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "PUT /apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"],
 "fleet": ["kubeyard.fleet.v1.Fleet/*"],
 "deploy:write": ["POST /deploy/v1/releases", "POST /deploy/v1/rollbacks"],
 "deploy:read": ["GET /deploy/v1/releases", "GET /deploy/v1/releases/{id}"],
 "infra:read": ["GET /deploy/v1/clusters", "GET /deploy/v1/clusters/{cluster}", "GET /deploy/v1/clusters/{cluster}/nodepools"],
 "infra:write": ["PUT /deploy/v1/clusters/{cluster}/nodepools/{pool}", "POST /deploy/v1/clusters"],
 "billing:read": ["GET /billing/v1/usage", "GET /billing/v1/invoices/{id}"],
 "registry:pull": ["GET /v2/**", "HEAD /v2/**"],
 "registry:push": ["PUT /v2/**", "POST /v2/**", "PATCH /v2/**"],
 "metrics:read": ["GET /metrics", "GET /api/v1/nodes/{name}/proxy/metrics"],
 "admin": ["* /admin/**"],
}
for k, v in SCOPES.items():
    P.append("  %s: [%s]" % (json.dumps(k), ", ".join(json.dumps(x) for x in v)))
adm = [u["sub"] for u in ADMINS]
P.append("restricted:")
P.append("  - resource: \"DELETE /api/v1/namespaces/*\"\n    principals: [%s]" % ", ".join(json.dumps(a) for a in adm))
P.append("  - resource: \"DELETE /deploy/v1/clusters/*\"\n    principals: [%s]" % ", ".join(json.dumps(a) for a in adm))
P.append("principals:")
admin_nets = sorted(set(OFFICES.values()) | set(VPN))
for a in adm:
    P.append("  %s:\n    networks: [%s]" % (json.dumps(a), ", ".join(json.dumps(x) for x in admin_nets)))
for u in CONTRACTORS:
    P.append("  %s:\n    working_hours: {time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: \"07:00\", end: \"20:00\"}" % json.dumps(u["sub"]))
P.append("revoked:")
for ag in tf_agents:
    if "rot" in ag:
        P.append("  - id: %s\n    revoked_at: %s" % (TID[ag["key"]], pol_time(ag["rot"][0])))
for jti, ra in REVOKED_JTI:
    P.append("  - jti: %s\n    revoked_at: %s" % (json.dumps(jti), pol_time(ra)))
P.append("registry:")
P.append("  authoritative: true")
P.append("  known: registered_or_verified")
P.append("  verified_issuers: [%s, %s, %s]" % (json.dumps(ISS_SA), json.dumps(ISS_LOGIN), json.dumps(ISS_CI)))
P.append("  tokens:")
for e in REGISTRY:
    P.append("    - id: %s" % TID[e["raw"]])
    P.append("      name: %s" % json.dumps(e["name"]))
    P.append("      owner: %s" % json.dumps(e["owner"]))
    P.append("      owner_type: %s" % e["owner_type"])
    P.append("      scopes: [%s]" % ", ".join(json.dumps(s) for s in e["scopes"]))
    P.append("      created_at: %s" % pol_time(e["created_at"]))
    if e.get("expires_at"): P.append("      expires_at: %s" % pol_time(e["expires_at"]))
    lu = e.get("last_used_at")
    if lu == "never": P.append("      last_used_at: never")
    elif lu: P.append("      last_used_at: %s" % pol_time(lu))
    if e.get("networks"): P.append("      networks: [%s]" % ", ".join(json.dumps(x) for x in e["networks"]))
open(os.path.join(OUT, "policy.yaml"), "w").write("\n".join(P) + "\n")
# the policy file lists the registry's entries: the CLI-generated fingerprint key is what the collector must use
# requests: out of order within a few minutes, several services per request, some sent twice
print("items: %d (%s)" % (len(items), dict(SRC_COUNT)))
RES = {}
def resource(svc):
    if "\x00" in svc:
        name, cmd = svc.split("\x00", 1)
        return '{"attributes":[%s,%s,%s]}' % (A("service.name", name), A("process.command_args", cmd), A("deployment.environment.name", "prod"))
    if svc not in RES:
        RES[svc] = '{"attributes":[%s,%s,%s]}' % (A("service.name", svc), A("deployment.environment.name", "prod"), A("cloud.region", "eu-central-1"))
    return RES[svc]
keyed = []
for t, sig, svc, s in items:
    keyed.append((t + rng.uniform(1, 200), sig, svc, s))
keyed.sort(key=lambda x: x[0])
nreq = 0; ndup = 0
with gzip.open(os.path.join(OUT, "requests.jsonl.gz"), "wt", compresslevel=3) as f:
    buf = {"t": [], "l": []}
    size = {"t": rng.randint(150, 500), "l": rng.randint(150, 500)}
    def flush(sig):
        global nreq, ndup
        by = collections.OrderedDict()
        for svc, s in buf[sig]:
            by.setdefault(svc, []).append(s)
        if sig == "t":
            body = '{"resourceSpans":[%s]}' % ",".join('{"resource":%s,"scopeSpans":[{"scope":{"name":"kubeyard/otelhttp","version":"0.58.0"},"spans":[%s]}]}' % (resource(svc), ",".join(ss)) for svc, ss in by.items())
            line = '{"p":"/v1/traces","b":' + body + '}'
        else:
            body = '{"resourceLogs":[%s]}' % ",".join('{"resource":%s,"scopeLogs":[{"scope":{"name":"filelog"},"logRecords":[%s]}]}' % (resource(svc), ",".join(ss)) for svc, ss in by.items())
            line = '{"p":"/v1/logs","b":' + body + '}'
        f.write(line + "\n"); nreq += 1
        if rng.random() < 0.02:
            f.write(line + "\n"); nreq += 1; ndup += 1
        buf[sig] = []; size[sig] = rng.randint(150, 500)
    # world v2: a request holds what its exporter collected in at most SPAN seconds (its items' event times still
    # up to ~3 min out of order); v1 cut requests by item count only, so in this sparse world one request spanned
    # ~8 min of event time and three in flight put items >15 min behind each other (18% late items in run v1)
    SPAN = 60
    first = {"t": None, "l": None}
    for t, sig, svc, s in keyed:
        if buf[sig] and (len(buf[sig]) >= size[sig] or t - first[sig] > SPAN):
            flush(sig)
        if not buf[sig]:
            first[sig] = t
        buf[sig].append((svc, s))
    for sig in ("t", "l"):
        if buf[sig]: flush(sig)

tc = collections.Counter(l["type"] for l in labels)
world = dict(name="Kubeyard", seed=SEED, scale=SCALE, start=iso(T0), end=iso(TEND), items=len(items), requests=nreq, duplicated_requests=ndup,
             jwt_secret_sa=SECRETS["sa"], jwt_secret_login=SECRETS["login"], jwt_secret_ci=SECRETS["ci"],
             labels=len(labels), label_types=dict(tc), clean_token_days=ctd, clean_credentials=clean_creds, credentials=len(CRED),
             items_by_service=dict(SRC_COUNT), registry_entries=len(REGISTRY))
json.dump(world, open(os.path.join(OUT, "world.json"), "w"), indent=1)
print(json.dumps({k: v for k, v in world.items() if not k.startswith("jwt_")}, indent=1))

# ---- optional: ground-truth metadata about the clean population, for grouping false alerts by cause
# (written only when META_OUT is set; it consumes no randomness, so the world is byte-identical either way)
if os.environ.get("META_OUT"):
    M = dict(users={u["sub"]: dict(role=u["role"], region=u["region"], tz=u["tz"], oncall_week=u["oncall"], traveller=u["traveller"],
                                   first_day=u["first_day"], weekend=u["weekend"], home=u["home"], office=u["office"],
                                   home_change=u.get("home2")) for u in users},
             clusters={c["id"]: dict(cloud=c["cloud"], nat=c["nat"], nat_change=c.get("nat_change"), secrets_ctrl=c["secrets_ctrl"]) for c in clusters},
             terraform={a["owner"]: dict(ip=a["ip"], kind=a["kind"], rotated=a.get("rot", [None])[0], moved=a["i"] in (20, 21)) for a in tf_agents},
             partners={p["owner"]: dict(ip=p["ip"], tz=p["tz"], kind=p["kind"]) for p in partners},
             pipelines={p["sub"]: dict(tz=p["tz"], nightly=p["nightly"]) for p in pipes},
             incident=INCIDENT, release_day=RELEASE_DAY, t0=T0)
    json.dump(M, open(os.environ["META_OUT"], "w"), indent=0)
