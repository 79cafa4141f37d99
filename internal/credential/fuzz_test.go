package credential

import (
	"strings"
	"testing"
)

// checkFindings asserts what every scanner promises: spans inside the
// input, ordered, not overlapping, and no secret in Reason or Hint.
func checkFindings(t *testing.T, in string, got []Credential) {
	t.Helper()
	last := 0
	for _, c := range got {
		if c.Start < last || c.End < c.Start || c.End > len(in) {
			t.Fatalf("bad span %d:%d after %d in %d bytes", c.Start, c.End, last, len(in))
		}
		last = c.End
		if len(c.Secret) >= 8 && c.Type != "aws_access_key" && (strings.Contains(c.Reason, c.Secret) || strings.Contains(c.Hint, c.Secret)) {
			t.Fatalf("secret shown in reason %q or hint %q", c.Reason, c.Hint)
		}
	}
}

func FuzzParseJWT(f *testing.F) {
	f.Add(jwtOf(`{"alg":"HS256"}`, `{"sub":"a","aud":["x"],"exp":1}`))
	f.Add(jwtOf(`{"alg":"none"}`, `{"scp":"a b","nbf":1e3}`))
	f.Add("eyJ.eyJ.")
	f.Add("a.b.c.d")
	// Payloads re-encoded with standard base64: '+' and '/', '=' padding.
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI8PD8+IiwiZXhwIjoxODAwMDAwMDAwfQ==.c2ln")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0=.c2ln")
	f.Add(jwtOf(`{"alg":"HS256","x":{"y":[1,{"z":"\u00e9\""}]}}`, `{"sub":"\ud83d\ude00","iat":-1.5}`))
	f.Fuzz(func(t *testing.T, tok string) {
		j, err := ParseJWT(tok, DefaultLimits())
		if err != nil {
			if strings.Contains(err.Error(), tok) && len(tok) >= 8 {
				t.Fatal("error shows the token")
			}
			return
		}
		if !strings.HasPrefix(tok, j.SigningInput+".") {
			t.Fatal("signing input is not the token's prefix")
		}
		_, _ = j.Claim("sub")
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("Bearer " + jwtOf(`{"alg":"HS256"}`, `{}`))
	f.Add("Basic Ym9iOnB3")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x, Signature=y")
	f.Add("token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
	f.Add("  \t")
	f.Fuzz(func(t *testing.T, v string) {
		r := rules(t)
		for _, parse := range []func(string) (Credential, bool){r.ParseAuthorization, r.ParseKey} {
			if c, ok := parse(v); ok {
				checkFindings(t, v, []Credential{c})
			}
		}
	})
}

func FuzzScanURL(f *testing.F) {
	f.Add("https://u:p@h/p?access_token=abc&api_key=d%20e#x")
	f.Add("?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/a&X-Amz-Signature=ff")
	f.Add("&&==&=")
	f.Add("https://x-access-token:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/acme-corp/infra.git")
	f.Fuzz(func(t *testing.T, s string) {
		r := rules(t)
		var got []Credential
		r.ScanURL(s, params, func(c Credential) { got = append(got, c) })
		checkFindings(t, s, got)
	})
}

func FuzzScanText(f *testing.F) {
	f.Add(`Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln x`)
	f.Add(`authorization="Basic dTpw" GET /p?access_token=abcdefgh`)
	f.Add(`ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa AKIAIOSFODNN7EXAMPLE`)
	f.Add(`(request headers: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI8PD8+IiwiZXhwIjoxODAwMDAwMDAwfQ==.c2ln)`)
	f.Add(`{X-Api-Key: ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}`)
	f.Add(`git fetch https://x-access-token:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/acme-corp/infra.git`)
	f.Add(`clone https://deploy:s3cr3t@git.example.com/x.git and https://oauth2:glpat-aaaaaaaaaaaaaaaaaaaa.01x@gl/x`)
	f.Fuzz(func(t *testing.T, s string) {
		r := rules(t)
		extra, _ := CompilePatterns([]string{`k=(\S+)`})
		var got []Credential
		r.ScanText(s, params, extra, func(c Credential) { got = append(got, c) })
		checkFindings(t, s, got)
	})
}
