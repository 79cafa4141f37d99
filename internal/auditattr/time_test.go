package auditattr

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestEventTime(t *testing.T) {
	const a, b pcommon.Timestamp = 1_700_000_000_000_000_000, 1_700_000_001_000_000_000
	tests := []struct {
		name        string
		first, then pcommon.Timestamp
		want        pcommon.Timestamp
	}{
		{"own time", a, b, a},
		{"fallback", 0, b, b},
		{"none", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ptrace.NewSpan()
			s.SetStartTimestamp(tt.first)
			s.SetEndTimestamp(tt.then)
			if got := SpanTime(s); got != tt.want {
				t.Errorf("SpanTime(start %d, end %d) = %d, want %d", tt.first, tt.then, got, tt.want)
			}
			lr := plog.NewLogRecord()
			lr.SetTimestamp(tt.first)
			lr.SetObservedTimestamp(tt.then)
			if got := LogTime(lr); got != tt.want {
				t.Errorf("LogTime(ts %d, observed %d) = %d, want %d", tt.first, tt.then, got, tt.want)
			}
		})
	}
}
