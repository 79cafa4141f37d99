package tokenauditprocessor

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

var now = time.Date(2026, 11, 18, 10, 30, 0, 0, time.UTC) // a Wednesday

// Fixture keys: the right shape, obviously fake content.
var (
	githubKey = "ghp_" + strings.Repeat("A1b2C3d4E5", 3) + "Z9y8X7"
	stripeKey = "sk_live_" + strings.Repeat("Fake0", 6)
	awsKeyID  = "AKIA" + "IOSFODNN7EXAMPLE"
)

func TestCredentialSources(t *testing.T) {
	jwt := userJWT(t, now)
	basic := base64.StdEncoding.EncodeToString([]byte("bob:hunter2-secret-pass"))
	tests := []struct {
		name      string
		fill      func(pcommon.Map)
		secret    string // the raw credential that must not survive
		id        string // expected token id input
		typ       string
		provider  string
		source    string
		principal string
		checkAttr func(t *testing.T, m pcommon.Map)
	}{
		{
			name:   "bearer JWT, string-array header",
			fill:   func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+jwt) },
			secret: jwt, id: jwt, typ: auditattr.TypeJWT, source: "http.request.header.authorization", principal: "alice",
			checkAttr: func(t *testing.T, m pcommon.Map) {
				assert.Equal(t, []string{"Bearer " + tokenID(t, jwt)}, attrStrings(m, "http.request.header.authorization"))
				assert.Equal(t, "https://idp.example.com", attrStr(t, m, auditattr.TokenIssuer))
				assert.Equal(t, []string{"api"}, attrStrings(m, auditattr.TokenAudience))
				assert.Equal(t, []string{"users:read", "users:write"}, attrStrings(m, auditattr.TokenScopes))
				assert.Equal(t, "jti-1", attrStr(t, m, auditattr.TokenJTI))
				assert.Equal(t, auditattr.PrincipalUser, attrStr(t, m, auditattr.PrincipalType))
				exp, _ := m.Get(auditattr.TokenExpiresAt)
				assert.Equal(t, now.Add(time.Hour).Unix(), exp.Int())
				assert.Equal(t, "false", attrStr(t, m, auditattr.TokenVerified))
			},
		},
		{
			name:   "bearer JWT, string header",
			fill:   func(m pcommon.Map) { m.PutStr("http.request.header.authorization", "Bearer "+jwt) },
			secret: jwt, id: jwt, typ: auditattr.TypeJWT, source: "http.request.header.authorization", principal: "alice",
		},
		{
			name:   "legacy underscore spelling and upper case",
			fill:   func(m pcommon.Map) { m.PutStr("http.request.header.X_API_KEY", githubKey) },
			secret: githubKey, id: githubKey, typ: auditattr.TypeAPIKey, provider: "github", source: "http.request.header.X_API_KEY",
			checkAttr: func(t *testing.T, m pcommon.Map) {
				assert.Equal(t, "ghp_…X7", attrStr(t, m, auditattr.TokenHint)[:len("ghp_…")]+"X7")
			},
		},
		{
			name:   "configured name in any spelling",
			fill:   func(m pcommon.Map) { m.PutStr("http.request.header.x-acme-token", stripeKey) },
			secret: stripeKey, id: stripeKey, typ: auditattr.TypeAPIKey, provider: "stripe", source: "http.request.header.x-acme-token",
		},
		{
			name:   "api key header",
			fill:   func(m pcommon.Map) { putHeader(m, "x-api-key", stripeKey) },
			secret: stripeKey, id: stripeKey, typ: auditattr.TypeAPIKey, provider: "stripe", source: "http.request.header.x-api-key",
		},
		{
			name:   "basic keeps the user, never the password",
			fill:   func(m pcommon.Map) { putHeader(m, "authorization", "Basic "+basic) },
			secret: "hunter2-secret-pass", id: "bob:hunter2-secret-pass", typ: auditattr.TypeBasic, source: "http.request.header.authorization", principal: "bob",
		},
		{
			name: "access_token in url.full",
			fill: func(m pcommon.Map) {
				m.PutStr("url.full", "https://api.example.com/v1/items?page=2&access_token="+githubKey+"&x=1")
			},
			secret: githubKey, id: githubKey, typ: auditattr.TypeAPIKey, provider: "github", source: "url.full",
			checkAttr: func(t *testing.T, m pcommon.Map) {
				assert.Equal(t, "https://api.example.com/v1/items?page=2&access_token="+tokenID(t, githubKey)+"&x=1", attrStr(t, m, "url.full"))
			},
		},
		{
			name: "AWS SigV4: the key id is the identity, the signature is scrubbed",
			fill: func(m pcommon.Map) {
				m.PutStr("http.request.header.authorization", "AWS4-HMAC-SHA256 Credential="+awsKeyID+"/20261118/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
			},
			secret: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", id: awsKeyID, typ: auditattr.TypeAWSAccessKey, provider: "aws", source: "http.request.header.authorization",
			checkAttr: func(t *testing.T, m pcommon.Map) {
				assert.Equal(t, "AKIA…MPLE", attrStr(t, m, auditattr.TokenHint), "the prefix and last four, never the whole key id")
			},
		},
		{
			name:   "configured attribute",
			fill:   func(m pcommon.Map) { m.PutStr("auth.token", jwt) },
			secret: jwt, id: jwt, typ: auditattr.TypeJWT, source: "auth.token", principal: "alice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Sources.Attributes = []string{"auth.token"}
			cfg.Sources.KeyHeaders = append(cfg.Sources.KeyHeaders, "X_Acme-Token")
			h := newHarness(t, cfg)
			s := h.span(t, now, func(m pcommon.Map) {
				m.PutStr("http.request.method", "GET")
				m.PutStr("http.route", "/users/{id}")
				m.PutInt("http.response.status_code", 200)
				tt.fill(m)
			})
			m := s.Attributes()
			assert.Equal(t, tokenID(t, tt.id), attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.typ, attrStr(t, m, auditattr.TokenType))
			assert.Equal(t, tt.provider, attrStr(t, m, auditattr.TokenProvider))
			assert.Equal(t, tt.source, attrStr(t, m, auditattr.TokenSource))
			assert.Equal(t, tt.principal, attrStr(t, m, auditattr.PrincipalID))
			assert.Equal(t, auditattr.StatusActive, attrStr(t, m, auditattr.TokenStatus))
			assert.Equal(t, "GET /users/{id}", attrStr(t, m, auditattr.Resource))
			assert.Equal(t, auditattr.ActionRead, attrStr(t, m, auditattr.Action))
			assert.Equal(t, auditattr.OutcomeSuccess, attrStr(t, m, auditattr.Outcome))
			if tt.checkAttr != nil {
				tt.checkAttr(t, m)
			}
			h.assertNoSecret(t, tt.secret)
		})
	}
}

func TestScrubModes(t *testing.T) {
	jwt := userJWT(t, now)
	tests := []struct {
		mode    string
		wantHdr []string // nil: attribute removed
		wantURL string
	}{
		{ScrubFingerprint, []string{"Bearer " + tokenID(t, jwt)}, "/p?access_token=" + tokenID(t, githubKey)},
		{ScrubRedact, []string{"Bearer REDACTED"}, "/p?access_token=REDACTED"},
		{ScrubRemove, nil, "/p?access_token=REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			cfg := testConfig()
			cfg.Scrub.Mode = tt.mode
			h := newHarness(t, cfg)
			s := h.span(t, now, func(m pcommon.Map) {
				putHeader(m, "authorization", "Bearer "+jwt)
				m.PutStr("http.target", "/p?access_token="+githubKey)
			})
			assert.Equal(t, tt.wantHdr, attrStrings(s.Attributes(), "http.request.header.authorization"))
			assert.Equal(t, tt.wantURL, attrStr(t, s.Attributes(), "http.target"))
			assert.Equal(t, tokenID(t, jwt), attrStr(t, s.Attributes(), auditattr.TokenID))
			assert.Equal(t, "2", attrStr(t, s.Attributes(), auditattr.TokenCount))
			h.assertNoSecret(t, jwt, githubKey)
		})
	}
}

func TestLogSources(t *testing.T) {
	jwt := userJWT(t, now)
	tests := []struct {
		name   string
		fill   func(plog.LogRecord)
		source string
		body   string
	}{
		{
			name: "access log line",
			fill: func(lr plog.LogRecord) {
				lr.Body().SetStr(`10.1.2.3 - - "GET /users/7 HTTP/1.1" 200 "Authorization: Bearer ` + jwt + `"`)
			},
			source: "log.body",
			body:   `10.1.2.3 - - "GET /users/7 HTTP/1.1" 200 "Authorization: Bearer ` + tokenID(t, jwt) + `"`,
		},
		{
			name: "structured body",
			fill: func(lr plog.LogRecord) {
				m := lr.Body().SetEmptyMap()
				m.PutStr("method", "GET")
				m.PutEmptyMap("headers").PutStr("Authorization", "Bearer "+jwt)
			},
			source: "log.body.Authorization",
		},
		{
			name:   "log attribute",
			fill:   func(lr plog.LogRecord) { lr.Attributes().PutStr("http.request.header.authorization", "Bearer "+jwt) },
			source: "http.request.header.authorization",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			lr := h.logRecord(t, now, tt.fill)
			assert.Equal(t, tokenID(t, jwt), attrStr(t, lr.Attributes(), auditattr.TokenID))
			assert.Equal(t, tt.source, attrStr(t, lr.Attributes(), auditattr.TokenSource))
			assert.Equal(t, "alice", attrStr(t, lr.Attributes(), auditattr.PrincipalID))
			if tt.body != "" {
				assert.Equal(t, tt.body, lr.Body().Str())
			}
			h.assertNoSecret(t, jwt)
		})
	}
}

func TestResourceAndMetadataSources(t *testing.T) {
	jwt := userJWT(t, now)
	h := newHarness(t, testConfig())

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("http.request.header.x-api-key", githubKey)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	spans.AppendEmpty().Attributes().PutStr("http.request.method", "GET")
	own := spans.AppendEmpty()
	own.Attributes().PutStr("http.request.header.authorization", "Bearer "+jwt)
	require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
	out := h.traces.AllTraces()[0].ResourceSpans().At(0)
	assert.Equal(t, "resource.http.request.header.x-api-key", attrStr(t, out.ScopeSpans().At(0).Spans().At(0).Attributes(), auditattr.TokenSource))
	assert.Equal(t, tokenID(t, jwt), attrStr(t, out.ScopeSpans().At(0).Spans().At(1).Attributes(), auditattr.TokenID))
	assert.Equal(t, tokenID(t, githubKey), attrStr(t, out.Resource().Attributes(), "http.request.header.x-api-key"))

	// Request metadata (receiver include_metadata) stands for the batch.
	ctx := client.NewContext(context.Background(), client.Info{
		Metadata: client.NewMetadata(map[string][]string{"authorization": {"Bearer " + jwt}}),
	})
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	require.NoError(t, h.lp.ConsumeLogs(ctx, ld))
	lr := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "request.metadata.authorization", attrStr(t, lr.Attributes(), auditattr.TokenSource))
	assert.Equal(t, tokenID(t, jwt), attrStr(t, lr.Attributes(), auditattr.TokenID))
	h.assertNoSecret(t, jwt, githubKey)
}

func TestOutcomeResourceClient(t *testing.T) {
	tests := []struct {
		name                              string
		attrs                             map[string]any
		spanError                         bool
		resource, action, outcome, client string
	}{
		{"401", map[string]any{"http.request.method": "POST", "http.route": "/users", "http.response.status_code": 401}, false, "POST /users", "create", "failure", ""},
		{"403 legacy names", map[string]any{"http.method": "DELETE", "http.target": "/users/42?x=1", "http.status_code": 403}, false, "DELETE /users/{id}", "delete", "denied", ""},
		{"503", map[string]any{"http.request.method": "PUT", "url.path": "/orders/5f2b9c0a7d", "http.response.status_code": "503"}, false, "PUT /orders/{id}", "update", "error", ""},
		{"client span: url.full only", map[string]any{"http.request.method": "GET", "url.full": "http://127.0.0.1:8080/orders/1001?page=2", "http.response.status_code": 403}, false, "GET /orders/{id}", "read", "denied", ""},
		{"legacy client span: http.url", map[string]any{"http.method": "POST", "http.url": "https://user@api.example.com/v1/items#x", "http.status_code": 201}, false, "POST /v1/items", "create", "success", ""},
		{"client span: url.full without a path", map[string]any{"http.request.method": "GET", "url.full": "https://api.example.com?q=1"}, false, "GET /", "read", "success", ""},
		{"404 is an accepted credential", map[string]any{"http.request.method": "GET", "url.path": "/x", "http.response.status_code": 404}, false, "GET /x", "read", "success", ""},
		{"grpc unauthenticated", map[string]any{"rpc.service": "pkg.Users", "rpc.method": "GetUser", "rpc.grpc.status_code": 16}, false, "pkg.Users/GetUser", "read", "failure", ""},
		{"grpc permission denied, new names", map[string]any{"rpc.method": "pkg.Users/DeleteUser", "rpc.response.status_code": "PERMISSION_DENIED"}, false, "pkg.Users/DeleteUser", "delete", "denied", ""},
		{"span error", map[string]any{"http.request.method": "BREW", "http.route": "/pot"}, true, "_OTHER /pot", "other", "error", ""},
		{"peer wins over spoofable client.address", map[string]any{"network.peer.address": "198.51.100.7", "client.address": "203.0.113.9"}, false, "", "", "success", "198.51.100.7"},
		{"trusted proxy: forwarded chain", map[string]any{"network.peer.address": "10.0.0.5", "http.request.header.x-forwarded-for": []any{"203.0.113.9, 10.0.0.8"}}, false, "", "", "success", "203.0.113.9"},
		{"trusted proxy: Forwarded", map[string]any{"net.sock.peer.addr": "10.0.0.5", "http.request.header.forwarded": `for="[2001:db8::1]:4711";proto=https`}, false, "", "", "success", "2001:db8::1"},
		{"no peer: client.address", map[string]any{"client.address": "203.0.113.9"}, false, "", "", "success", "203.0.113.9"},
		{"legacy net.peer.ip", map[string]any{"net.peer.ip": "::ffff:192.0.2.4"}, false, "", "", "success", "192.0.2.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Client.TrustedProxies = []string{"10.0.0.0/8"}
			h := newHarness(t, cfg)
			td := ptrace.NewTraces()
			s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			require.NoError(t, s.Attributes().FromRaw(tt.attrs))
			s.Attributes().PutStr("http.request.header.x-api-key", githubKey)
			if tt.spanError {
				s.Status().SetCode(ptrace.StatusCodeError)
			}
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
			assert.Equal(t, tt.resource, attrStr(t, m, auditattr.Resource))
			assert.Equal(t, tt.action, attrStr(t, m, auditattr.Action))
			assert.Equal(t, tt.outcome, attrStr(t, m, auditattr.Outcome))
			assert.Equal(t, tt.client, attrStr(t, m, auditattr.ClientAddress))
		})
	}
}

func TestLifetimeByEventTime(t *testing.T) {
	jwt := userJWT(t, now) // valid from now-1h to now+1h
	tests := []struct {
		name   string
		at     time.Time
		status string
		viol   []string
	}{
		{"inside", now, auditattr.StatusActive, nil},
		{"within skew after exp", now.Add(time.Hour + 30*time.Second), auditattr.StatusActive, nil},
		{"expired (replayed old data stays valid, new data expires)", now.Add(2 * time.Hour), auditattr.StatusExpired, []string{auditattr.ViolationExpired}},
	}
	h := newHarness(t, testConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.span(t, tt.at, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+jwt) })
			assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
			assert.Equal(t, tt.viol, attrStrings(s.Attributes(), auditattr.Violations))
		})
	}
	early := []struct {
		name   string
		claims map[string]any
		status string
	}{
		{"nbf ahead", map[string]any{"sub": "x", "nbf": now.Add(time.Hour).Unix()}, auditattr.StatusNotYetValid},
		{"iat days ahead, no nbf", map[string]any{"sub": "x", "iat": now.Add(8 * 24 * time.Hour).Unix()}, auditattr.StatusNotYetValid},
		{"iat days ahead, nbf passed", map[string]any{"sub": "x", "iat": now.Add(25 * time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix()}, auditattr.StatusNotYetValid},
		{"iat hours ahead (a producer writing local time as UTC)", map[string]any{"sub": "x", "iat": now.Add(5 * time.Hour).Unix()}, auditattr.StatusActive},
		{"iat within skew", map[string]any{"sub": "x", "iat": now.Add(30 * time.Second).Unix()}, auditattr.StatusActive},
		{"iat a day ahead exactly", map[string]any{"sub": "x", "iat": now.Add(24 * time.Hour).Unix()}, auditattr.StatusActive},
		{"iat a day and a second ahead", map[string]any{"sub": "x", "iat": now.Add(24*time.Hour + time.Second).Unix()}, auditattr.StatusNotYetValid},
		{"iat passed", map[string]any{"sub": "x", "iat": now.Add(-time.Hour).Unix()}, auditattr.StatusActive},
	}
	for _, tt := range early {
		t.Run(tt.name, func(t *testing.T) {
			tok := makeJWT(t, nil, tt.claims, hmacSecret)
			s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+tok) })
			assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
		})
	}
}

func TestBadInput(t *testing.T) {
	huge := "Bearer " + strings.Repeat("A", 1<<20)
	tests := []struct {
		name   string
		fill   func(pcommon.Map)
		secret string
		status string
	}{
		{"1 MiB header", func(m pcommon.Map) { m.PutStr("http.request.header.authorization", huge) }, strings.Repeat("A", 1<<20), auditattr.StatusMalformed},
		{"invalid base64 basic", func(m pcommon.Map) {
			m.PutStr("http.request.header.authorization", "Basic !!!not-base64-secretvalue!!!")
		}, "not-base64-secretvalue", auditattr.StatusMalformed},
		{"jwt with extra segments", func(m pcommon.Map) {
			m.PutStr("http.request.header.authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2VjcmV0.ZXh0cmE")
		}, "c2lnbmF0dXJlc2VjcmV0", auditattr.StatusMalformed},
		{"non-UTF-8", func(m pcommon.Map) { m.PutStr("http.request.header.x-api-key", "key\xff\xfe-secret-bytes-here") }, "-secret-bytes-here", auditattr.StatusMalformed},
		{"bytes value", func(m pcommon.Map) {
			m.PutEmptyBytes("http.request.header.x-api-key").FromRaw([]byte("raw-bytes-secret-value"))
		}, "raw-bytes-secret-value", auditattr.StatusMalformed},
		{"int inside array", func(m pcommon.Map) {
			s := m.PutEmptySlice("http.request.header.x-api-key")
			s.AppendEmpty().SetInt(123456789012345)
		}, "123456789012345", auditattr.StatusMalformed},
		{"unknown scheme is still redacted", func(m pcommon.Map) {
			m.PutStr("http.request.header.authorization", "Negotiate c2VjcmV0LWtlcmJlcm9zLXRpY2tldA==")
		}, "c2VjcmV0LWtlcmJlcm9zLXRpY2tldA", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			s := h.span(t, now, tt.fill)
			if tt.status != "" {
				assert.Equal(t, tt.status, attrStr(t, s.Attributes(), auditattr.TokenStatus))
				assert.Contains(t, attrStrings(s.Attributes(), auditattr.Violations), auditattr.ViolationMalformed)
			}
			h.assertNoSecret(t, tt.secret)
		})
	}
}

func TestThousandsOfHeaderAttributes(t *testing.T) {
	h := newHarness(t, testConfig())
	s := h.span(t, now, func(m pcommon.Map) {
		for i := range 5000 {
			m.PutStr("http.request.header.x-custom-"+strings.Repeat("h", i%50)+string(rune('a'+i%26)), "v")
		}
		m.PutStr("http.request.header.x-api-key", githubKey)
	})
	assert.Equal(t, tokenID(t, githubKey), attrStr(t, s.Attributes(), auditattr.TokenID))
	h.assertNoSecret(t, githubKey)
}

func TestPseudonymAndClaims(t *testing.T) {
	jwt := userJWT(t, now)
	cfg := testConfig()
	cfg.Scrub.PseudonymizePrincipal = true
	cfg.Scrub.Claims = []string{"tenant", "missing"}
	h := newHarness(t, cfg)
	s := h.span(t, now, func(m pcommon.Map) { putHeader(m, "authorization", "Bearer "+jwt) })
	pid := attrStr(t, s.Attributes(), auditattr.PrincipalID)
	assert.True(t, strings.HasPrefix(pid, "usr_"), pid)
	assert.NotContains(t, pid, "alice")
	assert.Equal(t, "acme", attrStr(t, s.Attributes(), auditattr.TokenClaimPrefix+"tenant"))
	_, ok := s.Attributes().Get(auditattr.TokenClaimPrefix + "missing")
	assert.False(t, ok)
}

func TestKeyFileCreatedAndLogged(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.Fingerprint.Key = ""
	cfg.Fingerprint.KeyFile = filepath.Join(dir, "data", "fingerprint.key")
	cfg.Fingerprint.CreateKeyFile = true
	h := newHarness(t, cfg)
	st, err := os.Stat(cfg.Fingerprint.KeyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	// Two processors (traces, logs) share the file: one creates, one reads.
	assert.Equal(t, 1, h.logObs.FilterMessageSnippet("Created a new fingerprint key file").Len())
	key, err := os.ReadFile(cfg.Fingerprint.KeyFile)
	require.NoError(t, err)
	h.assertNoSecret(t, strings.TrimSpace(string(key)))
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	require.NoError(t, os.WriteFile(path, []byte(testKey), 0o644))
	cfg := testConfig()
	cfg.Fingerprint.Key = ""
	cfg.Fingerprint.KeyFile = path
	p, err := NewFactory().CreateTraces(context.Background(), processortestSettings(), cfg, nil)
	require.NoError(t, err)
	err = p.Start(context.Background(), nil)
	require.ErrorContains(t, err, "chmod 600")
}

// TestLimitsNeverLetASecretThrough puts a credential past every bound the
// scanners have: the 300th credential of a body, one after 1 MiB of text,
// the 100th query parameter, one nested deeper than the body walk goes,
// one past the body walk's value budget, and one in a bytes body.
func TestLimitsNeverLetASecretThrough(t *testing.T) {
	secret := "ghp_" + strings.Repeat("L1m1t", 6) + "Zz9y8X"
	var many strings.Builder
	for i := range 300 {
		fmt.Fprintf(&many, "x-api-key: %s%04d ", "ghp_"+strings.Repeat("M", 32), i)
	}
	many.WriteString("X-Api-Key: " + secret)
	var params strings.Builder
	params.WriteString("/p?")
	for i := range 99 {
		fmt.Fprintf(&params, "p%d=v&", i)
	}
	params.WriteString("access_token=" + secret)

	tests := []struct {
		name          string
		fill          func(plog.LogRecord)
		wantUnscanned bool
	}{
		{"300th credential in a body", func(lr plog.LogRecord) { lr.Body().SetStr(many.String()) }, false},
		{"after 1 MiB of text", func(lr plog.LogRecord) {
			lr.Body().SetStr(strings.Repeat("a", 1<<20+10) + " Authorization: Bearer " + secret)
		}, false},
		{"100th query parameter", func(lr plog.LogRecord) { lr.Attributes().PutStr("url.full", params.String()) }, false},
		{"nested deeper than the walk", func(lr plog.LogRecord) {
			m := lr.Body().SetEmptyMap()
			for range 40 {
				m = m.PutEmptyMap("n")
			}
			m.PutStr("authorization", "Bearer "+secret)
		}, true},
		{"past the value budget", func(lr plog.LogRecord) {
			s := lr.Body().SetEmptySlice()
			for range 10_001 {
				s.AppendEmpty().SetStr("ok")
			}
			s.AppendEmpty().SetStr("token " + secret)
		}, true},
		{"bytes body", func(lr plog.LogRecord) {
			lr.Body().SetEmptyBytes().FromRaw([]byte("X-Api-Key: " + secret))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.logRecord(t, now, tt.fill)
			h.assertNoSecret(t, secret)
			got := sumCounter(t, h, "otelcol_token_audit_unscanned") > 0
			assert.Equal(t, tt.wantUnscanned, got, "unscanned metric")
		})
	}
}
