package report

import (
	"fmt"
	"time"
)

// hygiene lists the tokens that need attention: stale registered tokens,
// tokens in use that expire soon, tokens without expiry or with too long a
// lifetime, and over-permissioned tokens.
func (a *aggregator) hygiene(r *Report, opts Options) Hygiene {
	h := Hygiene{}
	ref := r.ReferenceTime
	if opts.Policy != nil && opts.StaleAfter > 0 {
		for _, e := range opts.Policy.Registered() {
			id := e.ID
			if id == "" {
				id = e.JTI
			}
			s := a.registered[id]
			if s == nil {
				continue // only a key id: records do not carry it
			}
			owner := e.Owner
			if owner != "" && a.pseudo != nil {
				owner = a.pseudo(owner)
			}
			note := TokenNote{ID: id, Name: e.Name, Owner: owner}
			switch {
			case s.last == 0:
				note.Detail = "not used in the period"
			case ref.Sub(ms(s.last)) > opts.StaleAfter:
				note.Detail = fmt.Sprintf("last used %s, %s before the reference time", ms(s.last).Format(time.RFC3339), roundDur(ref.Sub(ms(s.last))))
			default:
				continue
			}
			h.Stale = append(h.Stale, note)
		}
	}
	for _, t := range r.Tokens {
		e := a.entry(opts.Policy, t.ID, "")
		exp, iss := t.ExpiresAt, t.IssuedAt
		if exp == nil && e != nil && !e.ExpiresAt.IsZero() {
			exp = &e.ExpiresAt
		}
		if iss == nil && e != nil && !e.CreatedAt.IsZero() {
			iss = &e.CreatedAt
		}
		used := t.Requests > 0
		switch {
		case exp == nil && used:
			h.NoExpiry = append(h.NoExpiry, TokenNote{ID: t.ID, Detail: "no expiry in the token or the registry"})
		case exp != nil && used && opts.ExpiringWithin > 0 && exp.After(ref) && exp.Sub(ref) <= opts.ExpiringWithin:
			h.ExpiringSoon = append(h.ExpiringSoon, TokenNote{ID: t.ID,
				Detail: fmt.Sprintf("expires %s (in %s), last used %s", exp.UTC().Format(time.RFC3339), roundDur(exp.Sub(ref)), t.LastSeen.Format(time.RFC3339))})
		}
		if exp != nil && iss != nil && opts.MaxLifetime > 0 && exp.Sub(*iss) > opts.MaxLifetime {
			h.ExcessiveLifetime = append(h.ExcessiveLifetime, TokenNote{ID: t.ID,
				Detail: fmt.Sprintf("valid for %s (%s to %s)", roundDur(exp.Sub(*iss)), iss.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))})
		}
		if t.Scopes.OverPermissioned {
			h.OverPermissioned = append(h.OverPermissioned, TokenNote{ID: t.ID,
				Detail: fmt.Sprintf("granted %v, needed %v, unused %v", t.Scopes.Granted, t.Scopes.Needed, t.Scopes.Unused)})
		}
	}
	return h
}

// roundDur prints a duration in days and hours when it is long.
func roundDur(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int64(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}
