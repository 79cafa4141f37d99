package jwtverify

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// benchToken returns a signing input whose full token, with the signature
// in base64url, is 600 bytes long, as a typical access token.
func benchToken(tb testing.TB, alg, kid string, sigLen int) string {
	tb.Helper()
	base := len(signingInput(alg, kid, 0)) + 1 + b64url.EncodedLen(sigLen)
	for pad := 0; pad < 600; pad++ {
		in := signingInput(alg, kid, pad)
		if len(in)+1+b64url.EncodedLen(sigLen) >= 600 {
			return in
		}
	}
	tb.Fatalf("cannot pad a token of %d bytes to 600", base)
	return ""
}

func benchVerify(b *testing.B, v *Verifier, alg, kid string, key any, sigLen int) {
	in := benchToken(b, alg, kid, sigLen)
	sig := sign(b, alg, key, in)
	if res, reason := v.Verify(alg, kid, in, sig); res != Verified {
		b.Fatal(reason)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		v.Verify(alg, kid, in, sig)
	}
}

// BenchmarkVerifyHS256 compares the pooled crypto/hmac path with go-jose
// verifying the same token: the figures are why HS* stay off go-jose.
func BenchmarkVerifyHS256(b *testing.B) {
	v, err := New(Config{HMACSecrets: []HMACSecret{{KeyID: "h1", Secret: secret1}}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pooled_hmac", func(b *testing.B) { benchVerify(b, v, "HS256", "h1", secret1, 32) })
	b.Run("go-jose", func(b *testing.B) {
		in := benchToken(b, "HS256", "h1", 32)
		tok := in + "." + b64url.EncodeToString(sign(b, "HS256", secret1, in))
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.HS256})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jws.Verify(secret1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyRS256(b *testing.B) {
	k := theKeys(b)
	benchVerify(b, newVerifier(b, k), "RS256", "rsa1", k.rsa, 256)
}

func BenchmarkVerifyES256(b *testing.B) {
	k := theKeys(b)
	benchVerify(b, newVerifier(b, k), "ES256", "ec256", k.ec256, 64)
}

func BenchmarkVerifyEdDSA(b *testing.B) {
	k := theKeys(b)
	benchVerify(b, newVerifier(b, k), "EdDSA", "ed1", k.ed, 64)
}
