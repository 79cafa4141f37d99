package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Policy is a compiled policy file. Immutable.
type Policy struct {
	scopes        map[string][]pattern
	governing     []pattern // every scope's patterns: a resource matching one is governed
	restricted    []restricted
	hours         *hours
	networks      []netPrefix
	revokedIDs    map[string]bool
	revokedJTIs   map[string]bool
	authoritative bool
	byID, byJTI   map[string]*Entry
	byKeyID       map[string]*Entry
}

type restricted struct {
	pattern    pattern
	principals []string
	tokens     []string
	scopes     []string
}

// Empty is a policy with no checks.
func Empty() *Policy { return &Policy{} }

// Parse compiles a policy file. Errors name the YAML path and the fix.
func Parse(data []byte) (*Policy, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // an empty file is an empty policy
		return nil, fmt.Errorf("policy: %w", err)
	}
	p := &Policy{
		scopes:      map[string][]pattern{},
		revokedIDs:  map[string]bool{},
		revokedJTIs: map[string]bool{},
		byID:        map[string]*Entry{},
		byJTI:       map[string]*Entry{},
		byKeyID:     map[string]*Entry{},
	}
	names := make([]string, 0, len(f.Scopes))
	for name := range f.Scopes {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic error messages
	for _, name := range names {
		for i, s := range f.Scopes[name] {
			pat, err := compilePattern(s)
			if err != nil {
				return nil, fmt.Errorf("scopes.%s[%d]: %w", name, i, err)
			}
			p.scopes[name] = append(p.scopes[name], pat)
			p.governing = append(p.governing, pat)
		}
	}
	for i, r := range f.Restricted {
		pat, err := compilePattern(r.Resource)
		if err != nil {
			return nil, fmt.Errorf("restricted[%d].resource: %w", i, err)
		}
		p.restricted = append(p.restricted, restricted{pattern: pat, principals: r.Principals, tokens: r.Tokens, scopes: r.Scopes})
	}
	var err error
	if p.hours, err = compileHours(f.WorkingHours, "working_hours"); err != nil {
		return nil, err
	}
	if p.networks, err = compileNetworks(f.AllowedNetworks, "allowed_networks"); err != nil {
		return nil, err
	}
	for i, r := range f.Revoked {
		if r.ID == "" && r.JTI == "" {
			return nil, fmt.Errorf("revoked[%d]: set id (a token id from `auditctl fingerprint`) or jti", i)
		}
		if r.ID != "" {
			p.revokedIDs[r.ID] = true
		}
		if r.JTI != "" {
			p.revokedJTIs[r.JTI] = true
		}
	}
	p.authoritative = f.Registry.Authoritative
	for i, t := range f.Registry.Tokens {
		e, err := compileEntry(t, fmt.Sprintf("registry.tokens[%d]", i))
		if err != nil {
			return nil, err
		}
		for _, idx := range []struct {
			key string
			m   map[string]*Entry
			fld string
		}{{t.ID, p.byID, "id"}, {t.JTI, p.byJTI, "jti"}, {t.KeyID, p.byKeyID, "key_id"}} {
			if idx.key == "" {
				continue
			}
			if _, dup := idx.m[idx.key]; dup {
				return nil, fmt.Errorf("registry.tokens[%d].%s: %q is listed twice", i, idx.fld, idx.key)
			}
			idx.m[idx.key] = e
		}
	}
	return p, nil
}

func compileEntry(t tokenFile, path string) (*Entry, error) {
	if t.ID == "" && t.JTI == "" && t.KeyID == "" {
		return nil, fmt.Errorf("%s: set id (from `auditctl fingerprint`), jti or key_id", path)
	}
	e := &Entry{Name: t.Name, Owner: t.Owner, OwnerType: t.OwnerType, Scopes: t.Scopes}
	switch t.OwnerType {
	case "", auditattr.PrincipalUser, auditattr.PrincipalService:
	default:
		return nil, fmt.Errorf("%s.owner_type: %q is not user or service", path, t.OwnerType)
	}
	var err error
	if e.CreatedAt, err = parseTime(t.CreatedAt, path+".created_at"); err != nil {
		return nil, err
	}
	if e.ExpiresAt, err = parseTime(t.ExpiresAt, path+".expires_at"); err != nil {
		return nil, err
	}
	if t.Networks != nil {
		if e.networks, err = compileNetworks(t.Networks, path+".networks"); err != nil {
			return nil, err
		}
	}
	if e.hours, err = compileHours(t.WorkingHours, path+".working_hours"); err != nil {
		return nil, err
	}
	return e, nil
}

func parseTime(s, path string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: cannot parse %q: use RFC 3339 like 2026-12-31T00:00:00Z", path, s)
	}
	return t, nil
}

// Lookup finds a registry entry by token id, then jti, then key id.
func (p *Policy) Lookup(tokenID, jti, keyID string) *Entry {
	if p == nil {
		return nil
	}
	if e := p.byID[tokenID]; tokenID != "" && e != nil {
		return e
	}
	if e := p.byJTI[jti]; jti != "" && e != nil {
		return e
	}
	if e := p.byKeyID[keyID]; keyID != "" && e != nil {
		return e
	}
	return nil
}

// Request is one audited request.
type Request struct {
	TokenID, JTI, KeyID string
	PrincipalID         string
	Scopes              []string   // nil: unknown, no scope verdict
	Resource            string     // "": unknown
	ClientAddr          netip.Addr // invalid: unknown
	EventTime           time.Time  // zero: no off_hours verdict
}

// Evaluate appends the verdicts that need the policy, in a fixed order.
func (p *Policy) Evaluate(req *Request, out []string) []string {
	if p == nil {
		return out
	}
	if (req.TokenID != "" && p.revokedIDs[req.TokenID]) || (req.JTI != "" && p.revokedJTIs[req.JTI]) {
		out = append(out, auditattr.ViolationRevoked)
	}
	entry := p.Lookup(req.TokenID, req.JTI, req.KeyID)
	if p.authoritative && entry == nil {
		out = append(out, auditattr.ViolationUnknown)
	}
	if req.Resource != "" {
		if req.Scopes != nil && p.scopeViolation(req) {
			out = append(out, auditattr.ViolationScope)
		}
		if p.restrictedViolation(req) {
			out = append(out, auditattr.ViolationRestrictedResource)
		}
	}
	h := p.hours
	if entry != nil && entry.hours != nil {
		h = entry.hours
	}
	if h != nil && !req.EventTime.IsZero() && !h.within(req.EventTime) {
		out = append(out, auditattr.ViolationOffHours)
	}
	nets := p.networks
	if entry != nil && entry.networks != nil {
		nets = entry.networks
	}
	if len(nets) > 0 && req.ClientAddr.IsValid() && !inNetworks(nets, req.ClientAddr) {
		out = append(out, auditattr.ViolationDisallowedNetwork)
	}
	return out
}

func (p *Policy) scopeViolation(req *Request) bool {
	governed := false
	for i := range p.governing {
		if p.governing[i].match(req.Resource) {
			governed = true
			break
		}
	}
	if !governed {
		return false
	}
	for _, s := range req.Scopes {
		pats := p.scopes[s]
		for i := range pats {
			if pats[i].match(req.Resource) {
				return false
			}
		}
	}
	return true
}

func (p *Policy) restrictedViolation(req *Request) bool {
	for i := range p.restricted {
		r := &p.restricted[i]
		if !r.pattern.match(req.Resource) {
			continue
		}
		if (req.PrincipalID != "" && slices.Contains(r.principals, req.PrincipalID)) ||
			(req.TokenID != "" && slices.Contains(r.tokens, req.TokenID)) ||
			intersects(r.scopes, req.Scopes) {
			continue
		}
		return true
	}
	return false
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
