package ipasn

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"strings"
	"testing"

	ipasndata "github.com/tokenaudit/tokenaudit/third_party/ip-location-db-asn"
)

func TestVendoredTable(t *testing.T) {
	tab, err := Decode(ipasndata.Table)
	if err != nil {
		t.Fatal(err)
	}
	if v4, v6 := tab.Len(); v4 < 100_000 || v6 < 10_000 {
		t.Fatalf("table holds %d IPv4 and %d IPv6 ranges; the vendored file is cut short", v4, v6)
	}
	for _, c := range []struct {
		addr string
		as   uint32
		name string
	}{
		{"79.217.123.112", 3320, "Deutsche Telekom AG"},
		{"172.58.52.80", 21928, "T-Mobile USA"},
		{"1.0.0.1", 13335, "Cloudflare"},
		{"::ffff:1.0.0.1", 13335, "Cloudflare"},
		{"2001:4:112::1", 112, "DNS-OARC"},
		{"10.20.0.10", 0, ""},
		{"127.0.0.1", 0, ""},
		{"192.168.1.1", 0, ""},
		{"::1", 0, ""},
		{"fd00::1", 0, ""},
	} {
		as, ok := tab.Lookup(netip.MustParseAddr(c.addr))
		if as != c.as || ok != (c.as != 0) {
			t.Errorf("Lookup(%s) = AS%d %v, want AS%d", c.addr, as, ok, c.as)
		}
		if name := tab.Name(as); c.as != 0 && !strings.Contains(name, c.name) {
			t.Errorf("Name(AS%d) = %q, want it to contain %q", as, name, c.name)
		}
	}
}

// TestNilTable: a component without the table (its detector disabled)
// asks a nil one: no AS, no name, no panic.
func TestNilTable(t *testing.T) {
	var tab *Table
	if as, ok := tab.Lookup(netip.MustParseAddr("79.217.123.112")); ok || as != 0 {
		t.Errorf("nil table: Lookup = AS%d %v", as, ok)
	}
	if name := tab.Name(3320); name != "" {
		t.Errorf("nil table: Name = %q", name)
	}
}

func TestRoundTrip(t *testing.T) {
	v4 := []Range[uint32]{{First: 0x01000000, Last: 0x010000ff, AS: 13335}, {First: 0x01000400, Last: 0x010007ff, AS: 38803}, {First: 0xfffffff0, Last: 0xffffffff, AS: 7}}
	v6 := []Range[uint64]{{First: 0x2001000000000000, Last: 0x20010000ffffffff, AS: 6939}, {First: 0xffff000000000000, Last: 0xffffffffffffffff, AS: 9}}
	tab := roundTrip(t, v4, v6, []uint32{7, 6939, 13335}, []string{"Seven", "Hurricane Electric LLC", "Cloudflare, Inc."})
	for _, c := range []struct {
		addr string
		as   uint32
	}{
		{"0.255.255.255", 0}, {"1.0.0.0", 13335}, {"1.0.0.255", 13335}, {"1.0.1.0", 0}, {"1.0.4.0", 38803},
		{"1.0.7.255", 38803}, {"1.0.8.0", 0}, {"255.255.255.255", 7}, {"2001::1", 6939}, {"2001:0:ffff:ffff::", 6939},
		{"2001:1::", 0}, {"ffff:ffff::1", 9}, {"::", 0},
	} {
		if as, _ := tab.Lookup(netip.MustParseAddr(c.addr)); as != c.as {
			t.Errorf("Lookup(%s) = AS%d, want AS%d", c.addr, as, c.as)
		}
	}
	if got := tab.Name(6939); got != "Hurricane Electric LLC" {
		t.Errorf("Name(6939) = %q", got)
	}
	if got := tab.Name(1); got != "" {
		t.Errorf("Name(1) = %q, want none", got)
	}
}

func roundTrip(t *testing.T, v4 []Range[uint32], v6 []Range[uint64], asns []uint32, names []string) *Table {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := Encode(zw, v4, v6, asns, names); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	tab, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestEncodeRejectsDisorder(t *testing.T) {
	for name, c := range map[string]struct {
		v4    []Range[uint32]
		v6    []Range[uint64]
		asns  []uint32
		names []string
	}{
		"IPv4 overlap":        {v4: []Range[uint32]{{First: 10, Last: 20, AS: 1}, {First: 15, Last: 30, AS: 2}}},
		"IPv4 empty range":    {v4: []Range[uint32]{{First: 10, Last: 5, AS: 1}}},
		"IPv6 out of order":   {v6: []Range[uint64]{{First: 100, Last: 200, AS: 1}, {First: 50, Last: 60, AS: 2}}},
		"names out of order":  {asns: []uint32{5, 3}, names: []string{"a", "b"}},
		"names without an AS": {asns: []uint32{5}, names: []string{"a", "b"}},
	} {
		if err := Encode(&bytes.Buffer{}, c.v4, c.v6, c.asns, c.names); err == nil {
			t.Errorf("%s: Encode accepted it", name)
		}
	}
}

func TestDecodeRejectsDamage(t *testing.T) {
	good := gzipped(t, []byte(magic+"\x01\x00\x00\x01\x00\x00\x00"))
	if _, err := Decode(good); err != nil {
		t.Fatalf("the well-formed table: %v", err)
	}
	for name, data := range map[string][]byte{
		"not gzip":            []byte("plain text"),
		"no header":           gzipped(t, []byte("something else entirely\n")),
		"cut short":           gzipped(t, []byte(magic+"\x05\x00")),
		"too many ranges":     gzipped(t, []byte(magic+"\xff\xff\xff\xff\x0f")),
		"past the IPv4 space": gzipped(t, []byte(magic+"\x01\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f\x01\x00\x00")),
		"name too long":       gzipped(t, []byte(magic+"\x00\x00\x01\x01\xff\x7f")),
		"name not UTF-8":      gzipped(t, []byte(magic+"\x00\x00\x01\x01\x02\xff\xfe")),
	} {
		if _, err := Decode(data); err == nil || !strings.HasPrefix(err.Error(), "ipasn:") {
			t.Errorf("%s: Decode = %v, want an ipasn error", name, err)
		}
	}
}

func gzipped(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// FuzzDecode: a damaged table is an error, never a panic, and what
// decodes answers lookups.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(magic + "\x01\x00\x00\x01\x00\x00\x00"))
	f.Add([]byte(magic + "\x02\x01\x05\x07\x03\x02\x09\x01\x00\x00\x06\x01\x01\x03abc"))
	f.Add([]byte(magic + "\x00\x02\x00\x00\x01\x00\x00\x02\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tab, err := Decode(gzipped(t, raw))
		if err != nil {
			return
		}
		for _, a := range []string{"0.0.0.0", "1.2.3.4", "255.255.255.255", "::", "2001::1", "ffff::"} {
			as, _ := tab.Lookup(netip.MustParseAddr(a))
			_ = tab.Name(as)
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	tab, err := Decode(ipasndata.Table)
	if err != nil {
		b.Fatal(err)
	}
	addrs := []netip.Addr{netip.MustParseAddr("79.217.123.112"), netip.MustParseAddr("2.58.56.45"), netip.MustParseAddr("2a02:8108::1")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tab.Lookup(addrs[i%len(addrs)])
		i++
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(ipasndata.Table); err != nil {
			b.Fatal(err)
		}
	}
}
