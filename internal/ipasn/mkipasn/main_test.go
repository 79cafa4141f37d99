package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// TestConvert: the CSVs' ranges come out sorted, an overlap clipped to the
// range that starts first, neighbours of one AS merged, and the table
// answers as the CSVs say.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("asn-ipv4.csv", `1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.1.0,1.0.1.255,13335,"Cloudflare, Inc."
`+"1.0.6.0,1.0.9.255,99,Overlapping\tLtd\xff\n")
	write("asn-ipv6.csv", "2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC\n")
	tab := convertAndDecode(t, dir, run)
	if v4, v6 := tab.Len(); v4 != 3 || v6 != 1 {
		t.Errorf("ranges = %d IPv4, %d IPv6; want 3 (Cloudflare's two merged) and 1", v4, v6)
	}
	for addr, want := range map[string]uint32{
		"1.0.1.9": 13335, "1.0.2.1": 0, "1.0.6.1": 38803, "1.0.8.1": 99, "1.0.10.1": 0, "2001::5": 6939,
	} {
		if as, _ := tab.Lookup(netip.MustParseAddr(addr)); as != want {
			t.Errorf("Lookup(%s) = AS%d, want AS%d", addr, as, want)
		}
	}
	if got := tab.Name(13335); got != "Cloudflare, Inc." {
		t.Errorf("Name(13335) = %q", got)
	}
	if got := tab.Name(99); got != "Overlapping Ltd\uFFFD" { // control characters and invalid UTF-8 cleaned
		t.Errorf("Name(99) = %q", got)
	}
}

func TestConvertRejectsBadRows(t *testing.T) {
	for name, body := range map[string]string{
		"not an address": "1.0.0.x,1.0.0.255,1,A\n",
		"reversed":       "1.0.0.255,1.0.0.0,1,A\n",
		"IPv6 in IPv4":   "2001::,2001::1,1,A\n",
		"no AS":          "1.0.0.0,1.0.0.255,,A\n",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "asn-ipv4.csv"), []byte(body), 0o600)
		os.WriteFile(filepath.Join(dir, "asn-ipv6.csv"), nil, 0o600)
		if err := run(dir, filepath.Join(dir, "out.gz")); err == nil {
			t.Errorf("%s: converted", name)
		}
	}
}

// TestConvertCountry: -country reads the three-column country CSVs, each
// code becomes its packed value named by itself, neighbours of one
// country merge, and a code that is not two capital letters is refused.
func TestConvertCountry(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("geo-whois-asn-country-ipv4.csv", "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,AU\n1.0.4.0,1.0.7.255,CN\n")
	write("geo-whois-asn-country-ipv6.csv", "2003::,2003:ffff:ffff:ffff:ffff:ffff:ffff:ffff,DE\n")
	tab := convertAndDecode(t, dir, runCountry)
	if v4, v6 := tab.Len(); v4 != 2 || v6 != 1 {
		t.Errorf("ranges = %d IPv4, %d IPv6; want 2 (AU's two merged) and 1", v4, v6)
	}
	for addr, want := range map[string]string{"1.0.2.9": "AU", "1.0.5.1": "CN", "1.0.9.1": "", "2003::5": "DE"} {
		v, _ := tab.Lookup(netip.MustParseAddr(addr))
		if got := tab.Name(v); got != want || ipasn.CountryCode(v) != want {
			t.Errorf("%s: %q (%q), want %q", addr, got, ipasn.CountryCode(v), want)
		}
	}
	write("geo-whois-asn-country-ipv4.csv", "1.0.0.0,1.0.0.255,au\n")
	if err := runCountry(dir, filepath.Join(dir, "out.gz")); err == nil {
		t.Error("a lower-case code converted")
	}
}

// writer writes test CSVs into dir.
func writer(t *testing.T, dir string) func(name, body string) {
	return func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// convertAndDecode runs conv on dir's CSVs and decodes the table it wrote.
func convertAndDecode(t *testing.T, dir string, conv func(in, out string) error) *ipasn.Table {
	t.Helper()
	out := filepath.Join(dir, "table.bin.gz")
	if err := conv(dir, out); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ipasn.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}
