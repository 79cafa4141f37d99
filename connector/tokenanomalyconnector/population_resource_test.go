package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestNewResourceCommonAmongPeers: a settled token's first call of a
// resource is news only when its owner never called it and fewer than
// population.min_principals other principals of its peer group (same
// principal type and scopes) did: a less-used route of the user's role is
// not, a reports-only key pulling orders is.
func TestNewResourceCommonAmongPeers(t *testing.T) {
	tests := []struct {
		name          string
		minPrincipals int
		peers         int      // other principals that called the resource before
		peerScopes    []string // their scopes (the token holds orders:read)
		ownerToken    bool     // the token's owner called it with another token
		want          int
	}{
		{"never called by anyone", 3, 0, nil, false, 1},
		{"default: off", defaultResourcePeers, 8, []string{"orders:read"}, true, 1},
		{"called by fewer peers than min_principals", 3, 2, []string{"orders:read"}, false, 1},
		{"called by min_principals peers", 3, 3, []string{"orders:read"}, false, 0},
		{"called by many principals of another scope set", 3, 8, []string{"reports:read"}, false, 1},
		{"called by the owner's other token", 3, 0, nil, true, 0},
		{"population check off", 0, 8, []string{"orders:read"}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewResource.LearningPeriod = time.Hour
			cfg.Detectors.NewResource.MinActiveHours = 1
			cfg.Detectors.NewResource.Population.MinPrincipals = tt.minPrincipals
			own := []string{"orders:read"}
			var items []item
			for _, it := range steady("tok_a", "198.51.100.1", "GET /orders", t0, time.Minute, 90) {
				it.scopes = own
				items = append(items, it)
			}
			for p := range tt.peers {
				for _, it := range steady(fmt.Sprintf("tok_p%d", p), "198.51.100.2", "PATCH /customers/{id}", t0.Add(time.Hour), time.Minute, 2) {
					it.principal, it.scopes = fmt.Sprintf("peer%d", p), tt.peerScopes
					items = append(items, it)
				}
			}
			if tt.ownerToken {
				for _, it := range steady("tok_a2", "198.51.100.1", "PATCH /customers/{id}", t0.Add(2*time.Hour), time.Minute, 2) {
					it.scopes = own
					items = append(items, it)
				}
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h := newHarness(t, cfg)
			h.send(items...)
			probe := steady("tok_a", "198.51.100.1", "PATCH /customers/{id}", t0.Add(3*time.Hour), time.Minute, newResourceCalls())
			for i := range probe {
				probe[i].scopes = own
			}
			h.send(probe...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
		})
	}
}
