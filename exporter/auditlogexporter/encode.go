package auditlogexporter

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// ocsfClass names an OCSF 1.8.0 class and its category.
type ocsfClass struct {
	uid  int64
	head string // the category and class members, written as one
}

func newOCSFClass(category int64, categoryName string, uid int64, name string) ocsfClass {
	w := jsonWriter{}
	w.push()
	w.int("category_uid", category)
	w.trusted("category_name", categoryName)
	w.int("class_uid", uid)
	w.trusted("class_name", name)
	return ocsfClass{uid: uid, head: string(w.buf)}
}

var (
	apiActivityClass          = newOCSFClass(6, "Application Activity", 6003, "API Activity")
	detectionFindingClass     = newOCSFClass(2, "Findings", 2004, "Detection Finding")
	applicationLifecycleClass = newOCSFClass(6, "Application Activity", 6002, "Application Lifecycle")
)

// classification writes the members every record starts with; type_uid
// is class_uid × 100 + activity_id, as OCSF defines it.
func (e *encoder) classification(c *ocsfClass, act int64, actName string, sev int64, sevName string, t time.Time) {
	w := &e.w
	w.members(c.head)
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
	// eventID is the tokenaudit.event.id given on entry and not put in
	// attrs (see eventIDStamper); it is written as the attribute would be.
	eventID string
}

// encoder writes OCSF records into a caller's recordBatch. It is used by
// one goroutine at a time; encoders sharing a guard may run in parallel.
type encoder struct {
	version string
	w       jsonWriter
	msg     []byte // the message being composed
	guard   *guard
	cleaned map[string]cleanedValue
	seen    []seenValue // the record's guarded values, newest last
	attrs   attrIndex   // of the record being encoded
}

func newEncoder(version string, g *guard) *encoder {
	e := &encoder{version: version, guard: g, cleaned: map[string]cleanedValue{}, seen: make([]seenValue, 0, seenValues)}
	e.w.clean = e.clean
	e.w.cleanScratch = e.cleanScratch
	return e
}

// startRecord readies the writer and the guard's memo for a record whose
// body starts at the end of b.buf.
func (e *encoder) startRecord(b *recordBatch) {
	e.w.reset(b.buf)
	e.w.push()
	e.seen = e.seen[:0]
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

// A record writes some values twice (the principal, the resource, the
// token id, the service, the client address: once mapped, once under
// unmapped). The guard's verdict on the first seenValues values of a
// record is kept by where the value's bytes are, so a value written again
// is not scanned again; a pointer is cheaper to compare than the
// pre-filter's pass.
const seenValues = 8

type seenValue struct {
	p *byte
	n int
	c cleanedValue
}

// clean is the guard with a per-encoder memo of its verdicts on the
// values the pre-filter cannot clear.
func (e *encoder) clean(s string) string {
	if len(s) < 8 {
		return s
	}
	p := unsafe.StringData(s)
	for i := range e.seen {
		if v := &e.seen[i]; v.p == p && v.n == len(s) {
			if v.c.redacted > 0 {
				e.guard.redactions.Add(int64(v.c.redacted)) // every time it is written
			}
			return v.c.s
		}
	}
	c := e.cleanValue(s)
	if len(e.seen) < seenValues {
		e.seen = append(e.seen, seenValue{p, len(s), c})
	}
	if c.redacted > 0 {
		e.guard.redactions.Add(int64(c.redacted))
	}
	return c.s
}

// cleanValue is the guard's verdict on s, through the memo of values the
// pre-filter cannot clear.
func (e *encoder) cleanValue(s string) cleanedValue {
	if auditattr.IsTokenID(s) || !e.guard.mayHold(s) {
		return cleanedValue{s: s}
	}
	if len(s) > cleanCacheMaxLen {
		var c cleanedValue
		c.s, c.redacted = e.guard.scanFull(s)
		return c
	}
	c, ok := e.cleaned[s]
	if !ok {
		c.s, c.redacted = e.guard.scanFull(s)
		if len(e.cleaned) >= cleanCacheEntries {
			clear(e.cleaned)
		}
		e.cleaned[s] = c
	}
	return c
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
func severityOf(violations strList, outcome string) (int64, string) {
	switch {
	case violations.n == 0:
		return 1, "Informational"
	case outcome == auditattr.OutcomeSuccess:
		return 4, "High"
	}
	return 3, "Medium"
}

// apiActivity encodes an audited span or log record as API Activity into b.
func (e *encoder) apiActivity(b *recordBatch, it *item, loggedMillis int64) {
	a := &e.attrs
	a.load(it.attrs)
	w := &e.w
	body := b.begin(e.version, loggedMillis, !it.traceID.IsEmpty(), pcommon.TraceID{})
	e.startRecord(b)

	action := a.str(slotAction)
	outcome := a.str(slotOutcome)
	violations := a.strList(slotViolations)
	act, actName := activityID(action)
	sev, sevName := severityOf(violations, outcome)
	status, statusName := statusOf(outcome)
	resource := a.str(slotResource)
	if resource == "" {
		resource = it.name
	}
	principal := a.str(slotPrincipalID)
	service := str(it.resource, "service.name")
	code := statusCodeOf(a)

	e.classification(&apiActivityClass, act, actName, sev, sevName, it.time)
	w.int("status_id", status)
	w.trusted("status", statusName)
	w.str("status_detail", outcome)
	code.write(w)
	token := a.str(slotTokenID)
	e.msg = appendActivityMessage(e.msg[:0], principal, token, resource, outcome, violations)
	w.scratch("message", e.msg)
	w.int("timezone_offset", 0) // every time is UTC

	w.open("actor")
	w.open("user")
	if principal == "" {
		principal = "unknown"
	}
	w.str("uid", principal)
	switch a.str(slotPrincipalType) {
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
	if token != "" {
		w.open("token")
		w.str("uid", token)
		w.members(`"type_id":7,"type":"API Token"`)
		if n, ok := a.integer(slotTokenIssuedAt); ok {
			w.int("created_time", n*1000)
		}
		if n, ok := a.integer(slotTokenExpiresAt); ok {
			w.int("expiration_time", n*1000)
		}
		w.close()
	}
	w.close()

	w.open("src_endpoint")
	if ip := a.str(slotClientAddress); ip != "" && validIP(ip) {
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
	method := a.firstStr(slotHTTPRequestMethod, slotHTTPMethod)
	if method != "" {
		w.open("http_request")
		w.str("http_method", method)
		w.str("user_agent", a.firstStr(slotUserAgentOriginal, slotHTTPUserAgent))
		if path := a.firstStr(slotURLPath, slotHTTPTarget, slotHTTPRoute); path != "" {
			w.open("url")
			w.str("path", path)
			w.str("scheme", a.firstStr(slotURLScheme, slotHTTPScheme))
			w.str("hostname", a.firstStr(slotServerAddress, slotNetHostName))
			w.close()
		}
		w.close()
	}
	if n, ok := code.number(); ok && method != "" {
		w.open("http_response")
		w.int("code", n)
		w.close()
	}
	e.writeResource(resource)
	e.writeTrace(it)
	if !it.isSpan && it.body.Type() == pcommon.ValueTypeStr {
		w.str("raw_data", it.body.Str())
	}
	e.writeUnmapped(it, false)
	a.reset()
	b.buf = w.buf
	b.end("api_activity", body)
}

func appendActivityMessage(b []byte, principal, token, resource, outcome string, violations strList) []byte {
	if principal == "" {
		principal = "an unknown principal"
	}
	b = append(b, principal...)
	switch outcome {
	case "":
		b = append(b, " called "...)
	default:
		b = append(b, " called ("...)
		b = append(b, outcome...)
		b = append(b, ") "...)
	}
	if resource == "" {
		resource = "an unknown resource"
	}
	b = append(b, resource...)
	if token != "" {
		b = append(b, " with token "...)
		b = append(b, token...)
	}
	for i := 0; i < violations.n; i++ {
		if i == 0 {
			b = append(b, "; violations: "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, violations.at(i)...)
	}
	return b
}

// cleanScratch is clean for a value composed in the encoder's scratch
// space: it reads the bytes in place, and never keeps them in a memo,
// since the next record overwrites them.
func (e *encoder) cleanScratch(b []byte) string {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if len(s) < 8 || !e.guard.mayHold(s) {
		return s
	}
	c, n := e.guard.scanFull(s)
	e.guard.redactions.Add(int64(n))
	return c
}

// statusCode is the response code of a request: as the attribute has it
// (a string), or a number.
type statusCode struct {
	s     string
	n     int64
	isNum bool
}

func statusCodeOf(a *attrIndex) statusCode {
	if s := a.firstStr(slotHTTPResponseStatusCode, slotHTTPStatusCode); s != "" {
		return statusCode{s: s}
	}
	for _, i := range [...]slot{slotHTTPResponseStatusCode, slotHTTPStatusCode, slotRPCGRPCStatusCode} {
		if n, ok := a.integer(i); ok {
			return statusCode{n: n, isNum: true}
		}
	}
	return statusCode{}
}

// write writes status_code, a string member either way.
func (c statusCode) write(w *jsonWriter) {
	if !c.isNum {
		w.str("status_code", c.s)
		return
	}
	w.key("status_code")
	w.buf = append(w.buf, '"')
	w.buf = strconv.AppendInt(w.buf, c.n, 10)
	w.buf = append(w.buf, '"')
}

func (c statusCode) number() (int64, bool) {
	if c.isNum {
		return c.n, true
	}
	n, err := strconv.Atoi(c.s)
	return int64(n), err == nil
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

// writeTrace adds the trace profile's trace object when there is a trace
// id; metadata lists the profile then.
func (e *encoder) writeTrace(it *item) {
	if it.traceID.IsEmpty() {
		return
	}
	w := &e.w
	w.open("trace")
	w.hex("uid", it.traceID[:])
	if !it.spanID.IsEmpty() && it.isSpan && it.start != 0 {
		w.open("span")
		w.hex("uid", it.spanID[:])
		w.int("start_time", it.start.AsTime().UnixMilli())
		w.int("end_time", it.end.AsTime().UnixMilli())
		w.str("operation", it.name)
		w.close()
	} else if !it.spanID.IsEmpty() {
		w.open("span")
		w.hex("uid", it.spanID[:])
		ms := it.time.UnixMilli()
		w.int("start_time", ms)
		w.int("end_time", ms)
		w.close()
	}
	w.close()
}

// writeUnmapped, after e.attrs.load(it.attrs), keeps every contract attribute as the processor wrote it,
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
	if it.eventID != "" {
		// Where PutStr would have put it: after every attribute.
		w.key(strings.TrimPrefix(auditattr.EventID, "tokenaudit."))
		w.buf = appendString(w.buf, w.clean(it.eventID))
	}
	w.close()
	if pos, ok := filePositionOf(&e.attrs); ok {
		w.open("log_file")
		w.str("path", pos.file)
		w.int(strings.TrimPrefix(pos.key, "log.file."), pos.offset)
		w.close()
	}
	if trace && !it.traceID.IsEmpty() {
		w.open("trace")
		w.hex("uid", it.traceID[:])
		if !it.spanID.IsEmpty() {
			w.hex("span_uid", it.spanID[:])
		}
		w.close()
	}
	w.close()
}

func validIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
