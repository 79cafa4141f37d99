package filewatch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu      sync.Mutex
	applied []string
	reports []error
}

func (r *recorder) apply(data []byte) error {
	if strings.HasPrefix(string(data), "bad") {
		return errors.New("bad content")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applied = append(r.applied, string(data))
	return nil
}

func (r *recorder) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, err)
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("v1")
	r := &recorder{}
	w, err := Start(path, 0, r.apply, r.report)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	steps := []struct {
		name        string
		do          func()
		wantApplied []string
		wantErr     bool // the last report
	}{
		{"unchanged", func() {}, []string{"v1"}, false},
		{"changed", func() { write("v2") }, []string{"v1", "v2"}, false},
		{"invalid keeps old", func() { write("bad") }, []string{"v1", "v2"}, true},
		{"removed", func() { os.Remove(path) }, []string{"v1", "v2"}, true},
		{"back: applied again", func() { write("v2") }, []string{"v1", "v2", "v2"}, false},
	}
	for _, s := range steps {
		s.do()
		n := len(r.reports)
		w.Check()
		if got := r.applied; strings.Join(got, ",") != strings.Join(s.wantApplied, ",") {
			t.Errorf("%s: applied %v, want %v", s.name, got, s.wantApplied)
		}
		if s.wantErr && (len(r.reports) == n || r.reports[len(r.reports)-1] == nil) {
			t.Errorf("%s: no error reported", s.name)
		}
		if !s.wantErr && len(r.reports) > n && r.reports[len(r.reports)-1] != nil {
			t.Errorf("%s: unexpected error %v", s.name, r.reports[len(r.reports)-1])
		}
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{}
	if _, err := Start(filepath.Join(dir, "missing"), 0, r.apply, r.report); err == nil {
		t.Error("missing file accepted")
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("bad"), 0o600)
	if _, err := Start(bad, 0, r.apply, r.report); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad content: %v", err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, MaxFileSize+1), 0o600)
	if _, err := Start(big, 0, r.apply, r.report); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file: %v", err)
	}
}

func TestPollingStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("v1"), 0o600)
	r := &recorder{}
	w, err := Start(path, 5*time.Millisecond, r.apply, r.report)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("v2"), 0o600)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		n := len(r.applied)
		r.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("change not picked up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.Stop()
	w.Stop()
	var nilW *Watcher
	nilW.Stop()
}
