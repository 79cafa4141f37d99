package tokenanomalyconnector

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestLocalNight: a person whose hourly tokens show four hours a day (no
// working day of minDayHours hours) is judged at an hour that is night
// where the person lives: a teacher in the US at 02:30 Eastern; not
// without a country, not with local_night off, not a machine. An
// evening-only customer in Germany, whose profile's "night" is the local
// afternoon, is still not judged there.
func TestLocalNight(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // Monday 2 March 2026, midnight UTC
	const us = "73.15.179.57"         // Comcast, US (Eastern Standard Time: UTC-5)
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
	}{
		{"a teacher's short day, at 02:30 local", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 1},
		{"the same at 10:30 local", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 15*time.Hour + 30*time.Minute, 0},
		{"the same on no known country", nil, []int{13, 14, 15, 16}, "198.51.100.1", auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 0},
		{"the same with local_night off", off, []int{13, 14, 15, 16}, us, auditattr.PrincipalUser, 7*time.Hour + 30*time.Minute, 0},
		{"a machine's short schedule", nil, []int{13, 14, 15, 16}, us, auditattr.PrincipalService, 7*time.Hour + 30*time.Minute, 0},
		{"an evening-only customer, in the local afternoon", nil, []int{17, 18, 19, 20}, home, auditattr.PrincipalUser, 12 * time.Hour, 0},
		{"the same customer at 03:00 local", nil, []int{17, 18, 19, 20}, home, auditattr.PrincipalUser, 2 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg == nil {
				cfg = testConfig()
			}
			h := newHarness(t, cfg)
			for d := range 4 {
				for _, hr := range tt.hours {
					start := monday.Add(time.Duration(d)*day + time.Duration(hr)*time.Hour)
					// A token of its own each hour, as hourly access tokens; 5 calls.
					h.send(asPerson(steady(fmt.Sprintf("tok_%d_%d", d, hr), tt.from, "GET /a", start, 5*time.Minute, 5), "dora", tt.principalType)...)
				}
			}
			h.send(asPerson(steady("tok_new", tt.from, "GET /a", monday.Add(4*day+tt.at), 3*time.Minute, 4), "dora", tt.principalType)...)
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
	for i := range 6 {
		h.send(hourAt(6+i, abroad)...)
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
