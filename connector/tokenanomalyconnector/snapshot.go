package tokenanomalyconnector

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// saveSlice is how many table entries a save encodes, or a flush counts,
// per hold of the model's lock: about a millisecond of work, so that no
// ingest call waits longer for a save or a flush at a million tokens.
const saveSlice = 2048

// tokenSnapshot is a save in progress: the token table as it was when the
// save began, encoded a slice at a time between ingest calls. Before
// ingest changes an entry the save has not reached yet, it encodes the
// entry's old value (copy on write, see preserve), so the saved table is
// that of one instant however long the save takes.
type tokenSnapshot struct {
	size  int32    // entries below size were in the table when the save began
	next  int32    // entries below next are encoded
	early []uint64 // one bit per entry at or past next already encoded by preserve
	out   chunkWriter
}

// newTokenSnapshot is the save of a table of size entries; early is a
// zeroed bit set of at least size bits (see snapshotBits).
func newTokenSnapshot(size int, early []uint64) *tokenSnapshot {
	return &tokenSnapshot{size: int32(size), early: early[:(size+63)/64]}
}

// snapshotBits is the bit set of a save of a table of up to n entries,
// allocated before the lock: none of the save's allocations proportional
// to the table happens under it.
func snapshotBits(n int) []uint64 { return make([]uint64, (n+63)/64) }

// preserve encodes the entry at pos as it is (key and value) before it
// changes, unless the save has encoded it already or it came after the
// save began. Call it under the model's lock.
func (s *tokenSnapshot) preserve(pos int32, key uint64, v *tokenState) {
	if pos < s.next || pos >= s.size {
		return
	}
	w, bit := pos/64, uint64(1)<<(pos%64)
	if s.early[w]&bit != 0 {
		return
	}
	s.early[w] |= bit
	s.out.add(key, v)
}

// step encodes up to saveSlice more entries of t; it reports whether every
// entry of the snapshot is encoded. Call it under the model's lock.
func (s *tokenSnapshot) step(t *table[tokenState]) bool {
	end := min(s.size, s.next+saveSlice)
	for ; s.next < end; s.next++ {
		if s.early[s.next/64]&(1<<(s.next%64)) != 0 {
			continue
		}
		s.out.add(t.keys[s.next], t.at(s.next))
	}
	return s.next == s.size
}

// chunkWriter cuts encoded tokens into storage values of tokensPerChunk
// records, each led by its record count.
type chunkWriter struct {
	cur    enc
	n      int
	chunks [][]byte
	spare  []byte // the next chunk's buffer, allocated outside the lock
}

// newChunk is a chunk's buffer: large, so allocated (and its pages
// faulted in) outside the lock.
func newChunk() []byte { return prefaulted(make([]byte, 4, 4+tokensPerChunk*tokenRecordBytes)) }

// prefaulted writes s's whole capacity and returns s: the runtime leaves
// memory fresh from the system untouched, so the first write to each page
// is a page fault, and megabytes of them under the model's lock stalled
// ingest for over 100 ms on a loaded machine. A save fills its buffers
// under the lock after allocating them without it. It clears 256 KiB at
// a time: one clear of megabytes cannot be preempted, and holds up every
// goroutine when the garbage collector stops the world.
func prefaulted[T any](s []T) []T {
	var zero T
	step := max(1, (256<<10)/int(unsafe.Sizeof(zero)))
	all := s[:cap(s)]
	for i := 0; i < len(all); i += step {
		clear(all[i:min(len(all), i+step)])
	}
	return s
}

func (w *chunkWriter) add(key uint64, v *tokenState) {
	if w.n == 0 {
		if w.cur.b = w.spare; w.cur.b == nil {
			w.cur.b = newChunk()
		}
		w.spare = nil
	}
	encodeToken(&w.cur, key, v)
	w.n++
	if w.n == tokensPerChunk {
		w.close()
	}
}

// close ends the open chunk, if any.
func (w *chunkWriter) close() {
	if w.n == 0 {
		return
	}
	binary.LittleEndian.PutUint32(w.cur.b, uint32(w.n))
	w.chunks = append(w.chunks, w.cur.b)
	w.cur, w.n = enc{}, 0
}

// inSlices runs step under the model's lock until it reports done,
// releasing the lock between calls: ingest waits for one slice at most.
func (m *model) inSlices(step func() bool) {
	m.inSlicesPrepared(func() {}, step)
}

// inSlicesPrepared is inSlices that runs prepare without the lock before
// each step (to allocate what the step may need).
func (m *model) inSlicesPrepared(prepare func(), step func() bool) {
	for {
		prepare()
		m.mu.Lock()
		done := step()
		m.mu.Unlock()
		if done {
			return
		}
		// Let a woken ingest call take the lock before the next slice:
		// an unlocking goroutine that locks again at once usually wins.
		runtime.Gosched()
	}
}

// heldItem is what a save keeps of an item in the reorder buffer: the
// fields a held item's encoding keeps. The strings of a held item are never changed
// (see reorder.detach), so a copy taken under the lock is encoded after.
type heldItem struct {
	at, issuedAt, expiresAt                      int64
	tokenID, tokenType, principal, principalType string
	resource, outcome, client, verifiedIssuer    string
	traceID                                      pcommon.TraceID
	spanID, pairID                               pcommon.SpanID
	side                                         uint8
	scopeBits                                    uint64
	hoursSettled, resourceAlerted                bool
	lapsed, refusedAuth                          bool
}

// copyHeld appends the reorder buffer's items to into, in the buffer's
// order. Call it under the lock.
func (m *model) copyHeld(into []heldItem) []heldItem {
	for _, r := range m.held.heap {
		ev := &m.held.items[r.pos]
		into = append(into, heldItem{
			at: ev.at, issuedAt: ev.issuedAt, expiresAt: ev.expiresAt,
			tokenID: ev.tokenID, tokenType: ev.tokenType, principal: ev.principal, principalType: ev.principalType,
			resource: ev.resource, outcome: ev.outcome, client: ev.client, verifiedIssuer: ev.verifiedIssuer,
			traceID: ev.traceID, spanID: ev.spanID, scopeBits: ev.scopeBits, hoursSettled: ev.hoursSettled, resourceAlerted: ev.resourceAlerted,
			lapsed: ev.lapsed, refusedAuth: ev.refusedAuth, pairID: ev.pairID, side: ev.side,
		})
	}
	return into
}

// encodeHeldItems encodes the held items a save copied, in the compact
// encoding of an outbox entry (read back by holdAgain).
func encodeHeldItems(items []heldItem) []byte {
	var w heldWriter
	for i := range items {
		h := &items[i]
		w.add(&event{
			at: h.at, issuedAt: h.issuedAt, expiresAt: h.expiresAt,
			tokenID: h.tokenID, tokenType: h.tokenType, principal: h.principal, principalType: h.principalType,
			resource: h.resource, outcome: h.outcome, client: h.client, verifiedIssuer: h.verifiedIssuer,
			traceID: h.traceID, spanID: h.spanID, scopeBits: h.scopeBits, hoursSettled: h.hoursSettled, resourceAlerted: h.resourceAlerted,
			lapsed: h.lapsed, refusedAuth: h.refusedAuth, pairID: h.pairID, side: h.side,
		})
	}
	return w.take()
}
