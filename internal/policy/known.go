package policy

import (
	"fmt"
	"strings"
)

// Values of registry.known.
const (
	KnownRegistered           = "registered"
	KnownRegisteredOrVerified = "registered_or_verified"
)

// knownRule says which tokens an authoritative registry knows besides its
// entries: with acceptVerified, a JWT whose signature the processor verified
// against its configured keys, from one of issuers (any when empty).
type knownRule struct {
	acceptVerified bool
	issuers        set
}

func compileKnown(r *registryFile) (knownRule, error) {
	switch strings.TrimSpace(r.Known) {
	case "", KnownRegistered:
		if len(r.VerifiedIssuers) > 0 {
			return knownRule{}, fmt.Errorf("registry.verified_issuers: only used with registry.known: %s: set it, or remove verified_issuers", KnownRegisteredOrVerified)
		}
		return knownRule{}, nil
	case KnownRegisteredOrVerified:
	default:
		return knownRule{}, fmt.Errorf("registry.known: %q is not one of %s (only registered tokens) or %s (registered tokens and JWTs with a verified signature)",
			r.Known, KnownRegistered, KnownRegisteredOrVerified)
	}
	if !r.Authoritative {
		return knownRule{}, fmt.Errorf("registry.known: %s only matters with registry.authoritative: true (unknown_token is off without it): set authoritative: true or remove known", KnownRegisteredOrVerified)
	}
	for i, iss := range r.VerifiedIssuers {
		if strings.TrimSpace(iss) == "" {
			return knownRule{}, fmt.Errorf("registry.verified_issuers[%d]: empty: write the issuer as the token's iss claim spells it, like https://login.example.com/", i)
		}
	}
	return knownRule{acceptVerified: true, issuers: newSet(r.VerifiedIssuers)}, nil
}

// AcceptsVerified tells whether a verified JWT counts as known, which needs
// the processor's jwt.verify.
func (p *Policy) AcceptsVerified() bool { return p != nil && p.known.acceptVerified }

// NamesVerifiedIssuers tells whether a verified JWT is known only when it
// names one of registry.verified_issuers: it then trusts the token's iss.
func (p *Policy) NamesVerifiedIssuers() bool {
	return p.AcceptsVerified() && len(p.known.issuers) > 0
}

// knownWithoutEntry: a token no registry entry names is still known.
func (k *knownRule) knownWithoutEntry(req *Request) bool {
	if !k.acceptVerified || !req.Verified {
		return false
	}
	return len(k.issuers) == 0 || k.issuers.has(req.Issuer)
}
