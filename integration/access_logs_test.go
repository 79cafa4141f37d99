package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestIntegrationAccessLogs runs the access-log configurations of
// docs/access-logs.md (docs/examples/filelog-*.yaml) on their sample logs,
// with only the debug exporter swapped for the test's sink. Every line
// must come out audited — the token fingerprinted, the request, outcome
// and client in the contract — and no credential may leave.
func TestIntegrationAccessLogs(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..")
	tests := []struct {
		name     string
		config   string
		logFile  string
		resource string // of the first line
		failures int    // lines with a 401
	}{
		{"nginx", "docs/examples/filelog-nginx.yaml", "testdata/accesslogs/nginx.log", "GET /orders/{id}", 1},
		{"envoy", "docs/examples/filelog-envoy.yaml", "testdata/accesslogs/envoy.log", "GET /orders/{id}", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(root, tt.config))
			require.NoError(t, err)
			requireDocumentedAsRun(t, tt.name, string(raw))
			lines, err := os.ReadFile(filepath.Join(root, tt.logFile))
			require.NoError(t, err)
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(tt.logFile)), 0o700))
			require.NoError(t, os.WriteFile(filepath.Join(dir, tt.logFile), lines, 0o600))

			validate := exec.Command(binary(t), "validate", "--config", filepath.Join(root, tt.config))
			validate.Dir = dir
			out, err := validate.CombinedOutput()
			require.NoError(t, err, "%s does not validate: %s", tt.config, out)

			cfg := string(raw)
			for old, repl := range map[string]string{
				"exporters:\n  debug:\n    verbosity: detailed\n": "exporters:\n  otlphttp:\n    endpoint: {{SINK}}\n    compression: none\n",
				"      exporters: [debug]":                        "      exporters: [otlphttp]",
				"receivers:\n":                                    "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: {{OTLP}}\n",
				"      receivers: [file_log/" + tt.name + "]":     "      receivers: [file_log/" + tt.name + ", otlp]",
			} {
				require.Contains(t, cfg, old, "the example changed shape; update the test")
				cfg = strings.Replace(cfg, old, repl, 1)
			}
			sink := startSink(t)
			col := startCollectorIn(t, dir, cfg, sink.addr)

			want := strings.Count(string(lines), "\n")
			var recs []plog.LogRecord
			deadline := time.Now().Add(20 * time.Second)
			for {
				recs = sinkLogs(sink)
				if len(recs) >= want {
					break
				}
				require.True(t, time.Now().Before(deadline), "%d of %d lines arrived\n%s", len(recs), want, col.log.String())
				time.Sleep(100 * time.Millisecond)
			}
			col.stop(t)

			failures := 0
			for i, lr := range recs {
				assert.Regexp(t, `^tok_[0-9a-f]{32}$`, attrStr(lr, auditattr.TokenID), "line %d", i)
				assert.NotEmpty(t, attrStr(lr, auditattr.ClientAddress), "line %d", i)
				assert.NotEmpty(t, attrStr(lr, auditattr.Resource), "line %d", i)
				assert.NotZero(t, lr.Timestamp(), "line %d: the line's own time", i)
				if attrStr(lr, auditattr.Outcome) == auditattr.OutcomeFailure {
					failures++
				}
			}
			assert.Equal(t, tt.resource, attrStr(recs[0], auditattr.Resource))
			assert.Equal(t, tt.failures, failures, "401 lines are failures")

			assert.NotContains(t, sink.rawString(), "demo-"+tt.name+"-token-", "a credential left the processor")
			requireNoSecretWritten(t, dir, []string{filepath.Join(dir, tt.logFile)}, col, "demo-"+tt.name+"-token-")
		})
	}
}

// requireDocumentedAsRun checks docs/access-logs.md against the example
// the test runs: the page's receiver part is the example's, and every
// header field the page's log format writes is one the example reads.
func requireDocumentedAsRun(t *testing.T, proxy, example string) {
	t.Helper()
	page := "## " + map[string]string{"nginx": "nginx", "envoy": "Envoy"}[proxy]
	receiver := docBlock(t, "docs/access-logs.md", page, "yaml")
	if proxy == "envoy" { // the first yaml block is Envoy's own configuration
		format := receiver
		fields := regexp.MustCompile(`(?m)^\s+(http_[a-z_]+): "%REQ\(`).FindAllStringSubmatch(format, -1)
		require.Len(t, fields, 12, "Envoy logs Authorization, Proxy-Authorization, 9 API-key headers and X-Forwarded-For")
		for _, f := range fields {
			assert.True(t, strings.Contains(example, "from: body."+f[1]), "the Envoy format logs %s but the example does not read it", f[1])
		}
		receiver = docBlocks(t, "docs/access-logs.md", page, "yaml")[1]
	} else {
		format := docBlock(t, "docs/access-logs.md", page, "nginx")
		fields := regexp.MustCompile(`"([a-z_]+)":"\$http_[a-z_]+"`).FindAllStringSubmatch(format, -1)
		require.Len(t, fields, 13, "nginx logs Authorization, Proxy-Authorization, 9 API-key headers, X-Forwarded-For and User-Agent")
		for _, f := range fields {
			assert.True(t, strings.Contains(example, "from: body."+f[1]), "the nginx format logs %s but the example does not read it", f[1])
		}
	}
	require.True(t, strings.HasPrefix(receiver, "receivers:\n  file_log/"+proxy+":\n"), "the page's receiver part:\n%s", receiver)
	assert.True(t, strings.Contains(example, receiver), "docs/access-logs.md shows a receiver part for %s that is not its example's", proxy)
}
