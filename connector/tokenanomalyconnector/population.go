package tokenanomalyconnector

import "math/bits"

// prevalence estimates how many distinct tokens used each coarse network
// (the population's view: an office NAT, a carrier's CGNAT pool, a cloud
// region, a CI fleet), so that a network many of the org's tokens use is
// not evidence of theft when one more token shows up on it.
//
// It is a count-min sketch of two rows of saturating 16-bit counters, in
// two generations that rotate with the novelty filter: a network counts
// the tokens that used it within forget_after to twice that. The caller
// adds a (token, network) pair once per generation (the filter says when
// it is new), so a count is of distinct tokens, never of requests. The
// memory is fixed whatever the cardinality: collisions can only make a
// network look more common, never rarer.
type prevalence struct {
	current, previous []uint16 // two rows of width each
	width             uint64
}

const prevalenceRows = 2

// newPrevalence sizes the sketch for about capacity distinct (token,
// network) pairs per generation: with as many counters per row, a rare
// network's count is inflated by less than one on average.
func newPrevalence(capacity int) *prevalence {
	w := uint64(max(4096, capacity))
	return &prevalence{
		current:  make([]uint16, prevalenceRows*w),
		previous: make([]uint16, prevalenceRows*w),
		width:    w,
	}
}

// slot is row r's counter of network hash h.
func (p *prevalence) slot(h uint64, r int) uint64 {
	hi, _ := bits.Mul64(mix64(h+uint64(r)*hashPrime1), p.width)
	return uint64(r)*p.width + hi
}

// add counts one more token on network h in the current generation.
func (p *prevalence) add(h uint64) {
	for r := range prevalenceRows {
		if c := &p.current[p.slot(h, r)]; *c < 0xffff {
			*c++
		}
	}
}

// count is the estimated number of distinct tokens on network h in the
// newer of the two generations that saw more of them.
func (p *prevalence) count(h uint64) int {
	cur, prev := p.generations(h)
	return max(cur, prev)
}

// generations is the estimated number of distinct tokens on network h in
// the current generation and in the previous one.
func (p *prevalence) generations(h uint64) (cur, prev int) {
	c, v := uint16(0xffff), uint16(0xffff)
	for r := range prevalenceRows {
		s := p.slot(h, r)
		c, v = min(c, p.current[s]), min(v, p.previous[s])
	}
	return int(c), int(v)
}

// rotate drops the older generation (with the novelty filter's rotation).
func (p *prevalence) rotate() {
	p.previous, p.current = p.current, p.previous
	clear(p.current)
}
