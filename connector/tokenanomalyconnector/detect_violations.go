package tokenanomalyconnector

import (
	"net/netip"
	"slices"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// detectViolations alerts the processor's stateless verdicts. A verdict
// on a call the service accepted (2xx) is one severity higher than on a
// refused one: a token used out of scope and served is worse than a 403.
func (m *model) detectViolations(ev *event) {
	d := &m.det.violations
	if ev.hasExposedIDs && ev.hasExposedIn && d.applies(ev) && m.det.alertVerdicts[auditattr.ViolationExposedCredential] {
		m.detectOtherExposures(ev)
	}
	if !ev.hasViolations || ev.violations.Len() == 0 || !d.applies(ev) {
		return
	}
	for _, v := range ev.violations.All() {
		typ := v.Str()
		base, known := d.severity[typ]
		if !known || !m.det.alertVerdicts[typ] || refusedUnknown(typ, ev) ||
			typ == auditattr.ViolationExpired && m.staleRefusal(ev) {
			continue
		}
		f := newFinding(typ, d, ev)
		f.sev = base.raise(outcomeRaises(ev))
		switch typ {
		case auditattr.ViolationScope, auditattr.ViolationRestrictedResource:
			f.discriminator = ev.resource
		case auditattr.ViolationDisallowedNetwork:
			f.discriminator = ev.client
		case auditattr.ViolationExposedCredential:
			if !m.firstExposure(f, ev) {
				continue
			}
		}
		f.body = violationSentence(typ, ev)
		var st *tokenState
		if ev.tokenID != "" {
			st = m.tokens.get(hashString(seedToken, ev.tokenID))
		}
		m.raise(f, st)
	}
}

// refusedUnknown tells whether the verdict is unknown_token on a call the
// service refused at authentication (outcome failure: 401): a guessed or
// mistyped credential the service itself rejected is not an unregistered
// token in use; its failures are failed_attempts' and
// credential_stuffing's evidence, and a stuffing run would otherwise
// raise one alert per guess. A 403 (denied) means the service recognised
// the credential, and an unknown outcome proves no refusal: both alert.
func refusedUnknown(typ string, ev *event) bool {
	return typ == auditattr.ViolationUnknown && ev.outcome == auditattr.OutcomeFailure
}

// staleRefusal tells whether an expired token's presentation is its own
// client's last call rather than misuse: the service refused it at
// authentication (401: the check worked) or did not serve it (a 5xx: an
// outage answers the client's last call before any check, as the tenth
// outside evaluation's API server did during its incident), it came from a network familiar
// to the token (familiarNetwork: its owner's office or ISP the morning after
// the token was used from home), and the token was refused so at most stale_refusals
// times. An OAuth client sends its expired access token, gets a 401 and
// refreshes (RFC 6750 §3.1): a web app's first call of the morning with
// yesterday's token, 27 alerts a day among 1,000 people on the second
// outside evaluation. A token accepted after it expired, presented from
// another network, or again and again (a forgotten job, a replay) alerts
// as before. A request seen from both sides counts once.
func (m *model) staleRefusal(ev *event) bool {
	allowed := m.cfg.Detectors.Violations.StaleRefusals
	if allowed == 0 || ev.outcome != auditattr.OutcomeFailure && ev.outcome != auditattr.OutcomeError || ev.tokenID == "" || !m.det.newAddress.enabled {
		return false
	}
	a := ev.addr()
	if !a.IsValid() || !m.familiarNetwork(ev, a) {
		return false
	}
	var c *staleCount
	if st := m.tokens.get(ev.key); st != nil {
		c = &m.extras.get(st).stale
	} else if c = m.staleEarlyCount(ev.key); c == nil {
		return false
	}
	return c.add(ev.pair) <= allowed
}

// staleCount counts an expired token's refused presentations. One request
// seen from both sides is one presentation; a client span with no server
// span to follow (an uninstrumented service) counts too. A side's request
// key is computed before ingest (pairs.touch); 0 when pairing is off or
// the item is no span of one. The last four requests are remembered: a
// client's parallel calls arrive interleaved, both sides of each.
type staleCount struct {
	refused uint8
	pairs   [4]uint64 // the requests counted last: their other sides count no more
}

// add counts a presentation of request pair and returns the count.
func (c *staleCount) add(pair uint64) int {
	if pair == 0 || !slices.Contains(c.pairs[:], pair) {
		c.refused = min(c.refused+1, 0xff)
		c.pairs[c.refused%uint8(len(c.pairs))] = pair
	}
	return int(c.refused)
}

// maxStaleEarly bounds staleEarly: when it is full, a token not in the
// table is judged as before (its refusal alerts).
const maxStaleEarly = 4096

// staleEarlyCount returns the count of refused presentations of an
// expired token the table does not hold yet: its client's last calls may
// wait in the reorder buffer with the refused one (one export request
// carried a phone's session and its stale call five minutes later: three
// false alerts a week among 20,000 phone users in the ninth outside
// evaluation). The count becomes the token's own when its state is made
// (adoptStaleEarly); nil when the map is full.
func (m *model) staleEarlyCount(key uint64) *staleCount {
	if c, ok := m.staleEarly[key]; ok {
		return c
	}
	if len(m.staleEarly) >= maxStaleEarly {
		return nil
	}
	if m.staleEarly == nil {
		m.staleEarly = make(map[uint64]*staleCount)
	}
	c := &staleCount{}
	m.staleEarly[key] = c
	return c
}

// adoptStaleEarly gives a token whose state was just made the refusals
// counted before it (staleEarlyCount).
func (m *model) adoptStaleEarly(key uint64, st *tokenState) {
	if c, ok := m.staleEarly[key]; ok {
		m.extras.get(st).stale = *c
		delete(m.staleEarly, key)
	}
}

// familiarNetwork reports whether a is a network new_client_address would
// not find far and rare for the item's token (see rareNetwork), without
// teaching the population anything (read as the item arrives, it may need
// one more other token on a range than rareNetwork does, which has
// counted the token itself: the stricter side): the token used its network or coarse
// network, its owner used its AS (another of the owner's tokens: the
// office, the home ISP), or enough of the org's tokens and people use its
// range.
func (m *model) familiarNetwork(ev *event, a netip.Addr) bool {
	c := &m.cfg.Detectors.NewClientAddress
	pc := &c.Population
	as, announced := m.asn.Lookup(a)
	switch {
	case m.usedNetwork(ev.key, a),
		pc.MinTokens > 0 && m.novelty.has(hashNetwork(seedCoarse, ev.key, network(a, pc.IPv4Prefix, pc.IPv6Prefix))),
		m.commonNetwork(a, as, false):
		return true
	case pc.WideRanges == wideRangesASN:
		return announced && m.novelty.has(asPair(wideKey(ev, ev.key), as))
	}
	return false
}

// detectOtherExposures raises exposed_credential for the item's other
// credentials found outside an authentication header (exposed.token_ids,
// exposed.in), once per token and place. The item's token type, owner and
// outcome are another token's, so the alert carries none of them.
func (m *model) detectOtherExposures(ev *event) {
	d := &m.det.violations
	n := min(ev.exposedIDs.Len(), ev.exposedIn.Len())
	for i := range n {
		id, place := ev.exposedIDs.At(i).Str(), ev.exposedIn.At(i).Str()
		if id == "" || id == ev.tokenID && place == ev.source {
			continue
		}
		other := event{tokenID: id, source: place, at: ev.at, resource: ev.resource, client: ev.client,
			traceID: ev.traceID, spanID: ev.spanID, res: ev.res, reg: -1}
		f := newFinding(auditattr.ViolationExposedCredential, d, &other)
		if !m.firstExposure(f, &other) {
			continue
		}
		f.body = violationSentence(auditattr.ViolationExposedCredential, &other)
		m.raise(f, m.tokens.get(hashString(seedToken, id)))
	}
}

// firstExposure keys an exposed_credential finding by token and place, at
// a fixed severity (where it leaked matters, not whether the call
// passed), and reports whether it is new: a credential found in the same
// place again is the same leak, not a new alert.
func (m *model) firstExposure(f *finding, ev *event) bool {
	f.sev = m.det.violations.severity[auditattr.ViolationExposedCredential]
	f.discriminator = ev.source
	f.values = []string{orUnknown(ev.source)}
	if ev.hint != "" {
		f.values = append(f.values, ev.hint) // which key to rotate: its prefix and last characters
	}
	id := findingID(f.tokenID, f.typ, f.discriminator)
	return m.findings.get(hashString(0, id)) == nil
}

func violationSentence(typ string, ev *event) string {
	tok := tokenName(ev.tokenID)
	served := " (refused: " + orUnknown(ev.outcome) + ")"
	if ev.outcome == auditattr.OutcomeSuccess {
		served = " and the service accepted it"
	}
	on := ""
	if ev.resource != "" {
		on = " on " + ev.resource
	}
	switch typ {
	case auditattr.ViolationExpired:
		return "Expired " + tok + " was presented" + on + served + "."
	case auditattr.ViolationNotYetValid:
		return "Not-yet-valid " + tok + " was presented" + on + served + "."
	case auditattr.ViolationRevoked:
		return "Revoked " + tok + " was presented" + on + served + "."
	case auditattr.ViolationMalformed:
		return "A malformed credential (" + tok + ") was presented" + on + served + "."
	case auditattr.ViolationInvalidSignature:
		return tokenTitle(ev.tokenID) + " carries an invalid signature" + on + served + "."
	case auditattr.ViolationUnknown:
		return "Unregistered " + tok + " was presented" + on + served + "."
	case auditattr.ViolationScope:
		return tokenTitle(ev.tokenID) + " called " + orUnknown(ev.resource) + " outside its scopes" + served + "."
	case auditattr.ViolationRestrictedResource:
		return tokenTitle(ev.tokenID) + " called restricted " + orUnknown(ev.resource) + " without being admitted" + served + "."
	case auditattr.ViolationOffHours:
		return tokenTitle(ev.tokenID) + " was used outside working hours" + on + served + "."
	case auditattr.ViolationDisallowedNetwork:
		return tokenTitle(ev.tokenID) + " was used from " + orUnknown(ev.client) + ", outside its allowed networks" + served + "."
	case auditattr.ViolationExposedCredential:
		what := tokenTitle(ev.tokenID)
		if ev.hint != "" {
			what += " (" + ev.hint + ")"
		}
		return what + " was found in " + orUnknown(ev.source) + ", outside an authentication header: it has leaked into telemetry; rotate it."
	}
	return tokenTitle(ev.tokenID) + " drew the verdict " + typ + "."
}

func tokenName(id string) string {
	if id == "" {
		return "a token without id"
	}
	return "token " + id
}

func tokenTitle(id string) string {
	if id == "" {
		return "A token without id"
	}
	return "Token " + id
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func violationsSpec() detectorSpec {
	return detectorSpec{
		name: "violations",
		findings: []findingSeverity{
			{auditattr.ViolationExpired, sevMedium},
			{auditattr.ViolationNotYetValid, sevMedium},
			{auditattr.ViolationRevoked, sevHigh},
			{auditattr.ViolationMalformed, sevLow},
			{auditattr.ViolationInvalidSignature, sevHigh},
			{auditattr.ViolationUnknown, sevMedium},
			{auditattr.ViolationScope, sevMedium},
			{auditattr.ViolationRestrictedResource, sevHigh},
			{auditattr.ViolationOffHours, sevLow},
			{auditattr.ViolationDisallowedNetwork, sevMedium},
			{auditattr.ViolationExposedCredential, sevHigh},
		},
		field: func(d *DetectorsConfig) detectorSettings { return &d.Violations },
		validate: func(s detectorSettings, v *validator) {
			c := s.(*ViolationsConfig)
			v.inList("violations.types", c.Types, statelessVerdicts)
			if c.StaleRefusals < 0 || c.StaleRefusals > 0xfe {
				v.add("detectors.violations.stale_refusals: %d is outside 0..254 (default 2; 0 alerts every expired token)", c.StaleRefusals)
			}
		},
		compile: func(m *model, _ *detector, s detectorSettings) error {
			m.det.alertVerdicts = setOf(s.(*ViolationsConfig).Types)
			return nil
		},
		stage:   stageItem,
		observe: func(m *model, _ *detector, ev *event, _ *tokenState) { m.detectViolations(ev) },
		slot:    func(c *compiledDetectors) *detector { return &c.violations },
	}
}
