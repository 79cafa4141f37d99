#!/usr/bin/env python3
"""print a run's score.json as Markdown tables (used for REPORT.md)"""
import json, sys
d = json.load(open(sys.argv[1]))
f = lambda x: "-" if x is None else f"{x:.3f}"
print("| finding type | labels | detected | recall | alerts | true | incidental | false | precision | false on clean creds | per 1k clean token-days |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
T = dict(injected=0, detected=0, alerts=0, true=0, incidental=0, false=0, false_clean=0)
for r in d["rows"]:
    print(f"| {r['type']} | {r['injected']} | {r['detected']} | {f(r['recall'])} | {r['alerts']} | {r['true']} | {r['incidental']} | {r['false']} | {f(r['precision'])} | {r['false_clean']} | {r['false_clean_per_1000']:.2f} |")
    for k in T: T[k] += r[k]
print(f"| **all** | {T['injected']} | {T['detected']} | macro {d['macro_recall']:.3f} | {T['alerts']} | {T['true']} | {T['incidental']} | {T['false']} | micro {d['micro_precision']:.3f} | {T['false_clean']} | {d['false_clean_per_1000']:.2f} |")
print()
print(f"Macro recall **{d['macro_recall']:.3f}**, micro precision **{d['micro_precision']:.3f}** ({d['true']} true / {d['false']} false), strict micro precision (incidental as false) **{d['strict_micro_precision']:.3f}** ({d['incidental']} incidental); false alerts on clean credentials **{d['false_clean']}** = **{d['false_clean_per_1000']:.2f} per 1,000 clean token-days** ({d['clean_token_days']:,} clean token-days). Audit records {d['records']:,}; alert Creates {d['alerts']}, Updates {sum(d['updates'].values())}.")
