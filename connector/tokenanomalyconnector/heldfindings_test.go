package tokenanomalyconnector

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// holdConfig judges tok_a's networks after an hour and a half of habit.
func holdConfig() *Config {
	cfg := testConfig()
	cfg.Detectors.NewClientAddress.LearningPeriod = time.Hour
	cfg.Detectors.NewClientAddress.MinActiveHours = 1
	cfg.Detectors.NewClientAddress.Population.LearningPeriod = time.Hour
	cfg.Detectors.MultiAddress.LearningPeriod = time.Hour
	cfg.Detectors.NewClientAddress.Hold = 10 * time.Minute // off by default
	return cfg
}

// tokAHabit is tok_a's habit: 90 minutes on one network.
func tokAHabit() []item { return steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 90) }

// holdAt is when tok_a shows new networks.
var holdAt = t0.Add(3 * time.Hour)

// clock moves event time: another token's item, sent without settling.
func (h *harness) clock(at time.Time) {
	h.t.Helper()
	h.sendBatch(spans(steady("tok_clock", "198.51.100.200", "GET /a", at, time.Second, 1)...))
}

// callFrom is one call of tok_a from client, off minutes after holdAt.
func callFrom(client string, off time.Duration) item {
	return steady("tok_a", client, "GET /a", holdAt.Add(off), time.Second, 1)[0]
}

// TestNewClientAddressHeldAndFolded: a botnet's first rare network waits
// detectors.new_client_address.hold of event time; the next networks make
// it multi_address within the hold, whose alert carries it (one misuse,
// one alert), or it is raised once event time passes the hold.
func TestNewClientAddressHeldAndFolded(t *testing.T) {
	tests := []struct {
		name             string
		burst            []item
		address, multi   int
		multiNamesFolded bool
	}{
		{"second and third network within the hold", []item{callFrom("192.0.2.5", 0), callFrom("203.0.113.5", 2*time.Minute),
			callFrom("100.64.1.5", 4*time.Minute)}, 0, 1, true},
		{"next networks after the hold", []item{callFrom("192.0.2.5", 0), callFrom("203.0.113.5", 11*time.Minute),
			callFrom("100.64.1.5", 12*time.Minute), callFrom("100.65.1.5", 13*time.Minute)}, 1, 1, false},
		{"one new network", []item{callFrom("192.0.2.5", 0), callFrom("192.0.2.6", 2*time.Minute)}, 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, holdConfig())
			h.send(tokAHabit()...)
			h.sendBatch(spans(tt.burst...))
			h.clock(holdAt.Add(16 * time.Minute)) // the first network reaches the detectors: held
			assert.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "held")
			h.clock(holdAt.Add(30 * time.Minute))
			h.clock(holdAt.Add(50 * time.Minute)) // event time passes the hold
			assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), tt.address)
			multi := h.alertsOf(auditattr.FindingMultiAddress)
			require.Len(t, multi, tt.multi)
			if tt.multiNamesFolded {
				related := strs(multi[0], auditattr.FindingRelated)
				require.Len(t, related, 1)
				assert.Contains(t, related[0], auditattr.FindingNewClientAddress+":fnd_")
				assert.Contains(t, multi[0].Body().Str(), "192.0.2.0/24")
			}
			assert.Empty(t, h.model.holds.list)
		})
	}
}

// TestHeldFindingRaisedOnTheWallClock: when traffic stops, a held finding
// is raised once it waited the hold of wall-clock time, not before.
func TestHeldFindingRaisedOnTheWallClock(t *testing.T) {
	h := newHarness(t, holdConfig())
	h.send(tokAHabit()...)
	h.sendBatch(spans(callFrom("192.0.2.5", 0)))
	h.model.releaseAndSend(context.Background(), func() { h.model.release(math.MaxInt64) }) // fed, held
	require.Len(t, h.model.holds.list, 1)
	expire := func(after time.Duration) {
		h.model.releaseAndSend(context.Background(), func() { h.model.releaseExpired(time.Now().Add(after)) })
	}
	expire(time.Minute)
	assert.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "within the hold")
	expire(11 * time.Minute)
	assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), 1)
	assert.Empty(t, h.model.holds.list)
}

// TestHeldFindingSurvivesACrash: a finding held when the process dies is
// held again after the restart, whether a save saw it or only the outbox
// entries did, and is raised once; one raised before the crash is not
// raised again.
func TestHeldFindingSurvivesACrash(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(h *harness) // after the habit
		held   func(h *harness) // once the finding is held
		raised int              // before the crash
		after  int              // after the restart
	}{
		{name: "nothing saved", before: func(*harness) {}, held: func(*harness) {}, after: 1},
		{name: "saved before the new network", before: func(h *harness) { require.NoError(t, h.model.save(t.Context())) },
			held: func(*harness) {}, after: 1},
		{name: "saved while held", before: func(*harness) {}, held: func(h *harness) { require.NoError(t, h.model.save(t.Context())) },
			after: 1},
		// A findings-only save (past compactAfter sent batches) deletes the
		// outbox entries that held the finding: it must store it itself.
		{name: "findings saved while held, outbox compacted", before: func(h *harness) { require.NoError(t, h.model.save(t.Context())) },
			held: func(h *harness) { require.NoError(t, h.model.saveFindings(t.Context())) }, after: 1},
		{name: "findings saved while held, no full save yet", before: func(*harness) {},
			held: func(h *harness) { require.NoError(t, h.model.saveFindings(t.Context())) }, after: 1},
		{name: "raised before the crash", before: func(*harness) {}, held: func(h *harness) {
			h.clock(holdAt.Add(30 * time.Minute))
			h.clock(holdAt.Add(50 * time.Minute))
		}, raised: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := restartable(t, holdConfig)
			h := open()
			h.send(tokAHabit()...)
			tc.before(h)
			h.sendBatch(spans(callFrom("192.0.2.5", 0)))
			h.clock(holdAt.Add(16 * time.Minute))
			require.Len(t, h.model.holds.list, 1)
			tc.held(h)
			sent := h.alertsOf(auditattr.FindingNewClientAddress)
			require.Len(t, sent, tc.raised)
			h.crash()

			h2 := open()
			assert.Len(t, h2.model.holds.list, 1-tc.raised, "held again")
			h2.clock(holdAt.Add(30 * time.Minute))
			h2.clock(holdAt.Add(50 * time.Minute))
			h2.settle()
			// A sent alert may be sent again, byte for byte (audit_log keeps one).
			assert.Len(t, withoutResends(h2.alertsOf(auditattr.FindingNewClientAddress), sent), tc.after)
		})
	}
}

// TestHeldFindingsAreBounded: past maxHeldFindings the oldest held finding
// is raised early, counted as an eviction, never lost.
func TestHeldFindingsAreBounded(t *testing.T) {
	h := newHarness(t, holdConfig())
	m := h.model
	m.mu.Lock()
	for i := range maxHeldFindings + 1 {
		ev := &event{tokenID: "tok_many", at: t0.UnixMilli(), res: ownResource}
		f := newFinding(typeNewClientAddress, &m.det.newAddress, ev)
		f.discriminator = fmt.Sprintf("192.0.%d.%d/32", i/256, i%256)
		m.holdFinding(f, nil, 1, heldCohort{}, m.holdFor)
	}
	evicted := m.tel.evictedN[tableHeldFindings]
	held := len(m.holds.list)
	m.mu.Unlock()
	assert.Equal(t, int64(1), evicted)
	assert.Equal(t, maxHeldFindings, held)
	h.model.releaseAndSend(context.Background(), func() {}) // queue what the lock raised
	raised := h.alertsOf(auditattr.FindingNewClientAddress)
	require.Len(t, raised, 1)
	assert.Equal(t, findingID("tok_many", typeNewClientAddress, "192.0.0.0/32"), str(raised[0], auditattr.FindingID), "the oldest")
}

// TestHeldFindingsEncoding: held findings and resolved ids read back as
// written, alone or after held items in an outbox entry; a truncated
// encoding is an error, not a panic.
func TestHeldFindingsEncoding(t *testing.T) {
	h := &heldFinding{id: "fnd_1", key: 7, due: 42}
	h.f = finding{typ: typeNewClientAddress, sev: sevLow, at: 41, discriminator: "192.0.2.0/24", body: "b", tokenID: "tok_a",
		principal: "alice", client: "192.0.2.5", values: []string{"192.0.2.0/24"}, window: time.Hour, hasEvidence: true, learned: true}
	h.ev = event{tokenType: auditattr.TypeJWT, outcome: auditattr.OutcomeSuccess, res: ownResource}
	h.ev.traceID[0], h.ev.spanID[7] = 1, 2
	h.f.ev = &h.ev
	data := encodeHeldFindings([]*heldFinding{h}, []string{"fnd_0"})
	added, resolved, err := decodeHeldFindings(data)
	require.NoError(t, err)
	require.Len(t, added, 1)
	assert.Equal(t, []string{"fnd_0"}, resolved)
	got := added[0]
	assert.Equal(t, h.ev, got.ev)
	got.f.ev, h.f.ev = nil, nil
	assert.Equal(t, h.f, got.f)
	assert.Equal(t, [3]any{h.id, h.key, h.due}, [3]any{got.id, got.key, got.due})

	e := &outboxEntry{alerts: plog.NewLogs(), held: encodeCompact(heldBatch(3, 2, 1)), found: data}
	raw, err := encodeOutboxEntry(e)
	require.NoError(t, err)
	_, _, held, found, err := decodeOutboxEntry(raw)
	require.NoError(t, err)
	assert.Equal(t, e.held, held)
	assert.Equal(t, data, found)

	for n := range len(data) - 1 {
		_, _, err := decodeHeldFindings(data[:n])
		assert.Error(t, err, "truncated to %d bytes", n)
	}
}

// TestHeldFindingsLeaveByDueTime: a finding of an item fed out of order
// is due before those held earlier; equal due times keep the order held.
func TestHeldFindingsLeaveByDueTime(t *testing.T) {
	s := newHeldFindings()
	for _, h := range []*heldFinding{{id: "a", due: 30}, {id: "b", due: 10}, {id: "c", due: 20}, {id: "d", due: 20}} {
		s.add(h)
	}
	ids := func(hs []*heldFinding) (out []string) {
		for _, h := range hs {
			out = append(out, h.id)
		}
		return out
	}
	assert.Equal(t, []string{"b", "c", "d", "a"}, ids(s.list))
	assert.Equal(t, []string{"b", "c", "d"}, ids(s.takeDue(21)))
	assert.False(t, s.held("c"))
	assert.True(t, s.held("a"))
	assert.Equal(t, []string{"a"}, ids(s.list))
}
