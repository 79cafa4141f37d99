package scenario

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func TestRawCredentials(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	r := NewRaw(secret)
	s := Generate(small())
	byToken := map[string]string{}
	verdicts := map[string]bool{}
	rendered, skipped := 0, 0
	for i := range s.Events {
		e := &s.Events[i]
		if !r.Renders(e) {
			skipped++
			continue
		}
		rendered++
		cred := r.Credential(e)
		require.True(t, strings.HasPrefix(cred, "Bearer "))
		if len(e.Violations) > 0 {
			verdicts[e.Violations[0]] = true
			assert.NotEqual(t, byToken[e.TokenID], cred, "a verdict's token is its own")
			continue
		}
		if prev, ok := byToken[e.TokenID]; ok {
			require.Equal(t, prev, cred, "one credential per token")
		}
		byToken[e.TokenID] = cred
		if e.Principal == "" {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(cred, "Bearer "), ".")
		require.Len(t, parts, 3)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(parts[0] + "." + parts[1]))
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(m.Sum(nil)), parts[2], "HS256 signature")
		body, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		var claims map[string]any
		require.NoError(t, json.Unmarshal(body, &claims))
		assert.Equal(t, e.Principal, claims["sub"])
		assert.Equal(t, strings.Join(e.Scopes, " "), claims["scope"])
	}
	assert.Positive(t, skipped, "verdicts needing a policy of their own are left out")
	assert.Equal(t, map[string]bool{auditattr.ViolationExpired: true, auditattr.ViolationNotYetValid: true,
		auditattr.ViolationInvalidSignature: true}, verdicts)
	seen := map[string]bool{}
	for tok, cred := range byToken {
		assert.False(t, seen[cred], "token %s shares a credential", tok)
		seen[cred] = true
	}

	td := r.Traces(s.Events[:500])
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	sp := spans.At(0)
	auth, ok := sp.Attributes().Get("http.request.header.authorization")
	require.True(t, ok)
	assert.Equal(t, r.Credential(&s.Events[0]), auth.Str())
	_, hasContract := sp.Attributes().Get(auditattr.TokenID)
	assert.False(t, hasContract, "raw requests carry no contract attributes")
}
