package tokenauditprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// reviewSecret is a fixture in no known format: only the place it stands
// in makes it a credential.
const reviewSecret = "Zq9SuperSecretValue0123456789xyzABC"

// TestSecretsInEveryPlace puts a credential where a review found the first
// version let it through: span events and links, scope attributes, URLs in
// resource attributes, body map keys, exception text, fragments, token-only
// userinfo and header-like text with unknown schemes or JSON arrays.
func TestSecretsInEveryPlace(t *testing.T) {
	traces := []struct {
		name   string
		fill   func(ptrace.Traces)
		source string // tokenaudit.token.source on the span, "" when not recorded
	}{
		{"span event", func(td ptrace.Traces) {
			firstSpan(td).Events().AppendEmpty().Attributes().PutStr("http.request.header.authorization", "Bearer "+reviewSecret)
		}, "event.http.request.header.authorization"},
		{"span link", func(td ptrace.Traces) {
			firstSpan(td).Links().AppendEmpty().Attributes().PutStr("http.request.header.x-api-key", reviewSecret)
		}, "link.http.request.header.x-api-key"},
		{"exception event text", func(td ptrace.Traces) {
			firstSpan(td).Events().AppendEmpty().Attributes().PutStr("exception.message", "upstream 401 for Authorization: Bearer "+reviewSecret)
		}, "event.exception.message"},
		{"scope attribute", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Attributes().PutStr("http.request.header.authorization", "Bearer "+reviewSecret)
		}, "scope.http.request.header.authorization"},
		{"URL in a resource attribute", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("url.full", "https://x/?access_token="+reviewSecret)
		}, "resource.url.full"},
		{"URL fragment", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("url.full", "https://app/cb#access_token="+reviewSecret+"&token_type=bearer")
		}, "url.full"},
		{"token as userinfo", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("url.full", "https://"+reviewSecret+"@github.com/o/r.git")
		}, "url.full"},
	}
	for _, tt := range traces {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			td := ptrace.NewTraces()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			tt.fill(td)
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			h.assertNoSecret(t, reviewSecret)
			out := firstSpan(h.traces.AllTraces()[0]).Attributes()
			assert.Equal(t, tt.source, attrStr(t, out, auditattr.TokenSource))
		})
	}

	logs := []struct {
		name string
		fill func(plog.LogRecord)
	}{
		{"body map key", func(lr plog.LogRecord) { lr.Body().SetEmptyMap().PutStr("Authorization: Bearer "+reviewSecret, "x") }},
		{"unknown scheme in text", func(lr plog.LogRecord) { lr.Body().SetStr("Authorization: Negotiate " + reviewSecret) }},
		{"percent in a key value", func(lr plog.LogRecord) { lr.Body().SetStr("X-Api-Key: abcdefgh%2F" + reviewSecret) }},
		{"JSON array of header values", func(lr plog.LogRecord) {
			lr.Body().SetStr(`{"headers":{"Authorization":["Bearer ` + reviewSecret + `"]}}`)
		}},
		{"exception.message attribute", func(lr plog.LogRecord) {
			lr.Attributes().PutStr("exception.message", "call failed: Authorization: Bearer "+reviewSecret)
		}},
	}
	for _, tt := range logs {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.logRecord(t, now, tt.fill)
			h.assertNoSecret(t, reviewSecret)
		})
	}
}

func firstSpan(td ptrace.Traces) ptrace.Span {
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// TestProducerAttributesReplaced: when the processor finds a credential,
// nothing a producer wrote in the tokenaudit namespace survives beside it.
func TestProducerAttributesReplaced(t *testing.T) {
	h := newHarness(t, testConfig())
	s := h.span(t, now, func(m pcommon.Map) {
		m.PutStr(auditattr.PrincipalID, "admin")
		m.PutInt(auditattr.TokenExpiresAt, 1)
		m.PutStr("http.request.header.x-api-key", githubKey)
	})
	_, hasPrincipal := s.Attributes().Get(auditattr.PrincipalID)
	_, hasExp := s.Attributes().Get(auditattr.TokenExpiresAt)
	assert.False(t, hasPrincipal, "spoofed principal kept")
	assert.False(t, hasExp, "spoofed expiry kept")
	assert.Equal(t, auditattr.StatusActive, attrStr(t, s.Attributes(), auditattr.TokenStatus))
}

// TestForgedJTIBorrowsNothing: with verification on, a token whose
// signature fails cannot take a registered token's owner by its jti.
func TestForgedJTIBorrowsNothing(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "registry:\n  tokens:\n    - jti: vip\n      owner: ceo\n")
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
	h := newHarness(t, cfg)
	forged := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "mallory", "jti": "vip"}, "not-the-secret-but-32-bytes-long!!!")
	s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+forged) })
	assert.Equal(t, "mallory", attrStr(t, s.Attributes(), auditattr.PrincipalID))
	assert.Equal(t, auditattr.StatusInvalidSignature, attrStr(t, s.Attributes(), auditattr.TokenStatus))
}

// TestForgedJTIBorrowsNoPolicy: the policy verdicts of a forged token are
// judged as an unregistered token's, never with a registered entry's
// networks, so it cannot hide behind them.
func TestForgedJTIBorrowsNoPolicy(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "registry:\n  authoritative: true\n  tokens:\n    - jti: vip\n      owner: ceo\n      networks: [0.0.0.0/0]\n")
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
	h := newHarness(t, cfg)
	forged := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "mallory", "jti": "vip"}, "not-the-secret-but-32-bytes-long!!!")
	s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+forged) })
	v := attrStrings(s.Attributes(), auditattr.Violations)
	assert.Contains(t, v, auditattr.ViolationUnknown, "a forged jti passed as registered")
	assert.Contains(t, v, auditattr.ViolationInvalidSignature)
}

// TestForgedSubBorrowsNoPrincipalRules: a token whose signature fails is
// judged without its claimed principal's networks and admissions, so a
// forger cannot hide behind a user's wider network or restricted access.
func TestForgedSubBorrowsNoPrincipalRules(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", `
allowed_networks: [10.0.0.0/8]
principals:
  ceo: {networks: [0.0.0.0/0]}
restricted:
  - resource: "DELETE /admin/**"
    principals: [ceo]
`)
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
	h := newHarness(t, cfg)
	for _, tt := range []struct {
		name, secret string
		want         []string
	}{
		{"genuine", hmacSecret, nil},
		{"forged", "not-the-secret-but-32-bytes-long!!!",
			[]string{auditattr.ViolationInvalidSignature, auditattr.ViolationRestrictedResource, auditattr.ViolationDisallowedNetwork}},
	} {
		tok := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "ceo"}, tt.secret)
		s := h.span(t, now, bearerCall(tok, "DELETE", "/admin/users/{id}", "203.0.113.5"))
		assert.Equal(t, tt.want, attrStrings(s.Attributes(), auditattr.Violations), tt.name)
		assert.Equal(t, "ceo", attrStr(t, s.Attributes(), auditattr.PrincipalID), tt.name)
	}
}

// TestForgedScopeAdmitsNothing: the scopes a token claims admit it to a
// restricted resource only when its signature holds; a user who edits
// their own JWT's scope claim is refused the restricted route.
func TestForgedScopeAdmitsNothing(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", `
restricted:
  - resource: "GET /patients/*/export"
    scopes: [patients:export]
`)
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
	h := newHarness(t, cfg)
	for _, tt := range []struct {
		name, secret string
		want         []string
	}{
		{"genuine", hmacSecret, nil},
		{"tampered", "not-the-secret-but-32-bytes-long!!!",
			[]string{auditattr.ViolationInvalidSignature, auditattr.ViolationRestrictedResource}},
	} {
		tok := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "nurse", "scope": "patients:read patients:export"}, tt.secret)
		s := h.span(t, now, bearerCall(tok, "GET", "/patients/{id}/export", ""))
		assert.Equal(t, tt.want, attrStrings(s.Attributes(), auditattr.Violations), tt.name)
	}
}

// TestRegisteredScopesAdmitAFailedToken: a registered JWT whose signature
// no longer verifies (its key rotated out) is admitted by the registry's
// scopes for it, the operator's word, not by its claims.
func TestRegisteredScopesAdmitAFailedToken(t *testing.T) {
	tok := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "etl", "scope": "reports:read"}, "a-rotated-out-secret-of-32-bytes-long")
	for _, tt := range []struct {
		name, scopes string
		want         []string
	}{
		{"registered with the scope", "[patients:export]", []string{auditattr.ViolationInvalidSignature}},
		{"registered without it", "[reports:read]",
			[]string{auditattr.ViolationInvalidSignature, auditattr.ViolationRestrictedResource}},
	} {
		cfg := testConfig()
		cfg.PolicyFile = writeFile(t, "policy.yaml", `
registry:
  tokens:
    - id: `+tokenID(t, tok)+`
      scopes: `+tt.scopes+`
restricted:
  - resource: "GET /patients/*/export"
    scopes: [patients:export]
`)
		cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
		h := newHarness(t, cfg)
		s := h.span(t, now, bearerCall(tok, "GET", "/patients/{id}/export", ""))
		assert.Equal(t, tt.want, attrStrings(s.Attributes(), auditattr.Violations), tt.name)
	}
}

// bearerCall fills a server span of a call of method route with tok as
// its bearer token, from peer when it is set.
func bearerCall(tok, method, route, peer string) func(pcommon.Map) {
	return func(m pcommon.Map) {
		putHeader(m, "authorization", "Bearer "+tok)
		m.PutStr("http.request.method", method)
		m.PutStr("http.route", route)
		if peer != "" {
			m.PutStr("network.peer.address", peer)
		}
	}
}
