#!/usr/bin/env bash
# usage: [WORLD=<dir>] run.sh <bindir> <port> <rundir> [worlddir]
#   <bindir> holds otelcol-tokenaudit and auditctl. Generates the world into WORLD (default bench/blind7/world)
#   when it has no world.json (gen/gen_world.py, seed 7001, deterministic; about 2 minutes), checks it against the
#   frozen labels (labels.sha256) and the evaluator's world_v4 (world.sha256; requests.jsonl is the decompressed
#   requests.jsonl.gz), then re-runs otelcol-tokenaudit (shipped config.yaml: only ports, paths and the issuer key
#   changed) on it and scores it. Ports used: port..port+5 on 127.0.0.1.
set -euo pipefail
BIN=$(cd "$1" && pwd); PORT=$2; RUN=$3
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=${4:-${WORLD:-$HERE/world}}
if [ ! -f "$WORLD/world.json" ]; then
  if [ -d "$WORLD" ] && [ -n "$(ls -A "$WORLD")" ]; then echo "refusing: $WORLD is an incomplete world (no world.json); remove it"; exit 2; fi
  echo "generating the world into $WORLD (seed 7001)"
  GSTART=$(date +%s)
  rm -rf "$WORLD.partial"; mkdir -p "$(dirname "$WORLD")"
  python3 "$HERE/gen/gen_world.py" "$WORLD.partial" "$BIN/auditctl" 7001 > "$WORLD.partial.log" 2>&1 || { cat "$WORLD.partial.log"; exit 1; }
  rmdir "$WORLD" 2>/dev/null || true
  mv "$WORLD.partial" "$WORLD"; mv "$WORLD.partial.log" "$WORLD/gen.log"
  cat "$WORLD/gen.log"
  echo "generated in $(( $(date +%s) - GSTART ))s"
fi
WORLD=$(cd "$WORLD" && pwd)
# The frozen labels (v4, labels.frozen_at) and, recorded when the world was vendored, the rest of the evaluator's world_v4.
(cd "$HERE" && sha256sum -c --quiet --ignore-missing labels.sha256) || { echo "frozen labels changed in $HERE"; exit 1; }
(cd "$WORLD" && sha256sum -c --quiet "$HERE/labels.sha256") || { echo "$WORLD does not match the frozen labels"; exit 1; }
(cd "$WORLD" && grep -v '  requests\.jsonl$' "$HERE/world.sha256" | sha256sum -c --quiet) || { echo "$WORLD does not match world_v4"; exit 1; }
[ "$(gzip -dc "$WORLD/requests.jsonl.gz" | sha256sum | cut -d' ' -f1)" = "$(grep '  requests\.jsonl$' "$HERE/world.sha256" | cut -d' ' -f1)" ] \
  || { echo "$WORLD/requests.jsonl.gz does not match world_v4"; exit 1; }
echo "world matches the frozen labels and world_v4"
mkdir -p "$RUN"; RUN=$(cd "$RUN" && pwd)
[ -e "$RUN/data" ] && { echo "refusing: $RUN/data exists (use a fresh rundir)"; exit 2; }
mkdir -p "$RUN/data/keys"
install -m 600 "$WORLD/fingerprint.key" "$RUN/data/keys/fingerprint.key"
cp "$WORLD/policy.yaml" "$RUN/policy.yaml"
cp "$HERE/config.tmpl.yaml" "$RUN/config.yaml"
export B7_GRPC=$PORT B7_HTTP=$((PORT+1)) B7_PROM=$((PORT+2)) B7_HEALTH=$((PORT+3)) B7_PPROF=$((PORT+4)) B7_TELEMETRY=$((PORT+5))
export B7_JWT_SECRET=$(python3 -c "import json;print(json.load(open('$WORLD/world.json'))['jwt_secret'])")
cd "$RUN"
"$BIN/otelcol-tokenaudit" --config config.yaml > collector.log 2>&1 &
PID=$!
echo "$PID" > collector.pid
echo "collector pid $PID"
for i in $(seq 120); do curl -sf "http://127.0.0.1:$B7_HEALTH/" >/dev/null 2>&1 && break; sleep 1; done
START=$(date +%s)
python3 "$HERE/tools/send.py" "$WORLD/requests.jsonl.gz" 127.0.0.1 "$B7_HTTP" 3 > send.json 2> send.log
echo "sent in $(( $(date +%s) - START ))s: $(cat send.json)"
sleep 15   # let max_reorder_wait / held findings drain
kill -TERM "$PID"
for i in $(seq 300); do kill -0 "$PID" 2>/dev/null || break; sleep 1; done
kill -0 "$PID" 2>/dev/null && { echo "collector did not stop; killing"; kill -KILL "$PID"; }
rm -f collector.pid
rc=0; "$BIN/auditctl" verify data/audit -key data/keys/audit-signing.key.pub -checkpoint data/audit-checkpoints/checkpoint > verify.txt 2>&1 || rc=$?
echo "verify exit $rc" >> verify.txt
tail -3 verify.txt
python3 "$HERE/tools/score.py" "$WORLD" "$RUN" > score.txt
python3 "$HERE/tools/leaks.py" "$WORLD" "$RUN" > leaks.txt || true
cat score.txt | head -60
cat leaks.txt
