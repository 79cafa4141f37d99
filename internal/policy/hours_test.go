package policy

import (
	"testing"
	"time"
)

func TestWorkingHours(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	week := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	berlinDay := hoursFile{TimeZone: "Europe/Berlin", Days: week, Start: "08:00", End: "19:00"}
	berlinNight := hoursFile{TimeZone: "Europe/Berlin", Days: week, Start: "22:00", End: "06:00"}
	tests := []struct {
		name string
		h    hoursFile
		at   time.Time
		want bool
	}{
		// DST starts Sunday 2026-03-29 02:00 CET (UTC+1) -> 03:00 CEST (UTC+2).
		{"day before spring DST: 07:30 UTC is 08:30 CET", berlinDay, utc(2026, 3, 28, 7, 30), true},
		{"day before spring DST: 06:30 UTC is 07:30 CET", berlinDay, utc(2026, 3, 28, 6, 30), false},
		{"spring DST day: 06:30 UTC is 08:30 CEST", berlinDay, utc(2026, 3, 29, 6, 30), true},
		{"spring DST day: 05:30 UTC is 07:30 CEST", berlinDay, utc(2026, 3, 29, 5, 30), false},
		{"spring DST day: 16:30 UTC is 18:30 CEST", berlinDay, utc(2026, 3, 29, 16, 30), true},
		{"spring DST day: 17:00 UTC is 19:00 CEST", berlinDay, utc(2026, 3, 29, 17, 0), false},
		{"spring DST night: 03:30 UTC is 05:30 CEST", berlinNight, utc(2026, 3, 29, 3, 30), true},
		{"spring DST night: 04:30 UTC is 06:30 CEST", berlinNight, utc(2026, 3, 29, 4, 30), false},
		// DST ends Sunday 2026-10-25 03:00 CEST -> 02:00 CET.
		{"autumn DST day: 07:30 UTC is 08:30 CET", berlinDay, utc(2026, 10, 25, 7, 30), true},
		{"autumn DST day: 06:30 UTC is 07:30 CET", berlinDay, utc(2026, 10, 25, 6, 30), false},
		{"autumn DST day: 17:30 UTC is 18:30 CET", berlinDay, utc(2026, 10, 25, 17, 30), true},
		{"autumn DST day: 18:00 UTC is 19:00 CET", berlinDay, utc(2026, 10, 25, 18, 0), false},
		{"day before autumn DST: 17:30 UTC is 19:30 CEST", berlinDay, utc(2026, 10, 24, 17, 30), false},
		{"autumn DST night: 04:30 UTC is 05:30 CET", berlinNight, utc(2026, 10, 25, 4, 30), true},
		{"autumn DST night: 05:00 UTC is 06:00 CET", berlinNight, utc(2026, 10, 25, 5, 0), false},

		// Days are the zone's days.
		{"Friday 23:30 UTC is Saturday in Berlin", hoursFile{TimeZone: "Europe/Berlin", Start: "00:00", End: "24:00"}, utc(2026, 11, 20, 23, 30), false},
		{"Sunday 23:30 UTC is Monday in Berlin", hoursFile{TimeZone: "Europe/Berlin", Start: "00:00", End: "24:00"}, utc(2026, 11, 22, 23, 30), true},
		{"Monday 01:00 UTC is Sunday in New York", hoursFile{TimeZone: "America/New_York", Start: "00:00", End: "24:00"}, utc(2026, 11, 23, 1, 0), false},
		{"Sunday 11:00 UTC is Monday in Auckland", hoursFile{TimeZone: "Pacific/Auckland", Days: []string{"Monday"}, Start: "00:00", End: "24:00"}, utc(2026, 11, 22, 11, 0), true},
		{"default zone is UTC", hoursFile{Start: "08:00", End: "09:00"}, utc(2026, 11, 18, 8, 30), true},
		{"default days skip Saturday", hoursFile{Start: "08:00", End: "09:00"}, utc(2026, 11, 21, 8, 30), false},

		// Overnight windows belong to the day they start.
		{"overnight: Friday 22:00", hoursFile{Start: "22:00", End: "06:00", Days: []string{"fri"}}, utc(2026, 11, 20, 22, 0), true},
		{"overnight: Saturday 05:59 is Friday's night", hoursFile{Start: "22:00", End: "06:00", Days: []string{"fri"}}, utc(2026, 11, 21, 5, 59), true},
		{"overnight: Saturday 06:00", hoursFile{Start: "22:00", End: "06:00", Days: []string{"fri"}}, utc(2026, 11, 21, 6, 0), false},
		{"overnight: Friday 05:00 is Thursday's night", hoursFile{Start: "22:00", End: "06:00", Days: []string{"fri"}}, utc(2026, 11, 20, 5, 0), false},
		{"overnight: Friday 21:59", hoursFile{Start: "22:00", End: "06:00", Days: []string{"fri"}}, utc(2026, 11, 20, 21, 59), false},
		{"until midnight with end 00:00", hoursFile{Start: "20:00", End: "00:00", Days: []string{"fri"}}, utc(2026, 11, 20, 23, 59), true},
		{"until midnight with end 00:00: next day", hoursFile{Start: "20:00", End: "00:00", Days: []string{"fri"}}, utc(2026, 11, 21, 0, 0), false},
		{"end 24:00", hoursFile{Start: "20:00", End: "24:00", Days: []string{"fri"}}, utc(2026, 11, 20, 23, 59), true},
		{"all day", hoursFile{Start: "00:00", End: "24:00", Days: []string{"wed"}}, utc(2026, 11, 18, 0, 0), true},

		{"before 1970", hoursFile{Start: "08:00", End: "19:00", Days: []string{"wed"}}, utc(1969, 12, 31, 12, 0), true},
		{"before 1970: wrong day", hoursFile{Start: "08:00", End: "19:00", Days: []string{"thu"}}, utc(1969, 12, 31, 12, 0), false},
		{"instant in another zone", hoursFile{Start: "08:00", End: "19:00", Days: []string{"wed"}},
			time.Date(2026, 11, 19, 3, 0, 0, 0, time.FixedZone("UTC+14", 14*3600)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := compileHours(&tt.h, "working_hours")
			if err != nil {
				t.Fatal(err)
			}
			if got := h.within(tt.at); got != tt.want {
				t.Errorf("within(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

// TestWithinMatchesTimePackage checks the arithmetic against time's own
// calendar every 7 minutes over two years, across both DST changes.
func TestWithinMatchesTimePackage(t *testing.T) {
	h, err := compileHours(&hoursFile{TimeZone: "Europe/Berlin", Days: []string{"mon", "wed", "sat"}, Start: "07:13", End: "19:41"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2027; at = at.Add(7 * time.Minute) {
		lt := at.In(h.loc)
		m := lt.Hour()*60 + lt.Minute()
		want := h.days[lt.Weekday()] && m >= h.start && m < h.end
		if got := h.within(at); got != want {
			t.Fatalf("%v (%v): got %v, want %v", at, lt, got, want)
		}
	}
}
