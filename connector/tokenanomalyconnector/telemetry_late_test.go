package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	zapobserver "go.uber.org/zap/zaptest/observer"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestLateItemsAreLogged: items that arrive more than allowed_lateness
// behind the newest event time skip the windows; the collector's log says
// so, with the count and the setting to change, at most once a minute.
func TestLateItemsAreLogged(t *testing.T) {
	tests := []struct {
		name     string
		lateBy   time.Duration
		wantWarn bool
	}{
		{"within the lateness", 10 * time.Minute, false},
		{"past the lateness", time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := zapobserver.New(zapcore.WarnLevel)
			set := componenttest.NewNopTelemetrySettings()
			set.Logger = zap.New(core)
			h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
			at := t0.Add(2 * time.Hour)
			h.send(item{at: at, token: "tok_a", outcome: auditattr.OutcomeSuccess, client: "198.51.100.7"})
			for range 2 { // the second is not logged again within the minute
				h.send(item{at: at.Add(-tt.lateBy), token: "tok_b", outcome: auditattr.OutcomeSuccess, client: "198.51.100.8"})
			}
			warned := logs.FilterMessageSnippet("allowed_lateness").All()
			if !tt.wantWarn {
				assert.Empty(t, warned)
				return
			}
			require.Len(t, warned, 1)
			fields := warned[0].ContextMap()
			assert.Equal(t, int64(1), fields["late_items"])
			assert.Equal(t, 15*time.Minute, fields["allowed_lateness"])
		})
	}
}
