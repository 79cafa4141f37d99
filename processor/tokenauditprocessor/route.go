package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import "strings"

// canonicalRoute spells a route template's parameters one way, {name}, so
// that one endpoint is one resource whoever reported it: Flask/Werkzeug
// <int:id>, <id>, <path:x>; Express/Rails :id (also :id? and :id(\d+));
// OpenAPI, nginx, gorilla/mux and ASP.NET {id}, {id:[0-9]+}, {id:int},
// {id?}, {*path}; Google API {name=projects/*}. A route without any of
// '<', ':' or '{' is returned as it is, without allocating.
func canonicalRoute(route string) string {
	if !strings.ContainsAny(route, "<:{") {
		return route
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(route); {
		c := route[i]
		var name string
		var end int
		switch {
		case c == '{':
			name, end = braceParam(route, i)
		case c == '<':
			name, end = angleParam(route, i)
		case c == ':' && i > 0 && route[i-1] == '/':
			name, end = colonParam(route, i)
		}
		if name == "" {
			if changed {
				b.WriteByte(c)
			}
			i++
			continue
		}
		spelled := route[i:end]
		if !changed && spelled != "{"+name+"}" {
			changed = true
			b.Grow(len(route))
			b.WriteString(route[:i])
		}
		if changed {
			b.WriteString("{" + name + "}")
		}
		i = end
	}
	if !changed {
		return route
	}
	return b.String()
}

// braceParam reads {name…} at s[i]: the name before ':', '=' or '?' (a
// leading '*' dropped), up to the matching '}' (a regex may hold braces).
func braceParam(s string, i int) (string, int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				inner := s[i+1 : j]
				if k := strings.IndexAny(inner, ":=?"); k >= 0 {
					inner = inner[:k]
				}
				return paramName(strings.TrimPrefix(inner, "*")), j + 1
			}
		}
	}
	return "", 0
}

// angleParam reads <converter(args):name> or <name> at s[i].
func angleParam(s string, i int) (string, int) {
	j := strings.IndexByte(s[i:], '>')
	if j < 0 {
		return "", 0
	}
	inner := s[i+1 : i+j]
	if k := strings.LastIndexByte(inner, ':'); k >= 0 {
		inner = inner[k+1:]
	}
	return paramName(inner), i + j + 1
}

// colonParam reads :name at the start of a segment, with Express's
// optional '?' and a parenthesised pattern after it.
func colonParam(s string, i int) (string, int) {
	j := i + 1
	for j < len(s) && isWordChar(s[j]) {
		j++
	}
	name := s[i+1 : j]
	if name == "" {
		return "", 0
	}
	if j < len(s) && s[j] == '(' {
		depth := 0
		for k := j; k < len(s); k++ {
			if s[k] == '(' {
				depth++
			} else if s[k] == ')' {
				if depth--; depth == 0 {
					j = k + 1
					break
				}
			}
		}
	}
	if j < len(s) && s[j] == '?' {
		j++
	}
	return name, j
}

// paramName is a parameter's name when it is a plain word, else "".
func paramName(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if !isWordChar(s[i]) && s[i] != '-' {
			return ""
		}
	}
	return s
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
