#!/usr/bin/env python3
"""re-run the generator's deterministic prefix (up to the clinicians' sessions) to recover each clinician's hospital time zone,
on-call flag and app kind; used only to explain false alerts in the report. usage: clinmeta.py GEN.py SEED OUT.json"""
import sys, json
src = open(sys.argv[1]).read()
cut = src.index('print("clinicians"')
sys.argv = [sys.argv[1], "/tmp/clinmeta_unused", sys.argv[2], sys.argv[3]]
g = {"__name__": "clinmeta", "__file__": sys.argv[0]}
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
exec(compile(src[:cut], "world_prefix", "exec"), g)
out = {c["id"]: dict(tz=c["h"]["tz"], off=c["h"]["off"], hosp=c["h"]["id"], role=c["role"], pattern=c["pattern"], oncall=c["oncall"], mobile=c["mobile"],
                     home=c["home"], home2=c["home2"], nat=c["h"]["nat"] + (c["h"]["nat_after"] or [])) for c in g["CLIN"]}
json.dump(out, open(sys.argv[3], "w"))
print(len(out))
