// Package ipasn maps an IP address to the autonomous system (AS) that
// announces it, from the table vendored in third_party/ip-location-db-asn.
// An AS is the network an address belongs to as operators see it: one ISP,
// one carrier, one hosting company; new_client_address uses it to tell a
// user's own provider from one nobody in the org uses.
package ipasn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The table's binary form (gzip-compressed in the vendored file): the
// magic, then the IPv4 ranges, the IPv6 ranges (on the upper 64 bits of
// the address: no AS announces less than a /64) and the AS names. Each
// section is a count and its entries as unsigned varints; a range is its
// gap after the previous one, its size less one and its AS number; a name
// is its AS number's step from the previous one, its length and its bytes.
// Deltas keep the file small; sorted ranges make lookup a binary search.
const magic = "tokenaudit-ipasn-1\n"

// Range is one run of addresses [First, Last] announced by AS.
type Range[T uint32 | uint64] struct {
	First, Last T
	AS          uint32
}

// Encode writes the table in its binary form; ranges must be sorted and
// must not overlap, names sorted by AS number.
func Encode(w io.Writer, v4 []Range[uint32], v6 []Range[uint64], asns []uint32, names []string) error {
	bw := bufio.NewWriter(w)
	var scratch [binary.MaxVarintLen64]byte
	put := func(v uint64) { bw.Write(scratch[:binary.PutUvarint(scratch[:], v)]) }
	bw.WriteString(magic)
	if err := encodeRanges(put, "IPv4", v4); err != nil {
		return err
	}
	if err := encodeRanges(put, "IPv6", v6); err != nil {
		return err
	}
	if len(asns) != len(names) {
		return errors.New("ipasn: names and AS numbers differ in length")
	}
	put(uint64(len(asns)))
	prev := uint32(0)
	for i, as := range asns {
		if i > 0 && as <= prev {
			return fmt.Errorf("ipasn: AS names out of order at AS%d", as)
		}
		put(uint64(as - prev))
		put(uint64(len(names[i])))
		bw.WriteString(names[i])
		prev = as
	}
	return bw.Flush()
}

// encodeRanges writes one family's count and ranges as gaps and sizes.
func encodeRanges[T uint32 | uint64](put func(uint64), family string, rs []Range[T]) error {
	put(uint64(len(rs)))
	var next uint64
	ended := false // the last range reached the top of the address space
	for i, r := range rs {
		if ended || uint64(r.First) < next || r.Last < r.First {
			return fmt.Errorf("ipasn: %s range %d is out of order or empty", family, i)
		}
		put(uint64(r.First) - next)
		put(uint64(r.Last - r.First))
		put(uint64(r.AS))
		next, ended = uint64(r.Last)+1, r.Last == ^T(0)
	}
	return nil
}
