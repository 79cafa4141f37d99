package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// principalRules are a principal's own working hours and networks: they
// apply to all of its tokens (registered or not) that set none of their own,
// so a known user's unregistered JWTs are held to that user's hours.
type principalRules struct {
	networks []netip.Prefix // nil: the global allowed_networks apply
	hours    *hours         // nil: the global working_hours apply
}

func compilePrincipals(list map[string]principalFile) (map[string]*principalRules, error) {
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(list))
	for id := range list {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic errors
	out := make(map[string]*principalRules, len(list))
	for _, id := range ids {
		f := list[id]
		path := "principals." + id
		key := strings.TrimSpace(id)
		if key == "" {
			return nil, fmt.Errorf("principals: an empty principal id: use the id tokenaudit.principal.id shows (a JWT's sub, the registry's owner)")
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s: listed twice (once with spaces around it): list each principal once", path)
		}
		if f.Networks == nil && f.WorkingHours == nil {
			return nil, fmt.Errorf("%s: sets nothing: add working_hours or networks, or remove the entry", path)
		}
		r := &principalRules{}
		var err error
		if f.Networks != nil {
			if r.networks, err = compileNetworks(f.Networks, path+".networks"); err != nil {
				return nil, err
			}
		}
		if r.hours, err = compileHours(f.WorkingHours, path+".working_hours"); err != nil {
			return nil, err
		}
		out[key] = r
	}
	return out, nil
}

// HasPrincipalWorkingHours tells whether the policy sets working hours for
// this principal's tokens.
func (p *Policy) HasPrincipalWorkingHours(principalID string) bool {
	if p == nil || principalID == "" {
		return false
	}
	r := p.principals[principalID]
	return r != nil && r.hours != nil
}

// AnyPrincipalWorkingHours tells whether the policy sets working hours for
// any principal, so that a caller asking per item can skip the lookup.
func (p *Policy) AnyPrincipalWorkingHours() bool {
	if p == nil {
		return false
	}
	for _, r := range p.principals {
		if r.hours != nil {
			return true
		}
	}
	return false
}

// rulesFor picks the working hours and networks that hold for a request:
// the token's registry entry's own, else its principal's, else the global
// ones. It does not allocate.
func (p *Policy) rulesFor(entry *Entry, principalID string) (*hours, []netip.Prefix) {
	h, nets := p.hours, p.networks
	if principalID != "" {
		if r := p.principals[principalID]; r != nil {
			if r.hours != nil {
				h = r.hours
			}
			if r.networks != nil {
				nets = r.networks
			}
		}
	}
	if entry != nil {
		if entry.hours != nil {
			h = entry.hours
		}
		if entry.networks != nil {
			nets = entry.networks
		}
	}
	return h, nets
}
