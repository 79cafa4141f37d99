package tokenanomalyconnector

import (
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// registryView is what the connector needs of the policy file beyond
// policy.Policy's lookups: the list of registered tokens (stale_token and
// the idle-time gauge must visit tokens that never show up) and whether
// working hours are set (the learned off_hours stands down for those
// tokens). policy.Load validates the file; this reads the same file
// leniently for the parts policy.Policy does not expose.
type registryView struct {
	policy      *policy.Policy
	entries     []regEntry
	byEntry     map[*policy.Entry]int
	globalHours bool
	hasScopes   bool
}

type regEntry struct {
	key         string // "id:…", "jti:…" or "key_id:…": names the entry's saved state
	id, jti     string
	keyID       string
	name, owner string
	created     int64 // unix ms; 0 when absent
	hasHours    bool
}

// policyShape is the lenient reading of the policy file.
type policyShape struct {
	Scopes       map[string]any `yaml:"scopes"`
	WorkingHours any            `yaml:"working_hours"`
	Registry     struct {
		Tokens []struct {
			ID           string `yaml:"id"`
			JTI          string `yaml:"jti"`
			KeyID        string `yaml:"key_id"`
			Name         string `yaml:"name"`
			Owner        string `yaml:"owner"`
			CreatedAt    string `yaml:"created_at"`
			WorkingHours any    `yaml:"working_hours"`
		} `yaml:"tokens"`
	} `yaml:"registry"`
}

func emptyRegistry() *registryView { return &registryView{byEntry: map[*policy.Entry]int{}} }

// parseRegistry reads the registry list and the presence of working hours
// and scopes from a policy file. It never repeats token ids in errors.
func parseRegistry(data []byte) (*registryView, error) {
	var shape policyShape
	if err := yaml.Unmarshal(data, &shape); err != nil {
		return nil, fmt.Errorf("reading the registry: %w", redactYAMLError(err))
	}
	v := emptyRegistry()
	v.globalHours = shape.WorkingHours != nil
	v.hasScopes = len(shape.Scopes) > 0
	for i, t := range shape.Registry.Tokens {
		e := regEntry{
			id: strings.TrimSpace(t.ID), jti: strings.TrimSpace(t.JTI), keyID: strings.TrimSpace(t.KeyID),
			name: t.Name, owner: t.Owner,
			hasHours: t.WorkingHours != nil,
		}
		switch {
		case e.id != "":
			e.key = "id:" + e.id
		case e.jti != "":
			e.key = "jti:" + e.jti
		case e.keyID != "":
			e.key = "key_id:" + e.keyID
		default:
			return nil, fmt.Errorf("registry.tokens[%d]: no identifier", i)
		}
		if s := strings.TrimSpace(t.CreatedAt); s != "" {
			ts, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("registry.tokens[%d].created_at: not RFC 3339", i)
			}
			e.created = ts.UnixMilli()
		}
		v.entries = append(v.entries, e)
	}
	return v, nil
}

// redactYAMLError drops the YAML library's quoting of values, which could
// hold a token pasted by mistake, keeping only the line.
func redactYAMLError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		end := i + 5
		for end < len(msg) && msg[end] >= '0' && msg[end] <= '9' {
			end++
		}
		return fmt.Errorf("invalid YAML at %s", msg[i:end])
	}
	return fmt.Errorf("invalid YAML")
}

// bind maps the policy's registry entries to the view's entries.
func (v *registryView) bind(p *policy.Policy) {
	v.policy = p
	for i, e := range v.entries {
		if pe := p.Lookup(e.id, e.jti, e.keyID); pe != nil {
			if _, dup := v.byEntry[pe]; !dup {
				v.byEntry[pe] = i
			}
		}
	}
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
// token, so that the processor decides off_hours.
func (v *registryView) scheduled(ev *event) bool {
	return v.globalHours || (ev.reg >= 0 && int(ev.reg) < len(v.entries) && v.entries[ev.reg].hasHours)
}

// refreshRegistry rereads the policy file for the registry view.
func (m *model) refreshRegistry() error {
	cur := m.policies.Current()
	data, err := os.ReadFile(m.cfg.PolicyFile)
	if err != nil {
		return fmt.Errorf("reading %s: %w", m.cfg.PolicyFile, err)
	}
	v, err := parseRegistry(data)
	if err != nil {
		return err
	}
	v.bind(cur)
	m.reg = v
	m.scopes.reset(cur)
	return nil
}

// syncPolicy follows policy reloads; the holder swaps the pointer.
func (m *model) syncPolicy() {
	if m.policies == nil || m.cfg.PolicyFile == "" {
		return
	}
	if cur := m.policies.Current(); cur != m.reg.policy {
		if err := m.refreshRegistry(); err != nil {
			m.reg.policy = cur // do not retry on every batch; the next reload will
			m.logger.Warn("Kept the previous token registry: the policy file could not be reread")
		}
	}
}

// regLast is when a registry entry was last used, else registered, else
// when the connector began to watch.
func (m *model) regLast(e *regEntry) int64 {
	if t := m.regSeen[e.key]; t > 0 {
		return t
	}
	return max(e.created, m.since)
}

// idleGauges is the idle time of every registered token.
func (m *model) idleGauges() []idleGauge {
	if m.watermark == 0 {
		return nil
	}
	out := make([]idleGauge, 0, len(m.reg.entries))
	for i := range m.reg.entries {
		e := &m.reg.entries[i]
		out = append(out, idleGauge{tokenID: e.id, name: e.name, seconds: float64(max(0, m.watermark-m.regLast(e))) / 1000})
	}
	return out
}
