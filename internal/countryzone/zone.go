// Package countryzone names the local time of a country: the first of the
// time zones the tz database's zone.tab lists for it. zone.tab orders a
// country's zones geographically and, where that allows, the most
// populous first: exact for the many countries with one zone, the most
// populous one for the United States (New York), China, Mexico, Indonesia,
// and within an hour and a half of it for the rest (Russia's Kaliningrad,
// an hour from Moscow; Brazil's Noronha, an hour from Sao Paulo; Canada's
// St John's). The median offset was tried and is worse: China's second
// zone is Urumqi's, Russia's middle one Tomsk's, four hours from Moscow.
package countryzone

import (
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zones' rules, whatever the machine has installed

	"github.com/tokenaudit/tokenaudit/third_party/tzdata-zonetab"
)

// Zone returns the local time of the country named by its ISO 3166-1
// alpha-2 code, and false for a code zone.tab does not list.
func Zone(code string) (*time.Location, bool) {
	zones := vendored()[code]
	if len(zones) == 0 {
		return nil, false
	}
	return zones[0], true
}

// Zones returns all of the country's zones, its Zone first; nil for a
// code zone.tab does not list.
func Zones(code string) []*time.Location { return vendored()[code] }

// vendored parses the embedded zone.tab once per process.
var vendored = sync.OnceValue(func() map[string][]*time.Location { return Parse(zonetab.Tab) })

// Parse reads a zone.tab and returns each country's zones that Go knows,
// in the order listed (a row whose zone it does not is skipped).
func Parse(tab string) map[string][]*time.Location {
	out := map[string][]*time.Location{}
	for line := range strings.Lines(tab) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		if len(fields) < 3 || len(fields[0]) != 2 {
			continue
		}
		if loc, err := time.LoadLocation(fields[2]); err == nil {
			out[fields[0]] = append(out[fields[0]], loc)
		}
	}
	return out
}
