package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// catalogue is the scopes of the scenario's API and the resources each allows.
var catalogue = []struct {
	scope     string
	resources []string
}{
	{"orders:read", []string{"GET /orders", "GET /orders/{id}"}},
	{"orders:write", []string{"POST /orders", "PUT /orders/{id}"}},
	{"users:read", []string{"GET /users/{id}"}},
	{"reports", []string{"GET /reports"}},
	{"admin", []string{"DELETE /admin/users/{id}"}},
}

// normalScopes are the scopes normal tokens hold (admin is only injected).
const normalScopes = 4

type kind uint8

const (
	kindUser kind = iota
	kindService
	kindBusy
)

type token struct {
	id, typ, principal, ptype string
	kind                      kind
	net                       string   // "a.b.c": the token's /24
	clients                   []string // addresses in it (users' DHCP leases)
	scopes, resources         []string
	rate                      float64 // requests per hour (busy: per minute) at the daily mean
	issuedAt, expiresAt       int64
	registered                bool
	from, until               time.Time // normal traffic only within [from, until)
	gapFrom, gapUntil         time.Time // and not within [gapFrom, gapUntil)
	used                      bool      // reserved by an injection
	n                         int       // requests made, to cycle resources first
}

type generator struct {
	cfg    Config
	rnd    *rand.Rand
	tokens []*token
	events []Event
	labels []Label
	nets   int // networks handed out
	thefts int // attackers' networks handed out
	end    time.Time
}

func newGenerator(cfg Config) *generator {
	return &generator{
		cfg: cfg,
		rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x70_6b_65_6e)),
		end: cfg.Start.Add(time.Duration(cfg.Days) * day),
	}
}

// newNet hands out a distinct /24 network.
func (g *generator) newNet() string {
	g.nets++
	return fmt.Sprintf("%d.%d.%d", 11+g.nets>>16, (g.nets>>8)&255, g.nets&255)
}

// attackerNet hands out a distinct /24 of a hosting range none of the
// org's tokens use, each in a /16 of its own: a thief's network, not one
// next to the org's own leases.
func (g *generator) attackerNet() string {
	g.thefts++
	firsts := [...]int{45, 91, 103, 146, 185, 193}
	return fmt.Sprintf("%d.%d.%d", firsts[g.thefts%len(firsts)], g.thefts&255, (g.thefts*37)&255)
}

func (g *generator) tokenID() string {
	return fmt.Sprintf("tok_%016x%016x", g.rnd.Uint64(), g.rnd.Uint64())
}

func (g *generator) population() {
	start := g.cfg.Start.Unix()
	mk := func(k kind, i int) *token {
		t := &token{id: g.tokenID(), kind: k, net: g.newNet(), from: g.cfg.Start, until: g.end}
		n := 1 + g.rnd.IntN(2)
		for _, j := range g.rnd.Perm(normalScopes)[:n] {
			t.scopes = append(t.scopes, catalogue[j].scope)
			t.resources = append(t.resources, catalogue[j].resources...)
		}
		switch k {
		case kindUser:
			t.typ, t.principal, t.ptype = auditattr.TypeJWT, fmt.Sprintf("user-%d", i), auditattr.PrincipalUser
			t.rate = 3 + 5*g.rnd.Float64()
		case kindService:
			t.typ, t.principal, t.ptype = auditattr.TypeAPIKey, fmt.Sprintf("svc-%d", i), auditattr.PrincipalService
			if i%2 == 0 {
				t.typ = auditattr.TypeJWT
			}
			t.rate = 0.5 + 2.5*g.rnd.Float64()
			t.registered = i%4 == 0
		case kindBusy:
			t.typ, t.principal, t.ptype = auditattr.TypeAPIKey, fmt.Sprintf("batch-%d", i), auditattr.PrincipalService
			t.rate = 1 + 4*g.rnd.Float64()
			t.from = g.end.Add(-2 * day)
		}
		if t.typ == auditattr.TypeJWT {
			t.issuedAt, t.expiresAt = start-100*86400, start+200*86400
		}
		return t
	}
	for i := range g.cfg.Users {
		g.tokens = append(g.tokens, mk(kindUser, i))
	}
	for i := range g.cfg.Services {
		g.tokens = append(g.tokens, mk(kindService, i))
	}
	for i := range g.cfg.Busy {
		g.tokens = append(g.tokens, mk(kindBusy, i))
	}
}

// poisson draws from Poisson(λ) (Knuth for small λ, normal otherwise).
func (g *generator) poisson(lambda float64) int {
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*g.rnd.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rnd.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// diurnal is the daily swing of services: ±50% around the mean, peaking
// mid-afternoon.
func diurnal(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 1 + 0.5*math.Sin(2*math.Pi*(h-9)/24)
}

// normal makes every token's normal traffic.
func (g *generator) normal() {
	expected := 10000.0
	for _, t := range g.tokens {
		switch t.kind {
		case kindUser:
			expected += t.rate * 8 * float64(g.cfg.Days)
		case kindService:
			expected += t.rate * 24 * float64(g.cfg.Days)
		case kindBusy:
			expected += t.rate * 60 * 24 * 2
		}
	}
	g.events = make([]Event, 0, int(expected*1.1))
	for _, t := range g.tokens {
		switch t.kind {
		case kindUser:
			for d := 0; d < g.cfg.Days; d++ {
				day0 := g.cfg.Start.Add(time.Duration(d) * day)
				if wd := day0.Weekday(); wd == time.Saturday || wd == time.Sunday {
					continue
				}
				n := g.poisson(t.rate * 8)
				for range n {
					g.request(t, day0.Add(9*time.Hour+time.Duration(g.rnd.Int64N(int64(8*time.Hour)))), -1)
				}
			}
		case kindService:
			for h := g.cfg.Start; h.Before(g.end); h = h.Add(time.Hour) {
				for range g.poisson(t.rate * diurnal(h)) {
					g.request(t, h.Add(time.Duration(g.rnd.Int64N(int64(time.Hour)))), -1)
				}
			}
		case kindBusy:
			for m := t.from; m.Before(g.end); m = m.Add(time.Minute) {
				for range g.poisson(t.rate * diurnal(m)) {
					g.request(t, m.Add(time.Duration(g.rnd.Int64N(int64(time.Minute)))), -1)
				}
			}
		}
	}
}

// request adds one normal-looking request of t at at, if t is in use then.
func (g *generator) request(t *token, at time.Time, label int) *Event {
	if label < 0 && (at.Before(t.from) || !at.Before(t.until) || (!at.Before(t.gapFrom) && at.Before(t.gapUntil))) {
		return nil
	}
	res := t.resources[g.rnd.IntN(len(t.resources))]
	if t.n < len(t.resources) {
		res = t.resources[t.n] // use every resource early, as real clients do
	}
	t.n++
	if t.clients == nil {
		hosts := 1
		if t.kind == kindUser {
			hosts = 4
		}
		for range hosts {
			t.clients = append(t.clients, fmt.Sprintf("%s.%d", t.net, 10+g.rnd.IntN(200)))
		}
	}
	outcome := auditattr.OutcomeSuccess
	if label < 0 && g.rnd.Float64() < 0.003 {
		outcome = auditattr.OutcomeFailure
	}
	g.events = append(g.events, Event{
		At: at, TokenID: t.id, TokenType: t.typ, Principal: t.principal, PrincipalType: t.ptype,
		Resource: res, Action: action(res), Outcome: outcome, Client: t.clients[g.rnd.IntN(len(t.clients))],
		Scopes: t.scopes, IssuedAt: t.issuedAt, ExpiresAt: t.expiresAt, Label: label,
	})
	return &g.events[len(g.events)-1]
}

func action(resource string) string {
	switch {
	case strings.HasPrefix(resource, "GET "):
		return auditattr.ActionRead
	case strings.HasPrefix(resource, "POST "):
		return auditattr.ActionCreate
	case strings.HasPrefix(resource, "PUT "):
		return auditattr.ActionUpdate
	case strings.HasPrefix(resource, "DELETE "):
		return auditattr.ActionDelete
	}
	return auditattr.ActionOther
}

func (g *generator) finish() *Scenario {
	// Sort an index: moving the events themselves would copy far more.
	idx := make([]int32, len(g.events))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := g.events[a].At.Compare(g.events[b].At); c != 0 {
			return c
		}
		return int(a - b)
	})
	sorted := make([]Event, len(g.events))
	for i, j := range idx {
		sorted[i] = g.events[j]
	}
	g.events = sorted
	var p strings.Builder
	p.WriteString("# Generated by internal/scenario.\nscopes:\n")
	for _, c := range catalogue {
		fmt.Fprintf(&p, "  %q: [%s]\n", c.scope, quoteAll(c.resources))
	}
	p.WriteString("registry:\n  tokens:\n")
	for _, t := range g.tokens {
		if t.registered {
			fmt.Fprintf(&p, "    - {id: %s, name: %s-token, owner: %s, owner_type: service, created_at: %s}\n",
				t.id, t.principal, t.principal, g.cfg.Start.Add(-30*day).Format(time.RFC3339))
		}
	}
	return &Scenario{Config: g.cfg, Events: g.events, Labels: g.labels, Policy: p.String()}
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
