package credential

import (
	"strings"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// familySample is a key of family f: its prefix and a body of its shape.
func familySample(f family) string {
	body := strings.Repeat("7A", 40)[:max(f.minBody, 20)]
	if f.typ == auditattr.TypeAWSAccessKey {
		body = strings.Repeat("Q", 16)
	}
	return f.prefix + body
}

// TestKeyInURLUserinfo: a key in a URL's userinfo ends where its alphabet
// does, for every family, in free text and in a URL attribute: the same
// key, the same provider and the same span whether the URL stands in a
// log line, an http.url or after a header-like name (x-access-token:).
func TestKeyInURLUserinfo(t *testing.T) {
	r := rules(t)
	for _, f := range families {
		key := familySample(f)
		for _, in := range []string{
			"git fetch https://x-access-token:" + key + "@github.com/acme-corp/infra.git failed",
			"https://oauth2:" + key + "@gitlab.example.com/g/p.git",
			"https://x-access-token:" + key + "@github.com/acme-corp/infra.git",
			"X-Access-Token: " + key + "@github.com/acme-corp/infra.git",
			`{"headers":{"x-api-key":"` + key + `@host"}}`,
		} {
			check := func(scan string, got []Credential) {
				if len(got) != 1 {
					t.Fatalf("%s %q: %d findings", scan, in, len(got))
				}
				c := got[0]
				if c.Secret != key || in[c.Start:c.End] != key || c.Provider != f.provider {
					t.Errorf("%s %q: secret %q span %q provider %q, want the key of %s", scan, in, c.Secret, in[c.Start:c.End], c.Provider, f.provider)
				}
			}
			var text []Credential
			r.ScanText(in, params, nil, func(c Credential) { text = append(text, c) })
			check("text", text)
			if strings.HasPrefix(in, "https://") {
				var u []Credential
				r.ScanURL(in, params, func(c Credential) { u = append(u, c) })
				check("url", u)
			}
		}
	}
}

// TestTextUserinfo: a URL's user:password in free text is a credential
// (before, a clone URL's password in a log line went through unscrubbed);
// a user alone, an e-mail address and an empty password are not.
func TestTextUserinfo(t *testing.T) {
	r := rules(t)
	jwt := jwtOf(`{"alg":"HS256"}`, `{"sub":"x"}`)
	tests := []struct {
		in   string
		want []finding
	}{
		{"clone https://deploy:s3cr3t@git.example.com/x.git failed", []finding{{auditattr.TypeBasic, "deploy:s3cr3t", "deploy:s3cr3t"}}},
		{"redis://:p%40ss@cache:6379/0", []finding{{auditattr.TypeBasic, ":p@ss", ":p%40ss"}}},
		{`"url":"https://svc:` + jwt + `@api/x"`, []finding{{auditattr.TypeJWT, jwt, jwt}}},
		{"from https://x-access-token:" + ghKey + "@github.com/a/b and https://" + ghKey + "@github.com/c/d", []finding{
			{auditattr.TypeAPIKey, ghKey, ghKey}, {auditattr.TypeAPIKey, ghKey, ghKey},
		}},
		{"mail alice@example.com, ssh git@github.com:o/r, https://alice@host/x, https://u:@h/", nil},
	}
	for _, tt := range tests {
		assertFindings(t, tt.in, collect(tt.in, func(s string, fn func(Credential)) { r.ScanText(s, params, nil, fn) }), tt.want)
	}
}
