package tokenanomalyconnector

import (
	"encoding/binary"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// seedItem keeps item keys apart from the other hashes.
const seedItem uint64 = 0x6974656d73 // spans and log records

// Input signals, in item keys: a log record written inside a span shares
// its trace and span ids but is another item.
const (
	itemSpan byte = 1
	itemLog  byte = 2
)

// itemKey names one span or log record by what a retry of its batch sends
// again unchanged: the signal, trace and span ids, both timestamps and the
// contract attributes that make it a request. Log records without ids
// still differ by their nanosecond timestamps and the request they record.
func itemKey(kind byte, ev *event, t1, t2 pcommon.Timestamp) uint64 {
	h := mix64(seedItem ^ uint64(kind))
	for _, w := range [...]uint64{
		binary.LittleEndian.Uint64(ev.traceID[:8]), binary.LittleEndian.Uint64(ev.traceID[8:]),
		binary.LittleEndian.Uint64(ev.spanID[:]), uint64(t1), uint64(t2),
	} {
		h = mix64(h ^ w*hashPrime2)
	}
	for _, s := range [...]string{ev.tokenID, ev.resource, ev.outcome, ev.client} {
		h = hashString(h, s)
	}
	return h | 1 // 0 marks an empty slot
}

// itemSet remembers the keys of recently read items, so that a batch sent
// again (every OTLP sender and exporterhelper retries a batch some other
// consumer of the pipeline refused) is not counted twice. It holds at most
// max keys in two generations: when the current one is full it becomes
// the previous one, and the keys of the old previous one are forgotten
// (counted as evictions). Memory is at most 32 bytes per key of max.
type itemSet struct {
	keyGens
	batch     []uint64
	keepBatch bool // remember the keys of the current batch (storage is set)
}

// keyGens is two generations of keys, at most genMax in each: when the
// current one is full it becomes the previous one, and the keys of the
// old previous one are forgotten.
type keyGens struct {
	cur, prev keySlots
	genMax    int
	evicted   int64 // forgotten since the last take, for the evictions metric
}

// keySlots is an open-addressing set of non-zero keys, at most half full.
// A key's home ignores its low two bits, which the pair set uses for the
// sides of a request (pairs.go).
type keySlots struct {
	slots []uint64
	n     int
}

// newItemSet remembers up to max keys; 0 turns deduplication off.
func newItemSet(maxKeys int, keepBatch bool) *itemSet {
	return &itemSet{keyGens: keyGens{genMax: (maxKeys + 1) / 2}, keepBatch: keepBatch}
}

// repeat reports whether key was read before, and remembers it.
func (s *itemSet) repeat(key uint64) bool {
	if s.genMax == 0 {
		return false
	}
	// Load both home slots before looking at either, so that their cache
	// misses overlap: a new item (the common case) probes both sets.
	c, p := s.cur.home(key), s.prev.home(key)
	if c == key || p == key || (c != 0 && s.cur.has(key)) || (p != 0 && s.prev.has(key)) {
		return true
	}
	s.add(key)
	if s.keepBatch {
		s.batch = append(s.batch, key)
	}
	return false
}

// touch loads key's home slots (see ingestRun).
func (s *itemSet) touch(key uint64) uint32 {
	return uint32(s.cur.home(key) ^ s.prev.home(key))
}

// add remembers key, rotating generations when the current one is full.
func (s *itemSet) add(key uint64) {
	if s.genMax == 0 || s.cur.has(key) {
		return
	}
	s.insert(key)
}

// insert adds a key (a slot's value) to the current generation, rotating
// the generations when it is full.
func (g *keyGens) insert(v uint64) {
	if g.cur.n >= g.genMax {
		g.evicted += int64(g.prev.n)
		g.prev, g.cur = g.cur, g.prev
		g.cur.reset()
	}
	g.cur.insert(v)
}

// takeBatch hands over a copy of the keys read since the batch began.
func (s *itemSet) takeBatch() []uint64 {
	if len(s.batch) == 0 {
		return nil
	}
	b := slices.Clone(s.batch)
	s.batch = s.batch[:0]
	return b
}

// home is the key in key's home slot: key itself, another key, or 0.
func (k *keySlots) home(key uint64) uint64 {
	if len(k.slots) == 0 {
		return 0
	}
	return k.slots[slotHash(key)&uint64(len(k.slots)-1)]
}

func (k *keySlots) has(key uint64) bool {
	if k.n == 0 {
		return false
	}
	mask := uint64(len(k.slots) - 1)
	for i := slotHash(key) & mask; ; i = (i + 1) & mask {
		switch k.slots[i] {
		case key:
			return true
		case 0:
			return false
		}
	}
}

func (k *keySlots) insert(key uint64) {
	if 2*(k.n+1) > len(k.slots) {
		k.grow()
	}
	mask := uint64(len(k.slots) - 1)
	i := slotHash(key) & mask
	for k.slots[i] != 0 {
		i = (i + 1) & mask
	}
	k.slots[i] = key
	k.n++
}

// slotHash places key, whatever its low two bits.
func slotHash(key uint64) uint64 { return mix64(key &^ 3) }

func (k *keySlots) grow() {
	old := k.slots
	k.slots = make([]uint64, max(minSlots, 2*len(old)))
	k.n = 0
	for _, key := range old {
		if key != 0 {
			k.insert(key)
		}
	}
}

// reset empties the set, keeping its slots for the next generation.
func (k *keySlots) reset() {
	clear(k.slots)
	k.n = 0
}
