#!/bin/bash
# run.sh [RUN_DIR] [generator flags...]: fresh collector state, prep policy+labels, start the
# distribution, send the traffic, wait for the reorder buffer, stop (final save), score.
# The distribution, auditctl and the generator come from the repository's dist/ (make outside-eval
# builds them); OTELCOL, AUDITCTL and BLINDGEN override them.
set -e
G=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$G/../.." && pwd)
OTELCOL=${OTELCOL:-$ROOT/dist/otelcol-tokenaudit}
AUDITCTL=${AUDITCTL:-$ROOT/dist/auditctl}
BLINDGEN=${BLINDGEN:-$ROOT/dist/outside-eval/blindgen}
RUN=${1:-$ROOT/dist/outside-eval/run}; shift || true
PORT=${PORT:-14318}
mkdir -p $RUN && RUN=$(cd $RUN && pwd) && cd $RUN
rm -rf data && mkdir -p data/keys data/state keys
[ -f keys/fingerprint.key ] || { $AUDITCTL keygen -out keys/fingerprint.key; chmod 600 keys/fingerprint.key; }
T0=$(date -u -d "$(date -u +%F) -14 days" +%FT00:00:00Z); echo $T0 > t0.txt
sed -e "s#@RUN@#$RUN#g; s#14318#$PORT#; s#14317#$((PORT-1))#; s#18889#$((PORT+4571))#" $G/config.yaml > config.yaml
nice $BLINDGEN -out $RUN -keyfile $RUN/keys/fingerprint.key -auditctl $AUDITCTL -t0 $T0 "$@"
env -u TOKENAUDIT_FINGERPRINT_KEY nice -n 10 $OTELCOL --config config.yaml > collector.log 2>&1 &
CPID=$!; echo $CPID > collector.pid
for i in $(seq 30); do grep -q 'Everything is ready' collector.log && break; sleep 1; done
nice $BLINDGEN -out $RUN -keyfile $RUN/keys/fingerprint.key -auditctl $AUDITCTL -t0 $T0 -send http://127.0.0.1:$PORT "$@" 2> send.log
sleep 15
kill -INT $CPID; wait $CPID || true
python3 $G/score.py $RUN -v > score_v.txt; head -30 score_v.txt
