// Package ipasndata is the IP-to-AS table of ip-location-db's asn package
// (RouteViews, the five RIRs and DB-IP's IP to ASN Lite), converted by
// internal/ipasn/mkipasn and embedded so that no component reads a path
// outside the repository for it.
package ipasndata

import _ "embed"

// Table is the compressed table in package ipasn's binary form.
//
//go:embed asn.bin.gz
var Table []byte
