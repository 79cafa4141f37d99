// Package fieldsim generates labelled API traffic of a simulated
// organisation, shaped like production telemetry rather than like the
// detectors: users, services, CI pipelines and partners with their own
// habits (working days, weekend silences, cron jobs, builds on fresh
// runners, rotating home and carrier addresses), services behind an API
// gateway whose instrumentation sets client.address, background error
// rates and incidents, and export requests that mix services and carry
// event times minutes out of order. Misuse is injected and labelled with
// its finding type, token (or client address) and event-time interval.
//
// The output is OTLP pdata (spans and access-log records) with raw
// credentials, the policy the organisation would write, and the keys the
// token_audit processor needs: everything a new user would feed the
// collector.
package fieldsim // import "github.com/tokenaudit/tokenaudit/internal/fieldsim"

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// Config sizes a simulation. The same Config gives the same traffic.
type Config struct {
	Seed uint64
	// Tokens is the number of clean tokens (no misuse injected).
	Tokens int
	// Days of event time, starting on a Monday.
	Days int
	// InjectionsPerType is how many instances of each finding type are injected.
	InjectionsPerType int
	// Start is the first instant (a Monday 00:00 UTC by default).
	Start time.Time
}

// DefaultStart is Monday 2 November 2026, 00:00 UTC.
var DefaultStart = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// Sim is one simulated organisation and its traffic.
type Sim struct {
	cfg Config
	fp  *fingerprint.Fingerprinter

	// FingerprintKey is the processor's fingerprint.key.
	FingerprintKey string
	// Issuer, IssuerKID and IssuerSecret are the identity provider's HS256
	// key, for the processor's jwt.hmac_secrets.
	Issuer       string
	IssuerKID    string
	IssuerSecret []byte

	// Labels are the injected misuse, one per expected finding.
	Labels []Label

	nets     networks
	services []*service
	byScope  map[string][]*route
	tokens   []*token
	clean    int // tokens[:clean] carry no label
	injected []Request
	revoked  []revocation
	// restrictedTo are the principals the policy lets call DELETE /admin/**.
	restrictedTo []string
	attackerNext int
}

type revocation struct{ id, jti string }

// New builds the organisation, its tokens and the injected misuse.
func New(cfg Config) (*Sim, error) {
	if cfg.Tokens < 50 || cfg.Days < 3 || cfg.InjectionsPerType < 1 {
		return nil, errors.New("fieldsim: need Tokens >= 50, Days >= 3 and InjectionsPerType >= 1")
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	if cfg.Start.Weekday() != time.Monday {
		return nil, fmt.Errorf("fieldsim: Start %s is not a Monday", cfg.Start.Format(time.DateOnly))
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	asns, err := ipasn.Vendored()
	if err != nil {
		return nil, fmt.Errorf("fieldsim: %w", err)
	}
	s := &Sim{
		cfg:            cfg,
		FingerprintKey: randString(rng, hexChars, 64),
		Issuer:         "https://login.acme.example/",
		IssuerKID:      "acme-2026",
		IssuerSecret:   []byte(randString(rng, alnumChars, 48)),
		nets:           newNetworks(rng, asns),
		services:       newServices(),
		restrictedTo:   []string{"ops-lead-1@acme.example", "ops-lead-2@acme.example"},
	}
	fp, err := fingerprint.New([]byte(s.FingerprintKey), "tok_")
	if err != nil {
		return nil, fmt.Errorf("fieldsim: fingerprint key: %w", err)
	}
	s.fp = fp
	s.byScope = routesByScope(s.services)
	span := int64(cfg.Days) * int64(24*time.Hour)
	for _, svc := range s.services { // one or two incidents a week per service
		for range 1 + rng.IntN(2) {
			at := cfg.Start.Add(time.Duration(rng.Int64N(span)))
			s.incident(svc, at, time.Duration(10+rng.IntN(30))*time.Minute)
		}
		// and an export backlog of 2–10 minutes about twice a day
		for range 2 * cfg.Days {
			at := cfg.Start.Add(time.Duration(rng.Int64N(span)))
			svc.backlogs = append(svc.backlogs, [2]int64{at.Unix(), at.Add(time.Duration(120+rng.IntN(480)) * time.Second).Unix()})
		}
	}
	for i := range cfg.Tokens {
		if i < len(s.restrictedTo) { // the ops leads, who may delete users
			t := s.newToken(rng, kindUser)
			t.principal, t.scopes = s.restrictedTo[i], []string{scopeAdmin, scopeUsersRead}
			t.routes = append(pickRoutes(rng, s.byScope, t.scopes, 1), s.routesWhere(func(r *route) bool { return r.restricted })...)
			t.jwt(s, rng)
			t.id = s.fp.TokenID(t.secret())
			continue
		}
		s.newToken(rng, drawKind(rng))
	}
	s.clean = len(s.tokens)
	if err := s.inject(rng); err != nil {
		return nil, err
	}
	slices.SortStableFunc(s.injected, func(a, b Request) int { return a.At.Compare(b.At) })
	return s, nil
}

func (s *Sim) incident(svc *service, at time.Time, d time.Duration) {
	svc.incidents = append(svc.incidents, [2]int64{at.Unix(), at.Add(d).Unix()})
}

// drawKind: the population's mix.
func drawKind(rng *rand.Rand) kind {
	x := rng.Float64()
	switch {
	case x < 0.50:
		return kindUser
	case x < 0.60:
		return kindMobile
	case x < 0.75:
		return kindIntegration
	case x < 0.88:
		return kindService
	case x < 0.95:
		return kindCI
	}
	return kindPartner
}

// Start and End bound the simulated event time.
func (s *Sim) Start() time.Time { return s.cfg.Start }

// End is the first instant after the simulation.
func (s *Sim) End() time.Time { return s.cfg.Start.Add(time.Duration(s.cfg.Days) * 24 * time.Hour) }

// Days is the simulated length in days.
func (s *Sim) Days() int { return s.cfg.Days }

// CleanTokenIDs are the ids of the tokens with no injected misuse.
func (s *Sim) CleanTokenIDs() []string {
	out := make([]string, 0, s.clean)
	for _, t := range s.tokens[:s.clean] {
		out = append(out, t.id)
	}
	return out
}

// Kinds names the kind of each clean token (user, mobile, integration,
// service, ci, partner), to break false alerts down by how tokens are used.
func (s *Sim) Kinds() map[string]string {
	out := make(map[string]string, s.clean)
	for _, t := range s.tokens[:s.clean] {
		out[t.id] = kindNames[t.kind]
	}
	return out
}

// TokenIDsByJTI maps the jti of each of the org's JWTs to its token id.
func (s *Sim) TokenIDsByJTI() map[string]string {
	out := map[string]string{}
	for _, t := range s.tokens {
		if t.jti != "" {
			out[t.jti] = t.id
		}
	}
	return out
}

var kindNames = [numKinds]string{"user", "mobile", "integration", "service", "ci", "partner"}

func (s *Sim) dayIndex(t time.Time) int {
	y, m, d := t.Date()
	return y*400 + int(m)*32 + d
}

// attackerAddr is a fresh address in a network no clean token uses; each
// call gets a new /24.
func (s *Sim) attackerAddr(rng *rand.Rand) netip.Addr {
	p := s.nets.attacker
	n := p.nets[s.attackerNext%len(p.nets)]
	s.attackerNext++
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(2 + rng.IntN(250))})
}
