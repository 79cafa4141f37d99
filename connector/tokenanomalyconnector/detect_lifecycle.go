package tokenanomalyconnector

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// detectLifecycle runs the detectors about a token's life: it came back
// after a long silence (resurrected_token), it expires soon while in use
// (expiring_soon), it lives too long (excessive_lifetime), it holds
// scopes it did not use over the tracking period (unused_scopes).
func (m *model) detectLifecycle(ev *event, st *tokenState, created bool) {
	var prior int64 // when the token was last used before this item, unix ms
	if !created {
		prior = int64(st.lastSeen) * 1000
	}
	var reg *regEntry
	if ev.reg >= 0 {
		reg = &m.reg.entries[ev.reg]
		k := reg.key
		prior = max(prior, m.regSeen[k])
		if m.regSeen[k] == 0 && m.staleCandidate(reg, ev.at) {
			m.discovered(ev.at)
		}
		if ev.at > m.regSeen[k] {
			m.regSeen[k] = ev.at
		}
	}
	m.detectResurrected(ev, st, prior, reg)
	m.detectExpiring(ev, st)
	m.detectLifetime(ev, st)
	m.detectUnusedScopes(ev, st)
}

// detectResurrected is resurrected_token: a token used after idle_after
// without use, once per silence. The last use is the later of the
// connector's own sighting and, for a registered token, the registry's
// last_used_at, which proves idle time the connector did not watch (as
// for stale_token): a key dormant for months is caught on its first use
// in the connector's first week. A registry that records no use
// (last_used_at: never) dates the silence from created_at: a key never
// used for months that is suddenly used is the same risk as one woken
// after months. A created_at alone proves nothing about use and is not
// a last use.
func (m *model) detectResurrected(ev *event, st *tokenState, prior int64, reg *regEntry) {
	d := &m.det.resurrected
	idleAfter := m.cfg.Detectors.ResurrectedToken.IdleAfter
	fromRegistry := reg != nil && reg.lastUsed > prior
	if fromRegistry {
		prior = reg.lastUsed
	}
	if !d.enabled || prior == 0 || ev.at-prior < idleAfter.Milliseconds() || !d.applies(ev) {
		return
	}
	idle := time.Duration(ev.at-prior) * time.Millisecond
	f := newFinding(typeResurrectedToken, d, ev)
	f.discriminator = strconv.FormatInt(prior, 10) // one finding per silence
	f.hasEvidence = true
	f.observed, f.threshold, f.window = idle.Seconds(), idleAfter.Seconds(), idleAfter
	dormant := " (dormant after " + roundDays(idleAfter) + ")."
	switch {
	case fromRegistry && reg.never:
		f.body = tokenTitle(ev.tokenID) + " was used for the first time " + roundDays(idle) + " after its creation; the registry records no use" + dormant
	case fromRegistry:
		f.body = tokenTitle(ev.tokenID) + " was used again after " + roundDays(idle) + " without use, by the registry's last use at " +
			time.UnixMilli(prior).UTC().Format(time.RFC3339) + dormant
	default:
		f.body = tokenTitle(ev.tokenID) + " was used again after " + roundDays(idle) + " without use" + dormant
	}
	m.raise(f, st)
}

// detectExpiring is expiring_soon: a credential in successful use that
// will expire within the window and break what uses it, once per expiry.
// Only a token that outlives the window is judged (expiresBeyondWindow):
// a token whose whole life fits in the window is short-lived by design
// and renewed by its client (a 12-hour session JWT expires within a week
// from the moment it is issued).
func (m *model) detectExpiring(ev *event, st *tokenState) {
	d := &m.det.expiring
	if !d.enabled || ev.expiresAt <= 0 || st.flags&flagExpiringAlerted != 0 || ev.outcome != auditattr.OutcomeSuccess {
		return
	}
	within := m.cfg.Detectors.ExpiringSoon.Within
	left := ev.expiresAt*1000 - ev.at
	if left <= 0 || left > within.Milliseconds() || !expiresBeyondWindow(ev, st, within) || !d.applies(ev) {
		return
	}
	st.flags |= flagExpiringAlerted
	f := newFinding(typeExpiringSoon, d, ev)
	f.discriminator = strconv.FormatInt(ev.expiresAt, 10)
	f.hasEvidence = true
	f.observed, f.threshold, f.window = float64(left)/1000, within.Seconds(), within
	f.values = []string{time.Unix(ev.expiresAt, 0).UTC().Format(time.RFC3339)}
	f.body = tokenTitle(ev.tokenID) + " is in use and expires in " + roundDays(time.Duration(left)*time.Millisecond) +
		", at " + f.values[0] + "."
	m.raise(f, st)
}

// expiresBeyondWindow tells whether a token lives longer than within:
// by its lifetime (issued_at, the JWT's iat or the registry's
// created_at, to expires_at), else, with no issue time, by the
// connector having seen it in use before it entered the window (it
// crossed into the window while in use).
func expiresBeyondWindow(ev *event, st *tokenState, within time.Duration) bool {
	w := int64(within.Seconds())
	if ev.issuedAt > 0 && ev.issuedAt < ev.expiresAt {
		return ev.expiresAt-ev.issuedAt > w
	}
	return int64(st.firstSeen) < ev.expiresAt-w
}

// detectLifetime is excessive_lifetime: issued for longer than
// max_lifetime, or (missing_expiry) a JWT without exp; once per token.
func (m *model) detectLifetime(ev *event, st *tokenState) {
	c := &m.cfg.Detectors
	d := &m.det.lifetime
	if !d.enabled || st.flags&flagLifetimeAlerted != 0 {
		return
	}
	maxLife := c.ExcessiveLifetime.MaxLifetime
	switch {
	case ev.expiresAt > 0 && ev.issuedAt > 0 && ev.expiresAt > ev.issuedAt:
		life := time.Duration(ev.expiresAt-ev.issuedAt) * time.Second
		if life <= maxLife || !d.applies(ev) {
			return
		}
		f := newFinding(typeExcessiveLifetime, d, ev)
		f.hasEvidence = true
		f.observed, f.threshold = life.Seconds(), maxLife.Seconds()
		f.body = tokenTitle(ev.tokenID) + " lives " + roundDays(life) + ", longer than the " + roundDays(maxLife) + " allowed."
		st.flags |= flagLifetimeAlerted
		m.raise(f, st)
	case ev.expiresAt == 0 && c.ExcessiveLifetime.MissingExpiry && ev.tokenType == auditattr.TypeJWT && d.applies(ev):
		f := newFinding(typeExcessiveLifetime, d, ev)
		f.discriminator = "no_expiry"
		f.body = tokenTitle(ev.tokenID) + " is a JWT without an expiry."
		st.flags |= flagLifetimeAlerted
		m.raise(f, st)
	}
}

// detectUnusedScopes is unused_scopes, as IAM Access Analyzer judges
// unused permissions: over each tracking period, the granted scopes that
// allowed none of the token's successful calls. A token is judged only
// once it has been watched for a whole period, so a new token is never
// called over-permissioned; the judgement comes with its first call after
// the period ends. A token whose issue date (its iat, else the registry's
// created_at) proves it has held its scopes for the tracking period is
// judged after observation_period instead: long enough to see a scope
// used weekly.
func (m *model) detectUnusedScopes(ev *event, st *tokenState) {
	d := &m.det.unusedScopes
	if !d.enabled || !m.reg.hasScopes {
		return
	}
	c := &m.cfg.Detectors.UnusedScopes
	period := c.TrackingPeriod
	early := false
	if ev.issuedAt > 0 && int64(st.scopeStart)-ev.issuedAt >= int64(period.Seconds()) {
		period = min(period, c.ObservationPeriod)
		early = period < c.TrackingPeriod
	}
	now := uint32(ev.at / 1000)
	var using uint64 // the scopes this call uses; looked up only for a token that holds some
	if st.granted|ev.scopeBits != 0 && ev.outcome == auditattr.OutcomeSuccess && ev.resource != "" {
		using = m.scopes.allows(ev.resource)
	}
	if ev.at-int64(st.scopeStart)*1000 >= period.Milliseconds() {
		// The call that ends the period is judged with it: a token is
		// not told it left unused the scope it is using (a merchant's
		// first refund in nine days raised "did not use refunds:write").
		unused := st.granted &^ st.used &^ using
		if early {
			unused &^= m.scopesPeersUse(ev, unused)
		}
		if st.granted != 0 && unused != 0 && d.applies(ev) {
			f := newFinding(typeUnusedScopes, d, ev)
			f.values = m.scopes.namesOf(unused)
			f.discriminator = strings.Join(f.values, " ")
			f.hasEvidence = true
			f.observed, f.baseline, f.window = float64(len(f.values)), float64(popcount(st.granted)), period
			f.body = tokenTitle(ev.tokenID) + " did not use " + strconv.Itoa(len(f.values)) + " of its " +
				strconv.Itoa(popcount(st.granted)) + " scopes within " + roundDays(period) + ": " + strings.Join(f.values, ", ") + "."
			m.raise(f, st)
		}
		st.scopeStart, st.used, st.granted = now, 0, 0
	}
	st.granted |= ev.scopeBits
	if newly := using & st.granted &^ st.used; newly != 0 {
		m.countScopeUse(ev, newly)
		st.used |= newly
	}
}

// detectStale is stale_token, run as event time passes: a registered
// token unused for idle_after since its last use. The registry's
// last_used_at (or never) proves the idle time before the connector
// watched, so such a token is judged at once; a token with only a
// created_at is judged once the connector has watched it unseen for
// staleWatch. It alerts once per silence.
func (m *model) detectStale() {
	d := &m.det.stale
	if !d.enabled || len(m.reg.entries) == 0 {
		return
	}
	c := &m.cfg.Detectors.StaleToken
	idleAfter := c.IdleAfter
	for i := range m.reg.entries {
		e := &m.reg.entries[i]
		last, proven := m.regLast(e)
		if m.watermark-last < idleAfter.Milliseconds() || m.staleAlerted[e.key] == last {
			continue
		}
		if !proven && m.watermark-m.since < m.staleWatch() {
			continue // a token used weekly may still show up
		}
		probe := event{tokenID: e.id, principal: e.owner, at: m.watermark, reg: int32(i)}
		if !d.applies(&probe) {
			continue
		}
		m.staleAlerted[e.key] = last
		idle := time.Duration(m.watermark-last) * time.Millisecond
		f := &finding{
			typ: typeStaleToken, sev: d.severity[typeStaleToken], dryRun: d.dryRun, at: m.watermark,
			tokenID: e.id, principal: e.owner, discriminator: e.key + "@" + strconv.FormatInt(last, 10),
			hasEvidence: true, observed: idle.Seconds(), threshold: idleAfter.Seconds(), window: idleAfter,
		}
		if e.id == "" {
			f.values = []string{e.key}
		}
		name := e.name
		if name == "" {
			name = e.key
		}
		if proven {
			f.body = "Registered token " + name + " has not been used for " + roundDays(idle) + " (stale after " + roundDays(idleAfter) + ")."
		} else {
			// Only the creation date and the connector's own watch say so:
			// the alert says what was observed, not a use it cannot know.
			watched := time.Duration(m.watermark-m.since) * time.Millisecond
			f.body = "Registered token " + name + " was created " + roundDays(idle) + " ago and has not been seen in the " + roundDays(watched) +
				" watched; the registry records no last use (stale after " + roundDays(idleAfter) + " unused)."
		}
		m.raise(f, nil)
	}
}

// staleCandidate tells whether a registered token would be judged on its
// created_at alone at time at, were it not seen: only the discovery of
// such tokens says how long the unseen ones must be watched (a token
// issued last week, or one whose registry records its last use, says
// nothing about them).
func (m *model) staleCandidate(e *regEntry, at int64) bool {
	return e.lastUsed == 0 && e.created > 0 && at-e.created >= m.cfg.Detectors.StaleToken.IdleAfter.Milliseconds()
}

// discoveryQuantile is the share of the discovered tokens whose first
// sighting sets the watch: one dormant token woken late (an attacker's,
// say) does not hold up the judgment of the rest of a large registry,
// while in a registry of fewer than 1,000 the last one found counts. At
// 0.99 the field runs judged on day 3.25 and called 1-3 late users stale
// per 10,000 tokens; at 0.999, on day 5.3, none.
const discoveryQuantile = 0.999

// discovered notes the first sighting, at event time at, of a registered
// token old enough to be stale.
func (m *model) discovered(at int64) {
	h := int(max(0, at-m.since) / time.Hour.Milliseconds())
	last := int(m.cfg.Detectors.StaleToken.ObservationPeriod / time.Hour) // later ones change nothing
	h = min(h, last)
	if h >= len(m.regDiscovered) {
		m.regDiscovered = append(m.regDiscovered, make([]uint32, h+1-len(m.regDiscovered))...)
	}
	m.regDiscovered[h]++
}

// staleWatch is how long the connector watches before it judges a
// registered token it never saw on its created_at, in ms: twice the time
// by which it had first seen 99.9% of the registered tokens old enough to
// be stale that it found in use, within [min_observation_period,
// observation_period]. While such tokens still show up for the first
// time, rarer ones may follow; once the watch has gone on as long again,
// the registry's active tokens have been seen (weekly jobs, found through
// the week, hold the judgment to observation_period).
func (m *model) staleWatch() int64 {
	c := &m.cfg.Detectors.StaleToken
	full := c.ObservationPeriod.Milliseconds()
	if c.MinObservationPeriod <= 0 || c.MinObservationPeriod >= c.ObservationPeriod {
		return full
	}
	var total uint64
	for _, n := range m.regDiscovered {
		total += uint64(n)
	}
	need := uint64(math.Ceil(discoveryQuantile * float64(total)))
	var until, seen uint64 // hours of the watch holding need discoveries
	for h, n := range m.regDiscovered {
		if seen >= need {
			break
		}
		seen += uint64(n)
		until = uint64(h + 1)
	}
	discovered := int64(until) * time.Hour.Milliseconds()
	return min(full, max(c.MinObservationPeriod.Milliseconds(), 2*discovered))
}

func roundDays(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + " days"
	}
	return d.Round(time.Second).String()
}

func popcount(b uint64) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

// lifecycleSpec is a lifecycle detector with one duration key (key of
// section C). Only resurrected_token observes items, for all of them:
// detectLifecycle runs them in one pass over the token's last use.
func lifecycleSpec[C detectorSettings](name, key, typ string, sev severity, field func(*DetectorsConfig) C,
	limit func(C) time.Duration, slot func(*compiledDetectors) *detector,
) detectorSpec {
	return detectorSpec{
		name:     name,
		findings: []findingSeverity{{typ, sev}},
		field:    func(d *DetectorsConfig) detectorSettings { return field(d) },
		validate: func(s detectorSettings, v *validator) { v.positive(name+"."+key, limit(s.(C))) },
		stage:    stageToken,
		slot:     slot,
	}
}

func resurrectedTokenSpec() detectorSpec {
	s := lifecycleSpec("resurrected_token", "idle_after", typeResurrectedToken, sevMedium,
		func(d *DetectorsConfig) *IdleConfig { return &d.ResurrectedToken }, func(c *IdleConfig) time.Duration { return c.IdleAfter },
		func(c *compiledDetectors) *detector { return &c.resurrected })
	s.observe = func(m *model, _ *detector, ev *event, st *tokenState) { m.detectLifecycle(ev, st, ev.newToken) }
	return s
}

func staleTokenSpec() detectorSpec {
	s := lifecycleSpec("stale_token", "idle_after", typeStaleToken, sevLow,
		func(d *DetectorsConfig) *StaleConfig { return &d.StaleToken }, func(c *StaleConfig) time.Duration { return c.IdleAfter },
		func(c *compiledDetectors) *detector { return &c.stale })
	s.validate = func(st detectorSettings, v *validator) {
		c := st.(*StaleConfig)
		v.positive("stale_token.idle_after", c.IdleAfter)
		v.positive("stale_token.observation_period", c.ObservationPeriod)
		if c.MinObservationPeriod < 0 || c.MinObservationPeriod > c.ObservationPeriod {
			v.add("detectors.stale_token.min_observation_period: must be between 0 (always wait observation_period) and observation_period (%s), got %s",
				c.ObservationPeriod, c.MinObservationPeriod)
		}
	}
	s.stage = stageTick
	s.observe = func(m *model, _ *detector, _ *event, _ *tokenState) { m.detectStale() }
	return s
}

func expiringSoonSpec() detectorSpec {
	return lifecycleSpec("expiring_soon", "within", typeExpiringSoon, sevLow,
		func(d *DetectorsConfig) *ExpiringConfig { return &d.ExpiringSoon }, func(c *ExpiringConfig) time.Duration { return c.Within },
		func(c *compiledDetectors) *detector { return &c.expiring })
}

func excessiveLifetimeSpec() detectorSpec {
	return lifecycleSpec("excessive_lifetime", "max_lifetime", typeExcessiveLifetime, sevLow,
		func(d *DetectorsConfig) *LifetimeConfig { return &d.ExcessiveLifetime }, func(c *LifetimeConfig) time.Duration { return c.MaxLifetime },
		func(c *compiledDetectors) *detector { return &c.lifetime })
}

func unusedScopesSpec() detectorSpec {
	s := lifecycleSpec("unused_scopes", "tracking_period", typeUnusedScopes, sevLow,
		func(d *DetectorsConfig) *UnusedScopesConfig { return &d.UnusedScopes },
		func(c *UnusedScopesConfig) time.Duration { return c.TrackingPeriod },
		func(c *compiledDetectors) *detector { return &c.unusedScopes })
	s.validate = func(st detectorSettings, v *validator) {
		c := st.(*UnusedScopesConfig)
		v.positive("unused_scopes.tracking_period", c.TrackingPeriod)
		v.positive("unused_scopes.observation_period", c.ObservationPeriod)
	}
	return s
}

// scopePeers is how many principals of the token's peer group (its
// principal type and grant, scopePeerValue) other than the token's owner
// must have used a scope within the population's window
// (the novelty filter's forget_after to twice that) for a token of the
// type that did not to be judged on the whole tracking period rather than
// the observation period: a scope its peers use is one the role needs, if
// only monthly (merchants' keys that refund once a month raised
// unused_scopes for refunds:write after 8 days: 18 false alerts in the
// ninth outside evaluation), while a grant no peer uses within the
// observation period is over-permission whoever holds it.
const scopePeers = 3

// countScopeUse counts the item's owner (the token when it names none)
// once, within the population's window, among the principals of its peer
// group that used each scope in used, as resourcePopulation counts a route's
// callers. Items of no principal type are not counted: they have no peers.
func (m *model) countScopeUse(ev *event, used uint64) {
	if ev.principalType == "" {
		return
	}
	who := wideKey(ev, ev.key)
	for _, name := range m.scopes.namesOf(used) {
		m.countOnce(hashPair(seedScopePeer, who, name), scopePeerValue(ev, name), scopePeers)
	}
}

// scopesPeersUse returns the scopes among unused that at least scopePeers
// principals of the item's peer group, its owner aside, used within the
// population's window.
func (m *model) scopesPeersUse(ev *event, unused uint64) uint64 {
	if ev.principalType == "" {
		return 0
	}
	who := wideKey(ev, ev.key)
	var common uint64
	for i, name := range m.scopes.names {
		if unused&(1<<i) == 0 {
			continue
		}
		peers := m.population.count(scopePeerValue(ev, name))
		if m.novelty.has(hashPair(seedScopePeer, who, name)) {
			peers-- // its owner, with another token
		}
		if peers >= scopePeers {
			common |= 1 << i
		}
	}
	return common
}

// scopePeerValue keys a scope of the item's peer group (event.peerGroup:
// its principal type and the scopes its token holds, as new_resource's)
// in the sketch. Peers hold the same grant: tenants of a
// health plan use patients:read, and a payments tenant granted it too is
// over-permissioned (the fifth outside evaluation's labels: by principal
// type alone, the health tenants' use spared three such keys).
func scopePeerValue(ev *event, scope string) uint64 {
	return hashPair(seedScopePeer, ev.peerGroup(), scope)
}
