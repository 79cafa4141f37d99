package credential

import (
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Hand scanners for free text. A regexp that may start anywhere in a line
// costs tens of microseconds per access-log line in Go's RE2; these find
// the few places worth looking at with byte searches first.

// headerKeywords start the header names that carry credentials in text;
// longer names (x-api-key, proxy-authorization, x-auth-token) contain one.
var headerKeywords = []string{"authorization", "api-key", "apikey", "auth-token", "access-token", "private-token"}

// minTextToken is the shortest value read as a credential in free text,
// so prose such as "authorization: none" is left alone.
const minTextToken = 8

// scanHeaders reads the value after each header keyword: "Scheme token"
// for Authorization, the whole word for key headers. An unknown scheme
// and its token are scrubbed together (Type ""), never fingerprinted.
func (r *Rules) scanHeaders(s string, add func(Credential)) {
	for _, kw := range headerKeywords {
		for off := 0; off < len(s); {
			i := indexFold(s[off:], kw)
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(kw)
			if at > 0 && isWordByte(s[at-1]) {
				continue // inside a longer word
			}
			m := headerPrefixAt.FindStringIndex(s[at:min(len(s), at+64)])
			if m == nil {
				continue
			}
			vStart := at + m[1]
			w1End := familyCut(s, vStart, vStart+valueLen(s[vStart:]))
			if c, ok := r.headerValue(kw == "authorization", s, vStart, w1End); ok {
				c.AsAuth = true
				add(c)
				off = max(off, c.End)
			}
		}
	}
}

// headerValue reads the credential of a header-like value whose first word
// is s[start:w1End].
func (r *Rules) headerValue(authz bool, s string, start, w1End int) (Credential, bool) {
	w1 := s[start:w1End]
	if w1 == "" {
		return Credential{}, false
	}
	if authz {
		w2Start := w1End
		for w2Start < len(s) && w2Start-w1End < 8 && (s[w2Start] == ' ' || s[w2Start] == '\t') {
			w2Start++
		}
		if w2Start > w1End {
			w2End := familyCut(s, w2Start, w2Start+valueLen(s[w2Start:]))
			w2 := s[w2Start:w2End]
			if len(w2) >= minTextToken {
				switch strings.ToLower(w1) {
				case "bearer", "token", "dpop", "apikey", "api-key", "key":
					return r.at(r.Classify(w2, auditattr.TypeBearer), w2Start, w2End), true
				case "basic":
					return r.at(r.basic(w2), w2Start, w2End), true
				case "digest":
					return Credential{}, false
				}
				// An unknown scheme (Negotiate, custom): scrub both words.
				return Credential{Start: start, End: w2End}, true
			}
		}
	}
	if len(w1) < minTextToken {
		return Credential{}, false
	}
	typ := auditattr.TypeAPIKey
	if authz {
		typ = auditattr.TypeBearer
	}
	return r.at(r.Classify(w1, typ), start, w1End), true
}

// valueLen is the length of the value word at the start of s: up to white
// space, a quote, a closing bracket or a list or parameter separator. No
// token alphabet has ')', ']' or '}' (RFC 6750 b64token, base64, provider
// keys); a header printed inside brackets ("(headers: Authorization:
// Bearer x)") must not take the bracket into the credential, whose
// fingerprint would then be another token's.
func valueLen(s string) int {
	for i := 0; i < len(s); i++ {
		if isValueStop(s[i]) || s[i] == ']' || s[i] == ')' || s[i] == '}' {
			return i
		}
	}
	return len(s)
}

// familyCut is where a value word s[start:end] that starts with a key
// family's prefix ends: at the end of the family's alphabet, so that
// x-access-token:ghp_…@github.com/o/r takes the key and not the '@', the
// host or the path after it (no family holds '@', '/' or ':').
func familyCut(s string, start, end int) int {
	if start >= end {
		return end
	}
	n, dots := familyAt(s[start:end])
	if n == 0 {
		return end
	}
	if e := keyEnd(s[:end], start+n, dots); e < end {
		if _, ok := matchFamily(s[start:e]); ok {
			return e
		}
	}
	return end
}

// scanParams reports name=value pairs: names of [A-Za-z0-9_.-] (at most
// 64 bytes), values up to the next & space quote # , ; < > (at most 1000).
func scanParams(s string, fn func(kStart, kEnd, vStart, vEnd int)) {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], '=')
		if i < 0 {
			return
		}
		eq := off + i
		off = eq + 1
		ks := eq
		for ks > 0 && eq-ks < 64 && isParamNameByte(s[ks-1]) {
			ks--
		}
		if ks == eq {
			continue // no name: not a pair, and nothing walked
		}
		ve := eq + 1
		for ve < len(s) && ve-eq-1 < 1000 && !isValueStop(s[ve]) {
			ve++
		}
		if ve == eq+1 {
			continue
		}
		fn(ks, eq, eq+1, ve)
		off = ve
	}
}

// familiesByFirst lists, per byte, the built-in families whose prefix
// starts with it, so that one pass over the text looks closer only there.
var familiesByFirst = func() (t [256][]family) {
	for _, f := range families {
		t[f.prefix[0]] = append(t[f.prefix[0]], f)
	}
	// The legacy OpenAI form, sk-: last, after sk-ant- and the others.
	t['s'] = append(t['s'], family{prefix: "sk-"})
	return t
}()

// familyAt reports whether a built-in prefix starts s, and whether a key of
// that prefix may hold dots.
func familyAt(s string) (prefixLen int, dots bool) {
	for _, f := range familiesByFirst[s[0]] {
		if strings.HasPrefix(s, f.prefix) {
			return len(f.prefix), f.dots
		}
	}
	return 0, false
}

// scanFamilies finds built-in key families wherever a word starts: in
// prose, a path segment, a query value or a fragment. Each candidate is
// extended over token bytes and checked whole; one pass, each byte walked
// once.
func (r *Rules) scanFamilies(s string, add func(Credential)) {
	for i := 0; i < len(s); i++ {
		if familiesByFirst[s[i]] == nil || i > 0 && isWordByte(s[i-1]) {
			continue
		}
		n, dots := familyAt(s[i:])
		if n == 0 {
			continue
		}
		end := keyEnd(s, i+n, dots)
		if _, ok := matchFamily(s[i:end]); ok {
			add(r.at(r.Classify(s[i:end], auditattr.TypeAPIKey), i, end))
		}
		i = end - 1 // the whole run is one word: never walk it again
	}
}

// keyEnd is where a key that continues at s[i] ends: word bytes and '-',
// and with dots a '.' that a word byte follows (a sentence's final '.' is
// not part of the key).
func keyEnd(s string, i int, dots bool) int {
	for i < len(s) {
		c := s[i]
		switch {
		case isWordByte(c) || c == '-':
		case dots && c == '.' && i+1 < len(s) && isWordByte(s[i+1]):
		default:
			return i
		}
		i++
	}
	return i
}

// indexFold is strings.Index, ignoring ASCII case; sub must be lower case.
func indexFold(s, sub string) int {
	if len(sub) == 0 {
		return 0
	}
	first := sub[0]
	upper := first - 'a' + 'A'
	for i := 0; i+len(sub) <= len(s); i++ {
		c := s[i]
		if c != first && c != upper {
			continue
		}
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isParamNameByte(c byte) bool { return isWordByte(c) || c == '.' || c == '-' }

func isValueStop(c byte) bool {
	switch c {
	case '&', ' ', '\t', '\n', '\r', '\f', '\v', '"', '\'', '#', ',', ';', '<', '>':
		return true
	}
	return false
}
