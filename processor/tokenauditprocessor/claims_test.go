package tokenauditprocessor

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestTokensReadAsJSONReadsThem: a payload that spells its claim names
// with escapes is read as the service reads it, so an expired token is
// expired and has its principal (issue 15, point 1); a JWT cut short is
// malformed, not an opaque bearer token (issue 13, point 5).
func TestTokensReadAsJSONReadsThem(t *testing.T) {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	escaped := header + "." + enc.EncodeToString([]byte(`{"\u0073ub":"mallory","ex\u0070":1000,"sub":"alice","sub":"mallory"}`)) + ".c2lnbmF0dXJl"
	truncated := strings.Join(strings.Split(userJWT(t, now), ".")[:2], ".")
	tests := []struct {
		name, tok, status, principal, typ, violation string
	}{
		{"escaped claim names", escaped, auditattr.StatusExpired, "mallory", auditattr.TypeJWT, auditattr.ViolationExpired},
		{"truncated jwt", truncated, auditattr.StatusMalformed, "", auditattr.TypeJWT, auditattr.ViolationMalformed},
	}
	h := newHarness(t, testConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+tt.tok) })
			a := s.Attributes()
			assert.Equal(t, tt.status, attrStr(t, a, auditattr.TokenStatus))
			assert.Equal(t, tt.principal, attrStr(t, a, auditattr.PrincipalID))
			assert.Equal(t, tt.typ, attrStr(t, a, auditattr.TokenType))
			assert.Contains(t, attrStrings(a, auditattr.Violations), tt.violation)
			h.assertNoSecret(t, tt.tok)
		})
	}
}
