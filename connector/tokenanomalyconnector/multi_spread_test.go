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
// on person_networks once the population has been watched: driven through
// five residential proxies within minutes it alerts; four, a service's
// token, a long-lived key, a token without expiry, a refused or lapsed
// token, a phone on five /24s of its carrier's pool, the first days of the
// watch or person_networks 0 do not.
func TestMultiAddressPersonTokenWithoutHistory(t *testing.T) {
	then := t0.Add(4 * 24 * time.Hour) // past new_client_address.population.learning_period
	proxies := []string{"24.0.194.92", "71.170.161.1", "99.34.215.153", "68.110.241.9", "108.2.222.252"}
	carrier := []string{"172.56.10.7", "172.56.20.7", "172.56.30.7", "172.56.40.7", "172.56.50.7"}
	type shape struct {
		principalType string
		lifetime      time.Duration // 0: no expiry
		outcome       string
		violations    []string
		at            time.Time
	}
	person := shape{auditattr.PrincipalUser, time.Hour, auditattr.OutcomeSuccess, nil, then}
	session := func(s shape, clients []string) []item {
		var out []item
		for i, c := range clients {
			it := item{at: s.at.Add(time.Duration(i) * 30 * time.Second), token: "tok_dev", principal: "dev-1", principalType: s.principalType,
				resource: "GET /api/v1/pods", outcome: s.outcome, client: c, tokenType: auditattr.TypeJWT, issuedAt: s.at.Unix(), violations: s.violations}
			if s.lifetime > 0 {
				it.expiresAt = s.at.Add(s.lifetime).Unix()
			}
			out = append(out, it)
		}
		return out
	}
	with := func(f func(*shape)) shape { s := person; f(&s); return s }
	// The org's phones on the carrier's pool, seen from the start.
	var background []item
	for k := range 3 {
		background = append(background, every(fmt.Sprintf("tok_phone%d", k), fmt.Sprintf("172.56.%d.9", 100+k), t0, 6*time.Hour, 16)...)
	}
	off := testConfig()
	off.Detectors.MultiAddress.PersonNetworks = 0
	tests := []struct {
		name    string
		cfg     *Config
		session []item
		want    int
		cold    bool // no earlier traffic: the watch begins with the session
	}{
		{"a person's hourly token through five proxies", testConfig(), session(person, proxies), 1, false},
		{"through four", testConfig(), session(person, proxies[:4]), 0, false},
		{"a service's hourly token through five", testConfig(), session(with(func(s *shape) { s.principalType = auditattr.PrincipalService }), proxies), 0, false},
		{"a person's new long-lived key through five", testConfig(), session(with(func(s *shape) { s.lifetime = 90 * 24 * time.Hour }), proxies), 0, false},
		{"a person's token without expiry through five", testConfig(), session(with(func(s *shape) { s.lifetime = 0 }), proxies), 0, false},
		{"a person's token refused from five", testConfig(), session(with(func(s *shape) { s.outcome = auditattr.OutcomeFailure }), proxies), 0, false},
		{"a person's revoked token from five", testConfig(), session(with(func(s *shape) { s.violations = []string{auditattr.ViolationRevoked} }), proxies), 0, false},
		{"a phone on five /24s of its carrier's pool", testConfig(), session(person, carrier), 0, false},
		{"in the watch's first days", testConfig(), session(person, proxies), 0, true},
		{"person_networks 0", off, session(person, proxies), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			if !tt.cold {
				h.send(background...)
			}
			h.send(tt.session...)
			got := h.alertsOf(auditattr.FindingMultiAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "judged as one person's token")
			}
		})
	}
}

// TestMultiAddressThiefTeachesOwnerNothing: a thief's token that alerted
// does not teach its owner the networks it used short of the bar, so the
// owner's next stolen token is judged on the owner's own habit.
func TestMultiAddressThiefTeachesOwnerNothing(t *testing.T) {
	start := t0.Add(4 * 24 * time.Hour)
	proxies := []string{"24.0.194.92", "71.170.161.1", "99.34.215.153", "68.110.241.9", "108.2.222.252", "67.191.243.187"}
	use := func(tok string, at time.Time, issued time.Time, client string) item {
		return item{at: at, token: tok, principal: "dev-1", principalType: auditattr.PrincipalUser, resource: "GET /api/v1/pods",
			outcome: auditattr.OutcomeSuccess, client: client, tokenType: auditattr.TypeJWT, issuedAt: issued.Unix(), expiresAt: issued.Add(time.Hour).Unix()}
	}
	items := every("tok_other", "10.1.2.3", t0, time.Hour, 4*24) // the watch began days ago
	// The first theft: five proxies within minutes, then on, a network at a time.
	for i := range 100 {
		items = append(items, use("tok_stolen1", start.Add(time.Duration(i)*30*time.Second), start, proxies[min(i, 10)%5]))
	}
	// The owner's own hourly tokens from home for two days.
	for h := 1; h <= 48; h++ {
		issued := start.Add(time.Duration(h) * time.Hour)
		for i := range 20 {
			items = append(items, use(fmt.Sprintf("tok_dev_h%d", h), issued.Add(time.Duration(i)*3*time.Minute), issued, "88.0.226.179"))
		}
	}
	second := start.Add(50 * time.Hour)
	for i, c := range proxies {
		items = append(items, use("tok_stolen2", second.Add(time.Duration(i)*30*time.Second), second, c))
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	h := newHarness(t, testConfig())
	for b := range slices.Chunk(items, 1000) {
		h.send(b...)
	}
	var tokens []string
	for _, a := range h.alertsOf(auditattr.FindingMultiAddress) {
		v, _ := a.Attributes().Get(auditattr.TokenID)
		tokens = append(tokens, v.Str())
	}
	assert.Equal(t, []string{"tok_stolen1", "tok_stolen2"}, tokens)
}
