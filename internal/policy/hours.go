package policy

import (
	"fmt"
	"strings"
	"time"
)

// hours is a weekly working-hours window, judged on the wall clock of its
// time zone so that DST changes move it with local time.
type hours struct {
	loc        *time.Location
	days       [7]bool // by time.Weekday
	start, end int     // minutes after midnight; end <= start spans midnight
}

// dayNames maps the accepted spellings of a weekday; an immutable table.
var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

const minutesPerDay = 24 * 60

func compileHours(h *hoursFile, path string) (*hours, error) {
	if h == nil {
		return nil, nil
	}
	out := &hours{}
	switch tz := strings.TrimSpace(h.TimeZone); tz {
	case "":
		out.loc = time.UTC
	case "Local":
		// The collector's zone would make verdicts depend on the machine, and
		// replayed data must give the same findings anywhere.
		return nil, fmt.Errorf("%s.time_zone: \"Local\" depends on the machine: use an IANA name like Europe/Berlin", path)
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("%s.time_zone: unknown time zone %q: use an IANA name like Europe/Berlin or UTC", path, tz)
		}
		out.loc = loc
	}
	days := h.Days
	if days == nil {
		days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	if len(days) == 0 {
		return nil, fmt.Errorf("%s.days: the list is empty: list the working days, or remove the key for mon–fri", path)
	}
	for i, d := range days {
		wd, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return nil, fmt.Errorf("%s.days[%d]: %q is not a weekday: use mon, tue, wed, thu, fri, sat or sun", path, i, d)
		}
		out.days[wd] = true
	}
	var err error
	if out.start, err = clock(h.Start, path+".start", false); err != nil {
		return nil, err
	}
	if out.end, err = clock(h.End, path+".end", true); err != nil {
		return nil, err
	}
	if out.start == out.end {
		return nil, fmt.Errorf("%s: start and end are both %s: for all day use start \"00:00\" and end \"24:00\"", path, h.Start)
	}
	return out, nil
}

// clock reads "HH:MM"; "24:00" is allowed as an end, meaning midnight.
func clock(s, path string, isEnd bool) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%s: missing: use HH:MM like 08:00", path)
	}
	if isEnd && s == "24:00" {
		return minutesPerDay, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%s: cannot parse %q: use HH:MM like 08:00", path, s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// within reports whether t falls in the window. In an overnight window
// (22:00–06:00) the day that counts is the day the window started, so
// Friday night's shift runs into Saturday morning. It does not allocate.
func (h *hours) within(t time.Time) bool {
	_, offset := t.In(h.loc).Zone()
	local := t.Unix() + int64(offset)
	day := floorDiv(local, 86400)
	minute := int((local - day*86400) / 60)
	wd := (day + 4) % 7 // 1970-01-01 was a Thursday
	if wd < 0 {
		wd += 7
	}
	weekday := time.Weekday(wd)
	if h.start < h.end {
		return h.days[weekday] && minute >= h.start && minute < h.end
	}
	if minute >= h.start {
		return h.days[weekday]
	}
	return minute < h.end && h.days[(weekday+6)%7]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
