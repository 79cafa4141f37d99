package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// profileOf is an hour-of-week profile with one request at each hour of the
// day in hours on each weekday (Monday to Friday).
func profileOf(hours ...int) *hourProfile {
	var h hourProfile
	var total uint16
	for d := 1; d <= 5; d++ {
		for _, hr := range hours {
			h.add(d*24+hr, &total)
		}
	}
	return &h
}

func span(from, to int) []int {
	var hs []int
	for h := from; h < to; h++ {
		hs = append(hs, h)
	}
	return hs
}

// TestHourProfileOff: the night is the part of the quiet period just before
// the day starts; an evening, however late compared to the day, is not.
func TestHourProfileOff(t *testing.T) {
	office := profileOf(span(9, 17)...)                           // 09:00-17:00
	early := profileOf(span(7, 14)...)                            // 07:00-14:00
	late := profileOf(span(10, 20)...)                            // 10:00-20:00
	evenings := profileOf(append(span(9, 17), 21)...)             // and a look at 21:00
	nightOwl := profileOf(append(span(0, 2), span(14, 23)...)...) // 14:00-02:00
	habits := profileOf(7, 8, 19, 20, 21)                         // an app at breakfast and after dinner
	eveningOnly := profileOf(19, 20, 21)
	sixHours := profileOf(span(10, 16)...)
	// A consumer's sessions at random times over two weeks: eleven hours
	// of the day used, but each on one day of the week only.
	var sparse hourProfile
	var total uint16
	for i, hr := range []int{12, 13, 15, 17, 18, 19, 20, 21, 22, 23, 14} {
		for range 5 { // a session of five calls
			sparse.add((i%7)*24+hr, &total)
		}
	}
	var mondays hourProfile // 09:00-17:00 on Mondays only
	for hr := 9; hr < 17; hr++ {
		for range 5 {
			mondays.add(1*24+hr, &total)
		}
	}
	// A charger's sessions whenever someone plugs in: fifteen in a week,
	// each at its own hour, none from 02:00 to 09:00 by chance.
	var charger hourProfile
	for i, hr := range []int{9, 12, 15, 18, 21, 0, 10, 13, 16, 19, 22, 1, 11, 14, 17} {
		for range 3 {
			charger.add((i%7)*24+hr, &total)
		}
	}
	// An on-call physician's day, 09:00-17:00, and one call-out at 03:00
	// on Thursday; and a day worker whose one late evening at 21:00 is no
	// night.
	onCall := profileOf(span(9, 17)...)
	onCall.add(4*24+3, &total)
	lateOnce := profileOf(span(9, 17)...)
	lateOnce.add(4*24+21, &total)
	builds := profileOf(span(13, 23)...) // a CI key's builds, 13:00-23:00
	var nightly hourProfile              // a job at 02:00 on three days
	for d := 1; d <= 3; d++ {
		nightly.add(d*24+2, &total)
	}
	tests := []struct {
		name    string
		profile *hourProfile
		hour    int // on a Tuesday
		want    bool
		machine bool // a service's profile, not a person's
		anyDay  bool // judged without minDayHours, as a steady token's own profile is
	}{
		{"a used hour", office, 10, false, false, false},
		{"an hour after the day: stretched", office, 18, false, false, false},
		{"an evening three hours later than any", office, 21, false, false, false},
		{"the first late evening after an early day", early, 21, false, false, false},
		{"midnight, nine hours before the day: the evening", office, 0, false, false, false},
		{"01:00, eight hours before the day", office, 1, true, false, false},
		{"22:00 before an early start: the evening", early, 22, false, false, false},
		{"23:00 before an early start", early, 23, true, false, false},
		{"the middle of the night", office, 3, true, false, false},
		{"the middle of an early starter's night", early, 2, true, false, false},
		{"the hour before an early start", early, 5, false, false, false},
		{"a late worker's 01:00, nine hours before the day: its evening", late, 1, false, false, false},
		{"a late worker's 02:00", late, 2, true, false, false},
		{"a late worker's 04:00", late, 4, true, false, false},
		{"an early start two hours before the day", office, 7, false, false, false},
		{"three hours before the earliest start: the night", office, 6, true, false, false},
		{"three hours before a machine's earliest start: its schedule moved", office, 6, false, true, false},
		{"night of someone who looks in at 21:00", evenings, 3, true, false, false},
		{"between the day and the evening look", evenings, 19, false, false, false},
		{"a night owl's morning is its night", nightOwl, 9, true, false, false},
		{"a night owl's 04:00 is its evening", nightOwl, 4, false, false, false},
		{"an empty profile", &hourProfile{}, 3, false, false, false},
		{"habits of five hours: the afternoon is no night", habits, 14, false, false, false},
		{"an evening-only user's afternoon is no night", eveningOnly, 14, false, false, false},
		{"six hours show a day, and its night", sixHours, 4, true, false, false},
		{"a sparse consumer's first morning is no night", &sparse, 8, false, false, false},
		{"nor its first small hours", &sparse, 4, false, false, false},
		{"a Monday-only worker's night", &mondays, 3, true, false, false},
		{"a random-hour device's quiet hours are chance", &charger, 6, false, false, true},
		{"a nightly job's evening", &nightly, 20, true, true, true},
		{"03:00 after builds until 23:00 is a machine's evening too", builds, 3, false, true, false},
		{"a night of someone called out on another night", onCall, 23, false, false, false},
		{"a machine's stray night is no habit", onCall, 23, true, true, false},
		{"a late evening once is no night worked", lateOnce, 3, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape := dayShape{start: personStartMargin, person: true}
			if tt.machine {
				shape = dayShape{start: offMargin}
			}
			minHours := minDayHours
			if tt.anyDay {
				minHours = 0
			}
			assert.Equal(t, tt.want, tt.profile.off(2*24+tt.hour, minHours, shape))
		})
	}
}

// TestChanceDay: how few used hours of the week, in how short a day, can
// be chance.
func TestChanceDay(t *testing.T) {
	tests := []struct {
		name   string
		n      int // hours of the week used
		span   int // hours of the day they lie within
		chance bool
	}{
		{"one request shows no day", 1, 1, true},
		{"fifteen random sessions leave seven hours empty", 15, 17, true},
		{"and often ten", 15, 14, false},
		{"a consumer's twelve sessions in fifteen hours", 12, 15, true},
		{"a Monday-only worker's eight hours", 8, 8, false},
		{"a job at one hour on three days", 3, 1, false},
		{"a job at two hours twelve apart on three days", 6, 13, true},
		{"a working week", 40, 9, false},
		{"the whole day used", 50, 24, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.chance, chanceDay(tt.n, tt.span))
		})
	}
}

func TestQuietAround(t *testing.T) {
	tests := []struct {
		name                    string
		hours                   []int
		hour                    int
		back, fwd, gap, longest int
		ok                      bool
	}{
		{"used", span(9, 17), 12, 0, 0, 0, 0, false},
		{"nothing used", nil, 12, 0, 0, 0, 0, false},
		{"across midnight", span(9, 17), 2, 10, 7, 16, 16, true},
		{"in the shorter gap", append(span(9, 17), 21), 19, 3, 2, 4, 11, true},
		{"one used hour", []int{12}, 0, 12, 12, 23, 23, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var used uint32
			for _, h := range tt.hours {
				used |= 1 << h
			}
			back, fwd, gap, longest, ok := quietAround(used, tt.hour)
			assert.Equal(t, []int{tt.back, tt.fwd, tt.gap, tt.longest}, []int{back, fwd, gap, longest})
			assert.Equal(t, tt.ok, ok)
		})
	}
}

// officeWeeks is two weeks of a token's office hours from t0's Monday:
// weekdays 09:00-17:00, every 20 minutes.
func officeWeeks(token string) []item {
	var items []item
	for d := range 14 {
		day0 := t0.Add(time.Duration(d)*day - 10*time.Hour) // midnight
		if wd := day0.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		items = append(items, steady(token, "198.51.100.1", "GET /a", day0.Add(9*time.Hour), 20*time.Minute, 24)...)
	}
	return items
}

// TestRestartKeepsOwnerHours: the owner's profile is saved with the state,
// so a new token of a known user is judged at once after a restart.
func TestRestartKeepsOwnerHours(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	h := newHarnessWithHost(t, cfg, host)
	h.send(officeWeeks("tok_a")...)
	owner := *h.model.principals.get(hashString(seedOwner, "alice"))
	h.stop()

	cfg2, host2 := storageConfig(dir)
	h2 := newHarnessWithHost(t, cfg2, host2)
	loaded := h2.model.principals.get(hashString(seedOwner, "alice"))
	require.NotNil(t, loaded, "the owner's profile was loaded")
	assert.Equal(t, owner, *loaded)
	night := t0.Add(14*day - 10*time.Hour + 3*time.Hour) // Monday 03:00
	h2.send(steady("tok_new", "198.51.100.1", "GET /a", night, 5*time.Minute, cfg2.Detectors.OffHours.MinRequests)...)
	got := h2.alertsOf(auditattr.FindingOffHours)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Body().Str(), "its owner alice does not use")
}

// TestOwnerHabitsShowNoNight: a principal judged on its owner's profile
// (every token of it lives an hour, as a consumer app's) whose 50 and more
// requests fell in fewer than minDayHours hours of the day shows habits,
// and a session at another hour is no off_hours; an employee's working
// day shows its night.
func TestOwnerHabitsShowNoNight(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // midnight
	tests := []struct {
		name  string
		hours []int // of each day, Monday to Thursday, five calls each
		at    time.Duration
		want  int
	}{
		{"an evening-only customer in the afternoon", []int{19, 20, 21}, 14 * time.Hour, 0},
		{"breakfast and after dinner, in the afternoon", []int{7, 8, 20, 21}, 14 * time.Hour, 0},
		{"an employee's working day, at night", []int{9, 10, 11, 12, 13, 14, 15, 16}, 3 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for d := range 4 {
				for _, hr := range tt.hours {
					start := monday.Add(time.Duration(d)*day + time.Duration(hr)*time.Hour)
					// A token of its own each hour, as hourly access tokens; 5 calls.
					calls := steady(fmt.Sprintf("tok_%d_%d", d, hr), "198.51.100.1", "GET /a", start, 5*time.Minute, 5)
					h.send(calls...)
				}
			}
			late := steady("tok_new", "198.51.100.1", "GET /a", monday.Add(4*day+tt.at), 3*time.Minute, 4)
			h.send(late...)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestSteadyTokenJudgedPastMinSamples: a steady low-rate token (four calls
// a working day at the same four hours, no hour ever filled up) stays
// judged on its own profile after it has passed min_samples requests: the
// six-hour rule is for profiles that show habits, not for a few calls a day.
func TestSteadyTokenJudgedPastMinSamples(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // midnight
	h := newHarness(t, testConfig())
	for week := range 4 {
		for d := range 5 {
			h.send(steady("tok_a", "198.51.100.1", "GET /a", monday.Add(time.Duration(week*7+d)*day+9*time.Hour), 2*time.Hour, 4)...)
		}
	}
	// 80 requests at four hours of the day, then Sunday 03:00 of the fourth week.
	h.send(steady("tok_a", "198.51.100.1", "GET /a", monday.Add(27*day+3*time.Hour), 3*time.Minute, 4)...)
	assert.Len(t, h.alertsOf(auditattr.FindingOffHours), 1)
}

// TestStartMargin: a person's early start stretches the day by two hours,
// a machine's schedule (or an owner of unknown type) by three.
func TestStartMargin(t *testing.T) {
	for _, tt := range []struct {
		principalType string
		want          int
	}{{auditattr.PrincipalUser, 2}, {auditattr.PrincipalService, 3}, {"", 3}} {
		assert.Equal(t, tt.want, shapeOf(&event{principalType: tt.principalType}).start, tt.principalType)
	}
}

// TestEarlyStartByPrincipalType: a token used on weekdays from 07:00 to
// 17:00 for a week, then at 04:00 on a Tuesday. Three hours before the
// earliest start is a person's night (user), a service's schedule moving
// (service, or an owner of no type).
func TestEarlyStartByPrincipalType(t *testing.T) {
	monday := t0.Add(-time.Duration(t0.Weekday()-time.Monday) * 24 * time.Hour).Truncate(24 * time.Hour)
	week := func(ptype string) []item {
		var out []item
		for d := range 5 {
			for hr := 7; hr < 17; hr++ {
				out = append(out, steady("tok_day", "198.51.100.7", "GET /orders", monday.Add(time.Duration(d*24+hr)*time.Hour+5*time.Minute), 20*time.Minute, 2)...)
			}
		}
		night := monday.Add(8*24*time.Hour + 4*time.Hour + 10*time.Minute) // the next Tuesday, 04:10
		out = append(out, steady("tok_day", "198.51.100.7", "GET /orders", night, 5*time.Minute, 5)...)
		for i := range out {
			out[i].principalType = ptype
		}
		return out
	}
	for _, tt := range []struct {
		ptype string
		want  int
	}{{auditattr.PrincipalUser, 1}, {auditattr.PrincipalService, 0}, {"", 0}} {
		t.Run("type "+tt.ptype, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(week(tt.ptype)...)
			h.settle()
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestBurstyProfileStaysJudged: a CI key whose builds fill an hour of the
// week up (its profile halves, and its total, a weight, falls back under
// min_samples) is judged all the same: a weekday key at 03:30 on a Sunday
// alerts, on its own profile and, for a new key of the same owner, on the
// owner's (blind7's L112 was never judged).
func TestBurstyProfileStaysJudged(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // midnight
	var week []item
	for d := range 5 {
		for hr := 8; hr <= 18; hr += 2 {
			n := 3
			if hr == 8+d*2 {
				n = 60 // a burst of builds: the profile halves, its total falls to about 35
			}
			for _, it := range steady("tok_ci", "20.42.85.17", "POST /deploy", monday.Add(time.Duration(d)*day+time.Duration(hr)*time.Hour), 45*time.Second, n) {
				it.principal, it.principalType = "ci-partner", auditattr.PrincipalService
				week = append(week, it)
			}
		}
	}
	sunday := monday.Add(6*day + 3*time.Hour + 30*time.Minute)
	for _, tok := range []string{"tok_ci", "tok_ci_new"} {
		t.Run(tok, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for b := range slices.Chunk(week, 100) {
				h.send(b...)
			}
			night := steady(tok, "20.42.85.17", "POST /deploy", sunday, 2*time.Minute, 8)
			for i := range night {
				night[i].principal, night[i].principalType = "ci-partner", auditattr.PrincipalService
			}
			h.send(night...)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), 1)
		})
	}
}

// earlyShift is n users (user0..) who worked weekdays 09:00-17:00 for two
// weeks from home (198.51.100.10+i), then start work at 03:00 on the
// third Monday, each apart after the one before, from night(i); user i
// holds scopes(i).
func earlyShift(n int, apart time.Duration, scopes func(i int) []string, night func(i int) string) []item {
	var out []item
	monday := t0.Add(14*day - 10*time.Hour) // the third Monday, midnight
	for i := range n {
		tok := fmt.Sprintf("tok_user%d", i)
		days := officeWeeks(tok)
		for k := range days {
			days[k].client = fmt.Sprintf("198.51.100.%d", 10+i)
		}
		days = append(days, steady(tok, night(i), "GET /a", monday.Add(3*time.Hour+time.Duration(i)*apart), 5*time.Minute, 6)...)
		for _, it := range days {
			it.principal, it.principalType, it.scopes = fmt.Sprintf("user%d", i), auditattr.PrincipalUser, scopes(i)
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
	return out
}

// TestOffHoursCohortOfPeerGroup: several people of one peer group
// (principal type and grant) starting work hours early from their usual
// networks, within the cohort's window, are the role's changed hours (a
// shift change, the Monday after a clock change): the first alerts, the
// others share. One person alone, people of different grants, sessions
// from far networks new to the tokens and a cohort turned off alert on
// every token.
func TestOffHoursCohortOfPeerGroup(t *testing.T) {
	home := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	oneGrant := func(int) []string { return []string{"tickets:read"} }
	tests := []struct {
		name      string
		items     []item
		cohortOff bool
		// off_hours alerts and findings shared
		want, shared int
	}{
		{"one person", earlyShift(1, 0, oneGrant, home), false, 1, 0},
		{"five people of one grant", earlyShift(5, 5*time.Minute, oneGrant, home), false, 1, 4},
		{"five people of five grants", earlyShift(5, 5*time.Minute, func(i int) []string { return []string{fmt.Sprintf("queue%d:read", i)} }, home), false, 5, 0},
		{"from far networks new to them", earlyShift(5, 5*time.Minute, oneGrant, func(i int) string { return fmt.Sprintf("%d.20.3.7", 45+i) }), false, 5, 0},
		{"cohort off", earlyShift(5, 5*time.Minute, oneGrant, home), true, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cohortOff {
				cfg.Detectors.OffHours.Cohort.MinPrincipals = 0
			}
			assertShares(t, cfg, tt.items, auditattr.FindingOffHours, tt.want, tt.shared)
		})
	}
}

// TestOffHoursCohortLimits: a role's shared off-hours sessions excuse
// nothing else. The same people's bulk export in the next hour still
// alerts (an off_hours cohort marks no org's event), a shared session
// still combines with the token's other weak findings (escalation), and a
// session with no client address proves no ground.
func TestOffHoursCohortLimits(t *testing.T) {
	home := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	oneGrant := func(int) []string { return []string{"tickets:read"} }
	monday := t0.Add(14*day - 10*time.Hour)
	// then adds calls of user2's token from home, from 03:25 on.
	then := func(resource string, every time.Duration, n int) []item {
		items := earlyShift(3, 5*time.Minute, oneGrant, home)
		for _, it := range steady("tok_user2", home(2), resource, monday.Add(3*time.Hour+25*time.Minute), every, n) {
			it.principal, it.principalType, it.scopes = "user2", auditattr.PrincipalUser, oneGrant(2)
			items = append(items, it)
		}
		slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
		return items
	}
	noAddress := earlyShift(3, 5*time.Minute, oneGrant, func(i int) string {
		if i == 2 {
			return ""
		}
		return home(i)
	})
	tests := []struct {
		name                 string
		items                []item
		offHours, surge, esc int
	}{
		{"an export after a shared night session", then("GET /export", 10*time.Second, 200), 1, 1, -1},
		{"a new route after a shared night session", then("GET /admin/users", 2*time.Minute, 5), 1, -1, 1},
		{"a night session without an address", noAddress, 3, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.sendAndRaise(tt.items)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.offHours, "off_hours")
			if tt.surge >= 0 {
				assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), tt.surge, "rate_surge")
			}
			if tt.esc >= 0 {
				assert.Len(t, h.alertsOf(auditattr.FindingCombined), tt.esc, "combined_findings")
			}
		})
	}
}
