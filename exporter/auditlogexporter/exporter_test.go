package auditlogexporter

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadatatest"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

const rawGitHubToken = "ghp_R4wT0k3nTh4tMustN3v3rB3W1773nXyZ12345"

var eventTime = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

func testConfig(t *testing.T) *Config {
	cfg := createDefaultConfig()
	dir := t.TempDir()
	cfg.Directory = filepath.Join(dir, "audit")
	cfg.Signing = SigningConfig{KeyFile: filepath.Join(dir, "keys", "audit.key"), CreateKeyFile: true, KeyName: "audit.test/log"}
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]() // synchronous: a test sees the write
	return cfg
}

// auditedSpan is a span as token_audit leaves it.
func auditedSpan(td ptrace.Traces, resource, outcome string, violations ...string) ptrace.Span {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "users-api")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName(resource)
	s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(len(resource))})
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(eventTime))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(eventTime.Add(20 * time.Millisecond)))
	a := s.Attributes()
	a.PutStr(auditattr.TokenID, "tok_0123456789abcdef0123456789abcdef")
	a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
	a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
	a.PutInt(auditattr.TokenIssuedAt, eventTime.Add(-time.Hour).Unix())
	a.PutInt(auditattr.TokenExpiresAt, eventTime.Add(time.Hour).Unix())
	a.PutStr(auditattr.PrincipalID, "alice")
	a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
	a.PutStr(auditattr.Resource, resource)
	a.PutStr(auditattr.Action, auditattr.ActionRead)
	a.PutStr(auditattr.Outcome, outcome)
	a.PutStr(auditattr.ClientAddress, "203.0.113.7")
	a.PutStr("http.request.method", "GET")
	a.PutStr("url.path", "/users/42")
	a.PutInt("http.response.status_code", 200)
	v := a.PutEmptySlice(auditattr.Violations)
	for _, x := range violations {
		v.AppendEmpty().SetStr(x)
	}
	return s
}

func alertLogs() plog.Logs {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName(auditattr.EventAnomaly)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(eventTime))
	lr.SetSeverityNumber(plog.SeverityNumberWarn)
	lr.Body().SetStr("Token tok_0123456789abcdef0123456789abcdef failed 12 times in 1m0s")
	lr.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	a := lr.Attributes()
	a.PutStr(auditattr.FindingType, "failed_attempts")
	a.PutStr(auditattr.FindingID, "fnd_00112233445566778899aabbccddeeff")
	a.PutInt(auditattr.FindingCount, 1)
	a.PutStr(auditattr.TokenID, "tok_0123456789abcdef0123456789abcdef")
	a.PutStr(auditattr.Resource, "GET /users/{id}")
	return ld
}

type harness struct {
	cfg    *Config
	traces exporter.Traces
	logs   exporter.Logs
	tel    *componenttest.Telemetry
}

func startHarness(t *testing.T, cfg *Config) *harness {
	t.Helper()
	return startHarnessWith(t, cfg, NewFactory())
}

// startHarnessWith is startHarness with the exporters of factory f.
func startHarnessWith(t *testing.T, cfg *Config, f exporter.Factory) *harness {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	tr, err := f.CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	lg, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, lg.Start(context.Background(), componenttest.NewNopHost()))
	return &harness{cfg: cfg, traces: tr, logs: lg, tel: tel}
}

func (h *harness) stop(t *testing.T) {
	require.NoError(t, h.traces.Shutdown(context.Background()))
	require.NoError(t, h.logs.Shutdown(context.Background()))
}

func readRecords(t *testing.T, dir string) []map[string]any {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "audit-*.jsonl"))
	require.NoError(t, err)
	var out []map[string]any
	for _, s := range segs {
		f, err := os.Open(s)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var m map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
			out = append(out, m)
		}
		f.Close()
	}
	return out
}

func verify(t *testing.T, cfg *Config) *auditlog.Report {
	t.Helper()
	pub, err := os.ReadFile(cfg.Signing.KeyFile + ".pub")
	require.NoError(t, err)
	keys, err := auditlog.NewKeys(string(pub))
	require.NoError(t, err)
	r, err := auditlog.Verify(cfg.Directory, auditlog.VerifyOptions{Keys: keys})
	require.NoError(t, err)
	return r
}

func TestRecordsOfEveryClassVerify(t *testing.T) {
	cfg := testConfig(t)
	h := startHarness(t, cfg)
	td := ptrace.NewTraces()
	auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	auditedSpan(td, "DELETE /admin/users/{id}", auditattr.OutcomeDenied, auditattr.ViolationScope)
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("not audited")
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), alertLogs()))
	h.stop(t)

	r := verify(t, cfg)
	require.True(t, r.OK(), "%v", r.Problems)
	recs := readRecords(t, cfg.Directory)
	byClass := map[float64]int{}
	for _, rec := range recs {
		byClass[rec["class_uid"].(float64)]++
	}
	assert.Equal(t, map[float64]int{6002: 4, 6003: 2, 2004: 1}, byClass, "start, configuration, key, stop; two requests; one finding")

	api := recs[3]
	assert.Equal(t, float64(600302), api["type_uid"])
	assert.Equal(t, float64(eventTime.UnixMilli()), api["time"])
	assert.Equal(t, "alice", api["actor"].(map[string]any)["user"].(map[string]any)["uid"])
	assert.Equal(t, "GET /users/{id}", api["api"].(map[string]any)["operation"])
	assert.Equal(t, "203.0.113.7", api["src_endpoint"].(map[string]any)["ip"])
	assert.Equal(t, "0102030405060708090a0b0c0d0e0f10", api["trace"].(map[string]any)["uid"])
	denied := recs[4]
	assert.Equal(t, float64(3), denied["severity_id"], "a denied out-of-scope call is Medium")
	assert.Equal(t, float64(2), denied["status_id"])
	finding := recs[5]
	assert.Equal(t, float64(200401), finding["type_uid"])
	assert.Equal(t, "fnd_00112233445566778899aabbccddeeff", finding["finding_info"].(map[string]any)["uid"])
}

func TestReplayIsNotWrittenTwice(t *testing.T) {
	cfg := testConfig(t)
	h := startHarness(t, cfg)
	td := ptrace.NewTraces()
	auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	h.stop(t)
	n := 0
	for _, rec := range readRecords(t, cfg.Directory) {
		if rec["class_uid"].(float64) == 6003 {
			n++
		}
	}
	assert.Equal(t, 1, n)
}

func TestGuardRedactsARawCredential(t *testing.T) {
	cfg := testConfig(t)
	h := startHarness(t, cfg)
	td := ptrace.NewTraces()
	s := auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	s.Attributes().PutStr("tokenaudit.note", "leaked "+rawGitHubToken+" here")
	s2 := auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	s2.SetSpanID(pcommon.SpanID{9, 9, 9})
	s2.Attributes().PutStr("tokenaudit.note", "leaked "+rawGitHubToken+" here")
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	h.stop(t)
	// Each write of the value counts, though the guard's verdict is memoised.
	metadatatest.AssertEqualAuditLogRedactions(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	entries, err := os.ReadDir(cfg.Directory)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(cfg.Directory, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(data), rawGitHubToken, e.Name())
	}
	found := false
	for _, rec := range readRecords(t, cfg.Directory) {
		if u, ok := rec["unmapped"].(map[string]any)["tokenaudit"].(map[string]any); ok && strings.Contains(u["note"].(string)+"", auditattr.Redacted) {
			found = true
		}
	}
	assert.True(t, found, "the value is kept, redacted")
}
