package tokenanomalyconnector

import (
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// registryView is what the connector needs of the policy beyond
// lookups: the list of registered tokens (stale_token and the idle-time
// gauge must visit tokens that never show up) and whether working hours
// are set (the learned off_hours stands down for those tokens).
type registryView struct {
	policy      *policy.Policy
	entries     []regEntry
	byEntry     map[*policy.Entry]int
	globalHours bool
	// principalHours: some principal has working hours (scheduled looks
	// the item's principal up only then).
	principalHours bool
	hasScopes      bool
}

type regEntry struct {
	key         string // "id:…", "jti:…" or "key_id:…": names the entry's saved state
	id          string
	name, owner string
	created     int64 // unix ms; 0 when absent
	// lastUsed is the issuer's last-used date (unix ms), or created when
	// the issuer records no use; 0 when the registry does not say.
	lastUsed int64
	// never: the registry records no use (last_used_at: never), so
	// lastUsed is created.
	never    bool
	hasHours bool
}

func emptyRegistry() *registryView { return &registryView{byEntry: map[*policy.Entry]int{}} }

// newRegistryView indexes the registry of a loaded policy.
func newRegistryView(p *policy.Policy) *registryView {
	v := emptyRegistry()
	v.policy = p
	v.globalHours = p.HasWorkingHours()
	v.principalHours = p.AnyPrincipalWorkingHours()
	v.hasScopes = p.HasScopes()
	for _, pe := range p.Registered() {
		e := regEntry{id: pe.ID, name: pe.Name, owner: pe.Owner, hasHours: pe.HasWorkingHours()}
		switch {
		case pe.ID != "":
			e.key = "id:" + pe.ID
		case pe.JTI != "":
			e.key = "jti:" + pe.JTI
		default: // the policy requires one identifier
			e.key = "key_id:" + pe.KeyID
		}
		if !pe.CreatedAt.IsZero() {
			e.created = pe.CreatedAt.UnixMilli()
		}
		switch {
		case !pe.LastUsedAt.IsZero():
			e.lastUsed = pe.LastUsedAt.UnixMilli()
		case pe.NeverUsed:
			e.lastUsed, e.never = e.created, true
		}
		v.byEntry[pe] = len(v.entries)
		v.entries = append(v.entries, e)
	}
	return v
}

// lookup returns the index of the registry entry of the item's token, or -1.
func (v *registryView) lookup(ev *event) int {
	if len(v.entries) == 0 || (ev.tokenID == "" && ev.jti == "") {
		return -1
	}
	if pe := v.policy.Lookup(ev.tokenID, ev.jti, ""); pe != nil {
		if i, ok := v.byEntry[pe]; ok {
			return i
		}
	}
	return -1
}

// scheduled reports whether the policy sets working hours for the item's
// token (for everyone, its principal or the token itself), so that the
// processor decides off_hours. The principal is the item's, or its
// registry entry's owner.
func (v *registryView) scheduled(ev *event) bool {
	if v.globalHours {
		return true
	}
	principal := ev.principal
	if ev.reg >= 0 && int(ev.reg) < len(v.entries) {
		e := &v.entries[ev.reg]
		if e.hasHours {
			return true
		}
		if principal == "" {
			principal = e.owner
		}
	}
	return v.principalHours && v.policy.HasPrincipalWorkingHours(principal)
}

// refreshRegistry rebuilds the registry view from the current policy.
func (m *model) refreshRegistry() {
	cur := m.policies.Current()
	m.reg = newRegistryView(cur)
	m.scopes.reset(cur)
}

// syncPolicy follows policy reloads; the holder swaps the pointer.
func (m *model) syncPolicy() {
	if m.policies == nil || !m.hasPolicy() {
		return
	}
	if m.policies.Current() != m.reg.policy {
		m.refreshRegistry()
	}
}

// regLast is when a registry entry was last used: seen by the connector,
// else the issuer's last-used date, else when it was registered, else
// when the connector began to watch. proven tells whether the registry
// or the connector saw that date: a creation date alone says nothing
// about use before the connector watched.
func (m *model) regLast(e *regEntry) (last int64, proven bool) {
	seen := m.regSeen[e.key]
	switch {
	case seen > 0 || e.lastUsed > 0:
		return max(seen, e.lastUsed), true
	case e.created > 0:
		return e.created, false
	}
	return m.since, false
}

// idleGauges is the idle time of every registered token.
func (m *model) idleGauges() []idleGauge {
	if m.watermark == 0 {
		return nil
	}
	out := make([]idleGauge, 0, len(m.reg.entries))
	for i := range m.reg.entries {
		e := &m.reg.entries[i]
		last, _ := m.regLast(e)
		out = append(out, idleGauge{tokenID: e.id, name: e.name, seconds: float64(max(0, m.watermark-last)) / 1000})
	}
	return out
}
