package policy

import (
	"strings"
	"testing"
)

// matchCases is the pattern table; index_test.go reuses it.
var matchCases = []struct {
	pattern, resource string
	want              bool
}{
	// methods
	{"GET /users", "GET /users", true},
	{"GET /users", "get /users", true},
	{"get /users", "GET /users", true},
	{"GET /users", "POST /users", false},
	{"GET /users", "GETX /users", false},
	{"* /users", "PATCH /users", true},
	{"* /users", "/users", false},
	// literal segments, case-sensitive, slashes normalised
	{"GET /users", "GET /Users", false},
	{"GET /users", "GET /users/", true},
	{"GET /users/", "GET /users", true},
	{"GET /users", "GET /users/42", false},
	{"GET /users/42", "GET /users", false},
	{"GET /", "GET /", true},
	{"GET /", "GET /x", false},
	{"GET /a//b", "GET /a//b", true},
	{"GET /a//b", "GET /a/b", false},
	// * is one segment
	{"GET /a/*/c", "GET /a/b/c", true},
	{"GET /a/*/c", "GET /a/{id}/c", true},
	{"GET /a/*/c", "GET /a/b/d", false},
	{"GET /a/*/c", "GET /a/c", false},
	{"GET /a/*/c", "GET /a/b/x/c", false},
	{"GET /a/*", "GET /a", false},
	// ** is zero or more segments, only at the end
	{"* /admin/**", "DELETE /admin", true},
	{"* /admin/**", "DELETE /admin/", true},
	{"* /admin/**", "DELETE /admin/x", true},
	{"* /admin/**", "DELETE /admin/x/y/z", true},
	{"* /admin/**", "DELETE /administrator", false},
	{"* /admin/**", "DELETE /", false},
	{"* /**", "GET /", true},
	{"* /**", "GET /anything/at/all", true},
	{"* /**", "pkg.Service/Get", false},
	// {x}: a template segment or any one value
	{"GET /users/{id}", "GET /users/{id}", true},
	{"GET /users/{id}", "GET /users/{userId}", true},
	{"GET /users/{id}", "GET /users/42", true},
	{"GET /users/{id}", "GET /users", false},
	{"GET /users/{id}", "GET /users/42/keys", false},
	{"GET /users/{id}.json", "GET /users/{id}.json", true},
	{"GET /users/{id}.json", "GET /users/42.json", false},
	// no space: a glob over the whole resource
	{"pkg.Service/*", "pkg.Service/Get", true},
	{"pkg.Service/*", "pkg.Service/", true},
	{"pkg.Service/*", "pkg.Other/Get", false},
	{"pkg.Service/*", "pkg.service/Get", false},
	{"pkg.Service/Get", "pkg.Service/Get", true},
	{"pkg.Service/Get", "pkg.Service/GetX", false},
	{"*.Reports/List*", "acme.v1.Reports/ListAll", true},
	{"*", "anything at all", true},
	{"*", "", true},
	{"a*b*c", "aXXbYYc", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXXbYY", false},
	{"a*a*a*a*b", strings.Repeat("a", 200), false},
	{"pkg.Service/Get", "GET /pkg.Service/Get", false},
	{"GET /x", "pkg.Service/Get", false},
}

func TestPatternMatch(t *testing.T) {
	for _, tt := range matchCases {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		r := splitResource(tt.resource)
		if got := p.match(&r); got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.resource, got, tt.want)
		}
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"", "empty resource pattern"},
		{"  ", "empty resource pattern"},
		{"/users", `resource pattern "/users" has no method: write "GET /users" or "* /users"`},
		{"GET users", `resource pattern "GET users": the path must start with /`},
		{"G*T /users", `resource pattern "G*T /users": the method must be a name like GET, or *`},
		{"GET,POST /users", "the method must be a name"},
		{"GET /a/**/b", `resource pattern "GET /a/**/b": ** may only be the last segment`},
		{"GET /users*", `resource pattern "GET /users*": * must be a whole segment`},
	}
	for _, tt := range tests {
		_, err := compilePattern(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.pattern, err, tt.want)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	pats := []string{"GET /users/{id}", "* /admin/**", "pkg.Service/*", "GET /a/*/c"}
	res := []string{"GET /users/{id}", "DELETE /admin/a/b", "pkg.Service/Get", "GET /a/b/c", "x"}
	for _, ps := range pats {
		p, _ := compilePattern(ps)
		for _, rs := range res {
			if n := testing.AllocsPerRun(50, func() { r := splitResource(rs); p.match(&r) }); n != 0 {
				t.Errorf("%q ~ %q: %v allocs", ps, rs, n)
			}
		}
	}
}
