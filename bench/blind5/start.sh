#!/bin/bash
# start the collector in $RUNDIR/run (data, policy) on $RUNDIR/config.yaml, print its pid
# env: REPO (checkout with dist/ built), RUNDIR (default .), BASEPORT (default 20317; health_check is BASEPORT-184)
REPO=${REPO:?REPO=checkout with dist/ built}
BASEPORT=${BASEPORT:-20317}
cd "${RUNDIR:-.}/run"
nice -n 10 "$REPO/dist/otelcol-tokenaudit" --config ../config.yaml > collector.out 2> collector.err &
echo $! > collector.pid
for i in $(seq 1 60); do curl -sf "http://127.0.0.1:$((BASEPORT-184))/" >/dev/null && break; sleep 0.5; done
