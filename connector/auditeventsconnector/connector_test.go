package auditeventsconnector

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/tokenaudit/tokenaudit/connector/auditeventsconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/connector/auditeventsconnector/internal/metadatatest"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

var start = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

// trace builds one trace whose spans carry the given tokens ("" is a
// span token_audit did not audit), over two resources.
func trace(tokens ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	for r := 0; r < 2; r++ {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", []string{"gateway", "users-api"}[r])
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("http")
		for i, tok := range tokens {
			if i%2 != r {
				continue
			}
			s := ss.Spans().AppendEmpty()
			s.SetName("GET /users/{id}")
			s.SetKind(ptrace.SpanKindServer)
			s.SetTraceID(pcommon.TraceID{9, 9, 9})
			s.SetSpanID(pcommon.SpanID{byte(i + 1)})
			s.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Second)))
			s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i)*time.Second + 5*time.Millisecond)))
			if tok != "" {
				s.Attributes().PutStr(auditattr.TokenID, tok)
				s.Attributes().PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
				s.Status().SetCode(ptrace.StatusCodeOk)
			}
		}
	}
	return td
}

func startConnector(t *testing.T, cfg *Config, next consumer.Logs) (*componenttest.Telemetry, func(ptrace.Traces) error) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := connectortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	c, err := NewFactory().CreateTracesToLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, c.Shutdown(context.Background())) })
	return tel, func(td ptrace.Traces) error { return c.ConsumeTraces(context.Background(), td) }
}

func TestSpansBecomeEvents(t *testing.T) {
	tests := []struct {
		name        string
		onlyAudited bool
		tokens      []string
		wantTokens  []string // the token of each event, in order
		skipped     int64
	}{
		{"two tokens in one trace", true, []string{"tok_a", "tok_b", "tok_a"}, []string{"tok_a", "tok_a", "tok_b"}, 0},
		{"unaudited spans stay behind", true, []string{"tok_a", "", "", "tok_b"}, []string{"tok_a", "tok_b"}, 2},
		{"every span with only_audited off", false, []string{"tok_a", ""}, []string{"tok_a", ""}, 0},
		{"nothing audited sends nothing", true, []string{"", ""}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &consumertest.LogsSink{}
			tel, consume := startConnector(t, &Config{OnlyAudited: tt.onlyAudited}, sink)
			td := trace(tt.tokens...)
			require.NoError(t, consume(td))

			var got []string
			for _, ld := range sink.AllLogs() {
				rls := ld.ResourceLogs()
				for i := 0; i < rls.Len(); i++ {
					sls := rls.At(i).ScopeLogs()
					for j := 0; j < sls.Len(); j++ {
						assert.Equal(t, "http", sls.At(j).Scope().Name())
						lrs := sls.At(j).LogRecords()
						assert.Positive(t, lrs.Len(), "no empty scopes")
						for k := 0; k < lrs.Len(); k++ {
							lr := lrs.At(k)
							tok, _ := lr.Attributes().Get(auditattr.TokenID)
							got = append(got, tok.Str())
							checkEvent(t, td, rls.At(i).Resource(), lr)
						}
					}
				}
			}
			assert.Equal(t, tt.wantTokens, got)
			if tt.wantTokens == nil {
				assert.Empty(t, sink.AllLogs(), "no empty batch is sent")
			}
			if n := int64(len(tt.wantTokens)); n > 0 {
				metadatatest.AssertEqualAuditEventsEmitted(t, tel, []metricdata.DataPoint[int64]{{Value: n}}, metricdatatest.IgnoreTimestamp())
			}
			if tt.skipped > 0 {
				metadatatest.AssertEqualAuditEventsSkipped(t, tel, []metricdata.DataPoint[int64]{{Value: tt.skipped}}, metricdatatest.IgnoreTimestamp())
			}
		})
	}
}

// checkEvent compares an event with the span it came from.
func checkEvent(t *testing.T, td ptrace.Traces, res pcommon.Resource, lr plog.LogRecord) {
	t.Helper()
	var span ptrace.Span
	var spanRes pcommon.Resource
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		spans := rss.At(i).ScopeSpans().At(0).Spans()
		for k := 0; k < spans.Len(); k++ {
			if spans.At(k).SpanID() == lr.SpanID() {
				span, spanRes = spans.At(k), rss.At(i).Resource()
			}
		}
	}
	require.NotEqual(t, ptrace.Span{}, span, "an event of an unknown span")
	assert.Equal(t, spanRes.Attributes().AsRaw(), res.Attributes().AsRaw())
	assert.Equal(t, auditattr.EventSpan, lr.EventName())
	assert.Equal(t, span.TraceID(), lr.TraceID())
	assert.Equal(t, span.StartTimestamp(), lr.Timestamp())
	assert.Equal(t, span.Attributes().AsRaw(), lr.Attributes().AsRaw())
	assert.Equal(t, map[string]any{
		auditattr.SpanBodyName: span.Name(), auditattr.SpanBodyKind: "Server",
		auditattr.SpanBodyEnd: int64(span.EndTimestamp()), auditattr.SpanBodyStatusCode: span.Status().Code().String(),
	}, lr.Body().Map().AsRaw())
}

func TestRefusalReachesTheSender(t *testing.T) {
	_, consume := startConnector(t, &Config{OnlyAudited: true}, consumertest.NewErr(errors.New("queue full")))
	err := consume(trace("tok_a"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "queue full")
}
