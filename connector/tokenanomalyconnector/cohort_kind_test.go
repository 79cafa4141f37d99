package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// kindDay is a sales day of services of one kind: a fleet of keys of one
// grant whose rises start apart after each other, and lone services, each
// with a grant of its own, whose rises start at the offsets given from
// the fleet's first.
func kindDay(fleet int, apart time.Duration, lone ...time.Duration) []item {
	own := func(i int) string { return fmt.Sprintf("198.51.%d.%d", 100+i/200, 10+i%200) }
	service := func(int) string { return auditattr.PrincipalService }
	items := salesDay(fleet+len(lone), apart, service, own)
	for i := range items {
		var k int
		fmt.Sscanf(items[i].token, "tok_partner%d", &k)
		if k < fleet {
			continue
		}
		items[i].scopes = []string{"orders:write", strings.TrimPrefix(items[i].token, "tok_")}
		if strings.HasPrefix(items[i].resource, "POST /orders/") {
			items[i].at = items[i].at.Add(lone[k-fleet] - time.Duration(k)*apart)
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	return items
}

// TestKindCohortAfterAFleetsWave: keys of one grant (a fleet) rising
// together are their peer group's event: the first alerts, the others
// share. Services of the same kind, each with a grant of its own, are
// their kind's event only among themselves: the fleet's wave, which its
// own group explained, makes no event of their kind, whether they rise
// hours after it or amid its first keys, before the group has formed (the
// fourth outside evaluation's injected surges hours after its carriers'
// daily wave); however large the fleet, it does not crowd them out of
// their kind's cohort; and a kind's crowd puts no owner in the org's
// event (a kind's crowd is no licence for its owners' bursts of the next
// hour).
func TestKindCohortAfterAFleetsWave(t *testing.T) {
	h2 := 2 * time.Hour
	tests := []struct {
		name         string
		items        []item
		want, shared int
		// events: owners in the org's event at the end (the fleet's)
		events int
	}{
		{"two lone services two hours after", kindDay(5, 5*time.Minute, h2, h2+5*time.Minute), 3, 4, 5},
		{"three lone services two hours after", kindDay(5, 5*time.Minute, h2, h2+5*time.Minute, h2+10*time.Minute), 2, 6, 5},
		{"a lone service between the fleet's first and second", kindDay(5, 5*time.Minute, 3*time.Minute), 2, 4, 5},
		{"a lone service between the fleet's second and third", kindDay(5, 5*time.Minute, 7*time.Minute), 2, 4, 5},
		// The two an hour before alert; the fleet's first waited on
		// them and its group formed meanwhile; the third shares with the
		// two, past 20 fleet keys.
		{"a fleet of 20 between lone services", kindDay(20, time.Minute, -time.Hour, -time.Hour+5*time.Minute, h2), 2, 21, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewResource.Cohort.MinPrincipals = 3
			h := assertShares(t, cfg, tt.items, auditattr.FindingRateSurge, tt.want, tt.shared)
			assert.Len(t, h.model.cohorts.events, tt.events)
		})
	}
}
