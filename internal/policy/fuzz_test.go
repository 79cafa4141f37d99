package policy

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, block := range readmeYAML(f) {
		f.Add([]byte(block))
	}
	f.Add([]byte("scopes: {a: ['* /**', 'x*y']}\nworking_hours: {start: '23:59', end: '00:00', days: [sun]}"))
	f.Add([]byte("registry: {authoritative: true, tokens: [{jti: x, networks: ['::/0'], <<: {key_id: k}}]}"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nscopes: {s: *b}"))
	f.Add([]byte("revoked: [{jti: a}]\n---\n---\n"))
	reqs := []Request{
		{TokenID: "tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", JTI: "x", KeyID: "k", Scopes: []string{"a"}, Resource: "GET /a/b",
			ClientAddr: netip.MustParseAddr("10.0.0.1"), EventTime: workTime, PrincipalID: "alice", Issuer: "https://login.example.com/", Verified: true},
		{Scopes: []string{}, Resource: "pkg.S/M", ClientAddr: netip.MustParseAddr("2001:db8::1"), EventTime: time.Unix(-1e10, 0)},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		for i := range reqs {
			p.Evaluate(&reqs[i], nil)
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("GET /users/{id}", "GET /users/42")
	f.Add("* /a/**", "PUT /a/b/c")
	f.Add("pkg.Service/*", "pkg.Service/Get")
	f.Add("GET /a//*/", "get //a//b//")
	f.Add("a*b*c*d*e*f", "ababababababababababababababababababababab")
	f.Fuzz(func(t *testing.T, pat, res string) {
		p, err := compilePattern(pat)
		if err != nil {
			return
		}
		r := splitResource(res)
		got := p.match(&r)
		var ix scopeIndex
		ix.add(scopeRule{pat: p, scope: "s"})
		if ix.violation(&r, nil) != got || ix.violation(&r, []string{"s"}) {
			t.Errorf("the index disagrees with match(%q, %q) = %v", pat, res, got)
		}
		if p.whole && len(pat) <= 16 && len(res) <= 32 {
			if want := globReference(p.text, res); got != want {
				t.Errorf("glob %q ~ %q = %v, reference says %v", p.text, res, got, want)
			}
		}
	})
}

// globReference is the obvious exponential definition of '*' globbing, for
// short inputs only.
func globReference(pat, s string) bool {
	if pat == "" {
		return s == ""
	}
	if pat[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if globReference(pat[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && s[0] == pat[0] && globReference(pat[1:], s[1:])
}
