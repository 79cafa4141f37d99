//go:generate go -C ../../tools tool mdatagen ${PWD}/metadata.yaml

// Package auditeventsconnector turns each audited span into a log record,
// an audit event, so that a first-tier collector can route every token's
// items to one second-tier collector: the load_balancing exporter routes
// log records one by one but a trace as a whole, by its first span, which
// would split the state of a token that shares traces with others.
package auditeventsconnector // import "github.com/tokenaudit/tokenaudit/connector/auditeventsconnector"
