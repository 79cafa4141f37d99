#!/bin/bash
# run.sh RUN_DIR [generator flags...]: fresh collector state, prep policy+labels, start the
# distribution, send the traffic, wait for the reorder buffer, stop (final save), score.
set -e
RUN=${1:-/work/blind/run}; shift || true
PORT=${PORT:-14318}
G=/work/blind/gen
mkdir -p $RUN && cd $RUN
rm -rf data && mkdir -p data/keys data/state keys
[ -f keys/fingerprint.key ] || { /work/blind/repo/dist/auditctl keygen -out keys/fingerprint.key; chmod 600 keys/fingerprint.key; }
T0=$(date -u -d "$(date -u +%F) -14 days" +%FT00:00:00Z); echo $T0 > t0.txt
sed -e "s#/work/blind/run#$RUN#g; s#14318#$PORT#; s#14317#$((PORT-1))#; s#18889#$((PORT+4571))#" $G/config.yaml > config.yaml
nice $G/blindgen -out $RUN -keyfile $RUN/keys/fingerprint.key -t0 $T0 "$@"
env -u TOKENAUDIT_FINGERPRINT_KEY nice -n 10 /work/blind/repo/dist/otelcol-tokenaudit --config config.yaml > collector.log 2>&1 &
CPID=$!; echo $CPID > collector.pid
for i in $(seq 30); do grep -q 'Everything is ready' collector.log && break; sleep 1; done
nice $G/blindgen -out $RUN -keyfile $RUN/keys/fingerprint.key -t0 $T0 -send http://127.0.0.1:$PORT "$@" 2> send.log
sleep 15
kill -INT $CPID; wait $CPID || true
python3 $G/score.py $RUN -v > score_v.txt; head -30 score_v.txt
