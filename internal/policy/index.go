package policy

import (
	"slices"
	"strings"
)

// scopeIndex holds every scope's patterns. HTTP patterns sit in a trie of
// path segments, so a resource meets only the patterns that share its
// literal segments: the cost of a check grows with the matching patterns,
// not with the size of the policy. A walk visits each trie node at most
// once, so it is never slower than trying every pattern.
type scopeIndex struct {
	rules []scopeRule
	root  trieNode
	globs []int32 // whole-resource patterns, tried one by one
}

// scopeRule is one pattern of one scope.
type scopeRule struct {
	pat   pattern
	scope string
}

type trieNode struct {
	lit   map[string]*trieNode
	any   *trieNode // "*" or "{x}"
	exact []int32   // rules whose path ends here
	rest  []int32   // rules whose path ends here in "**"
}

func (ix *scopeIndex) add(rule scopeRule) {
	i := int32(len(ix.rules))
	ix.rules = append(ix.rules, rule)
	if rule.pat.whole {
		ix.globs = append(ix.globs, i)
		return
	}
	n := &ix.root
	for _, s := range rule.pat.segs {
		n = n.child(s)
	}
	if rule.pat.rest {
		n.rest = append(n.rest, i)
	} else {
		n.exact = append(n.exact, i)
	}
}

func (n *trieNode) child(s segment) *trieNode {
	if s.any {
		if n.any == nil {
			n.any = &trieNode{}
		}
		return n.any
	}
	if n.lit == nil {
		n.lit = map[string]*trieNode{}
	}
	c := n.lit[s.lit]
	if c == nil {
		c = &trieNode{}
		n.lit[s.lit] = c
	}
	return c
}

// scopeCheck is one resource's walk through the index.
type scopeCheck struct {
	ix       *scopeIndex
	r        *resource
	scopes   []string
	governed bool
}

// violation reports whether some scope governs r and none of scopes allows
// it. It does not allocate.
func (ix *scopeIndex) violation(r *resource, scopes []string) bool {
	c := scopeCheck{ix: ix, r: r, scopes: scopes}
	for _, i := range ix.globs {
		if strings.HasPrefix(r.raw, ix.rules[i].pat.prefix) && c.visit(i) {
			return false
		}
	}
	if r.http && c.walk(&ix.root, r.path) {
		return false
	}
	return c.governed
}

// walk visits the rules whose segments match path; true stops the walk
// because a rule allowed the request.
func (c *scopeCheck) walk(n *trieNode, path string) bool {
	for _, i := range n.rest {
		if c.visit(i) {
			return true
		}
	}
	if path == "" {
		for _, i := range n.exact {
			if c.visit(i) {
				return true
			}
		}
		return false
	}
	seg, rest, _ := strings.Cut(path, "/")
	if next := n.lit[seg]; next != nil && c.walk(next, rest) {
		return true
	}
	return n.any != nil && c.walk(n.any, rest)
}

// visit takes a rule whose path matched; true means it allows the request.
func (c *scopeCheck) visit(i int32) bool {
	rule := &c.ix.rules[i]
	if rule.pat.whole {
		if !globMatch(rule.pat.text, c.r.raw) {
			return false
		}
	} else if rule.pat.method != "*" && !strings.EqualFold(rule.pat.method, c.r.method) {
		return false
	}
	if slices.Contains(c.scopes, rule.scope) {
		return true
	}
	c.governed = true
	return false
}
