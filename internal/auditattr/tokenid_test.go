package auditattr

import (
	"strings"
	"testing"
)

func TestIsTokenID(t *testing.T) {
	hex := "0123456789abcdef0123456789abcdef"
	tests := []struct {
		s    string
		want bool
	}{
		{"tok_" + hex, true},
		{"acme-" + hex, true},
		{"key" + hex, true},
		{"abcdefghijklmno_" + hex, true},
		{hex, false},                           // no prefix
		{"tok_" + hex[:31], false},             // too short
		{"tok_" + strings.ToUpper(hex), false}, // upper-case hex
		{"abc" + hex, false},                   // the prefix would end in a hex digit
		{"abcdefghijklmnop_" + hex, false},     // 17-character prefix
		{"Bearer " + hex, false},
		{"tok:" + hex, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsTokenID(tt.s); got != tt.want {
			t.Errorf("IsTokenID(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// FuzzPrefixRule: the prefixes CheckTokenIDPrefix accepts are exactly those
// whose ids IsTokenID recognises.
func FuzzPrefixRule(f *testing.F) {
	for _, p := range []string{"tok_", "acme-", "key", "", "abc", "x_y", "Tok_", "abcdefghijklmnop_"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		id := p + "0123456789abcdef0123456789abcdef"
		if ok := CheckTokenIDPrefix(p) == nil; ok != IsTokenID(id) {
			t.Fatalf("prefix %q: accepted %v, its id recognised %v", p, ok, IsTokenID(id))
		}
	})
}
