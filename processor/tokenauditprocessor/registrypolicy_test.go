package tokenauditprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func attrInt(m pcommon.Map, k string) (int64, bool) {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeInt {
		return 0, false
	}
	return v.Int(), true
}

// TestRegistryDatesBecomeLifetime: a registered token's created_at and
// expires_at become tokenaudit.token.issued_at and .expires_at when the
// token carries no iat or exp, so the connector judges its lifetime.
func TestRegistryDatesBecomeLifetime(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expires := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	noIat := makeJWT(t, nil, map[string]any{"sub": "svc", "jti": "no-iat"}, hmacSecret)
	withIat := makeJWT(t, nil, map[string]any{"sub": "svc", "jti": "with-iat", "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(time.Hour).Unix()}, hmacSecret)
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", `
registry:
  tokens:
    - id: `+tokenID(t, githubKey)+`
      created_at: 2026-01-01T00:00:00Z
      expires_at: 2027-06-01T00:00:00Z
    - jti: no-iat
      created_at: 2026-01-01T00:00:00Z
    - jti: with-iat
      created_at: 2026-01-01T00:00:00Z
      expires_at: 2027-06-01T00:00:00Z
`)
	h := newHarness(t, cfg)
	tests := []struct {
		name             string
		header, value    string
		issued, expireAt int64 // 0: absent
	}{
		{"registered API key", "x-api-key", githubKey, created.Unix(), expires.Unix()},
		{"JWT without iat: the registry's", "authorization", "Bearer " + noIat, created.Unix(), 0},
		{"JWT claims win over the registry", "authorization", "Bearer " + withIat, now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix()},
		{"unregistered key: nothing", "x-api-key", "ghp_" + "Q9w8E7r6T5y4U3i2O1p0" + "Q9w8E7r6T5y4U3", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, now, func(m pcommon.Map) { putHeader(m, tt.header, tt.value) })
			iat, hasIat := attrInt(s.Attributes(), auditattr.TokenIssuedAt)
			exp, hasExp := attrInt(s.Attributes(), auditattr.TokenExpiresAt)
			assert.Equal(t, tt.issued != 0, hasIat, "issued_at present")
			assert.Equal(t, tt.issued, iat)
			assert.Equal(t, tt.expireAt != 0, hasExp, "expires_at present")
			assert.Equal(t, tt.expireAt, exp)
		})
	}
}

// TestKnownByVerifiedIssuer: with registry.known: registered_or_verified
// an authoritative registry knows a JWT whose signature was verified; a
// forged one stays unknown, and the default keeps every unregistered
// token unknown.
func TestKnownByVerifiedIssuer(t *testing.T) {
	good := userJWT(t, now) // iss https://idp.example.com
	forged := makeJWT(t, nil, map[string]any{"iss": "https://idp.example.com", "sub": "mallory"}, "another-secret-that-is-32-bytes-long!!")
	other := makeJWT(t, nil, map[string]any{"iss": "https://other.example.com", "sub": "bob"}, hmacSecret)
	const registry = "registry:\n  authoritative: true\n  tokens: [{jti: registered-only}]\n"
	tests := []struct {
		name   string
		policy string
		tok    string
		viol   []string
	}{
		{"default: a verified JWT is unknown", registry, good, []string{auditattr.ViolationUnknown}},
		{"or_verified: verified is known", registry + "  known: registered_or_verified\n", good, nil},
		{"or_verified: forged stays unknown", registry + "  known: registered_or_verified\n", forged,
			[]string{auditattr.ViolationInvalidSignature, auditattr.ViolationUnknown}},
		{"issuers: listed issuer", registry + "  known: registered_or_verified\n  verified_issuers: [https://idp.example.com]\n", good, nil},
		{"issuers: another issuer with our key", registry + "  known: registered_or_verified\n  verified_issuers: [https://idp.example.com]\n", other,
			[]string{auditattr.ViolationUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWT = JWTConfig{Verify: true, HMACSecrets: []HMACSecretConfig{{Secret: hmacSecret}}}
			cfg.PolicyFile = writeFile(t, "policy.yaml", tt.policy)
			h := newHarness(t, cfg)
			s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+tt.tok) })
			assert.Equal(t, tt.viol, attrStrings(s.Attributes(), auditattr.Violations))
		})
	}
}

func TestKnownByVerifiedIssuerWarnsWithoutVerify(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "registry:\n  authoritative: true\n  known: registered_or_verified\n")
	h := newHarness(t, cfg)
	assert.Positive(t, h.logObs.FilterMessageSnippet("needs jwt.verify: true").Len(), "one warning per pipeline")
}

// TestPrincipalHoursAndNetworks: a known user's unregistered JWTs, and the
// registered keys the user owns, get the user's working hours and networks.
func TestPrincipalHoursAndNetworks(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", `
working_hours: {start: "00:00", end: "24:00", days: [mon, tue, wed, thu, fri, sat, sun]}
allowed_networks: [0.0.0.0/0]
principals:
  alice:
    networks: [10.8.0.0/16]
    working_hours: {time_zone: UTC, start: "09:00", end: "17:00"}
registry:
  tokens:
    - id: `+tokenID(t, githubKey)+`
      owner: alice
`)
	h := newHarness(t, cfg)
	sunday := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		header, value string
		at            time.Time
		peer          string
		viol          []string
	}{
		{"alice's JWT inside her hours and network", "authorization", "Bearer " + userJWT(t, now), now, "10.8.1.1", nil},
		{"alice's JWT from elsewhere", "authorization", "Bearer " + userJWT(t, now), now, "203.0.113.5", []string{auditattr.ViolationDisallowedNetwork}},
		{"alice's JWT on Sunday", "authorization", "Bearer " + userJWT(t, sunday), sunday, "10.8.1.1", []string{auditattr.ViolationOffHours}},
		{"a key alice owns, from elsewhere", "x-api-key", githubKey, now, "203.0.113.5", []string{auditattr.ViolationDisallowedNetwork}},
		{"bob: the global rules", "authorization", "Bearer " + makeJWT(t, nil, map[string]any{"sub": "bob"}, hmacSecret), sunday, "203.0.113.5", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, tt.at, func(m pcommon.Map) {
				m.PutStr("network.peer.address", tt.peer)
				putHeader(m, tt.header, tt.value)
			})
			assert.Equal(t, tt.viol, attrStrings(s.Attributes(), auditattr.Violations))
		})
	}
}
