package auditattr

// EventID identifies one event (one request seen in a log record) apart
// from its content: two identical requests within a millisecond are two
// events with two ids, and every replay of one (a persistent queue after a
// crash, a retried export) carries the same id. Whoever first sees the
// record may set it; the audit_log exporter sets it, before its sending
// queue, on audited log records that have neither an id nor a position in
// a file. Its value is opaque: "evt_" and 32 hex digits when audit_log
// assigns it.
const EventID = "tokenaudit.event.id"
