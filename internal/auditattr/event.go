package auditattr

// EventSpan is the EventName of an audit event: an audited span that the
// audit_events connector turned into a log record, so that a load
// balancer can route it on its own token. The record keeps the span's
// trace and span ids, attributes, resource and scope; its Timestamp is
// the span's start and its body is a map with the keys below. The
// audit_log exporter records it as it would the span.
const EventSpan = "tokenaudit.span"

// Keys of an audit event's body.
const (
	SpanBodyName       = "name"
	SpanBodyKind       = "kind"               // Server, Client, …
	SpanBodyEnd        = "end_time_unix_nano" // int
	SpanBodyStatusCode = "status_code"        // Unset, Ok, Error
)
