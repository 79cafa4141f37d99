package tokenauditprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// pair is one component id's traces and logs instances, as a collector
// builds them for a traces and a logs pipeline.
type pair struct {
	t      *testing.T
	tp     processor.Traces
	lp     processor.Logs
	traces *consumertest.TracesSink
	logs   *consumertest.LogsSink
}

// startPair creates both instances from one factory and starts them on
// host, the logs one gap after the traces one.
func startPair(t *testing.T, cfg *Config, host component.Host, gap time.Duration) *pair {
	t.Helper()
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	p := &pair{t: t, traces: new(consumertest.TracesSink), logs: new(consumertest.LogsSink)}
	var err error
	p.tp, err = f.CreateTraces(context.Background(), set, cfg, p.traces)
	require.NoError(t, err)
	p.lp, err = f.CreateLogs(context.Background(), set, cfg, p.logs)
	require.NoError(t, err)
	require.NoError(t, p.tp.Start(context.Background(), host))
	time.Sleep(gap)
	require.NoError(t, p.lp.Start(context.Background(), host))
	t.Cleanup(func() {
		require.NoError(t, p.tp.Shutdown(context.Background()))
		require.NoError(t, p.lp.Shutdown(context.Background()))
	})
	return p
}

// span sends a span carrying key in X-Api-Key and returns attribute attr
// of the span that came out.
func (p *pair) span(key, attr string) string {
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	putHeader(s.Attributes(), "x-api-key", key)
	p.traces.Reset()
	require.NoError(p.t, p.tp.ConsumeTraces(context.Background(), td))
	return attrStr(p.t, p.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes(), attr)
}

// logRecord is span for a log record.
func (p *pair) logRecord(key, attr string) string {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(now))
	putHeader(lr.Attributes(), "x-api-key", key)
	p.logs.Reset()
	require.NoError(p.t, p.lp.ConsumeLogs(context.Background(), ld))
	return attrStr(p.t, p.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes(), attr)
}
