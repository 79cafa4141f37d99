// Package integration drives the built otelcol-tokenaudit distribution over
// OTLP on loopback. `make test` builds the binary and runs it; with
// OTELCOL_BIN unset the tests skip, unless CI is set, when they fail.
package integration
