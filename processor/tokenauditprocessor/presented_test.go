package tokenauditprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestPresentedCredential: unknown_token (and the policy's other judgements
// of a request's authentication) judge only a credential the request
// presented; one handed out in a response header, or printed in a log
// line, an exception or a resource, is exposed_credential alone and says
// tokenaudit.token.presented false (issue 13).
func TestPresentedCredential(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writeFile(t, "policy.yaml", "registry:\n  authoritative: true\n")
	h := newHarness(t, cfg)
	hook := "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnopqrstuvwx"
	tests := []struct {
		name      string
		attrs     map[string]any
		body      string // a log record's body when not ""
		presented bool
		viol      []string
	}{
		{"request key header", map[string]any{"http.request.header.x-api-key": githubKey}, "", true, []string{auditattr.ViolationUnknown}},
		{"query-string key", map[string]any{"url.full": "https://api/x?api_key=" + githubKey}, "", true,
			[]string{auditattr.ViolationUnknown, auditattr.ViolationExposedCredential}},
		{"session token in a response header", map[string]any{"http.response.header.x-auth-token": "opaque-session-0123456789"}, "", false,
			[]string{auditattr.ViolationExposedCredential}},
		{"key in a path segment", map[string]any{"url.path": "/v1/keys/" + githubKey + "/verify"}, "", false,
			[]string{auditattr.ViolationExposedCredential}},
		{"key in an exception", map[string]any{"exception.message": "clone failed with " + githubKey}, "", false,
			[]string{auditattr.ViolationExposedCredential}},
		{"PAT in an application log line", nil, "git fetch https://x-access-token:" + githubKey + "@github.com/acme-corp/infra.git failed", false,
			[]string{auditattr.ViolationExposedCredential}},
		{"Slack webhook in an application log line", nil, "notify " + hook + " failed: 404", false,
			[]string{auditattr.ViolationExposedCredential}},
		{"access-log line with the header", nil, `10.0.0.1 "GET /x" 200 "X-Api-Key: ` + githubKey + `"`, true,
			[]string{auditattr.ViolationUnknown, auditattr.ViolationExposedCredential}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attrs pcommon.Map
			if tt.body != "" {
				lr := h.logRecord(t, now, func(lr plog.LogRecord) { lr.Body().SetStr(tt.body) })
				attrs = lr.Attributes()
			} else {
				s := h.span(t, now, func(m pcommon.Map) { assert.NoError(t, m.FromRaw(tt.attrs)) })
				attrs = s.Attributes()
			}
			p, ok := attrs.Get(auditattr.TokenPresented)
			assert.True(t, ok)
			assert.Equal(t, tt.presented, p.Bool())
			assert.Equal(t, tt.viol, attrStrings(attrs, auditattr.Violations))
		})
	}
}

// TestLogOutcome: a log record's outcome comes from its status; without
// one (an application log line) it has none, where a span without a
// status is a served call.
func TestLogOutcome(t *testing.T) {
	h := newHarness(t, testConfig())
	for _, tt := range []struct {
		name    string
		attrs   map[string]any
		outcome string // "": not written
	}{
		{"access log, 401", map[string]any{"http.response.status_code": 401}, auditattr.OutcomeFailure},
		{"access log, 200", map[string]any{"http.response.status_code": "200"}, auditattr.OutcomeSuccess},
		{"application log line", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := h.logRecord(t, now, func(lr plog.LogRecord) {
				assert.NoError(t, lr.Attributes().FromRaw(tt.attrs))
				lr.Body().SetStr("X-Api-Key: " + githubKey)
			})
			got, ok := lr.Attributes().Get(auditattr.Outcome)
			assert.Equal(t, tt.outcome != "", ok)
			if ok {
				assert.Equal(t, tt.outcome, got.Str())
			}
		})
	}
}
