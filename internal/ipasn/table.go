package ipasn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// Table answers which AS announces an address. Built once per component
// from the vendored file (about 9 MB in memory); safe for concurrent use.
type Table struct {
	v4      ranges[uint32]
	v6      ranges[uint64] // upper 64 bits of the address
	asns    []uint32
	nameEnd []uint32 // names[nameEnd[i-1]:nameEnd[i]] is asns[i]'s
	names   string
}

// ranges is one family's ranges, sorted, as parallel slices for a binary
// search over first.
type ranges[T uint32 | uint64] struct {
	first, last []T
	as          []uint32
}

// maxEntries bounds each section's count, so a damaged file cannot make
// Decode allocate without limit.
const maxEntries = 1 << 22

// Decode reads a table in its binary form, gzip-compressed.
func Decode(compressed []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("ipasn: table is not gzip: %w", err)
	}
	r := bufio.NewReader(zr)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != magic {
		return nil, fmt.Errorf("ipasn: table has no %q header", strings.TrimSpace(magic))
	}
	t := &Table{}
	d := decoder{r: r}
	t.v4 = decodeRanges[uint32](&d, "IPv4")
	t.v6 = decodeRanges[uint64](&d, "IPv6")
	n := d.count("AS names")
	t.asns, t.nameEnd = make([]uint32, 0, n), make([]uint32, 0, n)
	var names strings.Builder
	as := uint64(0)
	buf := make([]byte, 0, 1024)
	for range n {
		as += d.uvarint()
		size := d.uvarint()
		if as > 0xffffffff || size > 1024 {
			d.fail("AS name out of bounds")
			break
		}
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			d.fail("AS name cut short")
			break
		}
		if !utf8.Valid(buf) {
			d.fail("AS name is not UTF-8") // alert bodies carry it, and OTLP strings must be
			break
		}
		names.Write(buf)
		t.asns, t.nameEnd = append(t.asns, uint32(as)), append(t.nameEnd, uint32(names.Len()))
	}
	if d.err != nil {
		return nil, d.err
	}
	t.names = names.String()
	return t, nil
}

// decodeRanges reads one family's count and ranges.
func decodeRanges[T uint32 | uint64](d *decoder, family string) ranges[T] {
	n := d.count(family + " ranges")
	r := ranges[T]{first: make([]T, 0, n), last: make([]T, 0, n), as: make([]uint32, 0, n)}
	top := uint64(^T(0))
	var next uint64
	ended := false // the last range reached the top of the address space
	for range n {
		first := next + d.uvarint()
		last := first + d.uvarint()
		as := d.uvarint()
		if d.err != nil {
			break
		}
		if ended || first < next || last < first || last > top || as > math.MaxUint32 {
			d.fail(family + " range out of order or past the address space")
			break
		}
		r.first, r.last, r.as = append(r.first, T(first)), append(r.last, T(last)), append(r.as, uint32(as))
		next, ended = last+1, last == top
	}
	return r
}

type decoder struct {
	r   *bufio.Reader
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	if err != nil {
		d.err = fmt.Errorf("ipasn: table cut short: %w", err)
	}
	return v
}

func (d *decoder) count(what string) int {
	n := d.uvarint()
	if n > maxEntries {
		d.fail(what + ": too many")
		return 0
	}
	return int(n)
}

func (d *decoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("ipasn: damaged table: %s", why)
	}
}

// Lookup returns the AS that announces a, and false for an address no AS
// announces (private, reserved, unrouted) or a nil table.
func (t *Table) Lookup(a netip.Addr) (uint32, bool) {
	if t == nil {
		return 0, false
	}
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return t.v4.find(binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return t.v6.find(binary.BigEndian.Uint64(b[:8]))
}

func (r *ranges[T]) find(v T) (uint32, bool) {
	i, found := slices.BinarySearch(r.first, v)
	if !found {
		i-- // the last range starting before v
	}
	if i < 0 || v > r.last[i] || r.as[i] == 0 {
		return 0, false
	}
	return r.as[i], true
}

// Name is the AS's organisation as the table's sources register it, or "".
func (t *Table) Name(as uint32) string {
	if t == nil {
		return ""
	}
	i, ok := slices.BinarySearch(t.asns, as)
	if !ok {
		return ""
	}
	start := uint32(0)
	if i > 0 {
		start = t.nameEnd[i-1]
	}
	return t.names[start:t.nameEnd[i]]
}

// Len reports the table's IPv4 and IPv6 ranges.
func (t *Table) Len() (v4, v6 int) { return len(t.v4.first), len(t.v6.first) }
