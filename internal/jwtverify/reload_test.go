package jwtverify

import (
	"crypto/ed25519"
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

func (r *reports) record(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *reports) snapshot() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// TestReload drives the watcher's check path step by step.
func TestReload(t *testing.T) {
	k := theKeys(t)
	oldSet := jwksJSON(ecJWK("old", &k.ec256.PublicKey))
	bothSet := jwksJSON(ecJWK("old", &k.ec256.PublicKey), ecJWK("new", &k.otherEC256.PublicKey))
	path := writeFile(t, oldSet)
	rep := &reports{}
	v, err := New(Config{JWKSFile: path}, rep.record)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	oldIn := signingInput("ES256", "old", 0)
	oldSig := sign(t, "ES256", k.ec256, oldIn)
	newIn := signingInput("ES256", "new", 0)
	newSig := sign(t, "ES256", k.otherEC256, newIn)

	steps := []struct {
		name    string
		do      func()
		wantGen uint64
		wantErr string // of the report; "" for nil; "-" for no report
		oldOK   bool
		newOK   bool
	}{
		{"initial", func() {}, 1, "-", true, false},
		{"unchanged file", func() {}, 1, "-", true, false},
		{"new key added", func() { rewrite(t, path, bothSet) }, 2, "", true, true},
		{"invalid JSON keeps the keys", func() { rewrite(t, path, []byte(`{"keys":[`)) }, 2, "not a JSON Web Key Set", true, true},
		{"malformed key keeps the keys", func() { rewrite(t, path, []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`)) }, 2, "x: not 32 bytes", true, true},
		{"no usable key keeps the keys", func() { rewrite(t, path, []byte(`{"keys":[{"kty":"oct","k":"AA"}]}`)) }, 2, "no usable signing key", true, true},
		{"removed file keeps the keys", func() { os.Remove(path) }, 2, "no such file", true, true},
		{"key removed", func() { rewrite(t, path, oldSet) }, 3, "", true, false},
		{"same content again is a reload after an error", func() { rewrite(t, path, []byte("{")); v.watcher.Check(); rewrite(t, path, bothSet) }, 4, "", true, true},
	}
	for _, s := range steps {
		before := len(rep.snapshot())
		s.do()
		if s.name != "initial" {
			v.watcher.Check()
		}
		if got := v.Generation(); got != s.wantGen {
			t.Errorf("%s: generation %d, want %d", s.name, got, s.wantGen)
		}
		got := rep.snapshot()
		switch {
		case s.wantErr == "-":
			if len(got) != before {
				t.Errorf("%s: unexpected report %v", s.name, got[len(got)-1])
			}
		case len(got) == before:
			t.Errorf("%s: no report", s.name)
		case s.wantErr == "" && got[len(got)-1] != nil:
			t.Errorf("%s: report %v, want nil", s.name, got[len(got)-1])
		case s.wantErr != "" && (got[len(got)-1] == nil || !strings.Contains(got[len(got)-1].Error(), s.wantErr)):
			t.Errorf("%s: report %v, want %q", s.name, got[len(got)-1], s.wantErr)
		}
		if res, reason := v.Verify("ES256", "old", oldIn, oldSig); (res == Verified) != s.oldOK {
			t.Errorf("%s: old key: %v %q", s.name, res, reason)
		}
		if res, reason := v.Verify("ES256", "new", newIn, newSig); (res == Verified) != s.newOK {
			t.Errorf("%s: new key: %v %q", s.name, res, reason)
		}
	}
}

// TestReloadKeepsIssuerBinding: keys a reload brings in are bound to
// jwks_issuer as the first load's were.
func TestReloadKeepsIssuerBinding(t *testing.T) {
	k := theKeys(t)
	path := writeFile(t, jwksJSON(ecJWK("old", &k.ec256.PublicKey)))
	v, err := New(Config{JWKSFile: path, JWKSIssuer: "https://idp.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rewrite(t, path, jwksJSON(ecJWK("old", &k.ec256.PublicKey), ecJWK("new", &k.otherEC256.PublicKey)))
	v.watcher.Check()
	if v.Generation() != 2 {
		t.Fatalf("generation %d, want 2", v.Generation())
	}
	in := signingInput("ES256", "new", 0)
	sig := sign(t, "ES256", k.otherEC256, in)
	if res, reason := v.VerifyFor("ES256", "new", "https://idp.example", in, sig); res != Verified {
		t.Errorf("its issuer: %v %q", res, reason)
	}
	if res, _ := v.VerifyFor("ES256", "new", "https://other.example", in, sig); res != InvalidSignature {
		t.Errorf("another issuer: %v, want InvalidSignature", res)
	}
}

// TestReloadPolling uses the real poller.
func TestReloadPolling(t *testing.T) {
	k := theKeys(t)
	path := writeFile(t, jwksJSON(ecJWK("old", &k.ec256.PublicKey)))
	rep := &reports{}
	v, err := New(Config{JWKSFile: path, ReloadInterval: 10 * time.Millisecond}, rep.record)
	if err != nil {
		t.Fatal(err)
	}
	gen := v.Generation()

	rewrite(t, path, jwksJSON(ecJWK("new", &k.otherEC256.PublicKey)))
	waitFor(t, func() bool { return v.Generation() == gen+1 })
	in := signingInput("ES256", "new", 0)
	sig := sign(t, "ES256", k.otherEC256, in)
	if res, reason := v.Verify("ES256", "new", in, sig); res != Verified {
		t.Fatalf("new key after reload: %q", reason)
	}

	rewrite(t, path, []byte(`not json`))
	waitFor(t, func() bool {
		r := rep.snapshot()
		return len(r) > 0 && r[len(r)-1] != nil
	})
	if v.Generation() != gen+1 {
		t.Error("an invalid file changed the generation")
	}
	if res, _ := v.Verify("ES256", "new", in, sig); res != Verified {
		t.Error("an invalid file lost the keys")
	}
	v.Close()
	v.Close() // safe twice; goleak in TestMain checks the poller ended
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2s")
		}
	}
}

// Verify runs while the key set is swapped; run with -race.
func TestVerifyDuringReload(t *testing.T) {
	k := theKeys(t)
	a := jwksJSON(ecJWK("ec", &k.ec256.PublicKey))
	b := jwksJSON(ecJWK("ec", &k.ec256.PublicKey), edJWK("ed", k.ed.Public().(ed25519.PublicKey)))
	path := writeFile(t, a)
	v, err := New(Config{JWKSFile: path, HMACSecrets: []HMACSecret{{Secret: secret1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	in := signingInput("ES256", "ec", 0)
	sig := sign(t, "ES256", k.ec256, in)
	hin := signingInput("HS256", "", 0)
	hsig := sign(t, "HS256", secret1, hin)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var last uint64
			for {
				select {
				case <-stop:
					return
				default:
				}
				g := v.Generation()
				if g < last {
					t.Errorf("generation went back from %d to %d", last, g)
				}
				last = g
				if res, reason := v.Verify("ES256", "ec", in, sig); res != Verified {
					t.Errorf("during reload: %q", reason)
				}
				if res, reason := v.Verify("HS256", "", hin, hsig); res != Verified {
					t.Errorf("HMAC during reload: %q", reason)
				}
			}
		})
	}
	for i := range 50 {
		if i%2 == 0 {
			rewrite(t, path, b)
		} else {
			rewrite(t, path, a)
		}
		v.watcher.Check()
	}
	close(stop)
	wg.Wait()
	if got := v.Generation(); got != 51 {
		t.Errorf("generation %d after 50 reloads, want 51", got)
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing file", Config{JWKSFile: filepath.Join(dir, "missing.json")}, "no such file"},
		{"invalid file", Config{JWKSFile: write("bad.json", "{")}, "not a JSON Web Key Set"},
		{"no usable key", Config{JWKSFile: write("empty.json", `{"keys":[{"kty":"XYZ"}]}`)}, "no usable signing key"},
		{"invalid config", Config{Algorithms: []string{"none"}, JWKSFile: write("x.json", "{}")}, `jwt.algorithms: "none" is never allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			v, err := New(tt.cfg, func(error) { called = true })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if v != nil || called {
				t.Error("a failed New returned a verifier or reported a reload")
			}
		})
	}
}

// The caller's secret slice may change after New; the verifier keeps its own.
func TestSecretsCopied(t *testing.T) {
	s := append([]byte(nil), secret1...)
	v, err := New(Config{HMACSecrets: []HMACSecret{{Secret: s}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		s[i] = 0
	}
	in := signingInput("HS256", "", 0)
	if res, reason := v.Verify("HS256", "", in, sign(t, "HS256", secret1, in)); res != Verified {
		t.Errorf("%v %q", res, reason)
	}
	if v.Generation() != 1 {
		t.Errorf("generation %d without a key file, want 1", v.Generation())
	}
}
