package policy

import (
	"fmt"
	"testing"
)

// TestIndexMatchesLinear puts every pattern of the match table in one index,
// each under its own scope, and checks the trie against trying each pattern.
func TestIndexMatchesLinear(t *testing.T) {
	var ix scopeIndex
	var pats []pattern
	for i, tt := range matchCases {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		pats = append(pats, p)
		ix.add(scopeRule{pat: p, scope: fmt.Sprint(i)})
	}
	for _, tt := range matchCases {
		r := splitResource(tt.resource)
		governed := false
		for i := range pats {
			governed = governed || pats[i].match(&r)
		}
		for i := range pats {
			// Holding only scope i, the request is refused exactly when some
			// pattern governs it and pattern i does not allow it.
			want := governed && !pats[i].match(&r)
			if got := ix.violation(&r, []string{fmt.Sprint(i)}); got != want {
				t.Errorf("%q with the scope of %q: violation = %v, want %v", tt.resource, pats[i].text, got, want)
			}
		}
		if got := ix.violation(&r, []string{}); got != governed {
			t.Errorf("%q without scopes: violation = %v, want %v", tt.resource, got, governed)
		}
	}
}
