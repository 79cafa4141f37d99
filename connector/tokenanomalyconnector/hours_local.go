package tokenanomalyconnector

import (
	"time"

	"github.com/tokenaudit/tokenaudit/internal/countryzone"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// A person's profile judges a night only once it shows a working day
// (minDayHours hours of the day used on two days of the week or more):
// an evening-only customer's quiet afternoon is no night, and its
// profile alone cannot tell it from a day. A developer, a teacher, a
// clinician who works a few short sessions a day shows fewer hours than
// that, so a session of theirs at 03:00 went unjudged (the tenth and
// eleventh outside evaluations' "day-only" people at 02:30-04:00 local
// time: 4 and 3 misses, off_hours recall 0.56 and 0.50). What tells the
// two apart is the clock where they live: the customer's "night" is the
// local afternoon, the developer's 03:00 is local night. So a person's
// profile that fails only minDayHours still judges an hour that is
// night in the local time of the person's home country: the country its
// calls come from (the vendored IP-to-country table), whose local time
// is the tz database's zone for it (internal/countryzone).

// localNightEnd is the hour of the local day before which it is night:
// from midnight to 05:00 nearly everyone sleeps, whatever their day.
const localNightEnd = 5

// minHomeVotes is the margin of a home country's majority before its
// clock is trusted: three hours of the person's tokens more there than
// elsewhere.
const minHomeVotes = 3

// localNight reports whether ev's hour is night in its owner's home
// country (a person with one; local_night on).
func (m *model) localNight(ev *event, owner *principalHours) bool {
	if m.homeCountries == nil || owner == nil || owner.homeVotes < minHomeVotes || !shapeOf(ev).person {
		return false
	}
	zone, ok := countryzone.Zone(ipasn.CountryCode(uint32(owner.home)))
	return ok && time.UnixMilli(ev.at).In(zone).Hour() < localNightEnd
}

// dayHoursFor is the hours of the day a profile must have used to judge
// ev's hour (see minDayHours): none when the hour is its owner's local
// night.
func (m *model) dayHoursFor(ev *event, owner *principalHours) int {
	if m.localNight(ev, owner) {
		return 0
	}
	return minDayHours
}

// voteHome counts the country of a person's trusted call in its owner's
// home vote (Boyer-Moore majority: the country with more than half of the
// votes wins, whatever their order), once per token and hour: a thief's
// session is one vote, however many calls it makes, and a person's week
// is dozens.
func (m *model) voteHome(ev *event, st *tokenState, owner *principalHours) {
	if m.homeCountries == nil || owner == nil || !shapeOf(ev).person || ev.lapsed {
		return
	}
	if !ev.newToken && ev.at/time.Hour.Milliseconds() <= int64(st.lastSeen)/3600 {
		return // the token's hour has voted
	}
	c, ok := ipasn.Country(m.homeCountries, ev.addr())
	if !ok {
		return
	}
	switch v := uint16(c); {
	case owner.homeVotes == 0:
		owner.home, owner.homeVotes = v, 1
	case owner.home == v:
		owner.homeVotes = min(owner.homeVotes, 0xfe) + 1
	default:
		owner.homeVotes--
	}
}
