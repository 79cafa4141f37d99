package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestKindRateBar: a kind's cohort needs min_principals while its owners
// surge alone, more than any cohort holds the morning after 50 of them
// surged together and while they do so every day, and min_principals
// again a week after they stopped; a window's surges never raise their
// own window's bar.
func TestKindRateBar(t *testing.T) {
	const window = 4 * time.Hour
	day := int64(24 * time.Hour / time.Millisecond)
	start := t0.UnixMilli()
	tests := []struct {
		name string
		// waves is how many owners surge together at 08:00 and 20:00 on
		// each of days 0..days-1
		waves, days int
		// at is when the bar is asked, after start
		at        time.Duration
		want      func(bar int) bool
		wantTitle string
	}{
		{"no history", 0, 0, 0, func(b int) bool { return b == 3 }, "min_principals"},
		{"two lone surges a day for a week", 1, 7, 7*24*time.Hour + 10*time.Hour, func(b int) bool { return b == 3 }, "min_principals"},
		{"the morning after a wave of 50", 50, 1, 24*time.Hour + 10*time.Hour, func(b int) bool { return b > maxCohortOwners }, "beyond any cohort"},
		{"fleets of 50 twice a day for four days", 50, 4, 4*24*time.Hour + 10*time.Hour, func(b int) bool { return b > maxCohortOwners }, "beyond any cohort"},
		{"the same a week after they stopped", 50, 4, 11*24*time.Hour + 10*time.Hour, func(b int) bool { return b == 3 }, "min_principals"},
		{"the first wave's own window", 50, 1, 8*time.Hour + 30*time.Minute, func(b int) bool { return b == 3 }, "min_principals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := kindRates{}
			key := kindKey(auditattr.PrincipalService, auditattr.TypeAPIKey)
			for d := range tt.days {
				for _, h := range []int64{8, 20} {
					for range tt.waves {
						at := start + int64(d)*day + h*int64(time.Hour/time.Millisecond)
						if at <= start+tt.at.Milliseconds() {
							k.observe(key, at, window, 3, func() {})
						}
					}
				}
			}
			bar := k.observe(key, start+tt.at.Milliseconds(), window, 3, func() {})
			assert.True(t, tt.want(bar), "bar %d, want %s", bar, tt.wantTitle)
		})
	}
}

// TestKindCohortAfterItsFleetsWave: merchants of one kind with a grant
// each rising together share, unless their kind's fleets surge together
// every day: then five of them are no more than its habit, and each
// alerts (the fourth outside evaluation's two injected surges of lone
// services hours after its carriers' daily wave).
func TestKindCohortAfterItsFleetsWave(t *testing.T) {
	own := func(i int) string { return "198.51.100." + string(rune('0'+i)) }
	service := func(int) string { return auditattr.PrincipalService }
	for _, habit := range []bool{false, true} {
		items := grantEach(salesDay(5, 5*time.Minute, service, own))
		tel, set := testTelemetry(t)
		h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
		if habit {
			key := kindKey(auditattr.PrincipalService, items[0].tokenType)
			for d := 6; d >= 1; d-- {
				for _, hour := range []time.Duration{-20 * time.Hour, -8 * time.Hour} {
					for range 50 {
						h.model.kindRates.observe(key, items[0].at.Add(-time.Duration(d-1)*24*time.Hour+hour).UnixMilli(), 4*time.Hour, 3, func() {})
					}
				}
			}
		}
		h.sendAndRaise(items)
		if habit {
			assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), 5, "a kind whose fleets surge daily")
			continue
		}
		assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), 1, "a kind that seldom surges")
		assert.Equal(t, int64(4), sharedOf(t, tel, auditattr.FindingRateSurge))
	}
}
