package tokenauditprocessor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// TestPrefixRuleIsTheContracts: every fingerprint.prefix the config accepts
// gives ids that auditattr.IsTokenID (the audit_log guard's test) knows, and
// the config refuses the prefixes whose ids it could not tell from a key.
func TestPrefixRuleIsTheContracts(t *testing.T) {
	key := strings.Repeat("k", 32)
	fp := func(prefix string) string {
		f, err := fingerprint.New([]byte(key), prefix)
		require.NoError(t, err)
		return f.TokenID("ghp_R4wT0k3nTh4tMustN3v3rB3W1773nXyZ12345")
	}
	tests := []struct {
		prefix string
		ok     bool
	}{
		{"tok_", true},
		{"acme-", true},
		{"t_", true},
		{"key", true},
		{"a_b_c_", true},
		{"abcdefghijklmno_", true},
		{"", false},                  // a bare hex id reads as a hex key
		{"abc", false},               // ends in a hex digit: where would the id start?
		{"tok_7", false},             // likewise
		{"Tok_", false},              // upper case
		{"tok:", false},              // outside the alphabet
		{"abcdefghijklmnop_", false}, // 17 characters
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Fingerprint.Key = configopaque.String(key)
			cfg.Fingerprint.Prefix = tt.prefix
			err := confmap.Validate(cfg)
			if !tt.ok {
				require.ErrorContains(t, err, "fingerprint.prefix")
				return
			}
			require.NoError(t, err)
			require.True(t, auditattr.IsTokenID(fp(tt.prefix)), "id %q under an accepted prefix is not recognised", fp(tt.prefix))
		})
	}
}
