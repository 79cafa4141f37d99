package ipasn

import (
	"net/netip"
	"testing"
)

func TestCountryValue(t *testing.T) {
	for _, tt := range []struct {
		code string
		ok   bool
	}{{"DE", true}, {"BR", true}, {"de", false}, {"D", false}, {"DEU", false}, {"D1", false}, {"", false}} {
		v, ok := CountryValue(tt.code)
		if ok != tt.ok {
			t.Errorf("CountryValue(%q) ok = %v, want %v", tt.code, ok, tt.ok)
		}
		if ok && CountryCode(v) != tt.code {
			t.Errorf("CountryCode(CountryValue(%q)) = %q", tt.code, CountryCode(v))
		}
	}
	for _, v := range []uint32{0, 'D', 'd'<<8 | 'e', 1<<16 | 'D'<<8 | 'E'} {
		if c := CountryCode(v); c != "" {
			t.Errorf("CountryCode(%#x) = %q, want none", v, c)
		}
	}
}

// TestVendoredCountries: the vendored table places well-known blocks in
// their countries, and no special-purpose block anywhere (its sources put
// the documentation ranges in the country of the registry that holds them).
func TestVendoredCountries(t *testing.T) {
	tab, err := VendoredCountries()
	if err != nil {
		t.Fatal(err)
	}
	if v4, v6 := tab.Len(); v4 < 100_000 || v6 < 50_000 {
		t.Errorf("ranges = %d IPv4, %d IPv6; the vendored table has hundreds of thousands", v4, v6)
	}
	for addr, want := range map[string]string{
		"79.192.62.88":        "DE", // Deutsche Telekom
		"187.19.158.223":      "BR", // Brisanet
		"113.161.2.92":        "VN", // VNPT
		"2003::1":             "DE", // Deutsche Telekom
		"198.51.100.7":        "",   // documentation
		"203.0.113.5":         "",   // documentation
		"192.0.2.1":           "",   // documentation
		"100.64.3.4":          "",   // shared address space
		"10.1.2.3":            "",
		"2001:db8::1":         "",
		"::ffff:79.192.62.88": "DE",
	} {
		v, ok := Country(tab, netip.MustParseAddr(addr))
		if got := CountryCode(v); got != want || ok != (want != "") {
			t.Errorf("Country(%s) = %q, %v; want %q", addr, got, ok, want)
		}
	}
	if _, ok := Country(nil, netip.MustParseAddr("79.192.62.88")); ok {
		t.Error("a nil table knows a country")
	}
}
