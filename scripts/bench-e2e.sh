#!/usr/bin/env bash
# make bench-e2e: each pipeline of docs/BENCHMARKS.md runs as its own
# collector process, driven over OTLP gRPC on loopback by the load
# generator for BENCH_DURATION; reports spans per second and spans per
# CPU-second of the collector process.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${BENCH_DURATION:-30s}
TOKENS=${BENCH_TOKENS:-10000}
WORKERS=${BENCH_WORKERS:-4}
PORT=4317
OTELCOL=$root/dist/otelcol-tokenaudit
CONTRIB=$root/bench/e2e/dist/otelcol-contrib-baseline
LOADGEN=$root/dist/loadgen

if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
  echo "127.0.0.1:$PORT is in use (make run?): stop it first" >&2; exit 1
fi

results=$(mktemp)
run() { # name binary config [extra files]
  local name=$1 bin=$2 config=$3; shift 3
  local dir; dir=$(mktemp -d)
  cp "$config" "$dir/config.yaml"
  for f in "$@"; do cp "$f" "$dir/"; done
  mkdir -p "$dir/data"
  (cd "$dir" && BENCH_PORT=$PORT exec "$bin" --config config.yaml > collector.log 2>&1) &
  local pid=$!
  local out
  if ! out=$("$LOADGEN" load -endpoint 127.0.0.1:$PORT -duration "$DURATION" -tokens "$TOKENS" -workers "$WORKERS" -pid "$pid" 2>&1); then
    echo "$name failed: $out" >&2; tail -20 "$dir/collector.log" >&2; kill "$pid" 2>/dev/null; exit 1
  fi
  kill -TERM "$pid"; wait "$pid" || true
  echo "$out" | grep -v '^RESULT' | sed "s/^/  /"
  echo "$name $(echo "$out" | grep '^RESULT')" >> "$results"
  rm -rf "$dir"
}

echo "== (a) floor: otlp → batch → nop"
run floor "$OTELCOL" bench/e2e/floor.yaml
echo "== (b1) token_audit alone → nop"
run token_audit_only "$OTELCOL" bench/e2e/tokenaudit-processor.yaml policy.yaml
echo "== (b2) token_audit → token_anomaly → nop"
run token_audit_anomaly "$OTELCOL" bench/e2e/tokenaudit-anomaly.yaml policy.yaml
echo "== (b) tokenaudit: config.yaml (token_audit, token_anomaly, audit_log with fsync and a persistent queue)"
run tokenaudit "$OTELCOL" config.yaml policy.yaml
echo "== (b3) config.yaml with audit_log synchronous: no persistent queue, acknowledged once fsynced in the log"
sync_config=$(mktemp --suffix .yaml)
sed '/^    sending_queue:$/,/block_on_overflow: true$/c\    sending_queue:\n      enabled: false' config.yaml > "$sync_config"
grep -q 'enabled: false' "$sync_config" || { echo "could not derive the synchronous config" >&2; exit 1; }
run tokenaudit_sync_audit_log "$OTELCOL" "$sync_config" policy.yaml
rm -f "$sync_config"
echo "== (c) contrib: transform (OTTL SHA256) + redaction + spanmetrics + file"
run contrib_sha256 "$CONTRIB" bench/e2e/contrib-sha256.yaml
echo "== (c') contrib: transform writing the same attributes (19 OTTL statements) + redaction + spanmetrics + file"
run contrib_claims "$CONTRIB" bench/e2e/contrib-claims.yaml

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "load: $DURATION per pipeline, $TOKENS tokens (half HS256 JWTs), $WORKERS concurrent gRPC senders, 500 spans per request"
echo
printf '| pipeline | spans/s | collector CPU-s | spans per CPU-second | peak RSS MiB |\n|---|---:|---:|---:|---:|\n'
while read -r name _ rest; do
  declare -A v=()
  for kv in $rest; do v[${kv%%=*}]=${kv#*=}; done
  printf '| %s | %s | %s | %s | %s |\n' "$name" "${v[spans_per_s]}" "${v[cpu_s]}" "${v[spans_per_cpu_s]}" "${v[peak_rss_mib]}"
  eval "per_$name=${v[spans_per_cpu_s]}"
done < "$results"
awk -v b="$per_tokenaudit" -v c="$per_contrib_sha256" -v c2="$per_contrib_claims" -v a="$per_floor" 'BEGIN {
  printf "\ntokenaudit vs contrib (SHA256): %.2fx the spans per CPU-second (target: at least 4x)\n", b/c
  printf "tokenaudit vs contrib (same attributes): %.2fx\n", b/c2
  printf "tokenaudit vs the floor: %.2fx the floor'"'"'s CPU per span\n", a/b }'
rm -f "$results"
