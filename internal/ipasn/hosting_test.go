package ipasn

import (
	"slices"
	"testing"
)

// TestHostingASNs: the built-in list is sorted and without repeats once
// returned, every AS on it is one the vendored table names (a typo would
// silently judge nobody), and the CDNs and privacy relays that carry
// ordinary users' traffic are not on it.
func TestHostingASNs(t *testing.T) {
	tab, err := Vendored()
	if err != nil {
		t.Fatal(err)
	}
	list := HostingASNs()
	if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
		t.Fatalf("HostingASNs is not sorted and unique: %v", list)
	}
	for _, as := range list {
		if tab.Name(as) == "" {
			t.Errorf("AS%d is not in the vendored table", as)
		}
	}
	for _, relay := range []uint32{13335, 20940, 16625, 54113, 714, 6185} {
		if slices.Contains(list, relay) {
			t.Errorf("AS%d carries ordinary users' traffic (a CDN or privacy relay) and must not be listed", relay)
		}
	}
	list[0] = 0
	if HostingASNs()[0] == 0 {
		t.Error("HostingASNs returns the list itself, not a copy")
	}
}

// TestProviderASNs: a provider's ASes are found from any of them, a
// provider with one AS is itself, and an AS not on the list has none.
func TestProviderASNs(t *testing.T) {
	tests := []struct {
		as   uint32
		want []uint32
	}{
		{14618, []uint32{8987, 14618, 16509}}, // AWS us-east-1 finds AWS elsewhere
		{12076, []uint32{8075, 12076}},        // Azure
		{16276, []uint32{16276}},              // OVHcloud, one AS
		{3320, nil},                           // Deutsche Telekom: no hosting provider
	}
	for _, tt := range tests {
		if got := ProviderASNs(tt.as); !slices.Equal(got, tt.want) {
			t.Errorf("ProviderASNs(%d) = %v, want %v", tt.as, got, tt.want)
		}
	}
}
