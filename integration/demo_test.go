package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegrationDemo runs what `make run` and `make demo` run: the
// repository's config.yaml and policy.yaml (only the ports changed, so the
// test cannot collide with a collector of the developer's), the load
// generator's scenario with -watch, and auditctl verify. It checks that
// alerts of the main finding types are printed as the audit log records
// them, that the keys were created under data/keys, that the log
// verifies, and that no credential is in any output.
func TestIntegrationDemo(t *testing.T) {
	loadgen := builtBinary(t, "LOADGEN_BIN", "the load generator")
	run := newDefaultRun(t)
	root, dir, cfg, grpcPort, promPort := run.root, run.dir, run.config, run.grpc, run.prom
	col := startCollectorIn(t, dir, cfg, "127.0.0.1:1", "TOKENAUDIT_FINGERPRINT_KEY=")
	for _, f := range []string{"fingerprint.key", "audit-signing.key", "audit-signing.key.pub"} {
		assert.FileExists(t, filepath.Join(dir, "data", "keys", f))
	}
	assert.Contains(t, col.log.String(), "Created a new fingerprint key file")

	demo := exec.Command(loadgen, "scenario", "-endpoint", fmt.Sprintf("127.0.0.1:%d", grpcPort), "-seed", "7",
		"-users", "150", "-services", "120", "-per-type", "1", "-duration", "0", "-linger", "8s",
		"-watch", filepath.Join(dir, "data", "audit"))
	out, err := demo.CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, col.log.String())
	t.Logf("demo output (tail):\n%s", tail(string(out), 6))
	for _, typ := range []string{"failed_attempts", "credential_stuffing", "expired_token", "not_yet_valid_token",
		"invalid_signature", "multi_address", "new_client_address", "rate_surge"} {
		assert.Regexp(t, `(?m)^ALERT .* `+typ+` `, string(out), "the demo prints a %s alert", typ)
	}
	// The metrics the dashboard and the alert rules query are there, under
	// the names Prometheus gives them.
	waitForMetric(t, promPort, "tokenaudit_anomalies_total")
	metrics := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", promPort))
	dashboards := ""
	for _, f := range []string{"docs/grafana/tokenaudit.json", "docs/prometheus/rules.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		dashboards += string(b)
	}
	for _, m := range regexp.MustCompile(`tokenaudit_(requests_total|anomalies_total|tokens_tracked|tokens_active|token_idle_time_seconds)`).FindAllString(dashboards, -1) {
		assert.Contains(t, metrics, m+"{", "%s, which docs/ query, is not exported", m)
	}
	assert.NotRegexp(t, `otelcol_[a-z_]+_total`, dashboards, "the collector exports its own counters without _total")
	col.stop(t)

	code, vout := runAuditctl(t, "verify", filepath.Join(dir, "data", "audit"), "-key",
		filepath.Join(dir, "data", "keys", "audit-signing.key.pub"), "-checkpoint", filepath.Join(dir, "data", "audit-checkpoints", "checkpoint"))
	assert.Equal(t, 0, code, vout)
	assert.Contains(t, vout, "VALID")

	// make demo ends with the report; here as JSON, to read its numbers.
	reportFile := filepath.Join(dir, "report.json")
	code, rout := runAuditctl(t, "report", filepath.Join(dir, "data", "audit"), "-key",
		filepath.Join(dir, "data", "keys", "audit-signing.key.pub"), "-policy", filepath.Join(dir, "policy.yaml"),
		"-format", "json", "-out", reportFile)
	require.Equal(t, 0, code, rout)
	raw, err := os.ReadFile(reportFile)
	require.NoError(t, err)
	var rep struct {
		Verdict string `json:"verdict"`
		Totals  struct {
			APIActivity int64 `json:"api_activity"`
			Findings    int64 `json:"findings"`
		} `json:"totals"`
	}
	require.NoError(t, json.Unmarshal(raw, &rep))
	assert.True(t, strings.HasPrefix(rep.Verdict, "VERIFIED"), rep.Verdict)
	assert.Greater(t, rep.Totals.APIActivity, int64(100_000))
	assert.Equal(t, int64(strings.Count(string(out), "\nALERT ")+boolInt(strings.HasPrefix(string(out), "ALERT "))), rep.Totals.Findings,
		"the report counts the alerts the demo printed")

	// The demo's JWTs all start with the same header; its opaque keys with sc_.
	everything := filesUnder(t, filepath.Join(dir, "data")) + col.log.String() + string(out)
	assert.NotContains(t, everything, "eyJhbGciOi", "a JWT left the processor")
	assert.NotRegexp(t, `Bearer sc_`, everything, "an opaque key left the processor")
	assert.NotContains(t, everything+string(raw), "tokenaudit-demo-issuer-secret", "the issuer's secret left the config")
	assert.NotContains(t, string(raw), "eyJhbGciOi", "a JWT is in the report")
}

// defaultRun is the repository's config.yaml and policy.yaml, set up in a
// new directory with ports of their own, so that a test cannot collide
// with a collector of the developer's, and with the collector's own
// metrics off. Further replacements (old, new pairs) adapt the config.
type defaultRun struct {
	root, dir, config string
	grpc, prom, pprof int
}

func newDefaultRun(t *testing.T, replacements ...string) *defaultRun {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	r := &defaultRun{root: filepath.Join(filepath.Dir(self), ".."), dir: t.TempDir(),
		grpc: freePort(t), prom: freePort(t), pprof: freePort(t)}
	config, err := os.ReadFile(filepath.Join(r.root, "config.yaml"))
	require.NoError(t, err)
	policy, err := os.ReadFile(filepath.Join(r.root, "policy.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "policy.yaml"), policy, 0o600))
	r.config = strings.NewReplacer(
		"127.0.0.1:4317", fmt.Sprintf("127.0.0.1:%d", r.grpc),
		"127.0.0.1:4318", "{{OTLP}}",
		"127.0.0.1:8889", fmt.Sprintf("127.0.0.1:%d", r.prom),
		"127.0.0.1:13133", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"127.0.0.1:1777", fmt.Sprintf("127.0.0.1:%d", r.pprof),
		"\nservice:\n", "\nservice:\n  telemetry:\n    metrics:\n      level: none\n",
	).Replace(string(config))
	require.NotEqual(t, string(config), r.config)
	for i := 0; i+1 < len(replacements); i += 2 {
		require.Contains(t, r.config, replacements[i], "config.yaml changed shape; update the test")
		r.config = strings.Replace(r.config, replacements[i], replacements[i+1], 1)
	}
	return r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
