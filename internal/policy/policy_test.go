package policy

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func load(t testing.TB) *Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Wednesday 2026-11-18 11:30 in Berlin (UTC+1).
var workTime = time.Date(2026, 11, 18, 10, 30, 0, 0, time.UTC)

func TestEvaluate(t *testing.T) {
	p := load(t)
	office := netip.MustParseAddr("10.2.3.4")
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"clean", Request{Scopes: []string{"users:read"}, Resource: "GET /users/{id}", ClientAddr: office, EventTime: workTime}, nil},
		{"revoked by id", Request{TokenID: "tok_0123456789abcdef0123456789abcdef", EventTime: workTime}, []string{auditattr.ViolationRevoked}},
		{"revoked by jti", Request{JTI: "8f1c2d", EventTime: workTime}, []string{auditattr.ViolationRevoked}},
		{"scope violation", Request{Scopes: []string{"users:read"}, Resource: "DELETE /users/{id}", EventTime: workTime}, []string{auditattr.ViolationScope}},
		{"ungoverned resource", Request{Scopes: []string{"users:read"}, Resource: "GET /health", EventTime: workTime}, nil},
		{"unknown scopes: no verdict", Request{Resource: "DELETE /users/{id}", EventTime: workTime}, nil},
		{"empty scopes: violation", Request{Scopes: []string{}, Resource: "DELETE /users/{id}", EventTime: workTime}, []string{auditattr.ViolationScope}},
		{"admin glob", Request{Scopes: []string{"admin"}, Resource: "PATCH /admin/a/b/c", EventTime: workTime}, nil},
		{"rpc glob", Request{Scopes: []string{"rpc:reports"}, Resource: "reports.v1.Reports/Get", EventTime: workTime}, nil},
		{"rpc outside scope", Request{Scopes: []string{"users:read"}, Resource: "reports.v1.Reports/Get", EventTime: workTime}, []string{auditattr.ViolationScope}},
		{"restricted for others", Request{PrincipalID: "bob", Scopes: []string{"users:write"}, Resource: "DELETE /admin/users/{id}", EventTime: workTime}, []string{auditattr.ViolationScope, auditattr.ViolationRestrictedResource}},
		{"restricted allowed principal", Request{PrincipalID: "alice", Resource: "DELETE /admin/users/{id}", EventTime: workTime}, nil},
		{"restricted allowed scope", Request{PrincipalID: "bob", Scopes: []string{"admin"}, Resource: "DELETE /admin/x", EventTime: workTime}, nil},
		{"off hours: Sunday", Request{EventTime: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}, []string{auditattr.ViolationOffHours}},
		{"off hours: 19:00 Berlin is after", Request{EventTime: time.Date(2026, 11, 18, 18, 0, 0, 0, time.UTC)}, []string{auditattr.ViolationOffHours}},
		{"08:00 Berlin is within", Request{EventTime: time.Date(2026, 11, 18, 7, 0, 0, 0, time.UTC)}, nil},
		{"summer time: 07:30 UTC is 09:30 Berlin", Request{EventTime: time.Date(2026, 7, 15, 7, 30, 0, 0, time.UTC)}, nil},
		{"summer time: 17:30 UTC is 19:30 Berlin", Request{EventTime: time.Date(2026, 7, 15, 17, 30, 0, 0, time.UTC)}, []string{auditattr.ViolationOffHours}},
		{"DST change day (Sunday 2026-03-29)", Request{EventTime: time.Date(2026, 3, 29, 9, 0, 0, 0, time.UTC)}, []string{auditattr.ViolationOffHours}},
		{"no time: no verdict", Request{}, nil},
		{"network", Request{ClientAddr: netip.MustParseAddr("198.51.100.1"), EventTime: workTime}, []string{auditattr.ViolationDisallowedNetwork}},
		{"network single address and v6", Request{ClientAddr: netip.MustParseAddr("2001:db8::5"), EventTime: workTime}, nil},
		{"mapped v4", Request{ClientAddr: netip.MustParseAddr("::ffff:203.0.113.7"), EventTime: workTime}, nil},
		{"entry networks override", Request{TokenID: "tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ClientAddr: office, EventTime: workTime}, []string{auditattr.ViolationDisallowedNetwork}},
		{"entry overnight hours: 23:00", Request{JTI: "night-batch", EventTime: time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)}, nil},
		{"entry overnight hours: 03:00", Request{JTI: "night-batch", EventTime: time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)}, nil},
		{"entry overnight hours: noon", Request{JTI: "night-batch", EventTime: workTime}, []string{auditattr.ViolationOffHours}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Evaluate(&tt.req, nil)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthoritativeRegistry(t *testing.T) {
	p, err := Parse([]byte("registry:\n  authoritative: true\n  tokens:\n    - key_id: AKIAEXAMPLE\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Evaluate(&Request{TokenID: "tok_x"}, nil); !slices.Equal(got, []string{auditattr.ViolationUnknown}) {
		t.Errorf("unregistered: %v", got)
	}
	if got := p.Evaluate(&Request{TokenID: "tok_x", KeyID: "AKIAEXAMPLE"}, nil); got != nil {
		t.Errorf("registered by key id: %v", got)
	}
}

func TestLookup(t *testing.T) {
	p := load(t)
	e := p.Lookup("tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "night-batch", "")
	if e == nil || e.Owner != "deploy-bot" || e.OwnerType != "service" || e.ExpiresAt.Year() != 2026 || e.Name != "ci-deploy" {
		t.Fatalf("id lookup: %+v", e)
	}
	if e := p.Lookup("tok_other", "night-batch", ""); e == nil || e.Owner != "batch" {
		t.Errorf("jti lookup: %+v", e)
	}
	if e := p.Lookup("", "", "AKIAEXAMPLEKEYID0001"); e == nil || e.Owner != "s3-sync" {
		t.Errorf("key id lookup: %+v", e)
	}
	if p.Lookup("", "", "") != nil || Empty().Lookup("x", "y", "z") != nil {
		t.Error("empty lookup found something")
	}
	var nilP *Policy
	if nilP.Evaluate(&Request{TokenID: "x"}, nil) != nil {
		t.Error("nil policy gave verdicts")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"registry:\n  tokens:\n    - id: a\n      expires_at: tomorrow\n", `registry.tokens[0].expires_at: cannot parse "tomorrow": use RFC 3339`},
		{"working_hours: {time_zone: Mars/Base, start: '08:00', end: '17:00'}\n", `working_hours.time_zone: unknown time zone "Mars/Base"`},
		{"working_hours: {start: '8am', end: '17:00'}\n", `working_hours.start: cannot parse "8am": use HH:MM`},
		{"working_hours: {days: [funday], start: '08:00', end: '17:00'}\n", `working_hours.days[0]: "funday" is not a weekday`},
		{"working_hours: {start: '08:00', end: '08:00'}\n", "the window would be empty"},
		{"allowed_networks: [10.0.0.0/8, 10.0.0.0/33]\n", `allowed_networks[1]: "10.0.0.0/33" is not a CIDR or an IP address`},
		{"revoked:\n  - {}\n", "revoked[0]: set id"},
		{"registry:\n  tokens:\n    - owner: x\n", "registry.tokens[0]: set id"},
		{"registry:\n  tokens:\n    - {id: a}\n    - {id: a}\n", `registry.tokens[1].id: "a" is listed twice`},
		{"registry:\n  tokens:\n    - {id: a, owner_type: robot}\n", `registry.tokens[0].owner_type: "robot" is not user or service`},
		{"scopes:\n  s: [\"GET users\"]\n", "scopes.s[0]: resource pattern \"GET users\": the path must start with /"},
		{"scopes:\n  s: [\"GET /a/**/b\"]\n", "** may only be the last segment"},
		{"restricted:\n  - resource: ''\n", "restricted[0].resource: empty resource pattern"},
		{"unknown_key: 1\n", "field unknown_key not found"},
		{"revoked: [this is: not valid", "policy:"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.yaml, err, tt.want)
		}
	}
	if p, err := Parse(nil); err != nil || p.Evaluate(&Request{TokenID: "x", EventTime: workTime}, nil) != nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{"GET /users/{id}", "GET /users/{id}", true},
		{"GET /users/{id}", "get /users/{userId}", true},
		{"GET /users/{id}", "GET /users/42", true},
		{"GET /users/{id}", "GET /users/42/keys", false},
		{"GET /users", "GET /users/", true},
		{"* /admin/**", "DELETE /admin", true},
		{"* /admin/**", "DELETE /admin/x/y", true},
		{"* /admin/**", "DELETE /administrator", false},
		{"GET /a/*/c", "GET /a/b/c", true},
		{"GET /a/*/c", "GET /a/b/d", false},
		{"POST /x", "GET /x", false},
		{"pkg.S/*", "pkg.S/Get", true},
		{"pkg.S/*", "pkg.T/Get", false},
		{"*", "anything at all", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"GET /x", "pkg.S/Get", false},
	}
	for _, tt := range tests {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		if got := p.match(tt.resource); got != tt.want {
			t.Errorf("%q ~ %q = %v", tt.pattern, tt.resource, got)
		}
	}
}

func TestHolderReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("revoked:\n  - jti: a\n")
	var mu sync.Mutex
	var reports []error
	h, err := Load(path, 10*time.Millisecond, func(err error) { mu.Lock(); reports = append(reports, err); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	revoked := func(jti string) bool { return len(h.Current().Evaluate(&Request{JTI: jti}, nil)) > 0 }
	if !revoked("a") {
		t.Fatal("initial policy not in force")
	}
	write("revoked:\n  - jti: b\n")
	waitFor(t, func() bool { return revoked("b") })
	write("revoked: [broken")
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reports) > 0 && reports[len(reports)-1] != nil
	})
	if !revoked("b") {
		t.Error("an invalid file replaced the policy")
	}
	h.Close()
	h.Close()
	var nilH *Holder
	nilH.Close()
	if h2, err := Load("", 0, nil); err != nil || h2.Current() == nil {
		t.Errorf("no path: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), 0, nil); err == nil {
		t.Error("missing file accepted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "policy.yaml"))
	f.Add(data)
	f.Add([]byte("scopes: {a: ['* /**']}\nworking_hours: {start: '23:59', end: '00:00'}"))
	f.Add([]byte("registry: {authoritative: true, tokens: [{jti: x, networks: ['::/0']}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		p.Evaluate(&Request{TokenID: "t", JTI: "x", Scopes: []string{"a"}, Resource: "GET /a/b", ClientAddr: netip.MustParseAddr("10.0.0.1"), EventTime: workTime}, nil)
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("GET /users/{id}", "GET /users/42")
	f.Add("* /a/**", "PUT /a/b/c")
	f.Add("a*b*c*d*e*f", strings.Repeat("ab", 100))
	f.Fuzz(func(t *testing.T, pattern, resource string) {
		if p, err := compilePattern(pattern); err == nil {
			p.match(resource)
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	var y strings.Builder
	y.WriteString("scopes:\n")
	for i := range 20 {
		fmt.Fprintf(&y, "  s%d: [\"GET /r%d/{id}\", \"POST /r%d\", \"* /r%d/admin/**\"]\n", i, i, i, i)
	}
	y.WriteString("restricted:\n")
	for i := range 5 {
		fmt.Fprintf(&y, "  - {resource: \"DELETE /r%d/**\", principals: [root]}\n", i)
	}
	y.WriteString("working_hours: {time_zone: Europe/Berlin, start: '08:00', end: '19:00'}\nallowed_networks: [10.0.0.0/8]\nregistry:\n  tokens:\n")
	for i := range 1000 {
		fmt.Fprintf(&y, "    - {id: tok_%032d, owner: o%d, scopes: [s%d]}\n", i, i, i%20)
	}
	p, err := Parse([]byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	req := Request{TokenID: fmt.Sprintf("tok_%032d", 7), Scopes: []string{"s7"}, Resource: "GET /r7/{id}", ClientAddr: netip.MustParseAddr("10.1.1.1"), EventTime: workTime, PrincipalID: "o7"}
	out := make([]string, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		out = p.Evaluate(&req, out[:0])
	}
}
