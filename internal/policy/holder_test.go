package policy

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// reports records onReload calls.
type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *reports) snapshot() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func TestHolderReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	write := func(s string) {
		t.Helper()
		// Write and rename, as a ConfigMap or an editor does: never a half file.
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	revoked := func(h *Holder, jti string) bool {
		return len(h.Current().Evaluate(&Request{JTI: jti}, nil)) > 0
	}

	write("revoked:\n  - jti: first\n")
	var r reports
	h, err := Load(path, 20*time.Millisecond, r.add)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if !revoked(h, "first") {
		t.Fatal("the initial policy is not in force")
	}
	initial := h.Current()

	write("revoked:\n  - jti: second\n")
	waitFor(t, "the new policy", func() bool { return h.Current() != initial })
	if !revoked(h, "second") || revoked(h, "first") {
		t.Fatal("the reloaded policy is not the new file")
	}
	// The holder swaps the policy, then reports: the report may come a
	// moment after the new policy is seen.
	waitFor(t, "the reload's report", func() bool { return len(r.snapshot()) >= 1 })
	if errs := r.snapshot(); len(errs) != 1 || errs[0] != nil {
		t.Fatalf("onReload after a good reload: %v", errs)
	}
	good := h.Current()

	write("revoked:\n  - jti: third\nallowed_networks: [10.0.0.0/33]\n")
	waitFor(t, "a rejected reload", func() bool { return len(r.snapshot()) == 2 })
	err = r.snapshot()[1]
	if err == nil || !strings.Contains(err.Error(), `allowed_networks[0]: "10.0.0.0/33" is not a CIDR`) || !strings.Contains(err.Error(), path) {
		t.Errorf("onReload must name the file and the problem: %v", err)
	}
	if h.Current() != good || !revoked(h, "second") {
		t.Error("an invalid file replaced the policy")
	}

	h.Close()
	write("revoked:\n  - jti: fourth\n")
	time.Sleep(100 * time.Millisecond)
	if n := len(r.snapshot()); n != 2 || h.Current() != good {
		t.Errorf("reloaded after Close: %d reports", n)
	}
	h.Close()
}

func TestHolderWithoutPolling(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte("revoked: [{jti: a}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := Load(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if len(h.Current().Evaluate(&Request{JTI: "a"}, nil)) != 1 {
		t.Error("the file is not in force")
	}
}

func TestHolderWithoutFile(t *testing.T) {
	h, err := Load("", time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := h.Current(); p == nil || p.Evaluate(&Request{TokenID: "x", Resource: "GET /", EventTime: workTime}, nil) != nil {
		t.Errorf("no path must give an empty policy, got %+v", p)
	}
	h.Close()
	h.Close()
	var nilHolder *Holder
	nilHolder.Close()
	if nilHolder.Current() != nil {
		t.Error("a nil Holder has a policy")
	}
}

func TestHolderLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("working_hours: {time_zone: Mars/Base, start: '08:00', end: '17:00'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "missing.yaml"), "no such file"},
		{"invalid file", bad, bad + `: working_hours.time_zone: unknown time zone "Mars/Base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Load(tt.path, 20*time.Millisecond, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			h.Close() // nil: safe
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 2s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
