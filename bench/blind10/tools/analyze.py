#!/usr/bin/env python3
"""eval10: group a run's false alerts (from score.json) by finding type, token class and a cause taken from the
world's ground-truth metadata (world.seed<N>.meta.json, written by gen/world.py with META_OUT). Changes no figure.
usage: analyze.py WORLD RUNDIR META"""
import collections, datetime as dt, json, sys
WORLD, RUN, META = sys.argv[1:4]
S = json.load(open(RUN + "/score.json")); M = json.load(open(META))
T0 = M["t0"]; INC = M["incident"]
tok = {}
for l in open(WORLD + "/token_classes.tsv"):
    a = l.rstrip("\n").split("\t"); tok[a[0]] = (a[1], a[2])
def ts(s):  # "Sat 11-28 02:07"
    d = dt.datetime.strptime("2026-" + s.split(" ", 1)[1], "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone.utc)
    return d.timestamp()
def cause(a):
    c, owner = tok.get(a["token"], ("?", None))
    if owner is None and a["who"]:
        owner = a["who"].split("(")[-1].rstrip(")")
    t = ts(a["time"]); day = int((t - T0) // 86400); tags = []
    if INC[0] - 1800 <= t < INC[1] + 3600: tags.append("incident 5xx storm")
    if day == M["release_day"]: tags.append("release day")
    if day % 7 >= 5: tags.append("weekend")
    u = M["users"].get(owner)
    if u:
        lh = ((t / 3600 + u["tz"]) % 24)
        tags.append("%s/%s local %02d:%02d" % (u["role"], u["region"], int(lh), int(lh % 1 * 60)))
        if u["oncall_week"] is not None and (day // 7 == u["oncall_week"]) and (lh < 7 or lh >= 22): tags.append("on-call night")
        if u["traveller"] and day in (2, 3, 4): tags.append("traveller (Lisbon)")
        if u["first_day"]: tags.append("new employee (day %d)" % u["first_day"])
        if u["home_change"]: tags.append("home address changed")
        if a["client"] == u["home"]: tags.append("from home")
        elif a["client"] and a["client"].startswith(u["office"].rsplit(".", 1)[0]): tags.append("from office")
    cid = None
    if owner and owner.startswith("system:serviceaccount:c-"): cid = owner.split(":")[2]
    if owner and owner.startswith("pull-c-"): cid = owner[5:]
    if cid and cid in M["clusters"]:
        cl = M["clusters"][cid]
        if cl["nat_change"]: tags.append("cluster NAT changed day %d" % int((cl["nat_change"][0] - T0) // 86400))
    if owner in M["terraform"]:
        tf = M["terraform"][owner]
        if tf["moved"]: tags.append("agent redeployed in its /16")
        if tf["rotated"]: tags.append("key rotated")
    if owner in M["partners"]: tags.append("partner tz %s" % M["partners"][owner]["tz"])
    return c, tags
groups = collections.defaultdict(list)
for typ, L in S["false_alerts"].items():
    for a in L:
        if not a["clean_cred"]: continue
        c, tags = cause(a)
        key = (typ, c, ", ".join(x for x in tags if not x.startswith(("dev/", "sre/", "admin/", "contractor/")) and not x.startswith("partner tz")))
        groups[key].append((a, tags))
tot = sum(len(v) for v in groups.values())
print("false alerts on clean credentials: %d" % tot)
for key, L in sorted(groups.items(), key=lambda kv: -len(kv[1])):
    print("\n== %s | %s | %s : %d" % (key[0], key[1], key[2] or "-", len(L)))
    for a, tags in L[:3]:
        print("   %s %s client=%s res=%s out=%s tags=[%s]\n      %s" % (a["time"], a["who"], a["client"], a["resource"], a["outcome"], "; ".join(tags), a["msg"][:260]))
# not on clean credentials but false (clean behaviour of injected tokens outside label windows)
nc = [(t, a) for t, L in S["false_alerts"].items() for a in L if not a["clean_cred"]]
print("\nfalse alerts on credentials used in injections (outside any label window): %d" % len(nc))
for t, a in nc[:20]:
    print("   %s %s %s client=%s res=%s :: %s" % (t, a["time"], a["who"], a["client"], a["resource"], a["msg"][:200]))
