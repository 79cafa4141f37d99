//go:generate go -C ../../tools tool mdatagen ${PWD}/metadata.yaml

// Package tokenauditprocessor finds API credentials in spans and log records,
// replaces them with a keyed fingerprint and adds who used which token on what,
// with what outcome, from where, and the stateless policy verdicts.
package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"
