package policy

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestPrincipalRules: a principal's working hours and networks hold for
// every token of that principal, registered or not, unless the token's
// registry entry sets its own; other principals keep the global ones.
func TestPrincipalRules(t *testing.T) {
	p := loadExample(t)
	at := func(d, h, min int) time.Time { return time.Date(2026, 11, d, h, min, 0, 0, time.UTC) }
	carolOffice := netip.MustParseAddr("10.8.1.1")
	// Wednesday 2026-11-18 10:30 UTC is 11:30 in Berlin (global hours: inside)
	// and 05:30 in New York (carol's hours: outside).
	wed := at(18, 10, 30)
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"principal hours replace the global", Request{PrincipalID: "carol", ClientAddr: carolOffice, EventTime: wed}, offHours},
		{"principal hours: 15:00 in New York", Request{PrincipalID: "carol", ClientAddr: carolOffice, EventTime: at(18, 20, 0)}, nil},
		{"principal networks replace the global", Request{PrincipalID: "carol", ClientAddr: office, EventTime: at(18, 20, 0)}, network},
		{"principal networks: outside everything", Request{PrincipalID: "carol", ClientAddr: outside, EventTime: at(18, 20, 0)}, network},
		{"principal networks [] lift the check", Request{PrincipalID: "deploy-bot", ClientAddr: outside, EventTime: wed}, nil},
		{"principal without hours keeps the global hours", Request{PrincipalID: "deploy-bot", EventTime: at(22, 12, 0)}, offHours},
		{"entry networks win over the principal's", Request{TokenID: deployID, PrincipalID: "deploy-bot", ClientAddr: outside, EventTime: wed}, network},
		{"entry hours win over the principal's", Request{JTI: "night-batch", PrincipalID: "carol", ClientAddr: carolOffice, EventTime: at(20, 23, 0)}, nil},
		{"entry without networks: the principal's", Request{JTI: "night-batch", PrincipalID: "carol", ClientAddr: office, EventTime: at(20, 23, 0)}, network},
		{"other principal: the global rules", Request{PrincipalID: "bob", ClientAddr: carolOffice, EventTime: wed}, nil},
		{"other principal: the global networks", Request{PrincipalID: "bob", ClientAddr: outside, EventTime: wed}, network},
		{"principal ids compare exactly", Request{PrincipalID: "Carol", ClientAddr: office, EventTime: wed}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if got := p.Evaluate(&req, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if !p.HasPrincipalWorkingHours("carol") || p.HasPrincipalWorkingHours("deploy-bot") || p.HasPrincipalWorkingHours("") {
		t.Error("HasPrincipalWorkingHours: want true for carol only")
	}
	if !p.AnyPrincipalWorkingHours() {
		t.Error("AnyPrincipalWorkingHours: carol has working hours")
	}
	var none *Policy
	if none.HasPrincipalWorkingHours("carol") || none.AnyPrincipalWorkingHours() {
		t.Error("a nil policy has no principals")
	}
}

// TestRegistryKnown: registry.known: registered_or_verified lets a JWT
// whose signature was verified count as known, optionally only from the
// listed issuers; the default keeps every unregistered token unknown.
func TestRegistryKnown(t *testing.T) {
	const base = "registry:\n  authoritative: true\n  tokens: [{jti: j1}]\n"
	registered := mustParse(t, base)
	verified := mustParse(t, base+"  known: registered_or_verified\n")
	issuers := mustParse(t, base+"  known: registered_or_verified\n  verified_issuers: [\"https://idp.example.com\"]\n")
	explicit := mustParse(t, base+"  known: registered\n")
	unknown := []string{auditattr.ViolationUnknown}
	const idp = "https://idp.example.com"
	tests := []struct {
		name string
		p    *Policy
		req  Request
		want []string
	}{
		{"default: a verified JWT is unknown", registered, Request{TokenID: "tok_x", Issuer: idp, Verified: true}, unknown},
		{"known: registered: the same", explicit, Request{TokenID: "tok_x", Issuer: idp, Verified: true}, unknown},
		{"default: registered", registered, Request{JTI: "j1"}, nil},
		{"or_verified: verified", verified, Request{TokenID: "tok_x", Issuer: "https://any.example.org", Verified: true}, nil},
		{"or_verified: registered, not verified", verified, Request{JTI: "j1"}, nil},
		{"or_verified: neither", verified, Request{TokenID: "tok_x", Issuer: idp}, unknown},
		{"issuers: listed and verified", issuers, Request{TokenID: "tok_x", Issuer: idp, Verified: true}, nil},
		{"issuers: verified, other issuer", issuers, Request{TokenID: "tok_x", Issuer: "https://evil.example", Verified: true}, unknown},
		{"issuers: verified, no issuer", issuers, Request{TokenID: "tok_x", Verified: true}, unknown},
		{"issuers: listed, not verified", issuers, Request{TokenID: "tok_x", Issuer: idp}, unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if got := tt.p.Evaluate(&req, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if registered.AcceptsVerified() || !verified.AcceptsVerified() || !issuers.AcceptsVerified() {
		t.Error("AcceptsVerified: want true only with registered_or_verified")
	}
}
