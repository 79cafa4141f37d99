package jwtverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var enc64 = base64.RawURLEncoding

type testKeys struct {
	rsa   *rsa.PrivateKey
	ec256 *ecdsa.PrivateKey
	ec384 *ecdsa.PrivateKey
	ed    ed25519.PrivateKey
}

var (
	keysOnce sync.Once
	keys     testKeys
)

// generated once per test binary: RSA key generation is slow.
func theKeys(t testing.TB) testKeys {
	keysOnce.Do(func() {
		var err error
		if keys.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
		keys.ec256, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		keys.ec384, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		_, keys.ed, _ = ed25519.GenerateKey(rand.Reader)
	})
	return keys
}

const secret = "an-hmac-secret-of-at-least-32-bytes!"

func jwksJSON(t testing.TB, k testKeys, extra ...map[string]any) []byte {
	pubRSA := k.rsa.PublicKey
	ecPoint := func(p *ecdsa.PrivateKey, size int) (string, string) {
		b, _ := p.PublicKey.Bytes()
		return enc64.EncodeToString(b[1 : 1+size]), enc64.EncodeToString(b[1+size:])
	}
	x256, y256 := ecPoint(k.ec256, 32)
	x384, y384 := ecPoint(k.ec384, 48)
	list := []map[string]any{
		{"kty": "RSA", "kid": "rsa1", "use": "sig", "n": enc64.EncodeToString(pubRSA.N.Bytes()), "e": enc64.EncodeToString(big.NewInt(int64(pubRSA.E)).Bytes())},
		{"kty": "EC", "kid": "ec256", "crv": "P-256", "x": x256, "y": y256},
		{"kty": "EC", "kid": "ec384", "crv": "P-384", "x": x384, "y": y384, "alg": "ES384"},
		{"kty": "OKP", "kid": "ed1", "crv": "Ed25519", "x": enc64.EncodeToString(k.ed.Public().(ed25519.PublicKey))},
		{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},                        // symmetric keys in a JWKS are skipped
		{"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"}, // encryption keys are skipped
	}
	list = append(list, extra...)
	b, err := json.Marshal(map[string]any{"keys": list})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJWKS(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sign returns signingInput and signature for alg with key.
func sign(t testing.TB, alg, kid string, key any) (string, []byte) {
	h, _ := json.Marshal(map[string]any{"alg": alg, "kid": kid})
	input := enc64.EncodeToString(h) + "." + enc64.EncodeToString([]byte(`{"sub":"alice"}`))
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch k := key.(type) {
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case *rsa.PrivateKey:
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		}
	case *ecdsa.PrivateKey:
		var d []byte
		if alg == "ES384" {
			s := crypto.SHA384.New()
			s.Write([]byte(input))
			d = s.Sum(nil)
		} else {
			d = digest[:]
		}
		r, s, e := ecdsa.Sign(rand.Reader, k, d)
		err = e
		size := (k.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	}
	if err != nil {
		t.Fatal(err)
	}
	return input, sig
}

func TestVerify(t *testing.T) {
	k := theKeys(t)
	v, err := New(Config{
		HMACSecrets: []HMACSecret{{KeyID: "h1", Secret: []byte(secret)}},
		JWKSFile:    writeJWKS(t, jwksJSON(t, k)),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	rsaPubDER := k.rsa.PublicKey.N.Bytes()
	type tc struct {
		name     string
		alg, kid string
		key      any
		mutate   func([]byte) []byte
		want     Result
		reason   string
	}
	tests := []tc{
		{name: "HS256", alg: "HS256", kid: "h1", key: []byte(secret), want: Verified},
		{name: "HS256 no kid", alg: "HS256", key: []byte(secret), want: Verified},
		{name: "RS256", alg: "RS256", kid: "rsa1", key: k.rsa, want: Verified},
		{name: "PS256", alg: "PS256", kid: "rsa1", key: k.rsa, want: Verified},
		{name: "RS256 without kid", alg: "RS256", key: k.rsa, want: Verified},
		{name: "ES256", alg: "ES256", kid: "ec256", key: k.ec256, want: Verified},
		{name: "ES384", alg: "ES384", kid: "ec384", key: k.ec384, want: Verified},
		{name: "EdDSA", alg: "EdDSA", kid: "ed1", key: k.ed, want: Verified},
		{name: "wrong HMAC secret", alg: "HS256", kid: "h1", key: []byte("another-secret-that-is-long-enough!!"), want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered RSA", alg: "RS256", kid: "rsa1", key: k.rsa, mutate: func(b []byte) []byte { b[0] ^= 1; return b }, want: InvalidSignature, reason: "signature mismatch"},
		{name: "alg none", alg: "none", key: []byte(secret), want: InvalidSignature, reason: "alg none"},
		{name: "alg empty", alg: "", key: []byte(secret), want: InvalidSignature, reason: "alg none"},
		{name: "unknown alg", alg: "XS999", key: []byte(secret), want: InvalidSignature, reason: "not allowed"},
		{name: "confusion: HS256 signed with the RSA public key, kid of the RSA key", alg: "HS256", kid: "rsa1", key: rsaPubDER, want: InvalidSignature, reason: "unknown kid"},
		{name: "confusion: ES256 token against the RSA key", alg: "ES256", kid: "rsa1", key: k.ec256, want: InvalidSignature, reason: "no key for alg"},
		{name: "EC key pinned to ES384 used with ES256", alg: "ES256", kid: "ec384", key: k.ec256, want: InvalidSignature, reason: "no key for alg"},
		{name: "unknown kid", alg: "RS256", kid: "k9", key: k.rsa, want: InvalidSignature, reason: `unknown kid "k9"`},
		{name: "ES256 signature in ASN.1 form", alg: "ES256", kid: "ec256", key: k.ec256, mutate: func(b []byte) []byte {
			der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(b[:32]), new(big.Int).SetBytes(b[32:])})
			return der
		}, want: InvalidSignature, reason: "signature mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input, sig := sign(t, tt.alg, tt.kid, tt.key)
			if tt.mutate != nil {
				sig = tt.mutate(sig)
			}
			got, reason := v.Verify(tt.alg, tt.kid, input, sig)
			if got != tt.want || !strings.Contains(reason, tt.reason) {
				t.Errorf("got %v %q, want %v %q", got, reason, tt.want, tt.reason)
			}
			if strings.Contains(reason, secret) {
				t.Error("reason shows the secret")
			}
		})
	}
}

func TestAllowList(t *testing.T) {
	k := theKeys(t)
	v, err := New(Config{Algorithms: []string{"ES256"}, JWKSFile: writeJWKS(t, jwksJSON(t, k))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	input, sig := sign(t, "RS256", "rsa1", k.rsa)
	if got, reason := v.Verify("RS256", "rsa1", input, sig); got != InvalidSignature || !strings.Contains(reason, "not allowed") {
		t.Errorf("RS256 outside the allow-list: %v %q", got, reason)
	}
	// Without secrets the default list has no HS*.
	v2, _ := New(Config{JWKSFile: writeJWKS(t, jwksJSON(t, k))}, nil)
	defer v2.Close()
	input, sig = sign(t, "HS256", "", []byte(secret))
	if got, _ := v2.Verify("HS256", "", input, sig); got != InvalidSignature {
		t.Error("HS256 allowed without secrets")
	}
}

func TestReload(t *testing.T) {
	k := theKeys(t)
	path := writeJWKS(t, jwksJSON(t, k))
	var mu sync.Mutex
	var reports []error
	v, err := New(Config{JWKSFile: path, ReloadInterval: 10 * time.Millisecond}, func(err error) {
		mu.Lock()
		reports = append(reports, err)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	gen := v.Generation()

	fresh, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := fresh.PublicKey.Bytes()
	newKey := map[string]any{"kty": "EC", "kid": "new", "crv": "P-256", "x": enc64.EncodeToString(b[1:33]), "y": enc64.EncodeToString(b[33:])}
	if err := os.WriteFile(path, jwksJSON(t, k, newKey), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return v.Generation() > gen })
	input, sig := sign(t, "ES256", "new", fresh)
	if got, reason := v.Verify("ES256", "new", input, sig); got != Verified {
		t.Fatalf("new key after reload: %q", reason)
	}

	gen = v.Generation()
	if err := os.WriteFile(path, []byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reports) > 0 && reports[len(reports)-1] != nil
	})
	if v.Generation() != gen {
		t.Error("an invalid JWKS replaced the keys")
	}
	if got, _ := v.Verify("ES256", "new", input, sig); got != Verified {
		t.Error("old keys lost after an invalid reload")
	}
	v.Close()
	v.Close()
	var nilV *Verifier
	nilV.Close()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestParseJWKSErrors(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	tests := []struct {
		name, data, want string
	}{
		{"not json", `nope`, "not a JSON Web Key Set"},
		{"no usable key", `{"keys":[{"kty":"oct","k":"AA"}]}`, "no usable signing key"},
		{"short RSA", `{"keys":[{"kty":"RSA","kid":"s","n":"` + enc64.EncodeToString(small.N.Bytes()) + `","e":"AQAB"}]}`, "1024 bits"},
		{"bad base64", `{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}`, "invalid base64url"},
		{"point off the curve", `{"keys":[{"kty":"EC","crv":"P-256","x":"` + enc64.EncodeToString(make([]byte, 32)) + `","y":"` + enc64.EncodeToString(make([]byte, 32)) + `"}]}`, "not on the curve"},
		{"unknown curve", `{"keys":[{"kty":"EC","crv":"P-192","x":"AA","y":"AA"}]}`, "unsupported curve"},
		{"even exponent", `{"keys":[{"kty":"RSA","n":"` + enc64.EncodeToString(theKeys(t).rsa.N.Bytes()) + `","e":"Ag"}]}`, "exponent"},
	}
	for _, tt := range tests {
		if _, err := parseJWKS([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := New(Config{JWKSFile: filepath.Join(t.TempDir(), "missing")}, nil); err == nil {
		t.Error("missing JWKS accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{JWKSFile: "/x"}, ""},
		{"none", Config{Algorithms: []string{"none"}, JWKSFile: "/x"}, `jwt.algorithms[0]: "none" is never allowed`},
		{"unknown", Config{Algorithms: []string{"HS1"}, JWKSFile: "/x"}, `jwt.algorithms[0]: "HS1" is not one of`},
		{"hs without secret", Config{Algorithms: []string{"HS256"}, JWKSFile: "/x"}, "jwt.hmac_secrets: HS* algorithms are allowed"},
		{"short secret", Config{HMACSecrets: []HMACSecret{{Secret: []byte("short")}}}, "jwt.hmac_secrets[0]: the secret has 5 bytes"},
		{"no keys", Config{}, "jwt.jwks_file: verification needs keys"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","use":"sig","alg":"RS256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + enc64.EncodeToString(make([]byte, 32)) + `"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseJWKS(data)
	})
}

func FuzzVerify(f *testing.F) {
	f.Add("HS256", "h1", "a.b", []byte("sig"))
	f.Add("ES256", "", "x", make([]byte, 64))
	f.Add("EdDSA", "ed1", "", []byte{})
	f.Add("none", "", "", []byte(nil))
	v, err := New(Config{HMACSecrets: []HMACSecret{{KeyID: "h1", Secret: []byte(secret)}}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, alg, kid, input string, sig []byte) {
		if res, reason := v.Verify(alg, kid, input, sig); res == Verified {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(input))
			if !hmac.Equal(m.Sum(nil), sig) {
				t.Fatalf("verified a wrong signature (%s)", reason)
			}
		}
	})
}

func BenchmarkVerifyHS256(b *testing.B) {
	v, _ := New(Config{HMACSecrets: []HMACSecret{{KeyID: "h1", Secret: []byte(secret)}}}, nil)
	input, sig := sign(b, "HS256", "h1", []byte(secret))
	b.ReportAllocs()
	for b.Loop() {
		v.Verify("HS256", "h1", input, sig)
	}
}

func BenchmarkVerifyES256(b *testing.B) {
	k := theKeys(b)
	dir := b.TempDir()
	p := filepath.Join(dir, "jwks.json")
	os.WriteFile(p, jwksJSON(b, k), 0o600)
	v, _ := New(Config{JWKSFile: p}, nil)
	input, sig := sign(b, "ES256", "ec256", k.ec256)
	b.ReportAllocs()
	for b.Loop() {
		v.Verify("ES256", "ec256", input, sig)
	}
}
