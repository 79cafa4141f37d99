package tokenanomalyconnector

import (
	"fmt"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestSaveSeesOneInstant: ingest changes tokens the save has not reached,
// tokens it has, and evicts tokens for new ones between two slices of a
// save; the saved tokens are exactly those of the instant the save began.
func TestSaveSeesOneInstant(t *testing.T) {
	const tokens = 3 * saveSlice / 2
	cfg := testConfig()
	cfg.MaxTokens = tokens
	h := newHarness(t, cfg)
	for first := 0; first < tokens; first += 1000 {
		h.sendBatch(auditedBatch(first, tokens, t0))
	}
	h.settle()
	m := h.model
	require.Equal(t, tokens, m.tokens.len())
	want := map[uint64]tokenState{}
	m.tokens.each(func(k uint64, s *tokenState) bool { want[k] = *s; return true })

	m.mu.Lock()
	snap := newTokenSnapshot(m.tokens.len(), snapshotBits(m.tokens.max))
	m.saving = snap
	require.False(t, snap.step(m.tokens), "one slice does not hold the table")
	m.mu.Unlock()

	// Tokens on both sides of the save's progress, and 1,000 new tokens
	// that evict old ones.
	later := t0.Add(time.Hour)
	h.sendBatch(auditedBatch(0, tokens, later))
	h.sendBatch(auditedBatch(tokens-1000, tokens, later))
	h.sendBatch(auditedBatch(tokens, 2*tokens, later))
	h.settle()
	require.Positive(t, h.model.met.evictedTokens)

	m.inSlices(func() bool {
		if !snap.step(m.tokens) {
			return false
		}
		m.saving = nil
		return true
	})
	snap.out.close()
	got := newTable(2*tokens, tokenAge)
	for _, c := range snap.out.chunks {
		require.NoError(t, decodeTokens(c, got, stateVersion))
	}
	require.Equal(t, len(want), got.len())
	got.each(func(k uint64, s *tokenState) bool {
		w, ok := want[k]
		if assert.True(t, ok, "token %x was not in the table when the save began", k) {
			// Not saved: the rarer state's index and the memos of the filters.
			w.extra, w.addrMemo, w.resMemo = 0, pairMemo{}, pairMemo{}
			assert.Equal(t, w, *s)
		}
		return true
	})
}

// TestSaveAndFlushDuringIngest runs saves and flushes while batches are
// read, evicting tokens (run it with -race): the slices, the copy on
// write and the counters' copy share nothing unguarded.
func TestSaveAndFlushDuringIngest(t *testing.T) {
	cfg := testConfig()
	id := storagetest.NewStorageID("anomaly")
	cfg.Storage = &id
	cfg.MaxTokens = 3 * saveSlice / 2
	host := storagetest.NewStorageHost().WithInMemoryStorageExtension("anomaly")
	h := newHarnessWithHost(t, cfg, host)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			assert.NoError(t, h.model.save(t.Context()))
			h.model.flush(t.Context())
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			require.NoError(t, h.model.save(t.Context()))
			require.NotEmpty(t, h.metrics.AllMetrics())
			return
		default:
		}
		h.sendBatch(auditedBatch(i*1000, 4*cfg.MaxTokens, t0.Add(time.Duration(i)*time.Second)))
	}
}

// TestChunkBufferHoldsAWholeChunk: a chunk's buffer, sized by
// tokenRecordBytes, takes tokensPerChunk records without growing (a
// growing buffer is a copy of megabytes under the model's lock).
func TestChunkBufferHoldsAWholeChunk(t *testing.T) {
	s := tokenState{firstSeen: 1, rateLongCounts: [rateSlots]uint16{1, 2, 3, 4}, addrNovel: 1}
	var one enc
	encodeToken(&one, 1, &s)
	require.Len(t, one.b, tokenRecordBytes, "tokenRecordBytes is the size of an encoded token")

	w := chunkWriter{spare: newChunk()}
	buf := &w.spare[:1][0]
	for i := range tokensPerChunk - 1 {
		w.add(uint64(i), &s)
	}
	require.Same(t, buf, &w.cur.b[:1][0], "the chunk's buffer was reallocated")
	w.add(tokensPerChunk, &s)
	require.Len(t, w.chunks, 1)
	require.Same(t, buf, &w.chunks[0][0])
	require.Len(t, w.chunks[0], 4+tokensPerChunk*tokenRecordBytes)
}

// TestSavedHeldItemsAreThoseOfTheSaveInstant: a save copies the reorder
// buffer under the lock and encodes it after; items released and new
// items held in between (reusing the buffer's positions) change nothing
// in what it writes, which is the encoding of each item held at
// the save's instant, in the buffer's order.
func TestSavedHeldItemsAreThoseOfTheSaveInstant(t *testing.T) {
	batch := func(prefix string, from time.Time, n int) ptrace.Traces {
		items := make([]item, n)
		for i := range items {
			items[i] = item{at: from.Add(time.Duration(n-i) * time.Second), token: fmt.Sprintf("%s_tok_%d", prefix, i%7),
				principal: prefix + "_alice", resource: fmt.Sprintf("GET /%s/%d", prefix, i), outcome: auditattr.OutcomeFailure,
				client: "198.51.100.7", tokenType: auditattr.TypeJWT, issuedAt: int64(i), expiresAt: int64(1000 + i), trace: byte(i)}
			if i%3 == 0 {
				items[i].issuer, items[i].verified = "https://idp.example/"+prefix, true
			}
		}
		return spans(items...)
	}
	h := newHarness(t, testConfig())
	h.sendBatch(batch("first", t0, 50))
	m := h.model
	m.mu.Lock()
	require.Equal(t, 50, m.held.len())
	var w heldWriter
	for _, r := range m.held.heap {
		w.add(&m.held.items[r.pos])
	}
	want := w.take()
	require.Contains(t, string(want), "https://idp.example/first", "held items keep their verified issuer")
	copied := m.copyHeld(nil)
	m.mu.Unlock()

	h.settle()
	h.sendBatch(batch("second", t0.Add(time.Hour), 60))
	require.Equal(t, 60, m.held.len(), "the first items left, new ones took their positions")
	assert.Equal(t, want, encodeHeldItems(copied))
}

// TestPopulationCopiedInSlices: a save copies the population sketch
// (8 B per max_tokens) at most popSlice counters of each generation per
// hold of the lock, never whole, and the copy is the sketch.
func TestPopulationCopiedInSlices(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
		holds int
	}{
		{"smaller than a slice", 4096, 1},
		{"one slice", popSlice / prevalenceRows, 1},
		{"slices and a rest", 3*popSlice/prevalenceRows + 7, 4},
		{"a million tokens", 1_000_000, (2_000_000 + popSlice - 1) / popSlice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newPrevalence(tc.width)
			for i := range src.current {
				src.current[i], src.previous[i] = uint16(i), uint16(i>>3)
			}
			cur, prev := make([]uint16, len(src.current)), make([]uint16, len(src.current))
			holds := 0
			for off := 0; off < len(cur); holds++ {
				n := copyCounters(cur, prev, src, off)
				require.Positive(t, n)
				require.LessOrEqual(t, n, popSlice, "one hold copies at most popSlice counters")
				off += n
			}
			assert.Equal(t, tc.holds, holds)
			assert.Equal(t, src.current, cur)
			assert.Equal(t, src.previous, prev)
		})
	}
}

// TestSnapshotAllocatesNothingForTheTableUnderTheLock: the save's bit set
// is allocated before the lock, sized by max_tokens; what the save makes
// under the lock is one small struct, whatever the table's size, and the
// bit set covers every entry.
func TestSnapshotAllocatesNothingForTheTableUnderTheLock(t *testing.T) {
	const maxTokens = 1_000_000
	bits := snapshotBits(maxTokens)
	for _, size := range []int{0, 1, 64, 65, maxTokens} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			var s *tokenSnapshot
			allocs := testing.AllocsPerRun(20, func() { s = newTokenSnapshot(size, bits) })
			assert.LessOrEqual(t, allocs, 1.0, "allocations under the lock")
			require.GreaterOrEqual(t, 64*len(s.early), size)
			if size > 0 {
				s.preserve(int32(size-1), 1, &tokenState{})
				assert.Equal(t, 1, s.out.n, "the last entry is preserved")
				s.out = chunkWriter{} // the next run starts a chunk again
			}
		})
	}
}
