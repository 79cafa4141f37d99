package policy

import (
	"net/netip"
	"testing"
)

func TestNetworks(t *testing.T) {
	nets, err := ParseNetworks([]string{"10.0.0.0/8", " 192.168.1.7/24 ", "2001:db8::/32", "203.0.113.7", "::ffff:172.16.0.0/108", "::ffff:198.51.100.9", "fe80::/10"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want bool
	}{
		{"10.255.0.1", true},
		{"11.0.0.1", false},
		{"192.168.1.200", true}, // host bits in the CIDR are masked
		{"192.168.2.1", false},
		{"2001:db8:1::1", true},
		{"203.0.113.7", true},
		{"203.0.113.6", false},
		{"172.16.5.5", true},        // a mapped prefix matches plain IPv4
		{"::ffff:172.16.5.5", true}, // and mapped clients
		{"198.51.100.9", true},      // a mapped address likewise
		{"::ffff:10.1.1.1", true},   // a mapped client in a plain prefix
		{"fe80::1%eth0", true},      // the zone does not matter
		{"::1", false},
	}
	for _, tt := range tests {
		if got := inNetworks(nets, netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.addr, got, tt.want)
		}
	}
	if _, err := ParseNetworks([]string{"10.0.0.1", "bad"}); err == nil || err.Error()[:4] != "[1]:" {
		t.Errorf("the error must start with the index for the caller's key: %v", err)
	}
}
