package tokenanomalyconnector

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// maxScopes is how many distinct scopes unused_scopes tracks (one bit
// each); further scopes are not judged.
const maxScopes = 64

// maxScopeResources bounds the cache of which scopes allow a resource.
const maxScopeResources = 10000

// scopeModel interns scope names as bits and caches, per resource, the
// scopes whose policy patterns allow it.
type scopeModel struct {
	names   []string
	index   map[string]uint8
	policy  *policy.Policy
	allowed map[string]scopeMask
	out     []string
}

type scopeMask struct {
	mask     uint64
	known    int  // scopes (by index) the mask was computed for
	governed bool // some scope's patterns match the resource
}

func newScopeModel() *scopeModel {
	return &scopeModel{index: map[string]uint8{}, allowed: map[string]scopeMask{}}
}

// reset drops the cache when the policy changes.
func (s *scopeModel) reset(p *policy.Policy) {
	s.policy = p
	clear(s.allowed)
}

// bits interns the scopes of an item.
func (s *scopeModel) bits(scopes pcommon.Slice) uint64 {
	var b uint64
	for _, v := range scopes.All() {
		name := v.Str()
		i, ok := s.index[name]
		if !ok {
			if len(s.names) >= maxScopes {
				continue
			}
			i = uint8(len(s.names))
			s.names = append(s.names, strings.Clone(name))
			s.index[s.names[i]] = i
		}
		b |= 1 << i
	}
	return b
}

// allows returns the interned scopes that allow resource; 0 when no scope
// governs it (a resource no scope mentions uses no scope).
func (s *scopeModel) allows(resource string) uint64 {
	c, cached := s.allowed[resource]
	if !cached {
		// A token with no scopes is refused exactly the governed resources.
		c.governed = s.violates(&policy.Request{Resource: resource, Scopes: []string{}})
	}
	if !c.governed || (cached && c.known == len(s.names)) {
		if !cached {
			s.store(resource, c)
		}
		return c.mask
	}
	one := []string{""}
	req := policy.Request{Resource: resource, Scopes: one}
	for i := c.known; i < len(s.names); i++ {
		one[0] = s.names[i]
		if !s.violates(&req) {
			c.mask |= 1 << i
		}
	}
	c.known = len(s.names)
	s.store(resource, c)
	return c.mask
}

func (s *scopeModel) violates(req *policy.Request) bool {
	s.out = s.policy.Evaluate(req, s.out[:0])
	for _, v := range s.out {
		if v == auditattr.ViolationScope {
			return true
		}
	}
	return false
}

func (s *scopeModel) store(resource string, c scopeMask) {
	if _, ok := s.allowed[resource]; ok || len(s.allowed) < maxScopeResources {
		s.allowed[strings.Clone(resource)] = c
	}
}

// names of the bits in b.
func (s *scopeModel) namesOf(b uint64) []string {
	var out []string
	for i, n := range s.names {
		if b&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}
