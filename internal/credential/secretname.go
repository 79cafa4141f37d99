package credential

import (
	"slices"
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
	if n := len(name); n >= 5 {
		switch strings.ToLower(name[n-5:]) {
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

// scanSecretAssignments calls fn for the value of each assignment whose
// name gives a secret away (secretName, or a name of params): name=value,
// name = value, "name": "value", name: value, NAME='value', with the JSON
// escapes of a document logged inside a string (\"name\":\"value\"). A
// quoted value runs to its closing quote, whatever it holds (a space, an
// '&', an escaped quote); a bare one to a value stop, without a cap. A
// ':' form needs a generated-looking value (looksGenerated). Only an
// accepted name's value is consumed, so a pair before it ("Error:" before
// "password:") hides nothing, and every byte is walked a bounded number of
// times: the names back at most 64 + 10 bytes from their separator, and
// each value once.
func scanSecretAssignments(s string, params []string, fn func(vStart, vEnd int)) {
	for off := 0; off < len(s); {
		i := strings.IndexAny(s[off:], "=:")
		if i < 0 {
			return
		}
		sep := off + i
		off = sep + 1
		ks, ke := assignedName(s, sep)
		if ks == ke || !secretName(s[ks:ke]) && !inParams(flagName(s[ks:ke]), params) {
			continue
		}
		vs := sep + 1
		for blanks := 0; blanks < 8 && vs < len(s) && (s[vs] == ' ' || s[vs] == '\t'); blanks++ {
			vs++
		}
		var ve int
		if q, n, escaped := openingQuote(s, vs); n > 0 {
			vs += n
			ve = closingQuote(s, vs, q, escaped)
		} else {
			ve = vs
			for ve < len(s) && !isValueStop(s[ve]) {
				ve++
			}
		}
		off = max(off, ve)
		v := s[vs:ve]
		if !secretValue(v) || isVariableRef(v) || s[sep] == ':' && !looksGenerated(v) {
			continue
		}
		fn(vs, ve)
	}
}

// assignedName is where the name before the separator at sep lies: blanks
// (at most 8), an optional closing quote (escaped or not), the name's
// bytes (at most 64), without a flag's dashes. s[ks:ke], empty when none.
func assignedName(s string, sep int) (ks, ke int) {
	ke = sep
	for blanks := 0; blanks < 8 && ke > 0 && (s[ke-1] == ' ' || s[ke-1] == '\t'); blanks++ {
		ke--
	}
	if ke > 0 && (s[ke-1] == '"' || s[ke-1] == '\'') {
		ke--
		if ke > 0 && s[ke-1] == '\\' {
			ke--
		}
	}
	ks = ke
	for ks > 0 && ke-ks < 64 && isParamNameByte(s[ks-1]) {
		ks--
	}
	return ks, ke
}

// openingQuote reports the quote a value starts with at i (a double or a
// single quote, or an escaped \" in a string), its length, and whether
// it was escaped.
func openingQuote(s string, i int) (q byte, n int, escaped bool) {
	switch {
	case i < len(s) && (s[i] == '"' || s[i] == '\''):
		return s[i], 1, false
	case i+1 < len(s) && s[i] == '\\' && s[i+1] == '"':
		return '"', 2, true
	}
	return 0, 0, false
}

// closingQuote is where a value quoted by q from i ends, or the end of s.
// Opened plainly, at its first q that no backslash escapes (an escaped
// quote is part of the value); opened escaped (\"), at the next \".
func closingQuote(s string, i int, q byte, escaped bool) int {
	for j := i; j < len(s); j++ {
		if s[j] == '\\' {
			if escaped && j+1 < len(s) && s[j+1] == q {
				return j
			}
			j++ // what it escapes is part of the value
			continue
		}
		if s[j] == q && !escaped {
			return j
		}
	}
	return len(s)
}

// inParams reports whether name is one of params, in any case.
func inParams(name string, params []string) bool {
	for _, p := range params {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// appendUncovered appends to found each weak span that no finding of
// found overlaps, sorting a copy of found's spans once: a text of many
// assignments and keys costs n log n, not n × m.
func appendUncovered(found, weak []Credential) []Credential {
	if len(weak) == 0 {
		return found
	}
	spans := make([][2]int, len(found))
	for i, c := range found {
		spans[i] = [2]int{c.Start, c.End}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	maxEnd := make([]int, len(spans)) // the largest end among spans[:i+1]
	for i, sp := range spans {
		maxEnd[i] = sp[1]
		if i > 0 {
			maxEnd[i] = max(maxEnd[i], maxEnd[i-1])
		}
	}
	for _, w := range weak {
		// The spans starting before w ends; one of them overlaps w when
		// the largest end among them lies past w's start.
		k, _ := slices.BinarySearchFunc(spans, w.End, func(sp [2]int, end int) int { return sp[0] - end })
		if k > 0 && maxEnd[k-1] > w.Start {
			continue
		}
		found = append(found, w)
	}
	return found
}

// assignmentBefore reports whether scanSecretAssignments reads a name
// before the separator at sep (MayHoldText's test).
func assignmentBefore(s string, sep int, params []string) bool {
	ks, ke := assignedName(s, sep)
	return ks != ke && (secretName(s[ks:ke]) || inParams(flagName(s[ks:ke]), params))
}
