package auditattr

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The event time of an item is when it happened, not when it arrived, so
// that a replay gives the same verdicts, windows and records. Every
// component takes it from here:
//
//   - a span: its start, else its end;
//   - a log record: its Timestamp, else its ObservedTimestamp.
//
// Zero means the item carries no time at all. The processor then judges it
// on its clock (it has no history) and the connector on its watermark
// (event time never goes backwards). The exporter writes time 0 and the
// metadata.logged_time beside it: a stand-in from the clock would change
// the record's content id on a replay, and the replay would be written twice.

// SpanTime is a span's event time (see above).
func SpanTime(s ptrace.Span) pcommon.Timestamp {
	return firstSet(s.StartTimestamp(), s.EndTimestamp())
}

// LogTime is a log record's event time (see above).
func LogTime(lr plog.LogRecord) pcommon.Timestamp {
	return firstSet(lr.Timestamp(), lr.ObservedTimestamp())
}

func firstSet(ts, fallback pcommon.Timestamp) pcommon.Timestamp {
	if ts != 0 {
		return ts
	}
	return fallback
}
