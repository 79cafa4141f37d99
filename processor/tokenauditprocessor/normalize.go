package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import "strings"

// Bounds on a normalised path, so that hostile URLs cannot create unbounded
// resource names.
const (
	maxPathSegments = 16
	maxSegmentBytes = 64
)

// normalizePath turns a concrete path into a low-cardinality template when
// the span has no http.route: the query is dropped and segments that look
// like identifiers (numbers, UUIDs, hex, long random strings, e-mail
// addresses) become {id}.
func normalizePath(path string) string {
	if path == "" {
		return ""
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if !strings.HasPrefix(path, "/") {
		// An absolute URL in http.target: keep its path.
		if i := strings.Index(path, "://"); i >= 0 {
			rest := path[i+3:]
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				return "/"
			}
			path = rest[j:]
		}
	}
	var b strings.Builder
	b.Grow(len(path))
	n := 0
	for seg := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if seg == "" {
			continue
		}
		if n == maxPathSegments {
			b.WriteString("/{…}")
			break
		}
		n++
		b.WriteByte('/')
		if isIdentifier(seg) {
			b.WriteString("{id}")
		} else {
			b.WriteString(truncate(seg, maxSegmentBytes))
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// isIdentifier reports whether a path segment is a value rather than a name.
func isIdentifier(seg string) bool {
	if len(seg) > maxSegmentBytes || strings.ContainsRune(seg, '@') || strings.Contains(seg, "%") {
		return true
	}
	digits, hex, letters := 0, 0, 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			hex++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			hex++
			letters++
		case c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z':
			letters++
		}
	}
	switch {
	case digits == len(seg): // 42
		return true
	case isUUID(seg):
		return true
	case hex == len(seg) && len(seg) >= 8 && digits > 0: // 5f2b9c0a…
		return true
	case len(seg) >= 16 && digits >= 3 && letters > 0: // opaque ids like a1B2c3…
		return true
	}
	return false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
