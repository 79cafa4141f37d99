package ipasn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// Table answers which AS announces an address. Built once per component
// from the vendored file (about 9 MB in memory); safe for concurrent use.
type Table struct {
	v4First, v4Last []uint32
	v4AS            []uint32
	v6First, v6Last []uint64
	v6AS            []uint32
	asns            []uint32
	nameEnd         []uint32 // names[nameEnd[i-1]:nameEnd[i]] is asns[i]'s
	names           string
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
	n := d.count("IPv4 ranges")
	t.v4First, t.v4Last, t.v4AS = make([]uint32, 0, n), make([]uint32, 0, n), make([]uint32, 0, n)
	next := uint64(0)
	for range n {
		first := next + d.uvarint()
		last := first + d.uvarint()
		as := d.uvarint()
		if last > 0xffffffff || as > 0xffffffff {
			d.fail("IPv4 range past the address space")
			break
		}
		t.v4First, t.v4Last, t.v4AS = append(t.v4First, uint32(first)), append(t.v4Last, uint32(last)), append(t.v4AS, uint32(as))
		next = last + 1
	}
	n = d.count("IPv6 ranges")
	t.v6First, t.v6Last, t.v6AS = make([]uint64, 0, n), make([]uint64, 0, n), make([]uint32, 0, n)
	var next6 uint64
	for i := range n {
		first := next6 + d.uvarint()
		last := first + d.uvarint()
		as := d.uvarint()
		if (i > 0 && first < next6) || last < first || as > 0xffffffff {
			d.fail("IPv6 range wraps the address space")
			break
		}
		t.v6First, t.v6Last, t.v6AS = append(t.v6First, first), append(t.v6Last, last), append(t.v6AS, uint32(as))
		next6 = last + 1
	}
	n = d.count("AS names")
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
		return find(t.v4First, t.v4Last, t.v4AS, binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return find(t.v6First, t.v6Last, t.v6AS, binary.BigEndian.Uint64(b[:8]))
}

func find[T uint32 | uint64](first, last []T, as []uint32, v T) (uint32, bool) {
	i, found := slices.BinarySearch(first, v)
	if !found {
		i-- // the last range starting before v
	}
	if i < 0 || v > last[i] || as[i] == 0 {
		return 0, false
	}
	return as[i], true
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
func (t *Table) Len() (v4, v6 int) { return len(t.v4First), len(t.v6First) }
