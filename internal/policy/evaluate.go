package policy

import (
	"net/netip"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Request is one audited request. A zero field is unknown, and the checks
// that need it give no verdict.
type Request struct {
	TokenID, JTI, KeyID string
	// PrincipalID is tokenaudit.principal.id: its principals entry sets the
	// hours and networks of tokens whose registry entry does not.
	PrincipalID string
	// Issuer and Verified: the JWT's iss, and whether its signature was
	// verified against the processor's configured keys (registry.known).
	Issuer   string
	Verified bool
	Scopes   []string // the token's scopes (claims or registry); nil: unknown
	// ClaimedScopes: Scopes are the claims of a token that failed
	// verification, the forger's word. They are still judged
	// (scope_violation), but admit it to no restricted resource.
	ClaimedScopes bool
	Resource      string     // "GET /users/{id}" or "pkg.Service/Method"; "": unknown
	ClientAddr    netip.Addr // invalid: unknown
	EventTime     time.Time  // the item's timestamp for working hours; zero: not judged
	// Time is the item's timestamp for dated revocations (revoked_at);
	// zero: unknown, and a listed credential is revoked.
	Time time.Time
}

// Evaluate appends to out the stateless violations that need the policy, in
// this order, each at most once: revoked_token, unknown_token,
// scope_violation, restricted_resource, off_hours, disallowed_network. The
// token-intrinsic ones (expired, malformed, …) are the processor's. It does
// not allocate when out has room for the verdicts.
func (p *Policy) Evaluate(req *Request, out []string) []string {
	if p == nil || req == nil {
		return out
	}
	if p.revoked.ids.revoked(req.TokenID, req.Time) || p.revoked.jtis.revoked(req.JTI, req.Time) || p.revoked.keyIDs.revoked(req.KeyID, req.Time) {
		out = append(out, auditattr.ViolationRevoked)
	}
	entry := p.Lookup(req.TokenID, req.JTI, req.KeyID)
	if p.authoritative && entry == nil && !p.known.knownWithoutEntry(req) {
		out = append(out, auditattr.ViolationUnknown)
	}
	if req.Resource != "" {
		r := splitResource(req.Resource)
		if req.Scopes != nil && p.scopes.violation(&r, req.Scopes) {
			out = append(out, auditattr.ViolationScope)
		}
		if p.restrictedViolation(&r, req) {
			out = append(out, auditattr.ViolationRestrictedResource)
		}
	}
	h, nets := p.rulesFor(entry, req.PrincipalID)
	if h != nil && !req.EventTime.IsZero() && !h.within(req.EventTime) {
		out = append(out, auditattr.ViolationOffHours)
	}
	if len(nets) > 0 && req.ClientAddr.IsValid() && !inNetworks(nets, req.ClientAddr) {
		out = append(out, auditattr.ViolationDisallowedNetwork)
	}
	return out
}

// restrictedViolation: some restriction covers the resource and the request
// is none of those it admits.
func (p *Policy) restrictedViolation(r *resource, req *Request) bool {
	for i := range p.restricted {
		rs := &p.restricted[i]
		if !rs.pat.match(r) || rs.principals.has(req.PrincipalID) || rs.tokens.has(req.TokenID) {
			continue
		}
		if req.ClaimedScopes || !rs.scopes.hasAny(req.Scopes) {
			return true
		}
	}
	return false
}
