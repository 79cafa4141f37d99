//go:generate go -C ../../tools tool mdatagen ${PWD}/metadata.yaml

// Package tokenanomalyconnector keeps per-token history of the attribute
// contract written by token_audit, detects misuse that needs history, and
// emits metrics and alert log records. It never passes its input through.
package tokenanomalyconnector // import "github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector"
