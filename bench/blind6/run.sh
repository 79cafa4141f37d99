#!/usr/bin/env bash
# usage: run.sh BIN_DIR BASE_PORT [RUN_DIR]
# Generates the world if absent (deterministic; labels must already be frozen), starts the collector on
# BASE_PORT.. BASE_PORT+6, replays the world, stops the collector (SIGINT), verifies the log, scores, searches secrets.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "${1:?bin dir}" && pwd); BASE=${2:?base port}
OUT=${3:-$HERE/runs/run-$(date -u +%Y%m%dT%H%M%S)}
WORLD=${WORLD:-$HERE/world}
# git keeps the key at mode 0644, which auditctl refuses for a key file: the generator gets a 0600 copy.
if [ -z "${FPKEY:-}" ]; then FPKEY=$(mktemp); trap 'rm -f "$FPKEY"' EXIT; install -m 600 "$HERE/keys/fingerprint.key" "$FPKEY"; fi
export FPKEY
[ -d "$WORLD/requests" ] || BIN=$BIN PYTHONHASHSEED=0 python3 "$HERE/gen.py" "$WORLD"
# gen.py differs from the frozen one in its two default paths only (BIN, FPKEY): its line is not checked.
if [ -f "$HERE/${LABELS_SHA:-labels.v2.sha256}" ]; then (cd "$HERE" && grep -v ' gen.py$' ${LABELS_SHA:-labels.v2.sha256} | sha256sum -c) || echo "WARNING: frozen files changed"; fi
mkdir -p "$OUT/keys" "$OUT/data"
cp "$HERE/keys/fingerprint.key" "$OUT/keys/fingerprint.key"; chmod 600 "$OUT/keys/fingerprint.key"
cp "$WORLD/policy.yaml" "$OUT/policy.yaml"
sed -e "s#@HTTP@#$BASE#; s#@GRPC@#$((BASE+1))#; s#@PROM@#$((BASE+2))#; s#@HEALTH@#$((BASE+3))#; s#@PPROF@#$((BASE+4))#; s#@SELF@#$((BASE+5))#; s#@OUT@#$OUT#g" \
    "$HERE/config.tmpl.yaml" > "$OUT/config.yaml"
export FW_IDP_HS256_SECRET='fw-idp-hs256-signing-secret-2026q4-7c1e9a4f0b22d853aa'
cd "$OUT"
"$BIN/otelcol-tokenaudit" --config "$OUT/config.yaml" > "$OUT/collector.stdout" 2> "$OUT/collector.stderr" &
PID=$!; echo $PID > "$OUT/collector.pid"
for i in $(seq 120); do curl -sf "http://127.0.0.1:$((BASE+3))/" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$((BASE+3))/" >/dev/null || { echo "collector did not start"; kill $PID; exit 1; }
date -u +%FT%TZ > "$OUT/replay.started"
python3 "$HERE/send.py" "$WORLD/requests" "$BASE" 2 > "$OUT/send.json" 2> "$OUT/send.log"
date -u +%FT%TZ > "$OUT/replay.finished"
sleep 20   # reorder buffer (max_reorder_wait 5s), alert outbox
curl -s "http://127.0.0.1:$((BASE+5))/metrics" > "$OUT/selfmetrics.txt" || true
curl -s "http://127.0.0.1:$((BASE+2))/metrics" > "$OUT/anomalymetrics.txt" || true
kill -INT $PID; for i in $(seq 300); do kill -0 $PID 2>/dev/null || break; sleep 1; done
kill -0 $PID 2>/dev/null && { echo "collector still running after 300s; sending TERM"; kill -TERM $PID; sleep 10; }
"$BIN/auditctl" verify "$OUT/data/audit" -key "$OUT/keys/audit-signing.key.pub" -checkpoint "$OUT/data/audit-checkpoints/checkpoint" > "$OUT/verify.txt" 2>&1 && echo "verify rc=0" >> "$OUT/verify.txt" || echo "verify rc=$?" >> "$OUT/verify.txt"
tail -3 "$OUT/verify.txt"
python3 "$HERE/score.py" "$HERE" "$OUT" "$WORLD" ${LABELS:-} | tee "$OUT/score.txt"
python3 "$HERE/secretscan.py" "$WORLD/secrets.txt" "$OUT" | tee "$OUT/secretscan.txt"
