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
