#!/bin/bash
# Blind labelled evaluation of the tokenaudit distribution.
#   REPO=<checkout with dist/ built> RUNDIR=run1 SCORE=score.txt ./run.sh
# Optional: SEED (default 4242), WORLD_SCALE (default 1.0), BASEPORT (default 24317), KEEP=1 keeps the audit log.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${REPO:?REPO=checkout with dist/ built}
RUNDIR=${RUNDIR:?RUNDIR=name}
SCORE=${SCORE:-score.txt}
SEED=${SEED:-4242}
BASEPORT=${BASEPORT:-24317}
case "$RUNDIR" in /*) D=$RUNDIR ;; *) D=$HERE/$RUNDIR ;; esac
case "$SCORE" in /*) ;; *) SCORE=$D/$SCORE ;; esac
BIN=$REPO/dist/otelcol-tokenaudit
CTL=$REPO/dist/auditctl
[ -x "$BIN" ] && [ -x "$CTL" ] || { echo "missing $BIN or $CTL (cd $REPO && make otelcol tools)"; exit 1; }
rm -rf "$D"; mkdir -p "$D/data/keys"
T0=$(date +%s)
echo "== generate world (seed $SEED)"
python3 "$HERE/world.py" "$D/gen" "$SEED"
echo "   $(( $(date +%s) - T0 ))s"

echo "== fingerprint key and token ids"
python3 -c 'import hashlib,sys;print(hashlib.sha256(("blind4-fingerprint-key-"+sys.argv[1]).encode()).hexdigest())' "$SEED" > "$D/data/keys/fingerprint.key"
chmod 600 "$D/data/keys/fingerprint.key"
python3 "$HERE/fingerprint.py" "$CTL" "$D/data/keys/fingerprint.key" "$D/gen/fp_input.tsv" "$D/fpmap.tsv"
python3 "$HERE/mkpolicy.py" "$D/gen" "$D/fpmap.tsv" "$D/policy.yaml"
python3 "$HERE/mkconfig.py" "$REPO/config.yaml" "$D" "$BASEPORT" "$D/config.yaml"
echo "   $(( $(date +%s) - T0 ))s"

echo "== start collector"
( cd "$D" && exec "$BIN" --config "$D/config.yaml" > "$D/collector.out" 2> "$D/collector.err" ) &
CPID=$!
for i in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$((BASEPORT+3))/" >/dev/null 2>&1 && break
  kill -0 $CPID 2>/dev/null || { echo "collector died"; tail -20 "$D/collector.err"; exit 1; }
  sleep 0.5
done
echo "== replay"
python3 "$HERE/send.py" "$D/gen" "127.0.0.1:$((BASEPORT+1))" 2 2> "$D/send.log" || true
tail -1 "$D/send.log"
echo "   $(( $(date +%s) - T0 ))s"
sleep 8   # reorder buffer's max_reorder_wait (5s) and alert delivery
curl -s "http://127.0.0.1:$((BASEPORT+2))/metrics" > "$D/metrics.txt" || true
curl -s "http://127.0.0.1:$((BASEPORT+5))/metrics" > "$D/selfmetrics.txt" || true
kill -TERM $CPID
wait $CPID || true
echo "   collector stopped $(( $(date +%s) - T0 ))s"

echo "== alerts and score"
python3 "$HERE/alerts.py" "$D/data/audit" "$D/alerts.jsonl"
python3 "$HERE/score.py" "$D/gen" "$D/alerts.jsonl" "$D/fpmap.tsv" "$SCORE" "$D/detail.json"

echo "== secret search"
python3 "$HERE/leaks.py" "$D/gen/secrets.txt" "$D/data" "$D/collector.out" "$D/collector.err" "$D/metrics.txt" "$D/selfmetrics.txt" | tee -a "$SCORE"

"$CTL" verify "$D/data/audit" -key "$D/data/keys/audit-signing.key.pub" -checkpoint "$D/data/audit-checkpoints/checkpoint" 2>&1 | tail -2 | tee -a "$SCORE" || true

# keep what the score needs: labels, tokens, fingerprints, alerts, detail; drop the bulk
rm -rf "$D/gen/req"
[ "${KEEP:-0}" = 1 ] || rm -rf "$D/data/audit" "$D/data/state"
gzip -f "$D/collector.out" 2>/dev/null || true
echo "done in $(( $(date +%s) - T0 ))s; score in $SCORE"
