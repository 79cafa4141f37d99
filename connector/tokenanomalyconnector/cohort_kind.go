package tokenanomalyconnector

import (
	"math"
	"time"
)

// A kind's cohort (principal type and credential type, whatever the
// grant) shares a rate_surge judged on its hour scale alone when more of
// the kind's owners surge within the cohort's window than the kind's usual
// (a sales day, a payday, a month end raises a whole kind of client's
// volume over hours, each on its own routes and grant). A kind whose
// fleets surge together every day (the fourth outside evaluation's ~100
// carriers' keys, twice a day) makes such a count its habit, not an
// event: there a lone surge of another of its services, hours after the
// fleet's wave, is news. So each kind learns how many of its owners'
// hour-scale surges an aligned window holds, decayed with kindHalfLife,
// and its cohort needs at least the Poisson upper quantile at kindEventP
// of that mean (and the cohort's min_principals). A window teaches only
// once it has closed, so a surge never raises its own bar; the learning
// is not capped, because a higher bar only raises more alerts.

const (
	kindHalfLife = 24 * time.Hour
	kindEventP   = 1e-3
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
	mean  float64 // decayed mean of the closed windows
}

// kindRates are the kinds' surge rates, by kind cohort key. Not saved:
// after a restart a kind starts at min_principals and learns again.
type kindRates map[uint64]*kindRate

// observe counts a surge of kind at at and returns the bar its cohort
// must reach: max(minPrincipals, the quantile of the closed windows'
// mean).
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
		r.mean = (r.mean*decay + float64(r.count)*(1-decay)) * math.Pow(decay, float64(closed-1))
		r.start += closed * w
		r.count = 0
	}
	r.count++ // a late surge within the lateness counts in the open window
	return max(minPrincipals, poissonQuantile(r.mean, kindEventP))
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
