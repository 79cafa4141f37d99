package integration

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// tokenAnomalyConfig is token_audit → token_anomaly, alerts to the debug
// exporter and to audit_log, metrics to a Prometheus endpoint.
const tokenAnomalyConfig = `
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
    metrics:
      flush_interval: 500ms
exporters:
  debug:
    verbosity: detailed
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [debug, audit_log]
    metrics:
      receivers: [token_anomaly]
      exporters: [prometheus]
`

// failingSpans are n requests of one API key that fail authentication.
func failingSpans(key string, n int, at time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders-api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < n; i++ {
		s := spans.AppendEmpty()
		s.SetName("GET /orders/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{0xbb, byte(i)})
		s.SetSpanID(pcommon.SpanID{0xcc, byte(i)})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i) * time.Second)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i)*time.Second + time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/orders/{id}")
		a.PutInt("http.response.status_code", 401)
		a.PutStr("client.address", "198.51.100.66")
		a.PutStr("http.request.header.x-api-key", key)
	}
	return td
}

// TestIntegrationTokenAnomaly: in the built distribution, a burst of
// failed requests becomes a failed_attempts alert on the debug exporter
// and a Detection Finding in the audit log, and the connector's metrics
// reach a Prometheus endpoint that the test scrapes.
func TestIntegrationTokenAnomaly(t *testing.T) {
	prom := freePort(t)
	config := strings.ReplaceAll(tokenAnomalyConfig, "{{PROM}}", fmt.Sprint(prom))
	dir := t.TempDir()
	col := startCollectorIn(t, dir, config, "127.0.0.1:1")
	key := "ghp_AnomalyIntegrationKey0123456789abcdefXY"
	col.sendTraces(t, failingSpans(key, 25, time.Now().Add(-time.Minute).Truncate(time.Second)))

	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(col.log.String(), "tokenaudit.finding.type: Str(failed_attempts)") {
		require.True(t, time.Now().Before(deadline), "no failed_attempts alert\n%s", col.log.String())
		time.Sleep(100 * time.Millisecond)
	}
	var metrics string
	for {
		metrics = httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", prom))
		if strings.Contains(metrics, "failed_attempts") {
			break
		}
		require.True(t, time.Now().Before(deadline), "no anomaly metric on the Prometheus endpoint:\n%s", metrics)
		time.Sleep(200 * time.Millisecond)
	}
	col.stop(t)

	recs := auditRecords(t, dir+"/audit")
	findings := 0
	for _, r := range recs {
		if r["class_uid"] == float64(2004) {
			findings++
		}
	}
	assert.Positive(t, findings, "the alert is a Detection Finding in the audit log")
	everything := filesUnder(t, dir) + col.log.String() + metrics
	assert.NotContains(t, everything, key)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
