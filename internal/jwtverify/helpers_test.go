package jwtverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var b64url = base64.RawURLEncoding

// testKeys are generated once per test binary: a 2048-bit RSA key takes
// long enough to matter when every test and fuzz worker wants one.
type testKeys struct {
	rsa                 *rsa.PrivateKey
	ec256, ec384, ec521 *ecdsa.PrivateKey
	ed                  ed25519.PrivateKey
	otherEC256          *ecdsa.PrivateKey // the "new" key of reload tests
}

var (
	keysOnce sync.Once
	tk       testKeys
)

func theKeys(tb testing.TB) testKeys {
	tb.Helper()
	keysOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		var err error
		tk.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		tk.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		tk.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(err)
		tk.ec521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		must(err)
		_, tk.ed, err = ed25519.GenerateKey(rand.Reader)
		must(err)
		tk.otherEC256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
	})
	return tk
}

// Two HMAC secrets of the minimum length; test-only values.
var (
	secret1 = []byte("test-secret-one-0123456789abcdef")
	secret2 = []byte("test-secret-two-0123456789abcdef")
)

// jwk helpers build JWKS entries; extra members are merged in.
func rsaJWK(kid string, pub *rsa.PublicKey, extra ...string) map[string]any {
	return withExtra(map[string]any{
		"kty": "RSA", "kid": kid,
		"n": b64url.EncodeToString(pub.N.Bytes()),
		"e": b64url.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}, extra)
}

func ecJWK(kid string, pub *ecdsa.PublicKey, extra ...string) map[string]any {
	b, err := pub.Bytes()
	if err != nil {
		panic(err)
	}
	size := (len(b) - 1) / 2
	return withExtra(map[string]any{
		"kty": "EC", "kid": kid, "crv": pub.Curve.Params().Name,
		"x": b64url.EncodeToString(b[1 : 1+size]),
		"y": b64url.EncodeToString(b[1+size:]),
	}, extra)
}

func edJWK(kid string, pub ed25519.PublicKey, extra ...string) map[string]any {
	return withExtra(map[string]any{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64url.EncodeToString(pub)}, extra)
}

// withExtra adds "name", "value" pairs.
func withExtra(m map[string]any, kv []string) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func jwksJSON(keys ...map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

// standardJWKS has one key of each kind the tests sign with.
func standardJWKS(k testKeys) []byte {
	return jwksJSON(
		rsaJWK("rsa1", &k.rsa.PublicKey),
		ecJWK("ec256", &k.ec256.PublicKey),
		ecJWK("ec384", &k.ec384.PublicKey),
		ecJWK("ec521", &k.ec521.PublicKey),
		edJWK("ed1", k.ed.Public().(ed25519.PublicKey)),
	)
}

func writeFile(tb testing.TB, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "jwks.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func rewrite(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// newVerifier builds a verifier over the standard JWKS and both secrets
// (kids "h1", "h2") with every algorithm allowed.
func newVerifier(tb testing.TB, k testKeys) *Verifier {
	tb.Helper()
	v, err := New(Config{
		HMACSecrets: []HMACSecret{{KeyID: "h1", Secret: secret1}, {KeyID: "h2", Secret: secret2}},
		JWKSFile:    writeFile(tb, standardJWKS(k)),
	}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(v.Close)
	return v
}

// signingInput builds "<header>.<payload>" for alg and kid, padding the
// payload with pad bytes of claim.
func signingInput(alg, kid string, pad int) string {
	h := map[string]string{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	hb, _ := json.Marshal(h)
	pb, _ := json.Marshal(map[string]string{"sub": "alice", "pad": strings.Repeat("x", pad)})
	return b64url.EncodeToString(hb) + "." + b64url.EncodeToString(pb)
}

// sign signs input as alg with key, the way a JWS issuer does.
func sign(tb testing.TB, alg string, key any, input string) []byte {
	tb.Helper()
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	h := hashes[alg[len(alg)-3:]]
	digest := func() []byte {
		d := h.New()
		d.Write([]byte(input))
		return d.Sum(nil)
	}
	var sig []byte
	var err error
	switch k := key.(type) {
	case []byte:
		m := hmac.New(h.New, k)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case *rsa.PrivateKey:
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, h, digest(), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, h, digest())
		}
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k, digest())
		if err == nil {
			size := (k.Curve.Params().BitSize + 7) / 8
			sig = make([]byte, 2*size)
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	default:
		tb.Fatalf("no signer for %T", key)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
