#!/bin/bash
# blind5 end to end: generate the world, run the collector, send, score.
#   REPO=<checkout with dist/ built> RUNDIR=<output directory> ./run.sh
# Optional: BASEPORT (default 20317: OTLP gRPC; OTLP/HTTP +1, health_check -184, pprof -140,
# the collector's metrics +571, the prometheus exporter +572), SKIP_GEN=1 reuses RUNDIR/out,
# KEEP=1 keeps the bulk (OTLP batches, raw secrets, audit log, state). OUT, AUDITCTL and OTLP
# override the world's directory, auditctl and the OTLP/HTTP address.
# Writes into RUNDIR: out/ (the world), run/ (the collector's directory), config.yaml, COMMIT,
# gen.log, send.log, verify.log, leaks.log, score.md, score.json.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "${REPO:?REPO=checkout with dist/ built}" && pwd)
RUNDIR=${RUNDIR:?RUNDIR=output directory}
BASEPORT=${BASEPORT:-20317}
case "$RUNDIR" in /*) ;; *) RUNDIR=$HERE/$RUNDIR ;; esac
export REPO RUNDIR BASEPORT
export OUT=${OUT:-$RUNDIR/out}
export AUDITCTL=${AUDITCTL:-$REPO/dist/auditctl}
export OTLP=${OTLP:-127.0.0.1:$((BASEPORT+1))}
export MERIDIAN_JWT_SECRET=meridian-idp-hs256-signing-secret-2026-prod-0001
export TOKENAUDIT_FINGERPRINT_KEY=blind5-fingerprint-key-0123456789abcdefXYZ
BIN=$REPO/dist/otelcol-tokenaudit
[ -x "$BIN" ] && [ -x "$AUDITCTL" ] || { echo "missing $BIN or $AUDITCTL (cd $REPO && make otelcol tools)"; exit 1; }
mkdir -p "$RUNDIR"
cd "$RUNDIR"
T0=$(date +%s)
git -C "$REPO" rev-parse HEAD > COMMIT 2>/dev/null || true
if [ "${SKIP_GEN:-0}" != 1 ]; then
  echo "== generate the world"
  rm -rf "$OUT" && nice -n 10 python3 "$HERE/gen.py" | tee gen.log
  echo "   $(( $(date +%s) - T0 ))s"
fi
python3 "$HERE/mkconfig.py" "$HERE/config.yaml" "$BASEPORT" config.yaml
rm -rf run && mkdir -p run && cp "$OUT/policy.yaml" run/policy.yaml
echo "== start the collector"
"$HERE/start.sh"
curl -sf "http://127.0.0.1:$((BASEPORT-184))/" >/dev/null || { echo "collector not healthy"; tail -20 run/collector.err; exit 1; }
echo "== replay"
nice -n 10 python3 "$HERE/send.py" "$OUT/batches" | tee send.log
sleep 15   # let held items and alerts drain (max_reorder_wait 5s, outbox)
curl -s "http://127.0.0.1:$((BASEPORT+572))/metrics" > run/anomaly-metrics.txt || true
curl -s "http://127.0.0.1:$((BASEPORT+571))/metrics" > run/collector-metrics.txt || true
kill -INT "$(cat run/collector.pid)"
for i in $(seq 1 60); do kill -0 "$(cat run/collector.pid)" 2>/dev/null || break; sleep 1; done
echo "   collector stopped $(( $(date +%s) - T0 ))s"
echo "== verify, score, secret search"
"$AUDITCTL" verify run/data/audit -key run/data/keys/audit-signing.key.pub \
   -checkpoint run/data/audit-checkpoints/checkpoint | tee verify.log || true
nice -n 10 python3 "$HERE/score.py" > /dev/null
nice -n 10 python3 "$HERE/leaks.py" | tee leaks.log
# keep what the score needs (labels, credentials, policy, logs); drop the bulk
[ "${KEEP:-0}" = 1 ] || rm -rf "$OUT/batches" "$OUT/secrets.txt" run/data/audit run/data/state
echo "done in $(( $(date +%s) - T0 ))s; score in $RUNDIR/score.md"
grep -E '^\*\*macro' score.md
