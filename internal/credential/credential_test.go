package credential

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

var enc = base64.RawURLEncoding

// jwtOf builds an unsigned-looking JWT from header and payload JSON.
func jwtOf(header, payload string) string {
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString([]byte("signature-bytes"))
}

func rules(t testing.TB) *Rules {
	t.Helper()
	r, err := NewRules([]Rule{{Name: "acme", Regex: `^acme_[a-z0-9]{32}$`}}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Fixture keys: right shape, fake content.
var (
	ghKey     = "ghp_" + strings.Repeat("aB3dE", 7) + "Zz9y"
	stripeKey = "sk_live_" + strings.Repeat("Fake1", 5)
	awsID     = "AKIA" + "IOSFODNN7EXAMPLE"
	acmeKey   = "acme_" + strings.Repeat("0a", 16)
	routable  = "glpat-" + strings.Repeat("Rt9", 9) + ".01abcdefg"
)

func TestParseAuthorization(t *testing.T) {
	good := jwtOf(`{"alg":"RS256","kid":"k1","typ":"at+jwt"}`, `{"iss":"https://idp","sub":"alice","aud":["a","b"],"exp":1800000000.9,"nbf":1700000000,"iat":1700000000,"jti":"j1","scope":"read write read","scp":["admin"],"client_id":"web","azp":"web2","nested":{"deep":[1,2,{"x":"y"}]}}`)
	basic := base64.StdEncoding.EncodeToString([]byte("bob:pa:ss"))
	r := rules(t)
	tests := []struct {
		name      string
		in        string
		ok        bool
		typ       string
		provider  string
		secret    string
		user      string
		malformed string // Reason substring; "" = not malformed
		scrubbed  string // in[Start:End]
	}{
		{"bearer jwt", "Bearer " + good, true, auditattr.TypeJWT, "", good, "", "", good},
		{"lower-case scheme, spaces", "  bearer   " + good + "  ", true, auditattr.TypeJWT, "", good, "", "", good},
		{"bare jwt", good, true, auditattr.TypeJWT, "", good, "", "", good},
		{"github token scheme", "token " + ghKey, true, auditattr.TypeAPIKey, "github", ghKey, "", "", ghKey},
		{"stripe bearer", "Bearer " + stripeKey, true, auditattr.TypeAPIKey, "stripe", stripeKey, "", "", stripeKey},
		{"custom rule", "Bearer " + acmeKey, true, auditattr.TypeAPIKey, "acme", acmeKey, "", "", acmeKey},
		{"opaque bearer", "Bearer opaque-token-0123456789", true, auditattr.TypeBearer, "", "opaque-token-0123456789", "", "", "opaque-token-0123456789"},
		{"basic", "Basic " + basic, true, auditattr.TypeBasic, "", "bob:pa:ss", "bob", "", basic},
		{"basic unpadded", "Basic " + strings.TrimRight(basic, "="), true, auditattr.TypeBasic, "", "bob:pa:ss", "bob", "", strings.TrimRight(basic, "=")},
		{"basic invalid base64", "Basic !!!", true, auditattr.TypeBasic, "", "!!!", "", "invalid base64", "!!!"},
		{"basic no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), true, auditattr.TypeBasic, "", "", "", "no colon", ""},
		{"sigv4", "AWS4-HMAC-SHA256 Credential=" + awsID + "/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc", true, auditattr.TypeAWSAccessKey, "aws", awsID, "", "", ""},
		{"jwt with 4 segments", "Bearer " + good + ".extra", true, auditattr.TypeJWT, "", "", "", "3 segments", ""},
		{"jwe", "Bearer eyJhbGciOiJSU0EifQ.a.b.c.d", true, auditattr.TypeJWT, "", "", "", "JWE", ""},
		{"jwt bad base64", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJ!!!.sig", true, auditattr.TypeJWT, "", "", "", "", ""},
		{"jwt exp as string", "Bearer " + jwtOf(`{"alg":"HS256"}`, `{"exp":"tomorrow"}`), true, auditattr.TypeJWT, "", "", "", "wrong type", ""},
		{"jwt aud as number", "Bearer " + jwtOf(`{"alg":"HS256"}`, `{"aud":5}`), true, auditattr.TypeJWT, "", "", "", "wrong type", ""},
		{"jwt header without alg", "Bearer " + jwtOf(`{"typ":"JWT"}`, `{}`), true, auditattr.TypeJWT, "", "", "", "header", ""},
		{"jwt payload not object", "Bearer " + jwtOf(`{"alg":"HS256"}`, `[1]`), true, auditattr.TypeJWT, "", "", "", "payload", ""},
		{"non-utf8", "Bearer abc\xffdef-1234567890", true, auditattr.TypeBearer, "", "", "", "invalid characters", ""},
		{"control chars", "Bearer abc\x01def", true, auditattr.TypeBearer, "", "", "", "invalid characters", ""},
		{"too long", "Bearer " + strings.Repeat("a", 20000), true, auditattr.TypeBearer, "", "", "", "too long", ""},
		{"scheme alone", "Bearer", true, auditattr.TypeBearer, "", "", "", "scheme without", ""},
		{"digest is not a credential", `Digest username="x", response="abc"`, false, "", "", "", "", "", ""},
		{"unknown scheme", "Negotiate abcdef", false, "", "", "", "", "", ""},
		{"empty", "   ", false, "", "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := r.ParseAuthorization(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if c.Type != tt.typ || c.Provider != tt.provider {
				t.Errorf("type/provider = %s/%s, want %s/%s", c.Type, c.Provider, tt.typ, tt.provider)
			}
			if tt.malformed != "" {
				if !c.Malformed || !strings.Contains(c.Reason, tt.malformed) {
					t.Errorf("malformed=%v reason=%q, want %q", c.Malformed, c.Reason, tt.malformed)
				}
			} else if c.Malformed && tt.name != "jwt bad base64" {
				t.Errorf("unexpected malformed: %s", c.Reason)
			}
			if tt.secret != "" && c.Secret != tt.secret {
				t.Errorf("secret = %q, want %q", c.Secret, tt.secret)
			}
			if c.User != tt.user {
				t.Errorf("user = %q", c.User)
			}
			if c.Start < 0 || c.End > len(tt.in) || c.Start > c.End {
				t.Fatalf("span %d:%d out of range", c.Start, c.End)
			}
			if tt.scrubbed != "" && tt.in[c.Start:c.End] != tt.scrubbed {
				t.Errorf("scrub span %q, want %q", tt.in[c.Start:c.End], tt.scrubbed)
			}
			assertNoLeak(t, c)
		})
	}
	c, _ := r.ParseAuthorization("Bearer " + good)
	cl := c.JWT.Claims
	if cl.Issuer != "https://idp" || cl.Subject != "alice" || cl.JTI != "j1" || cl.ClientID != "web" || cl.AuthorizedParty != "web2" {
		t.Errorf("claims %+v", cl)
	}
	if strings.Join(cl.Audience, ",") != "a,b" || strings.Join(cl.Scopes, ",") != "read,write,admin" {
		t.Errorf("aud %v scopes %v", cl.Audience, cl.Scopes)
	}
	if !cl.HasExp || cl.ExpiresAt != 1800000000 || !cl.HasNbf || !cl.HasIat {
		t.Errorf("times %+v", cl)
	}
	if c.JWT.Header != (JWTHeader{Alg: "RS256", Kid: "k1", Typ: "at+jwt"}) {
		t.Errorf("header %+v", c.JWT.Header)
	}
	if v, ok := c.JWT.Claim("nested"); !ok || v != `{"deep":[1,2,{"x":"y"}]}` {
		t.Errorf("Claim(nested) = %q %v", v, ok)
	}
	if _, ok := c.JWT.Claim("missing"); ok {
		t.Error("Claim(missing) found")
	}
}

// assertNoLeak checks that nothing meant for display holds the secret.
func assertNoLeak(t *testing.T, c Credential) {
	t.Helper()
	if len(c.Secret) < 8 {
		return
	}
	for _, s := range []string{c.Reason, c.Hint, c.User} {
		if s != "" && c.Type != auditattr.TypeAWSAccessKey && strings.Contains(s, c.Secret) {
			t.Errorf("%q shows the secret", s)
		}
	}
}

func TestParseKeyAndHints(t *testing.T) {
	r := rules(t)
	tests := []struct {
		in, typ, provider, hint string
	}{
		{ghKey, auditattr.TypeAPIKey, "github", "ghp_…" + ghKey[len(ghKey)-4:]},
		{"glpat-" + strings.Repeat("x", 20), auditattr.TypeAPIKey, "gitlab", "glpat-…xxxx"},
		{"xoxb-1234567890-abcdefghij", auditattr.TypeAPIKey, "slack", "xoxb-…ghij"},
		{"sk-ant-api03-" + strings.Repeat("Q", 30), auditattr.TypeAPIKey, "anthropic", "sk-ant-…QQQQ"},
		{"sk-proj-" + strings.Repeat("P", 30), auditattr.TypeAPIKey, "openai", "sk-proj-…PPPP"},
		{"sk-" + strings.Repeat("a", 20) + "T3BlbkFJ" + strings.Repeat("b", 20), auditattr.TypeAPIKey, "openai", "sk-…bbbb"},
		{"AIza" + strings.Repeat("G", 35), auditattr.TypeAPIKey, "google", "AIza…GGGG"},
		{awsID, auditattr.TypeAWSAccessKey, "aws", "AKIA…MPLE"},
		{"short", auditattr.TypeAPIKey, "", ""},
		{"generic-api-key-0123456789abcdef", auditattr.TypeAPIKey, "", "…cdef"},
	}
	for _, tt := range tests {
		c, ok := r.ParseKey(" " + tt.in + " ")
		if !ok || c.Type != tt.typ || c.Provider != tt.provider || c.Hint != tt.hint || c.Secret != tt.in {
			t.Errorf("%s: got %+v", tt.in, c)
		}
	}
}

func TestNewRulesErrors(t *testing.T) {
	_, err := NewRules([]Rule{{Name: "a", Regex: "("}, {Name: "", Regex: "x"}, {Name: "b", Regex: "x", Type: "weird"}}, DefaultLimits())
	if err == nil {
		t.Fatal("bad rules accepted")
	}
	for _, want := range []string{"[0] a: regex", "[1]: name is empty", `[2] b: type "weird"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := CompilePatterns([]string{`no-group`, `(`}); err == nil || !strings.Contains(err.Error(), "needs a capture group") || !strings.Contains(err.Error(), "[1]") {
		t.Errorf("CompilePatterns: %v", err)
	}
}

type finding struct{ typ, secret, text string }

// assertFindings compares what a scan of in found with want.
func assertFindings(t *testing.T, in string, got, want []finding) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %+v want %+v", in, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: [%d] got %+v want %+v", in, i, got[i], want[i])
		}
	}
}

func collect(s string, scan func(string, func(Credential))) []finding {
	var out []finding
	scan(s, func(c Credential) { out = append(out, finding{c.Type, c.Secret, s[c.Start:c.End]}) })
	return out
}

var params = []string{"access_token", "api_key", "x-amz-credential", "x-amz-signature"}

func TestScanURL(t *testing.T) {
	r := rules(t)
	tests := []struct {
		in   string
		want []finding
	}{
		{"https://h/p?a=1&access_token=" + ghKey + "&b=2", []finding{{auditattr.TypeAPIKey, ghKey, ghKey}}},
		{"/p?API_KEY=abc%2Fdef-12345", []finding{{auditattr.TypeAPIKey, "abc/def-12345", "abc%2Fdef-12345"}}},
		{"/p?page=2&api_key=opaque-key-0123456789", []finding{{auditattr.TypeAPIKey, "opaque-key-0123456789", "opaque-key-0123456789"}}},
		{"access_token=tok123456789", []finding{{auditattr.TypeBearer, "tok123456789", "tok123456789"}}},
		{"https://user:p%40ss@host/x", []finding{{auditattr.TypeBasic, "user:p@ss", "user:p%40ss"}}},
		{"https://h/s3?X-Amz-Credential=" + awsID + "%2F20260101%2Fus-east-1&X-Amz-Signature=ffee", []finding{
			{auditattr.TypeAWSAccessKey, awsID, awsID + "%2F20260101%2Fus-east-1"}, {"", "", "ffee"},
		}},
		{"https://h/p?other=1#access_token=fragtoken", []finding{{auditattr.TypeBearer, "fragtoken", "fragtoken"}}},
		{"https://app/cb#access_token=implicit-flow-token&token_type=bearer", []finding{{auditattr.TypeBearer, "implicit-flow-token", "implicit-flow-token"}}},
		{"https://" + ghKey + "@github.com/o/r.git", []finding{{auditattr.TypeAPIKey, ghKey, ghKey}}},
		{"https://h/v1/keys/" + ghKey + "/verify", []finding{{auditattr.TypeAPIKey, ghKey, ghKey}}},
		{"/v1/keys/" + awsID, []finding{{auditattr.TypeAWSAccessKey, awsID, awsID}}},
		{"https://app/cb#" + stripeKey, []finding{{auditattr.TypeAPIKey, stripeKey, stripeKey}}},
		{"https://h/p?ref=" + routable + "&x=1", []finding{{auditattr.TypeAPIKey, routable, routable}}},
		{"https://h/p", nil},
		{"?access_token=", nil},
	}
	for _, tt := range tests {
		assertFindings(t, tt.in, collect(tt.in, func(s string, fn func(Credential)) { r.ScanURL(s, params, fn) }), tt.want)
	}
}

func TestScanText(t *testing.T) {
	r := rules(t)
	jwt := jwtOf(`{"alg":"HS256"}`, `{"sub":"x"}`)
	basic := base64.StdEncoding.EncodeToString([]byte("u:secretpw"))
	extra, err := CompilePatterns([]string{`x-acme=(?P<token>\S+)`})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string // scrubbed texts, in order
	}{
		{`10.0.0.1 "GET /x" 200 "Authorization: Bearer ` + jwt + `"`, []string{jwt}},
		{`authorization="Basic ` + basic + `" status=401`, []string{basic}},
		{`X-Api-Key: ` + ghKey + ` done`, []string{ghKey}},
		{`GET /p?access_token=abcdef123456 HTTP/1.1`, []string{"abcdef123456"}},
		{`leaked ` + stripeKey + ` and ` + awsID + ` and ` + acmeKey, []string{stripeKey, awsID, acmeKey}},
		{`token in json {"t":"` + jwt + `"}`, []string{jwt}},
		{`x-acme=zzzzzzzz1 end`, []string{"zzzzzzzz1"}},
		{`Authorization: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1 next`, []string{"Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1"}},
		{`X-Api-Key: abcdefgh%2FrestOfTheSecret done`, []string{"abcdefgh%2FrestOfTheSecret"}},
		{`{"headers":{"Authorization":["Bearer opaque-array-token-1"]}}`, []string{"opaque-array-token-1"}},
		{`authorization=Bearer%20opaque-encoded-token&x=1`, []string{"Bearer%20opaque-encoded-token"}},
		{`gitlab said no to ` + routable + `.`, []string{routable}},
		{`id ABIA` + strings.Repeat("Q", 16) + ` and ACCA` + strings.Repeat("2", 16), []string{"ABIA" + strings.Repeat("Q", 16), "ACCA" + strings.Repeat("2", 16)}},
		{`hook https://hooks.slack.com/services/T0000AAAA/B0000BBBB/` + strings.Repeat("x1Y", 8) + ` failed`, []string{"T0000AAAA/B0000BBBB/" + strings.Repeat("x1Y", 8)}},
		// A header printed inside brackets: the bracket is not the credential's.
		{`401 Unauthorized (request headers: Authorization: Bearer ` + jwt + `)`, []string{jwt}},
		{`(request headers: X-Api-Key: ` + ghKey + `)`, []string{ghKey}},
		{`{headers: Authorization: Basic ` + basic + `}`, []string{basic}},
		{`xoxo-indieweb-1.jpg and the file glpat-notes.txt`, nil},
		{`authorization: none`, nil},
		{`nothing to see here`, nil},
	}
	for _, tt := range tests {
		var got []string
		r.ScanText(tt.in, params, extra, func(c Credential) { got = append(got, tt.in[c.Start:c.End]) })
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q: got %q want %q", tt.in, got, tt.want)
		}
	}
}

// TestScanTextFlags: in free text (a command line, a log line) a flag
// --token=x or -password=x names its value as the parameter token=x does,
// with the default parameter names; a flag of another name, a name that
// only contains one, and a shell variable are not credentials (a name
// that contains one is scrubbed: TestScanTextSecretNames).
func TestScanTextFlags(t *testing.T) {
	r := rules(t)
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{`/usr/bin/billing-worker --token=acme_live_4f9a2c7e1b --loop`, []string{"acme_live_4f9a2c7e1b"}},
		{`run -api_key=opaque0123456789 --password=hunter2 --verbose`, []string{"opaque0123456789", "hunter2"}},
		{`--Access_Token=abcdefghijkl --client_secret=abcdefghijkl`, []string{"abcdefghijkl", "abcdefghijkl"}},
		{`api_key=opaque0123456789 at the start of a word`, []string{"opaque0123456789"}},
		{`--access-token-file=/run/secrets/t --tokens=3 --x-token=abcdefghijkl my--token=abcdefghijkl --token`, nil},
		{`the token is valid; --token = abcdefghijkl is not a flag's value`, nil},
		{`worker --token=$API_TOKEN --key=${KEY} -password=$(cat /run/pw) token=$2b$12$abcdefghijkl`, []string{"$2b$12$abcdefghijkl"}},
		{`token=${API_TOKEN} api_key=$KEY`, nil},
	} {
		var got []string
		r.ScanText(tt.in, DefaultQueryParams(), nil, func(c Credential) {
			if c.Type != "" {
				got = append(got, tt.in[c.Start:c.End])
			}
		})
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q: got %q want %q", tt.in, got, tt.want)
		}
	}
}

// TestScanTextSecretNames: a value whose parameter name holds a secret
// keyword is scrubbed (Type "", not reported) when it may be a secret;
// numbers, short values and file paths are left alone, and a name of the
// list is still a reported credential.
func TestScanTextSecretNames(t *testing.T) {
	r := rules(t)
	for _, tt := range []struct {
		in               string
		scrubbed, report []string
	}{
		{`s3 upload retry with aws_access_key_id=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=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 bucket=settlements`,
			[]string{"1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA"}, []string{"AKIAIOSFODNN7EXAMPLE"}},
		{`env DB_PASSWORD=hunter2hunter2 STRIPE_SECRET=abcd1234efgh5678 X_AUTH_TOKEN=abcdefghijkl`,
			[]string{"hunter2hunter2", "abcd1234efgh5678", "abcdefghijkl"}, nil},
		{`--client-credentials=Zm9vOmJhcmJhejEyMw private_key=MIIEvQIBADANBgkqhkiG9w0`,
			[]string{"Zm9vOmJhcmJhejEyMw", "MIIEvQIBADANBgkqhkiG9w0"}, nil},
		{`token_expires_at=1733500000 token_count=12 secret_name=prod password_reset=true`, nil, nil},
		{`{"token.id":"tok_0123456789abcdef0123456789abcdef","client_secret":"REDACTED","x_token":"REDACTED"}`, nil, nil},
		{`--access-token-file=/run/secrets/t password_file=/etc/pw secret_dir=/var/run/secrets token_cache=./cache/x`, nil, nil},
		{`password=hunter2 token=abcdefghijkl`, nil, []string{"hunter2", "abcdefghijkl"}},
		// "name": "value" and name: value read the same way, generated-looking values only.
		// The ':' forms are scrubbed, never reported: "key": "uploads/2024/photo.jpg" is no key.
		{`{"level":"warn","aws_secret_access_key":"1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA","client_secret": "abcdefgh12345"}`,
			[]string{"1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA", "abcdefgh12345"}, nil},
		{"db:\n  password: hunter2hunter2\n  host: db.internal:5432", []string{"hunter2hunter2"}, nil},
		// Quotes, blanks, escapes and whatever a quoted value holds (the review's leaks).
		{`DB_PASSWORD="s3cr3tP4ssw0rd" export API_TOKEN='abc123def456ghi'`, []string{"s3cr3tP4ssw0rd", "abc123def456ghi"}, nil},
		{"[default]\naws_secret_access_key = 1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA\n", []string{"1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA"}, nil},
		{`{"db_password": "Tr0ub4dor&3xyzzy", "passphrase": "pass word 12345678", "x_apikey": "k3yV4lue12345"}`,
			[]string{"Tr0ub4dor&3xyzzy", "pass word 12345678", "k3yV4lue12345"}, nil},
		{`{"password":"abc\"def12345678"}`, []string{`abc\"def12345678`}, nil},
		{`{"msg":"{\"db_password\":\"s3cr3tValue99\"}"}`, []string{"s3cr3tValue99"}, nil},
		{`Error:password: hunter2hunter2 msg=auth:token: abcd1234efgh`, []string{"hunter2hunter2", "abcd1234efgh"}, nil},
		{`private_key=` + strings.Repeat("MIIEvQIBADANBgkq", 100) + ` next`, []string{strings.Repeat("MIIEvQIBADANBgkq", 100)}, nil},
		{`the password: required; token: expired_session at 12:30:45 https://api.example.com:8443/`, nil, nil},
		// A key of a known form under a secret name is the key's, reported.
		{`STRIPE_SECRET=sk_live_` + `4eC39HqLyjWDarjtT1zdp7dc "stripe_secret": "sk_live_` + `4eC39HqLyjWDarjtT1zdp7dc"`, nil,
			[]string{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}},
	} {
		var scrubbed, report []string
		r.ScanText(tt.in, DefaultQueryParams(), nil, func(c Credential) {
			if c.Type == "" {
				scrubbed = append(scrubbed, tt.in[c.Start:c.End])
			} else {
				report = append(report, tt.in[c.Start:c.End])
			}
		})
		if strings.Join(scrubbed, "|") != strings.Join(tt.scrubbed, "|") || strings.Join(report, "|") != strings.Join(tt.report, "|") {
			t.Errorf("%q: scrubbed %q reported %q, want %q and %q", tt.in, scrubbed, report, tt.scrubbed, tt.report)
		}
		if !r.MayHoldText(tt.in, DefaultQueryParams()) && len(tt.scrubbed)+len(tt.report) > 0 {
			t.Errorf("%q: MayHoldText false", tt.in)
		}
	}
}

// TestHostileTextIsLinear feeds inputs that made earlier scanners walk the
// same bytes again for every match. There is no timing assertion: a
// quadratic regression shows as this test running for minutes.
func TestHostileTextIsLinear(t *testing.T) {
	r := rules(t)
	for _, s := range []string{
		strings.Repeat("sk-", 100000),
		strings.Repeat("xoxb-", 60000),
		"x" + strings.Repeat("=", 300000),
		strings.Repeat("authorization=", 20000),
		strings.Repeat("authorization: Negotiate ", 20000),
		strings.Repeat("eyJ", 100000),
		"a=" + strings.Repeat("a=", 150000),
		strings.Repeat("x_secret=abcdefgh1 token=abcdefgh ", 30000), // many scrubs beside many findings
		strings.Repeat(`password:"`, 30000),                         // quoted values never closed
		strings.Repeat("Error:password:", 60000),
	} {
		r.ScanText(s, params, nil, func(Credential) {})
		r.ScanURL(s, params, func(Credential) {})
		r.ParseAuthorization(s)
	}
}

func TestDeepNestingAndHugeClaims(t *testing.T) {
	deep := strings.Repeat("[", 7000) + strings.Repeat("]", 7000)
	tok := jwtOf(`{"alg":"HS256"}`, `{"sub":"x","deep":`+deep+`}`)
	j, err := ParseJWT(tok, Limits{MaxTokenBytes: 1 << 20})
	if err != nil || j.Claims.Subject != "x" {
		t.Fatalf("deep nesting: %v", err)
	}
	if _, err := ParseJWT(tok, DefaultLimits()); err == nil {
		t.Error("oversized token parsed")
	}
	many, _ := json.Marshal(map[string]any{"aud": make([]string, 1000)})
	if _, err := ParseJWT(jwtOf(`{"alg":"HS256"}`, string(many)), Limits{MaxTokenBytes: 1 << 20}); err != nil {
		t.Errorf("1000 empty audiences: %v", err)
	}
}

func BenchmarkParseAuthorizationJWT(b *testing.B) {
	r := rules(b)
	v := "Bearer " + jwtOf(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"https://idp.example.com","sub":"user-1","aud":"api","exp":1800000000,"iat":1700000000,"jti":"abc","scope":"a b c","pad":"`+strings.Repeat("x", 400)+`"}`)
	b.ReportAllocs()
	for b.Loop() {
		r.ParseAuthorization(v)
	}
}

// BenchmarkScanText is an access-log line with and without a credential.
func BenchmarkScanText(b *testing.B) {
	r := rules(b)
	prefix := `203.0.113.9 - - [18/Nov/2026:10:30:00 +0000] "GET /orders/42?page=2 HTTP/1.1" 200 512 "-" "curl/8.5" `
	for name, line := range map[string]string{
		"credential": prefix + `"Authorization: Bearer ` + ghKey + `"`,
		"clean":      prefix + `"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"`,
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.ScanText(line, params, nil, func(Credential) {})
			}
		})
	}
}
