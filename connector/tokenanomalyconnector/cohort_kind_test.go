package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestKindCohortAfterAFleetsWave: five keys of one grant (a fleet) rising
// together are their peer group's event: the first alerts, the others
// share. Two services of the same kind, each with a grant of its own,
// rising two hours later alert each: the fleet's wave, which its own group
// explained, makes no event of their kind (the fourth outside evaluation's
// injected surges hours after its carriers' daily wave). Three such
// services rising together are their kind's event.
func TestKindCohortAfterAFleetsWave(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	service := func(int) string { return auditattr.PrincipalService }
	tests := []struct {
		name         string
		lone         int
		want, shared int
	}{
		{"two lone services", 2, 3, 4},
		{"three lone services", 3, 2, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fleet := 5
			items := salesDay(fleet+tt.lone, 5*time.Minute, service, own)
			var k int
			for i := range items {
				fmt.Sscanf(items[i].token, "tok_partner%d", &k)
				if k < fleet {
					continue
				}
				items[i].scopes = []string{"orders:write", strings.TrimPrefix(items[i].token, "tok_")}
				if strings.HasPrefix(items[i].resource, "POST /orders/") {
					items[i].at = items[i].at.Add(2 * time.Hour)
				}
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			cfg := testConfig()
			cfg.Detectors.NewResource.Cohort.MinPrincipals = 3
			assertShares(t, cfg, items, auditattr.FindingRateSurge, tt.want, tt.shared)
		})
	}
}
