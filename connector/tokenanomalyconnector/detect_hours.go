package tokenanomalyconnector

import (
	"fmt"
	"strconv"
	"time"
)

// detectOffHours is the learned off_hours: each token keeps an
// hour-of-week profile; once it has min_samples requests and is past its
// learning period, a request is off its hours when the token never used
// that hour-of-week slot or its neighbours (the hour before and after),
// and used the same hours on the other days of the week for at most 1% of
// its requests. The second test keeps a sparse profile (an hour that one
// quiet week happened to miss) from alerting; the price is that use on a
// weekend at usual weekday hours is not flagged — a policy schedule does
// that. Tokens whose working hours the policy sets are left to the
// processor's verdict.
func (m *model) detectOffHours(ev *event, st *tokenState) {
	d := &m.det.offHours
	if !d.enabled || m.reg.scheduled(ev) || ev.offHoursGiven {
		return
	}
	c := &m.cfg.Detectors.OffHours
	t := time.UnixMilli(ev.at).In(m.zone)
	slot := int(t.Weekday())*24 + t.Hour()
	if st.flags&flagHoursReady != 0 && ev.at-int64(st.firstSeen)*1000 >= c.LearningPeriod.Milliseconds() {
		if st.offHours(slot) && d.applies(ev) {
			f := newFinding(typeOffHours, d, ev)
			f.hasEvidence, f.learned = true, true
			f.observed, f.baseline, f.window = 0, float64(st.hoursTotal), 7*24*time.Hour
			when := t.Weekday().String()[:3] + " " + strconv.Itoa(t.Hour()) + ":00-" + strconv.Itoa(t.Hour()+1) + ":00 " + m.zone.String()
			f.values = []string{when}
			f.body = tokenTitle(ev.tokenID) + " was used on " + when + ", an hour of the week it does not use."
			m.raise(f, st)
		}
	}
	st.addHour(slot)
	if st.hoursTotal >= uint16(min(c.MinSamples, 0xffff)) {
		st.flags |= flagHoursReady
	}
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

// offHours judges slot against the profile (see detectOffHours).
func (s *tokenState) offHours(slot int) bool {
	near := func(sl int) int {
		return int(s.hourCount((sl+hourSlots-1)%hourSlots)) + int(s.hourCount(sl)) + int(s.hourCount((sl+1)%hourSlots))
	}
	if near(slot) != 0 {
		return false
	}
	sameHours := 0
	for d := 1; d < 7; d++ {
		sameHours += near((slot + d*24) % hourSlots)
	}
	return sameHours*100 <= int(s.hoursTotal)
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
			if _, err := loadZone(o.TimeZone); err != nil {
				v.add("detectors.off_hours.time_zone: %w", err)
			}
		},
		compile: func(m *model, _ *detector, s detectorSettings) error {
			zone, err := loadZone(s.(*OffHoursConfig).TimeZone)
			if err != nil {
				return fmt.Errorf("detectors.off_hours.time_zone: %w", err)
			}
			m.zone = zone
			return nil
		},
		stage:   stageToken,
		observe: func(m *model, _ *detector, ev *event, st *tokenState) { m.detectOffHours(ev, st) },
		slot:    func(c *compiledDetectors) *detector { return &c.offHours },
	}
}
