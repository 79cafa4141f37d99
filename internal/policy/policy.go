// Package policy reads the token policy file and evaluates the stateless
// checks that need it. README.md beside this file is the user's reference,
// with a full example; this comment lists the keys for the code's readers.
//
// Every key is optional and unknown keys are errors.
//
//	scopes: {name: [pattern, ...]}
//	    What each scope allows. A resource matching any scope's pattern is
//	    "governed"; a token whose known scopes allow none of the patterns it
//	    matches gets scope_violation. Ungoverned resources get no verdict.
//	restricted: [{resource, principals, tokens, scopes}]
//	    resource is a pattern; only a listed principal id, token id
//	    (fingerprint) or holder of a listed scope may call a matching
//	    resource, others get restricted_resource. Each matching entry must
//	    be satisfied; an entry with empty lists admits nobody.
//	working_hours: {time_zone, days, start, end}
//	    time_zone: IANA name, default UTC ("Local" is refused).
//	    days: mon … sun or monday … sunday, default mon–fri.
//	    start, end: "HH:MM" on the zone's wall clock, the window is
//	    [start, end); end may be "24:00"; end before start spans midnight
//	    and belongs to the day it starts. Outside it: off_hours.
//	allowed_networks: [CIDR or address, ...]
//	    IPv4 and IPv6. A client outside them: disallowed_network.
//	principals: {principal id: {working_hours, networks}}
//	    The working hours and networks of every token of that principal
//	    (tokenaudit.principal.id: the registry owner, else the token's
//	    subject or client), unless the token's registry entry sets its own.
//	revoked: [{id | jti | key_id, revoked_at}]
//	    A token whose fingerprint, jti or key id is listed: revoked_token,
//	    for uses from revoked_at on (RFC 3339; absent: every use).
//	registry:
//	    authoritative: bool
//	        true: a token not known is unknown_token.
//	    known: registered (default) | registered_or_verified
//	        registered_or_verified: a JWT whose signature the processor
//	        verified is known too (needs authoritative and jwt.verify).
//	    verified_issuers: [iss, ...]
//	        with registered_or_verified, only these issuers' JWTs; empty:
//	        any issuer whose keys the processor holds.
//	    tokens: [entry]
//	        id (fingerprint, as `auditctl fingerprint` prints), jti or
//	        key_id (a non-secret id such as an AWS access key id), at least
//	        one, each unique; name; owner; owner_type (user | service);
//	        scopes; created_at and expires_at (RFC 3339); last_used_at
//	        (RFC 3339, or never: the issuer's last-used date, which proves
//	        stale_token at once); networks (replaces
//	        allowed_networks for this token; [] lifts the check);
//	        working_hours (replaces the global one for this token).
//
// Resource patterns are "METHOD /path" or, without a space, a glob over the
// whole resource ("pkg.Service/*", where * is any run of characters). METHOD
// is a name or *, compared in any case. Path segments compare exactly; * is
// one segment, {x} is one segment (a literal {id} of a route template or any
// value), and a final ** is zero or more segments.
package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Policy is a compiled policy file. It is immutable and safe for concurrent use.
type Policy struct {
	scopes        scopeIndex
	restricted    []restriction
	hours         *hours
	networks      []netip.Prefix
	principals    map[string]*principalRules
	revoked       revokedSets
	authoritative bool
	known         knownRule
	registry      registry
}

type restriction struct {
	pat                        pattern
	principals, tokens, scopes set
}

// revokedSets maps each revoked identifier to when it was revoked (zero:
// undated, revoked for every use).
type revokedSets struct{ ids, jtis, keyIDs revokedSince }

type revokedSince map[string]time.Time

// revoked tells whether a use at the given time (zero: unknown) of the
// identifier falls after its revocation. An unknown time is judged revoked:
// a listed credential is the safer guess.
func (r revokedSince) revoked(v string, at time.Time) bool {
	since, ok := r[v]
	return ok && (at.IsZero() || !at.Before(since))
}

// set is a string set; lookups do not allocate.
type set map[string]struct{}

func newSet(list []string) set {
	s := make(set, len(list))
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" { // "" would admit unknown principals
			s[v] = struct{}{}
		}
	}
	return s
}

func (s set) has(v string) bool {
	_, ok := s[v]
	return ok
}

func (s set) hasAny(vs []string) bool {
	for _, v := range vs {
		if s.has(v) {
			return true
		}
	}
	return false
}

// Empty returns a policy without checks: Evaluate finds nothing.
func Empty() *Policy { return &Policy{} }

// Parse compiles a policy file. Errors name the YAML path and the fix.
func Parse(data []byte) (*Policy, error) {
	f, err := decode(data)
	if err != nil {
		return nil, err
	}
	p := &Policy{authoritative: f.Registry.Authoritative}
	if p.scopes, err = compileScopes(f.Scopes); err != nil {
		return nil, err
	}
	for i, r := range f.Restricted {
		pat, err := compilePattern(r.Resource)
		if err != nil {
			return nil, fmt.Errorf("restricted[%d].resource: %w", i, err)
		}
		p.restricted = append(p.restricted, restriction{
			pat: pat, principals: newSet(r.Principals), tokens: newSet(r.Tokens), scopes: newSet(r.Scopes),
		})
	}
	if p.hours, err = compileHours(f.WorkingHours, "working_hours"); err != nil {
		return nil, err
	}
	if p.networks, err = compileNetworks(f.AllowedNetworks, "allowed_networks"); err != nil {
		return nil, err
	}
	if p.principals, err = compilePrincipals(f.Principals); err != nil {
		return nil, err
	}
	if p.known, err = compileKnown(&f.Registry); err != nil {
		return nil, err
	}
	if p.revoked, err = compileRevoked(f.Revoked); err != nil {
		return nil, err
	}
	if p.registry, err = compileRegistry(f.Registry.Tokens); err != nil {
		return nil, err
	}
	return p, nil
}

func compileScopes(scopes map[string][]string) (scopeIndex, error) {
	names := make([]string, 0, len(scopes))
	for name := range scopes {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic errors
	var ix scopeIndex
	for _, name := range names {
		for i, s := range scopes[name] {
			pat, err := compilePattern(s)
			if err != nil {
				return scopeIndex{}, fmt.Errorf("scopes.%s[%d]: %w", name, i, err)
			}
			ix.add(scopeRule{pat: pat, scope: name})
		}
	}
	return ix, nil
}

func compileRevoked(list []revokedFile) (revokedSets, error) {
	r := revokedSets{ids: revokedSince{}, jtis: revokedSince{}, keyIDs: revokedSince{}}
	for i, e := range list {
		id, jti, keyID := strings.TrimSpace(e.ID), strings.TrimSpace(e.JTI), strings.TrimSpace(e.KeyID)
		if id == "" && jti == "" && keyID == "" {
			return revokedSets{}, fmt.Errorf("revoked[%d]: no identifier: set id (from `auditctl fingerprint`), jti or key_id", i)
		}
		at, err := parseTime(e.RevokedAt, fmt.Sprintf("revoked[%d].revoked_at", i))
		if err != nil {
			return revokedSets{}, err
		}
		for _, add := range []struct {
			m revokedSince
			v string
		}{{r.ids, id}, {r.jtis, jti}, {r.keyIDs, keyID}} {
			if add.v == "" {
				continue
			}
			// Listed twice: the earlier revocation holds (undated is the
			// earliest of all).
			if prev, dup := add.m[add.v]; !dup || at.IsZero() || !prev.IsZero() && at.Before(prev) {
				add.m[add.v] = at
			}
		}
	}
	return r, nil
}
