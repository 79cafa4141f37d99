// Package report turns an audit log written by the audit_log exporter into a
// compliance report: who used which token on what, with what outcome, which
// tokens are stale, over-permissioned or badly scoped in time, every anomaly
// finding, and whether the log verified.
//
// It reads the log in one pass and keeps bounded aggregates (see Limits), so
// a log of any size fits in a fixed amount of memory. Build produces a
// *Report, the source of truth; the JSON, Markdown, CSV and HTML renderers
// all render that one struct.
package report
