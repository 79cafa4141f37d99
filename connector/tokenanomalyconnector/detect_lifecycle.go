package tokenanomalyconnector

import (
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
	if ev.reg >= 0 {
		k := m.reg.entries[ev.reg].key
		if created {
			prior = m.regSeen[k]
		}
		if ev.at > m.regSeen[k] {
			m.regSeen[k] = ev.at
		}
	}
	m.detectResurrected(ev, st, prior)
	m.detectExpiry(ev, st)
	m.detectUnusedScopes(ev, st)
}

func (m *model) detectResurrected(ev *event, st *tokenState, prior int64) {
	d := &m.det.resurrected
	idleAfter := m.cfg.Detectors.ResurrectedToken.IdleAfter
	if !d.enabled || prior == 0 || ev.at-prior < idleAfter.Milliseconds() || !d.applies(ev) {
		return
	}
	idle := time.Duration(ev.at-prior) * time.Millisecond
	f := newFinding(typeResurrectedToken, d, ev)
	f.discriminator = strconv.FormatInt(prior, 10) // one finding per silence
	f.hasEvidence = true
	f.observed, f.threshold, f.window = idle.Seconds(), idleAfter.Seconds(), idleAfter
	f.body = tokenTitle(ev.tokenID) + " was used again after " + roundDays(idle) + " without use (dormant after " + roundDays(idleAfter) + ")."
	m.raise(f, st)
}

func (m *model) detectExpiry(ev *event, st *tokenState) {
	c := &m.cfg.Detectors
	if d := &m.det.expiring; d.enabled && ev.expiresAt > 0 && st.flags&flagExpiringAlerted == 0 &&
		ev.outcome == auditattr.OutcomeSuccess {
		left := ev.expiresAt*1000 - ev.at
		if left > 0 && left <= c.ExpiringSoon.Within.Milliseconds() && d.applies(ev) {
			st.flags |= flagExpiringAlerted
			f := newFinding(typeExpiringSoon, d, ev)
			f.discriminator = strconv.FormatInt(ev.expiresAt, 10)
			f.hasEvidence = true
			f.observed, f.threshold, f.window = float64(left)/1000, c.ExpiringSoon.Within.Seconds(), c.ExpiringSoon.Within
			f.values = []string{time.Unix(ev.expiresAt, 0).UTC().Format(time.RFC3339)}
			f.body = tokenTitle(ev.tokenID) + " is in use and expires in " + roundDays(time.Duration(left)*time.Millisecond) +
				", at " + f.values[0] + "."
			m.raise(f, st)
		}
	}
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
	if ev.issuedAt > 0 && int64(st.scopeStart)-ev.issuedAt >= int64(period.Seconds()) {
		period = min(period, c.ObservationPeriod)
	}
	now := uint32(ev.at / 1000)
	if ev.at-int64(st.scopeStart)*1000 >= period.Milliseconds() {
		unused := st.granted &^ st.used
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
	if ev.outcome == auditattr.OutcomeSuccess && ev.resource != "" && st.granted != 0 {
		st.used |= m.scopes.allows(ev.resource) & st.granted
	}
}

// detectStale is stale_token, run as event time passes: a registered
// token unused for idle_after since its last use. The registry's
// last_used_at (or never) proves the idle time before the connector
// watched, so such a token is judged at once; a token with only a
// created_at is judged once the connector has watched it unseen for
// observation_period, long enough to have seen a token used weekly.
// It alerts once per silence.
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
		if !proven && m.watermark-m.since < c.ObservationPeriod.Milliseconds() {
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
		f.body = "Registered token " + name + " has not been used for " + roundDays(idle) + " (stale after " + roundDays(idleAfter) + ")."
		m.raise(f, nil)
	}
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
