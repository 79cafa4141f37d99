package tokenanomalyconnector

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestExpiringSoonOnlyLongLived: expiring_soon warns of a credential in
// use whose expiry will break what uses it, not of a short-lived token
// its client renews: a token is judged only when its lifetime exceeds
// within (7 days) or, without an issue time, when it was in use before
// it entered the window.
func TestExpiringSoonOnlyLongLived(t *testing.T) {
	exp := t0.Add(20 * day)
	for _, tc := range []struct {
		name    string
		issued  time.Time   // zero: no issue time
		uses    []time.Time // successful calls
		outcome string
		want    int
	}{
		{"12-hour session JWT", exp.Add(-12 * time.Hour), []time.Time{exp.Add(-11 * time.Hour)}, auditattr.OutcomeSuccess, 0},
		{"hourly JWT", exp.Add(-time.Hour), []time.Time{exp.Add(-50 * time.Minute)}, auditattr.OutcomeSuccess, 0},
		{"7-day token, as long as the window", exp.Add(-7 * day), []time.Time{exp.Add(-6 * day)}, auditattr.OutcomeSuccess, 0},
		{"8-day token", exp.Add(-8 * day), []time.Time{exp.Add(-6 * day)}, auditattr.OutcomeSuccess, 1},
		{"key issued 300 days ago, 3 days left", exp.Add(-300 * day), []time.Time{exp.Add(-3 * day)}, auditattr.OutcomeSuccess, 1},
		{"refused call", exp.Add(-300 * day), []time.Time{exp.Add(-3 * day)}, auditattr.OutcomeFailure, 0},
		{"no issue time, in use before the window", time.Time{}, []time.Time{exp.Add(-10 * day), exp.Add(-3 * day)}, auditattr.OutcomeSuccess, 1},
		{"no issue time, first seen in the window", time.Time{}, []time.Time{exp.Add(-3 * day), exp.Add(-2 * day)}, auditattr.OutcomeSuccess, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			var iat int64
			if !tc.issued.IsZero() {
				iat = tc.issued.Unix()
			}
			for _, at := range tc.uses {
				h.send(item{at: at, token: "tok_e", outcome: tc.outcome, tokenType: auditattr.TypeJWT, issuedAt: iat, expiresAt: exp.Unix()})
			}
			got := h.alertsOf(auditattr.FindingExpiringSoon)
			require.Len(t, got, tc.want)
			if tc.want > 0 {
				assert.Equal(t, exp.UTC().Format(time.RFC3339), strs(got[0], auditattr.EvidenceValues)[0])
			}
		})
	}
}

// TestUnknownTokenNotOnRefusal: a credential the service rejected at
// authentication (outcome failure, 401) is not an unregistered token in
// use, so a stuffing run is one credential_stuffing, not one
// unknown_token per guess; one the service recognised (403), accepted or
// whose outcome is unknown still is, once, also after first refusals.
func TestUnknownTokenNotOnRefusal(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outcomes []string // one call each, a minute apart
		want     int
		on       time.Duration // the call alerted, after t0
	}{
		{"refused (401)", []string{auditattr.OutcomeFailure}, 0, 0},
		{"recognised and denied (403)", []string{auditattr.OutcomeDenied}, 1, 0},
		{"accepted", []string{auditattr.OutcomeSuccess}, 1, 0},
		{"server error", []string{auditattr.OutcomeError}, 1, 0},
		{"no outcome", []string{""}, 1, 0},
		{"refused, then accepted", []string{auditattr.OutcomeFailure, auditattr.OutcomeFailure, auditattr.OutcomeSuccess, auditattr.OutcomeSuccess}, 1, 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for i, o := range tc.outcomes {
				h.send(item{at: t0.Add(time.Duration(i) * time.Minute), token: "tok_u", outcome: o, client: "198.51.100.7",
					resource: "GET /reports", violations: []string{auditattr.ViolationUnknown}})
			}
			got := h.alertsOf(auditattr.ViolationUnknown)
			require.Len(t, got, tc.want)
			if tc.want > 0 {
				assert.Equal(t, "tok_u", str(got[0], auditattr.TokenID))
				assert.Equal(t, float64(t0.Add(tc.on).UnixMilli()), num(got[0], auditattr.FindingFirstSeen))
			}
		})
	}

	t.Run("stuffing run", func(t *testing.T) {
		h := newHarness(t, testConfig())
		var guesses []item
		for i := range 30 {
			guesses = append(guesses, item{at: t0.Add(time.Duration(i) * 10 * time.Second), token: fmt.Sprintf("tok_guess%d", i),
				outcome: auditattr.OutcomeFailure, client: "203.0.113.9", tokenType: auditattr.TypeBasic, resource: "GET /login",
				violations: []string{auditattr.ViolationUnknown}})
		}
		h.send(guesses...)
		assert.Empty(t, h.alertsOf(auditattr.ViolationUnknown))
		assert.Len(t, h.alertsOf(auditattr.FindingCredentialStuffing), 1)
	})
}

// TestResurrectedFromRegistry: the registry's last_used_at proves idle
// time the connector did not watch, so a registered key dormant for
// longer than idle_after (30 days) is resurrected_token on its first use,
// once: not again on a retried batch, nor after a restart. A key the
// registry records as never used dates its silence from created_at; a
// created_at alone proves nothing about use.
func TestResurrectedFromRegistry(t *testing.T) {
	date := func(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name, entry string
		want        int
		idle        string // in the body
	}{
		{"last used 45 days ago", "created_at: " + date(300*day) + "\n      last_used_at: " + date(45*day), 1, "45.0 days"},
		{"last used 10 days ago", "created_at: " + date(300*day) + "\n      last_used_at: " + date(10*day), 0, ""},
		{"last used after this use", "created_at: " + date(300*day) + "\n      last_used_at: " + t0.Add(day).Format(time.RFC3339), 0, ""},
		{"never used, created 300 days ago", "created_at: " + date(300*day) + "\n      last_used_at: never", 1, "300.0 days"},
		{"never used, created 10 days ago", "created_at: " + date(10*day) + "\n      last_used_at: never", 0, ""},
		{"created long ago, last use not known", "created_at: " + date(300*day), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			policy := writePolicy(t, "registry:\n  authoritative: false\n  tokens:\n    - id: tok_reg\n      name: old-sync\n      owner: partner\n      "+tc.entry+"\n")
			cfg, host := storageConfig(dir)
			cfg.PolicyFile = policy
			h := newHarnessWithHost(t, cfg, host)
			uses := steady("tok_reg", "198.51.100.1", "GET /orders", t0, 2*time.Minute, 10)
			h.send(uses...)
			h.send(uses...) // the sender retries the batch
			got := h.alertsOf(auditattr.FindingResurrectedToken)
			require.Len(t, got, tc.want)
			if tc.want > 0 {
				assert.Equal(t, "tok_reg", str(got[0], auditattr.TokenID))
				assert.Contains(t, got[0].Body().Str(), tc.idle)
			}
			h.stop()

			cfg2, host2 := storageConfig(dir)
			cfg2.PolicyFile = policy
			h2 := newHarnessWithHost(t, cfg2, host2)
			h2.send(steady("tok_reg", "198.51.100.1", "GET /orders", t0.Add(time.Hour), 2*time.Minute, 5)...)
			assert.Empty(t, h2.alertsOf(auditattr.FindingResurrectedToken), "not again after a restart")
		})
	}
}
