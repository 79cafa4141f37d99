package integration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

const tokenAuditConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
        include_metadata: true
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/data/fingerprint.key
      create_key_file: true
    jwt:
      verify: true
      algorithms: [HS256]
      hmac_secrets:
        - key_id: k1
          secret: ${env:TEST_HMAC_SECRET}
  batch:
    timeout: 100ms
exporters:
  debug:
    verbosity: detailed
  otlp_http:
    endpoint: {{SINK}}
    compression: none
    retry_on_failure:
      enabled: false
service:
  telemetry:
    logs:
      level: debug
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{METRICS}}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit, batch]
      exporters: [debug, otlp_http]
    logs:
      receivers: [otlp]
      processors: [token_audit, batch]
      exporters: [debug, otlp_http]
`

const hmacSecret = "integration-hmac-secret-32-bytes-long!"

func signedJWT(t *testing.T, claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": "k1"})
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	mac := hmac.New(sha256.New, []byte(hmacSecret))
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// TestIntegrationTokenAudit sends credentialed spans and logs through the
// built collector and checks the contract attributes in what it exports,
// then searches every output for every raw credential it sent.
func TestIntegrationTokenAudit(t *testing.T) {
	snk := startSink(t)
	col := startCollector(t, tokenAuditConfig, snk.addr, "TEST_HMAC_SECRET="+hmacSecret)

	at := time.Now().Truncate(time.Second)
	jwt := signedJWT(t, map[string]any{
		"iss": "https://idp.example.com", "sub": "alice", "aud": "orders", "jti": "jti-42",
		"iat": at.Add(-time.Minute).Unix(), "exp": at.Add(time.Hour).Unix(), "scope": "orders:read",
	})
	apiKey := "ghp_" + strings.Repeat("Int3gRat1on", 3) + "Key"
	queryKey := "sk_live_" + strings.Repeat("Qu3ry", 5)
	basicPass := "basic-password-never-leaves"
	basic := base64.StdEncoding.EncodeToString([]byte("bob:" + basicPass))
	metaKey := "metadata-only-api-key-0123456789abcdef"
	secrets := []string{jwt, jwt[strings.LastIndexByte(jwt, '.')+1:], apiKey, queryKey, basicPass, basic, metaKey, hmacSecret}

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	s := spans.AppendEmpty()
	s.SetName("GET /orders/{id}")
	s.SetKind(ptrace.SpanKindServer)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
	a := s.Attributes()
	a.PutStr("http.request.method", "GET")
	a.PutStr("http.route", "/orders/{id}")
	a.PutInt("http.response.status_code", 200)
	a.PutStr("network.peer.address", "198.51.100.23")
	a.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + jwt)
	a.PutStr("url.full", "https://api.example.com/orders/7?api_key="+queryKey)

	s2 := spans.AppendEmpty()
	s2.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
	s2.Attributes().PutStr("http.request.method", "DELETE")
	s2.Attributes().PutStr("url.path", "/orders/123")
	s2.Attributes().PutInt("http.response.status_code", 403)
	s2.Attributes().PutStr("http.request.header.x_api_key", apiKey)
	col.sendTraces(t, td)

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lr := lrs.AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.Body().SetStr(`203.0.113.9 "POST /login HTTP/1.1" 401 authorization="Basic ` + basic + `"`)
	lr2 := lrs.AppendEmpty()
	lr2.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr2.Body().SetStr("background job ran")
	col.sendLogs(t, ld, map[string]string{"X-Api-Key": metaKey})

	require.Eventually(t, func() bool {
		snk.mu.Lock()
		defer snk.mu.Unlock()
		return spanCount(snk.traces) == 2 && logCount(snk.logs) == 2
	}, 20*time.Second, 50*time.Millisecond, "exports did not arrive\n%s", col.log.String())

	snk.mu.Lock()
	got := snk.traces[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	gotLogs := snk.logs[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	snk.mu.Unlock()

	first := got.At(0).Attributes()
	id := str(first, auditattr.TokenID)
	require.Regexp(t, `^tok_[0-9a-f]{32}$`, id)
	assert.Equal(t, auditattr.TypeJWT, str(first, auditattr.TokenType))
	assert.Equal(t, "http.request.header.authorization", str(first, auditattr.TokenSource))
	assert.Equal(t, "https://idp.example.com", str(first, auditattr.TokenIssuer))
	assert.Equal(t, "jti-42", str(first, auditattr.TokenJTI))
	assert.Equal(t, `["orders:read"]`, str(first, auditattr.TokenScopes))
	assert.Equal(t, auditattr.StatusActive, str(first, auditattr.TokenStatus))
	assert.Equal(t, "true", str(first, auditattr.TokenVerified))
	assert.Equal(t, "alice", str(first, auditattr.PrincipalID))
	assert.Equal(t, auditattr.PrincipalUser, str(first, auditattr.PrincipalType))
	assert.Equal(t, "GET /orders/{id}", str(first, auditattr.Resource))
	assert.Equal(t, auditattr.ActionRead, str(first, auditattr.Action))
	assert.Equal(t, auditattr.OutcomeSuccess, str(first, auditattr.Outcome))
	assert.Equal(t, "198.51.100.23", str(first, auditattr.ClientAddress))
	assert.Equal(t, `["Bearer `+id+`"]`, str(first, "http.request.header.authorization"))
	assert.Equal(t, "2", str(first, auditattr.TokenCount))

	second := got.At(1).Attributes()
	assert.Equal(t, "github", str(second, auditattr.TokenProvider))
	assert.Equal(t, "DELETE /orders/{id}", str(second, auditattr.Resource))
	assert.Equal(t, auditattr.OutcomeDenied, str(second, auditattr.Outcome))

	login := gotLogs.At(0).Attributes()
	assert.Equal(t, auditattr.TypeBasic, str(login, auditattr.TokenType))
	assert.Equal(t, "bob", str(login, auditattr.PrincipalID))
	assert.Equal(t, "log.body", str(login, auditattr.TokenSource))
	job := gotLogs.At(1).Attributes()
	assert.Equal(t, "request.metadata.x-api-key", str(job, auditattr.TokenSource))

	// auditctl prints the same id for the same token and key.
	assert.Equal(t, id, auditctlFingerprint(t, filepath.Join(col.dir, "data", "fingerprint.key"), "Bearer "+jwt))

	metrics := col.scrape(t)
	assert.Contains(t, metrics, "otelcol_token_audit_credentials")
	assert.Contains(t, col.log.String(), "Created a new fingerprint key file")

	col.stop(t)
	outputs := map[string]string{
		"exported data":      snk.raw.String(),
		"collector log":      col.log.String(),
		"collector metrics":  metrics,
		"collector data dir": filesUnder(t, filepath.Join(col.dir, "data")),
	}
	for name, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("a raw credential (%d bytes, starting %q) appears in the %s", len(secret), secret[:4], name)
			}
		}
	}
}

func str(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

func spanCount(ts []ptrace.Traces) int {
	n := 0
	for _, td := range ts {
		n += td.SpanCount()
	}
	return n
}

func logCount(ls []plog.Logs) int {
	n := 0
	for _, ld := range ls {
		n += ld.LogRecordCount()
	}
	return n
}

// auditctlFingerprint runs `auditctl fingerprint` with the token on stdin.
func auditctlFingerprint(t *testing.T, keyFile, value string) string {
	t.Helper()
	cmd := exec.Command(auditctl(t), "fingerprint", "-key-file", keyFile)
	cmd.Stdin = strings.NewReader(value + "\n")
	cmd.Env = append(os.Environ(), "TOKENAUDIT_FINGERPRINT_KEY=")
	res, err := cmd.Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(res))
}
