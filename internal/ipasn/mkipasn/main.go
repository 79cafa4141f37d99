// Command mkipasn converts the ip-location-db ASN tables (asn-ipv4.csv and
// asn-ipv6.csv: first address, last address, AS number, organisation) into
// the compressed table package ipasn embeds. `make update-asn` runs it.
// With -country it converts the geo-whois-asn-country tables (first
// address, last address, ISO 3166-1 alpha-2 code) into the country table,
// each code stored as its value (see ipasn.CountryValue) and named by
// itself.
//
//	go run ./internal/ipasn/mkipasn -in <unpacked package dir> -out third_party/ip-location-db-asn/asn.bin.gz
//	go run ./internal/ipasn/mkipasn -country -in <dir> -out third_party/ip-location-db-country/country.bin.gz
package main

import (
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

func main() {
	in := flag.String("in", "", "directory holding asn-ipv4.csv and asn-ipv6.csv")
	out := flag.String("out", "", "the compressed table to write")
	country := flag.Bool("country", false, "convert geo-whois-asn-country-ipv{4,6}.csv (country codes) instead")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: mkipasn [-country] -in <dir> -out <file>")
		os.Exit(2)
	}
	conv := run
	if *country {
		conv = runCountry
	}
	if err := conv(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkipasn:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	return convert(in, out, "asn", 4, func(rec []string) (uint32, string, error) {
		as, err := strconv.ParseUint(rec[2], 10, 32)
		return uint32(as), cleanName(rec[3]), err
	})
}

// runCountry converts the country tables: a code's value is
// ipasn.CountryValue, its name the code itself.
func runCountry(in, out string) error {
	return convert(in, out, "geo-whois-asn-country", 3, func(rec []string) (uint32, string, error) {
		v, ok := ipasn.CountryValue(rec[2])
		if !ok {
			return 0, "", fmt.Errorf("%q is not a two-letter country code", rec[2])
		}
		return v, rec[2], nil
	})
}

// row reads one CSV record's value and its name.
type row func(rec []string) (uint32, string, error)

// convert reads <prefix>-ipv4.csv and <prefix>-ipv6.csv from in and writes
// their table to out.
func convert(in, out, prefix string, fields int, value row) error {
	names := map[uint32]string{}
	v4, err := readRanges(filepath.Join(in, prefix+"-ipv4.csv"), fields, value, names, func(a netip.Addr) (uint32, bool) {
		if !a.Is4() {
			return 0, false
		}
		b := a.As4()
		return binary.BigEndian.Uint32(b[:]), true
	})
	if err != nil {
		return err
	}
	v6, err := readRanges(filepath.Join(in, prefix+"-ipv6.csv"), fields, value, names, func(a netip.Addr) (uint64, bool) {
		if !a.Is6() || a.Is4In6() {
			return 0, false
		}
		b := a.As16()
		return binary.BigEndian.Uint64(b[:8]), true
	})
	if err != nil {
		return err
	}
	asns := slices.Sorted(maps.Keys(names))
	list := make([]string, len(asns))
	for i, as := range asns {
		list[i] = names[as]
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := ipasn.Encode(zw, v4, v6, asns, list); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Printf("%s: %d IPv4 ranges, %d IPv6 ranges, %d names\n", out, len(v4), len(v6), len(asns))
	return f.Close()
}

// readRanges reads one CSV, sorts its ranges, clips an overlap to the
// range that starts first (the sources disagree on a handful of blocks)
// and merges neighbours of one value (AS or country).
func readRanges[T uint32 | uint64](path string, fields int, value row, names map[uint32]string, key func(netip.Addr) (T, bool)) ([]ipasn.Range[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = fields
	var rs []ipasn.Range[T]
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		first, err1 := netip.ParseAddr(rec[0])
		last, err2 := netip.ParseAddr(rec[1])
		as, name, err3 := value(rec)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		lo, ok1 := key(first)
		hi, ok2 := key(last)
		if !ok1 || !ok2 || hi < lo {
			return nil, fmt.Errorf("%s:%d: not a range of this family", path, line)
		}
		rs = append(rs, ipasn.Range[T]{First: lo, Last: hi, AS: as})
		if names[as] == "" {
			names[as] = name
		}
	}
	slices.SortFunc(rs, func(a, b ipasn.Range[T]) int { return cmp.Compare(a.First, b.First) })
	out := rs[:0]
	for _, cur := range rs {
		if n := len(out); n > 0 {
			prev := &out[n-1]
			if cur.First <= prev.Last {
				if cur.Last <= prev.Last {
					continue // inside the previous range
				}
				cur.First = prev.Last + 1
			}
			if prev.AS == cur.AS && prev.Last+1 == cur.First {
				prev.Last = cur.Last
				continue
			}
		}
		out = append(out, cur)
	}
	return out, nil
}

// cleanName keeps an organisation's name printable: alert bodies carry it
// to any backend, and OTLP strings must be valid UTF-8.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
