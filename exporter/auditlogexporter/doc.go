//go:generate go -C ../../tools tool mdatagen ${PWD}/metadata.yaml

// Package auditlogexporter writes audited spans and log records, and the
// token_anomaly connector's alerts, as OCSF 1.8.0 records to a
// tamper-evident, durable local log that `auditctl verify` checks.
package auditlogexporter
