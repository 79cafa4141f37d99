package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Entry is a registry entry. It is shared by every caller: read only.
type Entry struct {
	// ID, JTI and KeyID are the identifiers the file lists (any may be empty).
	ID, JTI, KeyID         string
	Name, Owner, OwnerType string
	Scopes                 []string  // nil when the entry lists none
	CreatedAt, ExpiresAt   time.Time // zero when absent
	// LastUsedAt is when the issuer last saw the token used (GitHub's,
	// GitLab's and AWS IAM's last-used date); zero when absent. NeverUsed:
	// the issuer records no use since CreatedAt (last_used_at: never).
	LastUsedAt time.Time
	NeverUsed  bool

	networks []netip.Prefix // nil: the global allowed_networks apply
	hours    *hours         // nil: the global working_hours apply
}

// registry indexes entries by each kind of identifier.
type registry struct {
	list                 []*Entry // in file order
	byID, byJTI, byKeyID map[string]*Entry
}

func compileRegistry(tokens []tokenFile) (registry, error) {
	r := registry{
		byID:    make(map[string]*Entry, len(tokens)),
		byJTI:   map[string]*Entry{},
		byKeyID: map[string]*Entry{},
	}
	// first[key] is where an identifier was first listed, for duplicate errors.
	first := map[string]int{}
	for i, t := range tokens {
		t.ID, t.JTI, t.KeyID = strings.TrimSpace(t.ID), strings.TrimSpace(t.JTI), strings.TrimSpace(t.KeyID)
		path := fmt.Sprintf("registry.tokens[%d]", i)
		e, err := compileEntry(t, path)
		if err != nil {
			return registry{}, err
		}
		r.list = append(r.list, e)
		for _, ix := range []struct {
			key, field string
			m          map[string]*Entry
		}{{t.ID, "id", r.byID}, {t.JTI, "jti", r.byJTI}, {t.KeyID, "key_id", r.byKeyID}} {
			if ix.key == "" {
				continue
			}
			if _, dup := ix.m[ix.key]; dup {
				// The value is not repeated: a raw token pasted as an id must
				// not reach the collector's log.
				return registry{}, fmt.Errorf("%s.%s: the same %s as registry.tokens[%d]: list each token once",
					path, ix.field, ix.field, first[ix.field+"\x00"+ix.key])
			}
			ix.m[ix.key] = e
			first[ix.field+"\x00"+ix.key] = i
		}
	}
	return r, nil
}

func compileEntry(t tokenFile, path string) (*Entry, error) {
	if t.ID == "" && t.JTI == "" && t.KeyID == "" {
		return nil, fmt.Errorf("%s: no identifier: set id (from `auditctl fingerprint`), jti or key_id", path)
	}
	switch t.OwnerType {
	case "", auditattr.PrincipalUser, auditattr.PrincipalService:
	default:
		return nil, fmt.Errorf("%s.owner_type: %q is not a type: use %s or %s", path, t.OwnerType,
			auditattr.PrincipalUser, auditattr.PrincipalService)
	}
	e := &Entry{ID: t.ID, JTI: t.JTI, KeyID: t.KeyID, Name: t.Name, Owner: t.Owner, OwnerType: t.OwnerType, Scopes: slices.Clone(t.Scopes)}
	var err error
	if e.CreatedAt, err = parseTime(t.CreatedAt, path+".created_at"); err != nil {
		return nil, err
	}
	if e.ExpiresAt, err = parseTime(t.ExpiresAt, path+".expires_at"); err != nil {
		return nil, err
	}
	if !e.CreatedAt.IsZero() && !e.ExpiresAt.IsZero() && e.ExpiresAt.Before(e.CreatedAt) {
		return nil, fmt.Errorf("%s.expires_at: %s is before created_at %s: swap them or fix the year", path, t.ExpiresAt, t.CreatedAt)
	}
	if err = e.compileLastUsed(t, path+".last_used_at"); err != nil {
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

// compileLastUsed reads last_used_at: an RFC 3339 time, or never. N/A is
// never too: the AWS IAM credential report writes it in
// access_key_N_last_used_date for a key with no recorded use.
func (e *Entry) compileLastUsed(t tokenFile, path string) error {
	if v := strings.TrimSpace(t.LastUsedAt); v == "never" || v == "N/A" {
		if e.CreatedAt.IsZero() {
			return fmt.Errorf("%s: never needs created_at, the date the token has been unused since", path)
		}
		e.NeverUsed = true
		return nil
	}
	var err error
	if e.LastUsedAt, err = parseTime(t.LastUsedAt, path); err != nil {
		return fmt.Errorf("%w, or never (N/A)", err)
	}
	if !e.LastUsedAt.IsZero() && e.LastUsedAt.Before(e.CreatedAt) {
		return fmt.Errorf("%s: %s is before created_at %s: a token is used after it is created", path, t.LastUsedAt, t.CreatedAt)
	}
	return nil
}

func parseTime(s, path string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: cannot parse %s: use RFC 3339 like 2026-12-31T00:00:00Z", path, quoteShort(s))
	}
	return t, nil
}

// quoteShort quotes a value an error may show: one longer than any date
// is described by its length only, in case a token was pasted there.
func quoteShort(s string) string {
	if len(s) <= len("2026-12-31T00:00:00Z") {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("a value of %d bytes", len(s))
}

// HasWorkingHours tells whether the entry sets its own working hours.
func (e *Entry) HasWorkingHours() bool { return e.hours != nil }

// Registered lists the registry's entries in file order: the tokens that
// must be watched even when they never show up. Read only.
func (p *Policy) Registered() []*Entry {
	if p == nil {
		return nil
	}
	return p.registry.list
}

// HasWorkingHours tells whether the policy sets global working hours.
func (p *Policy) HasWorkingHours() bool { return p != nil && p.hours != nil }

// HasScopes tells whether the policy maps any scope to resources.
func (p *Policy) HasScopes() bool { return p != nil && len(p.scopes.rules) > 0 }

// Lookup finds a registry entry by fingerprint, then jti, then key id; empty
// arguments are skipped. It returns nil when none matches. It does not allocate.
func (p *Policy) Lookup(tokenID, jti, keyID string) *Entry {
	if p == nil {
		return nil
	}
	if tokenID != "" {
		if e := p.registry.byID[tokenID]; e != nil {
			return e
		}
	}
	if jti != "" {
		if e := p.registry.byJTI[jti]; e != nil {
			return e
		}
	}
	if keyID != "" {
		if e := p.registry.byKeyID[keyID]; e != nil {
			return e
		}
	}
	return nil
}
