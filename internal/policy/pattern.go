package policy

import (
	"fmt"
	"strings"
)

// pattern matches resources: "METHOD /path/segments" (METHOD may be "*";
// "*" is one segment, a final "**" any number, "{x}" one segment) or, with
// no space, a whole RPC name where "*" matches any run of characters.
type pattern struct {
	text    string
	method  string // "" for whole-string patterns; "*" any
	segs    []string
	rest    bool // ends in "**"
	globRPC bool
}

func compilePattern(s string) (pattern, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return pattern{}, fmt.Errorf("empty resource pattern")
	}
	p := pattern{text: s}
	method, path, ok := strings.Cut(s, " ")
	if !ok {
		p.globRPC = true
		return p, nil
	}
	p.method = strings.ToUpper(strings.TrimSpace(method))
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "/") {
		return pattern{}, fmt.Errorf("resource pattern %q: the path must start with /", s)
	}
	p.segs = splitPath(path)
	if n := len(p.segs); n > 0 && p.segs[n-1] == "**" {
		p.rest = true
		p.segs = p.segs[:n-1]
	}
	for _, seg := range p.segs {
		if seg == "**" {
			return pattern{}, fmt.Errorf("resource pattern %q: ** may only be the last segment", s)
		}
	}
	return p, nil
}

func splitPath(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// match tests a resource without allocating.
func (p *pattern) match(resource string) bool {
	if p.globRPC {
		return globMatch(p.text, resource)
	}
	method, path, ok := strings.Cut(resource, " ")
	if !ok {
		return false
	}
	if p.method != "*" && !strings.EqualFold(p.method, method) {
		return false
	}
	path = strings.Trim(path, "/")
	i := 0
	for path != "" || i < len(p.segs) {
		if i == len(p.segs) {
			return p.rest
		}
		if path == "" {
			return false
		}
		seg, rest, _ := strings.Cut(path, "/")
		want := p.segs[i]
		if want != "*" && !isParam(want) && want != seg {
			return false
		}
		path, i = rest, i+1
	}
	return true
}

func isParam(s string) bool { return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' }

// globMatch matches s against a pattern where '*' is any run of characters.
// Iterative with one backtrack point: linear in practice, never exponential.
func globMatch(pat, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pat) || sx < len(s) {
		if px < len(pat) {
			if pat[px] == '*' {
				nextPx, nextSx = px, sx+1
				px++
				continue
			}
			if sx < len(s) && pat[px] == s[sx] {
				px++
				sx++
				continue
			}
		}
		if nextPx >= 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}
