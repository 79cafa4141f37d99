package auditlogexporter

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// ocsfClass names an OCSF 1.8.0 class and its category.
type ocsfClass struct {
	category     int64
	categoryName string
	uid          int64
	name         string
}

var (
	apiActivityClass          = ocsfClass{6, "Application Activity", 6003, "API Activity"}
	detectionFindingClass     = ocsfClass{2, "Findings", 2004, "Detection Finding"}
	applicationLifecycleClass = ocsfClass{6, "Application Activity", 6002, "Application Lifecycle"}
)

// classification writes the members every record starts with; type_uid
// is class_uid × 100 + activity_id, as OCSF defines it.
func (e *encoder) classification(c ocsfClass, act int64, actName string, sev int64, sevName string, t time.Time) {
	w := &e.w
	w.int("category_uid", c.category)
	w.trusted("category_name", c.categoryName)
	w.int("class_uid", c.uid)
	w.trusted("class_name", c.name)
	w.int("activity_id", act)
	w.trusted("activity_name", actName)
	w.int("type_uid", c.uid*100+act)
	w.int("severity_id", sev)
	w.trusted("severity", sevName)
	w.int("time", t.UnixMilli())
}

// item is one span or log record, as the encoder needs it.
type item struct {
	attrs    pcommon.Map
	resource pcommon.Map
	time     time.Time
	traceID  pcommon.TraceID
	spanID   pcommon.SpanID
	// Spans only.
	isSpan     bool
	name       string
	start, end pcommon.Timestamp
	// Logs only.
	body pcommon.Value
}

// encoder writes OCSF records. It is used by one batch at a time.
type encoder struct {
	version string
	w       jsonWriter
	body    []byte
	guard   *guard
	cleaned map[string]cleanedValue
}

func newEncoder(version string, g *guard) *encoder {
	e := &encoder{version: version, guard: g, cleaned: map[string]cleanedValue{}}
	e.w.clean = e.clean
	return e
}

type cleanedValue struct {
	s        string
	redacted int
}

// Most values repeat from record to record (token ids, resources,
// principals, outcomes): the guard's verdict on a short value is kept.
const (
	cleanCacheEntries = 8192
	cleanCacheMaxLen  = 256
)

// clean is the guard with a per-encoder memo.
func (e *encoder) clean(s string) string {
	if len(s) < 8 || auditattr.IsTokenID(s) {
		return s
	}
	if len(s) > cleanCacheMaxLen {
		return e.guard.clean(s)
	}
	c, ok := e.cleaned[s]
	if !ok {
		c.s, c.redacted = e.guard.scan(s)
		if len(e.cleaned) >= cleanCacheEntries {
			clear(e.cleaned)
		}
		e.cleaned[s] = c
	}
	if c.redacted > 0 {
		e.guard.redactions.Add(int64(c.redacted)) // every time it is written
	}
	return c.s
}

func str(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

func integer(m pcommon.Map, k string) (int64, bool) {
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

func strList(m pcommon.Map, k string) []string {
	v, ok := m.Get(k)
	if !ok {
		return nil
	}
	if v.Type() == pcommon.ValueTypeStr {
		return []string{v.Str()}
	}
	if v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	out := make([]string, 0, v.Slice().Len())
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).AsString())
	}
	return out
}

// firstStr returns the first non-empty string attribute among keys.
func firstStr(m pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if s := str(m, k); s != "" {
			return s
		}
	}
	return ""
}

func activityID(action string) (int64, string) {
	switch action {
	case auditattr.ActionCreate:
		return 1, "Create"
	case auditattr.ActionRead:
		return 2, "Read"
	case auditattr.ActionUpdate:
		return 3, "Update"
	case auditattr.ActionDelete:
		return 4, "Delete"
	case "":
		return 0, "Unknown"
	}
	return 99, "Other"
}

func statusOf(outcome string) (int64, string) {
	switch outcome {
	case auditattr.OutcomeSuccess:
		return 1, "Success"
	case auditattr.OutcomeFailure, auditattr.OutcomeDenied, auditattr.OutcomeError:
		return 2, "Failure"
	}
	return 0, "Unknown"
}

// severityOf rates an audited request: a policy violation is Medium, and
// High when the out-of-policy call succeeded.
func severityOf(violations []string, outcome string) (int64, string) {
	switch {
	case len(violations) == 0:
		return 1, "Informational"
	case outcome == auditattr.OutcomeSuccess:
		return 4, "High"
	}
	return 3, "Medium"
}

// apiActivity encodes an audited span or log record as API Activity.
func (e *encoder) apiActivity(it *item, loggedMillis int64) *record {
	a := it.attrs
	w := &e.w
	w.reset(e.body[:0])
	w.comma = append(w.comma, false)

	action := str(a, auditattr.Action)
	outcome := str(a, auditattr.Outcome)
	violations := strList(a, auditattr.Violations)
	act, actName := activityID(action)
	sev, sevName := severityOf(violations, outcome)
	status, statusName := statusOf(outcome)
	resource := firstStr(a, auditattr.Resource)
	if resource == "" {
		resource = it.name
	}
	principal := str(a, auditattr.PrincipalID)
	service := str(it.resource, "service.name")
	code := firstStr(a, "http.response.status_code", "http.status_code")
	if code == "" {
		if n, ok := integer(a, "http.response.status_code"); ok {
			code = strconv.FormatInt(n, 10)
		} else if n, ok := integer(a, "http.status_code"); ok {
			code = strconv.FormatInt(n, 10)
		} else if n, ok := integer(a, "rpc.grpc.status_code"); ok {
			code = strconv.FormatInt(n, 10)
		}
	}

	e.classification(apiActivityClass, act, actName, sev, sevName, it.time)
	w.int("status_id", status)
	w.trusted("status", statusName)
	w.str("status_detail", outcome)
	w.str("status_code", code)
	w.str("message", activityMessage(principal, str(a, auditattr.TokenID), resource, outcome, violations))
	w.int("timezone_offset", 0) // every time is UTC

	w.open("actor")
	w.open("user")
	if principal == "" {
		principal = "unknown"
	}
	w.str("uid", principal)
	switch str(a, auditattr.PrincipalType) {
	case auditattr.PrincipalUser:
		w.int("type_id", 1)
		w.trusted("type", "User")
	case auditattr.PrincipalService:
		w.int("type_id", 99)
		w.trusted("type", "Service")
	default:
		w.int("type_id", 0)
		w.trusted("type", "Unknown")
	}
	w.close()
	w.close()

	w.open("api")
	w.str("operation", resource)
	if service != "" {
		w.open("service")
		w.str("name", service)
		w.close()
	}
	if tok := str(a, auditattr.TokenID); tok != "" {
		w.open("token")
		w.str("uid", tok)
		w.int("type_id", 7)
		w.trusted("type", "API Token")
		if n, ok := integer(a, auditattr.TokenIssuedAt); ok {
			w.int("created_time", n*1000)
		}
		if n, ok := integer(a, auditattr.TokenExpiresAt); ok {
			w.int("expiration_time", n*1000)
		}
		w.close()
	}
	w.close()

	w.open("src_endpoint")
	if ip := str(a, auditattr.ClientAddress); ip != "" && validIP(ip) {
		w.str("ip", ip)
	} else {
		w.trusted("name", "unknown")
	}
	w.close()
	if service != "" {
		w.open("dst_endpoint")
		w.str("svc_name", service)
		w.close()
	}
	if method := firstStr(a, "http.request.method", "http.method"); method != "" {
		w.open("http_request")
		w.str("http_method", method)
		w.str("user_agent", firstStr(a, "user_agent.original", "http.user_agent"))
		if path := firstStr(a, "url.path", "http.target", "http.route"); path != "" {
			w.open("url")
			w.str("path", path)
			w.str("scheme", firstStr(a, "url.scheme", "http.scheme"))
			w.str("hostname", firstStr(a, "server.address", "net.host.name"))
			w.close()
		}
		w.close()
	}
	if n, err := strconv.Atoi(code); err == nil && firstStr(a, "http.request.method", "http.method") != "" {
		w.open("http_response")
		w.int("code", int64(n))
		w.close()
	}
	e.writeResource(resource)
	trace := e.writeTrace(it)
	if !it.isSpan && it.body.Type() == pcommon.ValueTypeStr {
		w.str("raw_data", it.body.Str())
	}
	e.writeUnmapped(it, false)
	e.body = w.buf
	return e.finish("api_activity", e.body, loggedMillis, trace, "")
}

func activityMessage(principal, token, resource, outcome string, violations []string) string {
	var b strings.Builder
	if principal == "" {
		principal = "an unknown principal"
	}
	b.WriteString(principal)
	switch outcome {
	case "":
		b.WriteString(" called ")
	default:
		b.WriteString(" called (")
		b.WriteString(outcome)
		b.WriteString(") ")
	}
	if resource == "" {
		resource = "an unknown resource"
	}
	b.WriteString(resource)
	if token != "" {
		b.WriteString(" with token ")
		b.WriteString(token)
	}
	if len(violations) > 0 {
		b.WriteString("; violations: ")
		b.WriteString(strings.Join(violations, ", "))
	}
	return b.String()
}

// writeResource lists the API resource the record is about, if known.
func (e *encoder) writeResource(name string) {
	if name == "" {
		return
	}
	w := &e.w
	w.openArray("resources")
	w.open("")
	w.str("name", name)
	w.trusted("type", "API")
	w.close()
	w.closeArray()
}

// writeTrace adds the trace profile's trace object; it reports whether it
// did, since the profile must then be listed in metadata.
func (e *encoder) writeTrace(it *item) bool {
	if it.traceID.IsEmpty() {
		return false
	}
	w := &e.w
	w.open("trace")
	w.trusted("uid", it.traceID.String())
	if !it.spanID.IsEmpty() && it.isSpan && it.start != 0 {
		w.open("span")
		w.trusted("uid", it.spanID.String())
		w.int("start_time", it.start.AsTime().UnixMilli())
		w.int("end_time", it.end.AsTime().UnixMilli())
		w.str("operation", it.name)
		w.close()
	} else if !it.spanID.IsEmpty() {
		w.open("span")
		w.trusted("uid", it.spanID.String())
		ms := it.time.UnixMilli()
		w.int("start_time", ms)
		w.int("end_time", ms)
		w.close()
	}
	w.close()
	return true
}

// writeUnmapped keeps every contract attribute as the processor wrote it,
// under unmapped.tokenaudit, so nothing it decided is lost in mapping.
// With trace, it also keeps the trace and span ids, for classes without
// the trace profile.
func (e *encoder) writeUnmapped(it *item, trace bool) {
	w := &e.w
	w.open("unmapped")
	w.open("tokenaudit")
	it.attrs.Range(func(k string, v pcommon.Value) bool {
		if name, ok := strings.CutPrefix(k, "tokenaudit."); ok {
			w.value(name, v, 0)
		}
		return true
	})
	w.close()
	if pos, ok := filePositionOf(it.attrs); ok {
		w.open("log_file")
		w.str("path", pos.file)
		w.int(strings.TrimPrefix(pos.key, "log.file."), pos.offset)
		w.close()
	}
	if trace && !it.traceID.IsEmpty() {
		w.open("trace")
		w.trusted("uid", it.traceID.String())
		if !it.spanID.IsEmpty() {
			w.trusted("span_uid", it.spanID.String())
		}
		w.close()
	}
	w.close()
}

func validIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
