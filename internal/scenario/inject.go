package scenario

import (
	"fmt"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// verdicts are the stateless findings injected as the processor would
// write them, with the outcome the service gave and how many calls present
// the token (0: one). An expired token its own client sends once or twice
// after it expired, and the service refuses, is that client's call before
// its refresh, not misuse (token_anomaly's violations.stale_refusals): the
// misuse injected is a client that keeps sending it.
var verdicts = []struct {
	verdict, outcome string
	calls            int
}{
	{auditattr.ViolationExpired, auditattr.OutcomeFailure, 3},
	{auditattr.ViolationNotYetValid, auditattr.OutcomeFailure, 0},
	{auditattr.ViolationRevoked, auditattr.OutcomeFailure, 0},
	{auditattr.ViolationMalformed, auditattr.OutcomeFailure, 0},
	{auditattr.ViolationInvalidSignature, auditattr.OutcomeFailure, 0},
	{auditattr.ViolationUnknown, auditattr.OutcomeDenied, 0},
	{auditattr.ViolationScope, auditattr.OutcomeDenied, 0},
	{auditattr.ViolationRestrictedResource, auditattr.OutcomeDenied, 0},
	{auditattr.ViolationOffHours, auditattr.OutcomeDenied, 0},
	{auditattr.ViolationDisallowedNetwork, auditattr.OutcomeDenied, 0},
}

// pick reserves an unused token of kind k matching ok.
func (g *generator) pick(k kind, ok func(*token) bool) *token {
	for _, i := range g.rnd.Perm(len(g.tokens)) {
		t := g.tokens[i]
		if t.kind == k && !t.used && (ok == nil || ok(t)) {
			t.used = true
			return t
		}
	}
	panic("scenario: not enough tokens for the injections; raise Users or Services")
}

// when is a time on the last two days (Tuesday and Wednesday with the
// default start) within office hours, so only the injected misuse is odd.
func (g *generator) when() time.Time {
	d := g.end.Add(-time.Duration(1+g.rnd.IntN(2)) * day)
	return d.Add(10*time.Hour + time.Duration(g.rnd.Int64N(int64(6*time.Hour))))
}

func (g *generator) label(start, end time.Time, token, client string, types ...string) int {
	g.labels = append(g.labels, Label{Types: types, Token: token, Client: client, Start: start, End: end})
	return len(g.labels) - 1
}

func (g *generator) anyKind() kind {
	if g.rnd.IntN(2) == 0 {
		return kindUser
	}
	return kindService
}

func (g *generator) inject() {
	n := g.cfg.PerType
	for _, v := range verdicts {
		for range n {
			t := g.pick(g.anyKind(), nil)
			at := g.when()
			l := g.label(at, at.Add(time.Minute), t.id, "", v.verdict)
			for i := range max(v.calls, 1) {
				e := g.request(t, at.Add(time.Duration(i)*15*time.Second), l)
				e.Outcome, e.Violations = v.outcome, []string{v.verdict}
			}
		}
	}
	for range n {
		g.failedAttempts()
		g.stuffing()
		g.newNetwork()
		g.newResource()
		g.multiAddress()
		g.offHours()
		g.combined()
	}
	for i := range n {
		g.surge(i%2 == 0)
	}
	for _, t := range g.tokens {
		if !t.gapUntil.IsZero() {
			l := g.label(t.gapUntil, t.gapUntil.Add(6*time.Hour), t.id, "", auditattr.FindingResurrectedToken)
			g.request(t, t.gapUntil, l)
		}
	}
}

// shape makes the injections that change tokens before their traffic is made.
func (g *generator) shape() {
	for range g.cfg.PerType {
		g.stale()
		g.resurrected()
		g.unusedScopes()
		g.expiring()
		g.lifetime()
	}
}

// settleLabels dates the stale_token labels: idle from the token's last use.
func (g *generator) settleLabels() {
	last := map[string]time.Time{}
	for i := range g.events {
		if e := &g.events[i]; e.At.After(last[e.TokenID]) {
			last[e.TokenID] = e.At
		}
	}
	kept := g.labels[:0]
	remap := map[int]int{}
	for i, l := range g.labels {
		if len(l.Types) == 1 && l.Types[0] == auditattr.FindingStaleToken {
			l.Start = last[l.Token].Add(g.cfg.StaleAfter)
			l.End = l.Start.Add(2 * time.Hour)
			if !l.Start.Before(g.end) {
				continue // would go stale after the scenario ends
			}
		}
		remap[i] = len(kept)
		kept = append(kept, l)
	}
	g.labels = kept
	for i := range g.events {
		if e := &g.events[i]; e.Label >= 0 {
			e.Label = remap[e.Label]
		}
	}
}

func (g *generator) failedAttempts() {
	t := g.pick(g.anyKind(), nil)
	at := g.when()
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingFailedAttempts)
	for i := range 15 {
		g.request(t, at.Add(time.Duration(i)*12*time.Second), l).Outcome = auditattr.OutcomeFailure
	}
}

func (g *generator) stuffing() {
	at := g.when()
	client := g.newNet() + ".66"
	l := g.label(at, at.Add(15*time.Minute), "", client, auditattr.FindingCredentialStuffing)
	for i := range 20 {
		g.events = append(g.events, Event{
			At: at.Add(time.Duration(i) * 12 * time.Second), TokenID: g.tokenID(), TokenType: auditattr.TypeBearer,
			Principal: "", Resource: "GET /orders", Action: auditattr.ActionRead, Outcome: auditattr.OutcomeFailure,
			Client: client, Label: l,
		})
	}
}

func (g *generator) newNetwork() {
	t := g.pick(g.anyKind(), nil)
	at := g.when()
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingNewClientAddress)
	net := g.attackerNet()
	for i := range 3 {
		g.request(t, at.Add(time.Duration(i)*time.Minute), l).Client = net + ".9"
	}
}

// unheld returns a resource of a normal scope the token does not hold.
func unheld(t *token) string {
	for _, c := range catalogue[:normalScopes] {
		held := false
		for _, s := range t.scopes {
			held = held || s == c.scope
		}
		if !held {
			return c.resources[0]
		}
	}
	return ""
}

// ungoverned is a resource no scope of the catalogue mentions, which the
// processor does not judge (docs/policy.md): its first call is news and
// nothing else. A resource of a scope the token does not hold would also
// raise scope_violation; this injection is new_resource alone. Each
// injection calls its own (n): several owners calling one route first
// within hours, each from their usual network, is how a release or a
// month-end looks, which new_resource's cohort shares.
func ungoverned(n int) string { return fmt.Sprintf("GET /exports/%d/{id}", n) }

func (g *generator) newResource() {
	// The filter only keeps the tokens picked as they were.
	t := g.pick(g.anyKind(), func(t *token) bool { return unheld(t) != "" })
	at := g.when()
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingNewResource)
	e := g.request(t, at, l)
	e.Resource = ungoverned(l)
	g.session(e)
}

// repeat adds a copy of e after d (a session's later call: new_resource
// and off_hours wait for min_requests), drawing nothing from the
// generator, so the traffic after the injection stays the same.
func (g *generator) repeat(e *Event, d time.Duration) {
	again := *e
	again.At = e.At.Add(d)
	g.events = append(g.events, again)
}

// session makes e the first of three calls a minute apart: a session on
// a new resource, which new_resource waits for (min_requests, 3).
func (g *generator) session(e *Event) {
	for i := 1; i < 3; i++ {
		g.repeat(e, time.Duration(i)*time.Minute)
	}
}

func (g *generator) multiAddress() {
	t := g.pick(g.anyKind(), nil)
	at := g.when()
	// The first network is also new and rare (new_client_address); the
	// two findings on one token make combined_findings.
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingMultiAddress,
		auditattr.FindingNewClientAddress, auditattr.FindingCombined)
	for i := range 4 {
		g.request(t, at.Add(time.Duration(i)*time.Minute), l).Client = g.attackerNet() + ".20"
	}
}

func (g *generator) offHours() {
	t := g.pick(kindUser, nil)
	at := g.end.Add(-time.Duration(1+g.rnd.IntN(2))*day + 2*time.Hour + time.Duration(g.rnd.Int64N(int64(2*time.Hour))))
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingOffHours)
	// A night session of a few calls: off_hours waits for min_requests (4)
	// off the profile within an hour, since a single late glance is a habit
	// of many clean users (docs/quality.md).
	var last *Event
	for i := range 2 {
		last = g.request(t, at.Add(time.Duration(i)*time.Minute), l)
	}
	// The session's later calls repeat the second one.
	for i := 1; i <= 3; i++ {
		g.repeat(last, time.Duration(i)*time.Minute)
	}
}

func (g *generator) combined() {
	t := g.pick(kindUser, func(t *token) bool { return unheld(t) != "" })
	at := g.when()
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingNewClientAddress,
		auditattr.FindingNewResource, auditattr.FindingCombined)
	e := g.request(t, at, l)
	e.Client, e.Resource = g.attackerNet()+".7", ungoverned(l)
	g.session(e)
}

// stale: a registered service token whose use stops early.
func (g *generator) stale() {
	t := g.pick(kindService, nil)
	t.registered = true
	t.until = g.cfg.Start.Add(day + time.Duration(g.rnd.Int64N(int64(2*day))))
	// The start is known once traffic exists; finishLabels fixes it.
	g.label(t.until, g.end, t.id, "", auditattr.FindingStaleToken)
}

// resurrected: an unregistered service token silent for days, then back.
func (g *generator) resurrected() {
	t := g.pick(kindService, func(t *token) bool { return !t.registered })
	t.gapFrom = g.cfg.Start.Add(day + time.Duration(g.rnd.Int64N(int64(day/2))))
	t.gapUntil = g.end.Add(-time.Duration(1+g.rnd.IntN(2)) * day).Add(time.Duration(g.rnd.Int64N(int64(12 * time.Hour))))
}

// unusedScopes: a token granted admin that it never uses.
func (g *generator) unusedScopes() {
	t := g.pick(kindService, nil)
	t.scopes = append(append([]string(nil), t.scopes...), "admin")
	g.label(g.cfg.Start.Add(g.cfg.TrackingPeriod), g.end, t.id, "", auditattr.FindingUnusedScopes)
}

// expiring: a JWT that expires a little after the scenario ends.
func (g *generator) expiring() {
	t := g.pick(kindService, nil)
	t.typ = auditattr.TypeJWT
	exp := g.end.Add(time.Duration(g.rnd.Int64N(int64(2 * day))))
	t.issuedAt, t.expiresAt = g.cfg.Start.Add(-30*day).Unix(), exp.Unix()
	g.label(exp.Add(-g.cfg.ExpiringWithin), exp, t.id, "", auditattr.FindingExpiringSoon)
}

// lifetime: a JWT valid for longer than MaxLifetime.
func (g *generator) lifetime() {
	t := g.pick(kindService, nil)
	t.typ = auditattr.TypeJWT
	t.issuedAt = g.cfg.Start.Add(-g.cfg.MaxLifetime).Unix()
	t.expiresAt = g.cfg.Start.Add(60 * day).Unix()
	g.label(g.cfg.Start, g.cfg.Start.Add(day), t.id, "", auditattr.FindingExcessiveLifetime)
}

// surge: a busy token at ten times its rate for five minutes, or a quiet
// service token making 40 requests in a minute.
func (g *generator) surge(busy bool) {
	if busy {
		t := g.pick(kindBusy, nil)
		at := g.when()
		l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingRateSurge)
		n := int(max(60, 10*t.rate) * 5)
		for i := range n {
			g.request(t, at.Add(time.Duration(i)*5*time.Minute/time.Duration(n)), l)
		}
		return
	}
	t := g.pick(kindService, nil)
	at := g.when()
	l := g.label(at, at.Add(15*time.Minute), t.id, "", auditattr.FindingRateSurge)
	for i := range 40 {
		g.request(t, at.Add(time.Duration(i)*1500*time.Millisecond), l)
	}
}

// String describes a label for test failures.
func (l Label) String() string {
	return fmt.Sprintf("%v on %s from %s to %s", l.Types, l.Key(), l.Start.Format(time.RFC3339), l.End.Format(time.RFC3339))
}
