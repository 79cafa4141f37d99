package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// detectOffHours is the learned off_hours. Each token, and each principal
// over all its tokens, keeps an hour-of-week profile (hourProfile). A
// request is judged on the token's profile once it has min_samples
// requests (fewer for a steady token: steadyProfile) and is past its
// learning period; a younger token is judged on its owner's profile when that one is: a
// re-issued or new token of a known user gets no free pass. The alert
// comes with the min_requests-th request off the profile within an hour,
// since one glance at an odd hour is not a session. Requests off the
// profile join it only an hour later, so that a session's first request
// does not make its hour usual for the rest. Tokens whose working hours
// the policy sets are left to the processor's verdict.
func (m *model) detectOffHours(ev *event, st *tokenState) {
	d := &m.det.offHours
	if !d.enabled || m.reg.scheduled(ev) || ev.hoursSettled {
		return
	}
	c := &m.cfg.Detectors.OffHours
	slot := m.hourSlot(ev.at)
	owner := m.ownerHours(ev)
	defer m.voteHome(ev, st, owner) // after its judgement: a session does not vote itself home
	if x := m.extras.of(st); x != nil && len(x.offHours) > 0 {
		x.offHours = m.learnOffHours(x.offHours, ev.at-time.Hour.Milliseconds(), st, owner)
	}
	off, total, byOwner := m.offProfile(ev, st, owner, slot)
	if !off || !d.applies(ev) {
		m.learnHour(slot, st, owner)
		return
	}
	x := m.extras.get(st)
	i, _ := slices.BinarySearch(x.offHours, ev.at)
	x.offHours = slices.Insert(x.offHours, i, ev.at)
	if len(x.offHours) > maxOffHours {
		x.offHours = m.learnOffHours(x.offHours, x.offHours[len(x.offHours)-maxOffHours], st, owner)
	}
	newest := x.offHours[len(x.offHours)-1]
	from, _ := slices.BinarySearch(x.offHours, newest-time.Hour.Milliseconds()+1)
	if n := len(x.offHours) - from; n == c.MinRequests {
		f := newFinding(typeOffHours, d, ev)
		f.hasEvidence, f.learned = true, true
		f.observed, f.baseline, f.threshold, f.window = float64(n), float64(total), float64(c.MinRequests), time.Hour
		t := time.UnixMilli(ev.at).In(m.zone)
		when := t.Weekday().String()[:3] + " " + strconv.Itoa(t.Hour()) + ":00-" + strconv.Itoa(t.Hour()+1) + ":00 " + m.zone.String()
		f.values = []string{when}
		whose := "it does not use"
		if byOwner {
			whose = "its owner " + ev.principal + " does not use"
		}
		f.body = tokenTitle(ev.tokenID) + " was used " + strconv.Itoa(n) + " times within an hour on " + when + ", an hour of the week " + whose + "."
		m.raiseInCohort(f, st, &c.Cohort)
		// A person's session is its owner's now, whether or not its token
		// comes back to learn its held requests: a user's hourly token
		// rarely does, and its owner, called out again another night,
		// would alert every time (hourProfile.workedNights, which only a
		// person's profile heeds). A site's or a service's is not: its
		// other tokens used in the same night, or a week later, alert too.
		if owner != nil && shapeOf(ev).person && owner.hours.count(slot) == 0 {
			owner.hours.add(slot, &owner.total)
			owner.requests = min(owner.requests, 0xfffe) + 1
		}
	}
}

// refusedAuth reports whether the request was refused at authentication
// (outcome failure: 401) or its token failed verification (invalid
// signature, malformed): its owner is only what the token claims, so it
// is judged on no one's hours, and a rotated-out key's retry storm at
// night is failed_attempts' evidence, not its owner's habit. A 403
// (denied) is judged: the service recognised the credential, so its owner
// is real, and a probe at an odd hour is news.
func refusedAuth(ev *event) bool {
	return ev.outcome == auditattr.OutcomeFailure ||
		hasVerdict(ev, auditattr.ViolationInvalidSignature) || hasVerdict(ev, auditattr.ViolationMalformed)
}

// maxOffHours bounds the requests off the profile a token holds back from
// it; older ones join the profile early.
const maxOffHours = 64

// hourSlot is the hour of the week of at (unix ms) in the configured zone.
func (m *model) hourSlot(at int64) int {
	t := time.UnixMilli(at).In(m.zone)
	return int(t.Weekday())*24 + t.Hour()
}

// learnHour adds one request in slot to the token's and its owner's profiles.
func (m *model) learnHour(slot int, st *tokenState, owner *principalHours) {
	st.addHour(slot)
	if st.hoursTotal >= uint16(min(m.cfg.Detectors.OffHours.MinSamples, 0xffff)) {
		st.flags |= flagHoursReady
	}
	if owner != nil {
		owner.hours.add(slot, &owner.total)
		owner.requests = min(owner.requests, 0xfffe) + 1
	}
}

// learnOffHours adds the held-back requests before cutoff (sorted times)
// to the profiles and returns the rest.
func (m *model) learnOffHours(times []int64, cutoff int64, st *tokenState, owner *principalHours) []int64 {
	k := 0
	for k < len(times) && times[k] < cutoff {
		m.learnHour(m.hourSlot(times[k]), st, owner)
		k++
	}
	return slices.Delete(times, 0, k)
}

// A steady token's profile is judged with fewer requests than
// min_samples: steadySamples on at least steadyDays days of the week.
// Where a day starts is what the night is measured from, and three days of
// a user calling once every two working hours show it (a low-rate user's
// week never reaches min_samples: issue 13's missed night sessions had 17
// and 23 requests over four days). A bursty token's profile (a slot filled
// up, more than 15 calls in one hour of the week, as a build or a batch
// run makes) keeps min_samples:
// its halved total is a weight, not a count of requests, and its first run
// at a new hour (a pipeline's first nightly build) is not a person's night.
const (
	steadySamples = 12
	steadyDays    = 3
)

// steadyProfile reports whether the token's own profile is a steady
// token's with enough requests on enough days to be judged.
func steadyProfile(st *tokenState) bool {
	return st.flags&flagHoursBursty == 0 && st.hoursTotal >= steadySamples && st.hours.daysUsed() >= steadyDays
}

// offProfile judges slot on the token's profile when it is learned, else
// on its owner's when that one is; total is the judging profile's size.
// The owner's learned profile weighs in both ways: an hour of the week
// off the token's own profile that its owner uses as a rule (its counter
// at ownerShiftCount or more, not one stray request: a used counter never
// returns to 0) is a shift the owner's other tokens work (a late-shift
// scanner on the site's Saturday morning shift), not news; an hour the token never used that is in its owner's
// night is off, although the token's own night, taken alone, is
// elsewhere (that scanner at 03:00, five hours after its shift and eleven
// before the next: neither the hour after its day nor the eight before).
func (m *model) offProfile(ev *event, st *tokenState, owner *principalHours, slot int) (off bool, total uint16, byOwner bool) {
	c := &m.cfg.Detectors.OffHours
	past := func(firstSeen uint32) bool { return ev.at-int64(firstSeen)*1000 >= c.LearningPeriod.Milliseconds() }
	ownerLearned := owner != nil && past(owner.firstSeen) && int(owner.requests) >= c.MinSamples
	if past(st.firstSeen) {
		// A steady low-rate token's few calls a day show a few hours of
		// its day: it is judged without minDayHours. A bursty profile's
		// total is a halved weight: once it reached min_samples, its
		// readiness stands (a CI key of 1,500 requests weighed 46 after
		// its halvings and was never judged: blind7's L112, a weekday
		// key at 03:30 on a Sunday).
		if steady := steadyProfile(st); steady || st.flags&flagHoursReady != 0 &&
			(st.flags&flagHoursBursty != 0 || int(st.hoursTotal) >= c.MinSamples) {
			if st.hours.usesHour(slot) { // the common case, before the clock is read
				return false, st.hoursTotal, false
			}
			shape, dayHours := m.shapeAt(ev, owner)
			minHours := dayHours
			if steady {
				minHours = 0
			}
			if st.hours.off(slot, minHours, shape) {
				return !(ownerLearned && owner.hours.count(slot) >= ownerShiftCount), st.hoursTotal, false
			}
			if ownerLearned && owner.hours.off(slot, dayHours, shape) {
				return true, owner.total, true
			}
			return false, st.hoursTotal, false
		}
	}
	if ownerLearned && !owner.hours.usesHour(slot) {
		shape, dayHours := m.shapeAt(ev, owner)
		return owner.hours.off(slot, dayHours, shape), owner.total, true
	}
	return false, 0, false
}

// ownerShiftCount is the owner's counter at an hour of the week (4 bits,
// halved as a whole when one fills up) from which the owner works then.
const ownerShiftCount = 2

// ownerHours returns the profile of the item's principal, creating it on
// first sight; nil when the item names none.
func (m *model) ownerHours(ev *event) *principalHours {
	p, created := putOwner(m, m.principals, tablePrincipals, ev)
	if p == nil {
		return nil
	}
	now := uint32(ev.at / 1000)
	if created {
		p.firstSeen = now
	}
	p.lastSeen = max(p.lastSeen, now)
	return p
}

// hasVerdict reports whether the processor gave the item verdict.
func hasVerdict(ev *event, verdict string) bool {
	if !ev.hasViolations {
		return false
	}
	for _, v := range ev.violations.All() {
		if v.Str() == verdict {
			return true
		}
	}
	return false
}

func offHoursSpec() detectorSpec {
	return detectorSpec{
		name:     "off_hours",
		findings: []findingSeverity{{typeOffHours, sevLow}},
		field:    func(d *DetectorsConfig) detectorSettings { return &d.OffHours },
		validate: func(s detectorSettings, v *validator) {
			o := s.(*OffHoursConfig)
			if o.LearningPeriod < 0 {
				v.add("detectors.off_hours.learning_period: must not be negative")
			}
			if o.MinSamples < 1 {
				v.add("detectors.off_hours.min_samples: %d must be at least 1", o.MinSamples)
			}
			if o.MinRequests < 1 || o.MinRequests > maxWindowThreshold {
				v.add("detectors.off_hours.min_requests: %d is outside 1..%d (default 4)", o.MinRequests, maxWindowThreshold)
			}
			o.Cohort.validate("off_hours", v)
			if _, err := loadZone(o.TimeZone); err != nil {
				v.add("detectors.off_hours.time_zone: %w", err)
			}
		},
		compile: func(m *model, d *detector, s detectorSettings) error {
			o := s.(*OffHoursConfig)
			zone, err := loadZone(o.TimeZone)
			if err != nil {
				return fmt.Errorf("detectors.off_hours.time_zone: %w", err)
			}
			m.zone = zone
			m.homeCountries = nil
			if d.enabled && o.LocalNight {
				t, err := ipasn.VendoredCountries()
				if err != nil {
					return fmt.Errorf("detectors.off_hours.local_night: %w", err)
				}
				m.homeCountries, m.clocks = t, map[uint16]*countryClock{}
			}
			return nil
		},
		stage:   stageToken,
		observe: func(m *model, _ *detector, ev *event, st *tokenState) { m.detectOffHours(ev, st) },
		slot:    func(c *compiledDetectors) *detector { return &c.offHours },
	}
}
