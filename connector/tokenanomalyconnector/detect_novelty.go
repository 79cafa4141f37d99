package tokenanomalyconnector

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// noveltyPairsPerToken sizes the first-seen filters: room for this many
// (token, network) and (token, resource) pairs per tracked token.
const noveltyPairsPerToken = 8

// maxMultiNetworks bounds multi_address.networks: the token keeps that
// many networks.
const maxMultiNetworks = 64

// network masks an address to its network: /ipv4_prefix or /ipv6_prefix.
func network(a netip.Addr, v4, v6 int) netip.Prefix {
	bits := v6
	if a.Is4() {
		bits = v4
	}
	p, _ := a.Prefix(bits)
	return p
}

// networkName shows a whole address as itself and a network as a CIDR.
func networkName(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// usedNetwork reports whether the token (key) used a's network
// (new_client_address's ipv4_prefix or ipv6_prefix) within forget_after,
// without recording it.
func (m *model) usedNetwork(key uint64, a netip.Addr) bool {
	c := &m.cfg.Detectors.NewClientAddress
	return m.novelty.has(hashNetwork(seedAddress, key, network(a, c.IPv4Prefix, c.IPv6Prefix)))
}

func hashNetwork(seed, key uint64, p netip.Prefix) uint64 {
	b := p.Addr().As16()
	return hashPair(seed, key^uint64(p.Bits()), string(b[:]))
}

// detectNovelty is new_client_address and new_resource: a (token, value)
// pair not seen within forget_after, on a token whose values have settled:
// it made min_requests requests and a learning period passed since the
// last value it was new on. A token with several usual values that it
// uses by turns is still discovering them in its first days; judging it
// then is what raised most false alerts on clean traffic.
// The pairs live in one blocked Bloom filter with two generations, so the
// memory is fixed whatever the number of tokens and values; each token's
// memo of its last value spares the filter probes on a repeat.
func (m *model) detectNovelty(ev *event, st *tokenState, key uint64) {
	ev.knownNet = false
	if d := &m.det.newAddress; d.enabled && ev.client != "" && m.det.addressOutcomes.has(ev.outcome) {
		// The memo holds the raw address: the same string is the same network.
		if fp := uint32(hashString(seedAddress, ev.client)); st.addrMemo.hit(m.novelty, fp) {
			ev.knownNet = true
		} else {
			m.detectNewAddress(ev, st, key, fp)
		}
	}
	if d := &m.det.newResource; d.enabled && ev.resource != "" && m.det.resourceOutcomes.has(ev.outcome) {
		h := hashPair(seedResource, key, ev.resource)
		if fp := uint32(h >> 32); st.resMemo.hit(m.novelty, fp) {
			m.quietResource(ev, st)
			m.repeatNewResource(ev, st, h)
		} else {
			inCurrent, known := m.novelty.probe(h)
			st.resMemo.record(m.novelty, fp)
			if known {
				m.repeatNewResource(ev, st, h)
			}
			if inCurrent {
				// The token alternates between resources this generation
				// saw it call (and its owner's pair was taught with its
				// own): a repeat, as a memo hit is.
				m.quietResource(ev, st)
				return
			}
			rc := &m.cfg.Detectors.NewResource
			c := &rc.NoveltyConfig
			novelAt := max(st.resNovelAt, st.firstSeen)
			peers, ownerKnown := m.resourcePopulation(ev, key) // taught on every first call
			// From a network judged news, a first call is evidence unless
			// the owner made it with another token: an hourly token's
			// calls are all first calls, and a person's routine ones on a
			// trip are not a thief's reach (blind4's and blind10's people
			// abroad drew three each).
			judged := settled(ev.at, novelAt, st.activeHours, st.resNovel, c) || quietSettled(ev.at, novelAt, st, c) ||
				!ownerKnown && m.onJudgedNetwork(ev, st, key, rc.Window)
			common := commonResource(&rc.Population, peers, ownerKnown)
			owner := m.ownerResources(ev)
			byOwner := !judged && !known && !common && m.ownerJudgesResource(ev, owner, ownerKnown, peers, c)
			adoption := false
			if !known {
				adoption = m.joinFirstCall(ev, st)
			}
			learnOwnerResource(ev, owner, ownerKnown, common || adoption)
			switch {
			case adoption:
				countQuiet(&st.resQuiet)
				if !common && (judged || byOwner) && d.applies(ev) {
					m.tel.shared(typeNewResource) // the org's new route, taken up
				}
				return
			case known, common:
				countQuiet(&st.resQuiet)
			case resourceRefused(ev):
				return // learned, but neither the token's habit nor news (see resourceRefused)
			case ev.resourceAlerted:
				// News all the same, but not the token's novelty (see resourceRefused).
			default:
				countNovel(ev.at, &st.resNovelAt, &st.resNovel, &st.resQuiet)
			}
			if !known && !common && (judged || byOwner) && d.applies(ev) {
				if rc.MinRequests <= 1 || ev.resourceAlerted && !byOwner {
					// A first call the policy flagged needs no session to be
					// news. By its owner a young token's is judged on a
					// session all the same: the verdict already alerts on
					// the call, and the owner's history is the weaker
					// evidence (novelty_owner.go).
					m.raiseNewResource(ev, st, 1, byOwner)
				} else {
					m.awaitNewResource(ev, st, h, byOwner)
				}
			}
		}
	}
}

// onJudgedNetwork reports whether the item comes from the network that
// new_client_address judged news for the token within window before it:
// a token that has not settled on its resources (a developer's PAT used a
// few times a week never does) is judged on its first calls from there,
// since a thief's session is the evidence a settled history would be
// (blind6's combined case: a stolen PAT from a VPS, then four calls of an
// export it never made). A clean token's false new network, rare, adds its
// first calls there at most.
func (m *model) onJudgedNetwork(ev *event, st *tokenState, key uint64, window time.Duration) bool {
	x := m.extras.of(st)
	if x == nil || x.addrJudgedAt == 0 || ev.at < x.addrJudgedAt || ev.at-x.addrJudgedAt > window.Milliseconds() {
		return false
	}
	a := ev.addr()
	c := &m.cfg.Detectors.NewClientAddress
	return a.IsValid() && hashNetwork(seedAddress, key, network(a, c.IPv4Prefix, c.IPv6Prefix)) == x.addrJudgedNet
}

// raiseNewResource raises new_resource for ev's resource, called calls
// times since its first call.
// byOwner: the token was judged by its owner's resources (novelty_owner.go).
func (m *model) raiseNewResource(ev *event, st *tokenState, calls int, byOwner bool) {
	c := &m.cfg.Detectors.NewResource
	f := newFinding(typeNewResource, &m.det.newResource, ev)
	f.discriminator = ev.resource
	f.values = []string{ev.resource}
	f.hasEvidence, f.learned = true, true
	f.observed, f.threshold = float64(calls), float64(max(c.MinRequests, 1))
	if ev.resourceAlerted && !byOwner {
		f.threshold = 1 // a flagged first call needs no session (see detectNovelty)
	}
	f.window = c.ForgetAfter
	what := tokenTitle(ev.tokenID) + " called " + ev.resource
	who := "it"
	if byOwner {
		who = "its owner, with any token,"
	}
	if calls > 1 {
		f.body = what + " " + strconv.Itoa(calls) + " times within " + c.Window.String() +
			", a resource " + who + " had not called within " + c.ForgetAfter.String() + "."
	} else {
		f.body = what + ", which " + who + " had not called within " + c.ForgetAfter.String() + "."
	}
	m.raiseInCohort(f, st, &c.Cohort)
}

// maxPendingResources bounds a token's first calls waiting for a repeat;
// past it the oldest is dropped (a token calling many new resources at
// once alerts on those it keeps calling).
const maxPendingResources = 8

// awaitNewResource keeps a judged first call until the token calls the
// resource min_requests times within window: one call of a route a user
// rarely needs is a glance, a thief's use of a new endpoint is a session.
func (m *model) awaitNewResource(ev *event, st *tokenState, pair uint64, byOwner bool) {
	x := m.extras.get(st)
	if len(x.newRes) >= maxPendingResources {
		x.newRes = x.newRes[1:]
	}
	x.newRes = append(x.newRes, pendingResource{pair: pair, first: ev.at, calls: 1, byOwner: byOwner})
}

// repeatNewResource counts a repeat call of a resource whose first call
// waits, raising new_resource at min_requests within window.
func (m *model) repeatNewResource(ev *event, st *tokenState, pair uint64) {
	x := m.extras.of(st)
	if x == nil || len(x.newRes) == 0 {
		return
	}
	c := &m.cfg.Detectors.NewResource
	keep := x.newRes[:0]
	for _, p := range x.newRes {
		if ev.at-p.first > c.Window.Milliseconds() {
			continue // its window passed: a glance, learned
		}
		if p.pair == pair {
			if p.calls++; int(p.calls) >= c.MinRequests {
				if m.det.newResource.applies(ev) {
					m.raiseNewResource(ev, st, int(p.calls), p.byOwner)
				}
				continue
			}
		}
		keep = append(keep, p)
	}
	x.newRes = keep
}

// resourceRefused reports whether the service refused a request (401,
// 403: it touched nothing; only with outcomes configured to include them).
// The pair is still learned, so a repeat is not news either, but neither
// a refused call nor one the processor alerted for its resource (scope,
// restricted) counts as the token's novelty: an attacker's refused or
// out-of-scope calls must not restart the learning period that lets the
// next new resource alert. An alerted call still raises new_resource: the
// verdict says the policy forbids it, new_resource that the token never
// did it; correlation is combined_findings' job, not a reason to drop one.
func resourceRefused(ev *event) bool {
	return ev.outcome == auditattr.OutcomeFailure || ev.outcome == auditattr.OutcomeDenied
}

// settled reports whether a token's values have settled enough to judge
// a new one (see detectNovelty); novelAt is when it was last new on a
// value (first seen included) and values how many it was new on.
func settled(at int64, novelAt uint32, activeHours uint16, values uint8, c *NoveltyConfig) bool {
	return at-int64(novelAt)*1000 >= c.LearningPeriod.Milliseconds() && int(activeHours) >= c.MinActiveHours*max(int(values), 1)
}

// quietRequestsPerValue: a token that made this many requests per
// resource it knows since it last called a new one has settled (see
// quietSettled).
const quietRequestsPerValue = 8

// quietSettled is the other way a token's resources settle: by requests
// rather than hours. A low-rate user active a few hours a day calls its
// two to four routes within its first hours, then only those for days,
// yet takes a working week to reach min_active_hours per route (4 of the
// 10 new_resource injections of make quality, seed 1, were such users).
// Requests without a new resource are the evidence: had the token a
// usual resource it had not called yet, one call in `values` would show
// it, so 8 × values quiet requests leave it a chance of e⁻⁸. The token
// must still be min_active_hours old in active hours and the learning
// period past its last new resource, so one burst settles nothing.
func quietSettled(at int64, novelAt uint32, st *tokenState, c *NoveltyConfig) bool {
	return quietEnough(at, novelAt, st.activeHours, st.resQuiet, st.resNovel, c)
}

// quietEnough is quietSettled's rule on any history: a token's or an
// owner's (novelty_owner.go).
func quietEnough(at int64, novelAt uint32, activeHours, quiet uint16, values uint8, c *NoveltyConfig) bool {
	return at-int64(novelAt)*1000 >= c.LearningPeriod.Milliseconds() && int(activeHours) >= c.MinActiveHours &&
		int(quiet) >= quietRequestsPerValue*max(int(values), 1)
}

// detectNewAddress checks the client's network against the filter; fp is
// the raw address's fingerprint for the memo. A network new to the token
// alerts only when it is also far from the token's own networks and rare
// in the population (see rareNetwork), and only such networks count as the
// token's novelties: a token that shows a new rare network every session
// (a CI pipeline on a large runner fleet, an app on a carrier's CGNAT)
// never settles, so its next one is not news. The one exception, a
// server's key on a far network of an ISP the org's people use (serverLeft),
// is judged, and counted as a novelty, once.
func (m *model) detectNewAddress(ev *event, st *tokenState, key uint64, fp uint32) {
	a := ev.addr()
	if !a.IsValid() {
		return
	}
	c := &m.cfg.Detectors.NewClientAddress
	p := network(a, c.IPv4Prefix, c.IPv6Prefix)
	inCurrent, known := m.novelty.probe(hashNetwork(seedAddress, key, p))
	st.addrMemo.record(m.novelty, fp)
	ev.knownNet = known
	if !known {
		first := st.addrNewAt == 0
		st.addrNewAt = max(st.addrNewAt, uint32(ev.at/1000)) // a late item does not move it back
		m.learnOwnerNetwork(ev, st, p, first)
	}
	if inCurrent {
		return // the token used this network in this generation: nothing new, nothing to count
	}
	r := m.rareNetwork(a, key, wideKey(ev, key), c)
	countryNews, country := m.countryNews(ev, a, r, &c.Population)
	// A key that lived on servers, now on a far network of an ISP or a
	// carrier, is judged whether or not the org's people use that ISP:
	// the population explains a person there, not a server's key (blind7
	// L111: a CI deploy key from a home line on the ISP of half the
	// org's app users).
	serverLeft := r.serverLeft && (r.rare || r.far) && ev.at-int64(st.firstSeen)*1000 >= c.LearningPeriod.Milliseconds()
	if known || !r.rare && !serverLeft {
		return
	}
	tokenSettled := settled(ev.at, max(st.addrNovelAt, st.firstSeen), st.activeHours, st.addrNovel, &c.NoveltyConfig)
	// A young token's judgment by its owner's providers is spent once it
	// has been made, not by any earlier novelty: a thief's first stop on
	// a residential network the rules do not judge must not use it up.
	young := st.flags&flagYoungJudged == 0
	ownerLeft := !serverLeft && r.ownerLeft && young && m.ownerHistory(ev, c.LearningPeriod) != nil
	newProvider := r.newProvider && young && !r.firstHosting && m.historyKnown(ev, st, c.LearningPeriod)
	// A person's young token is judged on a network in a country its owner
	// had not used (the outside evaluations' stolen sessions replayed
	// through residential proxies abroad: blind9 L055, blind10 L028, L038,
	// L053); the owner's history says which countries are its own.
	newCountry := countryNews && young && m.ownerHistory(ev, c.LearningPeriod) != nil
	judged := (tokenSettled || r.firstHosting && m.historyKnown(ev, st, c.LearningPeriod) || newProvider ||
		serverLeft || ownerLeft || newCountry) &&
		(c.Population.MinTokens == 0 || ev.at-m.since >= c.Population.LearningPeriod.Milliseconds())
	if judged && !tokenSettled && (ownerLeft || newProvider || newCountry) {
		st.flags |= flagYoungJudged
	}
	st.addrNovelAt, st.addrNovel = uint32(ev.at/1000), min(st.addrNovel+1, 0xff)
	if !judged || !m.det.newAddress.applies(ev) {
		return
	}
	if !m.det.newAddress.dryRun {
		// A detector on trial raises nothing, and lends no judgment either.
		x := m.extras.get(st)
		x.addrJudgedNet, x.addrJudgedAt = hashNetwork(seedAddress, key, p), ev.at
	}
	name := networkName(p)
	f := newFinding(typeNewClientAddress, &m.det.newAddress, ev)
	f.discriminator = name
	f.values = []string{name}
	f.hasEvidence, f.learned = true, true
	f.window = c.ForgetAfter
	f.body = tokenTitle(ev.tokenID) + " was used from " + name + ", a network it has not used within " +
		c.ForgetAfter.String() + ", " + m.rangeTitle(a, r)
	switch {
	case ownerLeft:
		f.body += " Until now its owner's tokens were used from hosting providers' networks only."
	case newCountry:
		f.body += " Its owner's tokens had not been used from " + ipasn.CountryCode(country) +
			" within " + c.ForgetAfter.String() + ", and few of the org's people are."
	case r.serverLeft:
		f.body += " Until now the token was used from hosting providers' networks only."
	}
	m.holdFinding(f, st, key, heldCohort{}, m.holdFor)
}

// learnOwnerNetwork keeps flagOwnerNets: set when the token's first
// network was one its owner used before it, cleared by any later network
// new to it that was not (a young token off its owner's networks is not on
// its owner's ground, see onOwnGround; a token loaded from a state saved
// before the flag existed has it clear).
//
// It teaches the owner p only from a trusted item (not refused at
// authentication, forged or lapsed) of a token that needs no owner's
// ground to share, one older than new_resource's cohort window, or of any
// token in the owner's first active hours: until the owner has a history
// (ownerHistory), which then marks it while it stays active (teachesOwner),
// so that an owner evicted from the owners' table does not learn again
// from a thief who supplies its hours. So a thief who replays or mints an owner's
// hourly tokens from a network of its own never makes that network the
// owner's; a person's new home network is not the owner's either until an
// older token of the person uses it, and their hourly tokens there alert
// as they did before owners lent them ground. After an upgrade from a
// version without owners' networks, every owner already has a history and
// learns none: its young tokens join no cohort until an older token of it
// uses a network (README, Cohorts). Only new_resource's cohort and
// adoption read the flag.
func (m *model) learnOwnerNetwork(ev *event, st *tokenState, p netip.Prefix, first bool) {
	owners := false
	if ev.principal != "" {
		h := hashNetwork(seedOwnerNet, ev.owner, p)
		owners = m.novelty.has(h)
		teaches := !ev.refusedAuth && !ev.lapsed && m.teachesOwner(ev, st) // renews the owner's mark
		if owners || teaches {
			m.novelty.probe(h) // learned, or kept in the current generation
		}
	}
	switch {
	case !owners:
		st.flags &^= flagOwnerNets
	case first:
		st.flags |= flagOwnerNets
	}
}

// teachesOwner reports whether the token's new network may become its
// owner's (learnOwnerNetwork): the token is older than new_resource's
// cohort window (only its cohort and adoption read the flag), or the owner
// has had no history yet. An owner with a history is
// marked in the first-seen filter (renewed at each of its tokens' new
// networks, so it lasts while the owner is active), and a marked owner
// stays known after its history is evicted.
func (m *model) teachesOwner(ev *event, st *tokenState) bool {
	if ev.at-int64(st.firstSeen)*1000 > m.cfg.Detectors.NewResource.Cohort.Window.Milliseconds() {
		return true
	}
	marker := hashString(seedOwnerNet, "owner") ^ ev.owner
	if m.ownerHistory(ev, 0) != nil {
		m.novelty.probe(marker)
		return false
	}
	return !m.novelty.has(marker)
}

// rareNetwork judges a's coarse network (population.ipv4_prefix): it is
// rare when the token never used it within forget_after (a home address
// the ISP changed stays in its range), fewer than min_tokens other tokens
// did (an office NAT, a carrier's CGNAT pool, a CI fleet or a cloud region
// the org already uses is no evidence of theft), and its wide range
// (population.wide_ipv4_prefix) is not one at least wide_min_tokens other
// people use (an ISP whose customers' addresses spread over its whole
// block; who counts once per principal, see wideKey).
//
// With wide_ranges "asn" the autonomous system that announces the address
// (an ISP, a carrier, a hosting company) is judged too: in a /8 where many
// of the org's people live, an AS fewer than min_tokens other people used
// within forget_after and its owner did not use the /8 is still rare (a
// hosting company's block inside a national ISP's /8); a network of an AS
// the owner used is near (one ISP, several blocks). It also teaches the
// population: called once per (token, network) and generation, it counts
// the token once on the coarse range and who once on the wide ones. as is
// the AS when it is what made the network rare, 0 otherwise; an AS is
// judged rare only while asCounted.
//
// An address of a hosting provider (population.hosting) is judged by its
// own network: rare when fewer than min_tokens other tokens used that
// network, and the token's own coarse network and its owner's AS are
// still near (a service redeployed within its cloud region, a VPN user
// on the provider the owner uses). Anyone rents a server on such ranges
// by the hour, so the org's other servers there make a thief's VPS next
// to them no less rare. A token that moves between a provider's networks
// every run (a CI fleet, an autoscaling service) keeps finding rare
// networks and never settles (see detectNewAddress).
func (m *model) rareNetwork(a netip.Addr, key, who uint64, c *AddressConfig) (r rarity) {
	pc := &c.Population
	if pc.MinTokens == 0 {
		return rarity{rare: true}
	}
	others, near := m.countOn(network(a, pc.IPv4Prefix, pc.IPv6Prefix), key)
	wideOthers, ownWide := m.countOn(network(a, pc.WideIPv4Prefix, pc.WideIPv6Prefix), who)
	n, known := m.asn.Lookup(a)
	if known && pc.WideRanges == wideRangesASN {
		asOthers, ownAS := m.countOnce(asPair(who, n), asValue(n), noLimit)
		near = near || ownAS
		if m.asCounted() && !ownWide && asOthers < pc.MinTokens && wideOthers >= pc.WideMinTokens {
			r.as = n
		}
	}
	if known && m.hosted(n) {
		others, _ := m.countOn(network(a, c.IPv4Prefix, c.IPv6Prefix), key)
		byAS := pc.WideRanges == wideRangesASN
		near = near || byAS && m.ownProvider(who, n)
		return rarity{rare: !near && others < pc.MinTokens, as: n, hosting: true,
			firstHosting: m.firstHosting(key, who), newProvider: byAS}
	}
	r.rare = !near && others < pc.MinTokens && (wideOthers < pc.WideMinTokens || r.as != 0)
	r.far = !near && !ownWide
	if known && pc.Hosting {
		r.serverLeft = m.serverLeft(key)
		r.ownerLeft = who != key && m.ownerLeft(who)
	}
	return r
}

// countryNews judges a person's item on its country and teaches it:
// news is a country the owner had not used within forget_after while it
// used another, that fewer than country_min_principals others used. Only
// trusted items of a user principal count (not refused at authentication,
// forged or lapsed: a forged token's claim of an owner is only a claim),
// and hosting providers' networks never do (a server's country is its
// data centre's, and they have their own rules). The owner learns the
// country either way, so a person abroad alerts once, and the population
// counts the owner in it: a country where several of the org's people
// turn up is the org's, even when each arrives from elsewhere (the eighth
// evaluation's clinicians, whose hospital's block is registered in
// another country than their homes: counting only owners to whom the
// country was no news made every one of them alert). The price: a
// campaign replaying many people's sessions from one country alerts on
// its first country_min_principals victims, then the country is the
// org's.
func (m *model) countryNews(ev *event, a netip.Addr, r rarity, pc *PopulationConfig) (news bool, country uint32) {
	if m.countries == nil || r.hosting || ev.principal == "" || ev.principalType != auditattr.PrincipalUser || ev.refusedAuth || ev.lapsed {
		return false, 0
	}
	country, ok := ipasn.Country(m.countries, a)
	if !ok {
		return false, 0
	}
	code := ipasn.CountryCode(country)
	pair, v, marker := hashPair(seedOwnerCC, ev.owner, code), hashString(seedCountry, code), hashPair(seedOwnerCC, ev.owner, "")
	cur, prev := m.population.generations(v)
	news = m.countryCounted() && m.novelty.has(marker) && !m.novelty.has(pair) && max(cur, prev) < pc.CountryMinPrincipals
	m.novelty.probe(marker) // the owner has a country
	if inCurrent, _ := m.novelty.probe(pair); !inCurrent {
		m.population.add(v)
	}
	return news, country
}

// rarity is rareNetwork's verdict: as is the AS when it is what made the
// network rare (or, on a hosting provider, the provider); firstHosting
// that neither the token nor its owner used a hosting provider's network
// within forget_after before.
//
// newProvider: a rare hosting network whose provider neither the token
// nor its owner used within forget_after (see ownProvider).
//
// serverLeft: the token had been used from hosting providers' networks
// only within forget_after (see serverLeft); ownerLeft: so had its owner's
// tokens (see ownerLeft).
//
// far: neither the network's coarse range nor its wide one, nor (with
// wide_ranges "asn") its AS, was the token's or its owner's; rare or not.
type rarity struct {
	rare, far, hosting, firstHosting, newProvider, serverLeft, ownerLeft bool
	as                                                                   uint32
}

// ownProvider reports whether who (the owner, or the token without one)
// used another AS of n's provider within forget_after: one company's
// regions and clouds are announced under several numbers, and a service
// moving between them is on its provider still. Used with wide_ranges
// "asn" only, where the (who, AS) pairs are recorded. A token whose owner
// runs on one provider and that shows up on another one the owner never
// used is judged even before it settles, as firstHosting's token is: an
// integration's hourly JWT lives too short to settle, and a thief
// replaying it from a rented server is on a provider of the thief's
// choosing (the miss of blind6's L011: an Azure integration's JWT
// replayed from OVH). Only its first far and rare network is judged so:
// a thief hopping providers alerts once, not once per provider (the
// next ones wait for the token to settle, as any token's novelties do).
func (m *model) ownProvider(who uint64, n uint32) bool {
	for _, as := range ipasn.ProviderASNs(n) {
		if as != n && m.novelty.has(asPair(who, as)) {
			return true
		}
	}
	return false
}

// firstHosting records that the token and its owner (who) used a hosting
// provider's network and reports whether neither had within forget_after.
func (m *model) firstHosting(key, who uint64) bool {
	_, token := m.novelty.probe(hashPair(seedHosting, key, "token"))
	_, owner := m.novelty.probe(hashPair(seedHosting, who, "owner"))
	return !token && !owner
}

// serverLeft records that the token used a network of an AS that is not
// a hosting provider's, and reports whether it is the first time while
// the token has used a hosting provider's network: a key that lives on
// servers (an integration, a tenant's job, a CI runner) now used from an
// ISP's or a carrier's network, as a key copied from a server to a
// thief's laptop is. firstHosting's converse, and like it the way a token
// that has not settled is still judged: a low-rate key making a few
// calls a day from its cloud never reaches min_active_hours. The owner's
// people count through rareNetwork: an AS the owner used is near (a
// partner's staff testing its key from their usual ISP); a developer who
// tests a server's key from a home the org never saw alerts once, at low
// severity. An address whose AS is unknown (private, unannounced) is
// neither.
func (m *model) serverLeft(key uint64) bool {
	_, before := m.novelty.probe(hashPair(seedOffHosting, key, "token"))
	return !before && m.novelty.has(hashPair(seedHosting, key, "token"))
}

// ownerLeft is serverLeft for the owner (who): its tokens had been used
// from hosting providers' networks only, and this is the first network of
// another AS. An integration's or a partner's hourly JWT never settles,
// and each is new, so serverLeft never judges one; the owner's history
// does: a partner whose calls all came from its cloud for days, whose
// current JWT is now used from a residential ISP as well, has lost it
// (blind7's L091: a partner JWT replayed from a residential proxy while
// the partner kept using it). Judged on the token's first far and rare
// network, with the owner's history known (ownerHistory); a partner's
// staff trying the API from their office ISP alerts once, at low
// severity. After an upgrade the owners' first networks off their clouds
// are not yet recorded, so such an owner may alert once within the
// first forget_after.
func (m *model) ownerLeft(who uint64) bool {
	_, before := m.novelty.probe(hashPair(seedOffHosting, who, "owner"))
	return !before && m.novelty.has(hashPair(seedHosting, who, "owner"))
}

// historyKnown reports whether a token not yet settled has a history long
// enough that its first hosting network is news: the token itself was
// seen learning_period ago (a low-rate API key that makes a few calls a
// week never reaches min_active_hours), or its owner was and has been
// active for a working day's hours (a user's access token lives an hour; the person
// behind it has used the app from a phone and home for days). A person's
// credential that never left residential, carrier and office networks,
// now used from a rented server, is how a stolen token looks; a key that
// moves from a developer's laptop to the cloud it was made for alerts
// once, at low severity.
// The owner's history is rate_surge's owners' table (first seen, active hours).
func (m *model) historyKnown(ev *event, st *tokenState, learning time.Duration) bool {
	return ev.at-int64(st.firstSeen)*1000 >= learning.Milliseconds() || m.ownerHistory(ev, learning) != nil
}

// ownerHistory returns the item's principal's entry in rate_surge's
// owners' table when the principal was first seen learning ago and has
// been active in ownerActiveHours hours since; nil otherwise.
func (m *model) ownerHistory(ev *event, learning time.Duration) *principalRate {
	if ev.principal == "" {
		return nil
	}
	if p := m.principalRates.get(ev.owner); p.knownFor(ev.at, learning) {
		return p
	}
	return nil
}

// knownFor reports whether the owner (nil: none) was first seen learning
// before at (unix ms) and has been active in ownerActiveHours hours since.
func (p *principalRate) knownFor(at int64, learning time.Duration) bool {
	return p != nil && at-int64(p.firstSeen)*1000 >= learning.Milliseconds() && p.activeHours >= ownerActiveHours
}

// ownerActiveHours is how many distinct hours of activity make an owner's
// history: a working day's.
const ownerActiveHours = 8

// hosted reports whether AS n is a hosting provider's (population.hosting).
func (m *model) hosted(n uint32) bool {
	_, found := slices.BinarySearch(m.hosting, n)
	return found
}

// asCounted tells whether the population's AS counts are whole. An AS is
// counted when a token first uses one of its networks in a generation,
// and a count is the larger of the current and the previous generation's;
// so a state that began counting ASes in the middle of a generation
// (loaded from one saved with "prefix", or before ASes were counted) has
// whole counts once two rotations have passed (asWait): the previous
// generation is then a whole one. Until then every AS would look rare,
// and the wide prefixes judge alone.
func (m *model) asCounted() bool { return m.asWait == 0 }

// countryCounted is asCounted for the countries: a state saved without
// them (or with the rule off) would make every owner's country new.
func (m *model) countryCounted() bool { return m.countryWait == 0 }

// asPair and asValue key an AS as the population counts it: the (who, AS)
// pair in the first-seen filter and the AS in the sketch.
func asPair(who uint64, as uint32) uint64 { return hashPair(seedOwnerAS, who, asString(as)) }
func asValue(as uint32) uint64            { return hashString(seedAS, asString(as)) }

func asString(as uint32) string {
	b := [4]byte{byte(as >> 24), byte(as >> 16), byte(as >> 8), byte(as)}
	return string(b[:])
}

// rangeTitle ends new_client_address's body: why the network is rare,
// naming the AS that announces it (as analysts look a network up).
func (m *model) rangeTitle(a netip.Addr, r rarity) string {
	if !r.rare { // serverLeft on a network the org's people use (its AS is known)
		as, _ := m.asn.Lookup(a)
		return m.inAS(as) + ", a network of people, not of servers."
	}
	asRare := r.as
	if r.hosting {
		t := "on a hosting provider's network (AS" + strconv.FormatUint(uint64(asRare), 10)
		if name := m.asn.Name(asRare); name != "" {
			t += ", " + name
		}
		t += ") that few of the org's tokens use"
		switch {
		case r.firstHosting:
			t += "; neither the token nor its owner used a hosting provider before"
		case r.newProvider:
			t += "; neither the token nor its owner used this provider before"
		}
		return t + "."
	}
	if asRare != 0 {
		return m.inAS(asRare) + ", which few of the org's people use."
	}
	t := "in a range few of the org's people use"
	if as, ok := m.asn.Lookup(a); ok {
		t += " (AS" + strconv.FormatUint(uint64(as), 10)
		if name := m.asn.Name(as); name != "" {
			t += ", " + name
		}
		t += ")"
	}
	return t + "."
}

// inAS is "in AS<n> (<name>)", the name when the table has one.
func (m *model) inAS(as uint32) string {
	t := "in AS" + strconv.FormatUint(uint64(as), 10)
	if name := m.asn.Name(as); name != "" {
		t += " (" + name + ")"
	}
	return t
}

// countOn counts the token once per generation on range p of the
// population and reports how many other tokens were on it before, and
// whether this token was (within forget_after).
func (m *model) countOn(p netip.Prefix, key uint64) (others int, near bool) {
	return m.countOnce(hashNetwork(seedCoarse, key, p), hashNetwork(seedPopulation, 0, p), noLimit)
}

// countOnce counts one who on value v of the population sketch once per
// generation (pair is the (who, value) pair in the first-seen filter) and
// reports how many others were on v before, and whether who was (within
// forget_after).
//
// who is added only while v's count in the current generation is at most
// limit (noLimit: always): a count compared with small thresholds need go
// no further, and every count is noise in the sketch's other values.
// Past the limit who is not added, so that a later call of its own still
// finds count-1 at or above it; the limit reads the current generation
// alone, or the current one would stay empty while the previous is full
// and both be empty after the next rotation.
func (m *model) countOnce(pair, v uint64, limit int) (others int, known bool) {
	inCurrent, known := m.novelty.probe(pair)
	cur, prev := m.population.generations(v)
	others = max(cur, prev)
	if inCurrent {
		others-- // counted already: not an other
	} else if cur <= limit {
		m.population.add(v)
	}
	return max(others, 0), known
}

// noLimit is countOnce's limit for counts compared with any threshold.
const noLimit = math.MaxInt

func (m *model) noveltyForgetMs() int64 {
	c := &m.cfg.Detectors
	return min(c.NewClientAddress.ForgetAfter, c.NewResource.ForgetAfter).Milliseconds()
}

// detectMultiAddress is multi_address: one token used from more distinct
// networks within window than its own habit: at least `networks`, and at
// least baseline_ratio × the most it used within one window before (a
// service spread over three zones is not a stolen token). Networks the
// population explains (a coarse network at least min_tokens tokens use,
// see rareNetwork: the office, the carrier's pool, the CI fleet) are not
// counted: a user between office, phone and home, or a pipeline running
// builds on three runners at once, is not a botnet. A token on one network
// takes the fast path (the last network is kept inline); the list of
// recent networks is allocated only when a token changes networks.
func (m *model) detectMultiAddress(ev *event, st *tokenState) {
	d := &m.det.multi
	if !d.enabled {
		return
	}
	a := ev.addr()
	if !a.IsValid() {
		return
	}
	c := &m.cfg.Detectors.MultiAddress
	p := network(a, c.IPv4Prefix, c.IPv6Prefix)
	b := p.Addr().As16()
	now := uint32(ev.at / 1000)
	if ev.at-int64(st.multiCurAt)*1000 >= c.Window.Milliseconds() {
		m.closeMultiWindow(ev, st, now) // multi_spread.go
	}
	if x := m.extras.of(st); x == nil || x.nets == nil {
		if b == st.lastNet || st.lastNetSeen == 0 {
			st.lastNet, st.lastNetSeen = b, max(st.lastNetSeen, now)
			return
		}
	}
	x := m.extras.get(st)
	settledAt := int64(st.addrNovelAt)*1000 + c.Window.Milliseconds()
	if x.nets == nil {
		last := netip.AddrFrom16(st.lastNet).Unmap()
		prev := network(last, c.IPv4Prefix, c.IPv6Prefix)
		// The network the token was on is its own when it was on it a
		// window after its last new network (not a thief's first).
		x.nets = append(x.nets, m.netSeen(prev, last, int64(st.lastNetSeen)*1000, int64(st.lastNetSeen)*1000 >= settledAt))
	}
	found := false
	for i := range x.nets {
		if x.nets[i].net == p {
			x.nets[i].at = max(x.nets[i].at, ev.at)
			found = true
		}
	}
	if !found {
		x.nets = append(x.nets, m.netSeen(p, a, ev.at, ev.knownNet && ev.at >= settledAt))
	}
	st.lastNet, st.lastNetSeen = b, max(st.lastNetSeen, now)
	cutoff := ev.at - c.Window.Milliseconds()
	x.nets = slices.DeleteFunc(x.nets, func(n netSeen) bool { return n.at < cutoff })
	if len(x.nets) > maxMultiNetworks {
		slices.SortFunc(x.nets, func(a, b netSeen) int { return compareInt64(b.at, a.at) })
		x.nets = x.nets[:maxMultiNetworks]
	}
	if len(x.nets) <= 1 {
		x.nets = nil // back to the fast path
		return
	}
	n, providers := spread(x.nets)
	threshold := max(c.Networks, int(math.Ceil(c.BaselineRatio*float64(st.multiPeak))))
	learning := ev.at-int64(st.firstSeen)*1000 < c.LearningPeriod.Milliseconds()
	byOwner, byPerson := false, false
	if learning && judgedYoung(ev, st) {
		threshold, byOwner = m.ownerSpread(ev, c)
		if !byOwner {
			threshold, byPerson = m.personSpread(ev, c)
		}
		learning = !byOwner && !byPerson
	}
	if n < threshold || learning || !d.applies(ev) {
		// The token's usual spread is learned from what it used short of an alert.
		st.multiCur = uint8(max(int(st.multiCur), n))
		return
	}
	st.flags |= flagMultiAlerted
	f := newFinding(typeMultiAddress, d, ev)
	f.hasEvidence, f.learned = true, true
	f.observed, f.baseline, f.threshold, f.window = float64(n), float64(st.multiPeak), float64(threshold), c.Window
	for _, n := range x.nets {
		if !n.explained || providers > 1 {
			f.values = append(f.values, networkName(n.net))
		}
	}
	slices.Sort(f.values)
	f.body = tokenTitle(ev.tokenID) + " was used from " + strconv.Itoa(n) + " networks within " + c.Window.String()
	switch {
	case byOwner:
		f.body += "; too young for a spread of its own, it is judged on its owner " + ev.principal + "'s tokens"
	case byPerson:
		f.body += "; too young for a spread of its own, and its owner " + ev.principal + " without a history yet, it is judged as one person's token"
	default:
		f.body += ", usually at most " + strconv.Itoa(int(st.multiPeak))
	}
	f.body += " (threshold " + strconv.Itoa(threshold) + ")"
	if providers > 1 {
		f.body += ", counting " + strconv.Itoa(providers) + " providers of the org's own networks as " + strconv.Itoa(providers-1)
	}
	f.body += ": " + strings.Join(f.values, ", ") + "."
	m.foldHeld(f, ev.key)
	m.raise(f, st)
}

// netSeen is network p of address a, seen at (unix ms), as
// multi_address counts it: explained when the population uses it, and
// then with the AS that announces it (see spread). own tells that the
// network is the token's own (see commonNetwork): known to it, and used a
// window after its last new network, so a thief's first network is not its
// own while the next ones arrive. A thief who pauses a window and comes
// back to it has it counted as the token's own: one network less toward
// the bar. A learning period instead would also strip a service of its own
// networks for a day after each new one (make outside-eval: 3 of 11
// botnets missed on keys spread over three cloud /24s).
func (m *model) netSeen(p netip.Prefix, a netip.Addr, at int64, own bool) netSeen {
	as, _ := m.asn.Lookup(a)
	n := netSeen{net: p, at: at, explained: m.commonNetwork(a, as, own)}
	if n.explained {
		n.as = as
	}
	return n
}

// maxSpreadProviders bounds the providers spread tells apart.
const maxSpreadProviders = 8

// spread counts a window's networks as multi_address judges them: each
// network the population does not explain, plus each provider (AS) of
// the explained ones past the first. A user between office Wi-Fi and a
// phone's carrier, or a phone whose carrier's CGNAT hands out a new
// address per connection, stays within one or two providers however
// many /24s it shows; a stolen session driven through residential or
// mobile proxies shows the org's own ISPs and carriers, each common,
// but many of them within minutes. providers is how many the explained
// networks came from (an address no AS announces counts as none; past
// maxSpreadProviders no more are told apart).
func spread(nets []netSeen) (n, providers int) {
	var seen [maxSpreadProviders]uint32
	for _, s := range nets {
		switch {
		case !s.explained:
			n++
		case s.as == 0 || providers == maxSpreadProviders || slices.Contains(seen[:providers], s.as):
		default:
			seen[providers] = s.as
			providers++
		}
	}
	return n + max(providers-1, 0), providers
}

// commonNetwork reports whether a's coarse or wide range is one enough
// other tokens use (see rareNetwork; learned by new_client_address, which
// has counted the token itself by now). A hosting provider's network is
// judged by itself (see rareNetwork): common when enough tokens use it,
// or when it is one of the token's own (own, see netSeen): the population no longer
// vouches for a service's own servers by their /16, so their history
// does, else a key on three cloud /24s would learn a spread of three and
// hide a botnet of four. as is the AS announcing a (0 for none), which
// the callers look up once for their own use too.
func (m *model) commonNetwork(a netip.Addr, as uint32, own bool) bool {
	c := &m.cfg.Detectors.NewClientAddress
	pc := &c.Population
	if pc.MinTokens == 0 || !m.det.newAddress.enabled {
		return false
	}
	count := func(v4, v6 int) int {
		return m.population.count(hashNetwork(seedPopulation, 0, network(a, v4, v6)))
	}
	if as != 0 && m.hosted(as) {
		return own || count(c.IPv4Prefix, c.IPv6Prefix) > pc.MinTokens
	}
	return count(pc.IPv4Prefix, pc.IPv6Prefix) > pc.MinTokens || count(pc.WideIPv4Prefix, pc.WideIPv6Prefix) > pc.WideMinTokens
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// validateNovelty checks the keys of a first-seen detector.
func validateNovelty(name string, addresses bool) func(detectorSettings, *validator) {
	return func(s detectorSettings, v *validator) {
		c := s.(*NoveltyConfig)
		if c.LearningPeriod < 0 {
			v.add("detectors.%s.learning_period: must not be negative", name)
		}
		v.positive(name+".forget_after", c.ForgetAfter)
		if c.MinActiveHours < 0 {
			v.add("detectors.%s.min_active_hours: must not be negative (0 judges every token past its learning period)", name)
		}
		v.inList(name+".outcomes", c.Outcomes, outcomes)
		if addresses {
			v.prefixes(name, c.IPv4Prefix, c.IPv6Prefix)
		}
	}
}

// noveltySpec is a first-seen detector whose outcomes compile into the set *outcomes.
func noveltySpec(name, typ string, addresses bool, field func(*DetectorsConfig) *NoveltyConfig,
	slot func(*compiledDetectors) *detector, outcomes func(*compiledDetectors) *outcomeSet,
) detectorSpec {
	return detectorSpec{
		name:     name,
		findings: []findingSeverity{{typ, sevLow}},
		field:    func(d *DetectorsConfig) detectorSettings { return field(d) },
		validate: validateNovelty(name, addresses),
		compile: func(m *model, _ *detector, s detectorSettings) error {
			*outcomes(&m.det) = outcomesOf(s.(*NoveltyConfig).Outcomes)
			return nil
		},
		stage: stageToken,
		slot:  slot,
	}
}

// newClientAddressSpec observes for new_resource too: detectNovelty judges
// both in one pass over the token's memos. Its section adds the
// population to a first-seen detector's keys.
func newClientAddressSpec() detectorSpec {
	const name = "new_client_address"
	s := noveltySpec(name, typeNewClientAddress, true,
		func(d *DetectorsConfig) *NoveltyConfig { return &d.NewClientAddress.NoveltyConfig },
		func(c *compiledDetectors) *detector { return &c.newAddress },
		func(c *compiledDetectors) *outcomeSet { return &c.addressOutcomes })
	novelty, compile := s.validate, s.compile
	s.field = func(d *DetectorsConfig) detectorSettings { return &d.NewClientAddress }
	s.validate = func(sec detectorSettings, v *validator) {
		c := sec.(*AddressConfig)
		novelty(&c.NoveltyConfig, v)
		validatePopulation(c, v)
		if c.Hold < 0 {
			v.add("detectors.new_client_address.hold: must not be negative (0, the default, raises at once; 10m, the default multi_address window, folds a botnet's first network into its multi_address)")
		}
	}
	s.compile = func(m *model, d *detector, sec detectorSettings) error {
		c := sec.(*AddressConfig)
		if d.enabled {
			t, err := ipasn.Vendored() // names a new network's AS; judges it with wide_ranges "asn"
			if err != nil {
				return fmt.Errorf("new_client_address: %w", err)
			}
			m.asn = t
		}
		m.countries = nil // the country rule is off, and counts nothing (see countryWait)
		if d.enabled && c.Population.CountryMinPrincipals > 0 && c.Population.MinTokens > 0 {
			t, err := ipasn.VendoredCountries()
			if err != nil {
				return fmt.Errorf("new_client_address: %w", err)
			}
			m.countries = t
		}
		m.hosting = nil
		if c.Population.Hosting {
			m.hosting = append(ipasn.HostingASNs(), c.Population.HostingASNs...)
			slices.Sort(m.hosting)
		}
		return compile(m, d, &c.NoveltyConfig)
	}
	s.observe = func(m *model, _ *detector, ev *event, st *tokenState) { m.detectNovelty(ev, st, ev.key) }
	return s
}

// validatePopulation checks new_client_address.population.
func validatePopulation(c *AddressConfig, v *validator) {
	pc := c.Population
	if pc.MinTokens < 0 {
		v.add("detectors.new_client_address.population.min_tokens: must not be negative (0 turns the population check off, default 2)")
	}
	if pc.LearningPeriod < 0 {
		v.add("detectors.new_client_address.population.learning_period: must not be negative (default 72h)")
	}
	if pc.CountryMinPrincipals < 0 {
		v.add("detectors.new_client_address.population.country_min_principals: must not be negative (0 turns the country rule off, default 3)")
	}
	if pc.MinTokens <= 0 {
		return
	}
	v.prefixes("new_client_address.population", pc.IPv4Prefix, pc.IPv6Prefix)
	if pc.IPv4Prefix > c.IPv4Prefix || pc.IPv6Prefix > c.IPv6Prefix {
		v.add("detectors.new_client_address.population: prefixes /%d and /%d must be at most the detector's /%d and /%d (a coarse network holds the networks it groups)",
			pc.IPv4Prefix, pc.IPv6Prefix, c.IPv4Prefix, c.IPv6Prefix)
	}
	if pc.WideIPv4Prefix < 1 || pc.WideIPv4Prefix > pc.IPv4Prefix || pc.WideIPv6Prefix < 1 || pc.WideIPv6Prefix > pc.IPv6Prefix {
		v.add("detectors.new_client_address.population: wide prefixes /%d and /%d must be between 1 and the coarse /%d and /%d (default 8 and 20)",
			pc.WideIPv4Prefix, pc.WideIPv6Prefix, pc.IPv4Prefix, pc.IPv6Prefix)
	}
	if pc.WideRanges != wideRangesASN && pc.WideRanges != wideRangesPrefix {
		v.add("detectors.new_client_address.population.wide_ranges: %q is neither %q (the default: the address's autonomous system too) nor %q (the wide prefixes alone)",
			pc.WideRanges, wideRangesASN, wideRangesPrefix)
	}
	if slices.Contains(pc.HostingASNs, 0) {
		v.add("detectors.new_client_address.population.hosting_asns: AS 0 announces no network; list the providers' AS numbers (e.g. 14061)")
	}
	if len(pc.HostingASNs) > 0 && !pc.Hosting {
		v.add("detectors.new_client_address.population.hosting_asns: set, but hosting is false; set hosting: true for them to count")
	}
	if pc.WideMinTokens < 1 {
		v.add("detectors.new_client_address.population.wide_min_tokens: %d must be at least 1 (default 50)", pc.WideMinTokens)
	}
}

// newResourceSpec adds the population to a first-seen detector's keys.
func newResourceSpec() detectorSpec {
	s := noveltySpec("new_resource", typeNewResource, false,
		func(d *DetectorsConfig) *NoveltyConfig { return &d.NewResource.NoveltyConfig },
		func(c *compiledDetectors) *detector { return &c.newResource },
		func(c *compiledDetectors) *outcomeSet { return &c.resourceOutcomes })
	novelty, compile := s.validate, s.compile
	s.field = func(d *DetectorsConfig) detectorSettings { return &d.NewResource }
	s.validate = func(sec detectorSettings, v *validator) {
		c := sec.(*ResourceConfig)
		novelty(&c.NoveltyConfig, v)
		if c.Population.MinPrincipals < 0 {
			v.add("detectors.new_resource.population.min_principals: must not be negative (0 turns the population check off)")
		}
		if c.MinRequests < 1 || c.MinRequests > maxWindowThreshold {
			v.add("detectors.new_resource.min_requests: %d is outside 1..%d (default 3; 1 raises on the first call)", c.MinRequests, maxWindowThreshold)
		}
		if c.MinRequests > 1 {
			v.positive("new_resource.window", c.Window)
		}
		c.Cohort.validate("new_resource", v)
	}
	s.compile = func(m *model, d *detector, sec detectorSettings) error {
		return compile(m, d, &sec.(*ResourceConfig).NoveltyConfig)
	}
	return s
}

func multiAddressSpec() detectorSpec {
	return detectorSpec{
		name:     "multi_address",
		findings: []findingSeverity{{typeMultiAddress, sevMedium}},
		field:    func(d *DetectorsConfig) detectorSettings { return &d.MultiAddress },
		validate: func(s detectorSettings, v *validator) {
			m := s.(*MultiAddressConfig)
			if m.Networks < 2 || m.Networks > maxMultiNetworks {
				v.add("detectors.multi_address.networks: %d is outside 2..%d", m.Networks, maxMultiNetworks)
			}
			v.positive("multi_address.window", m.Window)
			if m.BaselineRatio < 1 {
				v.add("detectors.multi_address.baseline_ratio: %g must be at least 1 (default 2)", m.BaselineRatio)
			}
			if m.LearningPeriod < 0 {
				v.add("detectors.multi_address.learning_period: must not be negative")
			}
			if m.PersonNetworks != 0 && (m.PersonNetworks < 2 || m.PersonNetworks > maxMultiNetworks) {
				v.add("detectors.multi_address.person_networks: %d must be 0 (off) or 2..%d (default 5; below networks, networks is the bar)",
					m.PersonNetworks, maxMultiNetworks)
			}
			v.prefixes("multi_address", m.IPv4Prefix, m.IPv6Prefix)
		},
		stage:   stageToken,
		observe: func(m *model, _ *detector, ev *event, st *tokenState) { m.detectMultiAddress(ev, st) },
		slot:    func(c *compiledDetectors) *detector { return &c.multi },
	}
}
