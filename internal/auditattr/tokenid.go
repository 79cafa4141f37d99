package auditattr

import "fmt"

// Redacted stands where a secret was and no token id can: the processor's
// redact mode and scrub-only findings, and whatever the audit_log guard
// still catches. It is the word the URL semantic conventions use.
const Redacted = "REDACTED"

// A token id (TokenID) is the processor's configured prefix followed by
// TokenIDHexDigits lowercase hex digits of the credential's keyed
// fingerprint.
const (
	TokenIDHexDigits    = 32
	MaxTokenIDPrefixLen = 16
)

// CheckTokenIDPrefix says whether p may start token ids: 1 to 16 of a-z,
// 0-9, _ and -, the last not a hex digit. The last rule keeps an id from
// reading as a bare hex key, and lets IsTokenID recognise the ids of every
// prefix this accepts without being told which one is configured.
func CheckTokenIDPrefix(p string) error {
	if !validPrefix(p) {
		return fmt.Errorf("%q must be 1 to %d characters of a-z, 0-9, _ and -, ending in g-z, _ or - (as tok_), so that its ids never read as a bare hex key", p, MaxTokenIDPrefixLen)
	}
	return nil
}

// IsTokenID recognises a token id under any prefix CheckTokenIDPrefix
// accepts: it is already safe to show, and exactly what a record shows.
func IsTokenID(s string) bool {
	n := len(s) - TokenIDHexDigits
	if n < 1 {
		return false
	}
	for i := n; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return validPrefix(s[:n])
}

func validPrefix(p string) bool {
	if len(p) == 0 || len(p) > MaxTokenIDPrefixLen || isLowerHex(p[len(p)-1]) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}
