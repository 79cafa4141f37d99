package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestMultiAddressStraddlingWindow: a botnet whose networks straddle the
// end of the token's spread window does not learn its first networks as
// the token's habit before it is over; a token that uses two networks in
// turn every window keeps its bar.
func TestMultiAddressStraddlingWindow(t *testing.T) {
	habit := every("tok_api", "185.40.1.9", t0, 20*time.Minute, 2*24*3)
	then := t0.Add(2 * 24 * time.Hour)
	at := func(d time.Duration, client string) item {
		return every("tok_api", client, then.Add(d), time.Second, 1)[0]
	}
	tests := []struct {
		name  string
		extra []item
		want  int
	}{
		{"three hosting networks across a window's end", []item{at(0, "185.40.1.9"), at(8*time.Minute, "45.77.10.5"),
			at(10*time.Minute+time.Second, "91.12.3.9"), at(11*time.Minute, "103.9.8.7")}, 1},
		{"a second usual network now and then", []item{at(0, "185.40.1.9"), at(8*time.Minute, "185.40.1.9"),
			at(30*time.Minute, "185.40.1.9")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(habit...)
			h.send(tt.extra...)
			assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), tt.want)
		})
	}
}

// hourlyTokens is owner's access tokens, one an hour for days, each used
// every minute from client(hour, call) and expiring an hour after its issue.
func hourlyTokens(owner string, client func(h, i int) string, days int) []item {
	var out []item
	for h := range days * 24 {
		issued := t0.Add(time.Duration(h) * time.Hour)
		tok := fmt.Sprintf("tok_%s_h%d", owner, h)
		for i := range 60 {
			it := item{at: issued.Add(time.Duration(i) * time.Minute), token: tok, principal: owner, resource: "GET /orders/r0",
				outcome: auditattr.OutcomeSuccess, client: client(h, i), tokenType: auditattr.TypeJWT,
				issuedAt: issued.Unix(), expiresAt: issued.Add(time.Hour).Unix()}
			out = append(out, it)
		}
	}
	return out
}

// TestMultiAddressYoungTokenOnOwnerSpread: a user's hourly access token is
// always young, so its spread is judged on its owner's: four hosting
// providers' networks within minutes, where the owner's tokens used one,
// alert; a deploy bot whose hourly tokens use three runners each sets its
// own bar at six; a young long-lived key learns its own spread, and an
// owner without a day's history judges nothing.
func TestMultiAddressYoungTokenOnOwnerSpread(t *testing.T) {
	then := t0.Add(2*24*time.Hour + time.Hour)
	vps := []string{"159.89.10.7", "45.76.20.7", "172.104.30.7", "95.217.40.7"} // DigitalOcean, Vultr, Linode, Hetzner
	// A CI fleet's runners: each run on three of them, a /24 few runs share.
	runner := func(h, i int) string { return fmt.Sprintf("52.%d.%d.7", 10+(3*h+i%3)%90, (7*h+i%3)%250) } // Amazon
	fresh := []string{"52.200.1.7", "52.201.2.7", "52.202.3.7", "52.203.4.7"}
	session := func(tok, owner string, clients []string, lifetime time.Duration) []item {
		var out []item
		for i, c := range clients {
			for k := range 2 {
				out = append(out, item{at: then.Add(time.Duration(i)*time.Minute + time.Duration(k)*20*time.Second), token: tok,
					principal: owner, resource: "GET /orders/r0", outcome: auditattr.OutcomeSuccess, client: c,
					tokenType: auditattr.TypeJWT, issuedAt: then.Unix(), expiresAt: then.Add(lifetime).Unix()})
			}
		}
		return out
	}
	home := func(int, int) string { return "88.0.226.179" }
	habits := append(hourlyTokens("alice", home, 2), hourlyTokens("deploybot", runner, 2)...)
	// A forged token naming alice, refused from eight hosting networks
	// within minutes, three times in the hour before: it must not teach
	// alice a spread of eight.
	var forged []item
	for w := range 3 { // a window's spread is learned one window late
		for i := range 8 {
			it := failure("tok_forged", fmt.Sprintf("159.89.%d.7", 100+i), then.Add(-45*time.Minute+time.Duration(w)*12*time.Minute+time.Duration(i)*30*time.Second))
			it.principal, it.tokenType, it.issuedAt, it.expiresAt = "alice", auditattr.TypeJWT, then.Add(-time.Hour).Unix(), then.Unix()
			forged = append(forged, it)
		}
	}
	tests := []struct {
		name    string
		session []item
		want    int
	}{
		{"a user's new hourly token from four providers", session("tok_alice_stolen", "alice", vps, time.Hour), 1},
		{"after a forged token's refusals from eight", append(slices.Clone(forged), session("tok_alice_stolen", "alice", vps, time.Hour)...), 1},
		{"a user's new hourly token from two", session("tok_alice_next", "alice", vps[:2], time.Hour), 0},
		{"the deploy bot's new token on four runners", session("tok_deploybot_next", "deploybot", fresh, time.Hour), 0},
		{"a user's new long-lived key from four providers", session("tok_alice_key", "alice", vps, 90*24*time.Hour), 0},
		{"a new owner's hourly token from four providers", session("tok_bob_first", "bob", vps, time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			items := slices.Clone(habits)
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			for b := range slices.Chunk(items, 1000) {
				h.send(b...)
			}
			require.Empty(t, h.alertsOf(auditattr.FindingMultiAddress), "the owners' habits")
			h.send(tt.session...)
			got := h.alertsOf(auditattr.FindingMultiAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "judged on its owner alice's tokens")
			}
		})
	}
}

// TestMultiAddressPersonTokenWithoutHistory: a person's hourly token whose
// owner has no history yet (a developer's kubectl an hour a day) is judged
// on person_networks: driven through five residential proxies within
// minutes it alerts; four, a service's token, a long-lived key, a refused
// token or person_networks 0 do not.
func TestMultiAddressPersonTokenWithoutHistory(t *testing.T) {
	proxies := []string{"24.0.194.92", "71.170.161.1", "99.34.215.153", "68.110.241.9", "108.2.222.252"}
	session := func(principalType string, clients []string, lifetime time.Duration, outcome string) []item {
		var out []item
		for i, c := range clients {
			at := t0.Add(time.Duration(i) * 30 * time.Second)
			out = append(out, item{at: at, token: "tok_dev", principal: "dev-1", principalType: principalType,
				resource: "GET /api/v1/pods", outcome: outcome, client: c, tokenType: auditattr.TypeJWT,
				issuedAt: t0.Unix(), expiresAt: t0.Add(lifetime).Unix()})
		}
		return out
	}
	off := testConfig()
	off.Detectors.MultiAddress.PersonNetworks = 0
	tests := []struct {
		name    string
		cfg     *Config
		session []item
		want    int
	}{
		{"a person's hourly token through five proxies", testConfig(), session(auditattr.PrincipalUser, proxies, time.Hour, auditattr.OutcomeSuccess), 1},
		{"through four", testConfig(), session(auditattr.PrincipalUser, proxies[:4], time.Hour, auditattr.OutcomeSuccess), 0},
		{"a service's hourly token through five", testConfig(), session(auditattr.PrincipalService, proxies, time.Hour, auditattr.OutcomeSuccess), 0},
		{"a person's new long-lived key through five", testConfig(), session(auditattr.PrincipalUser, proxies, 90*24*time.Hour, auditattr.OutcomeSuccess), 0},
		{"a person's token refused from five", testConfig(), session(auditattr.PrincipalUser, proxies, time.Hour, auditattr.OutcomeFailure), 0},
		{"person_networks 0", off, session(auditattr.PrincipalUser, proxies, time.Hour, auditattr.OutcomeSuccess), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			h.send(tt.session...)
			got := h.alertsOf(auditattr.FindingMultiAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "judged as one person's token")
			}
		})
	}
}
