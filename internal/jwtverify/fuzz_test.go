package jwtverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"math/big"
	"testing"
)

func FuzzParseJWKS(f *testing.F) {
	k := theKeys(f)
	f.Add(standardJWKS(k))
	f.Add(jwksJSON(rsaJWK("r", &k.rsa.PublicKey, "alg", "PS256", "use", "sig"), map[string]any{"kty": "oct", "k": "AA"}))
	f.Add(jwksJSON(edJWK("d", k.ed.Public().(ed25519.PublicKey), "x", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","use":"sig","alg":"RS256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"x","key_ops":["verify"],"n":"` + "_____w" + `","e":"Aw"}]}`))
	f.Add([]byte(`{"keys":[1,null,{},[]]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := parseJWKS(data)
		if err != nil {
			if set != nil {
				t.Fatal("a key set with an error")
			}
			return
		}
		if len(set.keys) == 0 || len(set.keys) > maxKeys {
			t.Fatalf("%d keys", len(set.keys))
		}
		for _, key := range set.keys {
			checkKeyInvariants(t, &key)
		}
	})
}

// checkKeyInvariants holds for every key parseJWKS returns.
func checkKeyInvariants(t *testing.T, k *key) {
	t.Helper()
	if k.alg != "" {
		a := algorithms[k.alg]
		if a == nil || k.mismatch(a) != "" {
			t.Fatalf("key pinned to unusable alg %q", k.alg)
		}
	}
	switch k.kind {
	case kindRSA:
		if k.rsa == nil || k.rsa.N.BitLen() < minRSABits || k.rsa.N.BitLen() > maxRSABits || k.rsa.N.Bit(0) == 0 ||
			k.rsa.E < 3 || k.rsa.E&1 == 0 || k.ec != nil || k.ed != nil || k.hmac != nil {
			t.Fatal("bad RSA key accepted")
		}
	case kindEC:
		if k.ec == nil || k.ec.Curve.Params().Name != k.curve || k.rsa != nil || k.ed != nil || k.hmac != nil {
			t.Fatal("bad EC key accepted")
		}
	case kindEd25519:
		if len(k.ed) != ed25519.PublicKeySize || checkEd25519(k.ed) != nil || k.rsa != nil || k.ec != nil || k.hmac != nil {
			t.Fatal("bad Ed25519 key accepted")
		}
	default:
		t.Fatalf("kind %v from a JWKS", k.kind)
	}
}

func FuzzVerify(f *testing.F) {
	k := theKeys(f)
	v := newVerifier(f, k)
	signers := map[string]any{"h1": secret1, "h2": secret2, "rsa1": k.rsa, "ec256": k.ec256, "ec384": k.ec384, "ec521": k.ec521, "ed1": k.ed}
	for _, c := range []struct{ alg, kid string }{
		{"HS256", "h1"}, {"HS384", "h2"}, {"HS512", ""}, {"RS256", "rsa1"}, {"PS384", "rsa1"}, {"RS512", ""},
		{"ES256", "ec256"}, {"ES384", ""}, {"ES512", "ec521"}, {"EdDSA", "ed1"}, {"EdDSA", ""},
	} {
		signer := signers[c.kid]
		if signer == nil {
			signer = map[string]any{"HS512": secret1, "RS512": k.rsa, "ES384": k.ec384, "EdDSA": k.ed}[c.alg]
		}
		in := signingInput(c.alg, c.kid, 10)
		f.Add(c.alg, c.kid, in, sign(f, c.alg, signer, in))
	}
	f.Add("none", "", "e30.e30", []byte(nil))
	f.Add("HS256", "rsa1", "a.b", make([]byte, 32))
	f.Add("ES256", "ec384", "a.b", make([]byte, 64))
	f.Add("\xff", "\x00\n", "", []byte{0})

	f.Fuzz(func(t *testing.T, alg, kid, input string, sig []byte) {
		res, reason := v.Verify(alg, kid, input, sig)
		if (res == Verified) != (reason == "") {
			t.Fatalf("result %v with reason %q", res, reason)
		}
		checkReason(t, reason, k)
		if res == Verified && !oracle(k, alg, kid, input, sig) {
			t.Fatalf("verified %s kid %q, which no matching key signed", alg, kid)
		}
	})
}

// oracle verifies independently with the test's own keys, each only under
// its own algorithm family: anything else Verify accepts is a confusion.
func oracle(k testKeys, alg, kid, input string, sig []byte) bool {
	a := algorithms[alg]
	if a == nil {
		return false
	}
	msg := []byte(input)
	var digest []byte
	if a.hash != 0 {
		h := a.hash.New()
		h.Write(msg)
		digest = h.Sum(nil)
	}
	for _, c := range []struct {
		kid string
		key any
	}{{"h1", secret1}, {"h2", secret2}, {"rsa1", &k.rsa.PublicKey}, {"ec256", &k.ec256.PublicKey}, {"ec384", &k.ec384.PublicKey}, {"ec521", &k.ec521.PublicKey}, {"ed1", k.ed.Public()}} {
		if kid != "" && kid != c.kid {
			continue
		}
		switch key := c.key.(type) {
		case []byte:
			if a.kind == kindHMAC {
				m := hmac.New(a.hash.New, key)
				m.Write(msg)
				if hmac.Equal(m.Sum(nil), sig) {
					return true
				}
			}
		case *rsa.PublicKey:
			if a.kind == kindRSA && a.pss && rsa.VerifyPSS(key, a.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil {
				return true
			}
			if a.kind == kindRSA && !a.pss && rsa.VerifyPKCS1v15(key, a.hash, digest, sig) == nil {
				return true
			}
		case *ecdsa.PublicKey:
			size := (key.Curve.Params().BitSize + 7) / 8
			if a.kind == kindEC && a.curve == key.Curve.Params().Name && len(sig) == 2*size &&
				ecdsa.Verify(key, digest, new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])) {
				return true
			}
		case ed25519.PublicKey:
			if a.kind == kindEd25519 && a.hash == crypto.Hash(0) && ed25519.Verify(key, msg, sig) {
				return true
			}
		}
	}
	return false
}
