package tokenanomalyconnector

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func TestViolationsBecomeAlerts(t *testing.T) {
	tests := []struct {
		verdict, outcome string
		want             plog.SeverityNumber
	}{
		{auditattr.ViolationScope, auditattr.OutcomeDenied, plog.SeverityNumberWarn},
		{auditattr.ViolationScope, auditattr.OutcomeSuccess, plog.SeverityNumberError}, // served out of scope is worse
		{auditattr.ViolationRevoked, auditattr.OutcomeFailure, plog.SeverityNumberError},
		{auditattr.ViolationRevoked, auditattr.OutcomeSuccess, plog.SeverityNumberFatal},
		{auditattr.ViolationMalformed, auditattr.OutcomeFailure, plog.SeverityNumberInfo},
		{auditattr.ViolationExpired, auditattr.OutcomeFailure, plog.SeverityNumberWarn},
		{auditattr.ViolationNotYetValid, auditattr.OutcomeFailure, plog.SeverityNumberWarn},
		{auditattr.ViolationInvalidSignature, auditattr.OutcomeFailure, plog.SeverityNumberError},
		{auditattr.ViolationUnknown, auditattr.OutcomeSuccess, plog.SeverityNumberError},
		{auditattr.ViolationRestrictedResource, auditattr.OutcomeDenied, plog.SeverityNumberError},
		{auditattr.ViolationOffHours, auditattr.OutcomeSuccess, plog.SeverityNumberWarn},
		{auditattr.ViolationDisallowedNetwork, auditattr.OutcomeDenied, plog.SeverityNumberWarn},
	}
	for _, tt := range tests {
		t.Run(tt.verdict+"/"+tt.outcome, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(item{at: t0, token: "tok_a", principal: "alice", resource: "DELETE /users/{id}", outcome: tt.outcome,
				client: "198.51.100.7", tokenType: auditattr.TypeJWT, violations: []string{tt.verdict}, trace: 9})
			recs := h.records()
			require.Len(t, recs, 1, "one alert, although two pairs received the spans")
			lr := recs[0]
			assert.Equal(t, auditattr.EventAnomaly, lr.EventName())
			assert.Equal(t, tt.want, lr.SeverityNumber())
			assert.Equal(t, tt.verdict, str(lr, auditattr.FindingType))
			assert.Equal(t, "tok_a", str(lr, auditattr.TokenID))
			assert.Equal(t, "alice", str(lr, auditattr.PrincipalID))
			assert.Equal(t, "DELETE /users/{id}", str(lr, auditattr.Resource))
			assert.Equal(t, "198.51.100.7", str(lr, auditattr.ClientAddress))
			assert.Equal(t, 1.0, num(lr, auditattr.FindingCount))
			assert.Equal(t, float64(t0.UnixMilli()), num(lr, auditattr.FindingFirstSeen))
			assert.True(t, strings.HasPrefix(str(lr, auditattr.FindingID), "fnd_"))
			assert.Equal(t, byte(9), lr.TraceID()[1])
			assert.Equal(t, byte(9), lr.SpanID()[1])
			assert.Equal(t, t0.UnixNano(), int64(lr.Timestamp()))
			body := lr.Body().Str()
			assert.True(t, strings.HasSuffix(body, "."), body)
			assert.NotContains(t, body, "\n")
		})
	}
}

func TestAlertsCarryOnlyContractAttributes(t *testing.T) {
	h := newHarness(t, testConfig())
	h.send(item{at: t0, token: "tok_a", principal: "alice", resource: "GET /a", outcome: auditattr.OutcomeSuccess,
		client: "198.51.100.7", violations: []string{auditattr.ViolationScope}})
	ld := h.alerts.AllLogs()
	require.Len(t, ld, 1)
	res := ld[0].ResourceLogs().At(0).Resource().Attributes()
	assert.Equal(t, map[string]any{"service.name": "orders"}, res.AsRaw(), "only resource_attributes are copied")
	for _, lr := range h.records() {
		for k, v := range lr.Attributes().All() {
			assert.True(t, strings.HasPrefix(k, "tokenaudit."), k)
			assert.NotContains(t, v.AsString(), "should_never", k)
		}
		assert.NotContains(t, lr.Body().Str(), "should_never")
	}
}

func TestSuppressionAndSeverityRise(t *testing.T) {
	cfg := testConfig()
	cfg.Alerts.SuppressionWindow = time.Hour
	h := newHarness(t, cfg)
	denied := item{at: t0, token: "tok_a", resource: "GET /a", outcome: auditattr.OutcomeDenied, violations: []string{auditattr.ViolationScope}}
	h.send(denied)
	denied.at = t0.Add(10 * time.Minute)
	h.send(denied) // suppressed: same finding within the window
	require.Len(t, h.records(), 1)

	served := denied
	served.at, served.outcome = t0.Add(20*time.Minute), auditattr.OutcomeSuccess
	h.send(served) // severity rose: alert again
	recs := h.records()
	require.Len(t, recs, 2)
	assert.Equal(t, plog.SeverityNumberError, recs[1].SeverityNumber())
	assert.Equal(t, 3.0, num(recs[1], auditattr.FindingCount))
	assert.Equal(t, str(recs[0], auditattr.FindingID), str(recs[1], auditattr.FindingID), "same token, type, resource: same id")

	served.at = t0.Add(30 * time.Minute)
	h.send(served) // suppressed again
	served.at = t0.Add(90 * time.Minute)
	h.send(served) // the window has passed
	recs = h.records()
	require.Len(t, recs, 3)
	assert.Equal(t, 5.0, num(recs[2], auditattr.FindingCount))
	assert.Equal(t, float64(t0.UnixMilli()), num(recs[2], auditattr.FindingFirstSeen))
	assert.Equal(t, float64(served.at.UnixMilli()), num(recs[2], auditattr.FindingLastSeen))

	other := denied
	other.resource, other.at = "GET /b", t0.Add(91*time.Minute)
	h.send(other)
	recs = h.records()
	require.Len(t, recs, 4)
	assert.NotEqual(t, str(recs[0], auditattr.FindingID), str(recs[3], auditattr.FindingID), "another resource is another finding")
}

func TestDryRunCountsWithoutAlerting(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.Violations.DryRun = true
	h := newHarness(t, cfg)
	h.send(item{at: t0, token: "tok_a", outcome: auditattr.OutcomeFailure, violations: []string{auditattr.ViolationRevoked}})
	assert.Empty(t, h.records())
	h.model.flush(t.Context())
	pts := metricPoints(t, h, metricAnomalies)
	require.Len(t, pts, 1)
	assert.Equal(t, "true", pts[0].attrs[auditattr.FindingDryRun])
	assert.Equal(t, auditattr.ViolationRevoked, pts[0].attrs[auditattr.FindingType])
}

func TestExclusions(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.Violations.Exclude = ExcludeConfig{Networks: []string{"10.0.0.0/8"}, Principals: []string{"scanner"}, Tokens: []string{"tok_x"},
		Issuers: []string{"https://ehr.example"}}
	h := newHarness(t, cfg)
	v := []string{auditattr.ViolationScope}
	h.send(
		item{at: t0, token: "tok_a", client: "10.1.2.3", violations: v},
		item{at: t0, token: "tok_b", principal: "scanner", violations: v},
		item{at: t0, token: "tok_x", violations: v},
		item{at: t0, token: "tok_c", client: "11.1.2.3", violations: v},
		item{at: t0, token: "tok_d", issuer: "https://ehr.example", verified: true, violations: v},
		// Only a verified signature vouches for the issuer: a forged or
		// unchecked token claiming it is judged.
		item{at: t0, token: "tok_e", issuer: "https://ehr.example", violations: v},
		item{at: t0, token: "tok_f", issuer: "https://other.example", verified: true, violations: v},
	)
	var got []string
	for _, r := range h.records() {
		got = append(got, str(r, auditattr.TokenID))
	}
	assert.ElementsMatch(t, []string{"tok_c", "tok_e", "tok_f"}, got)
}

func TestLogsInputAlertsOnce(t *testing.T) {
	h := newHarness(t, testConfig())
	h.sendLogs(item{at: t0, token: "tok_a", violations: []string{auditattr.ViolationExpired}})
	require.Len(t, h.records(), 1)
}

// TestExposedCredential: a credential found outside an authentication
// header alerts once per token and place, at high severity, naming the
// place; more items with the same leak, even hours later, do not alert.
func TestExposedCredential(t *testing.T) {
	h := newHarness(t, testConfig())
	leak := func(token, source string, at time.Time) item {
		return item{at: at, token: token, principal: "alice", resource: "GET /search", outcome: auditattr.OutcomeSuccess,
			client: "198.51.100.30", source: source, violations: []string{auditattr.ViolationExposedCredential}}
	}
	var items []item
	for i := range 20 {
		items = append(items, leak("tok_a", "url.query", t0.Add(time.Duration(i)*time.Minute)))
	}
	items = append(items, leak("tok_a", "log.body", t0.Add(30*time.Minute)), leak("tok_b", "url.query", t0.Add(31*time.Minute)),
		leak("tok_a", "url.query", t0.Add(5*time.Hour)))
	h.send(items...)
	got := h.alertsOf(auditattr.ViolationExposedCredential)
	require.Len(t, got, 3, "tok_a in url.query, tok_a in log.body, tok_b in url.query")
	places := map[string]bool{}
	for _, lr := range got {
		assert.Equal(t, auditattr.SeverityHigh, str(lr, auditattr.FindingSeverity))
		places[str(lr, auditattr.TokenID)+" "+strs(lr, auditattr.EvidenceValues)[0]] = true
		assert.Contains(t, lr.Body().Str(), "rotate")
	}
	assert.Equal(t, map[string]bool{"tok_a url.query": true, "tok_a log.body": true, "tok_b url.query": true}, places)
}

// TestExposedCredentialPlaceFromExposedIn: the place is the processor's
// tokenaudit.token.exposed_in when it writes one apart from the source.
func TestExposedCredentialPlaceFromExposedIn(t *testing.T) {
	h := newHarness(t, testConfig())
	td := spans(item{at: t0, token: "tok_a", source: "http.request.header.authorization", outcome: auditattr.OutcomeSuccess,
		violations: []string{auditattr.ViolationExposedCredential}})
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr(auditattr.TokenExposedIn, "exception.message")
	h.sendBatch(td)
	got := h.alertsOf(auditattr.ViolationExposedCredential)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"exception.message"}, strs(got[0], auditattr.EvidenceValues))
}

// TestExposedCredentialNamesItsHint: the alert names which key leaked by
// the processor's non-secret hint (its prefix and last characters), in the
// evidence after the place and in the sentence, so the owner knows what to
// rotate; without a hint, the place alone.
func TestExposedCredentialNamesItsHint(t *testing.T) {
	tests := []struct {
		name, hint string
		want       []string
	}{
		{"a Slack webhook", "hooks.slack.com/services/…x7Qa", []string{"log.body", "hooks.slack.com/services/…x7Qa"}},
		{"no hint", "", []string{"log.body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			td := spans(item{at: t0, token: "tok_a", source: "log.body", violations: []string{auditattr.ViolationExposedCredential}})
			if tt.hint != "" {
				td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr(auditattr.TokenHint, tt.hint)
			}
			h.sendBatch(td)
			got := h.alertsOf(auditattr.ViolationExposedCredential)
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, strs(got[0], auditattr.EvidenceValues))
			if tt.hint != "" {
				assert.Contains(t, got[0].Body().Str(), "("+tt.hint+")")
			}
		})
	}
}

// TestOtherExposedCredentials: the item's other exposed credentials
// (exposed.token_ids, exposed.in) alert as their own tokens, once per
// token and place, without the item's token type or owner.
func TestOtherExposedCredentials(t *testing.T) {
	tests := []struct {
		name   string
		ids    []any
		places []any
		want   []string // "token place"
	}{
		{"one other token", []any{"tok_b"}, []any{"url.full"}, []string{"tok_b url.full"}},
		{"two places, one repeated", []any{"tok_b", "tok_b", "tok_b"}, []any{"url.full", "resource.deployment.env.TOKEN", "url.full"},
			[]string{"tok_b url.full", "tok_b resource.deployment.env.TOKEN"}},
		{"two tokens", []any{"tok_b", "tok_c"}, []any{"log.body", "log.body"}, []string{"tok_b log.body", "tok_c log.body"}},
		{"lists of different lengths: the pairs", []any{"tok_b", "tok_c"}, []any{"log.body"}, []string{"tok_b log.body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for range 2 { // the same leak again: no new alert
				td := spans(item{at: t0, token: "tok_a", principal: "alice", source: "http.request.header.authorization",
					outcome: auditattr.OutcomeSuccess, tokenType: auditattr.TypeJWT})
				a := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
				require.NoError(t, a.PutEmptySlice(auditattr.ExposedTokenIDs).FromRaw(tt.ids))
				require.NoError(t, a.PutEmptySlice(auditattr.ExposedIn).FromRaw(tt.places))
				h.sendBatch(td)
				h.settle()
			}
			var got []string
			for _, lr := range h.alertsOf(auditattr.ViolationExposedCredential) {
				got = append(got, str(lr, auditattr.TokenID)+" "+strs(lr, auditattr.EvidenceValues)[0])
				assert.Equal(t, auditattr.SeverityHigh, str(lr, auditattr.FindingSeverity))
				assert.Empty(t, str(lr, auditattr.PrincipalID), "tok_a's owner is not the leaked token's")
				assert.Empty(t, str(lr, auditattr.TokenType))
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}
