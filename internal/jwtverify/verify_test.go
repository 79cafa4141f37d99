package jwtverify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	k := theKeys(t)
	v := newVerifier(t, k)

	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&k.rsa.PublicKey))})
	toASN1 := func(sig []byte) []byte {
		half := len(sig) / 2
		return must(asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:half]), new(big.Int).SetBytes(sig[half:])}))
	}
	flip := func(b []byte) []byte { b[len(b)/2] ^= 1; return b }

	tests := []struct {
		name      string
		alg, kid  string
		signAs    string // alg to sign with when it differs from alg
		key       any
		mutateSig func([]byte) []byte
		mutateIn  func(string) string
		signer    func(input string) []byte // instead of sign
		want      Result
		reason    string // substring; "" for Verified
	}{
		{name: "HS256", alg: "HS256", kid: "h1", key: secret1},
		{name: "HS384", alg: "HS384", kid: "h1", key: secret1},
		{name: "HS512", alg: "HS512", kid: "h2", key: secret2},
		{name: "HS256 without kid tries every secret", alg: "HS256", key: secret2},
		{name: "RS256", alg: "RS256", kid: "rsa1", key: k.rsa},
		{name: "RS384", alg: "RS384", kid: "rsa1", key: k.rsa},
		{name: "RS512", alg: "RS512", kid: "rsa1", key: k.rsa},
		{name: "PS256", alg: "PS256", kid: "rsa1", key: k.rsa},
		{name: "PS384", alg: "PS384", kid: "rsa1", key: k.rsa},
		{name: "PS512", alg: "PS512", kid: "rsa1", key: k.rsa},
		{name: "RS256 without kid", alg: "RS256", key: k.rsa},
		{name: "ES256", alg: "ES256", kid: "ec256", key: k.ec256},
		{name: "ES384", alg: "ES384", kid: "ec384", key: k.ec384},
		{name: "ES512", alg: "ES512", kid: "ec521", key: k.ec521},
		{name: "ES256 without kid", alg: "ES256", key: k.ec256},
		{name: "EdDSA", alg: "EdDSA", kid: "ed1", key: k.ed},
		{name: "EdDSA without kid", alg: "EdDSA", key: k.ed},

		{name: "wrong HMAC secret", alg: "HS256", kid: "h1", key: secret2, want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered RS256", alg: "RS256", kid: "rsa1", key: k.rsa, mutateSig: flip, want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered PS256", alg: "PS256", kid: "rsa1", key: k.rsa, mutateSig: flip, want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered ES512", alg: "ES512", kid: "ec521", key: k.ec521, mutateSig: flip, want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered EdDSA", alg: "EdDSA", kid: "ed1", key: k.ed, mutateSig: flip, want: InvalidSignature, reason: "signature mismatch"},
		{name: "tampered payload", alg: "HS256", kid: "h1", key: secret1, mutateIn: func(s string) string { return s + "x" }, want: InvalidSignature, reason: "signature mismatch"},
		{name: "other EC key", alg: "ES256", kid: "ec256", key: k.otherEC256, want: InvalidSignature, reason: "signature mismatch"},
		{name: "RS256 signature as PS256", alg: "PS256", signAs: "RS256", kid: "rsa1", key: k.rsa, want: InvalidSignature, reason: "signature mismatch"},
		{name: "PS256 with a salt shorter than the hash", alg: "PS256", kid: "rsa1", signer: pssSigner(t, k, 20), want: InvalidSignature, reason: "signature mismatch"},
		{name: "PS256 with the longest salt", alg: "PS256", kid: "rsa1", signer: pssSigner(t, k, rsa.PSSSaltLengthAuto), want: InvalidSignature, reason: "signature mismatch"},
		{name: "truncated RSA signature", alg: "RS256", kid: "rsa1", key: k.rsa, mutateSig: func(b []byte) []byte { return b[1:] }, want: InvalidSignature, reason: "signature mismatch"},

		{name: "alg none", alg: "none", key: secret1, signAs: "HS256", want: InvalidSignature, reason: "alg none"},
		{name: "alg NoNe", alg: "NoNe", key: secret1, signAs: "HS256", want: InvalidSignature, reason: "alg none"},
		{name: "alg empty", alg: "", key: secret1, signAs: "HS256", want: InvalidSignature, reason: "alg none"},
		{name: "unsupported alg", alg: "XS256", key: secret1, signAs: "HS256", want: InvalidSignature, reason: `unsupported alg "XS256"`},
		{name: "algs are case-sensitive", alg: "hs256", key: secret1, signAs: "HS256", want: InvalidSignature, reason: `unsupported alg "hs256"`},

		{name: "confusion: HS256 keyed with the RSA public key PEM, kid of the RSA key", alg: "HS256", kid: "rsa1", key: rsaPEM, want: InvalidSignature, reason: "key type RSA does not match alg HS256"},
		{name: "confusion: HS256 keyed with the RSA public key PEM, no kid", alg: "HS256", key: rsaPEM, want: InvalidSignature, reason: "signature mismatch"},
		{name: "confusion: HS256 keyed with the RSA modulus", alg: "HS256", kid: "rsa1", key: k.rsa.N.Bytes(), want: InvalidSignature, reason: "key type RSA does not match alg HS256"},
		{name: "confusion: HS512 keyed with an EC key, kid of the EC key", alg: "HS512", kid: "ec521", key: must(k.ec521.PublicKey.Bytes()), want: InvalidSignature, reason: "key type EC does not match alg HS512"},
		{name: "confusion: RS256 with the kid of an HMAC secret", alg: "RS256", kid: "h1", key: k.rsa, want: InvalidSignature, reason: "key type HMAC does not match alg RS256"},
		{name: "confusion: ES256 against the RSA key", alg: "ES256", kid: "rsa1", key: k.ec256, want: InvalidSignature, reason: "key type RSA does not match alg ES256"},
		{name: "confusion: EdDSA against an EC key", alg: "EdDSA", kid: "ec256", key: k.ed, want: InvalidSignature, reason: "key type EC does not match alg EdDSA"},
		{name: "curve: ES256 against a P-384 key", alg: "ES256", kid: "ec384", key: k.ec256, want: InvalidSignature, reason: "key curve P-384 does not match alg ES256"},

		{name: "ES256 signature in ASN.1 form", alg: "ES256", kid: "ec256", key: k.ec256, mutateSig: toASN1, want: InvalidSignature, reason: "ES256 needs 64"},
		{name: "ES384 signature in ASN.1 form", alg: "ES384", kid: "ec384", key: k.ec384, mutateSig: toASN1, want: InvalidSignature, reason: "ES384 needs 96"},
		{name: "ES256 signature padded", alg: "ES256", kid: "ec256", key: k.ec256, mutateSig: func(b []byte) []byte { return append(b, 0) }, want: InvalidSignature, reason: "needs 64"},
		{name: "truncated HMAC", alg: "HS256", kid: "h1", key: secret1, mutateSig: func(b []byte) []byte { return b[:16] }, want: InvalidSignature, reason: "HS256 needs 32"},

		{name: "unknown kid", alg: "RS256", kid: "k9", key: k.rsa, want: InvalidSignature, reason: `unknown kid "k9"`},
		{name: "unknown kid, HMAC", alg: "HS256", kid: "k9", key: secret1, want: InvalidSignature, reason: `unknown kid "k9"`},
		{name: "unknown kid is quoted and bounded", alg: "HS256", kid: "a\nb" + strings.Repeat("z", 500), key: secret1, want: InvalidSignature, reason: `unknown kid "a\nb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signAs := tt.alg
			if tt.signAs != "" {
				signAs = tt.signAs
			}
			input := signingInput(tt.alg, tt.kid, 0)
			var sig []byte
			if tt.signer != nil {
				sig = tt.signer(input)
			} else {
				sig = sign(t, signAs, tt.key, input)
			}
			if tt.mutateSig != nil {
				sig = tt.mutateSig(sig)
			}
			if tt.mutateIn != nil {
				input = tt.mutateIn(input)
			}
			got, reason := v.Verify(tt.alg, tt.kid, input, sig)
			if got != tt.want {
				t.Fatalf("got %v (%q), want %v", got, reason, tt.want)
			}
			if (got == Verified) != (reason == "") || !strings.Contains(reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", reason, tt.reason)
			}
			checkReason(t, reason, k)
		})
	}
}

// pssSigner signs PS256 with a salt length RFC 7518 does not allow.
func pssSigner(t *testing.T, k testKeys, salt int) func(string) []byte {
	return func(input string) []byte {
		d := sha256.Sum256([]byte(input))
		return must(rsa.SignPSS(rand.Reader, k.rsa, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: salt}))
	}
}

// checkReason fails when a reason shows key material or grows unbounded.
func checkReason(t testing.TB, reason string, k testKeys) {
	t.Helper()
	for _, s := range []string{string(secret1), string(secret2), b64url.EncodeToString(k.rsa.N.Bytes())[:16]} {
		if strings.Contains(reason, s) {
			t.Fatalf("reason %q shows key material", reason)
		}
	}
	if len(reason) > 200 || strings.ContainsAny(reason, "\n\r") {
		t.Fatalf("reason %q is not short and single-line", reason)
	}
}

func TestAllowList(t *testing.T) {
	k := theKeys(t)
	path := writeFile(t, standardJWKS(k))
	tests := []struct {
		name   string
		cfg    Config
		alg    string
		key    any
		reason string
	}{
		{"outside an explicit list", Config{Algorithms: []string{"ES256"}, JWKSFile: path}, "RS256", k.rsa, "alg RS256 not allowed"},
		{"default list has no HS* without secrets", Config{JWKSFile: path}, "HS256", secret1, "alg HS256 not allowed"},
		{"classic confusion without secrets", Config{JWKSFile: path}, "HS256", b64url.AppendEncode(nil, k.rsa.N.Bytes()), "alg HS256 not allowed"},
		{"HS384 outside an HS256-only list", Config{Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecret{{Secret: secret1}}}, "HS384", secret1, "alg HS384 not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := New(tt.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			input := signingInput(tt.alg, "", 0)
			if got, reason := v.Verify(tt.alg, "", input, sign(t, tt.alg, tt.key, input)); got != InvalidSignature || reason != tt.reason {
				t.Errorf("got %v %q, want %q", got, reason, tt.reason)
			}
		})
	}
}

func TestJWKPinnedAlg(t *testing.T) {
	k := theKeys(t)
	v, err := New(Config{JWKSFile: writeFile(t, jwksJSON(rsaJWK("r", &k.rsa.PublicKey, "alg", "RS256")))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	tests := []struct {
		alg, kid string
		want     Result
		reason   string
	}{
		{"RS256", "r", Verified, ""},
		{"RS256", "", Verified, ""},
		{"PS256", "r", InvalidSignature, "key alg RS256 does not match alg PS256"},
		{"RS512", "r", InvalidSignature, "key alg RS256 does not match alg RS512"},
		{"PS256", "", InvalidSignature, "no key for alg PS256"},
	}
	for _, tt := range tests {
		input := signingInput(tt.alg, tt.kid, 0)
		if got, reason := v.Verify(tt.alg, tt.kid, input, sign(t, tt.alg, k.rsa, input)); got != tt.want || reason != tt.reason {
			t.Errorf("%s kid %q: got %v %q, want %v %q", tt.alg, tt.kid, got, reason, tt.want, tt.reason)
		}
	}
}

// A kid selects keys strictly: a secret without a KeyID is not tried for a
// token that names a kid.
func TestKidSelectsStrictly(t *testing.T) {
	v, err := New(Config{HMACSecrets: []HMACSecret{{Secret: secret1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	input := signingInput("HS256", "x", 0)
	sig := sign(t, "HS256", secret1, input)
	if got, reason := v.Verify("HS256", "x", input, sig); got != InvalidSignature || reason != `unknown kid "x"` {
		t.Errorf("kid x: %v %q", got, reason)
	}
	if got, reason := v.Verify("HS256", "", input, sig); got != Verified {
		t.Errorf("no kid: %v %q", got, reason)
	}
}

// TestIssuerBinding: a key bound to an issuer verifies only tokens naming
// it; an unbound key verifies any; a JWKS file's keys bind as a whole.
func TestIssuerBinding(t *testing.T) {
	k := theKeys(t)
	v, err := New(Config{
		HMACSecrets: []HMACSecret{{KeyID: "a", Secret: secret1, Issuer: "https://a.example"}, {KeyID: "any", Secret: secret2}},
		JWKSFile:    writeFile(t, jwksJSON(ecJWK("e", &k.ec256.PublicKey))),
		JWKSIssuer:  "https://idp.example",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	hsA, hsAny := signingInput("HS256", "a", 0), signingInput("HS256", "any", 0)
	noKidA := signingInput("HS256", "", 0)
	es := signingInput("ES256", "e", 0)
	tests := []struct {
		name, alg, kid, iss, input string
		sig                        []byte
		want                       Result
	}{
		{"bound secret, its issuer", "HS256", "a", "https://a.example", hsA, sign(t, "HS256", secret1, hsA), Verified},
		{"bound secret, another issuer", "HS256", "a", "https://b.example", hsA, sign(t, "HS256", secret1, hsA), InvalidSignature},
		{"bound secret, no issuer", "HS256", "a", "", hsA, sign(t, "HS256", secret1, hsA), InvalidSignature},
		{"bound secret without a kid, another issuer", "HS256", "", "https://b.example", noKidA, sign(t, "HS256", secret1, noKidA), InvalidSignature},
		{"unbound secret, any issuer", "HS256", "any", "https://b.example", hsAny, sign(t, "HS256", secret2, hsAny), Verified},
		{"bound JWKS, its issuer", "ES256", "e", "https://idp.example", es, sign(t, "ES256", k.ec256, es), Verified},
		{"bound JWKS, another issuer", "ES256", "e", "https://a.example", es, sign(t, "ES256", k.ec256, es), InvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, reason := v.VerifyFor(tt.alg, tt.kid, tt.iss, tt.input, tt.sig); got != tt.want {
				t.Errorf("%v (%s), want %v", got, reason, tt.want)
			}
		})
	}
}

// Without a kid at most maxCandidates keys are tried, so a key set cannot
// make one token cost a verification per key.
func TestCandidateBound(t *testing.T) {
	var secrets []HMACSecret
	for i := range maxCandidates + 4 {
		secrets = append(secrets, HMACSecret{KeyID: fmt.Sprint("k", i), Secret: []byte(fmt.Sprintf("%-32d", i))})
	}
	v, err := New(Config{HMACSecrets: secrets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := secrets[len(secrets)-1]
	tests := []struct {
		kid    string
		secret []byte
		want   Result
	}{
		{"", secrets[0].Secret, Verified},
		{"", secrets[maxCandidates-1].Secret, Verified},
		{"", last.Secret, InvalidSignature}, // beyond the bound
		{last.KeyID, last.Secret, Verified},
	}
	for _, tt := range tests {
		input := signingInput("HS256", tt.kid, 0)
		if got, reason := v.Verify("HS256", tt.kid, input, sign(t, "HS256", tt.secret, input)); got != tt.want {
			t.Errorf("kid %q: %v %q, want %v", tt.kid, got, reason, tt.want)
		}
	}
}

// A token naming a key the file holds but this package refuses learns why.
func TestSkippedKidReason(t *testing.T) {
	k := theKeys(t)
	weak := rsaJWK("weak", &k.rsa.PublicKey)
	half := new(big.Int).Rsh(k.rsa.N, 1024) // 1024 bits, odd below
	weak["n"] = b64url.EncodeToString(half.SetBit(half, 0, 1).Bytes())
	v, err := New(Config{JWKSFile: writeFile(t, jwksJSON(weak, ecJWK("ec", &k.ec256.PublicKey), map[string]any{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"}))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	input := signingInput("RS256", "weak", 0)
	if _, reason := v.Verify("RS256", "weak", input, sign(t, "RS256", k.rsa, input)); reason != `kid "weak" is not usable: RSA modulus of 1024 bits, need at least 2048` {
		t.Errorf("weak: %q", reason)
	}
	if _, reason := v.Verify("HS256", "sym", input, make([]byte, 32)); reason != "alg HS256 not allowed" {
		t.Errorf("sym: %q", reason)
	}
	if _, reason := v.Verify("ES256", "sym", input, make([]byte, 64)); !strings.HasPrefix(reason, `kid "sym" is not usable: kty oct`) {
		t.Errorf("sym: %q", reason)
	}
}

func TestNilVerifier(t *testing.T) {
	var v *Verifier
	if res, reason := v.Verify("HS256", "", "a.b", nil); res != InvalidSignature || reason == "" {
		t.Error("nil verifier verified")
	}
	if v.Generation() != 0 {
		t.Error("nil verifier generation")
	}
	v.Close()
}

// TestVerifyRefusesCriticalExtensions: a public-key token that marks an
// extension nobody here understands as critical (RFC 7515 §4.1.11) does not
// verify, though its signature is right: go-jose enforces "crit".
func TestVerifyRefusesCriticalExtensions(t *testing.T) {
	k := theKeys(t)
	v := newVerifier(t, k)
	for _, tt := range []struct {
		alg, kid string
		key      any
	}{{"RS256", "rsa1", k.rsa}, {"ES256", "ec256", k.ec256}, {"EdDSA", "ed1", k.ed}} {
		t.Run(tt.alg, func(t *testing.T) {
			plain := signingInput(tt.alg, tt.kid, 0)
			if res, reason := v.Verify(tt.alg, tt.kid, plain, sign(t, tt.alg, tt.key, plain)); res != Verified {
				t.Fatalf("without crit: %s", reason)
			}
			hb := must(json.Marshal(map[string]any{"alg": tt.alg, "kid": tt.kid, "crit": []string{"exp"}, "exp": 1}))
			_, payload, _ := strings.Cut(plain, ".")
			in := b64url.EncodeToString(hb) + "." + payload
			if res, _ := v.Verify(tt.alg, tt.kid, in, sign(t, tt.alg, tt.key, in)); res != InvalidSignature {
				t.Fatal("a token with an unknown critical extension verified")
			}
		})
	}
}
