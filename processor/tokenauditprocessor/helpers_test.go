package tokenauditprocessor

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

const testKey = "k3y-material-that-is-long-enough-0123456789"

// hmacSecret signs the test JWTs; it is a fixture, not a credential.
const hmacSecret = "test-hmac-secret-that-is-32-bytes-or-more"

var b64 = base64.RawURLEncoding

// makeJWT builds an HS256 JWT over claims, signed with secret.
func makeJWT(t testing.TB, header, claims map[string]any, secret string) string {
	t.Helper()
	if header == nil {
		header = map[string]any{"alg": "HS256", "typ": "JWT"}
	}
	h, err := json.Marshal(header)
	require.NoError(t, err)
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + b64.EncodeToString(mac.Sum(nil))
}

// userJWT is a typical access token for alice, valid around `at`.
func userJWT(t testing.TB, at time.Time) string {
	return makeJWT(t, nil, map[string]any{
		"iss": "https://idp.example.com", "sub": "alice", "aud": []string{"api"},
		"iat": at.Add(-time.Hour).Unix(), "exp": at.Add(time.Hour).Unix(),
		"jti": "jti-1", "scope": "users:read users:write", "client_id": "web", "tenant": "acme",
	}, hmacSecret)
}

// newStandalone builds a traces instance with an owner of its own.
func newStandalone(cfg *Config) (*tokenAudit, error) {
	return newTokenAudit(processortest.NewNopSettings(metadata.Type), cfg, "traces", sharedcomponent.NewMap[component.ID, *owner]())
}

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Fingerprint.Key = testKey
	cfg.ReloadInterval = 0
	return cfg
}

func tokenID(t testing.TB, secret string) string {
	fp, err := fingerprint.New([]byte(testKey), "tok_")
	require.NoError(t, err)
	return fp.TokenID(secret)
}

// harness runs a processor built from cfg into sinks.
type harness struct {
	traces *consumertest.TracesSink
	logs   *consumertest.LogsSink
	tp     processor.Traces
	lp     processor.Logs
	logObs *observer.ObservedLogs
	tel    *componenttest.Telemetry
}

func newHarness(t *testing.T, cfg *Config) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	core, obs := observer.New(zap.DebugLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	h := &harness{traces: new(consumertest.TracesSink), logs: new(consumertest.LogsSink), logObs: obs, tel: tel}
	f := NewFactory()
	var err error
	h.tp, err = f.CreateTraces(context.Background(), set, cfg, h.traces)
	require.NoError(t, err)
	h.lp, err = f.CreateLogs(context.Background(), set, cfg, h.logs)
	require.NoError(t, err)
	require.NoError(t, h.tp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, h.lp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, h.tp.Shutdown(context.Background()))
		require.NoError(t, h.lp.Shutdown(context.Background()))
	})
	return h
}

// span runs one span with attrs set by fill and returns the output span.
func (h *harness) span(t *testing.T, at time.Time, fill func(pcommon.Map)) ptrace.Span {
	t.Helper()
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("GET /users/{id}")
	s.SetKind(ptrace.SpanKindServer)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
	fill(s.Attributes())
	h.traces.Reset()
	require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
	out := h.traces.AllTraces()
	require.Len(t, out, 1)
	return out[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// logRecord runs one log record.
func (h *harness) logRecord(t *testing.T, at time.Time, fill func(plog.LogRecord)) plog.LogRecord {
	t.Helper()
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	fill(lr)
	h.logs.Reset()
	require.NoError(t, h.lp.ConsumeLogs(context.Background(), ld))
	out := h.logs.AllLogs()
	require.Len(t, out, 1)
	return out[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

// assertNoSecret fails if any secret (or a long piece of it) appears in
// the rendered telemetry or in what the processor logged.
func (h *harness) assertNoSecret(t *testing.T, secrets ...string) {
	t.Helper()
	var dump strings.Builder
	for _, td := range h.traces.AllTraces() {
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		dump.Write(b)
	}
	for _, ld := range h.logs.AllLogs() {
		b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		dump.Write(b)
	}
	for _, e := range h.logObs.All() {
		dump.WriteString(e.Message)
		for k, v := range e.ContextMap() {
			dump.WriteString(k)
			b, _ := json.Marshal(v)
			dump.Write(b)
		}
	}
	out := dump.String()
	for _, s := range secrets {
		require.NotContains(t, out, s, "raw credential leaked")
		if len(s) > 24 { // the signature or key part alone is a secret too
			require.NotContains(t, out, s[len(s)-16:], "tail of a raw credential leaked")
		}
	}
}

func attrStr(t *testing.T, m pcommon.Map, k string) string {
	t.Helper()
	v, ok := m.Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

func attrStrings(m pcommon.Map, k string) []string {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	var out []string
	for _, e := range v.Slice().All() {
		out = append(out, e.Str())
	}
	return out
}

func putHeader(m pcommon.Map, name string, vals ...string) {
	s := m.PutEmptySlice("http.request.header." + name)
	for _, v := range vals {
		s.AppendEmpty().SetStr(v)
	}
}

// sumCounter adds up all data points of an internal counter.
func sumCounter(t *testing.T, h *harness, name string) int64 {
	t.Helper()
	m, err := h.tel.GetMetric(name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int64 sum", name)
	var total int64
	for _, dp := range sum.DataPoints {
		total += dp.Value
	}
	return total
}
