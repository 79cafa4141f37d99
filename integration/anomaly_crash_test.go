package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// anomalyCrashConfig is token_audit → token_anomaly (state on file_storage)
// and audit_log (persistent queue), alerts into the same audit log.
const anomalyCrashConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
        include_metadata: true
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/data/fingerprint.key
      create_key_file: true
connectors:
  token_anomaly:
    storage: file_storage
    detectors:
      failed_attempts:
        threshold: 3
        window: 10m
extensions:
  file_storage:
    directory: {{DIR}}/state
    create_directory: true
    fsync: true
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
    sending_queue:
      storage: file_storage
      block_on_overflow: true
    retry_on_failure:
      initial_interval: 100ms
      max_elapsed_time: 0
service:
  extensions: [file_storage]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{METRICS}}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [audit_log]
`

// crashTokens is how many API keys fail in turn: each one's third failure
// raises its failed_attempts finding.
const crashTokens = 200

// failingTraffic is spans first..first+n-1: span i is a failed call of key
// i mod crashTokens, 1 ms of event time after span i-1.
func failingTraffic(first, n int, at time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders-api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := first; i < first+n; i++ {
		s := spans.AppendEmpty()
		s.SetName("GET /orders/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{0xdd, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		s.SetSpanID(spanID(i))
		start := at.Add(time.Duration(i) * time.Millisecond)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/orders/{id}")
		a.PutInt("http.response.status_code", 401)
		a.PutStr("client.address", fmt.Sprintf("198.51.%d.%d", i%crashTokens/250, i%crashTokens%250))
		a.PutStr("http.request.header.x-api-key", fmt.Sprintf("ghp_AnomalyCrashKey%020d", i%crashTokens))
	}
	return td
}

// TestIntegrationAnomalyCrash kills the collector with SIGKILL while
// failing calls stream in and findings are open, restarts it on the same
// state, and checks that the audit log holds one Create per finding: after
// a restart a finding already alerted is suppressed or an Update, never
// raised again as new. The sender resends what was not acknowledged.
func TestIntegrationAnomalyCrash(t *testing.T) {
	cycles, rnd := crashPlan(t)
	dir := t.TempDir()
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	load := &crashLoad{}
	for cycle := range cycles {
		col := startCollectorIn(t, dir, anomalyCrashConfig, "127.0.0.1:1")
		// Each cycle raises or repeats every token's finding (3 failures
		// each: 3 × crashTokens spans), then dies at a random moment.
		want := load.count() + 4*crashTokens
		load.untilKilled(col, func(first int) ptrace.Traces { return failingTraffic(first, crashBatch, at) }, func() {
			for deadline := time.Now().Add(60 * time.Second); load.count() < want; time.Sleep(20 * time.Millisecond) {
				require.True(t, time.Now().Before(deadline), "cycle %d: %d of %d spans acknowledged\n%s",
					cycle, load.count(), want, col.log.String())
			}
			// Killed while items of the cycle still wait in the reorder
			// buffer (max_reorder_wait 5 s): stored, they are held again.
			time.Sleep(time.Duration(rnd.IntN(800)) * time.Millisecond)
		})
	}
	acked := load.count()
	col := startCollectorIn(t, dir, anomalyCrashConfig, "127.0.0.1:1")
	waitForRecords(t, dir+"/audit", acked, col)
	// Alerts still stored are sent after the start, and items the kills
	// left in the reorder buffer are held again and released within
	// max_reorder_wait (5 s) of the start: wait for their findings.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if creates, _ := findingsIn(t, dir+"/audit"); len(creates) >= crashTokens {
			break
		}
	}
	time.Sleep(time.Second) // a duplicate Create would come with the rest
	col.stop(t)
	creates, updates := findingsIn(t, dir+"/audit")
	require.GreaterOrEqual(t, len(creates), crashTokens, "every token's finding is in the log\n%s", col.log.String())
	for uid, n := range creates {
		assert.Equal(t, 1, n, "finding %s was created %d times", uid, n)
	}
	t.Logf("%d kill -9 cycles, %d spans acknowledged: %d findings, each created once, %d updates", cycles, acked, len(creates), updates)
}

// findingsIn counts the finding records (OCSF class 2004) of the audit log:
// Creates per finding id, and Updates.
func findingsIn(t *testing.T, dir string) (map[string]int, int) {
	t.Helper()
	creates, updates := map[string]int{}, 0
	for _, r := range auditRecords(t, dir) {
		if r["class_uid"] != float64(2004) {
			continue
		}
		uid := r["finding_info"].(map[string]any)["uid"].(string)
		switch r["activity_id"] {
		case float64(1):
			creates[uid]++
		case float64(2):
			updates++
		}
	}
	return creates, updates
}
