package jwtverify

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
)

func TestParseJWKS(t *testing.T) {
	k := theKeys(t)
	rsaKey := func(extra ...string) map[string]any { return rsaJWK("r", &k.rsa.PublicKey, extra...) }
	ecKey := func(extra ...string) map[string]any { return ecJWK("e", &k.ec256.PublicKey, extra...) }
	edKey := func(extra ...string) map[string]any { return edJWK("d", k.ed.Public().(ed25519.PublicKey), extra...) }
	set := func(keys ...map[string]any) string { return string(jwksJSON(keys...)) }
	zeros := func(n int) string { return b64url.EncodeToString(make([]byte, n)) }
	ones := func(n int) string { return b64url.EncodeToString([]byte(strings.Repeat("\xff", n))) }
	edX := func(h string) string { return b64url.EncodeToString(must(hex.DecodeString(h))) }
	e := func(v int64) string { return b64url.EncodeToString(big.NewInt(v).Bytes()) }
	half := new(big.Int).Rsh(k.rsa.N, 1024)
	weakN := b64url.EncodeToString(half.SetBit(half, 0, 1).Bytes())
	hugeN := b64url.EncodeToString(new(big.Int).SetBit(big.NewInt(1), 16400, 1).Bytes())
	privRSA := rsaKey("d", b64url.EncodeToString(k.rsa.D.Bytes()), "p", b64url.EncodeToString(k.rsa.Primes[0].Bytes()))
	privRSA["oth"] = []any{1, "x"}

	tests := []struct {
		name     string
		data     string
		wantKeys int    // usable keys when no error
		wantErr  string // substring
	}{
		{name: "one of each", data: string(standardJWKS(k)), wantKeys: 5},
		{name: "private members ignored", data: set(privRSA, ecKey("d", "!!not-base64!!")), wantKeys: 2},
		{name: "leading zero bytes tolerated", data: set(rsaKey("n", b64url.EncodeToString(append([]byte{0}, k.rsa.N.Bytes()...)), "e", "AAEAAQ")), wantKeys: 1},
		{name: "use sig, key_ops verify", data: set(rsaKey("use", "sig"), withKeyOps(ecKey(), "verify", "sign")), wantKeys: 2},
		{name: "pinned algs", data: set(rsaKey("alg", "PS512"), ecKey("alg", "ES256"), edKey("alg", "EdDSA")), wantKeys: 3},

		// Skipped keys: not for us, yet not an error while others are usable.
		{name: "unknown kty skipped", data: set(ecKey(), map[string]any{"kty": "XYZ", "kid": "u"}), wantKeys: 1},
		{name: "use enc skipped", data: set(ecKey(), rsaKey("use", "enc")), wantKeys: 1},
		{name: "key_ops without verify skipped", data: set(ecKey(), withKeyOps(rsaKey(), "encrypt")), wantKeys: 1},
		{name: "empty key_ops skipped", data: set(ecKey(), withKeyOps(rsaKey())), wantKeys: 1},
		{name: "encryption alg skipped", data: set(ecKey(), rsaKey("alg", "RSA-OAEP-256", "n", "!!")), wantKeys: 1},
		{name: "alg none skipped", data: set(ecKey(), rsaKey("alg", "none")), wantKeys: 1},
		{name: "alg for another key type skipped", data: set(ecKey(), rsaKey("alg", "ES256")), wantKeys: 1},
		{name: "alg for another curve skipped", data: set(rsaKey(), ecKey("alg", "ES384")), wantKeys: 1},
		{name: "unknown EC curve skipped", data: set(rsaKey(), map[string]any{"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}), wantKeys: 1},
		{name: "X25519 skipped", data: set(rsaKey(), map[string]any{"kty": "OKP", "crv": "X25519", "x": zeros(32)}), wantKeys: 1},
		{name: "oct skipped", data: set(rsaKey(), map[string]any{"kty": "oct", "k": "c2VjcmV0LXNlY3JldA"}), wantKeys: 1},
		{name: "short RSA skipped", data: set(ecKey(), rsaKey("n", weakN)), wantKeys: 1},

		// Whole-file errors.
		{name: "not JSON", data: `nope`, wantErr: "not a JSON Web Key Set: invalid JSON at byte "},
		{name: "truncated", data: `{"keys":[`, wantErr: "not a JSON Web Key Set: invalid JSON at byte 9"},
		{name: "array", data: `[]`, wantErr: "not a JSON Web Key Set: not a JSON object"},
		{name: "keys not an array", data: `{"keys":{}}`, wantErr: `no "keys" array`},
		{name: "keys differently cased", data: `{"Keys":[]}`, wantErr: `no "keys" array`},
		{name: "no keys member", data: `{}`, wantErr: `no "keys" array`},
		{name: "empty", data: `{"keys":[]}`, wantErr: "no usable signing key"},
		{name: "key not an object", data: `{"keys":[1]}`, wantErr: "keys[0]: not a JSON object"},
		{name: "kid not a string", data: `{"keys":[{"kty":"RSA","kid":5}]}`, wantErr: "keys[0]: kid: not a string"},
		{name: "key_ops not strings", data: `{"keys":[{"kty":"RSA","key_ops":[1]}]}`, wantErr: "keys[0]: key_ops: not an array of strings"},
		{name: "member names are case-sensitive", data: set(ecKey(), rsaKey("N", "!!", "E", "AQAB", "KTY", "oct")), wantKeys: 2},
		{name: "a differently cased member is not the member", data: set(rsaKey("n", "", "N", b64url.EncodeToString(k.rsa.N.Bytes()))), wantErr: "n: empty"},
		{name: "null members are absent", data: `{"keys":[` + strings.Replace(set(ecKey()), `"kid":"e"`, `"kid":null,"use":null,"key_ops":null`, 1)[9:], wantKeys: 1},
		{name: "only skipped keys", data: set(map[string]any{"kty": "oct", "kid": "sym", "k": "AA"}), wantErr: `no usable signing key; first skipped: keys[0] (kid "sym"): kty oct`},
		{name: "only a short RSA key", data: set(rsaKey("n", weakN)), wantErr: "RSA modulus of 1024 bits, need at least 2048"},
		{name: "too many keys", data: `{"keys":[` + strings.Repeat(`{"kty":"x"},`, maxKeys) + `{"kty":"x"}]}`, wantErr: "1001 keys, at most 1000"},

		{name: "RSA n bad base64", data: set(ecKey(), rsaKey("n", "!!")), wantErr: `keys[1] (kid "r"): n: invalid base64url`},
		{name: "RSA n padded base64", data: set(rsaKey("e", "AQAB=")), wantErr: "e: invalid base64url"},
		{name: "RSA n standard base64", data: set(rsaKey("n", strings.Replace(b64url.EncodeToString(k.rsa.N.Bytes()), "-", "+", 1)+"+/")), wantErr: "n: invalid base64url"},
		{name: "RSA n missing", data: set(rsaKey("n", "")), wantErr: "n: empty"},
		{name: "RSA n even", data: set(rsaKey("n", b64url.EncodeToString(new(big.Int).Lsh(k.rsa.N, 1).Bytes()))), wantErr: "n: even modulus"},
		{name: "RSA n huge", data: set(rsaKey("n", hugeN)), wantErr: "n: integer too large"},
		{name: "RSA e missing", data: set(rsaKey("e", "")), wantErr: "e: empty"},
		{name: "RSA e = 1", data: set(rsaKey("e", e(1))), wantErr: "e: not an odd integer"},
		{name: "RSA e even", data: set(rsaKey("e", e(65538))), wantErr: "e: not an odd integer"},
		{name: "RSA e over 31 bits", data: set(rsaKey("e", e(1<<31+1))), wantErr: "e: not an odd integer"},
		{name: "RSA e over 64 bits", data: set(rsaKey("e", b64url.EncodeToString(new(big.Int).SetBit(big.NewInt(1), 70, 1).Bytes()))), wantErr: "e: "},

		{name: "EC off the curve", data: set(ecKey("x", zeros(32), "y", zeros(32))), wantErr: "not on the curve"},
		{name: "EC coordinate out of range", data: set(ecKey("x", ones(32), "y", ones(32))), wantErr: "not on the curve"},
		{name: "EC y of another point", data: set(ecKey("y", ecJWK("", &k.otherEC256.PublicKey)["y"].(string))), wantErr: "not on the curve"},
		{name: "EC short x", data: set(ecKey("x", zeros(31))), wantErr: "x: not 32 bytes"},
		{name: "EC P-256 point as P-384", data: set(ecKey("crv", "P-384")), wantErr: "x: not 48 bytes"},
		{name: "EC bad base64", data: set(ecKey("y", strings.Repeat("*", 43))), wantErr: "y: invalid base64url"},
		{name: "EC non-zero trailing bits", data: set(ecKey("x", ecKey()["x"].(string)[:42]+"B")), wantErr: "x: invalid base64url"},

		{name: "Ed25519 short", data: set(edKey("x", zeros(31))), wantErr: "x: not 32 bytes"},
		{name: "Ed25519 off the curve", data: set(edKey("x", edX("0200000000000000000000000000000000000000000000000000000000000000"))), wantErr: "x: not a point of Ed25519"},
		{name: "Ed25519 x=0 with sign bit", data: set(edKey("x", edX("0100000000000000000000000000000000000000000000000000000000000080"))), wantErr: "x: non-canonical"},
		{name: "Ed25519 non-canonical y", data: set(edKey("x", edX("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))), wantErr: "x: non-canonical"},
	}
	// The eight small-order points; under each, forgery is trivial.
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	} {
		tests = append(tests, struct {
			name     string
			data     string
			wantKeys int
			wantErr  string
		}{name: "Ed25519 small order " + h[:8] + h[62:], data: set(edKey("x", edX(h))), wantErr: "x: small-order Ed25519 point"})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseJWKS([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if len(err.Error()) > 300 {
					t.Errorf("error too long: %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.keys) != tt.wantKeys {
				t.Errorf("%d keys, want %d", len(got.keys), tt.wantKeys)
			}
		})
	}
}

func withKeyOps(m map[string]any, ops ...string) map[string]any {
	m["key_ops"] = append([]string{}, ops...) // [] rather than null when empty
	return m
}

// Errors about a malformed key never echo its members.
func TestParseJWKSErrorsShowNoMaterial(t *testing.T) {
	k := theKeys(t)
	n := b64url.EncodeToString(k.rsa.N.Bytes())
	for _, data := range []string{
		`{"keys":[{"kty":"RSA","n":"` + n[:100] + `$","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","n":"` + n + `","e":"` + n[:40] + `"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"` + n[:43] + `","y":"` + n[43:86] + `"}]}`,
		`{"keys":[{"kty":"RSA","n":"` + n + `","e":"AQAB","d":5,"kid":{}}]}`,
	} {
		_, err := parseJWKS([]byte(data))
		if err == nil {
			t.Fatalf("accepted %s", data)
		}
		if strings.Contains(err.Error(), n[:12]) || strings.Contains(err.Error(), n[43:55]) {
			t.Errorf("error shows key material: %v", err)
		}
	}
}

// checkEd25519 agrees with crypto/ed25519's own decoder on which canonical
// encodings are curve points; beyond that it refuses small orders.
func TestCheckEd25519MatchesDecoder(t *testing.T) {
	buf := make([]byte, 32)
	for range 2000 {
		rand.Read(buf)
		buf[31] &= 0x7f | (buf[0] & 0x80) // random sign bit, canonical y with overwhelming probability
		ours := checkEd25519(buf)
		theirs := ed25519.VerifyWithOptions(buf, nil, nil, &ed25519.Options{})
		goDecodes := !strings.Contains(theirs.Error(), "public key")
		if (ours == nil) != goDecodes {
			t.Fatalf("%x: ours %v, crypto/ed25519 %v", buf, ours, theirs)
		}
	}
	if err := checkEd25519(theKeys(t).ed.Public().(ed25519.PublicKey)); err != nil {
		t.Fatalf("a real key: %v", err)
	}
}

// json.Marshal must produce what parseJWKS reads back (guards the helpers).
func TestJWKHelpersRoundTrip(t *testing.T) {
	k := theKeys(t)
	var set map[string][]map[string]any
	if err := json.Unmarshal(standardJWKS(k), &set); err != nil || len(set["keys"]) != 5 {
		t.Fatalf("%v %d", err, len(set["keys"]))
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"k1", `"k1"`},
		{"", `""`},
		{"a\nb\x00", `"a\nb\x00"`},
		{"\xff\xfe", `"\xff\xfe"`},
		{strings.Repeat("z", 70), `"` + strings.Repeat("z", 63) + `"…`},
		{strings.Repeat("\x15", 64), `"` + strings.Repeat(`\x15`, 15) + `"…`},
		{strings.Repeat("é", 40), `"` + strings.Repeat("é", 31) + `"…`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
