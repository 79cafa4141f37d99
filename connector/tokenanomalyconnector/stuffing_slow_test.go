package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestCredentialStuffingLowAndSlow: one address trying unproven
// credentials a few an hour stays under the fast count but alerts on the
// slow one; a NAT whose users' known or expired tokens fail does not.
func TestCredentialStuffingLowAndSlow(t *testing.T) {
	const nat = "203.0.113.9"
	// guesses is n distinct credentials failing from nat, one every step.
	guesses := func(n int, step time.Duration, edit func(*item)) []item {
		out := make([]item, n)
		for i := range out {
			out[i] = failure(fmt.Sprintf("tok_guess%d", i), nat, t0.Add(time.Duration(i)*step))
			if edit != nil {
				edit(&out[i])
			}
		}
		return out
	}
	// known is a success of each guess the day before, from home.
	known := func(n int) []item {
		var out []item
		for i := range n {
			out = append(out, steady(fmt.Sprintf("tok_guess%d", i), "198.51.100.7", "GET /a", t0.Add(-24*time.Hour+time.Duration(i)*time.Minute), time.Second, 1)...)
		}
		return out
	}
	expired := func(it *item) { it.violations = []string{auditattr.ViolationExpired} }
	tests := []struct {
		name   string
		before []item
		items  []item
		slow   int // slow_threshold
		want   int
	}{
		// One an hour while it goes on (alerts.suppression_window).
		{"90 guesses in 6 hours", nil, guesses(90, 4*time.Minute, nil), 10, 6},
		{"9 guesses in an hour", nil, guesses(9, 6*time.Minute, nil), 10, 0},
		{"known tokens failing", known(30), guesses(30, 2*time.Minute+30*time.Second, nil), 10, 0},
		{"expired tokens sent once before the refresh", nil, guesses(30, 2*time.Minute+30*time.Second, expired), 10, 0},
		{"90 guesses in 6 hours, slow count off", nil, guesses(90, 4*time.Minute, nil), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.CredentialStuffing.SlowThreshold = tt.slow
			h := newHarness(t, cfg)
			items := append(slices.Clone(tt.before), tt.items...)
			for b := range slices.Chunk(items, 20) {
				h.send(b...)
				h.send(b...) // a retried batch counts once
			}
			assert.Len(t, h.alertsOf(auditattr.FindingCredentialStuffing), tt.want)
		})
	}
}
