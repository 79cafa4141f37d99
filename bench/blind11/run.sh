#!/usr/bin/env bash
# blind11 (CampusLoop), the eleventh outside evaluation's run, the evaluator's run.sh with the
# world generated when missing (as bench/blind10/run.sh) and the shared tools used where they are.
# usage: run.sh <dir with otelcol-tokenaudit and auditctl> <base port> <run dir> [seed: 1 or 2]
#   Generates the world for the seed into WORLD (default bench/blind11/world.seed<seed>) when it has none,
#   checks its labels against the frozen ones, runs the collector (the shipped config.yaml with only ports,
#   paths and the issuers' keys changed: config.tmpl.yaml) on it, scores it and searches every output for
#   the raw secrets sent. Ports used: port..port+5 on 127.0.0.1.
set -euo pipefail
BIN=$(cd "$1" && pwd); PORT=$2; RUN=$3; SEED=${4:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=${WORLD:-$HERE/world.seed$SEED}
[ -f "$HERE/labels.seed$SEED.sha256" ] || { echo "no frozen labels for seed $SEED"; exit 2; }
if [ ! -f "$WORLD/world.json" ]; then
  echo "== generating the world (seed $SEED, about 1 minute)"
  mkdir -p "$WORLD"
  AUDITCTL="$BIN/auditctl" python3 "$HERE/gen/world.py" "$WORLD" "$SEED" 1.0 > "$WORLD/gen.log" 2>&1 || { tail -20 "$WORLD/gen.log"; exit 3; }
fi
WORLD=$(cd "$WORLD" && pwd)
(cd "$WORLD" && sha256sum --quiet -c "$HERE/labels.seed$SEED.sha256") || { echo "the world's labels differ from the frozen ones"; exit 4; }
cmp -s "$WORLD/labels.jsonl" "$HERE/labels.seed$SEED.jsonl" || { echo "the world's labels differ from labels.seed$SEED.jsonl"; exit 4; }
mkdir -p "$RUN"; RUN=$(cd "$RUN" && pwd)
[ -e "$RUN/data" ] && { echo "refusing: $RUN/data exists (use a fresh rundir)"; exit 2; }
mkdir -p "$RUN/data/keys"
install -m 600 "$WORLD/fingerprint.key" "$RUN/data/keys/fingerprint.key"
cp "$WORLD/policy.yaml" "$RUN/policy.yaml"
cp "$HERE/config.tmpl.yaml" "$RUN/config.yaml"
export E11_GRPC=$PORT E11_HTTP=$((PORT+1)) E11_PROM=$((PORT+2)) E11_HEALTH=$((PORT+3)) E11_PPROF=$((PORT+4)) E11_TELEMETRY=$((PORT+5))
jget() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORLD/world.json" "$1"; }
E11_JWT_SECRET_STUDENT=$(jget jwt_secret_student); E11_JWT_SECRET_STAFF=$(jget jwt_secret_staff); E11_JWT_SECRET_LTI=$(jget jwt_secret_lti)
export E11_JWT_SECRET_STUDENT E11_JWT_SECRET_STAFF E11_JWT_SECRET_LTI
cd "$RUN"
"$BIN/otelcol-tokenaudit" --config config.yaml > collector.log 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
ok=0; for _ in $(seq 120); do curl -sf "http://127.0.0.1:$E11_HEALTH/" >/dev/null 2>&1 && { ok=1; break; }; kill -0 $PID 2>/dev/null || break; sleep 1; done
[ $ok = 1 ] || { echo "collector did not start"; tail -30 collector.log; exit 3; }
START=$(date +%s)
# blind7's driver, which the evaluator copied unchanged: OTLP/HTTP JSON, in order, 3 in flight
python3 "$HERE/../blind7/tools/send.py" "$WORLD/requests.jsonl.gz" 127.0.0.1 "$E11_HTTP" 3 > send.json 2> send.log
echo "sent in $(( $(date +%s) - START ))s: $(cat send.json)"
sleep 20   # let max_reorder_wait and held findings drain
curl -s "http://127.0.0.1:$E11_PROM/metrics" > metrics.prom || true
curl -s "http://127.0.0.1:$E11_TELEMETRY/metrics" > telemetry.prom || true
kill -TERM "$PID"
for _ in $(seq 300); do kill -0 "$PID" 2>/dev/null || break; sleep 1; done
kill -0 "$PID" 2>/dev/null && { echo "collector did not stop; killing"; kill -KILL "$PID"; }
rc=0; "$BIN/auditctl" verify data/audit -key data/keys/audit-signing.key.pub -checkpoint data/audit-checkpoints/checkpoint > verify.txt 2>&1 || rc=$?
echo "verify exit $rc" >> verify.txt
tail -3 verify.txt
python3 "$HERE/../blind9/tools/score.py" "$WORLD" "$RUN" > score.txt
python3 "$HERE/../blind9/tools/leaks.py" "$WORLD" "$RUN" > leaks.txt || true
head -45 score.txt
cat leaks.txt
