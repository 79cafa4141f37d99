package tokenanomalyconnector

import (
	"math"
	"time"
)

// A kind's cohort (principal type and credential type, whatever the
// grant) shares a rate_surge judged on its hour scale alone when more of
// the kind's owners surge within the cohort's window than its recent
// busiest window held (a sales day, a payday, a month end raises a whole
// kind of client's volume over hours, each on its own routes and grant). A
// kind whose fleets surge together every day (the fourth outside
// evaluation's hundred carriers' keys, twice a day, which their peer group
// shares) makes such a crowd its habit, not an event: there a lone surge
// of another of its services, hours after the fleet's wave, is news. So
// each kind keeps its busiest aligned window's count of hour-scale surges,
// decayed with kindHalfLife, as a token keeps its busiest hour; its cohort
// needs one owner more than that (and the cohort's min_principals). A
// window teaches only once it has closed, so a surge never raises its own
// bar; the learning is not capped, because a higher bar only raises more
// alerts. A bar by the Poisson quantile of a decayed mean was tried first:
// the carriers' first wave of 55, one window before the injected surges,
// taught a mean of 6 and a bar of 15, and the cohort holds 16.

const (
	kindHalfLife = 24 * time.Hour
	// maxKinds bounds the kinds remembered: principal types times
	// credential types are few; made-up types only evict (counted as
	// table "kinds").
	maxKinds  = 256
	tableKind = "kinds"
)

// kindRate is one kind's hour-scale surges per aligned window.
type kindRate struct {
	start int64   // current window's start, unix ms; 0 before the first
	count int     // surges in the current window
	peak  float64 // the busiest closed window's count, decayed
}

// kindRates are the kinds' surge rates, by kind cohort key. Not saved:
// after a restart a kind starts at min_principals and learns again.
type kindRates map[uint64]*kindRate

// observe counts a surge of kind at at and returns the bar its cohort
// must reach: max(minPrincipals, one more than the decayed peak).
func (k kindRates) observe(kind uint64, at int64, window time.Duration, minPrincipals int, evicted func()) int {
	r := k[kind]
	if r == nil {
		if len(k) >= maxKinds {
			for key := range k {
				delete(k, key)
				evicted()
				break
			}
		}
		r = &kindRate{}
		k[kind] = r
	}
	w := window.Milliseconds()
	switch {
	case r.start == 0:
		r.start = at - at%w
	case at >= r.start+w:
		closed := (at - r.start) / w
		decay := math.Pow(0.5, float64(w)/float64(kindHalfLife.Milliseconds()))
		r.peak = max(r.peak*decay, float64(r.count)) * math.Pow(decay, float64(closed-1))
		r.start += closed * w
		r.count = 0
	}
	r.count++ // a late surge within the lateness counts in the open window
	return max(minPrincipals, int(math.Ceil(r.peak))+1)
}

// kindCohortKey is a surge's kind cohort: 0 when the item names no
// principal type or credential type, or its token holds no scopes (as
// the peer group's: every session, every Basic credential is no kind).
func kindCohortKey(ev *event) uint64 {
	if ev.principalType == "" || ev.tokenType == "" || ev.scopeBits == 0 {
		return 0
	}
	return kindKey(ev.principalType, ev.tokenType)
}

func kindKey(principalType, tokenType string) uint64 {
	kind := hashPair(seedCohort, hashPair(seedCohort, hashString(seedCohort, "kind"), principalType), tokenType)
	return hashPair(seedCohort, kind, typeRateSurge)
}
