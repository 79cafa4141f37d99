package tokenanomalyconnector

import "math/bits"

// table is a bounded map from a 64-bit key to a value stored in chunks (no
// giant reallocation when it grows). When full, a new key evicts the
// oldest of evictSample randomly chosen entries: an approximate LRU that
// costs no links per entry.
//
// The index is open addressing with linear probing over (key, position)
// slots: a lookup among a million keys usually costs one cache miss,
// where a Go map costs two or three, and the slots hold no pointers.
type table[V any] struct {
	slots  []slot
	keys   []uint64
	chunks [][]V
	max    int
	age    func(*V) int64 // smaller is older
	rand   rng
}

// slot is one index entry; pos is the entry's position + 1, 0 when empty.
type slot struct {
	key uint64
	pos int32
}

const (
	chunkBits   = 12
	chunkSize   = 1 << chunkBits
	evictSample = 8
	minSlots    = 1024
)

func newTable[V any](maxEntries int, age func(*V) int64) *table[V] {
	return &table[V]{slots: make([]slot, minSlots), max: maxEntries, age: age, rand: 0x2545F4914F6CDD1D}
}

func (t *table[V]) len() int { return len(t.keys) }

func (t *table[V]) at(i int32) *V { return &t.chunks[i>>chunkBits][i&(chunkSize-1)] }

// home is key's first slot: Fibonacci hashing spreads keys that are not
// uniformly random (the tests use small ones).
func (t *table[V]) home(key uint64) int {
	return int((key * 0x9E3779B97F4A7C15) >> (64 - bits.TrailingZeros(uint(len(t.slots)))))
}

// find returns the slot holding key, or the empty slot where it would go.
func (t *table[V]) find(key uint64) int {
	mask := len(t.slots) - 1
	i := t.home(key)
	for t.slots[i].pos != 0 && t.slots[i].key != key {
		i = (i + 1) & mask
	}
	return i
}

// touchSlot loads key's home slot (see model.warm).
func (t *table[V]) touchSlot(key uint64) uint32 { return uint32(t.slots[t.home(key)].pos) }

// homePos is key's position + 1 when its home slot holds it (as it does
// for most keys at a load of at most 3/4), 0 otherwise.
func (t *table[V]) homePos(key uint64) int32 {
	if s := t.slots[t.home(key)]; s.key == key {
		return s.pos
	}
	return 0
}

// get returns the value for key, or nil.
func (t *table[V]) get(key uint64) *V {
	if s := t.slots[t.find(key)]; s.pos != 0 {
		return t.at(s.pos - 1)
	}
	return nil
}

// put returns the (zeroed) value for a new key, or the existing one. When
// an entry had to go, evicted is a copy of it and was is true.
func (t *table[V]) put(key uint64) (v *V, created bool, evicted V, was bool) {
	p := t.insert(key)
	return p.v, p.created, p.evicted, p.was
}

// placed is what insert did: the entry's value and position, and the
// entry it replaced, if any.
type placed[V any] struct {
	v          *V
	pos        int32
	created    bool
	was        bool // an entry was evicted: evictedKey and evicted are its key and a copy of its value
	evictedKey uint64
	evicted    V
}

// insert is put that also tells where the entry is (see tokenSnapshot).
func (t *table[V]) insert(key uint64) (p placed[V]) {
	si := t.find(key)
	if s := t.slots[si]; s.pos != 0 {
		p.v, p.pos = t.at(s.pos-1), s.pos-1
		return p
	}
	var i int32
	if len(t.keys) < t.max {
		i = int32(len(t.keys))
		t.keys = append(t.keys, key)
		if int(i>>chunkBits) == len(t.chunks) {
			t.chunks = append(t.chunks, make([]V, chunkSize))
		}
		// Keep the load at most 3/4 so that probes stay short.
		if 4*len(t.keys) > 3*len(t.slots) {
			t.grow()
			si = t.find(key)
		}
	} else {
		i = t.victim()
		p.evicted, p.evictedKey, p.was = *t.at(i), t.keys[i], true
		t.remove(t.keys[i])
		t.keys[i] = key
		var zero V
		*t.at(i) = zero
		si = t.find(key) // the removal may have shifted slots
	}
	t.slots[si] = slot{key: key, pos: i + 1}
	p.v, p.pos, p.created = t.at(i), i, true
	return p
}

// grow doubles the index and re-inserts every key.
func (t *table[V]) grow() {
	t.slots = make([]slot, 2*len(t.slots))
	for i, k := range t.keys {
		t.slots[t.find(k)] = slot{key: k, pos: int32(i) + 1}
	}
}

// remove takes key out of the index, shifting back the slots after it
// that would otherwise be cut off from their home (no tombstones).
func (t *table[V]) remove(key uint64) {
	mask := len(t.slots) - 1
	i := t.find(key)
	if t.slots[i].pos == 0 {
		return
	}
	for j := (i + 1) & mask; t.slots[j].pos != 0; j = (j + 1) & mask {
		// The slot at j may stay if its home lies cyclically in (i, j].
		h := t.home(t.slots[j].key)
		if (i < j && i < h && h <= j) || (i > j && (i < h || h <= j)) {
			continue
		}
		t.slots[i] = t.slots[j]
		i = j
	}
	t.slots[i] = slot{}
}

func (t *table[V]) victim() int32 {
	n := uint64(len(t.keys))
	best := int32(t.rand.next() % n)
	for range evictSample - 1 {
		i := int32(t.rand.next() % n)
		if t.age(t.at(i)) < t.age(t.at(best)) {
			best = i
		}
	}
	return best
}

// each calls fn for every entry until fn returns false.
func (t *table[V]) each(fn func(key uint64, v *V) bool) {
	for i, k := range t.keys {
		if !fn(k, t.at(int32(i))) {
			return
		}
	}
}
