package tokenanomalyconnector

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/countryzone"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// TestLocalNight: a person whose hourly tokens show four hours a day (no
// working day of minDayHours hours) is judged at an hour that is night
// where the person lives: a teacher in the US at 02:30 Eastern; not
// without a country, not with local_night off, not a machine. An
// evening-only customer in Germany, whose profile's "night" is the local
// afternoon, is still not judged there.
func TestLocalNight(t *testing.T) {
	const us = "73.15.179.57" // Comcast, US (Eastern Standard Time: UTC-5)
	off := testConfig()
	off.Detectors.OffHours.LocalNight = false
	tests := []struct {
		name          string
		cfg           *Config
		hours         []int // UTC, of each day, Monday to Thursday
		from          string
		principalType string
		at            time.Duration // on Friday
		want          int
		once          int // an hour of hours used on Monday only; -1 for none
	}{
		{"a teacher's short day, at 02:30 local", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 1, -1},
		// A short day is judged on all the country's clocks within
		// homeSpread: a Californian's night, and the price, a New Yorker's
		// morning (20:00-22:00 New York time, and 10:00 on a Monday).
		{"a short day in California, at 02:55 local (05:55 in New York)", nil, []int{16, 17, 18, 19}, us, auditattr.PrincipalUser, 10*time.Hour + 55*time.Minute, 1, -1},
		{"an evening user in New York at 07:00 (04:00 in California)", nil, []int{1, 2, 3, 15}, us, auditattr.PrincipalUser, 12 * time.Hour, 1, 15},
		{"the same at 10:30 local", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 15*time.Hour + 30*time.Minute, 0, -1},
		{"the same on no known country", nil, []int{13, 14, 15, 16}, "198.51.100.1", auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 0, -1},
		{"the same with local_night off", off, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 0, -1},
		{"a machine's short schedule", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalService, 7*time.Hour + 30*time.Minute, 0, -1},
		{"an evening-only customer, in the local afternoon", nil, []int{17, 18, 19, 20}, home, auditattr.PrincipalUser, 12 * time.Hour, 0, -1},
		{"the same customer at 03:00 local", nil, []int{17, 18, 19, 20}, home, auditattr.PrincipalUser, 2 * time.Hour, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, orTestConfig(tt.cfg))
			sendPersonWeek(h, tt.from, tt.from, tt.principalType, tt.hours, tt.once, tt.at)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestNightAtHome: where a person's home is known, a session off its
// profile alerts only at an hour that is night there: a night worker's
// afternoon and a day worker's 06:00 are not, a Californian's 03:00 is
// (06:00 in New York, the first US zone); without a known home the
// profile alone decides.
func TestNightAtHome(t *testing.T) {
	const us = "73.15.179.57" // CET is UTC+1, EST UTC-5, PST UTC-8 on sendPersonWeek's days
	tests := []struct {
		name  string
		from  string
		hours []int         // UTC, each of four days
		at    time.Duration // on Friday, UTC
		want  int
		// session is where Friday's session comes from; "" for from.
		session string
	}{
		{"a night worker in Germany at 13:00 local", home, []int{20, 21, 22, 23, 24, 25, 26, 27}, 12 * time.Hour, 0, ""},
		{"the same worker of no known home", "198.51.100.1", []int{20, 21, 22, 23, 24, 25, 26, 27}, 12 * time.Hour, 1, ""},
		{"a day worker in Germany at 06:10 local", home, []int{8, 9, 10, 11, 12, 13, 14, 15, 16}, 5*time.Hour + 10*time.Minute, 0, ""},
		{"the same worker at 03:10 local", home, []int{8, 9, 10, 11, 12, 13, 14, 15, 16}, 2*time.Hour + 10*time.Minute, 1, ""},
		// Most of its hours from an office block registered in China:
		// a session from home in Germany at 03:10 is night there.
		{"a day worker voted home abroad, from home at 03:10 local", "203.33.250.10", []int{8, 9, 10, 11, 12, 13, 14, 15, 16}, 2*time.Hour + 10*time.Minute, 1, home},
		// The org's people in 11.0.0.0/8 work 03:00-13:00 New York time:
		// the US clock is not theirs, and the profile alone judges.
		{"a day worker on a clock the org does not sleep by", "11.1.2.3", []int{8, 9, 10, 11, 12, 13, 14, 15, 16}, 2*time.Hour + 10*time.Minute, 1, ""},
		// The integration scenario's org after the clock change, 05:00-13:00
		// New York time (10:00-18:00 UTC on these days of Eastern Standard
		// Time): its people sleep to 05:00 by the US clock, not to 06:00
		// (sleepTo), and a session at 22:10 there is judged.
		{"a day worker of an org starting at 05:00 on the clock", "11.2.3.4", []int{10, 11, 12, 13, 14, 15, 16, 17}, 3*time.Hour + 10*time.Minute, 1, ""},
		// A UTC office (09:00-17:00 UTC) on Japanese addresses: 18:00-02:00
		// in Tokyo, asleep through its deep night but never up at its
		// midday; a session at 11:10 there is judged.
		{"a day worker of an org never up at the clock's midday", "126.1.2.3", span(9, 17), 2*time.Hour + 10*time.Minute, 1, ""},
		{"a day worker in California at 03:00 local", us, []int{16, 17, 18, 19, 20, 21, 22, 23, 24}, 11 * time.Hour, 1, ""},
		// Four hours a day from 09:00 local, and 06:00 on the first: an
		// early start at home, no night worked.
		{"a short day with an early start, at 03:00 local", home, []int{5, 8, 9, 10, 11}, 2 * time.Hour, 1, ""},
		{"the same of no known home", "198.51.100.1", []int{5, 8, 9, 10, 11}, 2 * time.Hour, 0, ""},
		// Brazil's night (03:00-08:00 UTC) holds the early start: still no
		// night worked, and the session from there is judged.
		{"the same from Brazil at 03:00 home time", home, []int{5, 8, 9, 10, 11}, 2 * time.Hour, 1, abroad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			sendPersonWeek(h, tt.from, cmp.Or(tt.session, tt.from), auditattr.PrincipalUser, tt.hours, 5, tt.at)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestHomeVote: the home country is the majority of the person's token
// hours; a thief's session abroad, one token's hour, moves no home, and a
// move abroad for good does, once its hours outnumber home's.
func TestHomeVote(t *testing.T) {
	h := newHarness(t, testConfig())
	hourAt := func(i int, from string) []item {
		return asPerson(steady(fmt.Sprintf("tok_%s_%d", from, i), from, "GET /a", t0.Add(time.Duration(i)*time.Hour), time.Minute, 3), "dora", auditattr.PrincipalUser)
	}
	for i := range 5 {
		h.send(hourAt(i, home)...)
	}
	owner := h.model.principals.get(ownerKey("dora"))
	de := owner.home
	assert.Equal(t, uint8(5), owner.homeVotes, "one vote per token and hour, not per call")
	h.send(hourAt(5, abroad)...)
	assert.Equal(t, de, owner.home)
	assert.Equal(t, uint8(4), owner.homeVotes)
	h.send(hourAt(5, "139.59.10.7")...) // DigitalOcean: a hosting provider's network
	assert.Equal(t, uint8(4), owner.homeVotes, "no vote from a data centre")
	lapsed := hourAt(6, abroad)
	for i := range lapsed {
		lapsed[i].violations = []string{auditattr.ViolationExpired}
	}
	h.send(lapsed...)
	assert.Equal(t, uint8(4), owner.homeVotes, "no vote from an expired token's call")
	for i := range 6 {
		h.send(hourAt(7+i, abroad)...)
	}
	assert.NotEqual(t, de, owner.home, "a move for good")
}

// asPerson gives items an owner and its principal type.
func asPerson(items []item, owner, principalType string) []item {
	for i := range items {
		items[i].principal, items[i].principalType = owner, principalType
	}
	return items
}

// TestHomeNight: the hours of the day (UTC) that are night at home, in
// the country's zones within homeSpread of its principal one.
func TestHomeNight(t *testing.T) {
	h := newHarness(t, testConfig())
	winter := time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)
	hours := func(hs ...int) uint32 {
		var m uint32
		for _, x := range hs {
			m |= 1 << x
		}
		return m
	}
	tests := []struct {
		code string
		want uint32
	}{
		{"DE", hours(23, 0, 1, 2, 3)},
		{"IN", hours(18, 19, 20, 21, 22)},              // UTC+5:30
		{"US", hours(5, 6, 7, 8, 9, 10, 11, 12)},       // New York to Los Angeles; not Hawaii or Alaska
		{"RU", hours(18, 19, 20, 21, 22, 23, 0, 1, 2)}, // Kaliningrad to Omsk, around Moscow; not the Far East
		{"CA", hours(3, 4, 5, 6, 7, 8, 9, 10, 11, 12)}, // St John's to Vancouver, around Toronto
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			assert.Equal(t, fmt.Sprintf("%024b", tt.want), fmt.Sprintf("%024b", h.model.homeNight(winter, countryzone.Zones(tt.code))))
		})
	}
}

// sendPersonWeek sends a person's (dora's) four days from from, Monday 2
// March 2026 to Thursday, each hour of hours (UTC; past 23 is the next
// day's) on a token of its own with five calls, as hourly access tokens
// are, except firstDayOnly, sent on Monday only; then its session on
// Friday at at from session: four calls.
func sendPersonWeek(h *harness, from, session, principalType string, hours []int, firstDayOnly int, at time.Duration) {
	monday := t0.Add(-10 * time.Hour) // midnight
	var items []item
	// Three colleagues on the same network's country, with its working
	// day (colleagueDays), so that the org trusts its clock (countClock).
	for c, hr := range colleagueDays[from] {
		for d := range 4 {
			for i := range 3 {
				start := monday.Add(time.Duration(d)*day + time.Duration(hr)*time.Hour)
				items = append(items, asPerson(steady(fmt.Sprintf("tok_col%d_%d_%d", i, d, c), from, "GET /a", start, 5*time.Minute, 5), fmt.Sprintf("colleague%d", i), principalType)...)
			}
		}
	}
	for d := range 4 {
		for _, hr := range hours {
			if hr == firstDayOnly && d > 0 {
				continue
			}
			start := monday.Add(time.Duration(d)*day + time.Duration(hr)*time.Hour)
			items = append(items, asPerson(steady(fmt.Sprintf("tok_%d_%d", d, hr), from, "GET /a", start, 5*time.Minute, 5), "dora", principalType)...)
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	h.send(items...)
	h.send(asPerson(steady("tok_new", session, "GET /a", monday.Add(4*day+at), 3*time.Minute, 4), "dora", principalType)...)
}

// colleagueDays are the working days (UTC hours, 09:00-17:00 local on
// sendPersonWeek's days) of the colleagues on a test address's country;
// 11.0.0.0/8, registered in the US, works 08:00-18:00 UTC, as the
// project's quality scenario does, or 10:00-18:00 (05:00-13:00 New York
// time, the integration scenario's hours after the clock change): a clock
// the org's people do not sleep by.
var colleagueDays = map[string][]int{
	home:            span(8, 16),  // DE, CET
	"73.15.179.57":  span(14, 22), // US, EST
	"203.33.250.10": span(1, 9),   // CN
	"11.1.2.3":      span(8, 18),  // US, by its registration
	"11.2.3.4":      span(10, 18), // the same, 05:00-13:00 New York time
	"126.1.2.3":     span(9, 17),  // JP (SoftBank), 18:00-02:00 Tokyo time
}

// orTestConfig is cfg, or testConfig when nil.
func orTestConfig(cfg *Config) *Config {
	if cfg == nil {
		return testConfig()
	}
	return cfg
}

// TestClockCountsHabitsOfTheMoment: a person counts in its home's clock
// with its habitual hours as they grow: a night worker whose first
// habitual hours are its evenings (21:00-23:00 local) works the deep night
// by the clock once its nights are habitual too.
func TestClockCountsHabitsOfTheMoment(t *testing.T) {
	h := newHarness(t, testConfig())
	sendPersonWeek(h, home, home, auditattr.PrincipalUser, span(20, 28), -1, 12*time.Hour)
	dora := h.model.principals.get(ownerKey("dora"))
	if c := h.model.clocks[dora.clockHome]; assert.NotNil(t, c) {
		assert.Equal(t, [2]int32{3, 1}, [2]int32{c.sleep, c.work}, "three colleagues sleep by it, dora works its nights")
		assert.True(t, c.trusted())
	}
}

// TestClockFollowsHome: a person whose home moves counts in its new
// home's clock, and no longer in the old one's.
func TestClockFollowsHome(t *testing.T) {
	h := newHarness(t, testConfig())
	sendPersonWeek(h, home, home, auditattr.PrincipalUser, span(8, 16), -1, 12*time.Hour)
	dora := h.model.principals.get(ownerKey("dora"))
	de := h.model.clocks[dora.clockHome]
	if !assert.NotNil(t, de) {
		return
	}
	assert.Equal(t, int32(4), de.sleep)
	br, ok := ipasn.Country(h.model.homeCountries, netip.MustParseAddr(abroad))
	assert.True(t, ok)
	dora.home = uint16(br) // a move for good (TestHomeVote)
	h.model.countClock(t0.Add(5*day).UnixMilli(), dora)
	assert.Equal(t, int32(3), de.sleep, "counted out of the old home's clock")
	if c := h.model.clocks[uint16(br)]; assert.NotNil(t, c) {
		// 08:00-16:00 UTC is 05:00-13:00 in Sao Paulo: the deep night.
		assert.Equal(t, [2]int32{0, 1}, [2]int32{c.sleep, c.work}, "and into the new one's, on its clock")
	}
}
