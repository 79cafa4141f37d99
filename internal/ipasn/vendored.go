package ipasn

import (
	"sync"

	ipasndata "github.com/tokenaudit/tokenaudit/third_party/ip-location-db-asn"
)

// vendored decodes the embedded table once per process: it is read-only
// data like the embedded file itself, and decoding it costs about 80 ms
// and 9 MB, which every connector (and every test) would otherwise pay.
var vendored = sync.OnceValues(func() (*Table, error) { return Decode(ipasndata.Table) })

// Vendored returns the table vendored in third_party/ip-location-db-asn.
func Vendored() (*Table, error) { return vendored() }
