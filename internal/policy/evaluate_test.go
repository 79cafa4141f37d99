package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

const (
	revokedID = "tok_0123456789abcdef0123456789abcdef"
	deployID  = "tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // registered, networks 10.1.0.0/16
	adminTok  = "tok_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" // admitted to DELETE /admin/**
)

var (
	office  = netip.MustParseAddr("10.2.3.4")
	outside = netip.MustParseAddr("198.51.100.1")
)

func TestEvaluate(t *testing.T) {
	p := loadExample(t)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	type r = Request
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"clean", r{Scopes: []string{"users:read"}, Resource: "GET /users/{id}"}, nil},
		{"nothing known", r{}, nil},

		{"revoked: id", r{TokenID: revokedID}, revoked},
		{"revoked: jti", r{JTI: "8f1c2d"}, revoked},
		{"revoked: key id", r{KeyID: "AKIAREVOKEDKEY000001"}, revoked},
		{"revoked: all three name it once", r{TokenID: revokedID, JTI: "8f1c2d", KeyID: "AKIAREVOKEDKEY000001"}, revoked},
		{"not revoked", r{TokenID: deployID, JTI: "other", KeyID: "AKIAOTHER"}, nil},
		{"revoked: dated, used after", r{KeyID: "AKIAREVOKEDKEY000001", Time: at(2026, 11, 2, 9, 30)}, revoked},
		{"revoked: dated, used before", r{KeyID: "AKIAREVOKEDKEY000001", Time: at(2026, 11, 2, 9, 29)}, nil},
		{"revoked: dated, time unknown", r{KeyID: "AKIAREVOKEDKEY000001"}, revoked},
		{"revoked: undated, any time", r{JTI: "8f1c2d", Time: at(2020, 1, 1, 0, 0)}, revoked},
		{"revoked: dated key, undated id", r{TokenID: revokedID, KeyID: "AKIAREVOKEDKEY000001", Time: at(2026, 1, 1, 0, 0)}, revoked},

		{"scope: not granted", r{Scopes: []string{"users:read"}, Resource: "DELETE /users/{id}"}, scope},
		{"scope: granted", r{Scopes: []string{"users:read", "users:write"}, Resource: "DELETE /users/{id}"}, nil},
		{"scope: normalised path", r{Scopes: []string{"users:read"}, Resource: "GET /users/{id}/"}, nil},
		{"scope: method in any case", r{Scopes: []string{"users:read"}, Resource: "get /users"}, nil},
		{"scope: ungoverned resource", r{Scopes: []string{"users:read"}, Resource: "GET /health"}, nil},
		{"scope: unknown scopes", r{Resource: "DELETE /users/{id}"}, nil},
		{"scope: no scopes at all", r{Scopes: []string{}, Resource: "DELETE /users/{id}"}, scope},
		{"scope: unknown resource", r{Scopes: []string{}}, nil},
		{"scope: rpc granted", r{Scopes: []string{"reports"}, Resource: "reports.v1.Reports/Get"}, nil},
		{"scope: rpc not granted", r{Scopes: []string{"users:read"}, Resource: "reports.v1.Reports/Get"}, scope},
		{"scope: admin **", r{Scopes: []string{"admin"}, Resource: "PATCH /admin/a/b/c"}, nil},

		{"restricted: other principal", r{PrincipalID: "bob", Resource: "DELETE /admin/users/{id}"}, restricted},
		{"restricted: and no scope", r{PrincipalID: "bob", Scopes: []string{"users:write"}, Resource: "DELETE /admin/x"},
			[]string{auditattr.ViolationScope, auditattr.ViolationRestrictedResource}},
		{"restricted: listed principal", r{PrincipalID: "alice", Resource: "DELETE /admin/users/{id}"}, nil},
		{"restricted: listed token", r{TokenID: adminTok, Resource: "DELETE /admin/users/{id}"}, nil},
		{"restricted: listed scope", r{PrincipalID: "bob", Scopes: []string{"users:read", "admin"}, Resource: "DELETE /admin/x"}, nil},
		{"restricted: scope a forged token claims", r{PrincipalID: "bob", Scopes: []string{"users:read", "admin"}, ClaimedScopes: true, Resource: "DELETE /admin/x"}, restricted},
		{"restricted: other method", r{PrincipalID: "bob", Resource: "GET /admin/x"}, nil},
		{"restricted: unknown resource", r{PrincipalID: "bob"}, nil},

		{"hours: Sunday", r{EventTime: at(2026, 11, 22, 12, 0)}, offHours},
		{"hours: start is inside (08:00 Berlin)", r{EventTime: at(2026, 11, 18, 7, 0)}, nil},
		{"hours: before start (07:59 Berlin)", r{EventTime: at(2026, 11, 18, 6, 59)}, offHours},
		{"hours: end is outside (19:00 Berlin)", r{EventTime: at(2026, 11, 18, 18, 0)}, offHours},
		{"hours: Friday 23:30 UTC is Saturday in Berlin", r{EventTime: at(2026, 11, 20, 23, 30)}, offHours},
		{"hours: Sunday 23:30 UTC is Monday 00:30 in Berlin", r{EventTime: at(2026, 11, 22, 23, 30)}, offHours},
		{"hours: unknown time", r{EventTime: time.Time{}}, nil},

		{"network: outside", r{ClientAddr: outside}, network},
		{"network: IPv6 inside", r{ClientAddr: netip.MustParseAddr("2001:db8::5")}, nil},
		{"network: IPv6 outside", r{ClientAddr: netip.MustParseAddr("2001:db9::5")}, network},
		{"network: single address", r{ClientAddr: netip.MustParseAddr("203.0.113.7")}, nil},
		{"network: next to the single address", r{ClientAddr: netip.MustParseAddr("203.0.113.8")}, network},
		{"network: IPv4-mapped", r{ClientAddr: netip.MustParseAddr("::ffff:192.168.1.9")}, nil},
		{"network: unknown address", r{ClientAddr: netip.Addr{}}, nil},

		{"entry networks replace the global", r{TokenID: deployID, ClientAddr: office}, network},
		{"entry networks allow", r{TokenID: deployID, ClientAddr: netip.MustParseAddr("10.1.2.3")}, nil},
		{"entry networks [] lift the check", r{KeyID: "AKIAEXAMPLEKEYID0001", ClientAddr: outside}, nil},
		{"entry hours replace the global", r{JTI: "night-batch"}, offHours},
		{"entry overnight: Friday 23:00", r{JTI: "night-batch", EventTime: at(2026, 11, 20, 23, 0)}, nil},
		{"entry overnight: Saturday 03:00 is Friday's night", r{JTI: "night-batch", EventTime: at(2026, 11, 21, 3, 0)}, nil},
		{"entry overnight: Saturday 23:00", r{JTI: "night-batch", EventTime: at(2026, 11, 21, 23, 0)}, offHours},
		{"entry overnight: Monday 03:00 is Sunday's night", r{JTI: "night-batch", EventTime: at(2026, 11, 23, 3, 0)}, offHours},
		{"entry overnight: 06:00 is outside", r{JTI: "night-batch", EventTime: at(2026, 11, 19, 6, 0)}, offHours},
		{"id entry wins over jti entry", r{TokenID: deployID, JTI: "night-batch", ClientAddr: netip.MustParseAddr("10.1.0.1")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if req.EventTime.IsZero() && tt.name != "hours: unknown time" {
				req.EventTime = workTime
			}
			if got := p.Evaluate(&req, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRevokedListedTwice: the earlier revocation holds, an undated one
// before any date.
func TestRevokedListedTwice(t *testing.T) {
	p := mustParse(t, `
revoked:
  - {jti: a, revoked_at: 2026-11-05T00:00:00Z}
  - {jti: a, revoked_at: 2026-11-01T00:00:00Z}
  - {jti: b, revoked_at: 2026-11-01T00:00:00Z}
  - {jti: b}
  - {jti: c}
  - {jti: c, revoked_at: 2026-11-01T00:00:00Z}
`)
	oct := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	nov := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		jti  string
		at   time.Time
		want []string
	}{
		{"a", oct, nil},
		{"a", nov, revoked},
		{"b", oct, revoked},
		{"c", oct, revoked},
	}
	for _, tt := range tests {
		if got := p.Evaluate(&Request{JTI: tt.jti, Time: tt.at}, nil); !slices.Equal(got, tt.want) {
			t.Errorf("jti %s at %s: %v, want %v", tt.jti, tt.at.Format(time.DateOnly), got, tt.want)
		}
	}
}

// TestEvaluateOrder fires every verdict at once: the order is fixed.
func TestEvaluateOrder(t *testing.T) {
	p := mustParse(t, `
scopes: {admin: ["* /admin/**"]}
restricted: [{resource: "* /admin/**", principals: [root]}]
working_hours: {start: "09:00", end: "17:00"}
allowed_networks: [10.0.0.0/8]
revoked: [{jti: gone}]
registry: {authoritative: true}
`)
	req := Request{JTI: "gone", Scopes: []string{"users"}, Resource: "GET /admin", PrincipalID: "bob",
		ClientAddr: outside, EventTime: time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)}
	want := []string{
		auditattr.ViolationRevoked, auditattr.ViolationUnknown, auditattr.ViolationScope,
		auditattr.ViolationRestrictedResource, auditattr.ViolationOffHours, auditattr.ViolationDisallowedNetwork,
	}
	prior := []string{auditattr.ViolationExpired}
	got := p.Evaluate(&req, prior)
	if !slices.Equal(got, append([]string{auditattr.ViolationExpired}, want...)) {
		t.Errorf("got %v, want expired_token then %v", got, want)
	}
}

func TestUnknownToken(t *testing.T) {
	yaml := "registry:\n  authoritative: %s\n  tokens:\n    - {id: " + deployID + "}\n    - {jti: j1}\n    - {key_id: AKIAEXAMPLE}\n"
	authoritative := mustParse(t, fmt.Sprintf(yaml, "true"))
	lenient := mustParse(t, fmt.Sprintf(yaml, "false"))
	unknown := []string{auditattr.ViolationUnknown}
	tests := []struct {
		name string
		p    *Policy
		req  Request
		want []string
	}{
		{"unregistered", authoritative, Request{TokenID: "tok_other"}, unknown},
		{"registered by id", authoritative, Request{TokenID: deployID}, nil},
		{"registered by jti", authoritative, Request{TokenID: "tok_other", JTI: "j1"}, nil},
		{"registered by key id", authoritative, Request{TokenID: "tok_other", KeyID: "AKIAEXAMPLE"}, nil},
		{"not authoritative", lenient, Request{TokenID: "tok_other"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Evaluate(&tt.req, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	p := mustParse(t, `
registry:
  tokens:
    - {id: tok_1, name: by-id, owner: alice, owner_type: user, scopes: [a], created_at: 2026-01-01T00:00:00Z, expires_at: "2026-12-31T00:00:00+01:00"}
    - {jti: j1, name: by-jti}
    - {key_id: k1, name: by-key}
    - {id: tok_2, jti: j2, key_id: k2, name: all-three}
`)
	tests := []struct {
		name, id, jti, keyID, want string
	}{
		{"id first", "tok_1", "j1", "k1", "by-id"},
		{"then jti", "tok_x", "j1", "k1", "by-jti"},
		{"then key id", "tok_x", "j_x", "k1", "by-key"},
		{"empty arguments skipped", "", "", "k1", "by-key"},
		{"one entry, any identifier", "", "j2", "", "all-three"},
		{"none", "tok_x", "j_x", "k_x", ""},
		{"all empty", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := p.Lookup(tt.id, tt.jti, tt.keyID)
			if got := ""; e != nil {
				got = e.Name
				if got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			} else if tt.want != "" {
				t.Errorf("got nil, want %q", tt.want)
			}
		})
	}
	e := p.Lookup("tok_1", "", "")
	wantExp := time.Date(2026, 12, 30, 23, 0, 0, 0, time.UTC)
	if e.Owner != "alice" || e.OwnerType != auditattr.PrincipalUser || !slices.Equal(e.Scopes, []string{"a"}) ||
		!e.CreatedAt.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !e.ExpiresAt.Equal(wantExp) {
		t.Errorf("entry = %+v", e)
	}
	if e := p.Lookup("", "j1", ""); e.Scopes != nil || !e.ExpiresAt.IsZero() || !e.CreatedAt.IsZero() {
		t.Errorf("absent fields must be nil and zero: %+v", e)
	}
}

func TestNilAndEmpty(t *testing.T) {
	req := Request{TokenID: revokedID, Scopes: []string{}, Resource: "GET /x", ClientAddr: outside, EventTime: workTime}
	var nilPolicy *Policy
	var nilHolder *Holder
	for name, p := range map[string]*Policy{"nil": nilPolicy, "empty": Empty(), "empty file": mustParse(t, ""), "nil holder": nilHolder.Current()} {
		if got := p.Evaluate(&req, nil); got != nil {
			t.Errorf("%s: %v", name, got)
		}
		if p.Lookup(revokedID, "j", "k") != nil {
			t.Errorf("%s: Lookup found an entry", name)
		}
	}
	if got := loadExample(t).Evaluate(nil, []string{"x"}); !slices.Equal(got, []string{"x"}) {
		t.Errorf("nil request: %v", got)
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := loadExample(t)
	reqs := []Request{
		{TokenID: deployID, Scopes: []string{"users:read"}, Resource: "GET /users/{id}", ClientAddr: office, EventTime: workTime},
		{TokenID: revokedID, JTI: "night-batch", Scopes: []string{}, Resource: "DELETE /admin/x", PrincipalID: "bob",
			ClientAddr: netip.MustParseAddr("2001:db9::1%eth0"), EventTime: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
		{Resource: "reports.v1.Reports/List", Scopes: []string{"users:read"}, ClientAddr: outside, EventTime: workTime},
		{TokenID: "tok_unregistered", PrincipalID: "carol", Issuer: "https://idp.example.com", Verified: true, ClientAddr: office, EventTime: workTime},
	}
	out := make([]string, 0, 8)
	for _, req := range reqs {
		if n := testing.AllocsPerRun(100, func() { out = p.Evaluate(&req, out[:0]) }); n != 0 {
			t.Errorf("%+v: %v allocs", req, n)
		}
	}
}
