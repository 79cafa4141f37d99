#!/usr/bin/env python3
import json, sys
s = json.load(open(sys.argv[1]))
f = lambda x: "–" if x is None else f"{x:.3f}"
print("| finding type | injected | detected | recall | alerts | true | incidental | false | precision | false on clean | per 1k clean token-days |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
T = dict(inj=0, det=0, al=0, tr=0, inc=0, fa=0, fc=0)
for r in s["rows"]:
    print(f"| `{r['type']}` | {r['injected']} | {r['detected']} | {f(r['recall'])} | {r['alerts']} | {r['true']} | {r['incidental']} | {r['false']} | {f(r['precision'])} | {r['false_clean']} | {r['false_clean_per_1000']:.2f} |")
    T["inj"] += r["injected"]; T["det"] += r["detected"]; T["al"] += r["alerts"]; T["tr"] += r["true"]; T["inc"] += r["incidental"]; T["fa"] += r["false"]; T["fc"] += r["false_clean"]
print(f"| **all** | {T['inj']} | {T['det']} | macro {s['macro_recall']:.3f} | {T['al']} | {T['tr']} | {T['inc']} | {T['fa']} | micro {s['micro_precision']:.3f} | {T['fc']} | {s['false_clean_per_1000']:.2f} |")
