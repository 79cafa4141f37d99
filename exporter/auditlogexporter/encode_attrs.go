package auditlogexporter

import (
	"fmt"
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
	vals  [slotCount]pcommon.Value
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
	return x.at(slot(i))
}

// at is the attribute in slot i, if the record has it.
func (x *attrIndex) at(i slot) (pcommon.Value, bool) {
	if x.found&(1<<i) == 0 {
		return pcommon.Value{}, false
	}
	return x.vals[i], true
}

// str, integer, strList and firstStr read by slot as the functions of
// the same names read by name.
func (x *attrIndex) str(i slot) string { return strValue(x.at(i)) }

func (x *attrIndex) integer(i slot) (int64, bool) { return integerValue(x.at(i)) }

func (x *attrIndex) strList(i slot) strList { return strListValue(x.at(i)) }

func (x *attrIndex) firstStr(slots ...slot) string {
	for _, i := range slots {
		if s := x.str(i); s != "" {
			return s
		}
	}
	return ""
}

// slot names an attribute the encoders read by name: its place in
// attrIndex. The hot path (apiActivity) reads by slot, a load from an
// array; a lookup by name hashes the name first (keySlots).
type slot int8

const (
	slotAction slot = iota
	slotOutcome
	slotViolations
	slotResource
	slotPrincipalID
	slotPrincipalType
	slotTokenID
	slotTokenIssuedAt
	slotTokenExpiresAt
	slotClientAddress
	slotHTTPRequestMethod
	slotHTTPMethod
	slotUserAgentOriginal
	slotHTTPUserAgent
	slotURLPath
	slotHTTPTarget
	slotHTTPRoute
	slotURLScheme
	slotHTTPScheme
	slotServerAddress
	slotNetHostName
	slotHTTPResponseStatusCode
	slotHTTPStatusCode
	slotRPCGRPCStatusCode
	slotFilePath
	slotFileName
	slotRecordOffset
	slotRecordNumber
	slotFindingCount
	slotFindingType
	slotFindingID
	slotFindingFirstSeen
	slotFindingLastSeen
	slotCount // how many
)

// indexedKeyNames are the attributes the encoders read by name; a key's
// slot in attrIndex is its index here.
var indexedKeyNames = [slotCount]string{
	slotAction: auditattr.Action, slotOutcome: auditattr.Outcome, slotViolations: auditattr.Violations,
	slotResource: auditattr.Resource, slotPrincipalID: auditattr.PrincipalID, slotPrincipalType: auditattr.PrincipalType,
	slotTokenID: auditattr.TokenID, slotTokenIssuedAt: auditattr.TokenIssuedAt, slotTokenExpiresAt: auditattr.TokenExpiresAt,
	slotClientAddress:     auditattr.ClientAddress,
	slotHTTPRequestMethod: "http.request.method", slotHTTPMethod: "http.method",
	slotUserAgentOriginal: "user_agent.original", slotHTTPUserAgent: "http.user_agent",
	slotURLPath: "url.path", slotHTTPTarget: "http.target", slotHTTPRoute: "http.route",
	slotURLScheme: "url.scheme", slotHTTPScheme: "http.scheme",
	slotServerAddress: "server.address", slotNetHostName: "net.host.name",
	slotHTTPResponseStatusCode: "http.response.status_code", slotHTTPStatusCode: "http.status_code",
	slotRPCGRPCStatusCode: "rpc.grpc.status_code",
	slotFilePath:          attrFilePath, slotFileName: attrFileName, slotRecordOffset: attrRecordOffset, slotRecordNumber: attrRecordNumber,
	slotFindingCount: auditattr.FindingCount, slotFindingType: auditattr.FindingType, slotFindingID: auditattr.FindingID,
	slotFindingFirstSeen: auditattr.FindingFirstSeen, slotFindingLastSeen: auditattr.FindingLastSeen,
}

const indexedKeys = int(slotCount)

// keySlots maps keyHash of each indexed key to its slot + 1 (0: none).
// keyHash is collision-free on indexedKeyNames (newKeySlots checks), so a
// lookup is one hash and one string comparison.
var keySlots = newKeySlots()

const keySlotsLen = 128 // a power of two

func keyHash(k string) int {
	n := len(k)
	return (n*4 + int(k[n-1])*55 + int(k[n/2])) & (keySlotsLen - 1)
}

func newKeySlots() (t [keySlotsLen]int8) {
	for i, k := range indexedKeyNames {
		h := keyHash(k)
		if t[h] != 0 {
			panic(fmt.Sprintf("auditlogexporter: keyHash gives %q and %q the same value: change its factors", k, indexedKeyNames[t[h]-1]))
		}
		t[h] = int8(i + 1)
	}
	return t
}

// indexedSlot is k's slot, or -1 for a key not indexed.
func indexedSlot(k string) int {
	if k == "" {
		return -1
	}
	s := int(keySlots[keyHash(k)]) - 1
	if s < 0 || indexedKeyNames[s] != k {
		return -1
	}
	return s
}

func str[M attrGetter](m M, k string) string { return strValue(m.Get(k)) }

func strValue(v pcommon.Value, ok bool) string {
	if ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

func integer[M attrGetter](m M, k string) (int64, bool) { return integerValue(m.Get(k)) }

func integerValue(v pcommon.Value, ok bool) (int64, bool) {
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

func strListValue(v pcommon.Value, ok bool) strList {
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
