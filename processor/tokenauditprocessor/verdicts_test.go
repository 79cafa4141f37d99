package tokenauditprocessor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

func processortestSettings() processor.Settings { return processortest.NewNopSettings(metadata.Type) }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestPolicyVerdicts(t *testing.T) {
	// Valid for a month around now: scopes users:read users:write, jti-1.
	jwt := makeJWT(t, nil, map[string]any{
		"sub": "alice", "jti": "jti-1", "scope": "users:read users:write",
		"iat": now.Add(-24 * time.Hour).Unix(), "exp": now.Add(30 * 24 * time.Hour).Unix(),
	}, hmacSecret)
	revokedKey := "ghp_" + strings.Repeat("R", 36)
	policyYAML := `
scopes:
  "users:read": ["GET /users/{id}"]
  "users:write": ["POST /users"]
  "admin": ["* /admin/**"]
restricted:
  - resource: "DELETE /admin/**"
    principals: [root]
working_hours:
  time_zone: Europe/Berlin
  days: [mon, tue, wed, thu, fri]
  start: "08:00"
  end: "19:00"
allowed_networks: [10.0.0.0/8]
revoked:
  - id: ` + tokenID(t, revokedKey) + `
    revoked_at: ` + now.Format(time.RFC3339) + `
registry:
  authoritative: true
  tokens:
    - jti: jti-1
      owner: alice-registry
      owner_type: user
    - id: ` + tokenID(t, githubKey) + `
      owner: ci-bot
      owner_type: service
      scopes: ["users:read"]
      expires_at: 2026-11-01T00:00:00Z
`
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", policyYAML)
	h := newHarness(t, cfg)

	tests := []struct {
		name      string
		at        time.Time
		hdr       string
		attrs     map[string]any
		status    string
		viol      []string
		principal string
	}{
		{"allowed", now, "Bearer " + jwt, map[string]any{"http.request.method": "GET", "http.route": "/users/{id}", "network.peer.address": "10.1.1.1"},
			auditattr.StatusActive, nil, "alice-registry"},
		{"scope violation", now, "Bearer " + jwt, map[string]any{"http.request.method": "GET", "http.route": "/admin/stats", "network.peer.address": "10.1.1.1"},
			auditattr.StatusActive, []string{auditattr.ViolationScope}, "alice-registry"},
		{"restricted, off hours, wrong network", time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC), "Bearer " + jwt,
			map[string]any{"http.request.method": "DELETE", "http.route": "/admin/users/{id}", "network.peer.address": "203.0.113.5"},
			auditattr.StatusActive, []string{auditattr.ViolationScope, auditattr.ViolationRestrictedResource, auditattr.ViolationOffHours, auditattr.ViolationDisallowedNetwork}, "alice-registry"},
		{"registry expiry and scopes for an opaque key", now, githubKey, map[string]any{"http.request.method": "POST", "http.route": "/users", "network.peer.address": "10.1.1.1"},
			auditattr.StatusExpired, []string{auditattr.ViolationExpired, auditattr.ViolationScope}, "ci-bot"},
		{"revoked and unknown", now, revokedKey, map[string]any{"network.peer.address": "10.1.1.1"},
			auditattr.StatusRevoked, []string{auditattr.ViolationRevoked, auditattr.ViolationUnknown}, ""},
		{"used before its revocation (replayed, late)", now.Add(-time.Hour), revokedKey, map[string]any{"network.peer.address": "10.1.1.1"},
			auditattr.StatusUnknown, []string{auditattr.ViolationUnknown}, ""},
		{"refused before its revocation: the time still counts", now.Add(-time.Hour), revokedKey,
			map[string]any{"network.peer.address": "10.1.1.1", "http.response.status_code": 401},
			auditattr.StatusUnknown, []string{auditattr.ViolationUnknown}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, tt.at, func(m pcommon.Map) {
				require.NoError(t, m.FromRaw(tt.attrs))
				if strings.HasPrefix(tt.hdr, "Bearer ") {
					putHeader(m, "authorization", tt.hdr)
				} else {
					putHeader(m, "x-api-key", tt.hdr)
				}
			})
			assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
			assert.Equal(t, tt.viol, attrStrings(s.Attributes(), auditattr.Violations))
			assert.Equal(t, tt.principal, attrStr(t, s.Attributes(), auditattr.PrincipalID))
		})
	}
}

// TestRevokedAtJudgesPlausibleTimes: a dated revocation spares a use
// before it, but not an item whose time is before the token was issued
// (a producer's zero or broken clock).
func TestRevokedAtJudgesPlausibleTimes(t *testing.T) {
	jwt := makeJWT(t, nil, map[string]any{"sub": "dana", "jti": "jti-dated",
		"iat": now.Add(-24 * time.Hour).Unix(), "exp": now.Add(30 * 24 * time.Hour).Unix()}, hmacSecret)
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "revoked:\n  - {jti: jti-dated, revoked_at: "+now.Format(time.RFC3339)+"}\n")
	h := newHarness(t, cfg)
	tests := []struct {
		name   string
		at     time.Time
		status string
	}{
		{"before its revocation", now.Add(-time.Hour), auditattr.StatusActive},
		{"at its revocation", now, auditattr.StatusRevoked},
		{"a start time of 1970", time.Unix(0, 1), auditattr.StatusRevoked},
		{"a day before its iat", now.Add(-49 * time.Hour), auditattr.StatusRevoked},
		{"hours before its iat (a producer's time zone)", now.Add(-30 * time.Hour), auditattr.StatusActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, tt.at, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+jwt) })
			assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
		})
	}
}

func TestPolicyReloadKeepsOldOnError(t *testing.T) {
	jwt := userJWT(t, now)
	path := writeFile(t, "policy.yaml", "revoked:\n  - jti: jti-1\n")
	cfg := testConfig()
	cfg.PolicyFile = path
	cfg.ReloadInterval = 20 * time.Millisecond
	h := newHarness(t, cfg)
	statusNow := func() string {
		s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+jwt) })
		return attrStr(t, s.Attributes(), auditattr.TokenStatus)
	}
	require.Equal(t, auditattr.StatusRevoked, statusNow())

	require.NoError(t, os.WriteFile(path, []byte("revoked: [this is: not valid"), 0o600))
	require.Eventually(t, func() bool {
		return h.logObs.FilterMessageSnippet("Kept the previous policy file").Len() > 0
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, auditattr.StatusRevoked, statusNow(), "an invalid file must keep the old policy")

	require.NoError(t, os.WriteFile(path, []byte("revoked: []\n"), 0o600))
	require.Eventually(t, func() bool { return statusNow() == auditattr.StatusActive }, 5*time.Second, 10*time.Millisecond)
	h.assertNoSecret(t, jwt)
}

func TestJWTVerification(t *testing.T) {
	good := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "alice"}, hmacSecret)
	forged := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "alice"}, "another-secret-that-is-32-bytes-long!!")
	parts := strings.Split(good, ".")
	none := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	unknownKid := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k9"}, map[string]any{"sub": "alice"}, hmacSecret)
	// Signed with the right key, but marks an extension as must-understand:
	// go-jose refuses it for public keys, and the HMAC path must too.
	critical := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1", "crit": []string{"exp"}, "exp": 1}, map[string]any{"sub": "alice"}, hmacSecret)
	// k2 is bound to its issuer: a token it signed that names another
	// issuer was minted by whoever holds the secret, in that issuer's name.
	const clinicSecret = "the-clinic-idp-secret-of-32-bytes!!"
	ownIssuer := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k2"}, map[string]any{"sub": "dr-1", "iss": "https://clinic-idp.example"}, clinicSecret)
	otherIssuer := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k2"}, map[string]any{"sub": "dr-1", "iss": "https://ehr.example"}, clinicSecret)
	unboundKey := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "alice", "iss": "https://clinic-idp.example"}, hmacSecret)

	cfg := testConfig()
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret},
		{KeyID: "k2", Secret: clinicSecret, Issuer: "https://clinic-idp.example"}}}
	h := newHarness(t, cfg)
	tests := []struct {
		name     string
		tok      string
		verified string
		status   string
	}{
		{"valid", good, "true", auditattr.StatusActive},
		{"wrong key", forged, "false", auditattr.StatusInvalidSignature},
		{"alg none", none, "false", auditattr.StatusInvalidSignature},
		{"unknown kid", unknownKid, "false", auditattr.StatusInvalidSignature},
		{"unknown critical extension", critical, "false", auditattr.StatusInvalidSignature},
		{"a key bound to the token's issuer", ownIssuer, "true", auditattr.StatusActive},
		{"a key bound to another issuer than the token names", otherIssuer, "false", auditattr.StatusInvalidSignature},
		{"an unbound key, any issuer", unboundKey, "true", auditattr.StatusActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second pass is served from the cache
				s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+tt.tok) })
				assert.Equal(t, tt.verified, attrStr(t, s.Attributes(), auditattr.TokenVerified))
				assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
			}
		})
	}
	h.assertNoSecret(t, good, forged, hmacSecret, clinicSecret, ownIssuer, otherIssuer)
}

// TestUnboundKeysWarned: a policy that trusts verified tokens' issuers
// while a key is bound to no issuer is warned about, naming the key's
// place in the config, never the secret.
func TestUnboundKeysWarned(t *testing.T) {
	const warning = "some keys are bound to no issuer"
	policyYAML := "registry:\n  authoritative: true\n  known: registered_or_verified\n  verified_issuers: [https://idp.example]\n"
	for _, tt := range []struct {
		name   string
		issuer string
		want   bool
	}{
		{"unbound secret", "", true},
		{"bound secret", "https://idp.example", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PolicyFile = writeFile(t, "policy.yaml", policyYAML)
			cfg.JWT = JWTConfig{Verify: true, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret, Issuer: tt.issuer}}}
			h := newHarness(t, cfg)
			warned := h.logObs.FilterMessageSnippet(warning).All()
			if !tt.want {
				assert.Empty(t, warned)
				return
			}
			require.Len(t, warned, 1)
			assert.Equal(t, []any{"jwt.hmac_secrets[0]"}, warned[0].ContextMap()["unbound"])
			h.assertNoSecret(t, hmacSecret)
		})
	}
}

func TestCacheBoundedAndCounted(t *testing.T) {
	cfg := testConfig()
	cfg.Cache.MaxEntries = 32
	h := newHarness(t, cfg)
	for i := range 200 {
		h.span(t, now, func(m pcommon.Map) {
			putHeader(m, "x-api-key", "ghp_"+strings.Repeat("k", 30)+string(rune('A'+i%26))+string(rune('a'+i/26))+"0000")
		})
	}
	p := h.tp
	_ = p
	hits, misses, evictions := sumCounter(t, h, "otelcol_token_audit_cache_hits"), sumCounter(t, h, "otelcol_token_audit_cache_misses"), sumCounter(t, h, "otelcol_token_audit_cache_evictions")
	assert.Equal(t, int64(0), hits)
	assert.Equal(t, int64(200), misses)
	assert.GreaterOrEqual(t, evictions, int64(200-32))
	assert.Equal(t, int64(200), sumCounter(t, h, "otelcol_token_audit_items"))
	assert.Equal(t, int64(200), sumCounter(t, h, "otelcol_token_audit_credentials"))
}

func TestNoAllocationWithoutCredentials(t *testing.T) {
	cfg := testConfig()
	h := newHarness(t, cfg)
	_ = h
	p, err := newStandalone(cfg)
	require.NoError(t, err)
	require.NoError(t, p.start(context.Background(), nil))
	defer func() { require.NoError(t, p.shutdown(context.Background())) }()
	span := benchfixture.SpanWithoutCredential()
	sc := p.beginBatch(context.Background())
	allocs := testing.AllocsPerRun(1000, func() {
		p.auditItem(item{attrs: span.Attributes(), eventTime: now}, nil, sc)
	})
	p.endBatch(context.Background(), sc)
	assert.Zero(t, allocs)
}

// TestClientSpanCaller: on a client span the peer is the service called
// (an HTTP client instrumentation's network.peer.address, here a public
// API), not the caller. It must not become tokenaudit.client.address nor
// be judged against the policy's networks; on a server span the same peer
// is the caller.
func TestClientSpanCaller(t *testing.T) {
	key := "opaque-query-key-0123456789"
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "allowed_networks: [10.0.0.0/8]\n")
	h := newHarness(t, cfg)
	for _, tt := range []struct {
		kind   ptrace.SpanKind
		client string
		viol   []string
	}{
		{ptrace.SpanKindServer, "140.82.112.3", []string{auditattr.ViolationExposedCredential, auditattr.ViolationDisallowedNetwork}},
		{ptrace.SpanKindClient, "", []string{auditattr.ViolationExposedCredential}},
	} {
		t.Run(tt.kind.String(), func(t *testing.T) {
			td := ptrace.NewTraces()
			s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			s.SetKind(tt.kind)
			s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
			require.NoError(t, s.Attributes().FromRaw(map[string]any{
				"http.request.method": "GET", "url.full": "https://api.example.com/v1/items?api_key=" + key,
				"network.peer.address": "140.82.112.3", "server.address": "api.example.com", "http.response.status_code": 200,
			}))
			h.traces.Reset()
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
			assert.Equal(t, tt.client, attrStr(t, m, auditattr.ClientAddress))
			assert.ElementsMatch(t, tt.viol, attrStrings(m, auditattr.Violations))
			assert.Equal(t, "GET /v1/items", attrStr(t, m, auditattr.Resource))
		})
	}
}

// TestOffHoursNotOnRefusedAuthentication: a request refused at
// authentication (401) or with a token that fails verification is judged
// on no one's working hours (its owner is only its claim: a forged JWT, a
// rotated-out key's retry storm); a 403 is, the credential was recognised.
func TestOffHoursNotOnRefusedAuthentication(t *testing.T) {
	forged := makeJWT(t, map[string]any{"alg": "HS256", "kid": "k1"}, map[string]any{"sub": "alice"}, "another-secret-that-is-32-bytes-long!!")
	cfg := testConfig()
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: hmacSecret}}}
	cfg.PolicyFile = writeFile(t, "policy.yaml", `
working_hours:
  time_zone: UTC
  days: [mon, tue, wed, thu, fri]
  start: "08:00"
  end: "19:00"
registry:
  tokens:
    - id: `+tokenID(t, githubKey)+`
      owner: ci-bot
principals:
  alice:
    working_hours: {time_zone: UTC, days: [mon, tue, wed, thu, fri], start: "08:00", end: "19:00"}
`)
	h := newHarness(t, cfg)
	night := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC) // a Monday
	for _, tt := range []struct {
		name, header, value string
		status              int
		offHours            bool
	}{
		{"served at night", "x-api-key", githubKey, 200, true},
		{"denied at night", "x-api-key", githubKey, 403, true},
		{"retry storm of a rotated-out key", "x-api-key", githubKey, 401, false},
		{"forged JWT, refused", "authorization", "Bearer " + forged, 401, false},
		{"forged JWT, served", "authorization", "Bearer " + forged, 200, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, night, func(m pcommon.Map) {
				putHeader(m, tt.header, tt.value)
				m.PutInt("http.response.status_code", int64(tt.status))
			})
			assert.Equal(t, tt.offHours, slices.Contains(attrStrings(s.Attributes(), auditattr.Violations), auditattr.ViolationOffHours))
		})
	}
}
