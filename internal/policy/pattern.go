package policy

import (
	"errors"
	"fmt"
	"strings"
)

// pattern is a compiled resource pattern. "METHOD /a/*/{x}/**" matches HTTP
// resources segment by segment; a pattern without a space is a glob over the
// whole resource ("pkg.Service/*").
type pattern struct {
	text   string
	whole  bool      // glob over the whole resource
	prefix string    // of a glob, the text before its first '*': a quick reject
	method string    // upper case; "*" is any method
	segs   []segment // path segments, without a final "**"
	rest   bool      // a final "**": zero or more further segments
}

type segment struct {
	lit string
	any bool // "*" or "{x}": exactly one segment, whatever it holds
}

// resource is a request's resource split once, so that matching it against
// every pattern neither splits it again nor allocates.
type resource struct {
	raw    string
	method string
	path   string // without leading and trailing slashes
	http   bool   // "METHOD /path"
}

func splitResource(s string) resource {
	r := resource{raw: s}
	if method, path, ok := strings.Cut(s, " "); ok && strings.HasPrefix(path, "/") {
		r.method, r.path, r.http = method, strings.Trim(path, "/"), true
	}
	return r
}

func compilePattern(s string) (pattern, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return pattern{}, errors.New("empty resource pattern: use \"GET /users/{id}\" or \"pkg.Service/*\"")
	}
	method, path, ok := strings.Cut(s, " ")
	if !ok {
		if strings.HasPrefix(s, "/") {
			// Without a method it would be an RPC glob that no HTTP resource matches.
			return pattern{}, fmt.Errorf("resource pattern %q has no method: write \"GET %s\" or \"* %s\"", s, s, s)
		}
		prefix, _, _ := strings.Cut(s, "*")
		return pattern{text: s, whole: true, prefix: prefix}, nil
	}
	p := pattern{text: s, method: strings.ToUpper(method)}
	if !validMethod(p.method) {
		return pattern{}, fmt.Errorf("resource pattern %q: the method must be a name like GET, or *", s)
	}
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "/") {
		return pattern{}, fmt.Errorf("resource pattern %q: the path must start with /", s)
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return p, nil
	}
	parts := strings.Split(path, "/")
	if parts[len(parts)-1] == "**" {
		p.rest, parts = true, parts[:len(parts)-1]
	}
	for _, part := range parts {
		switch {
		case part == "**":
			return pattern{}, fmt.Errorf("resource pattern %q: ** may only be the last segment", s)
		case part == "*" || isParam(part):
			p.segs = append(p.segs, segment{any: true})
		case strings.Contains(part, "*"):
			return pattern{}, fmt.Errorf("resource pattern %q: * must be a whole segment, as in /users/*", s)
		default:
			p.segs = append(p.segs, segment{lit: part})
		}
	}
	return p, nil
}

func validMethod(m string) bool {
	if m == "*" {
		return true
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return m != ""
}

func isParam(s string) bool { return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' }

// match reports whether r matches. It does not allocate.
func (p *pattern) match(r *resource) bool {
	if p.whole {
		return strings.HasPrefix(r.raw, p.prefix) && globMatch(p.text, r.raw)
	}
	if !r.http || (p.method != "*" && !strings.EqualFold(p.method, r.method)) {
		return false
	}
	path := r.path
	for i := range p.segs {
		if path == "" {
			return false
		}
		seg, rest, _ := strings.Cut(path, "/")
		if !p.segs[i].any && p.segs[i].lit != seg {
			return false
		}
		path = rest
	}
	return path == "" || p.rest
}

// globMatch matches s against pat, where '*' is any run of bytes. It keeps
// one backtrack point, so it is O(len(pat)·len(s)) at worst, never exponential.
func globMatch(pat, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for px < len(pat) || sx < len(s) {
		if px < len(pat) {
			if pat[px] == '*' {
				starPx, starSx = px, sx
				px++
				continue
			}
			if sx < len(s) && pat[px] == s[sx] {
				px++
				sx++
				continue
			}
		}
		if starPx >= 0 && starSx < len(s) {
			starSx++
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}
