package fieldsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// kind is how a token is used; each kind has its own traffic model.
type kind int

const (
	// kindUser: a person's long-lived API token (an IdP-issued JWT) used
	// from scripts, the CLI and the web console during their working day,
	// from the office, home and a phone.
	kindUser kind = iota
	// kindMobile: a mobile app's token: evenings and weekends, a new
	// carrier address every session.
	kindMobile
	// kindIntegration: a cron-like integration: a few calls every 15–60
	// minutes around the clock (some only at night), from fixed NAT addresses.
	kindIntegration
	// kindService: a backend service's key: steady load that follows its
	// own users' day, from its cloud region's NAT gateways.
	kindService
	// kindCI: a CI pipeline's token: bursts of calls during builds, each
	// build on a runner with a new address.
	kindCI
	// kindPartner: a partner's Basic credential on the legacy file API,
	// during the partner's business hours, from its fixed egress.
	kindPartner
	numKinds
)

// token is one credential with its owner and its habits.
type token struct {
	id        string // the processor's fingerprint of the credential
	raw       string // the credential as sent (JWT, key, user:password)
	scheme    string // "Bearer", "Basic" or "X-API-Key"
	kind      kind
	principal string
	ownerType string // user, service
	scopes    []string
	jti       string
	issuedAt  time.Time
	expiresAt time.Time // zero: no expiry
	registry  registration

	tz        *time.Location
	workStart float64 // local hour the working day starts
	workLen   float64 // hours
	rate      float64 // mean requests per active hour
	cronEvery time.Duration
	nightOnly bool
	routes    []*route
	fixed     []netip.Addr // NAT or partner addresses
	home      pool         // ISP the home address rotates in
	homeAddr  netip.Addr
	office    pool
	carrier   pool
	ua        string
	// silent tokens send nothing (registered but unused).
	silent bool
	// sent counts the requests of the last Run.
	sent int
}

// registration is what the policy's registry says about a token.
type registration struct {
	byID, byJTI   bool
	name          string
	created       time.Time
	expires       time.Time
	networks      []string
	hours         *hoursSpec
	registered    bool
	scopesInEntry bool
}

type hoursSpec struct {
	tz         string
	days       []string
	start, end string
}

var zones = func() []*time.Location {
	var out []*time.Location
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Europe/London"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			loc = time.UTC // no tzdata: the model still works, in UTC
		}
		out = append(out, loc)
	}
	return out
}()

var userAgents = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"acme-cli/2.14.1 (linux; amd64) go1.23.4",
	"python-requests/2.32.3",
	"curl/8.5.0",
}

// lognormal draws exp(N(mu, sigma)).
func lognormal(rng *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(rng.NormFloat64()*sigma)
}

// pickRoutes chooses a token's usual routes: every scope it holds gets at
// least one route it calls, so no granted scope goes unused by design.
func pickRoutes(rng *rand.Rand, byScope map[string][]*route, scopes []string, extra int) []*route {
	var out []*route
	var all []*route
	for _, s := range append([]string{""}, scopes...) {
		for _, r := range byScope[s] {
			if !r.restricted {
				all = append(all, r)
			}
		}
	}
	for _, s := range scopes {
		var rs []*route
		for _, r := range byScope[s] {
			if !r.restricted {
				rs = append(rs, r)
			}
		}
		if r := rs[rng.IntN(len(rs))]; !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for range extra {
		r := all[rng.IntN(len(all))]
		if !slices.Contains(out, r) && r.method != "DELETE" {
			out = append(out, r)
		}
	}
	return out
}

// newToken makes a token of kind k, clean by construction: registered,
// within its lifetime for the whole simulation plus a margin, calling only
// routes its scopes allow.
func (s *Sim) newToken(rng *rand.Rand, k kind) *token {
	n := len(s.tokens)
	t := &token{kind: k, tz: zones[rng.IntN(len(zones))]}
	s.tokens = append(s.tokens, t)
	start := s.cfg.Start
	// Lifetimes: issued 5–200 days before, valid for 90 days to a year, and
	// never within 14 days of expiry before the simulation ends.
	t.issuedAt = start.Add(-time.Duration(5+rng.IntN(195)) * 24 * time.Hour).Add(time.Duration(rng.IntN(86400)) * time.Second)
	minExp := start.Add(time.Duration(s.cfg.Days+14) * 24 * time.Hour)
	life := time.Duration(90+rng.IntN(276)) * 24 * time.Hour
	if t.issuedAt.Add(life).Before(minExp) {
		life = minExp.Sub(t.issuedAt) + time.Duration(rng.IntN(60))*24*time.Hour
	}
	t.expiresAt = t.issuedAt.Add(life)
	t.registry = registration{registered: true, created: t.issuedAt, expires: t.expiresAt}

	switch k {
	case kindUser, kindMobile:
		t.principal = fmt.Sprintf("u%05d@acme.example", n)
		t.ownerType = "user"
		t.scopes = userScopes(rng)
		t.workStart = 7 + 3*rng.Float64()
		t.workLen = 7 + 3*rng.Float64()
		t.rate = math.Min(200, lognormal(rng, 4, 1.1))
		t.office = s.nets.offices[rng.IntN(len(s.nets.offices))]
		t.home = s.nets.isps[rng.IntN(len(s.nets.isps))]
		t.homeAddr = t.home.addr(rng)
		t.carrier = s.nets.carriers[rng.IntN(len(s.nets.carriers))]
		t.ua = userAgents[rng.IntN(len(userAgents))]
		if k == kindMobile {
			t.rate = math.Min(60, lognormal(rng, 3, 0.8))
			t.ua = "AcmeApp/5.2.0 (iPhone; iOS 18.1; Scale/3.00)"
		}
		t.routes = pickRoutes(rng, s.byScope, t.scopes, 1+rng.IntN(4))
		t.jwt(s, rng)
	case kindIntegration, kindService:
		t.principal = fmt.Sprintf("svc-%04d", n)
		t.ownerType = "service"
		t.scopes = serviceScopes(rng)
		t.fixed = fixedAddrs(rng, s.nets.cloud[rng.IntN(len(s.nets.cloud))], 1+rng.IntN(4))
		t.routes = pickRoutes(rng, s.byScope, t.scopes, rng.IntN(2))
		t.ua = []string{"Go-http-client/2.0", "okhttp/4.12.0", "aws-sdk-go-v2/1.32.6", "python-requests/2.31.0"}[rng.IntN(4)]
		if k == kindIntegration {
			t.cronEvery = []time.Duration{15, 20, 30, 60}[rng.IntN(4)] * time.Minute
			t.nightOnly = rng.IntN(4) == 0
			if t.nightOnly {
				t.registry.hours = &hoursSpec{tz: "UTC", days: allDays, start: "00:00", end: "06:00"}
			}
		} else {
			t.rate = math.Min(400, lognormal(rng, 8, 1.0))
		}
		t.registry.networks = cidrs(t.fixed)
		s.credentialFor(rng, t)
	case kindCI:
		t.principal = fmt.Sprintf("ci-%04d", n)
		t.ownerType = "service"
		t.scopes = []string{scopeOrdersRead, scopeReports}
		if rng.IntN(2) == 0 {
			t.scopes = []string{scopeFiles}
		}
		t.rate = 1 + 6*rng.Float64() // builds per working day
		t.routes = pickRoutes(rng, s.byScope, t.scopes, 1)
		t.ua = "GitHub-Actions-Runner/2.321.0 curl/8.5.0"
		s.credentialFor(rng, t)
	case kindPartner:
		t.principal = fmt.Sprintf("partner-%03d", n)
		t.ownerType = "service"
		t.scopes = []string{scopeFiles}
		t.fixed = fixedAddrs(rng, s.nets.partners, 1+rng.IntN(2))
		t.workStart = 8 + rng.Float64()
		t.workLen = 8 + rng.Float64()
		t.rate = 2 + 18*rng.Float64()
		t.routes = s.byScope[scopeFiles]
		t.ua = "Apache-HttpClient/4.5.14 (Java/17.0.9)"
		t.scheme = "Basic"
		t.raw = fmt.Sprintf("%s:%s", t.principal, randString(rng, alnumChars, 20))
		t.registry.byID = true
		t.registry.scopesInEntry = true
		t.registry.networks = cidrs(t.fixed)
		// The partner contract says business hours; the policy allows an
		// hour on either side of the partner's own day.
		t.registry.hours = &hoursSpec{tz: t.tz.String(), days: weekDays, start: "07:00", end: "19:30"}
	}
	t.registry.name = t.principal + "-token"
	t.id = s.fp.TokenID(t.secret())
	return t
}

var (
	weekDays = []string{"mon", "tue", "wed", "thu", "fri"}
	allDays  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

// secret is what the processor fingerprints: the token, or for Basic the
// decoded user:password.
func (t *token) secret() string { return t.raw }

// jwt gives a user token its IdP-issued JWT, registered by jti (the org
// keeps an inventory of every token it issues).
func (t *token) jwt(s *Sim, rng *rand.Rand) {
	t.scheme = "Bearer"
	t.jti = randString(rng, hexChars, 24)
	c := claims{
		Iss: s.Issuer, Sub: t.principal, Aud: "https://api.acme.example",
		Iat: unix(t.issuedAt), Jti: t.jti, Scope: joinScopes(t.scopes),
	}
	if !t.expiresAt.IsZero() {
		c.Exp = unix(t.expiresAt)
	}
	t.raw = mintHS256(c, s.IssuerKID, s.IssuerSecret)
	t.registry.byJTI = true
}

// credentialFor gives a machine token a JWT (client credentials) or an
// opaque key registered by fingerprint with its owner, scopes and dates.
func (s *Sim) credentialFor(rng *rand.Rand, t *token) {
	if rng.IntN(3) == 0 {
		t.jwt(s, rng)
		return
	}
	t.raw = apiKey(rng)
	t.scheme = "Bearer"
	if rng.IntN(2) == 0 {
		t.scheme = "X-API-Key"
	}
	t.registry.byID = true
	t.registry.scopesInEntry = true
}

func userScopes(rng *rand.Rand) []string {
	sets := [][]string{
		{scopeOrdersRead},
		{scopeOrdersRead, scopeOrdersWrite},
		{scopeOrdersRead, scopeUsersRead},
		{scopeUsersRead, scopeUsersWrite},
		{scopeReports},
		{scopeOrdersRead, scopeReports},
		{scopeFiles},
	}
	if rng.IntN(30) == 0 { // the few administrators
		return []string{scopeAdmin, scopeUsersRead}
	}
	return slices.Clone(sets[rng.IntN(len(sets))])
}

func serviceScopes(rng *rand.Rand) []string {
	sets := [][]string{
		{scopeOrdersRead}, {scopeOrdersWrite, scopeOrdersRead}, {scopeUsersRead}, {scopeReports}, {scopeFiles},
	}
	return slices.Clone(sets[rng.IntN(len(sets))])
}

func joinScopes(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// cidrs lists the /24 networks of addresses, as an operator writes a
// service's egress into the policy.
func cidrs(addrs []netip.Addr) []string {
	var out []string
	for _, a := range addrs {
		p, _ := a.Prefix(24)
		if c := p.String(); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
