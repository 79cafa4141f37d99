package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestFailedAttemptsConsecutiveRun: failures too slow for the window (one
// an hour, or 30 in 25 minutes) alert once `consecutive` of them come in a
// row within consecutive_window; a success or a 403 between them, or a
// run that spreads over more than the window, does not.
func TestFailedAttemptsConsecutiveRun(t *testing.T) {
	type call struct {
		every   time.Duration
		n       int
		between string // an outcome sent after every 5th failure; "" for none
	}
	tests := []struct {
		name string
		call call
		want int    // the failure that raises failed_attempts, 0 for none
		span string // from the run's first failure to its 20th, in the alert
	}{
		{"hourly retries of a revoked password", call{time.Hour, 22, ""}, 20, "19h0m0s"},
		{"thirty in 25 minutes", call{50 * time.Second, 30, ""}, 20, "15m0s"},
		{"nineteen in a row", call{time.Hour, 19, ""}, 0, ""},
		{"a success now and then", call{time.Hour, 30, auditattr.OutcomeSuccess}, 0, ""},
		{"a refusal (403) now and then", call{time.Hour, 30, auditattr.OutcomeDenied}, 0, ""},
		{"a server error does not end the run", call{time.Hour, 22, auditattr.OutcomeError}, 20, "19h0m0s"},
		{"one every 90 minutes: over a day", call{90 * time.Minute, 22, ""}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for i := range tt.call.n {
				at := t0.Add(time.Duration(i) * tt.call.every)
				h.send(failure("tok_a", "198.51.100.1", at))
				if tt.call.between != "" && i%5 == 4 {
					ok := failure("tok_a", "198.51.100.1", at.Add(time.Second))
					ok.outcome = tt.call.between
					h.send(ok)
				}
				got := h.alertsOf(auditattr.FindingFailedAttempts)
				if tt.want == 0 || i+1 < tt.want {
					require.Empty(t, got, "after failure %d", i+1)
					continue
				}
				require.NotEmpty(t, got, "after failure %d", i+1)
				assert.Equal(t, 20.0, num(got[0], auditattr.EvidenceObserved))
				assert.Contains(t, got[0].Body().Str(), "20 times in a row within "+tt.span+",")
			}
		})
	}
}
