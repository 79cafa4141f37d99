package fingerprint

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const key = "0123456789abcdef0123456789abcdef-test-key"

func TestTokenID(t *testing.T) {
	f, err := New([]byte(key), "tok_")
	if err != nil {
		t.Fatal(err)
	}
	id := f.TokenID("secret-token")
	if !regexp.MustCompile(`^tok_[0-9a-f]{32}$`).MatchString(id) {
		t.Fatalf("id %q has the wrong form", id)
	}
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"stable", f.TokenID("secret-token"), id, true},
		{"other token", f.TokenID("secret-tokem"), id, false},
		{"principal is domain-separated", strings.TrimPrefix(f.PrincipalID("secret-token"), "usr_"), strings.TrimPrefix(id, "tok_"), false},
	}
	other, _ := New([]byte(key+"x"), "tok_")
	tests = append(tests, struct {
		name string
		a, b string
		same bool
	}{"other key", other.TokenID("secret-token"), id, false})
	for _, tt := range tests {
		if (tt.a == tt.b) != tt.same {
			t.Errorf("%s: %q vs %q", tt.name, tt.a, tt.b)
		}
	}
	// A known answer pins the construction: changing it changes every id.
	if got, want := id, knownAnswer(t); got != want {
		t.Errorf("known answer: got %s want %s", got, want)
	}
}

// knownAnswer recomputes the documented construction with the standard library.
func knownAnswer(t *testing.T) string {
	t.Helper()
	return "tok_" + hmacHex(key, "tokenaudit/token/v1\x00secret-token")[:32]
}

func TestConcurrent(t *testing.T) {
	f, _ := New([]byte(key), "tok_")
	want := f.TokenID("x")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if f.TokenID("x") != want {
					t.Error("concurrent id differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestKeys(t *testing.T) {
	if _, err := New([]byte("short"), "tok_"); err == nil {
		t.Error("short key accepted")
	}
	if _, err := ParseKey("  short \n"); err == nil || !strings.Contains(err.Error(), "auditctl keygen") {
		t.Errorf("ParseKey short: %v", err)
	}
	k, err := GenerateKey()
	if err != nil || len(k) != 64 {
		t.Fatalf("GenerateKey: %q %v", k, err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "key")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if err := CreateKeyFile(path); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	got, err := ReadKeyFile(path)
	if err != nil || len(got) != 64 {
		t.Fatalf("ReadKeyFile: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key accepted: %v", err)
	}
	if _, err := ReadKeyFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		if err := CreateKeyFile(filepath.Join(ro, "key")); err == nil {
			t.Error("create in a read-only directory succeeded")
		}
	}
}

func BenchmarkTokenID(b *testing.B) {
	f, _ := New([]byte(key), "tok_")
	tok := strings.Repeat("a", 600)
	b.ReportAllocs()
	for b.Loop() {
		f.TokenID(tok)
	}
}
