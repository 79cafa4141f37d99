package tokenanomalyconnector

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestNewRouteAdoption: a release's route, first called by the org after
// days of watching, taken up by tenants six hours apart (no cohort holds
// two): once four other owners took it up, the next owners' first calls
// from their usual networks are adoption, not news. A thief calling it
// from a network new to the token still alerts, and a route the org
// called from the start is news to each token as before.
func TestNewRouteAdoption(t *testing.T) {
	release := t0.Add(4 * 24 * time.Hour)
	tenants := func(n int, route string, thiefFrom string, lead time.Duration, flags ...string) []item {
		var out []item
		for i := range n {
			tok, home := fmt.Sprintf("tok_tenant%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
			habit := steady(tok, home, "GET /orders", t0, 15*time.Minute, 6*24*4)
			from := home
			at := release.Add(time.Duration(i) * 6 * time.Hour)
			if i == n-1 && thiefFrom != "" {
				from = thiefFrom
				// The thief uses the token from its server lead before it
				// calls the route: it may wait out any window.
				habit = append(habit, steady(tok, from, "GET /orders", at.Add(-lead), 10*time.Minute, int(lead/(10*time.Minute)))...)
			}
			call := steady(tok, from, route, at, time.Minute, 3)
			if i == n-1 {
				for j := range call {
					call[j].violations = flags // the processor's verdict on the call
				}
			}
			out = append(out, withPrincipal(append(habit, call...), fmt.Sprintf("tenant-%d", i))...)
		}
		// The old route, called by another tenant from the start.
		out = append(out, withPrincipal(steady("tok_old", "198.51.100.99", "GET /v2/devices/{id}/diagnostics", t0, time.Hour, 24), "tenant-old")...)
		slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
		return out
	}
	tests := []adoptionCase{
		{"six tenants take up a new route", tenants(6, "POST /v1/ingest/{id}/events", "", 0), 4, 2},
		{"the sixth from a network new to it", tenants(6, "POST /v1/ingest/{id}/events", "192.0.2.77", 0), 5, 1},
		{"the sixth from a thief's server it used for five hours", tenants(6, "POST /v1/ingest/{id}/events", "192.0.2.77", 5*time.Hour), 5, 1},
		{"a route the org called from the start", tenants(6, "GET /v2/devices/{id}/diagnostics", "", 0), 6, 0},
		{"the sixth's call out of its scope: the policy's verdict is news", tenants(6, "POST /v1/ingest/{id}/events", "", 0, auditattr.ViolationScope), 5, 1},
	}
	runAdoptionCases(t, tests)
}

// TestAdoptedTogetherIsTheOrgsEvent: tenants take up the org's new
// route together, the sixth with its month-end pull, a surge; its first
// call is adoption in a cohort of owners within hours, which is the
// org's event, so the surge shares. Taken up over days, the sixth's
// surge is news.
func TestAdoptedTogetherIsTheOrgsEvent(t *testing.T) {
	release := t0.Add(4 * 24 * time.Hour)
	build := func(apart time.Duration) []item {
		var out []item
		for i := range 6 {
			tok, home := fmt.Sprintf("tok_tenant%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
			habit := steady(tok, home, "GET /orders", t0, 15*time.Minute, 6*24*4)
			at := release.Add(time.Duration(i) * apart)
			call := steady(tok, home, "GET /reports/monthly", at, time.Minute, 3)
			if i == 5 {
				call = steady(tok, home, "GET /reports/monthly", at, 2*time.Second, 90)
			}
			out = append(out, withPrincipal(append(habit, call...), fmt.Sprintf("tenant-%d", i))...)
		}
		slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
		return out
	}
	for _, tt := range []struct {
		name  string
		apart time.Duration
		want  int
	}{
		{"within hours", 20 * time.Minute, 0},
		{"over days", 6 * time.Hour, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.sendAndRaise(build(tt.apart))
			n := 0
			for _, a := range h.alertsOf(auditattr.FindingRateSurge) {
				if a.Attributes().AsRaw()[auditattr.TokenID] == "tok_tenant5" {
					n++
				}
			}
			assert.Equal(t, tt.want, n, "tok_tenant5's rate_surge alerts")
		})
	}
}

// TestNewRouteAdoptionByHourlyTokens: people whose access tokens live an
// hour take up a release's route six hours apart, each with a new token
// from home: every token is younger than the cohort's window, but its
// owner has a history on that network, so once four other owners took
// the route up the next owners' first calls are adoption, as a settled
// token's are (TestNewRouteAdoption). Each holds its own grant, so no
// peer group makes the route common. The sixth's call is no adoption from
// a network its owner never used: a near one, one a thief used the
// owner's hourly tokens from for hours before (only the owner's first
// hours and its older tokens teach it networks), one after the token was
// first used at home.
func TestNewRouteAdoptionByHourlyTokens(t *testing.T) {
	release := t0.Add(4 * 24 * time.Hour)
	type sixth struct {
		from       string
		thiefHours int  // hours of the owner's hourly tokens from `from` before its call
		homeFirst  bool // its token calls once from home first
	}
	people := func(n int, last sixth) []item {
		var out []item
		for i := range n {
			who, home := fmt.Sprintf("person%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
			hourly := func(tok, from, resource string, at time.Time, calls int) {
				for _, it := range hourlyToken(who, tok, from, resource, at, calls) {
					it.principalType, it.scopes = auditattr.PrincipalUser, []string{fmt.Sprintf("grant%d", i)}
					out = append(out, it)
				}
			}
			for d := range 4 {
				for h := 8; h < 18; h++ {
					at := t0.Add(time.Duration(d)*24*time.Hour + time.Duration(h-9)*time.Hour)
					hourly(fmt.Sprintf("tok_%s_%d_%d", who, d, h), home, "GET /orders", at, 3)
				}
			}
			at, from := release.Add(time.Duration(i)*6*time.Hour), home
			if i == n-1 && last.from != "" {
				from = last.from
				for h := range last.thiefHours {
					hourly(fmt.Sprintf("tok_%s_thief%d", who, h), from, "GET /orders", at.Add(time.Duration(h-last.thiefHours)*time.Hour), 3)
				}
				if last.homeFirst {
					hourly("tok_"+who+"_release", home, "GET /orders", at.Add(-time.Minute), 1)
				}
			}
			hourly("tok_"+who+"_release", from, "POST /v1/exports", at, 3)
		}
		slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
		return out
	}
	runAdoptionCases(t, []adoptionCase{
		{"six people take up a new route", people(6, sixth{}), 4, 2},
		{"the sixth from a network its owner never used", people(6, sixth{from: "198.51.7.7"}), 5, 1},
		{"the sixth from a thief's server used for hours", people(6, sixth{from: "45.20.3.7", thiefHours: 9}), 5, 1},
		{"the sixth at home first, then elsewhere", people(6, sixth{from: "198.51.7.7", homeFirst: true}), 5, 1},
	})
}

// adoptionCase is a replay and the new_resource alerts it raises and
// findings it shares.
type adoptionCase struct {
	name         string
	items        []item
	want, shared int
}

func runAdoptionCases(t *testing.T, tests []adoptionCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
			h.sendAndRaise(tt.items)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
			if tt.shared > 0 {
				assert.Equal(t, int64(tt.shared), sharedOf(t, tel, auditattr.FindingNewResource))
			}
		})
	}
}

// TestOwnerNetworksNotRelearnedAfterEviction: an owner with a history that
// the owners' table (max_tokens 60) evicts is not new again: a thief who
// then uses its hourly tokens from a server for hours, supplying the
// owner's active hours anew, does not make the server the owner's.
func TestOwnerNetworksNotRelearnedAfterEviction(t *testing.T) {
	cfg := testConfig()
	cfg.MaxTokens = 60
	h := newHarness(t, cfg)
	hourly := func(who, tok, from string, at time.Time) []item {
		return hourlyToken(who, tok, from, "GET /orders", at, 3)
	}
	var history []item
	for hr := range 10 {
		history = append(history, hourly("alice", fmt.Sprintf("tok_alice_%d", hr), "198.51.100.10", t0.Add(time.Duration(hr)*time.Hour))...)
	}
	h.send(history...)
	var crowd []item
	for e := range 100 {
		crowd = append(crowd, hourly(fmt.Sprintf("other%d", e), fmt.Sprintf("tok_other%d", e), "203.0.113.5", t0.Add(11*time.Hour+time.Duration(e)*time.Second))...)
	}
	h.send(crowd...)
	owner := ownerKey("alice")
	h.model.mu.Lock()
	evicted := h.model.principalRates.get(owner) == nil
	h.model.mu.Unlock()
	require.True(t, evicted, "alice's history was evicted")
	var thief []item
	for hr := range 10 {
		thief = append(thief, hourly("alice", fmt.Sprintf("tok_thief_%d", hr), "45.20.3.7", t0.Add(12*time.Hour+time.Duration(hr)*time.Hour))...)
	}
	h.send(thief...)
	c := &cfg.Detectors.NewClientAddress
	server := hashNetwork(seedOwnerNet, owner, network(netip.MustParseAddr("45.20.3.7"), c.IPv4Prefix, c.IPv6Prefix))
	home := hashNetwork(seedOwnerNet, owner, network(netip.MustParseAddr("198.51.100.10"), c.IPv4Prefix, c.IPv6Prefix))
	h.model.mu.Lock()
	defer h.model.mu.Unlock()
	assert.True(t, h.model.novelty.has(home), "alice's first hours taught her home network")
	assert.False(t, h.model.novelty.has(server), "the thief's hours after the eviction taught its server")
}

// hourlyToken is calls calls of resource, one a minute from at, by who's
// token tok issued at at for an hour, from from.
func hourlyToken(who, tok, from, resource string, at time.Time, calls int) []item {
	items := steady(tok, from, resource, at, time.Minute, calls)
	for i := range items {
		items[i].principal, items[i].issuedAt, items[i].expiresAt = who, at.Unix(), at.Add(time.Hour).Unix()
	}
	return items
}
