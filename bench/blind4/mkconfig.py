#!/usr/bin/env python3
"""Copy the repository's config.yaml, changing ports, data paths, the JWT issuers' keys and our key formats.
mkconfig.py REPO_CONFIG RUNDIR BASEPORT OUT"""
import sys
src, D, base, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = open(src).read()
for old, new in (("127.0.0.1:4317", "127.0.0.1:%d" % base), ("127.0.0.1:4318", "127.0.0.1:%d" % (base + 1)),
                 ("127.0.0.1:8889", "127.0.0.1:%d" % (base + 2)), ("127.0.0.1:13133", "127.0.0.1:%d" % (base + 3)),
                 ("127.0.0.1:1777", "127.0.0.1:%d" % (base + 4)), ("./data/", D + "/data/"),
                 ("./policy.yaml", D + "/policy.yaml")):
    assert old in s, old
    s = s.replace(old, new)
old = """        - key_id: demo
          secret: ${env:TOKENAUDIT_DEMO_JWT_SECRET:-tokenaudit-demo-issuer-secret-not-for-production}"""
assert old in s
s = s.replace(old, """        - key_id: corp
          secret: logix-corp-idp-hs256-secret-2027-blind4-xxxxxxxx
        - key_id: mesh
          secret: logix-mesh-issuer-hs256-secret-2027-blind4-yyyyyy""")
old = "    policy_extension: token_policy\n    jwt:"
assert old in s
s = s.replace(old, """    policy_extension: token_policy
    # Logix Cloud's own key formats (API keys and CI deploy tokens).
    rules:
      - name: logix
        regex: '^lgx_live_[A-Za-z0-9]{32}$'
      - name: logix-ci
        regex: '^lgxci_[0-9a-f]{40}$'
    jwt:""", 1)
s = s.replace("service:\n  extensions:", """service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  extensions:""" % (base + 5), 1)
open(out, "w").write(s)
