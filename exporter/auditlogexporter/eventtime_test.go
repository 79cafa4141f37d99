package auditlogexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestRecordTimeIsEventTime: a record's time follows auditattr's one rule
// (span start else end; log Timestamp else ObservedTimestamp). An item
// without any time keeps time 0, so that a replay of it has the same content
// id and is not written twice.
func TestRecordTimeIsEventTime(t *testing.T) {
	at := pcommon.NewTimestampFromTime(eventTime)
	tests := []struct {
		name string
		send func(h *harness) error
		want time.Time
	}{
		{"span with start", func(h *harness) error {
			td := ptrace.NewTraces()
			auditedSpan(td, "GET /a", auditattr.OutcomeSuccess)
			return h.traces.ConsumeTraces(context.Background(), td)
		}, eventTime},
		{"span with only an end", func(h *harness) error {
			td := ptrace.NewTraces()
			s := auditedSpan(td, "GET /a", auditattr.OutcomeSuccess)
			s.SetStartTimestamp(0)
			s.SetEndTimestamp(at)
			return h.traces.ConsumeTraces(context.Background(), td)
		}, eventTime},
		{"log with only an observed time", func(h *harness) error {
			return h.logs.ConsumeLogs(context.Background(), auditedLog(0, at))
		}, eventTime},
		{"log without any time", func(h *harness) error {
			return h.logs.ConsumeLogs(context.Background(), auditedLog(0, 0))
		}, time.Unix(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, testConfig(t))
			require.NoError(t, tt.send(h))
			h.stop(t)
			var got []int64
			for _, r := range readRecords(t, h.cfg.Directory) {
				if r["class_uid"] == float64(apiActivityClass.uid) {
					got = append(got, int64(r["time"].(float64)))
				}
			}
			require.Len(t, got, 1)
			require.Equal(t, tt.want.UnixMilli(), got[0])
		})
	}
}

// auditedLog is an audited access-log record with the given timestamps.
func auditedLog(ts, observed pcommon.Timestamp) plog.Logs {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(ts)
	lr.SetObservedTimestamp(observed)
	lr.Body().SetStr("GET /a 200")
	lr.Attributes().PutStr(auditattr.TokenID, "tok_0123456789abcdef0123456789abcdef")
	lr.Attributes().PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
	return ld
}
