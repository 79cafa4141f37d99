package policy

import (
	"fmt"
	"strings"
	"time"
)

// hours is a weekly working-hours window in a time zone.
type hours struct {
	loc        *time.Location
	days       [7]bool // by time.Weekday
	start, end int     // minutes after midnight; end < start spans midnight
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func compileHours(h *hoursFile, path string) (*hours, error) {
	if h == nil {
		return nil, nil
	}
	out := &hours{}
	tz := h.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("%s.time_zone: unknown time zone %q: use an IANA name like Europe/Berlin", path, tz)
	}
	out.loc = loc
	if len(h.Days) == 0 {
		h.Days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	for i, d := range h.Days {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))[:min(3, len(strings.TrimSpace(d)))]]
		if !ok {
			return nil, fmt.Errorf("%s.days[%d]: %q is not a weekday: use mon, tue, wed, thu, fri, sat, sun", path, i, d)
		}
		out.days[wd] = true
	}
	if out.start, err = clock(h.Start, path+".start"); err != nil {
		return nil, err
	}
	if out.end, err = clock(h.End, path+".end"); err != nil {
		return nil, err
	}
	if out.start == out.end {
		return nil, fmt.Errorf("%s: start and end are both %s: the window would be empty", path, h.Start)
	}
	return out, nil
}

func clock(s, path string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s: cannot parse %q: use HH:MM like 08:00", path, s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// within reports whether t falls in the window. For an overnight window
// (22:00–06:00) the day that counts is the day the window started.
func (h *hours) within(t time.Time) bool {
	lt := t.In(h.loc)
	m := lt.Hour()*60 + lt.Minute()
	if h.start < h.end {
		return h.days[lt.Weekday()] && m >= h.start && m < h.end
	}
	if m >= h.start {
		return h.days[lt.Weekday()]
	}
	if m < h.end {
		return h.days[(lt.Weekday()+6)%7]
	}
	return false
}
