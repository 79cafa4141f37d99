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

// scanHeaders runs the anchored header pattern at each keyword.
func (r *Rules) scanHeaders(s string, add func(Credential)) {
	for _, kw := range headerKeywords {
		for off := 0; off < len(s); {
			i := indexFold(s[off:], kw)
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(kw)
			if at > 0 && isWordByte(s[at-1]) && s[at-1] != '-' {
				continue // inside a longer word
			}
			m := headerAt.FindStringSubmatchIndex(s[at:])
			if m == nil {
				continue
			}
			tokStart, tokEnd := at+m[4], at+m[5]
			var c Credential
			if m[2] >= 0 && strings.EqualFold(s[at+m[2]:at+m[3]], "basic") {
				c = r.basic(s[tokStart:tokEnd])
			} else {
				c = r.Classify(s[tokStart:tokEnd], auditattr.TypeBearer)
			}
			add(r.at(c, tokStart, tokEnd))
		}
	}
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
		ve := eq + 1
		for ve < len(s) && ve-eq-1 < 1000 && !isValueStop(s[ve]) {
			ve++
		}
		if ks == eq || ve == eq+1 {
			continue
		}
		fn(ks, eq, eq+1, ve)
		off = ve
	}
}

// familyStarts are the distinct prefixes of the built-in key families.
var familyStarts = func() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range families {
		if !seen[f.prefix] {
			seen[f.prefix] = true
			out = append(out, f.prefix)
		}
	}
	return append(out, "sk-") // the legacy OpenAI form
}()

// scanFamilies finds built-in key families: each prefix occurrence that
// starts a word is extended over token bytes and checked whole.
func (r *Rules) scanFamilies(s string, add func(Credential)) {
	for _, p := range familyStarts {
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], p)
			if i < 0 {
				break
			}
			start := off + i
			off = start + len(p)
			if start > 0 && isWordByte(s[start-1]) {
				continue
			}
			end := start + len(p)
			for end < len(s) && (isWordByte(s[end]) || s[end] == '-') {
				end++
			}
			if _, ok := matchFamily(s[start:end]); !ok {
				continue
			}
			add(r.at(r.Classify(s[start:end], auditattr.TypeAPIKey), start, end))
			off = end
		}
	}
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
