package tokenanomalyconnector

import (
	"encoding/binary"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// One request between two instrumented services is two spans: the
// caller's CLIENT span and the service's SERVER span, whose parent is the
// client span. When both carry the credential (a key in the URL, headers
// captured on both sides) they are two items of one use. The stateful
// detectors count the first of the two to arrive and skip the second
// (its stateless verdicts and metrics stand: each side's view).

// Sides of a request, in event.side and in the pair set's slots.
const (
	sideNone   uint8 = 0
	sideClient uint8 = 1
	sideServer uint8 = 2
	sidesMet   uint8 = 3 // both sides seen: the pair is complete
)

// tablePairs names the pair set in the evictions metric.
const tablePairs = "pairs"

// seedPair keeps pair keys apart from the other hashes.
const seedPair uint64 = 0x7061697273 // "pairs"

// spanSide is the side of the request a span is, and the id both sides
// share: the client span's own id, the server span's parent. A server
// span without a parent has no caller to pair with.
func spanSide(sp ptrace.Span) (uint8, pcommon.SpanID) {
	switch sp.Kind() {
	case ptrace.SpanKindClient:
		return sideClient, sp.SpanID()
	case ptrace.SpanKindServer:
		if p := sp.ParentSpanID(); !p.IsEmpty() {
			return sideServer, p
		}
	}
	return sideNone, pcommon.SpanID{}
}

// pairKey names the request: trace, the id both sides share and the token
// (a caller that sends another credential than it was given makes two
// uses). The low two bits are the pair set's and left clear; bit 2 is
// set, so a key is never 0 (not yet computed).
func pairKey(ev *event) uint64 {
	h := mix64(seedPair ^ ev.key)
	for _, w := range [...]uint64{
		binary.LittleEndian.Uint64(ev.traceID[:8]), binary.LittleEndian.Uint64(ev.traceID[8:]),
		binary.LittleEndian.Uint64(ev.pairID[:]),
	} {
		h = mix64(h ^ w*hashPrime2)
	}
	return h&^3 | 4
}

// pairSet remembers the requests of recent client and server spans and
// which sides were seen, in two generations as itemSet (at most max
// requests; the forgotten count as evictions). A side meets the other at
// most once: a server span's parent id comes from the caller's traceparent
// header, so a client that sends one header with every request must not
// make its requests one; only a client span of the same trace, id and
// token absorbs one server span, and the other way round.
type pairSet struct {
	keyGens // each slot: the request's key, its low two bits the sides seen
}

// newPairSet remembers up to maxKeys requests; 0 turns pairing off.
func newPairSet(maxKeys int) *pairSet { return &pairSet{keyGens{genMax: (maxKeys + 1) / 2}} }

// second reports whether ev is the second side of a request whose first
// side was counted, and remembers its side.
func (s *pairSet) second(ev *event) bool {
	if s.genMax == 0 || ev.side == sideNone || ev.tokenID == "" {
		return false
	}
	if ev.pair == 0 {
		ev.pair = pairKey(ev)
	}
	key := ev.pair
	for _, g := range [...]*keySlots{&s.cur, &s.prev} {
		if i := g.find(key); i >= 0 {
			return g.meet(i, ev.side)
		}
	}
	s.insert(key | uint64(ev.side)) // never 0: side is 1 or 2
	return false
}

// touch loads the home slots of ev's request, computing its key (see
// ingestRun).
func (s *pairSet) touch(ev *event) uint32 {
	if s.genMax == 0 || ev.side == sideNone || ev.tokenID == "" {
		return 0
	}
	ev.pair = pairKey(ev)
	return uint32(s.cur.home(ev.pair) ^ s.prev.home(ev.pair))
}

// find returns the slot of the request key (low bits clear), -1 when
// absent.
func (k *keySlots) find(key uint64) int {
	if k.n == 0 {
		return -1
	}
	mask := uint64(len(k.slots) - 1)
	for i := slotHash(key) & mask; ; i = (i + 1) & mask {
		switch v := k.slots[i]; {
		case v == 0:
			return -1
		case v&^3 == key:
			return int(i)
		}
	}
}

// meet records side at slot i and reports whether it completes the pair.
// Another span of a side already seen, or of a complete pair, is another
// request.
func (k *keySlots) meet(i int, side uint8) bool {
	seen := uint8(k.slots[i] & 3)
	if seen == side || seen == sidesMet {
		return false
	}
	k.slots[i] |= uint64(sidesMet)
	return true
}
