package tokenanomalyconnector

// table is a bounded map from a 64-bit key to a value stored in chunks (no
// giant reallocation when it grows). When full, a new key evicts the
// oldest of evictSample randomly chosen entries: an approximate LRU that
// costs no links per entry.
type table[V any] struct {
	index  map[uint64]int32
	keys   []uint64
	chunks [][]V
	max    int
	age    func(*V) int64 // smaller is older
	rand   rng
}

const (
	chunkBits   = 12
	chunkSize   = 1 << chunkBits
	evictSample = 8
)

func newTable[V any](maxEntries int, age func(*V) int64) *table[V] {
	return &table[V]{index: map[uint64]int32{}, max: maxEntries, age: age, rand: 0x2545F4914F6CDD1D}
}

func (t *table[V]) len() int { return len(t.keys) }

func (t *table[V]) at(i int32) *V { return &t.chunks[i>>chunkBits][i&(chunkSize-1)] }

// get returns the value for key, or nil.
func (t *table[V]) get(key uint64) *V {
	if i, ok := t.index[key]; ok {
		return t.at(i)
	}
	return nil
}

// put returns the (zeroed) value for a new key, or the existing one. When
// an entry had to go, evicted is a copy of it and was is true.
func (t *table[V]) put(key uint64) (v *V, created bool, evicted V, was bool) {
	if i, ok := t.index[key]; ok {
		return t.at(i), false, evicted, false
	}
	var i int32
	if len(t.keys) < t.max {
		i = int32(len(t.keys))
		t.keys = append(t.keys, key)
		if int(i>>chunkBits) == len(t.chunks) {
			t.chunks = append(t.chunks, make([]V, chunkSize))
		}
	} else {
		i = t.victim()
		evicted, was = *t.at(i), true
		delete(t.index, t.keys[i])
		t.keys[i] = key
		var zero V
		*t.at(i) = zero
	}
	t.index[key] = i
	return t.at(i), true, evicted, was
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
