package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// firstTierConfig is the stateless tier of docs/kubernetes.md: token_audit,
// audit_events, and load_balancing on the token id to the second tier.
const firstTierConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/fingerprint.key
      create_key_file: true
connectors:
  audit_events: {}
exporters:
  load_balancing:
    routing_key: attributes
    routing_attributes: [tokenaudit.token.id]
    protocol:
      otlp:
        tls:
          insecure: true
        sending_queue:
          enabled: false
    resolver:
      static:
        hostnames: [{{TIER2}}]
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [audit_events]
    logs/route:
      receivers: [audit_events]
      exporters: [load_balancing]
    logs:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [load_balancing]
`

// secondTierConfig is the stateful tier: token_anomaly and audit_log on
// what the first tier routes to it, alerts to the test's sink, per-token
// metrics on a Prometheus endpoint.
const secondTierConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{GRPC}}
      http:
        endpoint: {{OTLP}}
connectors:
  token_anomaly:
    metrics:
      flush_interval: 500ms
      per_token:
        enabled: true
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
  otlphttp:
    endpoint: {{SINK}}
    compression: none
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [audit_log, otlphttp]
    metrics:
      receivers: [token_anomaly]
      exporters: [prometheus]
`

// sharedTraces are traces of three spans each, a gateway, a service and a
// backend call, whose spans carry different API keys; spans of one key
// open some traces and sit in the middle of others. The burst key fails
// authentication 25 times, each time inside a trace opened by another
// key, so that routing by trace would spread it.
func sharedTraces(keys []string, burst string, at time.Time) (ptrace.Traces, int) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "gateway")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	n := 0
	add := func(trace int, key string, status int64, i int) {
		s := spans.AppendEmpty()
		s.SetName("GET /orders/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{0x5c, byte(trace >> 8), byte(trace)})
		s.SetSpanID(spanID(n))
		ts := at.Add(time.Duration(i) * time.Second)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(ts))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(ts.Add(time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/orders/{id}")
		a.PutInt("http.response.status_code", status)
		a.PutStr("client.address", "198.51.100.23")
		a.PutStr("http.request.header.x-api-key", key)
		n++
	}
	trace := 0
	for i := range 60 {
		for j := range 3 {
			add(trace, keys[(i+j*7)%len(keys)], 200, i)
		}
		trace++
	}
	for i := range 25 {
		add(trace, keys[i%len(keys)], 200, i)
		add(trace, burst, 401, i)
		trace++
	}
	return td, n
}

// TestIntegrationScaleOut runs DESIGN.md's two tiers on three collectors:
// one first-tier collector routing by token to two second-tier ones. Each
// token's records and state must be on exactly one second-tier collector,
// though its spans share traces with other tokens; a failed-attempt burst
// sent through the first tier must raise exactly one alert; both
// second-tier logs must verify.
func TestIntegrationScaleOut(t *testing.T) {
	type tier2 struct {
		col       *collector
		dir       string
		grpc      int
		prom      int
		alertSink *sink
	}
	var backends []*tier2
	var hosts []string
	for range 2 {
		b := &tier2{dir: t.TempDir(), grpc: freePort(t), prom: freePort(t), alertSink: startSink(t)}
		cfg := strings.NewReplacer("{{GRPC}}", fmt.Sprint(b.grpc), "{{PROM}}", fmt.Sprint(b.prom)).Replace(secondTierConfig)
		b.col = startCollectorIn(t, b.dir, cfg, b.alertSink.addr)
		backends = append(backends, b)
		hosts = append(hosts, fmt.Sprintf("127.0.0.1:%d", b.grpc))
	}
	front := startCollector(t, strings.ReplaceAll(firstTierConfig, "{{TIER2}}", strings.Join(hosts, ", ")), "127.0.0.1:1")

	var keys []string
	for i := range 12 {
		keys = append(keys, fmt.Sprintf("ghp_ScaleOutKey%026d", i))
	}
	burst := "ghp_ScaleOutBurstKey0000000000000000000000"
	td, spans := sharedTraces(keys, burst, time.Now().Add(-2*time.Minute).Truncate(time.Second))
	front.sendTraces(t, td)
	burstID := auditctlFingerprint(t, filepath.Join(front.dir, "fingerprint.key"), burst)

	// The state: each token's request counter is on one collector only.
	series := regexp.MustCompile(`tokenaudit_token_id="(tok_[0-9a-f]+)"`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		where := map[string]int{}
		for bi, b := range backends {
			for _, m := range series.FindAllStringSubmatch(httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", b.prom)), -1) {
				where[m[1]] |= 1 << bi
			}
		}
		if len(where) == len(keys)+1 {
			for tok, in := range where {
				assert.True(t, in == 1 || in == 2, "token %s has state on both second-tier collectors", tok)
			}
			break
		}
		require.True(t, time.Now().Before(deadline), "per-token series for %d of %d tokens", len(where), len(keys)+1)
		time.Sleep(200 * time.Millisecond)
	}

	// Every span reaches one second-tier log (load_balancing without a
	// queue answers only once the backend took it), and each token's
	// records are on one collector only.
	front.stop(t)
	for _, b := range backends {
		b.col.stop(t)
	}
	owner := map[string]int{}
	total := 0
	for bi, b := range backends {
		recs := auditRecords(t, filepath.Join(b.dir, "audit"))
		mine := 0
		for _, r := range recs {
			if r["class_uid"] != float64(6003) {
				continue
			}
			tok := r["api"].(map[string]any)["token"].(map[string]any)["uid"].(string)
			if prev, ok := owner[tok]; ok && prev != bi {
				t.Errorf("token %s has records on both second-tier collectors", tok)
			}
			owner[tok] = bi
			mine++
		}
		assert.Positive(t, mine, "second-tier collector %d got no records: the tokens were not spread", bi)
		t.Logf("second-tier collector %d: %d records", bi, mine)
		total += mine
		code, out := runAuditctl(t, "verify", filepath.Join(b.dir, "audit"), "-key", filepath.Join(b.dir, "keys", "audit.key.pub"))
		assert.Equal(t, 0, code, "second-tier log %d verifies:\n%s", bi, out)
	}
	assert.Equal(t, spans, total, "every span is recorded once")
	assert.Len(t, owner, len(keys)+1)

	var alerts []string
	for _, b := range backends {
		for _, lr := range sinkLogs(b.alertSink) {
			if attrStr(lr, auditattr.FindingType) == auditattr.FindingFailedAttempts {
				alerts = append(alerts, attrStr(lr, auditattr.TokenID))
			}
		}
	}
	assert.Equal(t, []string{burstID}, alerts, "exactly one failed_attempts alert, on the burst token")

	everything := front.log.String() + filesUnder(t, front.dir)
	for _, b := range backends {
		everything += b.col.log.String() + b.alertSink.rawString() + filesUnder(t, filepath.Join(b.dir, "audit"))
	}
	assert.NotContains(t, everything, "ghp_ScaleOut", "a credential left the first tier")
}
