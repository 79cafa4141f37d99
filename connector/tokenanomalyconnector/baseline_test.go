package tokenanomalyconnector

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// every returns n successful calls of token from client, step apart.
func every(token, client string, start time.Time, step time.Duration, n int) []item {
	return steady(token, client, "GET /orders/r0", start, step, n)
}

// TestRateSurgeAgainstOwnRate: a token making a few calls an hour that
// suddenly makes 10–40× as many alerts with the default configuration;
// its usual hours, and a daily job's usual run, do not.
func TestRateSurgeAgainstOwnRate(t *testing.T) {
	habit := every("tok_slow", "198.51.100.1", t0, 15*time.Minute, 2*24*4) // 4 an hour for two days
	then := t0.Add(2 * 24 * time.Hour)
	tests := []rateCase{
		{"usual rate", every("tok_slow", "198.51.100.1", then, 15*time.Minute, 4), 0},
		{"10x for an hour", every("tok_slow", "198.51.100.1", then, 90*time.Second, 40), 1},
		{"40x for an hour", every("tok_slow", "198.51.100.1", then, 22*time.Second, 160), 1},
		{"40x for ten minutes", every("tok_slow", "198.51.100.1", then, 22*time.Second, 27), 1},
		// Hour buckets counted 8 and 18 of these, each under the floor.
		{"26 in 39 minutes across the hour", every("tok_slow", "198.51.100.1", then.Add(49*time.Minute), 90*time.Second, 26), 1},
	}
	runRateCases(t, habit, tests)
	t.Run("build", func(t *testing.T) {
		// A pipeline's builds: 15 calls within a minute twice a day, then a
		// bigger build of 40 calls in 4 minutes, under the minute scale's
		// bar: a burst, not a sustained surge, whatever its hourly count.
		h := newHarness(t, testConfig())
		for d := range 3 {
			for _, hr := range []time.Duration{9, 15} {
				h.send(every("tok_ci", "198.51.100.9", t0.Add(time.Duration(d)*24*time.Hour+hr*time.Hour), 4*time.Second, 15)...)
			}
		}
		h.send(every("tok_ci", "198.51.100.9", t0.Add(3*24*time.Hour+11*time.Hour), 6*time.Second, 40)...)
		assert.Empty(t, h.alertsOf(auditattr.FindingRateSurge), "a build is a burst")
	})
	t.Run("bursty pipeline", func(t *testing.T) {
		// Builds of 25 calls within a minute are the token's habit: 150 in
		// a minute is a bigger build (under 8 × 25), 250 is not.
		cfg := testConfig()
		cfg.Detectors.RateSurge.MinActiveHours = 0
		for _, tc := range []struct {
			burst int
			want  int
		}{{150, 0}, {250, 1}} {
			h := newHarness(t, cfg)
			for b := range 6 {
				h.send(every("tok_ci", "198.51.100.9", t0.Add(time.Duration(b)*3*time.Hour), 2*time.Second, 25)...)
			}
			h.send(every("tok_ci", "198.51.100.9", t0.Add(20*time.Hour), 59*time.Second/time.Duration(tc.burst), tc.burst)...)
			assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), tc.want, "a burst of %d", tc.burst)
		}
	})
	t.Run("minute against its busiest minute", func(t *testing.T) {
		// peak_ratio (2), not long_peak_ratio (3), judges the minute scale:
		// 35 in a minute is over twice the token's busiest minute (15).
		cfg := testConfig()
		cfg.Detectors.RateSurge.MinActiveHours = 0
		h := newHarness(t, cfg)
		h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 12*time.Second, 600)...)
		h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(2*time.Hour), 3*time.Second, 15)...)
		h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(2*time.Hour+time.Minute), 12*time.Second, 100)...)
		require.Empty(t, h.alertsOf(auditattr.FindingRateSurge))
		h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(3*time.Hour), 1500*time.Millisecond, 35)...)
		assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), 1, "35 in a minute is over 2 × 15")
	})
	t.Run("daily job", func(t *testing.T) {
		h := newHarness(t, testConfig())
		for d := range 7 {
			h.send(every("tok_job", "198.51.100.9", t0.Add(time.Duration(d)*24*time.Hour), 2*time.Second, 150)...)
		}
		assert.Empty(t, h.alertsOf(auditattr.FindingRateSurge), "the job's run is its habit")
	})
}

// TestMultiAddressAgainstUsualSpread: a service spread over three zones'
// networks all day does not alert; a token that uses one network and
// suddenly three within the window does.
func TestMultiAddressAgainstUsualSpread(t *testing.T) {
	h := newHarness(t, testConfig())
	zones := []string{"10.1.0.5", "10.2.0.5", "10.3.0.5"}
	var items []item
	for i := range 3 * 24 * 12 { // every 5 minutes for three days
		items = append(items, every("tok_svc", zones[i%3], t0.Add(time.Duration(i)*5*time.Minute), time.Minute, 1)...)
		items = append(items, every("tok_user", "198.51.100.1", t0.Add(time.Duration(i)*5*time.Minute), time.Minute, 1)...)
	}
	h.send(items...)
	assert.Empty(t, h.alertsOf(auditattr.FindingMultiAddress))
	later := t0.Add(3 * 24 * time.Hour)
	var burst []item
	for i, c := range []string{"203.0.113.1", "192.0.2.1", "100.64.0.1"} {
		burst = append(burst, every("tok_user", c, later.Add(time.Duration(i)*time.Minute), time.Minute, 1)...)
		burst = append(burst, every("tok_svc", zones[i], later.Add(time.Duration(i)*time.Minute), time.Minute, 1)...)
	}
	h.send(burst...)
	got := h.alertsOf(auditattr.FindingMultiAddress)
	if assert.Len(t, got, 1) {
		assert.Equal(t, "tok_user", str(got[0], auditattr.TokenID))
		assert.Equal(t, 1.0, num(got[0], auditattr.EvidenceBaseline))
	}
}

// TestNewClientAddressWaitsForSettledValues: a daily job that runs on one
// of three runners' networks is still discovering them in its first days
// and does not alert; a token settled on one network alerts on a new one.
func TestNewClientAddressWaitsForSettledValues(t *testing.T) {
	h := newHarness(t, testConfig())
	runners := []string{"10.1.0.5", "10.2.0.5", "10.3.0.5"}
	var items []item
	for d := range 7 {
		items = append(items, every("tok_job", runners[(d*d+d/2)%3], t0.Add(time.Duration(d)*24*time.Hour), time.Second, 50)...)
	}
	items = append(items, every("tok_user", "198.51.100.1", t0, 30*time.Minute, 7*24*2)...)
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	items = append(items, every("tok_user", "203.0.113.50", t0.Add(7*24*time.Hour), time.Minute, 1)...)
	h.sendBatch(spans(items[:len(items)-1]...))
	assert.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress))
	h.send(items[len(items)-1])
	got := h.alertsOf(auditattr.FindingNewClientAddress)
	if assert.Len(t, got, 1) {
		assert.Equal(t, "tok_user", str(got[0], auditattr.TokenID))
	}
}

// TestDeniedAccessAgainstOwnBaseline: a busy service refused now and then
// at a steady rate does not alert on a chance cluster; a sudden run of
// refusals far above its rate does.
func TestDeniedAccessAgainstOwnBaseline(t *testing.T) {
	h := newHarness(t, testConfig())
	denied := func(at time.Time) item {
		return item{at: at, token: "tok_busy", principal: "svc", resource: "GET /orders/r1", outcome: auditattr.OutcomeDenied,
			client: "10.1.0.5"}
	}
	var items []item
	for i := range 3 * 24 {
		at := t0.Add(time.Duration(i) * time.Hour)
		for j := range 2 + i%3 { // 2-4 refusals every hour
			items = append(items, denied(at.Add(time.Duration(j)*7*time.Minute)))
		}
	}
	// A chance cluster: 6 in one hour, above the absolute threshold of 5.
	for j := range 6 {
		items = append(items, denied(t0.Add(3*24*time.Hour+time.Duration(j)*time.Minute)))
	}
	h.send(items...)
	before := len(h.alertsOf(auditattr.FindingDeniedAccess))
	var run []item
	for j := range 40 {
		run = append(run, denied(t0.Add(3*24*time.Hour+2*time.Hour+time.Duration(j)*30*time.Second)))
	}
	h.send(run...)
	assert.Equal(t, 0, before-countBefore(h, t0.Add(24*time.Hour)), "no alert on the steady refusals once learned")
	assert.Equal(t, before+1, len(h.alertsOf(auditattr.FindingDeniedAccess)), "the run alerts")
}

// countBefore counts denied_access alerts raised before at (the first
// day's, while the baseline is learned).
func countBefore(h *harness, at time.Time) int {
	n := 0
	for _, lr := range h.alertsOf(auditattr.FindingDeniedAccess) {
		if lr.Timestamp().AsTime().Before(at) {
			n++
		}
	}
	return n
}
