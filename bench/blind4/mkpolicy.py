#!/usr/bin/env python3
"""Translate the world's inventory into a tokenaudit policy file (docs/policy.md).
mkpolicy.py GENDIR FPMAP OUT"""
import json, sys
GEN, FPMAP, OUT = sys.argv[1:4]
reg = json.load(open(GEN + "/registry.json"))
fp = dict(l.rstrip("\n").split("\t") for l in open(FPMAP))
q = json.dumps
o = []
o.append("# Logix Cloud token policy, written from the IAM inventory export.")
o.append("scopes:")
for s, pats in reg["scopes"].items():
    o.append("  %s: [%s]" % (q(s), ", ".join(q(p) for p in pats)))
o.append("restricted:")
o.append("  - resource: \"DELETE /v1/admin/**\"")
o.append("    principals: [%s]" % ", ".join(q(p) for p in reg["restricted_admins"]))
o.append("principals:")
for p, nets in sorted(reg["principal_nets"].items()):
    o.append("  %s:" % q(p))
    o.append("    networks: [%s]" % ", ".join(q(n) for n in nets))
    if p in reg["principal_hours"]:
        h = reg["principal_hours"][p]
        o.append("    working_hours: {time_zone: %s, days: [%s], start: %s, end: %s}" % (
            h["time_zone"], ", ".join(h["days"]), q(h["start"]), q(h["end"])))
for p, h in sorted(reg["principal_hours"].items()):
    if p not in reg["principal_nets"]:
        o.append("  %s:" % q(p))
        o.append("    working_hours: {time_zone: %s, days: [%s], start: %s, end: %s}" % (
            h["time_zone"], ", ".join(h["days"]), q(h["start"]), q(h["end"])))
o.append("revoked:")
for tk in reg["revoked_tokeys"]:
    o.append("  - id: %s" % fp[tk])
for j in reg["revoked_jti"]:
    o.append("  - jti: %s" % q(j))
o.append("registry:")
o.append("  authoritative: true")
o.append("  known: registered_or_verified")
o.append("  verified_issuers: [\"https://login.logix-cloud.example/\", \"https://mesh-ca.logix.internal/\"]")
o.append("  tokens:")
for e in reg["registry"]:
    o.append("    - id: %s" % fp[e["tokey"]])
    o.append("      name: %s" % q(e["name"]))
    o.append("      owner: %s" % q(e["owner"]))
    o.append("      owner_type: %s" % e["owner_type"])
    o.append("      scopes: [%s]" % ", ".join(q(s) for s in e["scopes"]))
    o.append("      created_at: %s" % e["created_at"])
    if e.get("expires_at"):
        o.append("      expires_at: %s" % e["expires_at"])
    if e.get("last_used_at"):
        o.append("      last_used_at: %s" % e["last_used_at"])
open(OUT, "w").write("\n".join(o) + "\n")
