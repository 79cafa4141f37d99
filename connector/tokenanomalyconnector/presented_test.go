package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestNotPresentedTokenIsNoUse: a token the request did not present
// (token.presented false: a response header, a log line) feeds none of
// the detectors of a token in use, while its exposure still alerts.
func TestNotPresentedTokenIsNoUse(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.RateSurge.MinActiveHours = 0
	cfg.Detectors.NewClientAddress.LearningPeriod = time.Hour
	cfg.Detectors.NewResource.LearningPeriod = time.Hour
	cfg.Detectors.NewClientAddress.MinActiveHours, cfg.Detectors.NewResource.MinActiveHours = 1, 1
	cfg.Detectors.NewClientAddress.Population.LearningPeriod = time.Hour
	for _, tt := range []struct {
		name         string
		notPresented bool
		want         int
	}{
		{"presented", false, 1},
		{"found in a log line", true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := surgeAfterBaseline(t, cfg, "192.0.2.5", "GET /b", func(it *item) {
				it.notPresented = tt.notPresented
				it.violations = []string{auditattr.ViolationExposedCredential}
				it.source = "log.body"
			})
			for _, typ := range []string{auditattr.FindingRateSurge, auditattr.FindingNewClientAddress, auditattr.FindingNewResource} {
				assert.Len(t, h.alertsOf(typ), tt.want, typ)
			}
			assert.Len(t, h.alertsOf(auditattr.ViolationExposedCredential), 1)
		})
	}
}
