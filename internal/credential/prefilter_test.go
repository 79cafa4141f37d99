package credential

import (
	"encoding/base64"
	"strings"
	"testing"
)

// prefilterCorpus holds texts with and without credentials, and near
// misses of each scanner's starting condition.
func prefilterCorpus() []string {
	jwt := jwtOf(`{"alg":"HS256"}`, `{"sub":"x"}`)
	basic := base64.StdEncoding.EncodeToString([]byte("u:secretpw"))
	return []string{
		`10.0.0.1 "GET /x" 200 "Authorization: Bearer ` + jwt + `"`,
		`authorization="Basic ` + basic + `" status=401`,
		`X-Api-Key: ` + ghKey + ` done`,
		`X-API-KEY"  :  abcdefghijkl`,
		`private-token	=	"abcdefghijkl"`,
		`{"headers":{"Authorization":["Bearer opaque-array-token-1"]}}`,
		`GET /p?access_token=abcdef123456 HTTP/1.1`,
		`GET /p?ACCESS_TOKEN=abcdef123456`,
		`GET /p?x-amz-credential=AKIAIOSFODNN7EXAMPLE/x`,
		`leaked ` + stripeKey + ` and ` + awsID + ` and ` + acmeKey,
		`gitlab said no to ` + routable + `.`,
		`hook https://hooks.slack.com/services/T0000AAAA/B0000BBBB/` + strings.Repeat("x1Y", 8) + ` failed`,
		`https://discord.com/api/webhooks/` + strings.Repeat("12345", 14),
		`eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0`,
		`authorization: none`,
		`authorization          : abcdefghijk`,
		`xoxo-indieweb-1.jpg and the file glpat-notes.txt`,
		`nothing to see here`,
		`user-42 called (success) /v1/orders with token tok_0123456789abcdef0123456789abcdef`,
		`https://api.example.com/v1/orders/123?page=2&sort=asc`,
		`2026-11-20T10:30:00Z level=info msg="ok"`,
		`preauthorization: abcdefghijkl`,
		`a` + strings.Repeat("=", 20),
		strings.Repeat("x", 70) + `=abcdefghijkl`,
		strings.Repeat("access_token", 6) + `=abcdefghijkl`,
		`/usr/bin/billing-worker --token=acme_live_4f9a2c7e1b --loop`,
		`run -password=hunter2`,
		`git fetch https://x-access-token:` + ghKey + `@github.com/acme-corp/infra.git`,
		`clone https://deploy:s3cr3t@git.example.com/x.git`,
		`mail alice@example.com, ssh git@github.com:o/r, https://alice@host/x, https://u:@h/`,
	}
}

// TestMayHoldTextNeverMisses: on every text where ScanText finds something,
// with and without query parameters, the pre-filter says it may.
func TestMayHoldTextNeverMisses(t *testing.T) {
	plain, err := NewRules(nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, s := range prefilterCorpus() {
		for _, ps := range [][]string{params, nil} {
			if n := prefilterMiss(plain, s, ps); n > 0 {
				t.Errorf("%q (params %v): ScanText finds %d, MayHoldText says none", s, ps != nil, n)
			}
			plain.ScanText(s, ps, nil, func(Credential) { found++ })
		}
	}
	if found == 0 {
		t.Fatal("the corpus holds no credential: the test shows nothing")
	}
}

// TestMayHoldTextPassesPlainValues: the values an audit record is made of
// are not candidates, so the full scan is skipped for them.
func TestMayHoldTextPassesPlainValues(t *testing.T) {
	plain, err := NewRules(nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`user-42 called (success) /v1/orders with token tok_0123456789abcdef0123456789abcdef`,
		`https://api.example.com/v1/orders/123?page=2&sort=asc`,
		`ip-10-0-1-17.eu-west-1.compute.internal`,
		`Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0`,
		`https://auth.shop.example.com/`,
		`orders:read`,
	} {
		if plain.MayHoldText(s, params) {
			t.Errorf("%q is a candidate", s)
		}
	}
	custom := rules(t)
	if !custom.MayHoldText("nothing to see here", params) {
		t.Error("with a user pattern every text is a candidate")
	}
}

// prefilterMiss is how many findings ScanText has in s when MayHoldText
// says it has none.
func prefilterMiss(r *Rules, s string, ps []string) int {
	if r.MayHoldText(s, ps) {
		return 0
	}
	n := 0
	r.ScanText(s, ps, nil, func(Credential) { n++ })
	return n
}

func FuzzMayHoldText(f *testing.F) {
	for _, s := range prefilterCorpus() {
		f.Add(s)
	}
	plain, err := NewRules(nil, DefaultLimits())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ps := range [][]string{params, nil} {
			if n := prefilterMiss(plain, s, ps); n > 0 {
				t.Fatalf("%q (params %v): ScanText finds %d, MayHoldText says none", s, ps != nil, n)
			}
			if got, want := plain.MayHoldText(s, ps), mayHoldTextTwoPass(plain, s, ps); got != want {
				t.Fatalf("%q (params %v): MayHoldText %v, the two-pass form %v", s, ps != nil, got, want)
			}
		}
	})
}

// BenchmarkMayHoldText: the pre-filter against the full scan on a value
// without a credential.
func BenchmarkMayHoldText(b *testing.B) {
	plain, err := NewRules(nil, DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	s := `user-42 called (success) /v1/orders with token tok_0123456789abcdef0123456789abcdef`
	b.Run("prefilter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = plain.MayHoldText(s, params)
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			plain.ScanText(s, params, nil, func(Credential) {})
		}
	})
}

// mayHoldTextTwoPass is MayHoldText as it was before its one walk: "eyJ"
// and "hooks" searched for whole, then the walk over separators and
// family prefixes. FuzzMayHoldText checks the two agree on every text.
func mayHoldTextTwoPass(r *Rules, s string, params []string) bool {
	if len(s) < 8 {
		return false
	}
	if len(r.custom) > 0 || strings.Contains(s, "eyJ") || strings.Contains(s, "hooks") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ':' || s[i] == '=':
			if headerNameBefore(s, i) || assignmentBefore(s, i, params) {
				return true
			}
		case s[i] == '@':
			if userinfoAt(s, i) {
				return true
			}
		case familiesByFirst[s[i]] != nil:
			if i > 0 && isWordByte(s[i-1]) {
				continue
			}
			if n, _ := familyAt(s[i:]); n > 0 {
				return true
			}
		}
	}
	return false
}
