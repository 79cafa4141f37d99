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

// reissued is principal's traffic over hours from start with a new
// token every hour (an OAuth 2.0 access token's lifetime): replicas
// tokens at a time, each making perMinute calls a minute, or, when
// perMinute is 0, one call every three minutes (a user's 20 an hour).
func reissued(principal string, start time.Time, hours, replicas, perMinute int) []item {
	step := 3 * time.Minute
	if perMinute > 0 {
		step = time.Minute / time.Duration(perMinute)
	}
	var items []item
	for h := range hours {
		for r := range replicas {
			tok := fmt.Sprintf("tok_%s_%d_h%d", principal, r, h)
			from := start.Add(time.Duration(h)*time.Hour + time.Duration(r)*time.Second)
			for i := range int(time.Hour / step) {
				items = append(items, item{at: from.Add(time.Duration(i) * step), token: tok, principal: principal,
					resource: "GET /orders/r0", outcome: auditattr.OutcomeSuccess, client: "198.51.100.7",
					issuedAt: from.Unix(), expiresAt: from.Add(time.Hour).Unix()})
			}
		}
	}
	return items
}

// scrape is n calls, perMinute a minute, by a new token of principal from
// at, issued then for life (0: no expiry, an API key).
func scrape(principal string, at time.Time, n, perMinute int, life time.Duration) []item {
	var items []item
	for i := range n {
		it := item{at: at.Add(time.Duration(i) * time.Minute / time.Duration(perMinute)), token: "tok_" + principal + "_new", principal: principal,
			resource: "GET /orders/r0", outcome: auditattr.OutcomeSuccess, client: "198.51.100.7"}
		if life > 0 {
			it.issuedAt, it.expiresAt = at.Unix(), at.Add(life).Unix()
		}
		items = append(items, it)
	}
	return items
}

// TestRateSurgeYoungTokenAgainstOwner: a token too young for a baseline
// of its own is judged on its owner's, learned from all the owner's
// tokens one token at a time: a user whose hourly tokens make 20 calls an
// hour alerts when a new token scrapes 240 in four minutes, or 200 in
// twenty at ten a minute (the hour scale, against the busiest hour of any
// of the owner's tokens), but not at 50 in an hour; so does a patient who
// opens the app a few times a week (too few active hours to judge its
// minutes) at 200 in 20 minutes, far beyond its sessions, not at 60; a service
// whose hourly re-issued replicas make 10 a minute each does not when it
// runs twice the replicas at the same rate, and does at 10×; a principal
// with no baseline yet is not judged, nor a long-lived token, which will
// learn its own rate.
func TestRateSurgeYoungTokenAgainstOwner(t *testing.T) {
	day := t0.Add(-time.Hour) // 09:00
	habit := append(reissued("alice", day, 9, 1, 0), reissued("svc", day, 9, 4, 10)...)
	// A patient who opens the app three times in two days, five calls a
	// session with a new hourly token: three active hours, a sparse owner.
	for i, at := range []time.Duration{0, 9 * time.Hour, 25 * time.Hour} {
		s := scrape("pat", day.Add(-24*time.Hour+at), 5, 2, time.Hour)
		for j := range s {
			s[j].token = fmt.Sprintf("tok_pat_%d", i)
		}
		habit = append(habit, s...)
	}
	then := day.Add(24 * time.Hour)
	tests := []rateCase{
		{"user's new token at its usual rate", reissued("alice", then, 1, 1, 0), 0},
		{"user's new token scrapes 240 in 4 minutes", scrape("alice", then, 240, 60, time.Hour), 1},
		{"user's new token scrapes 200 in 20 minutes, under the minute floor", scrape("alice", then, 200, 10, time.Hour), 1},
		{"user's new token scrapes 200 in 20 minutes across the hour", scrape("alice", then.Add(45*time.Minute), 200, 10, time.Hour), 1},
		{"user's new token makes 50 calls in an hour, far under 10x its owner's hours", scrape("alice", then, 50, 1, time.Hour), 0},
		{"a sparse owner's new token scrapes 200 in 20 minutes", scrape("pat", then, 200, 10, time.Hour), 1},
		{"a sparse owner's new token makes 60 calls in 20 minutes", scrape("pat", then, 60, 3, time.Hour), 0},
		{"service with twice the replicas, each at its usual rate", reissued("svc", then, 2, 8, 10), 0},
		{"service's new replica at 10x", scrape("svc", then, 300, 100, time.Hour), 1},
		{"user's new 12h token scrapes 240 in 4 minutes", scrape("alice", then, 240, 60, 12*time.Hour), 1},
		{"user's new API key (no expiry) makes 240 calls in 4 minutes", scrape("alice", then, 240, 60, 0), 0},
		{"user's new 30-day token makes 240 calls in 4 minutes", scrape("alice", then, 240, 60, 30*24*time.Hour), 0},
		{"new principal scrapes 240 in 4 minutes", scrape("bob", then, 240, 60, time.Hour), 0},
	}
	for i := range tests {
		slices.SortStableFunc(tests[i].extra, func(a, b item) int { return a.at.Compare(b.at) })
	}
	slices.SortStableFunc(habit, func(a, b item) int { return a.at.Compare(b.at) })
	runRateCases(t, habit, tests)
}

// TestRestartKeepsOwnerRates: the owners' rate baselines are saved, so a
// user's token issued after a restart is judged at once, and bounded by
// max_tokens with evictions counted.
func TestRestartKeepsOwnerRates(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	cfg.Detectors.RateSurge.MinActiveHours = 6
	h := newHarnessWithHost(t, cfg, host)
	habit := reissued("alice", t0.Add(-time.Hour), 9, 1, 0)
	h.send(habit...)
	key := hashString(seedOwner, "alice")
	before := *h.model.principalRates.get(key)
	h.stop()

	cfg2, host2 := storageConfig(dir)
	cfg2.Detectors.RateSurge.MinActiveHours = 6
	h2 := newHarnessWithHost(t, cfg2, host2)
	after := h2.model.principalRates.get(key)
	require.NotNil(t, after, "the owner's baseline was loaded")
	assert.Equal(t, before, *after)
	h2.send(scrape("alice", t0.Add(24*time.Hour), 240, 60, time.Hour)...)
	assert.Len(t, h2.alertsOf(auditattr.FindingRateSurge), 1)
}

func TestOwnerRatesBounded(t *testing.T) {
	cfg := testConfig()
	cfg.MaxTokens = 64
	h := newHarness(t, cfg)
	var items []item
	for i := range 200 {
		items = append(items, item{at: t0.Add(time.Duration(i) * time.Second), token: fmt.Sprintf("tok_%d", i),
			principal: fmt.Sprintf("p%d", i), resource: "GET /a", outcome: auditattr.OutcomeSuccess})
	}
	h.send(items...)
	assert.LessOrEqual(t, h.model.principalRates.len(), 64)
}

// poll is a new hourly token of principal that calls n accounts within a
// minute from at and is never used again (an aggregator's scheduled poll).
func poll(principal string, at time.Time, n int) []item {
	items := scrape(principal, at, n, n, time.Hour)
	for i := range items {
		items[i].token = fmt.Sprintf("tok_%s_poll_%d", principal, at.Unix())
	}
	return items
}

// TestRateSurgeOwnersBurstHabit: an owner's habit is learned from every
// one of its tokens' minutes, a token's last one included, so the
// aggregator whose hourly tokens each poll 160 accounts in a minute and
// are never used again does not alert at every poll (the ninth outside
// evaluation: 258 false alerts in ten days, its owners' peak stuck at
// 1–3); a harvest far beyond its polls still alerts. A poll the owner had
// not shown before it was judged is a surge, learned when it recurs: it
// alerts twice, not at every run. An attack that does not recur never
// raises the bar (surges within the hour are one episode), nor does a
// young API key's burst once the owner is learned.
func TestRateSurgeOwnersBurstHabit(t *testing.T) {
	day := t0.Add(-time.Hour) // 09:00
	sparse := reissued("tpp", day, 9, 1, 0)
	habit := slices.Clone(sparse)
	for h := 0; h < 9; h += 3 {
		habit = append(habit, poll("tpp", day.Add(time.Duration(h)*time.Hour+30*time.Minute), 160)...)
	}
	slices.SortStableFunc(habit, func(a, b item) int { return a.at.Compare(b.at) })
	then := day.Add(24 * time.Hour)
	runRateCases(t, habit, []rateCase{
		{"a poll of the usual size", poll("tpp", then, 160), 0},
		{"a poll a little larger", poll("tpp", then, 300), 0},
		{"a harvest of 2,000 accounts in a minute", poll("tpp", then, 2000), 1},
	})

	count := func(h *harness) int { return len(h.alertsOf(auditattr.FindingRateSurge)) }
	t.Run("a poll first seen once judged alerts until it recurs", func(t *testing.T) {
		h := newHarness(t, testConfig())
		h.send(sparse...)
		for i := range 4 {
			h.send(poll("tpp", then.Add(time.Duration(3*i)*time.Hour), 160)...)
			h.send(reissued("tpp", then.Add(time.Duration(3*i)*time.Hour+time.Minute), 1, 1, 0)...)
		}
		assert.Equal(t, 2, count(h))
	})
	t.Run("an attack's surges do not raise the bar", func(t *testing.T) {
		h := newHarness(t, testConfig())
		h.send(habit...)
		h.send(poll("tpp", then, 2000)...)
		h.send(poll("tpp", then.Add(10*time.Minute), 2000)...)
		h.send(poll("tpp", then.Add(59*time.Minute), 20000)...)
		h.send(reissued("tpp", then.Add(61*time.Minute), 1, 1, 0)[:1]...)
		h.send(poll("tpp", then.Add(63*time.Minute), 15000)...)
		assert.Equal(t, 4, count(h))
	})
	t.Run("a young API key's burst once the owner is learned", func(t *testing.T) {
		h := newHarness(t, testConfig())
		h.send(reissued("alice", day, 9, 1, 0)...)
		key := scrape("alice", then, 60, 60, 0) // a new API key, one busy minute
		for i := range key {
			key[i].token = "tok_alice_key"
		}
		h.send(key...)
		h.send(reissued("alice", then.Add(5*time.Minute), 1, 1, 0)[:1]...)
		h.send(scrape("alice", then.Add(10*time.Minute), 240, 60, time.Hour)...)
		assert.Equal(t, 1, count(h), "the user's new access token scraping is judged on her own minutes")
	})
}
