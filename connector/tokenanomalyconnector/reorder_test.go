package tokenanomalyconnector

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// misuse returns misuse for hour h of a population: one case of each
// stateful finding, and the habit of the token it is injected on.
func misuse(p *population, h int) []item {
	at := p.start.Add(time.Duration(h) * time.Hour)
	var out []item
	add := func(it item) { out = append(out, it) }
	// Misuse begins on the second day, once the tokens are learned.
	switch hod := h % 24; {
	case h < 24:
	case hod == 13: // failed_attempts
		for i := range 15 {
			add(item{at: at.Add(time.Duration(i) * 10 * time.Second), token: "tok_guess", principal: "mallory",
				resource: "GET /orders/r0", outcome: auditattr.OutcomeFailure, client: "198.51.100.7"})
		}
	case hod == 14: // credential_stuffing from one address
		for i := range 8 {
			add(item{at: at.Add(time.Duration(i) * 20 * time.Second), token: fmt.Sprintf("tok_stuffed_%d_%d", h, i),
				principal: fmt.Sprintf("victim%d", i), resource: "GET /users/r0", outcome: auditattr.OutcomeFailure,
				client: "203.0.113.9"})
		}
	case hod == 15: // rate_surge, multi_address, new_client_address, new_resource on a settled token
		for i := range 400 {
			add(item{at: at.Add(time.Duration(i) * 300 * time.Millisecond), token: "tok_victim", principal: "victim",
				resource: "GET /orders/r0", outcome: auditattr.OutcomeSuccess, client: fmt.Sprintf("100.%d.%d.1", 64+i%6, h)})
		}
		for i := range newResourceCalls() { // a session on a new resource (new_resource.min_requests)
			add(item{at: at.Add(3*time.Minute + time.Duration(i)*time.Minute), token: "tok_victim", principal: "victim",
				resource: "DELETE /admin/all", outcome: auditattr.OutcomeSuccess, client: "192.0.2.10"})
		}
	}
	// The victim's own habit: a few calls an hour from one address.
	for i := range 3 {
		add(item{at: at.Add(time.Duration(i)*20*time.Minute + 7*time.Minute), token: "tok_victim", principal: "victim",
			resource: "GET /orders/r0", outcome: auditattr.OutcomeSuccess, client: "192.0.2.10"})
	}
	return out
}

// replay feeds hours [from, to) of a population, with misuse, in one shape.
func replay(h *harness, p *population, s shape, from, to int) {
	r := rand.New(rand.NewPCG(uint64(s.size), 3))
	for hr := from; hr < to; hr++ {
		items := append(p.hour(hr), misuse(p, hr)...)
		slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
		for _, req := range s.cut(items, r) {
			h.sendBatch(request(req))
		}
	}
	h.settle()
}

// TestFindingsIndependentOfRequestShape replays the same traffic (three
// days of 300 tokens with misuse) in requests of 10, of 500, and shuffled
// across services within two-minute windows: the findings are the same.
func TestFindingsIndependentOfRequestShape(t *testing.T) {
	p := newPopulation(1, 300)
	hours := 3 * 24
	if testing.Short() {
		hours = 2 * 24
	}
	shapes := []shape{
		{name: "requests of 10", size: 10},
		{name: "requests of 500", size: 500},
		{name: "shuffled across services", size: 200, shuffle: 2 * time.Minute},
	}
	var want []alertKey
	cfg := testConfig()
	// Two or three days of traffic: judge networks against the population after one.
	cfg.Detectors.NewClientAddress.Population.LearningPeriod = 24 * time.Hour
	for i, s := range shapes {
		h := newHarness(t, cfg)
		replay(h, p, s, 0, hours)
		got := alertKeys(h)
		byType := countByType(got)
		t.Logf("%s: %v", s.name, byType)
		if i == 0 {
			want = got
			for _, typ := range []string{typeFailedAttempts, typeCredentialStuffing, typeRateSurge, typeMultiAddress,
				typeNewClientAddress, typeNewResource} {
				assert.Positive(t, byType[typ], "%s is raised", typ)
			}
			// The victim's first new network is raised at once (no hold by default).
			victim := 0
			for _, a := range h.alertsOf(typeNewClientAddress) {
				if str(a, auditattr.TokenID) == "tok_victim" {
					victim++
				}
			}
			assert.Equal(t, 1, victim, "the victim's first new network is a new_client_address")
			continue
		}
		assert.Equal(t, want, got, "findings of %s differ from %s", s.name, shapes[0].name)
	}
}

// TestReorderBufferBounded: a full buffer feeds its oldest items early (a
// run of them) and counts them as evictions of table "reorder"; nothing
// is lost.
func TestReorderBufferBounded(t *testing.T) {
	cfg := testConfig()
	cfg.MaxReorderItems = 10
	h := newHarness(t, cfg)
	var items []item
	for i := range 25 {
		items = append(items, item{at: t0.Add(time.Duration(i) * time.Second), token: "tok_a", outcome: auditattr.OutcomeSuccess})
	}
	h.sendBatch(spans(items...))
	assert.LessOrEqual(t, h.model.held.len(), 10)
	assert.GreaterOrEqual(t, h.model.releasedAt, t0.Add(14*time.Second).UnixMilli(), "at least the 15 oldest were fed early")
	h.settle()
	assert.Zero(t, h.model.held.len())
}

// TestHeldItemsReleasedByWallClock: live traffic's (or stopped traffic's)
// held items reach the stateful detectors within max_reorder_wait of
// wall-clock time.
func TestHeldItemsReleasedByWallClock(t *testing.T) {
	cfg := testConfig()
	cfg.MaxReorderWait = 500 * time.Millisecond
	cfg.Detectors.FailedAttempts.Threshold = 3
	h := newHarness(t, cfg)
	sent := time.Now()
	h.sendBatch(spans(failure("tok_a", "198.51.100.1", t0), failure("tok_a", "198.51.100.1", t0.Add(time.Second)),
		failure("tok_a", "198.51.100.1", t0.Add(2*time.Second))))
	if time.Since(sent) < 100*time.Millisecond { // not on a stalled machine
		require.Empty(t, h.alertsOf(typeFailedAttempts), "held for earlier items")
	}
	require.Eventually(t, func() bool { return len(h.alertsOf(typeFailedAttempts)) == 1 }, 2*time.Second, 5*time.Millisecond)
	assert.Less(t, time.Since(sent), 2*time.Second)
}

// TestStatelessVerdictNotHeld: a verdict alerts with its own request even
// while the item waits in the reorder buffer.
func TestStatelessVerdictNotHeld(t *testing.T) {
	h := newHarness(t, testConfig())
	h.sendBatch(spans(item{at: t0, token: "tok_a", violations: []string{auditattr.ViolationRevoked}}))
	assert.Len(t, h.alertsOf(auditattr.ViolationRevoked), 1)
	assert.Equal(t, 1, h.model.held.len())
	require.NoError(t, h.traces[0].ConsumeTraces(context.Background(), spans()))
}

// TestHeldStringsShareSlabs: holding items copies their strings into
// shared slabs, not one allocation per item, and a held item's strings
// stay intact while later items fill the slab and the next ones.
func TestHeldStringsShareSlabs(t *testing.T) {
	r := newReorder(4096)
	mk := func(i int) event {
		return event{at: int64(i), tokenID: fmt.Sprintf("tok_%032x", i), principal: fmt.Sprintf("user-%d", i),
			resource: "GET /orders/{id}", client: fmt.Sprintf("10.0.%d.%d", i>>8&255, i&255), outcome: auditattr.OutcomeSuccess}
	}
	const n = 1000
	evs := make([]event, n)
	for i := range evs {
		evs[i] = mk(i)
	}
	// Warm the buffer's slices, so that only the strings allocate.
	for i := range evs {
		r.hold(&evs[i], time.Time{})
	}
	for r.len() > 0 {
		r.pop()
	}
	allocs := testing.AllocsPerRun(5, func() {
		for i := range evs {
			r.hold(&evs[i], time.Time{})
		}
		for r.len() > 0 {
			r.pop()
		}
	})
	assert.Less(t, allocs, float64(n/50), "at most one allocation per 50 held items")

	for i := range evs {
		r.hold(&evs[i], time.Time{})
	}
	for i := range n {
		got, want := r.pop(), mk(i)
		require.Equal(t, []string{want.tokenID, want.principal, want.resource, want.client},
			[]string{got.tokenID, got.principal, got.resource, got.client})
	}
}
