// Package countryzone names the local time of a country: its principal
// time zone first, then the others the tz database's zone.tab lists for
// it. zone.tab orders a country's zones geographically and, where that
// allows, the most populous first: its first zone is the principal one for
// the many countries with one zone, and for the United States (New York),
// China, Mexico, Indonesia. Where geography puts a fringe first, the
// zone of most of the people is named here (mostPopulous: Canada,
// Brazil, Russia, Australia). The median offset was tried and is worse:
// China's second zone is Urumqi's, Russia's middle one Tomsk's, four
// hours from Moscow.
package countryzone

import (
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zones' rules, whatever the machine has installed

	"github.com/tokenaudit/tokenaudit/third_party/tzdata-zonetab"
)

// mostPopulous names the principal zone of the countries whose first
// zone.tab row is a fringe: Newfoundland, Fernando de Noronha,
// Kaliningrad and Lord Howe Island hold a few percent of their countries'
// people; Toronto's, Sao Paulo's, Moscow's and Sydney's clocks are most
// of them.
var mostPopulous = map[string]string{
	"CA": "America/Toronto",
	"BR": "America/Sao_Paulo",
	"RU": "Europe/Moscow",
	"AU": "Australia/Sydney",
}

// Zones returns the local times of the country named by its ISO 3166-1
// alpha-2 code, its principal zone first; nil for a code zone.tab does
// not list.
func Zones(code string) []*time.Location { return vendored()[code] }

// vendored parses the embedded zone.tab once per process.
var vendored = sync.OnceValue(func() map[string][]*time.Location { return Parse(zonetab.Tab) })

// Parse reads a zone.tab and returns each country's zones that Go knows,
// in the order listed but for mostPopulous's, which comes first (a row
// whose zone Go does not know is skipped).
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
	for code, zones := range out {
		if name, ok := mostPopulous[code]; ok {
			if i := slices.IndexFunc(zones, func(z *time.Location) bool { return z.String() == name }); i > 0 {
				zones[0], zones[i] = zones[i], zones[0]
			}
		}
	}
	return out
}
