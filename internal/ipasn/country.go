package ipasn

import (
	"net/netip"
	"sync"

	ipcountrydata "github.com/tokenaudit/tokenaudit/third_party/ip-location-db-country"
)

// The country table (third_party/ip-location-db-country) has the AS
// table's form: each range's value is its country's ISO 3166-1 alpha-2
// code packed by CountryValue, and the code is that value's name. So
// Lookup answers a country's value and Name its code.

// CountryValue packs a two-letter country code (upper case) into the
// value the country table stores; false for anything else.
func CountryValue(code string) (uint32, bool) {
	if len(code) != 2 || !upper(code[0]) || !upper(code[1]) {
		return 0, false
	}
	return uint32(code[0])<<8 | uint32(code[1]), true
}

func upper(c byte) bool { return c >= 'A' && c <= 'Z' }

// CountryCode is CountryValue's inverse: "" for a value that packs no code.
func CountryCode(v uint32) string {
	code := string([]byte{byte(v >> 8), byte(v)})
	if w, ok := CountryValue(code); !ok || w != v {
		return ""
	}
	return code
}

// Country returns the country of a global unicast address as the country
// table t says, and false for any other (private, shared, documentation,
// benchmarking: the table's sources place some of those blocks in the
// country of the registry that holds them) or a nil table.
func Country(t *Table, a netip.Addr) (uint32, bool) {
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || special(a) {
		return 0, false
	}
	return t.Lookup(a)
}

// specialBlocks are the IANA special-purpose blocks (RFC 6890 and its
// updates) that IsGlobalUnicast and IsPrivate let through.
var specialBlocks = [...]netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
}

func special(a netip.Addr) bool {
	for _, p := range specialBlocks {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// vendoredCountries decodes the embedded country table once per process,
// as vendored does the AS table.
var vendoredCountries = sync.OnceValues(func() (*Table, error) { return Decode(ipcountrydata.Table) })

// VendoredCountries returns the country table vendored in
// third_party/ip-location-db-country.
func VendoredCountries() (*Table, error) { return vendoredCountries() }
