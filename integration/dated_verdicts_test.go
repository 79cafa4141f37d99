package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// datedVerdictsConfig verifies JWTs, reads a policy with a dated
// revocation, and excludes one verified issuer from failed_attempts.
const datedVerdictsConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/data/fingerprint.key
      create_key_file: true
    policy_file: {{DIR}}/policy.yaml
    jwt:
      verify: true
      algorithms: [HS256]
      hmac_secrets:
        - key_id: k1
          secret: ${env:TEST_HMAC_SECRET}
connectors:
  token_anomaly:
    detectors:
      failed_attempts:
        exclude:
          issuers: [https://clinic-idp.example]
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [audit_log]
`

// TestIntegrationDatedVerdicts: in the built distribution, a revocation's
// revoked_at spares the token's earlier uses and judges its later ones; a
// JWT issued after its request is not_yet_valid_token; a verified issuer
// listed in exclude.issuers raises no failed_attempts while another
// issuer's failing token does; and auditctl fingerprint -lines gives the
// ids the collector wrote.
func TestIntegrationDatedVerdicts(t *testing.T) {
	dir := t.TempDir()
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(fmt.Sprintf(
		"revoked:\n  - jti: jti-revoked\n    revoked_at: %s\n", at.Format(time.RFC3339))), 0o600))
	col := startCollectorIn(t, dir, datedVerdictsConfig, "127.0.0.1:1", "TEST_HMAC_SECRET="+hmacSecret)

	claims := func(iss, sub, jti string, iat time.Time) map[string]any {
		return map[string]any{"iss": iss, "sub": sub, "jti": jti, "iat": iat.Unix(), "exp": iat.Add(24 * time.Hour).Unix()}
	}
	revoked := signedJWT(t, claims("https://idp.example", "dana", "jti-revoked", at.Add(-2*time.Hour)))
	early := signedJWT(t, claims("https://idp.example", "eve", "jti-early", at.Add(48*time.Hour)))
	// One unbound HMAC secret signs every issuer's tokens here for brevity;
	// in production bind each key to its issuer (hmac_secrets[].issuer).
	clinic := signedJWT(t, claims("https://clinic-idp.example", "dr-1", "jti-clinic", at.Add(-time.Hour)))
	other := signedJWT(t, claims("https://other-idp.example", "ops-1", "jti-other", at.Add(-time.Hour)))

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	add := func(tok string, when time.Time, status int64) {
		s := spans.AppendEmpty()
		n := spans.Len()
		s.SetName("GET /charts/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{0xdd, byte(n >> 8), byte(n)})
		s.SetSpanID(pcommon.SpanID{0xee, byte(n >> 8), byte(n)})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(when))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(when.Add(time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/charts/{id}")
		a.PutInt("http.response.status_code", status)
		a.PutStr("client.address", "198.51.100.77")
		a.PutStr("http.request.header.authorization", "Bearer "+tok)
	}
	add(revoked, at.Add(-time.Hour), 200) // before its revocation
	add(revoked, at.Add(time.Minute), 200)
	add(early, at, 200)
	for i := range 25 {
		add(clinic, at.Add(time.Duration(i)*time.Second), 401)
		add(other, at.Add(time.Duration(i)*time.Second), 401)
	}
	col.sendTraces(t, td)

	// The ids, as an operator builds a registry: one run for all tokens.
	fp := exec.Command(auditctl(t), "fingerprint", "-lines", "-key-file", filepath.Join(dir, "data", "fingerprint.key"))
	fp.Stdin = strings.NewReader(strings.Join([]string{revoked, early, clinic, other}, "\n") + "\n")
	out, err := fp.Output()
	require.NoError(t, err)
	ids := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, ids, 4)
	idRevoked, idEarly, idClinic, idOther := ids[0], ids[1], ids[2], ids[3]

	audit := filepath.Join(dir, "audit")
	findings := func() map[string][]string { // finding type → the records, as text
		got := map[string][]string{}
		for typ, recs := range findingsByType(t, audit) {
			for _, r := range recs {
				got[typ] = append(got[typ], fmt.Sprint(r))
			}
		}
		return got
	}
	deadline := time.Now().Add(30 * time.Second)
	var got map[string][]string
	for {
		got = findings()
		if len(got["revoked_token"]) > 0 && len(got["not_yet_valid_token"]) > 0 && len(got["failed_attempts"]) > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "alerts missing: %v\n%s", got, col.log.String())
		time.Sleep(200 * time.Millisecond)
	}
	col.stop(t)
	got = findings()

	// The revoked token's use before revoked_at is active in its API
	// Activity record; the one after is revoked.
	var statuses []string
	for _, r := range apiActivities(t, audit) {
		if s := fmt.Sprint(r); strings.Contains(s, idRevoked) {
			ta, _ := r["unmapped"].(map[string]any)["tokenaudit"].(map[string]any)
			statuses = append(statuses, fmt.Sprint(ta["token.status"]))
		}
	}
	assert.ElementsMatch(t, []string{"active", "revoked"}, statuses)
	require.Len(t, got["revoked_token"], 1)
	assert.Contains(t, got["revoked_token"][0], idRevoked)
	require.Len(t, got["not_yet_valid_token"], 1)
	assert.Contains(t, got["not_yet_valid_token"][0], idEarly)
	for _, f := range got["failed_attempts"] {
		assert.NotContains(t, f, idClinic, "the excluded issuer's token raised failed_attempts")
	}
	assert.Contains(t, strings.Join(got["failed_attempts"], "\n"), idOther)
}
