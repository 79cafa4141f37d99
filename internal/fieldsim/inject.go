package fieldsim

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// injectors make one instance of a misuse each. They are modelled on
// incidents (a leaked key used from a botnet, a forgotten script with an
// expired token, a client retrying out-of-scope calls), not on how any
// detector decides.
var injectors = []struct {
	typ string
	fn  func(*Sim, *rand.Rand)
}{
	{auditattr.FindingFailedAttempts, (*Sim).injectFailedAttempts},
	{auditattr.FindingCredentialStuffing, (*Sim).injectStuffing},
	{auditattr.FindingRateSurge, (*Sim).injectRateSurge},
	{auditattr.FindingNewClientAddress, (*Sim).injectNewAddress},
	{auditattr.FindingNewResource, (*Sim).injectNewResource},
	{auditattr.FindingMultiAddress, (*Sim).injectMultiAddress},
	{auditattr.FindingOffHours, (*Sim).injectOffHours},
	{auditattr.ViolationExpired, (*Sim).injectExpired},
	{auditattr.ViolationRevoked, (*Sim).injectRevoked},
	{auditattr.ViolationInvalidSignature, (*Sim).injectForged},
	{auditattr.ViolationMalformed, (*Sim).injectMalformed},
	{auditattr.ViolationUnknown, (*Sim).injectUnknown},
	{auditattr.ViolationNotYetValid, (*Sim).injectNotYetValid},
	{auditattr.ViolationScope, (*Sim).injectScopeViolation},
	{auditattr.ViolationRestrictedResource, (*Sim).injectRestricted},
	{auditattr.ViolationDisallowedNetwork, (*Sim).injectDisallowedNetwork},
	{auditattr.FindingDeniedAccess, (*Sim).injectDeniedAccess},
	{auditattr.ViolationExposedCredential, (*Sim).injectExposed},
	{auditattr.FindingStaleToken, (*Sim).injectStale},
	{auditattr.FindingExpiringSoon, (*Sim).injectExpiringSoon},
	{auditattr.FindingExcessiveLifetime, (*Sim).injectExcessiveLifetime},
}

// InjectedTypes lists the finding types the simulation injects.
func InjectedTypes() []string {
	out := make([]string, len(injectors))
	for i, in := range injectors {
		out[i] = in.typ
	}
	return out
}

func (s *Sim) inject(rng *rand.Rand) error {
	for _, in := range injectors {
		for range s.cfg.InjectionsPerType {
			in.fn(s, rng)
		}
	}
	for _, l := range s.Labels {
		if l.TokenID == "" && l.Client == "" {
			return fmt.Errorf("fieldsim: a %s label names neither token nor client", l.Type)
		}
	}
	return nil
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

// A client whose token the service no longer accepts keeps retrying.
func (s *Sim) injectFailedAttempts(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindUser, kindService, kindIntegration))
	in := s.begin()
	at := s.moment(rng, t)
	in.add(rng, t, spread(rng, at, minutes(rng, 2, 8), 15+rng.IntN(36)), s.usualAddr(rng, t), nil, always(401))
	in.label(auditattr.FindingFailedAttempts, t.id, "", true, "retry loop of a rejected token")
	in.surgeLabel(t)
	in.done()
}

var stuffingUsers = []string{"admin", "root", "test", "deploy", "backup", "jenkins", "support", "api", "ftp", "guest"}
var stuffingPasswords = []string{"123456", "password", "Winter2025!", "qwerty", "letmein", "changeme", "P@ssw0rd", "acme2026"}

// One address tries many leaked or guessed credentials, each once or twice.
func (s *Sim) injectStuffing(rng *rand.Rand) {
	in := s.begin()
	addr := s.attackerAddr(rng)
	at := s.cfg.Start.Add(time.Duration(s.cfg.Days/2)*24*time.Hour + time.Duration(rng.Int64N(int64(time.Duration(s.cfg.Days-s.cfg.Days/2)*24*time.Hour-time.Hour))))
	d := minutes(rng, 5, 20)
	basic := rng.IntN(2) == 0
	var ids []string
	for range 15 + rng.IntN(60) {
		t := &token{ua: pick(rng, "python-requests/2.31.0", "Go-http-client/1.1", "Mozilla/5.0 (compatible; MSIE 9.0)")}
		if basic {
			t.scheme, t.raw, t.routes = "Basic", pick(rng, stuffingUsers...)+":"+pick(rng, stuffingPasswords...), s.byScope[scopeFiles]
		} else {
			t.scheme, t.raw, t.routes = "Bearer", apiKey(rng), s.byScope[scopeOrdersRead]
		}
		id := s.fp.TokenID(t.secret())
		if slices.Contains(ids, id) {
			continue
		}
		ids = append(ids, id)
		in.add(rng, t, spread(rng, at, d, 1+rng.IntN(2)), addr, nil, always(401))
	}
	in.label(auditattr.FindingCredentialStuffing, "", addr.String(), true, fmt.Sprintf("%d credentials from one address", len(ids)))
	for _, id := range ids { // every guessed credential is unregistered
		in.label(auditattr.ViolationUnknown, id, "", false, "stuffing credential")
	}
	in.done()
}

// A token that makes a few calls an hour suddenly makes 10–40 times as many (a scraper).
func (s *Sim) injectRateSurge(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindUser, kindIntegration, kindService, kindPartner))
	perHour := usualPerHour(t)
	d := minutes(rng, 15, 45)
	n := max(25, int(perHour*(10+30*rng.Float64())*d.Hours()))
	in := s.begin()
	at := s.moment(rng, t)
	addr := s.usualAddr(rng, t)
	in.add(rng, t, spread(rng, at, d, n), addr, nil, func() int { return s.backgroundStatus(rng, t.routes[0], at, false) })
	in.label(auditattr.FindingRateSurge, t.id, "", true, fmt.Sprintf("%d calls in %s, usually %.1f/h", n, d, perHour))
	in.done()
}

// A stolen token used from the thief's network during its owner's day.
func (s *Sim) injectNewAddress(rng *rand.Rand) {
	t := s.newToken(rng, kindUser)
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 5, 30), 3+rng.IntN(13)), s.attackerAddr(rng), nil, always(200))
	in.label(auditattr.FindingNewClientAddress, t.id, "", true, "token used from a new network")
	in.label(auditattr.FindingMultiAddress, t.id, "", false, "owner may be active at the same time")
	in.surgeLabel(t)
	in.done()
}

// A token calls an API it has never called (within its scopes, or an
// API no scope governs).
func (s *Sim) injectNewResource(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindUser, kindService))
	cands := s.routesWhere(func(r *route) bool {
		return !r.restricted && !slices.Contains(t.routes, r) && (r.scope == "" || slices.Contains(t.scopes, r.scope))
	})
	r := cands[rng.IntN(len(cands))]
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 2, 20), 2+rng.IntN(5)), s.usualAddr(rng, t), r, always(200))
	in.label(auditattr.FindingNewResource, t.id, "", true, "first call of "+r.resource())
	in.done()
}

// A leaked token used from a botnet: several networks within minutes.
func (s *Sim) injectMultiAddress(rng *rand.Rand) {
	t := s.newToken(rng, kindUser)
	in := s.begin()
	at := s.moment(rng, t)
	d := minutes(rng, 10, 20)
	for range 4 + rng.IntN(4) {
		in.add(rng, t, spread(rng, at, d, 2+rng.IntN(4)), s.attackerAddr(rng), nil, always(200))
	}
	in.label(auditattr.FindingMultiAddress, t.id, "", true, "token used from a botnet")
	in.label(auditattr.FindingNewClientAddress, t.id, "", false, "each botnet network is new")
	in.surgeLabel(t)
	in.done()
}

// A token used in the middle of its owner's night: learned from a user's
// working week, or outside the hours the policy gives a registered token.
func (s *Sim) injectOffHours(rng *rand.Rand) {
	var t *token
	var at time.Time
	if rng.IntN(2) == 0 {
		t = s.newToken(rng, kindUser)
		day := s.cfg.Days - 1 - rng.IntN(2) // the last days: a weekend with a 7-day run
		local := s.cfg.Start.Add(time.Duration(day) * 24 * time.Hour).In(t.tz)
		mid := time.Date(local.Year(), local.Month(), local.Day(), 1, 0, 0, 0, t.tz)
		at = mid.Add(time.Duration(rng.Int64N(int64(3 * time.Hour))))
	} else {
		t = s.newToken(rng, pick(rng, kindPartner, kindIntegration))
		if t.kind == kindIntegration && !t.nightOnly {
			t.nightOnly = true
			t.registry.hours = &hoursSpec{tz: "UTC", days: allDays, start: "00:00", end: "06:00"}
		}
		for at = s.moment(rng, t); ; at = at.Add(time.Hour) {
			lh, wd := localHour(at, t.tz)
			if t.kind == kindIntegration && at.UTC().Hour() >= 12 && at.UTC().Hour() < 20 {
				break
			}
			if t.kind == kindPartner && (weekend(wd) || lh >= 21.5) {
				break
			}
		}
	}
	in := s.begin()
	in.add(rng, t, spread(rng, at, minutes(rng, 10, 40), 5+rng.IntN(16)), s.usualAddr(rng, t), nil, always(200))
	in.label(auditattr.FindingOffHours, t.id, "", true, "use in the owner's night")
	in.surgeLabel(t)
	in.done()
}

// silentToken is a registered token that sends nothing but its injected
// misuse, created recently enough not to be stale.
func (s *Sim) silentToken(rng *rand.Rand, k kind) *token {
	t := s.newToken(rng, k)
	t.silent = true
	return t
}

// reissue gives t new lifetime claims (and a new credential and id).
func (s *Sim) reissue(rng *rand.Rand, t *token, issued, expires time.Time) {
	t.issuedAt, t.expiresAt = issued, expires
	t.registry.created, t.registry.expires = issued, expires
	if t.registry.byJTI {
		t.jwt(s, rng)
	} else {
		t.raw = apiKey(rng)
	}
	t.id = s.fp.TokenID(t.secret())
}

// A forgotten script still sends a token that expired days ago.
func (s *Sim) injectExpired(rng *rand.Rand) {
	t := s.silentToken(rng, pick(rng, kindUser, kindService))
	at := s.moment(rng, t)
	exp := at.Add(-time.Duration(1+rng.IntN(10)) * 24 * time.Hour)
	s.reissue(rng, t, exp.Add(-60*24*time.Hour), exp)
	in := s.begin()
	in.add(rng, t, spread(rng, at, minutes(rng, 1, 30), 3+rng.IntN(8)), s.usualAddr(rng, t), nil, oneOf(rng, 401, 401, 200))
	in.label(auditattr.ViolationExpired, t.id, "", true, "expired "+exp.Format(time.DateOnly))
	in.label(auditattr.FindingFailedAttempts, t.id, "", false, "the service refuses it (401) each time")
	in.done()
}

// A revoked token is still in use: the revocation has not reached every service.
func (s *Sim) injectRevoked(rng *rand.Rand) {
	t := s.silentToken(rng, pick(rng, kindUser, kindService))
	s.reissue(rng, t, s.cfg.Start.Add(-30*24*time.Hour), s.cfg.Start.Add(300*24*time.Hour))
	if t.jti != "" {
		s.revoked = append(s.revoked, revocation{jti: t.jti})
	} else {
		s.revoked = append(s.revoked, revocation{id: t.id})
	}
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 1, 30), 3+rng.IntN(8)), s.usualAddr(rng, t), nil, oneOf(rng, 401, 200))
	in.label(auditattr.ViolationRevoked, t.id, "", true, "revoked token in use")
	in.label(auditattr.FindingFailedAttempts, t.id, "", false, "the service refuses it (401) each time")
	in.done()
}

// A forged JWT: a user's claims with admin added, signed with a guessed
// key or with alg none.
func (s *Sim) injectForged(rng *rand.Rand) {
	c := claims{
		Iss: s.Issuer, Sub: fmt.Sprintf("u%05d@acme.example", rng.IntN(len(s.tokens))), Aud: "https://api.acme.example",
		Iat: unix(s.cfg.Start.Add(-24 * time.Hour)), Exp: unix(s.End().Add(30 * 24 * time.Hour)),
		Jti: randString(rng, hexChars, 24), Scope: "orders:read admin",
	}
	t := &token{scheme: "Bearer", ua: "python-requests/2.31.0", routes: s.byScope[scopeOrdersRead]}
	t.raw = mintHS256(c, s.IssuerKID, []byte(randString(rng, alnumChars, 32)))
	if rng.IntN(3) == 0 {
		parts := strings.Split(t.raw, ".")
		t.raw = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	}
	t.id = s.fp.TokenID(t.secret())
	at := s.cfg.Start.Add(time.Duration(s.cfg.Days/2)*24*time.Hour + time.Duration(rng.Int64N(int64(time.Duration(s.cfg.Days-s.cfg.Days/2-1)*24*time.Hour))))
	in := s.begin()
	in.add(rng, t, spread(rng, at, minutes(rng, 1, 20), 3+rng.IntN(8)), s.attackerAddr(rng), nil, always(401))
	in.label(auditattr.ViolationInvalidSignature, t.id, "", true, "forged JWT")
	in.label(auditattr.FindingFailedAttempts, t.id, "", false, "the service refuses it (401) each time")
	in.label(auditattr.ViolationUnknown, t.id, "", false, "a forged token is not in the registry")
	in.done()
}

// A script sends its JWT cut short, or encoded with the wrong base64 alphabet.
func (s *Sim) injectMalformed(rng *rand.Rand) {
	t := s.newToken(rng, kindUser)
	bad := &token{scheme: "Bearer", ua: t.ua, routes: t.routes}
	switch rng.IntN(3) {
	case 0:
		bad.raw = truncateJWT(rng, t.raw)
	case 1:
		parts := strings.Split(t.raw, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		bad.raw = parts[0] + "." + base64.StdEncoding.EncodeToString(payload) + "." + parts[2]
		if !strings.ContainsAny(bad.raw, "+/=") {
			bad.raw = truncateJWT(rng, t.raw)
		}
	default:
		parts := strings.Split(t.raw, ".")
		bad.raw = parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"`+t.principal+`","scope":`)) + "." + parts[2]
	}
	bad.id = s.fp.TokenID(bad.secret())
	in := s.begin()
	in.add(rng, bad, spread(rng, s.moment(rng, t), minutes(rng, 1, 10), 2+rng.IntN(5)), s.usualAddr(rng, t), nil, always(401))
	in.label(auditattr.ViolationMalformed, bad.id, "", true, "broken JWT")
	in.label(auditattr.FindingFailedAttempts, bad.id, "", false, "the service refuses it (401) each time")
	in.label(auditattr.ViolationUnknown, bad.id, "", false, "not a registered token")
	in.label(auditattr.ViolationInvalidSignature, bad.id, "", false, "the signature no longer fits")
	in.done()
}

// A key the org never issued (or never registered) is accepted by a service.
func (s *Sim) injectUnknown(rng *rand.Rand) {
	t := s.newToken(rng, kindService)
	s.tokens = s.tokens[:len(s.tokens)-1] // not part of the org: no registry entry
	t.raw = apiKey(rng)
	t.registry = registration{}
	t.id = s.fp.TokenID(t.secret())
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 5, 60), 3+rng.IntN(18)), s.usualAddr(rng, t), nil, always(200))
	in.label(auditattr.ViolationUnknown, t.id, "", true, "unregistered key")
	in.done()
}

// A pre-minted JWT used before its nbf (an issuer with a fast clock).
func (s *Sim) injectNotYetValid(rng *rand.Rand) {
	t := s.silentToken(rng, kindUser)
	at := s.moment(rng, t)
	nbf := at.Add(minutes(rng, 10, 120))
	t.issuedAt = nbf
	t.registry.created = nbf
	t.jti = randString(rng, hexChars, 24)
	t.raw = mintHS256(claims{
		Iss: s.Issuer, Sub: t.principal, Aud: "https://api.acme.example", Iat: unix(nbf), Nbf: unix(nbf),
		Exp: unix(nbf.Add(90 * 24 * time.Hour)), Jti: t.jti, Scope: joinScopes(t.scopes),
	}, s.IssuerKID, s.IssuerSecret)
	t.id = s.fp.TokenID(t.secret())
	in := s.begin()
	in.add(rng, t, spread(rng, at, minutes(rng, 1, 8), 2+rng.IntN(4)), s.usualAddr(rng, t), nil, always(401))
	in.label(auditattr.ViolationNotYetValid, t.id, "", true, "used before nbf")
	in.label(auditattr.FindingFailedAttempts, t.id, "", false, "the service refuses it (401) each time")
	in.label(auditattr.ViolationUnknown, t.id, "", false, "")
	in.done()
}

// A token calls an operation its scopes do not grant; the service refuses
// it, or (broken authorisation) serves it.
func (s *Sim) injectScopeViolation(rng *rand.Rand) {
	t := s.newToken(rng, kindUser)
	cands := s.routesWhere(func(r *route) bool {
		return r.scope != "" && r.scope != scopeAdmin && !slices.Contains(t.scopes, r.scope)
	})
	r := cands[rng.IntN(len(cands))]
	ok := 200
	if r.method == "POST" {
		ok = 201
	}
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 1, 10), 1+rng.IntN(5)), s.usualAddr(rng, t), r, oneOf(rng, 403, ok))
	in.label(auditattr.ViolationScope, t.id, "", true, r.resource()+" without its scope")
	in.label(auditattr.FindingNewResource, t.id, "", false, "")
	in.label(auditattr.FindingDeniedAccess, t.id, "", false, "")
	in.done()
}

// adminUser is an administrator who is not allowed the restricted operations.
func (s *Sim) adminUser(rng *rand.Rand) *token {
	t := s.newToken(rng, kindUser)
	t.scopes = []string{scopeAdmin, scopeUsersRead}
	t.routes = pickRoutes(rng, s.byScope, t.scopes, 1)
	t.jwt(s, rng)
	t.id = s.fp.TokenID(t.secret())
	return t
}

// An administrator deletes users, which only the ops leads may do.
func (s *Sim) injectRestricted(rng *rand.Rand) {
	t := s.adminUser(rng)
	del := s.routesWhere(func(r *route) bool { return r.restricted })[0]
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 1, 10), 1+rng.IntN(3)), s.usualAddr(rng, t), del, oneOf(rng, 204, 403))
	in.label(auditattr.ViolationRestrictedResource, t.id, "", true, "DELETE /admin/users by a non-lead")
	in.label(auditattr.FindingNewResource, t.id, "", false, "")
	in.label(auditattr.FindingDeniedAccess, t.id, "", false, "")
	in.done()
}

// A service key registered for its cloud NAT is used from elsewhere (a
// developer's laptop, or whoever copied it).
func (s *Sim) injectDisallowedNetwork(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindService, kindIntegration, kindPartner))
	addr := s.attackerAddr(rng)
	if rng.IntN(2) == 0 {
		addr = s.nets.isps[rng.IntN(len(s.nets.isps))].addr(rng)
	}
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 5, 30), 2+rng.IntN(9)), addr, nil, always(200))
	in.label(auditattr.ViolationDisallowedNetwork, t.id, "", true, "outside the registered networks")
	in.label(auditattr.FindingNewClientAddress, t.id, "", false, "")
	in.label(auditattr.FindingMultiAddress, t.id, "", false, "")
	in.done()
}

// A client keeps calling an API the service refuses it (403), on an API
// the policy does not govern.
func (s *Sim) injectDeniedAccess(rng *rand.Rand) {
	t := s.newToken(rng, kindUser)
	cands := s.routesWhere(func(r *route) bool { return r.scope == "" && !slices.Contains(t.routes, r) })
	r := cands[rng.IntN(len(cands))]
	in := s.begin()
	in.add(rng, t, spread(rng, s.moment(rng, t), minutes(rng, 5, 30), 5+rng.IntN(16)), s.usualAddr(rng, t), r, always(403))
	in.label(auditattr.FindingDeniedAccess, t.id, "", true, "repeated 403 on "+r.resource())
	in.surgeLabel(t)
	in.done()
}

// A credential ends up outside its header: in a URL query, a debug log
// line, an exception message.
func (s *Sim) injectExposed(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindUser, kindService))
	at := s.moment(rng, t)
	in := s.begin()
	addr := s.usualAddr(rng, t)
	where := [...]string{"in a URL query", "in an error log line", "in an exception message"}[rng.IntN(3)]
	// An exception is thrown where a span records it: a token that calls
	// only the legacy API (an nginx access log, no exceptions) leaks in
	// the worker's error log instead. The route is drawn here, as in.add
	// would, so the random stream after it is unchanged.
	var thrownIn []*route
	for _, r := range t.routes {
		if r.svc.telemetry != accessLog {
			thrownIn = append(thrownIn, r)
		}
	}
	if where == "in an exception message" && len(thrownIn) == 0 {
		where = "in an error log line"
	}
	switch where {
	case "in a URL query":
		in.add(rng, t, spread(rng, at, minutes(rng, 1, 10), 1+rng.IntN(4)), addr, nil, always(200))
		for i := range in.reqs {
			in.reqs[i].header, in.reqs[i].value = "", ""
			in.reqs[i].leak, in.reqs[i].leaked = leakQuery, t.raw
		}
	case "in an error log line":
		in.reqs = append(in.reqs, Request{At: at, leak: leakLogBody, leaked: t.raw, client: addr})
	default:
		in.add(rng, t, []time.Time{at}, addr, thrownIn[rng.IntN(len(thrownIn))], always(502))
		in.reqs[0].leak, in.reqs[0].leaked = leakException, t.raw
	}
	in.label(auditattr.ViolationExposedCredential, t.id, "", true, "credential "+where)
	in.done()
}

// A registered key nobody has used since it was created months ago.
func (s *Sim) injectStale(rng *rand.Rand) {
	t := s.silentToken(rng, kindService)
	// An opaque key registered by fingerprint: a never-used JWT registered
	// by jti has no token id anyone could name.
	t.jti, t.registry.byJTI, t.registry.byID, t.registry.scopesInEntry = "", false, true, true
	created := s.cfg.Start.Add(-time.Duration(100+rng.IntN(240)) * 24 * time.Hour)
	s.reissue(rng, t, created, created.Add(365*24*time.Hour))
	in := s.begin()
	in.label(auditattr.FindingStaleToken, t.id, "", true, "registered "+created.Format(time.DateOnly)+", never used", s.cfg.Start, s.End())
	in.done()
}

// A token in daily use expires within days.
func (s *Sim) injectExpiringSoon(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindUser, kindService, kindIntegration, kindPartner))
	exp := s.End().Add(time.Duration(1+rng.IntN(3)) * 24 * time.Hour) // in use on working days of its last week
	s.reissue(rng, t, exp.Add(-time.Duration(90+rng.IntN(200))*24*time.Hour), exp)
	if t.kind == kindPartner {
		t.raw = fmt.Sprintf("%s:%s", t.principal, randString(rng, alnumChars, 20))
		t.id = s.fp.TokenID(t.secret())
	}
	in := s.begin()
	in.label(auditattr.FindingExpiringSoon, t.id, "", true, "expires "+exp.Format(time.DateOnly), maxTime(s.cfg.Start, exp.Add(-7*24*time.Hour)), s.End())
	in.done()
}

// A token issued for years: a JWT with a five-year exp, or a registered
// key whose registry dates span years.
func (s *Sim) injectExcessiveLifetime(rng *rand.Rand) {
	t := s.newToken(rng, pick(rng, kindService, kindIntegration))
	issued := s.cfg.Start.Add(-time.Duration(10+rng.IntN(60)) * 24 * time.Hour)
	s.reissue(rng, t, issued, issued.Add(time.Duration(2+rng.IntN(4))*365*24*time.Hour))
	in := s.begin()
	in.label(auditattr.FindingExcessiveLifetime, t.id, "", true, "lifetime of years", s.cfg.Start, s.End())
	in.done()
}

// routesWhere lists the org's routes that keep accepts, in a fixed order.
func (s *Sim) routesWhere(keep func(*route) bool) []*route {
	var out []*route
	for _, svc := range s.services {
		for _, r := range svc.routes {
			if keep(r) {
				out = append(out, r)
			}
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
