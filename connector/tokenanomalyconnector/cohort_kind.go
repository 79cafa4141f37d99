package tokenanomalyconnector

import (
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

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
// the fourth evaluation's injected surges were hidden so. A fleet's first
// owners are explained only once its group reaches min_principals, so a
// kind decides only at the end of a held finding's hold, never at once,
// and its crowd puts no owner in the org's event. Not a person's surge:
// a person's kind is the workforce, and a scrape by one of them on the
// office network is news beside others' busy hours (its role's peer group
// still judges it), nor a sparse token's (10 × its few sessions: a
// scrape's signature). Two bars were tried before this one: the Poisson
// quantile of the kind's decayed surges per window (the carriers' first
// wave, one window before the injected surges, taught a bar of 15, and
// the cohort holds 16), and one owner more than the kind's busiest recent
// window (the ninth's sales day came in waves by time zone, and each wave
// raised the next one's bar: 9 of its 16 false alerts stayed).

// kindCohortKey is a surge's kind cohort: 0 when the item names no
// principal type or credential type, names a person, or its token holds
// no scopes (as the peer group's: every session, every Basic credential
// is no kind).
func kindCohortKey(ev *event) uint64 {
	if ev.principalType == "" || ev.principalType == auditattr.PrincipalUser || ev.tokenType == "" || ev.scopeBits == 0 {
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
	// othersUnexplained asks of a member up to two windows before at.
	c.mark(c.explained, key, at, window, 2*window, evicted)
}

// oldestToDrop is the member a full cohort drops for a new one: its
// oldest explained member, else its oldest. Explained members pile up in
// a kind's list (a fleet of 20 keys of one grant would push out the owners
// its kind counts); in the other cohorts, which count every member and
// need far fewer than they hold, which one goes makes no difference.
func (c *cohorts) oldestToDrop(ms []cohortMember, window time.Duration) int {
	for i, e := range ms {
		if c.isExplained(e, window) {
			return i
		}
	}
	return 0
}

// isExplained reports whether a member's surge a narrower cohort
// explained, within window of it.
func (c *cohorts) isExplained(e cohortMember, window time.Duration) bool {
	t, ok := c.explained[e.owner]
	return ok && abs64(t-e.at) <= window.Milliseconds()
}

// othersUnexplained counts the kind cohort's owners other than owner
// within window of at whose surge no narrower cohort explained.
func (c *cohorts) othersUnexplained(key, owner uint64, at int64, window time.Duration) int {
	n := 0
	for _, e := range c.byKey[key] {
		if e.owner == owner || abs64(at-e.at) > window.Milliseconds() {
			continue
		}
		if !c.isExplained(e, window) {
			n++
		}
	}
	return n
}
