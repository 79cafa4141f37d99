package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Input attribute names: the stable semantic conventions first, then the
// older names many SDKs still emit.
var (
	methodKeys     = []string{"http.request.method", "http.method"}
	routeKeys      = []string{"http.route"}
	pathKeys       = []string{"url.path", "http.target"}
	fullURLKeys    = []string{"url.full", "http.url"} // a client span's only URL
	httpStatusKeys = []string{"http.response.status_code", "http.status_code"}
	// Connect RPC records only its error code (unauthenticated,
	// permission_denied: gRPC's names in lower case), none on success.
	rpcStatusKeys = []string{"rpc.response.status_code", "rpc.grpc.status_code", "rpc.connect_rpc.error_code"}
)

// first returns the first present attribute among keys.
func first(attrs pcommon.Map, keys []string) (pcommon.Value, bool) {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok {
			return v, true
		}
	}
	return pcommon.Value{}, false
}

func firstStr(attrs pcommon.Map, keys []string) string {
	if v, ok := first(attrs, keys); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// knownMethods keeps resource names low-cardinality: any other method
// string collapses to _OTHER, as the HTTP semantic conventions do.
var knownMethods = map[string]string{
	"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH",
	"DELETE": "DELETE", "OPTIONS": "OPTIONS", "CONNECT": "CONNECT", "TRACE": "TRACE",
}

// requestResource returns the resource ("GET /users/{id}" or
// "pkg.Service/Method") and the HTTP method, "" when unknown.
func requestResource(attrs pcommon.Map, names *resourceNames) (resource, method string) {
	if m := firstStr(attrs, methodKeys); m != "" {
		method = knownMethods[strings.ToUpper(m)]
		if method == "" {
			method = "_OTHER"
		}
		route := firstStr(attrs, routeKeys)
		if route == "" {
			route = normalizePath(firstStr(attrs, pathKeys))
		}
		if route == "" {
			route = normalizePath(absoluteURLPath(firstStr(attrs, fullURLKeys)))
		}
		if route == "" {
			return method, method
		}
		return names.join(method, route), method
	}
	if m := firstStr(attrs, []string{"rpc.method"}); m != "" {
		if strings.Contains(m, "/") {
			return truncate(m, 256), ""
		}
		if svc := firstStr(attrs, []string{"rpc.service"}); svc != "" {
			return truncate(svc+"/"+m, 256), ""
		}
		return truncate(m, 256), ""
	}
	return "", ""
}

// absoluteURLPath returns the path, query and fragment of an absolute URL
// ("/" when it has none), or "" when s is not one. HTTP client spans carry
// only url.full (http.url before the stable conventions), no url.path.
func absoluteURLPath(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return ""
	}
	rest := s[i+3:]
	j := strings.IndexAny(rest, "/?#")
	if j < 0 || rest[j] != '/' {
		return "/"
	}
	return rest[j:]
}

// resourceNames remembers the "METHOD route" names a scratch has built:
// a service has few routes and many spans, so a span reuses its route's
// name instead of allocating it. Bounded: it starts over when full, and
// a route longer than a route should be (a hostile span's) is not kept.
type resourceNames map[[2]string]string

const (
	maxResourceNames = 512
	maxMemoRoute     = 256 // bytes
)

func (n *resourceNames) join(method, route string) string {
	if len(route) > maxMemoRoute {
		return method + " " + canonicalRoute(route)
	}
	if s, ok := (*n)[[2]string{method, route}]; ok {
		return s
	}
	if *n == nil || len(*n) >= maxResourceNames {
		*n = make(resourceNames, 64)
	}
	s := method + " " + canonicalRoute(route)
	// The key outlives the request: it must not share its buffer.
	(*n)[[2]string{method, strings.Clone(route)}] = s
	return s
}

// action derives read/create/update/delete from the HTTP method, or from
// the RPC method's verb.
func action(resource, method string) string {
	switch method {
	case "GET", "HEAD", "OPTIONS":
		return auditattr.ActionRead
	case "POST":
		return auditattr.ActionCreate
	case "PUT", "PATCH":
		return auditattr.ActionUpdate
	case "DELETE":
		return auditattr.ActionDelete
	case "":
	default:
		return auditattr.ActionOther
	}
	name := resource[strings.LastIndexByte(resource, '/')+1:]
	for _, v := range []struct{ prefix, action string }{
		{"Get", auditattr.ActionRead}, {"List", auditattr.ActionRead}, {"Read", auditattr.ActionRead},
		{"Search", auditattr.ActionRead}, {"Watch", auditattr.ActionRead},
		{"Create", auditattr.ActionCreate}, {"Add", auditattr.ActionCreate}, {"Insert", auditattr.ActionCreate},
		{"Update", auditattr.ActionUpdate}, {"Set", auditattr.ActionUpdate}, {"Patch", auditattr.ActionUpdate},
		{"Delete", auditattr.ActionDelete}, {"Remove", auditattr.ActionDelete},
	} {
		if strings.HasPrefix(name, v.prefix) {
			return v.action
		}
	}
	return auditattr.ActionOther
}

// gRPC codes that decide the outcome; the others (OK, NOT_FOUND, …) mean
// the credential was accepted.
var rpcOutcomes = map[string]string{
	"16": auditattr.OutcomeFailure, "UNAUTHENTICATED": auditattr.OutcomeFailure,
	"7": auditattr.OutcomeDenied, "PERMISSION_DENIED": auditattr.OutcomeDenied,
	"2": auditattr.OutcomeError, "UNKNOWN": auditattr.OutcomeError,
	"13": auditattr.OutcomeError, "INTERNAL": auditattr.OutcomeError,
	"14": auditattr.OutcomeError, "UNAVAILABLE": auditattr.OutcomeError,
	"15": auditattr.OutcomeError, "DATA_LOSS": auditattr.OutcomeError,
	"4": auditattr.OutcomeError, "DEADLINE_EXCEEDED": auditattr.OutcomeError,
}

// outcome decides success/failure/denied/error from the HTTP status, then
// the RPC status, then the span status (spanError). A log record without
// a status (isSpan false) has no outcome: an application's log line
// proves no request was served.
func (p *tokenAudit) outcome(attrs pcommon.Map, spanError, isSpan bool) string {
	if v, ok := first(attrs, httpStatusKeys); ok {
		if code, ok := intValue(v); ok {
			switch {
			case p.failureCodes[code]:
				return auditattr.OutcomeFailure
			case p.deniedCodes[code]:
				return auditattr.OutcomeDenied
			case code >= 500:
				return auditattr.OutcomeError
			}
			return auditattr.OutcomeSuccess
		}
	}
	if v, ok := first(attrs, rpcStatusKeys); ok {
		if o, ok := rpcOutcomes[strings.ToUpper(v.AsString())]; ok {
			return o
		}
		return auditattr.OutcomeSuccess
	}
	if spanError {
		return auditattr.OutcomeError
	}
	if !isSpan {
		return ""
	}
	return auditattr.OutcomeSuccess
}

func intValue(v pcommon.Value) (int, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return int(v.Int()), true
	case pcommon.ValueTypeDouble:
		return int(v.Double()), true
	case pcommon.ValueTypeStr:
		n, err := strconv.Atoi(strings.TrimSpace(v.Str()))
		return n, err == nil
	}
	return 0, false
}
