package tokenanomalyconnector

import (
	"math"
	"math/bits"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// hourProfile is an hour-of-week profile: 168 counters of 4 bits, halved
// together (rounding up) when one saturates: weights fade, but an hour
// once used stays used.
type hourProfile [hourSlots / 2]uint8

func (h *hourProfile) count(slot int) uint8 {
	b := h[slot/2]
	if slot%2 == 0 {
		return b & 0x0f
	}
	return b >> 4
}

// add counts one request in slot and in total; when the slot is full every
// slot is halved, rounding up so that no used slot becomes unused (a burst
// in one hour must not erase the rest of the profile). It reports whether
// it halved.
func (h *hourProfile) add(slot int, total *uint16) (halved bool) {
	if halved = h.count(slot) == 15; halved {
		var sum uint16
		for i := range h {
			lo, hi := (h[i]&0x0f+1)/2, (h[i]>>4+1)/2
			h[i] = lo | hi<<4
			sum += uint16(lo + hi)
		}
		*total = sum
	}
	if slot%2 == 0 {
		h[slot/2]++
	} else {
		h[slot/2] += 0x10
	}
	if *total < 0xffff {
		*total++
	}
	return halved
}

// offMargin is how many hours around a used hour of the day count as
// usual: people stretch their day by an evening check, and a schedule's
// quiet hours shift by as much.
const offMargin = 3

// personStartMargin is how many hours before a person's first used hour
// count as an early start. A person's quiet period is sleep: three hours
// before the earliest start of a learned week is the night's end, when
// nobody starts work. A machine's (a device, a job, a service: principal
// type service) is a schedule, whose start moves as much as its end:
// offMargin either side.
const personStartMargin = 2

// dayShape is how a principal's day ends in its quiet hours: start is
// how many hours before the day's first used hour count as an early
// start; person tells a user's day (hourProfile.workedNights) from a
// machine's. The night reaches nightSpan hours back for both: taking a
// service's whole quiet period for its night (a schedule has no evening)
// found nothing more in the eighth outside evaluation (its CI key's night
// use had too few builds behind it to show a day) and raised 2 false
// alerts more on the sixth's chargers, which are used at irregular hours.
type dayShape struct {
	start  int
	person bool
	// homeNight: the hours of the day (of time_zone) that are night in
	// the person's home country (hours_local.go); 0 when its home is
	// unknown, and the profile alone decides. nightNow adds the night of
	// the country the call comes from: only an hour in it is off.
	homeNight, nightNow uint32
}

// shapeOf is the day of the item's principal: a person's early start is
// personStartMargin, a machine's (or an owner of unknown type) offMargin.
func shapeOf(ev *event) dayShape {
	if ev.principalType == auditattr.PrincipalUser {
		return dayShape{start: personStartMargin, person: true}
	}
	return dayShape{start: offMargin}
}

// minDayHours is how many hours of the day a profile of min_samples
// requests must have used to show a day, and so a night: a customer of a
// consumer app who opens it at breakfast and after dinner, or only in the
// evening, shows habits, not a working day, and where such a "day" starts
// is no guide to when its owner sleeps (an evening-only user's "night"
// would be the afternoon). Fifty requests of a working day spread over
// more hours. A steady token's own profile (steadyProfile: no hour ever
// filled up) is exempt, however many requests it holds: four calls a day
// show four hours of a day.
const minDayHours = 6

// nightSpan is how many hours before the first used hour of a principal's
// day its night reaches back: a night's sleep (seven hours) and the hour
// before work; 22:00 before a 07:00 start is still the evening.
// The earlier hours of the quiet period are its evening, when people look
// in now and then; a few calls there are not news, a session in the night is.
const nightSpan = 8

// off reports whether slot is in the night of the profile. The hours of
// the day used on any day of the week form the day; the longest run of
// unused hours is the profile's quiet period (an evening and a night).
// slot is off when the profile used at least minHours hours of the day on
// two days of the week or more (see minDayHours, habitualHours) and its
// hour lies in the quiet period, more than offMargin hours after a used
// hour and more than shape.start before one, and at most nightSpan hours
// before the day starts again (the night). Use on a weekend at usual
// weekday hours is therefore not off — a policy schedule flags that; a day
// that a quiet week happened to miss is not either; nor is an evening
// later than any seen so far.
func (h *hourProfile) off(slot, minHours int, shape dayShape) bool {
	if h.usesHour(slot) { // the common case first
		return false
	}
	hour := slot % 24
	if shape.homeNight != 0 && shape.nightNow&(1<<hour) == 0 {
		return false // not night where the person lives, nor where the call comes from
	}
	used := h.usedHours()
	if minHours > 0 && bits.OnesCount32(h.dayHours(used)) < minHours {
		return false
	}
	night, longest := inNight(used, hour, shape)
	return night && !chanceDay(h.slotsUsed(), 24-longest) && !h.workedNights(shape)
}

// inNight reports whether hour lies in the night of a day made of the used
// hours (see off), and how long the day's longest quiet run is.
func inNight(used uint32, hour int, shape dayShape) (night bool, longest int) {
	back, fwd, gap, longest, ok := quietAround(used, hour)
	return ok && gap == longest && back > offMargin && fwd > shape.start && fwd <= nightSpan, longest
}

// workedNights reports whether a person's profile already holds a
// session in the night of its habitual day (hours used on two days of the
// week or more): an hour used on one day only that lies where off would
// call it night. Its owner works nights now and then (on call, a night
// shift after day shifts, a look-in between night shifts), so its next
// night is no news: a hospital's on-call physicians each raised off_hours
// at every call-out, at a different hour each night. A person who never
// worked its night still alerts at the first session there, and that
// session, once learned, stands the detector down for its next ones. A
// machine's or a site's stray night use is no such habit: the fourth
// outside evaluation's scanners, taken over night after night, each
// alerted on their site's night although the first had joined it.
func (h *hourProfile) workedNights(shape dayShape) bool {
	if !shape.person || h.daysUsed() < 2 {
		return false
	}
	habitual := h.habitualHours()
	if habitual == 0 {
		return false
	}
	stray := h.usedHours() &^ habitual
	if shape.homeNight != 0 {
		stray &= shape.homeNight // an early start at home is no night's work
	}
	for ; stray != 0; stray &= stray - 1 {
		if night, _ := inNight(habitual, bits.TrailingZeros32(stray), shape); night {
			return true
		}
	}
	return false
}

// maxDayChance is the largest probability with which requests at random
// hours could have left the profile's quiet period empty for its day to
// count: below it the day is a habit or a schedule, above it perhaps
// chance. A device used whenever someone happens to plug it in (a
// charger, a kiosk) leaves gaps of seven or eight hours somewhere in a
// week's fifteen sessions, and its next session in such a gap is no
// night's work; a working day's or a nightly job's quiet period is
// millions of times less likely by chance. One in a hundred keeps
// clean random-hour tokens from alerting while any of dozens of fixed
// hours, or a Monday-only worker's eight, still shows a day.
const maxDayChance = 0.01

// chanceDay reports whether n used hours of the week could all have
// fallen within a span of hours of the day by chance with probability
// above maxDayChance, were each at a random hour of the day: n
// independent points on a circle of 24 lie within an arc of span with
// probability n·(span/24)^(n-1) for span up to half the circle (the scan
// statistic; above it the bound only grows, so judged the same).
func chanceDay(n, span int) bool {
	if n < 2 || span >= 24 {
		return true
	}
	return math.Log(float64(n))+float64(n-1)*math.Log(float64(span)/24) > math.Log(maxDayChance)
}

// slotsUsed is how many hours of the week the profile has a request in:
// the sessions a week of its use shows, however many requests each made.
func (h *hourProfile) slotsUsed() int {
	n := 0
	for _, b := range h {
		if b&0x0f != 0 {
			n++
		}
		if b>>4 != 0 {
			n++
		}
	}
	return n
}

// usesHour reports whether the hour of slot was used on any day of the
// week.
func (h *hourProfile) usesHour(slot int) bool {
	hour := slot % 24
	for d := range 7 {
		if h.count(d*24+hour) != 0 {
			return true
		}
	}
	return false
}

// daysUsed is how many days of the week the profile has a request on (a
// day's 24 slots are 12 whole bytes).
func (h *hourProfile) daysUsed() int {
	n := 0
	for d := range 7 {
		for _, b := range h[d*12 : d*12+12] {
			if b != 0 {
				n++
				break
			}
		}
	}
	return n
}

// dayHours is the hours of the day used on at least two days of the
// week: what shows a day. A consumer who opens an app once or twice a
// day at random times covers a dozen hours in two weeks, most of them
// once; where such a "day" starts is chance, and its first use at a
// morning hour is no night (blind5: 16 false alerts on sparse customer
// profiles). A working day's hours recur on every working day.
//
// A profile used on one day of the week only (a weekly job, a once-a-week
// user) shows its day by that day's hours (used: usedHours).
func (h *hourProfile) dayHours(used uint32) uint32 {
	if h.daysUsed() < 2 {
		return used
	}
	return h.habitualHours()
}

// habitualHours is the hours of the day used on at least two days of the
// week.
func (h *hourProfile) habitualHours() uint32 {
	var m uint32
	for hour := range 24 {
		days := 0
		for d := range 7 {
			if h.count(d*24+hour) != 0 {
				days++
			}
		}
		if days >= 2 {
			m |= 1 << hour
		}
	}
	return m
}

// usedHours is the hours of the day (bit i: i:00-i+1:00) used on any day
// of the week.
func (h *hourProfile) usedHours() uint32 {
	var m uint32
	for slot := range hourSlots {
		if h.count(slot) != 0 {
			m |= 1 << (slot % 24)
		}
	}
	return m
}

// quietAround measures the unused hours of the day around hour, over all
// days of the week: back is how many hours the last used hour before it lies
// behind, fwd how many hours ahead the next used hour lies, gap the length
// of the quiet run hour is in, longest the longest quiet run of the day.
// ok is false when hour itself was used, or no hour was.
func quietAround(used uint32, hour int) (back, fwd, gap, longest int, ok bool) {
	if used == 0 || used&(1<<hour) != 0 {
		return 0, 0, 0, 0, false
	}
	isUsed := func(h int) bool { return used&(1<<((h%24+24)%24)) != 0 }
	for back = 1; !isUsed(hour - back); back++ {
	}
	for fwd = 1; !isUsed(hour + fwd); fwd++ {
	}
	run := 0
	for i := range 48 { // twice round: a run may wrap past midnight
		if isUsed(i) {
			run = 0
			continue
		}
		run++
		longest = max(longest, min(run, 23))
	}
	return back, fwd, back + fwd - 1, longest, true
}

// principalHours is the hour-of-week profile of one principal (a token's
// owner), learned from all its tokens: a token too young to be judged on
// its own hours — a user's re-issued or new token — is judged on its
// owner's. Times are unix seconds of event time.
type principalHours struct {
	firstSeen, lastSeen uint32
	total               uint16
	// requests counts the requests learned, as total did until a slot
	// filled up and the profile was halved (total is a weight from then
	// on, never above it): min_samples is a count of requests. Not saved:
	// after a restart it counts on from total, the fewer.
	requests uint16
	hours    hourProfile
	// home is the country (ipasn's packed code) the person's calls come
	// from, a majority vote of its tokens' hours (voteHome) with
	// homeVotes its margin; 0 for none. Not saved: after a restart it is
	// voted again, and local_night waits minHomeVotes.
	home      uint16
	homeVotes uint8
	// clockHours is what the person counts in clockHome's countryClock:
	// its habitual hours on that country's principal clock; 0 for none.
	clockHome  uint16
	clockHours uint32
}

// principalAge orders principals for eviction: the least recently seen goes first.
func principalAge(p *principalHours) int64 { return int64(p.lastSeen) }
