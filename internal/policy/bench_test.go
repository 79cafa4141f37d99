package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// benchPolicy is a realistic policy: 20 scopes of 4–5 patterns over 10
// services, 5 restricted resources, 1000 registry entries (every tenth with
// its own networks, every 50th with its own hours), 50 revoked tokens.
func benchYAML() string {
	var y strings.Builder
	y.WriteString("scopes:\n")
	for svc := range 10 {
		fmt.Fprintf(&y, "  svc%d:read: [\"GET /svc%d/items\", \"GET /svc%d/items/{id}\", \"GET /svc%d/items/{id}/history/**\", \"svc%d.v1.Items/Get*\"]\n", svc, svc, svc, svc, svc)
		fmt.Fprintf(&y, "  svc%d:write: [\"POST /svc%d/items\", \"PUT /svc%d/items/{id}\", \"PATCH /svc%d/items/{id}\", \"DELETE /svc%d/items/{id}\", \"svc%d.v1.Items/*\"]\n", svc, svc, svc, svc, svc, svc)
	}
	y.WriteString("restricted:\n")
	for i := range 5 {
		fmt.Fprintf(&y, "  - {resource: \"DELETE /svc%d/items/{id}\", principals: [owner-%d, root], scopes: [svc%d:admin]}\n", i, i, i)
	}
	y.WriteString("working_hours: {time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: '07:00', end: '20:00'}\n")
	y.WriteString("allowed_networks: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 2001:db8::/32, 203.0.113.7]\n")
	y.WriteString("revoked:\n")
	for i := range 50 {
		fmt.Fprintf(&y, "  - {id: %s}\n", benchID(100_000+i))
	}
	y.WriteString("registry:\n  authoritative: true\n  tokens:\n")
	for i := range 1000 {
		fmt.Fprintf(&y, "    - {id: %s, jti: jti-%d, name: token-%d, owner: owner-%d, owner_type: user, scopes: [svc%d:read, svc%d:write], expires_at: 2027-01-01T00:00:00Z",
			benchID(i), i, i, i%100, i%10, (i+1)%10)
		if i%10 == 0 {
			y.WriteString(", networks: [10.1.0.0/16, 2001:db8:1::/48]")
		}
		if i%50 == 0 {
			y.WriteString(", working_hours: {time_zone: America/New_York, start: '22:00', end: '06:00'}")
		}
		y.WriteString("}\n")
	}
	return y.String()
}

func benchPolicy(b *testing.B) *Policy {
	p, err := Parse([]byte(benchYAML()))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchID(i int) string { return fmt.Sprintf("tok_%032x", i) }

// benchRequests mixes the common case (a registered token inside its scopes)
// with each kind of finding.
func benchRequests() []Request {
	addr := netip.MustParseAddr
	return []Request{
		{TokenID: benchID(7), Scopes: []string{"svc7:read", "svc8:write"}, Resource: "GET /svc7/items/{id}", ClientAddr: addr("10.2.3.4"), EventTime: workTime, PrincipalID: "owner-7"},
		{TokenID: benchID(8), Scopes: []string{"svc8:read", "svc9:write"}, Resource: "svc9.v1.Items/Update", ClientAddr: addr("192.168.4.4"), EventTime: workTime, PrincipalID: "owner-8"},
		{TokenID: benchID(9), Scopes: []string{"svc9:read", "svc0:write"}, Resource: "GET /healthz", ClientAddr: addr("10.2.3.4"), EventTime: workTime, PrincipalID: "owner-9"},
		{TokenID: benchID(3), Scopes: []string{"svc3:read"}, Resource: "DELETE /svc3/items/{id}", ClientAddr: addr("2001:db8::1"), EventTime: workTime, PrincipalID: "owner-3"},
		{TokenID: benchID(10), Scopes: []string{"svc0:read"}, Resource: "GET /svc0/items", ClientAddr: addr("10.2.3.4"), EventTime: workTime, PrincipalID: "owner-10"},
		{TokenID: benchID(100_001), Scopes: []string{"svc1:read"}, Resource: "PUT /svc1/items/{id}", ClientAddr: addr("198.51.100.1"), EventTime: workTime.Add(10 * time.Hour)},
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := benchPolicy(b)
	reqs := benchRequests()
	out := make([]string, 0, 8)
	found := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out = p.Evaluate(&reqs[i%len(reqs)], out[:0])
		found += len(out)
	}
	if found == 0 {
		b.Fatal("the mix found nothing")
	}
}

func BenchmarkEvaluateAllowed(b *testing.B) {
	p := benchPolicy(b)
	req := benchRequests()[0]
	out := make([]string, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		out = p.Evaluate(&req, out[:0])
	}
	if len(out) != 0 {
		b.Fatalf("the allowed request found %v", out)
	}
}

// BenchmarkParse is the cost of one reload of the realistic policy.
func BenchmarkParse(b *testing.B) {
	data := []byte(benchYAML())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
