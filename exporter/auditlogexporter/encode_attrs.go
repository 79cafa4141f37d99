package auditlogexporter

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// attrGetter is what the encoder reads attributes through: a pcommon.Map,
// or a record's attrIndex.
type attrGetter interface {
	Get(key string) (pcommon.Value, bool)
}

// attrIndex holds the attributes the encoder reads by name, found in one
// pass over a record's attributes: a lookup is then a switch on the name
// instead of a scan of the 20 to 30 attributes of a span. Keys it does not
// index are looked up in the map.
type attrIndex struct {
	m     pcommon.Map
	vals  [indexedKeys]pcommon.Value
	found uint64
}

// load indexes m. Like Map.Get, the first of duplicate keys wins.
func (x *attrIndex) load(m pcommon.Map) {
	x.m, x.found = m, 0
	m.Range(func(k string, v pcommon.Value) bool {
		if i := indexedSlot(k); i >= 0 && x.found&(1<<i) == 0 {
			x.vals[i] = v
			x.found |= 1 << i
		}
		return true
	})
}

// reset drops the references to the record's attributes, so a pooled
// encoder does not keep a batch alive.
func (x *attrIndex) reset() { *x = attrIndex{} }

func (x *attrIndex) Get(k string) (pcommon.Value, bool) {
	i := indexedSlot(k)
	if i < 0 {
		return x.m.Get(k)
	}
	if x.found&(1<<i) == 0 {
		return pcommon.Value{}, false
	}
	return x.vals[i], true
}

const indexedKeys = 33

// indexedSlot numbers the attributes the encoders read; -1 for others.
func indexedSlot(k string) int {
	switch k {
	case auditattr.Action:
		return 0
	case auditattr.Outcome:
		return 1
	case auditattr.Violations:
		return 2
	case auditattr.Resource:
		return 3
	case auditattr.PrincipalID:
		return 4
	case auditattr.PrincipalType:
		return 5
	case auditattr.TokenID:
		return 6
	case auditattr.TokenIssuedAt:
		return 7
	case auditattr.TokenExpiresAt:
		return 8
	case auditattr.ClientAddress:
		return 9
	case "http.request.method":
		return 10
	case "http.method":
		return 11
	case "user_agent.original":
		return 12
	case "http.user_agent":
		return 13
	case "url.path":
		return 14
	case "http.target":
		return 15
	case "http.route":
		return 16
	case "url.scheme":
		return 17
	case "http.scheme":
		return 18
	case "server.address":
		return 19
	case "net.host.name":
		return 20
	case "http.response.status_code":
		return 21
	case "http.status_code":
		return 22
	case "rpc.grpc.status_code":
		return 23
	case attrFilePath:
		return 24
	case attrFileName:
		return 25
	case attrRecordOffset:
		return 26
	case attrRecordNumber:
		return 27
	case auditattr.FindingCount:
		return 28
	case auditattr.FindingType:
		return 29
	case auditattr.FindingID:
		return 30
	case auditattr.FindingFirstSeen:
		return 31
	case auditattr.FindingLastSeen:
		return 32
	}
	return -1
}

func str[M attrGetter](m M, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

func integer[M attrGetter](m M, k string) (int64, bool) {
	v, ok := m.Get(k)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		return int64(v.Double()), true
	case pcommon.ValueTypeStr:
		n, err := strconv.ParseInt(v.Str(), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// strList is a string attribute or a list of values, read in place.
type strList struct {
	v pcommon.Value
	n int
}

func strListOf[M attrGetter](m M, k string) strList {
	v, ok := m.Get(k)
	switch {
	case !ok:
		return strList{}
	case v.Type() == pcommon.ValueTypeStr:
		return strList{v, 1}
	case v.Type() == pcommon.ValueTypeSlice:
		return strList{v, v.Slice().Len()}
	}
	return strList{}
}

func (l strList) at(i int) string {
	if l.v.Type() == pcommon.ValueTypeStr {
		return l.v.Str()
	}
	return l.v.Slice().At(i).AsString()
}

// firstStr returns the first non-empty string attribute among keys.
func firstStr[M attrGetter](m M, keys ...string) string {
	for _, k := range keys {
		if s := str(m, k); s != "" {
			return s
		}
	}
	return ""
}
