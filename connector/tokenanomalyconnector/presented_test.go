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
			h := newHarness(t, cfg)
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 12*time.Second, 600)...)
			late := steady("tok_a", "192.0.2.5", "GET /b", t0.Add(2*time.Hour+time.Minute), 500*time.Millisecond, 100)
			for i := range late {
				late[i].notPresented = tt.notPresented
				late[i].violations = []string{auditattr.ViolationExposedCredential}
				late[i].source = "log.body"
			}
			h.send(late...)
			for _, typ := range []string{auditattr.FindingRateSurge, auditattr.FindingNewClientAddress, auditattr.FindingNewResource} {
				assert.Len(t, h.alertsOf(typ), tt.want, typ)
			}
			assert.Len(t, h.alertsOf(auditattr.ViolationExposedCredential), 1)
		})
	}
}
