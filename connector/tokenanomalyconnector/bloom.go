package tokenanomalyconnector

import "math/bits"

// bloom is a blocked Bloom filter: all probes of one element fall in one
// 512-bit block, so a lookup costs one cache miss. With 16 bits per
// element and 8 probes the false-positive rate stays near 0.1%.
type bloom struct {
	blocks [][8]uint64
	n      int // elements added (approximately: repeats are not detected)
}

const bloomProbes = 8

func newBloom(capacity int) *bloom {
	nBlocks := max(1, (capacity*16+511)/512)
	return &bloom{blocks: make([][8]uint64, nBlocks)}
}

func (b *bloom) block(h uint64) *[8]uint64 {
	hi, _ := bits.Mul64(h, uint64(len(b.blocks)))
	return &b.blocks[hi]
}

func (b *bloom) has(h uint64) bool {
	blk := b.block(h)
	g := mix64(h)
	for range bloomProbes {
		bit := g & 511
		if blk[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
		g >>= 9
	}
	return true
}

func (b *bloom) add(h uint64) {
	blk := b.block(h)
	g := mix64(h)
	for range bloomProbes {
		bit := g & 511
		blk[bit>>6] |= 1 << (bit & 63)
		g >>= 9
	}
	b.n++
}

func (b *bloom) clear() {
	clear(b.blocks)
	b.n = 0
}

// memberSet remembers (token, value) pairs for between forgetAfter and
// twice that: two generations, the older one dropped at each rotation.
type memberSet struct {
	current, previous *bloom
	genStart          int64  // event time (unix ms) the current generation began
	gen               uint32 // counts rotations; a memo of a pair added in gen is valid while it lasts
}

func newMemberSet(capacity int) *memberSet {
	return &memberSet{current: newBloom(capacity), previous: newBloom(capacity), gen: 1}
}

// rotate starts a new generation when the current one is older than
// forgetAfter (or full, which would raise the false-positive rate), and
// reports whether it did.
func (m *memberSet) rotate(now, forgetAfterMs int64, capacity int) bool {
	if m.genStart == 0 {
		m.genStart = now
		return false
	}
	if now-m.genStart >= forgetAfterMs || m.current.n >= capacity {
		m.previous, m.current = m.current, m.previous
		m.current.clear()
		m.genStart = now
		m.gen = max(1, m.gen+1) // 0 is the zero memo's: never valid
		return true
	}
	return false
}

// has reports whether h is known, without remembering it.
func (m *memberSet) has(h uint64) bool { return m.current.has(h) || m.previous.has(h) }

// probe reports whether h was known, and remembers it in the current
// generation; inCurrent tells whether it was there already (a pair added
// once per generation is counted once).
func (m *memberSet) probe(h uint64) (inCurrent, known bool) {
	if m.current.has(h) {
		return true, true
	}
	known = m.previous.has(h)
	m.current.add(h)
	return false, known
}

// pairMemo remembers the last value a token used for one detector, so the
// common repeat skips the filters (two probes, a cache miss each): fp is
// a 32-bit fingerprint of the value and gen the generation it was added
// to. While that generation is current the pair is in it, so the memo
// answers exactly as the filter would.
type pairMemo struct {
	fp, gen uint32
}

// hit reports whether the memo vouches that fp's pair is in the current
// generation.
func (p *pairMemo) hit(m *memberSet, fp uint32) bool { return p.gen == m.gen && p.fp == fp }

// record notes that fp's pair was just added to the current generation.
func (p *pairMemo) record(m *memberSet, fp uint32) { p.fp, p.gen = fp, m.gen }
