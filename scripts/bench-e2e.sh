#!/usr/bin/env bash
# make bench-e2e: each pipeline of docs/BENCHMARKS.md runs as its own
# collector process, driven over OTLP gRPC on loopback by the load
# generator's realistic traffic for BENCH_DURATION; reports spans per
# second, spans per CPU-second of the collector process, the ratios to
# the contrib DIY pipeline, export latency and peak RSS, and the load
# generator's own CPU (it shares the cores with the collector). config.yaml runs
# as it is in the tree, whatever its audit_log says.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DURATION=${BENCH_DURATION:-30s}
TOKENS=${BENCH_TOKENS:-10000}
WORKERS=${BENCH_WORKERS:-4}
BATCH=${BENCH_BATCH:-1000}
TRAFFIC=${BENCH_TRAFFIC:-realistic}
PORT=4317
OTELCOL=$root/dist/otelcol-tokenaudit
CONTRIB=$root/bench/e2e/dist/otelcol-contrib-baseline
LOADGEN=$root/dist/loadgen

if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
  echo "127.0.0.1:$PORT is in use (make run?): stop it first" >&2; exit 1
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# run NAME BINARY CONFIG [VAR=VALUE ...] [-- LOADGEN FLAGS ...]: one
# collector in a fresh directory (new keys, empty log and state) with the
# environment given, under load until DURATION is over.
run() {
  local name=$1 bin=$2 config=$3; shift 3
  local env=() extra=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; extra=("$@"); break; fi
    env+=("$1"); shift
  done
  local dir; dir=$(mktemp -d)
  cp "$config" "$dir/config.yaml"
  cp policy.yaml "$dir/"
  mkdir -p "$dir/data"
  (cd "$dir" && exec env BENCH_PORT=$PORT "${env[@]}" "$bin" --config config.yaml > collector.log 2>&1) &
  local pid=$!
  local out
  if ! out=$("$LOADGEN" load -traffic "$TRAFFIC" -batch "$BATCH" -endpoint 127.0.0.1:$PORT -duration "$DURATION" \
      -tokens "$TOKENS" -workers "$WORKERS" -pid "$pid" "${extra[@]}" 2>&1); then
    echo "$name failed: $out" >&2; tail -20 "$dir/collector.log" >&2; kill "$pid" 2>/dev/null; exit 1
  fi
  kill -TERM "$pid"; wait "$pid" || true
  echo "$out" | grep -v '^RESULT' | sed "s/^/  /"
  echo "$name $(echo "$out" | grep '^RESULT')" >> "$results"
  if declare -F "check_$name" > /dev/null; then "check_$name" "$dir"; fi
  rm -rf "$dir"
}

# check_contrib_diy DIR: the DIY pipeline wrote the attributes token_audit
# writes for these credentials, and no credential, or the comparison is void.
check_contrib_diy() {
  local first; first=$(head -n 1 "$1/data/spans.jsonl")
  for key in token.id token.type token.source token.issuer token.audience token.jti token.scopes \
      token.issued_at token.expires_at principal.id principal.type resource action outcome client.address; do
    grep -q "\"tokenaudit.$key\"" <<< "$first" || { echo "contrib DIY wrote no tokenaudit.$key" >&2; exit 1; }
  done
  if grep -qE 'Bearer |Basic |sk_live_' "$1/data/spans.jsonl"; then echo "contrib DIY left a credential in its file" >&2; exit 1; fi
  echo "  contrib DIY wrote every attribute of the contract it stands in for, and no credential"
}

# field NAME KEY: a figure of a finished run.
field() { awk -v n="$1" -v k="$2" '$1 == n { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$results"; }

echo "== floor: otlp → batch → nop"
run floor "$OTELCOL" bench/e2e/floor.yaml
echo "== contrib DIY: transform writing the same attributes (JWT claims decoded, SHA256 ids, 35 OTTL statements) + redaction + spanmetrics + file"
run contrib_diy "$CONTRIB" bench/e2e/contrib-claims.yaml
echo "== contrib SHA256 only: transform (OTTL SHA256 of the header) + redaction + spanmetrics + file"
run contrib_sha256 "$CONTRIB" bench/e2e/contrib-sha256.yaml
echo "== token_audit alone → nop"
run token_audit "$OTELCOL" bench/e2e/tokenaudit-processor.yaml
echo "== without the audit trail: token_audit → token_anomaly → nop"
run no_audit_trail "$OTELCOL" bench/e2e/tokenaudit-anomaly.yaml
echo "== config.yaml as shipped"
run config "$OTELCOL" config.yaml
echo "== config.yaml, GOMAXPROCS=1"
run config_procs1 "$OTELCOL" config.yaml GOMAXPROCS=1
echo "== config.yaml, GOMAXPROCS=2"
run config_procs2 "$OTELCOL" config.yaml GOMAXPROCS=2
half=$(awk -v s="$(field config spans_per_s)" 'BEGIN { printf "%d", s / 2 }')
echo "== config.yaml paced at half its capacity: $half spans/s"
run config_half "$OTELCOL" config.yaml -- -rate "$half" -warmup 5s

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load: $DURATION per pipeline, $TRAFFIC traffic, $TOKENS tokens, $WORKERS concurrent gRPC senders, $BATCH spans per request"
echo
diy=$(field contrib_diy spans_per_cpu_s)
printf '| pipeline | spans/s | collector CPU-s | spans per CPU-second | vs contrib DIY | export p50 ms | export p99 ms | peak RSS MiB | load generator CPU-s (µs per span) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
while read -r name _; do
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) |\n' "$name" "$(field "$name" spans_per_s)" "$(field "$name" cpu_s)" \
    "$(field "$name" spans_per_cpu_s)" "$(awk -v b="$(field "$name" spans_per_cpu_s)" -v c="$diy" 'BEGIN { printf "%.2fx", b / c }')" \
    "$(field "$name" p50_ms)" "$(field "$name" p99_ms)" "$(field "$name" peak_rss_mib)" \
    "$(field "$name" loadgen_cpu_s)" "$(field "$name" loadgen_us_per_span)"
done < "$results"
awk -v b="$(field config spans_per_cpu_s)" -v n="$(field no_audit_trail spans_per_cpu_s)" -v c="$diy" \
    -v p1="$(field config_procs1 spans_per_s)" -v p2="$(field config_procs2 spans_per_s)" -v h="$(field config_half p99_ms)" -v hs="$(field config_half steady_p99_ms)" -v hm="$(field config_half steady_max_ms)" 'BEGIN {
  printf "\nconfig.yaml vs contrib DIY: %.2fx the spans per CPU-second (target: at least 2x)\n", b / c
  printf "without the audit trail (token_audit + token_anomaly) vs contrib DIY: %.2fx (target: at least 4x)\n", n / c
  printf "config.yaml at GOMAXPROCS=2 vs 1: %.2fx the spans per second (target: at least 1.8x)\n", p2 / p1
  printf "config.yaml at half its capacity: p99 export latency %s ms; after the first 5 s %s ms, max %s ms (target: at most 50 ms)\n", h, hs, hm }'
