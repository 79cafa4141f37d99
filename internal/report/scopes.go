package report

import (
	"slices"
	"sort"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// scopeAnalysis finds, for the resources a token called successfully, a
// small set of its granted scopes that would have allowed them all. The
// policy's scope map decides what a scope allows; a resource no scope
// governs needs none. The set is greedy (set cover is NP-hard), so it is
// small, not always the smallest.
func scopeAnalysis(p *policy.Policy, granted []string, used []string, partial bool) ScopeUse {
	su := ScopeUse{Granted: granted, Partial: partial}
	if p == nil || !p.HasScopes() {
		return su
	}
	su.Analysed = true
	var buf [8]string
	violates := func(scopes []string, res string) bool {
		return slices.Contains(p.Evaluate(&policy.Request{Scopes: scopes, Resource: res}, buf[:0]), auditattr.ViolationScope)
	}
	// allowedBy[i]: the granted scopes that allow governed resource i.
	var allowedBy [][]string
	for _, res := range used {
		if !violates([]string{}, res) {
			continue // ungoverned
		}
		var by []string
		for _, s := range granted {
			if !violates([]string{s}, res) {
				by = append(by, s)
			}
		}
		if len(by) == 0 {
			su.Uncovered = append(su.Uncovered, res)
			continue
		}
		allowedBy = append(allowedBy, by)
	}
	needed := map[string]bool{}
	covered := make([]bool, len(allowedBy))
	for {
		best, bestN := "", 0
		for _, s := range granted {
			if needed[s] {
				continue
			}
			n := 0
			for i, by := range allowedBy {
				if !covered[i] && slices.Contains(by, s) {
					n++
				}
			}
			if n > bestN {
				best, bestN = s, n
			}
		}
		if bestN == 0 {
			break
		}
		needed[best] = true
		for i, by := range allowedBy {
			if slices.Contains(by, best) {
				covered[i] = true
			}
		}
	}
	for _, s := range granted {
		if needed[s] {
			su.Needed = append(su.Needed, s)
		} else {
			su.Unused = append(su.Unused, s)
		}
	}
	sort.Strings(su.Uncovered)
	// A token that never succeeded is a failing token, not an over-permissioned one.
	su.OverPermissioned = len(su.Unused) > 0 && len(used) > 0 && !partial
	return su
}
