package report

import (
	"time"
)

// Limits cap what the report keeps while it streams. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	Tokens, Principals int // entities reported (about twice as many are kept while reading)
	Resources          int // per token or principal
	Addresses          int // client addresses per token or principal
	Related            int // principals per token, tokens per principal
	Scopes             int // granted scopes kept per token
	Failures           int // failure rows
	Findings           int // findings listed with evidence
	Lifecycle          int // lifecycle events listed
	Buckets            int // timeline buckets
	Series             int // tokens and principals given a timeline
}

// DefaultLimits are the caps a report uses unless told otherwise.
func DefaultLimits() Limits {
	return Limits{Tokens: 500, Principals: 500, Resources: 50, Addresses: 20, Related: 10,
		Scopes: 64, Failures: 200, Findings: 2000, Lifecycle: 200, Buckets: 96, Series: 10}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&l.Tokens, d.Tokens)
	fill(&l.Principals, d.Principals)
	fill(&l.Resources, d.Resources)
	fill(&l.Addresses, d.Addresses)
	fill(&l.Related, d.Related)
	fill(&l.Scopes, d.Scopes)
	fill(&l.Failures, d.Failures)
	fill(&l.Findings, d.Findings)
	fill(&l.Lifecycle, d.Lifecycle)
	fill(&l.Buckets, d.Buckets)
	fill(&l.Series, d.Series)
	return l
}

type resAgg struct{ o Outcomes }

func resCount(r *resAgg) int64 { return r.o.Total() }

type tokenAgg struct {
	o                   Outcomes
	first, last         int64
	issued, expires     int64 // ms; 0: unknown
	typ, status, jti    string
	resources           *topMap[resAgg]
	principals, clients counter
	violations          counter
	scopes              map[string]struct{}
	findings            int64
	series              series
}

type principalAgg struct {
	o           Outcomes
	first, last int64
	resources   *topMap[resAgg]
	tokens      counter
	clients     counter
	series      series
}

type failAgg struct {
	f           Failure
	first, last int64
}

// regSeen is a registered token's last use; kept for every registry entry,
// outside the caps, so a busy log cannot make a used token look stale.
type regSeen struct{ last int64 }

// aggregator holds everything the report keeps while streaming.
type aggregator struct {
	lim        Limits
	pseudo     func(string) string
	clock      clock
	totals     Totals
	activity   Outcomes
	requests   series
	failed     series
	findingsTS series
	tokens     *topMap[tokenAgg]
	principals *topMap[principalAgg]
	failures   *topMap[failAgg]
	findings   Findings
	byType     counter
	bySev      counter
	lifecycle  []LifecycleEvent
	lifeMore   int64
	registered map[string]*regSeen // by token id or jti
	pci        [6]int64
	from, to   int64 // ms; 0: open
}

func newAggregator(lim Limits, pseudo func(string) string) *aggregator {
	lim = lim.withDefaults()
	return &aggregator{
		lim:        lim,
		pseudo:     pseudo,
		clock:      clock{maxBuckets: int64(lim.Buckets)},
		tokens:     newTopMap(lim.Tokens, func(t *tokenAgg) int64 { return t.o.Total() + t.findings }),
		principals: newTopMap(lim.Principals, func(p *principalAgg) int64 { return p.o.Total() }),
		failures:   newTopMap(lim.Failures, func(f *failAgg) int64 { return f.f.Count }),
		byType:     newCounter(64),
		bySev:      newCounter(16),
		registered: map[string]*regSeen{},
	}
}

// line aggregates one record line.
func (a *aggregator) line(b []byte) {
	r, err := parseRecord(b)
	if err != nil {
		r = nil
	}
	a.add(r)
}

// add aggregates one decoded record; nil is an unreadable line.
func (a *aggregator) add(r *record) {
	a.totals.Records++
	if r == nil {
		a.totals.Unreadable++
		return
	}
	if (a.from != 0 && r.Time < a.from) || (a.to != 0 && r.Time >= a.to) {
		a.totals.OutOfPeriod++
		return
	}
	switch r.ClassUID {
	case classAPIActivity:
		a.totals.APIActivity++
		a.api(r)
	case classFinding:
		a.totals.Findings++
		a.finding(r)
	case classLifecycle:
		a.totals.Lifecycle++
		a.life(r)
	default:
		a.totals.OtherClass++
	}
}

func (a *aggregator) principalID(r *record) string {
	p := r.principal()
	if a.pseudo != nil && p != "unknown" {
		return a.pseudo(p)
	}
	return p
}

func (a *aggregator) api(r *record) {
	t := r.Time
	a.clock.observe(t)
	out := r.outcome()
	res := r.resource()
	prin := a.principalID(r)
	tok := r.API.Token.UID
	a.activity.add(out)
	a.requests.add(&a.clock, t, 1)
	failed := out == "failure" || out == "denied" || out == "error"
	if failed {
		a.failed.add(&a.clock, t, 1)
	}
	a.pciCount(r)

	if tok != "" {
		ta := a.tokens.get(tok)
		if ta.resources == nil {
			ta.resources = newTopMap(a.lim.Resources, resCount)
			ta.principals, ta.clients = newCounter(a.lim.Related), newCounter(a.lim.Addresses)
			ta.violations = newCounter(16)
			ta.scopes = map[string]struct{}{}
			ta.first = t
		}
		ta.o.add(out)
		ta.first, ta.last = min(ta.first, t), max(ta.last, t)
		ta.resources.get(res).o.add(out)
		ta.principals.add(prin, 1)
		if r.Src.IP != "" {
			ta.clients.add(r.Src.IP, 1)
		}
		for _, v := range r.Unmapped.TA.Violations {
			ta.violations.add(v, 1)
		}
		for _, s := range r.Unmapped.TA.scopes() {
			if len(ta.scopes) < a.lim.Scopes {
				ta.scopes[s] = struct{}{}
			}
		}
		if n := r.API.Token.CreatedTime; n != 0 {
			ta.issued = n
		}
		if n := r.API.Token.ExpirationTime; n != 0 {
			ta.expires = n
		}
		ta.typ, ta.status = r.Unmapped.TA.TokenType, r.Unmapped.TA.TokenStatus
		if j := r.Unmapped.TA.TokenJTI; j != "" {
			ta.jti = j
		}
		ta.series.add(&a.clock, t, 1)
		a.seen(tok, t)
		if j := r.Unmapped.TA.TokenJTI; j != "" {
			a.seen(j, t)
		}
	}

	pa := a.principals.get(prin)
	if pa.resources == nil {
		pa.resources = newTopMap(a.lim.Resources, resCount)
		pa.tokens, pa.clients = newCounter(a.lim.Related), newCounter(a.lim.Addresses)
		pa.first = t
	}
	pa.o.add(out)
	pa.first, pa.last = min(pa.first, t), max(pa.last, t)
	pa.resources.get(res).o.add(out)
	if tok != "" {
		pa.tokens.add(tok, 1)
	}
	if r.Src.IP != "" {
		pa.clients.add(r.Src.IP, 1)
	}
	pa.series.add(&a.clock, t, 1)

	if failed {
		fa := a.failures.get(tok + "\x00" + prin + "\x00" + res + "\x00" + out)
		if fa.f.Count == 0 {
			fa.f = Failure{Token: tok, Principal: prin, Resource: res, Outcome: out}
			fa.first = t
		}
		fa.f.Count++
		fa.first, fa.last = min(fa.first, t), max(fa.last, t)
		fa.f.LastClient = r.Src.IP
	}
}

func (a *aggregator) seen(id string, t int64) {
	if s, ok := a.registered[id]; ok {
		s.last = max(s.last, t)
	}
}

// pciCount counts the 10.2.2 elements an API Activity record carries.
func (a *aggregator) pciCount(r *record) {
	has := [6]bool{
		r.Actor.User.UID != "" && r.Actor.User.UID != "unknown" || r.API.Token.UID != "",
		r.ClassUID != 0 && r.ActivityName != "",
		r.Time != 0,
		r.outcome() != "unknown",
		r.Src.IP != "",
		r.resource() != "",
	}
	for i, ok := range has {
		if ok {
			a.pci[i]++
		}
	}
}

func (a *aggregator) finding(r *record) {
	t := r.Time
	a.clock.observe(t)
	a.findingsTS.add(&a.clock, t, 1)
	a.findings.Total++
	u := &r.Unmapped.TA
	typ := u.FindingType
	if typ == "" && len(r.FindingInfo.Types) > 0 {
		typ = r.FindingInfo.Types[0]
	}
	sev := u.FindingSev
	if sev == "" {
		sev = r.Severity
	}
	a.byType.add(typ, 1)
	a.bySev.add(sev, 1)
	tok := r.API.Token.UID
	if tok == "" {
		// Findings carry the token in the attribute contract only.
		tok = u.TokenID
	}
	if tok != "" {
		if ta, ok := a.tokens.m[tok]; ok {
			ta.findings++
		}
	}
	if len(a.findings.List) >= a.lim.Findings {
		a.findings.Omitted++
		return
	}
	f := Finding{
		Time: time.UnixMilli(t).UTC(), ID: r.FindingInfo.UID, Type: typ, Severity: sev,
		Title: r.FindingInfo.Title, Token: tok, Resource: r.resource(), Count: u.FindingCount,
		DryRun: u.FindingDryRun,
		Evidence: Evidence{Observed: u.Observed, Baseline: u.Baseline, Threshold: u.Threshold,
			WindowS: u.Window, Values: string(u.Values)},
	}
	if r.Actor.User.UID != "" || u.PrincipalID != "" {
		f.Principal = a.principalID(r)
	}
	if a.pseudo != nil {
		// Titles and evidence values are free text that may name people.
		f.Title, f.Evidence.Values = "", ""
	}
	a.findings.List = append(a.findings.List, f)
}

func (a *aggregator) life(r *record) {
	if len(a.lifecycle) >= a.lim.Lifecycle {
		a.lifeMore++
		return
	}
	ev := ""
	if r.Unmapped.Log != nil {
		ev = r.Unmapped.Log.Event
	}
	a.lifecycle = append(a.lifecycle, LifecycleEvent{
		Time: time.UnixMilli(r.Time).UTC(), Activity: r.ActivityName, Event: ev, Message: r.Message,
	})
}
