package credential

import (
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// secretKeywords make a parameter name in free text secret-bearing, as
// secret scanners' generic rules read an assignment (gitleaks'
// generic-api-key): aws_secret_access_key=…, DB_PASSWORD=…,
// STRIPE_SECRET_KEY=…, x_auth_token=…, a credentials file's lines. The
// exact names of the query parameters list are credentials of their own
// (fingerprinted and reported); a value found only by a keyword in its
// name is scrubbed but not reported (Type ""): its form is unknown, so it
// may be no credential at all (secret_name=prod-db), and a finding would
// be a guess, while letting a real one through would be a leak (the
// seventh outside evaluation's AWS secret access key, written next to its
// access key id in a log line, left the processor and the guard).
var secretKeywords = []string{"secret", "password", "passwd", "passphrase", "token", "apikey", "api_key", "api-key", "private_key", "privatekey", "credential"}

// secretName reports whether a parameter name holds a secret keyword, in
// any case, and does not name where a secret is kept (password_file=,
// --access-token-file=, secret_path=).
func secretName(name string) bool {
	if n := len(name); n >= 4 {
		switch strings.ToLower(name[max(0, n-5):]) {
		case "_file", "-file", "_path", "-path":
			return false
		}
	}
	for _, kw := range secretKeywords {
		if indexFold(name, kw) >= 0 {
			return true
		}
	}
	return false
}

// secretValue reports whether a value after a secret-bearing name may be
// the secret: at least minTextToken bytes, not a number (a timestamp, a
// count or a lifetime: token_expires_at=1733500000), not a file path, and
// not what tokenaudit itself writes there (a token id, the redaction
// marker: "token.id": "tok_…" in a forwarded record).
func secretValue(v string) bool {
	if len(v) < minTextToken || v[0] == '/' || strings.HasPrefix(v, "./") ||
		auditattr.IsTokenID(v) || strings.HasPrefix(v, auditattr.Redacted) {
		return false
	}
	return strings.TrimLeft(v, "0123456789") != ""
}

// looksGenerated reports whether a value holds a digit or one of base64's
// symbols, as generated secrets do and prose does not: "name: value" is a
// JSON member or a YAML line, but also a sentence ("password: required").
func looksGenerated(v string) bool {
	return strings.ContainsAny(v, "0123456789+/=")
}

// scanColonParams calls fn for each "name": "value" (a JSON member) or
// name: value (a YAML or header-like line) in s: a parameter name, an
// optional closing quote, ':', at most 8 blanks, an optional opening
// quote, and the value up to a value stop. A ':' with no name before it
// (a time, a port, "https:" has one, but no secret keyword) walks nothing.
func scanColonParams(s string, fn func(kStart, kEnd, vStart, vEnd int)) {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], ':')
		if i < 0 {
			return
		}
		colon := off + i
		off = colon + 1
		ks, ke := colonName(s, colon)
		if ks == ke {
			continue
		}
		vs := colon + 1
		for blanks := 0; blanks < 8 && vs < len(s) && (s[vs] == ' ' || s[vs] == '\t'); blanks++ {
			vs++
		}
		if vs < len(s) && (s[vs] == '"' || s[vs] == '\'') {
			vs++
		}
		ve := vs
		for ve < len(s) && ve-vs < 1000 && !isValueStop(s[ve]) {
			ve++
		}
		if ve == vs {
			continue
		}
		fn(ks, ke, vs, ve)
		off = max(off, ve)
	}
}

// colonNameBefore reports whether a name scanColonParams would read ends
// before the ':' at colon and is a parameter of params or a secret name.
func colonNameBefore(s string, colon int, params []string) bool {
	ks, ke := colonName(s, colon)
	if ks == ke {
		return false
	}
	name := s[ks:ke]
	for _, p := range params {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return secretName(name)
}

// headerKeyword reports whether a name holds one of scanHeaders' keywords.
func headerKeyword(name string) bool {
	for _, kw := range headerKeywords {
		if indexFold(name, kw) >= 0 {
			return true
		}
	}
	return false
}

// colonName is where the name before the ':' at colon lies, an optional
// closing quote after it: s[ks:ke], empty when none.
func colonName(s string, colon int) (ks, ke int) {
	ke = colon
	if ke > 0 && (s[ke-1] == '"' || s[ke-1] == '\'') {
		ke--
	}
	ks = ke
	for ks > 0 && ke-ks < 64 && isParamNameByte(s[ks-1]) {
		ks--
	}
	return ks, ke
}
