package integration

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// attackConfig is the whole pipeline under a memory bound: token_audit,
// token_anomaly with room for 200,000 tokens, and the audit log.
const attackConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{GRPC}}
      http:
        endpoint: {{OTLP}}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: {{LIMIT}}
    spike_limit_mib: 128
  token_audit:
    fingerprint:
      key_file: {{DIR}}/keys/fingerprint.key
      create_key_file: true
connectors:
  token_anomaly:
    max_tokens: 200000
    max_clients: 50000
    detectors:
      failed_attempts:
        window: 30m
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
    sending_queue:
      enabled: false
  otlphttp:
    endpoint: {{SINK}}
    compression: none
service:
  telemetry:
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{METRICS}}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, token_audit]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [otlphttp]
`

// attackSpans is how many spans of distinct random tokens the attack
// sends: TOKENAUDIT_ATTACK_SPANS, 300,000 by default; `make attack` sends
// 5,000,000.
func attackSpans(t *testing.T) int64 {
	if v := os.Getenv("TOKENAUDIT_ATTACK_SPANS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err)
		return n
	}
	return 300_000
}

// TestIntegrationCardinalityAttack sends spans of millions of distinct
// random tokens through the whole pipeline of the built distribution,
// while one known token keeps calling. The collector's peak resident
// memory must stay under its memory_limiter bound, the evictions must be
// counted, and the known token must keep its state: failures before the
// attack and after it add up to one failed_attempts alert.
func TestIntegrationCardinalityAttack(t *testing.T) {
	loadgen := builtBinary(t, "LOADGEN_BIN", "the load generator")
	const limitMiB = 512
	spans := attackSpans(t)
	grpcPort := freePort(t)
	cfg := strings.NewReplacer("{{GRPC}}", fmt.Sprint(grpcPort), "{{LIMIT}}", fmt.Sprint(limitMiB)).Replace(attackConfig)
	sink := startSink(t)
	col := startCollectorIn(t, t.TempDir(), cfg, sink.addr)

	known := "ghp_KnownTokenUnderAttack000000000000000000"
	// The known token's items carry the current time, as the attack's do:
	// event time drives the windows, and items far behind it are late.
	sent := 0
	send := func(n int, status int64) {
		td := failingSpans(known, n, time.Now().Add(-time.Duration(n)*time.Second))
		for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
			s.Attributes().PutInt("http.response.status_code", status)
			s.SetTraceID([16]byte{0xee, byte(sent >> 8), byte(sent)})
			sent++
		}
		col.sendTraces(t, td)
	}
	send(6, 401) // six failures: under the threshold of ten

	// The attack, while the known token keeps calling successfully.
	attack := exec.Command(loadgen, "load", "-endpoint", fmt.Sprintf("127.0.0.1:%d", grpcPort), "-tokens", "1000000000",
		"-jwt-share", "0", "-spans", fmt.Sprint(spans), "-duration", "30m", "-workers", "2", "-batch", "1000",
		"-pid", fmt.Sprint(col.cmd.Process.Pid))
	done := make(chan []byte, 1)
	go func() { out, _ := attack.CombinedOutput(); done <- out }()
	var out []byte
	for out == nil {
		select {
		case out = <-done:
		case <-time.After(500 * time.Millisecond):
			send(1, 200)
		}
	}
	t.Logf("attack: %s", strings.TrimSpace(string(out)))
	require.Contains(t, string(out), "RESULT", "the load generator failed")
	send(5, 401) // five more: the known token reaches ten only if it kept its state

	metrics := col.scrape(t)
	evictions := sumMetric(metrics, "otelcol_token_anomaly_evictions")
	// max_tokens is 200,000: every token past it evicted one.
	assert.Greater(t, evictions, 0.95*float64(spans-200_000), "evictions are counted")
	peak := regexp.MustCompile(`peak_rss_mib=(\d+)`).FindStringSubmatch(string(out))
	require.Len(t, peak, 2)
	peakMiB, _ := strconv.Atoi(peak[1])
	assert.Less(t, peakMiB, limitMiB, "peak resident memory stays under memory_limiter's limit_mib")

	knownID := ""
	deadline := time.Now().Add(15 * time.Second)
	for knownID == "" {
		for _, lr := range sinkLogs(sink) {
			if attrStr(lr, auditattr.FindingType) == auditattr.FindingFailedAttempts {
				knownID = attrStr(lr, auditattr.TokenID)
			}
		}
		if knownID == "" {
			require.True(t, time.Now().Before(deadline), "no failed_attempts alert for the known token: it lost its state")
			time.Sleep(200 * time.Millisecond)
		}
	}
	col.stop(t)
	t.Logf("%d spans of random tokens: peak RSS %d MiB (bound %d), %.0f evictions", spans, peakMiB, limitMiB, evictions)
	assert.NotContains(t, col.log.String()+sink.rawString()+metrics, known)
}

// sumMetric adds up every series of a Prometheus counter.
func sumMetric(text, name string) float64 {
	total := 0.0
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			total += v
		}
	}
	return total
}
