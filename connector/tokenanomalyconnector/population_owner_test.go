package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestMultiAddressWideRangeCountsPeople: a wide range is the org's when
// many people use it, not many tokens. An office whose users' access
// tokens are re-issued hourly makes hundreds of tokens; a botnet address
// in the office's /8 (another /16) must still count as rare, while a /8
// that 60 people (or 60 tokens naming no principal) use explains it.
func TestMultiAddressWideRangeCountsPeople(t *testing.T) {
	tests := []struct {
		name          string
		people        int  // users in the office's /8
		hourly        bool // each user's token re-issued every hour, else one token
		withPrincipal bool
		want          int
	}{
		{"10 users with hourly tokens (270 tokens)", 10, true, true, 1},
		{"60 users, one token each", 60, false, true, 0},
		{"60 tokens naming no principal", 60, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []item
			for d := range 3 {
				for hr := range 9 {
					at := t0.Add(time.Duration(d)*24*time.Hour + time.Duration(hr-1)*time.Hour) // 09:00-17:00
					for u := range tt.people {
						tok := fmt.Sprintf("tok_u%d", u)
						if tt.hourly {
							tok = fmt.Sprintf("tok_u%d_d%d_h%d", u, d, hr)
						}
						for i := range 3 {
							it := item{at: at.Add(time.Duration(u*10+i*15) * time.Second), token: tok, resource: "GET /orders/r0",
								outcome: auditattr.OutcomeSuccess, client: fmt.Sprintf("63.117.22.%d", 10+u)}
							if tt.withPrincipal {
								it.principal = fmt.Sprintf("u%d@example.com", u)
							}
							items = append(items, it)
						}
					}
				}
				items = append(items, every("tok_api", "185.40.1.9", t0.Add(time.Duration(d)*24*time.Hour), 20*time.Minute, 24)...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h := newHarness(t, testConfig())
			h.send(items...)
			// Three rare networks within minutes, one in the office's /8.
			then := t0.Add(3*24*time.Hour + time.Hour)
			var burst []item
			for i, c := range []string{"45.77.10.5", "63.103.1.7", "91.12.3.9"} {
				burst = append(burst, every("tok_api", c, then.Add(time.Duration(i)*time.Minute), 20*time.Second, 2)...)
			}
			h.send(burst...)
			assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), tt.want)
		})
	}
}
