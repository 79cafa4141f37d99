// Package ipcountrydata is the IP-to-country table of ip-location-db's
// geo-whois-asn-country package (the five RIRs' WHOIS, geofeeds and the
// AS table), converted by internal/ipasn/mkipasn -country and embedded so
// that no component reads a path outside the repository for it.
package ipcountrydata

import _ "embed"

// Table is the compressed table in package ipasn's binary form, a
// country's packed code as each range's value.
//
//go:embed country.bin.gz
var Table []byte
