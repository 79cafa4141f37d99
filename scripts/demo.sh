#!/usr/bin/env bash
# make demo: misuse traffic against the default run, alerts as they are
# recorded, then the audit trail verified. Uses the collector of `make run`
# when one answers on 127.0.0.1:4317, else starts one for the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
OTELCOL=${OTELCOL:-dist/otelcol-tokenaudit}
LOADGEN=${LOADGEN:-dist/loadgen}
AUDITCTL=${AUDITCTL:-dist/auditctl}
DURATION=${DEMO_DURATION:-1m}

listening() { (exec 3<>/dev/tcp/127.0.0.1/4317) 2>/dev/null; }

started=""
if listening; then
  echo "Using the collector already listening on 127.0.0.1:4317 (make run)."
else
  mkdir -p data
  echo "Starting $OTELCOL on config.yaml (its log: data/demo-collector.log)."
  "$OTELCOL" --config config.yaml > data/demo-collector.log 2>&1 &
  started=$!
  trap '[ -n "$started" ] && kill "$started" 2>/dev/null || true' EXIT
fi

"$LOADGEN" scenario -watch data/audit -duration "$DURATION"

if [ -n "$started" ]; then
  # A clean stop signs a final checkpoint over every record.
  kill -TERM "$started"; wait "$started" || true; started=""
fi

echo
echo "Verifying the audit trail:"
checkpoint=()
[ -f data/audit-checkpoints/checkpoint ] && checkpoint=(-checkpoint data/audit-checkpoints/checkpoint)
"$AUDITCTL" verify data/audit -key data/keys/audit-signing.key.pub "${checkpoint[@]}"
report=data/report.html
"$AUDITCTL" report data/audit -key data/keys/audit-signing.key.pub "${checkpoint[@]}" -policy policy.yaml -format html -out "$report"
cat <<MSG

Report:         $report (open it in a browser; auditctl report -format md|csv|json for the others)
Records:        data/audit/audit-*.jsonl (OCSF 1.8.0 JSON lines; Detection Findings are class_uid 2004)
Verify again:   $AUDITCTL verify data/audit -key data/keys/audit-signing.key.pub
Prove a record: $AUDITCTL prove data/audit -index 0
Metrics:        http://127.0.0.1:8889/metrics while the collector runs (tokenaudit_*)
MSG
