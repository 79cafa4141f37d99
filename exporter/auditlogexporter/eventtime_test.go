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
// (span start else end; log Timestamp else ObservedTimestamp), and an item
// without any time gets the time it was logged, never 1970.
func TestRecordTimeIsEventTime(t *testing.T) {
	at := pcommon.NewTimestampFromTime(eventTime)
	tests := []struct {
		name string
		send func(h *harness) error
		want time.Time // zero: the time of logging
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
		}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, testConfig(t))
			before := time.Now().UnixMilli()
			require.NoError(t, tt.send(h))
			after := time.Now().UnixMilli()
			h.stop(t)
			var got []int64
			for _, r := range readRecords(t, h.cfg.Directory) {
				if r["class_uid"] == float64(apiActivityClass.uid) {
					got = append(got, int64(r["time"].(float64)))
				}
			}
			require.Len(t, got, 1)
			if tt.want.IsZero() {
				require.GreaterOrEqual(t, got[0], before)
				require.LessOrEqual(t, got[0], after)
				return
			}
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
