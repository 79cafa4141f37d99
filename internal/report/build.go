package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// Options say what to report on.
type Options struct {
	Verify auditlog.VerifyOptions
	// From and To bound the event time, [From, To); zero is open.
	From, To time.Time
	// Now is the reference time for staleness and expiry; zero: To, else
	// the wall clock.
	Now time.Time
	// Policy, when set, gives the scope map and the token registry.
	Policy *policy.Policy
	// Pseudonymize, when set, replaces every principal id.
	Pseudonymize func(string) string
	// StaleAfter: a registered token unused this long is stale.
	StaleAfter time.Duration
	// ExpiringWithin: a token in use that expires this soon is listed.
	ExpiringWithin time.Duration
	// MaxLifetime: a token valid longer is listed.
	MaxLifetime time.Duration
	Limits      Limits
}

// Build verifies the log in dir, then streams it once into a Report. The
// error is for a log that cannot be read at all; a log that fails
// verification still gives a report, marked unverified.
func Build(dir string, opts Options) (*Report, error) {
	// Verification reads the whole log too: it runs beside the report's
	// pass, and the report waits for its verdict.
	type verdict struct {
		r   *auditlog.Report
		err error
	}
	verified := make(chan verdict, 1)
	go func() {
		r, err := auditlog.Verify(dir, opts.Verify)
		verified <- verdict{r, err}
	}()
	segs, err := auditlog.Segments(dir)
	if err != nil {
		<-verified
		return nil, err
	}
	a := newAggregator(opts.Limits, opts.Pseudonymize)
	if !opts.From.IsZero() {
		a.from = opts.From.UnixMilli()
	}
	if !opts.To.IsZero() {
		a.to = opts.To.UnixMilli()
	}
	if opts.Policy != nil {
		for _, e := range opts.Policy.Registered() {
			s := &regSeen{}
			for _, id := range []string{e.ID, e.JTI} {
				if id != "" {
					a.registered[id] = s
				}
			}
		}
	}
	var tooLong int64
	err = decodeLines(dir, segs, a.add, func() { tooLong++ })
	v := <-verified
	if v.err != nil {
		return nil, fmt.Errorf("verify %s: %w", dir, v.err)
	}
	vr := v.r
	a.totals.Unreadable += tooLong
	a.totals.Records += tooLong

	r := &Report{Generated: time.Now().UTC(), Directory: dir, Pseudonymized: opts.Pseudonymize != nil}
	if !opts.From.IsZero() {
		f := opts.From.UTC()
		r.From = &f
	}
	if !opts.To.IsZero() {
		t := opts.To.UTC()
		r.To = &t
	}
	r.ReferenceTime = opts.Now
	if r.ReferenceTime.IsZero() {
		r.ReferenceTime = opts.To
	}
	if r.ReferenceTime.IsZero() {
		r.ReferenceTime = time.Now()
	}
	r.ReferenceTime = r.ReferenceTime.UTC()
	r.Integrity = integrity(vr)
	a.finish(r, opts)
	if err != nil {
		r.Notes = append(r.Notes, "not all of the log could be read: "+err.Error())
	}
	r.Verdict = r.verdict()
	return r, nil
}

func integrity(vr *auditlog.Report) Integrity {
	in := Integrity{
		Verified: vr.OK(), Origin: vr.Origin, Records: vr.Records, TreeSize: vr.TreeSize,
		Checkpoints: vr.Checkpoints, SignedRecords: vr.Latest.Size, Unsigned: vr.Unsigned,
		Segments: len(vr.Segments),
	}
	if !vr.Latest.Time.IsZero() {
		in.LastCheckpoint = vr.Latest.Time.UTC()
	}
	for _, p := range vr.Problems {
		in.Problems = append(in.Problems, p.String())
	}
	return in
}

func ms(t int64) time.Time { return time.UnixMilli(t).UTC() }

func msPtr(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	v := ms(t)
	return &v
}

func resources(t *topMap[resAgg]) ([]ResourceUse, Rest) {
	var out []ResourceUse
	for _, k := range t.top() {
		out = append(out, ResourceUse{Resource: k, Outcomes: t.m[k].o})
	}
	keys, n := t.rest()
	return out, Rest{keys, n}
}

// finish turns the aggregates into the report.
func (a *aggregator) finish(r *Report, opts Options) {
	r.Totals = a.totals
	r.Timeline = a.clock.timeline()
	r.Activity = Activity{
		Outcomes: a.activity,
		Requests: a.requests.values(&a.clock),
		Failed:   a.failed.values(&a.clock),
		Findings: a.findingsTS.values(&a.clock),
	}
	for i, id := range a.tokens.top() {
		ta := a.tokens.m[id]
		t := Token{
			ID: id, Type: ta.typ, Status: ta.status, Requests: ta.o.Total(), Outcomes: ta.o,
			IssuedAt: msPtr(ta.issued), ExpiresAt: msPtr(ta.expires), Findings: ta.findings,
		}
		if ta.resources == nil { // only findings named it
			r.Tokens = append(r.Tokens, t)
			continue
		}
		t.FirstSeen, t.LastSeen = ms(ta.first), ms(ta.last)
		t.Resources, t.OtherResources = resources(ta.resources)
		t.Principals, t.ClientAddresses, t.Violations = ta.principals.report(), ta.clients.report(), ta.violations.report()
		granted := make([]string, 0, len(ta.scopes))
		for s := range ta.scopes {
			granted = append(granted, s)
		}
		if e := a.entry(opts.Policy, id, ta.jti); len(granted) == 0 && e != nil {
			granted = append(granted, e.Scopes...)
		}
		sort.Strings(granted)
		var used []string
		for k, v := range ta.resources.m {
			if v.o.Success > 0 {
				used = append(used, k)
			}
		}
		sort.Strings(used)
		t.Scopes = scopeAnalysis(opts.Policy, granted, used, ta.resources.droppedKeys > 0)
		if i < a.lim.Series {
			t.Series = ta.series.values(&a.clock)
		}
		r.Tokens = append(r.Tokens, t)
	}
	keys, n := a.tokens.rest()
	r.OtherTokens = Rest{keys, n}
	for i, id := range a.principals.top() {
		pa := a.principals.m[id]
		p := Principal{ID: id, Requests: pa.o.Total(), Outcomes: pa.o, FirstSeen: ms(pa.first), LastSeen: ms(pa.last)}
		p.Resources, p.OtherResources = resources(pa.resources)
		p.Tokens, p.ClientAddresses = pa.tokens.report(), pa.clients.report()
		if i < a.lim.Series {
			p.Series = pa.series.values(&a.clock)
		}
		r.Principals = append(r.Principals, p)
	}
	keys, n = a.principals.rest()
	r.OtherPrincipals = Rest{keys, n}
	for _, k := range a.failures.top() {
		fa := a.failures.m[k]
		f := fa.f
		f.First, f.Last = ms(fa.first), ms(fa.last)
		r.Failures = append(r.Failures, f)
	}
	keys, n = a.failures.rest()
	r.OtherFailures = Rest{keys, n}
	r.Findings = a.findings
	r.Findings.ByType, r.Findings.BySeverity = a.byType.report(), a.bySev.report()
	r.Lifecycle = a.lifecycle
	if a.lifeMore > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d more lifecycle events are not listed", a.lifeMore))
	}
	r.Hygiene = a.hygiene(r, opts)
	r.Compliance = a.compliance()
	if a.tokens.droppedKeys > 0 || a.principals.droppedKeys > 0 {
		r.Notes = append(r.Notes, "more tokens or principals than the report keeps: counts of the listed ones are lower bounds")
	}
	if opts.Policy == nil {
		r.Notes = append(r.Notes, "no -policy: scopes used versus granted and stale registered tokens are not analysed")
	}
}

func (a *aggregator) entry(p *policy.Policy, id, jti string) *policy.Entry {
	if p == nil {
		return nil
	}
	return p.Lookup(id, jti, "")
}
