package auditlogexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/connector/auditeventsconnector"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestAuditEventIsRecordedLikeItsSpan: a span that a first tier turned
// into an audit event (audit_events connector) gives the same record as
// the span itself, trace profile included. Only the times the exporter
// itself stamps may differ.
func TestAuditEventIsRecordedLikeItsSpan(t *testing.T) {
	td := ptrace.NewTraces()
	auditedSpan(td, "GET /users/{id}", auditattr.OutcomeDenied, auditattr.ViolationScope)

	f := auditeventsconnector.NewFactory()
	sink := &consumertest.LogsSink{}
	conn, err := f.CreateTracesToLogs(context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, conn.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))
	require.NoError(t, conn.Shutdown(context.Background()))
	require.Len(t, sink.AllLogs(), 1)

	fromSpan := startHarness(t, testConfig(t))
	require.NoError(t, fromSpan.traces.ConsumeTraces(context.Background(), td))
	fromSpan.stop(t)
	fromEvent := startHarness(t, testConfig(t))
	require.NoError(t, fromEvent.logs.ConsumeLogs(context.Background(), sink.AllLogs()[0]))
	fromEvent.stop(t)

	pick := func(recs []map[string]any) map[string]any {
		for _, r := range recs {
			if r["class_uid"] == float64(6003) {
				delete(r["metadata"].(map[string]any), "logged_time")
				return r
			}
		}
		t.Fatal("no API Activity record")
		return nil
	}
	want := pick(readRecords(t, fromSpan.cfg.Directory))
	got := pick(readRecords(t, fromEvent.cfg.Directory))
	assert.Equal(t, want, got)
	assert.Contains(t, want, "trace", "the span's trace profile")
}
