package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestRateSurgeBurstProfile: a pipeline whose builds are bursts of up to
// 15 calls a minute (under the floor of 20) is judged against its bursts:
// a denser build, or two builds within an hour, is its nature; activity
// sustained for 20 minutes is a surge.
func TestRateSurgeBurstProfile(t *testing.T) {
	day0 := t0.Add(-10 * time.Hour) // Monday 00:00
	var habit []item
	for d := range 3 {
		for _, hr := range []time.Duration{2, 9, 13, 17} {
			// 45 calls in 3 minutes: 15 a minute.
			habit = append(habit, every("tok_ci", "198.51.100.9", day0.Add(time.Duration(d)*24*time.Hour+hr*time.Hour), 4*time.Second, 45)...)
		}
	}
	then := day0.Add(3*24*time.Hour + 10*time.Hour)
	build := func(at time.Time, calls int, d time.Duration) []item {
		return every("tok_ci", "198.51.100.9", at, d/time.Duration(calls), calls)
	}
	tests := []rateCase{
		{"usual build", build(then, 45, 3*time.Minute), 0},
		// 2 × its busiest minute (15) alerted before: a build denser than
		// the earlier ones is still a build.
		{"denser build", build(then, 39, time.Minute), 0},
		// Ten distinct minutes and 160 calls, over 3 × its busiest hour
		// (one build of 45): two builds, each over within minutes.
		{"two builds in an hour", append(build(then, 80, 5*time.Minute), build(then.Add(30*time.Minute), 80, 5*time.Minute)...), 0},
		{"sustained for 20 minutes", build(then, 240, 20*time.Minute), 1},
	}
	runRateCases(t, habit, tests)
}

// TestRateSurgeOwnBarDuringSurge: a quiet token's 40 calls within a
// minute fall in two minute buckets (12 and 28); the first must not make the
// token bursty (its busiest minute 8 × its mean) and lift the second's bar:
// a stretch's busiest minute is learned once the stretch is over.
func TestRateSurgeOwnBarDuringSurge(t *testing.T) {
	habit := every("tok_quiet", "198.51.100.1", t0, 20*time.Minute, 2*24*3) // 3 an hour for two days
	then := t0.Add(2*24*time.Hour + 42*time.Second)
	tests := []rateCase{
		{"40 across two minutes", every("tok_quiet", "198.51.100.1", then, 1500*time.Millisecond, 40), 1},
		{"usual calls", every("tok_quiet", "198.51.100.1", then, 20*time.Minute, 3), 0},
	}
	runRateCases(t, habit, tests)
}

// rateCase is a token's habit followed by extra items, and how many
// rate_surge alerts they raise.
type rateCase struct {
	name  string
	extra []item
	want  int
}

// runRateCases sends each case's habit and extra items to a new harness
// at the default configuration.
func runRateCases(t *testing.T, habit []item, tests []rateCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(habit...)
			h.send(tt.extra...)
			assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), tt.want)
		})
	}
}

// surgeAfterBaseline sends tok_a's two steady hours (5 calls a minute),
// then 100 calls within a minute from client on resource, each changed by
// edit, and returns the harness.
func surgeAfterBaseline(t *testing.T, cfg *Config, client, resource string, edit func(*item)) *harness {
	h := newHarness(t, cfg)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 12*time.Second, 600)...)
	burst := steady("tok_a", client, resource, t0.Add(2*time.Hour+time.Minute), 500*time.Millisecond, 100)
	for i := range burst {
		edit(&burst[i])
	}
	h.send(burst...)
	return h
}

// TestRateSurgeCountsNoRefusedCalls: a burst of calls the service refused
// (401 failure, 403 denied: an enumeration) is no rate_surge, as the
// README says; a burst it served or failed on (5xx) is.
func TestRateSurgeCountsNoRefusedCalls(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.RateSurge.MinActiveHours = 0
	for _, tt := range []struct {
		outcome string
		want    int
	}{
		{auditattr.OutcomeSuccess, 1},
		{auditattr.OutcomeError, 1},
		{auditattr.OutcomeFailure, 0},
		{auditattr.OutcomeDenied, 0},
	} {
		t.Run(tt.outcome, func(t *testing.T) {
			h := surgeAfterBaseline(t, cfg, "198.51.100.1", "GET /a", func(it *item) { it.outcome = tt.outcome })
			assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), tt.want)
		})
	}
}

// TestRateSurgeSparseToken: a token watched for days but active in fewer
// than min_active_hours hours (a dashboard session used for an hour on
// three days) is judged on the hour scale against sparseRatio × its busiest
// hour: a scrape of hundreds of calls alerts, a busier session or a weekly
// job's larger run does not.
func TestRateSurgeSparseToken(t *testing.T) {
	day0 := t0.Add(-10 * time.Hour) // Monday 00:00
	session := func(day int, calls int, d time.Duration) []item {
		return every("tok_dash", "198.51.100.20", day0.Add(time.Duration(day)*24*time.Hour+14*time.Hour), d/time.Duration(calls), calls)
	}
	var habit []item
	for _, d := range []int{0, 1, 2} {
		habit = append(habit, session(d, 25, 30*time.Minute)...)
	}
	tests := []rateCase{
		{"its usual session", session(6, 25, 30*time.Minute), 0},
		{"a session twice as busy", session(6, 60, 40*time.Minute), 0},
		{"a scrape of 900 calls in 45 minutes", session(6, 900, 45*time.Minute), 1},
	}
	runRateCases(t, habit, tests)
	// Three hours after its first session the token has shown no habit yet.
	scrape := every("tok_dash", "198.51.100.20", day0.Add(17*time.Hour), 3*time.Second, 900)
	runRateCases(t, session(0, 25, 30*time.Minute), []rateCase{{"a scrape on its first day: too young", scrape, 0}})

	// A weekly job: one run of 100 calls in 20 minutes, a week later one of
	// 300: three times its busiest hour, under sparseRatio.
	job := func(day, calls int) []item {
		return every("tok_weekly", "198.51.100.30", day0.Add(time.Duration(day)*24*time.Hour+3*time.Hour), 20*time.Minute/time.Duration(calls), calls)
	}
	runRateCases(t, job(0, 100), []rateCase{
		{"a weekly job's larger run", job(7, 300), 0},
		{"a weekly job's key scraped", job(7, 2000), 1},
	})
}
