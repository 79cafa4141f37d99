package jwtverify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"hash"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
)

// key is one verification key: an HMAC secret from the config or a public
// key from the JWKS. Exactly one of the material fields is set, per kind.
type key struct {
	kid string
	alg string // a supported alg the JWK pins; "" when it pins none
	// issuer binds the key to one issuer's tokens ("": any); see
	// Verifier.VerifyFor.
	issuer string
	kind   keyKind
	curve  string // EC only

	rsa  *rsa.PublicKey
	ec   *ecdsa.PublicKey
	ed   ed25519.PublicKey
	hmac *hmacKey
}

// mismatch says why k may not verify alg, or "" when it may. A key only
// ever verifies the algorithms of its own family: this is what defeats
// algorithm confusion, whatever the token's header claims.
func (k *key) mismatch(a *algorithm) string {
	switch {
	case k.kind != a.kind:
		return "key type " + k.kind.String() + " does not match alg " + a.name
	case k.kind == kindEC && k.curve != a.curve:
		return "key curve " + k.curve + " does not match alg " + a.name
	case k.alg != "" && k.alg != a.name:
		return "key alg " + k.alg + " does not match alg " + a.name
	}
	return ""
}

// pssOptions: RFC 7518 §3.5 fixes the salt length to the hash length.
var pssOptions = rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

// public is the key go-jose verifies with; nil for an HMAC key.
func (k *key) public() any {
	switch k.kind {
	case kindRSA:
		return k.rsa
	case kindEC:
		return k.ec
	case kindEd25519:
		return k.ed
	}
	return nil
}

// verifyPublic checks a public-key signature with go-jose; the caller has
// checked mismatch and parsed the token once for all candidate keys.
func (k *key) verifyPublic(a *algorithm, jws *jose.JSONWebSignature, msg, sig []byte) bool {
	if _, err := jws.Verify(k.public()); err != nil {
		return false
	}
	if a.pss {
		// go-jose accepts any PSS salt length; RFC 7518 §3.5 allows only
		// the hash length.
		var buf [64]byte
		return rsa.VerifyPSS(k.rsa, a.hash, a.digest(&buf, msg), sig, &pssOptions) == nil
	}
	return true
}

// hmacKey keeps keyed HMAC states for reuse: keying costs two hash blocks
// and several allocations per token otherwise.
type hmacKey struct {
	pools [hmacSlots]sync.Pool // of *hmacState, one pool per hash
}

type hmacState struct {
	mac hash.Hash
	sum [64]byte
}

func newHMACKey(secret []byte) *hmacKey {
	secret = append([]byte(nil), secret...) // the caller's slice may change
	h := &hmacKey{}
	for _, a := range algorithms {
		if a.kind != kindHMAC {
			continue
		}
		h.pools[a.slot].New = func() any {
			return &hmacState{mac: hmac.New(a.newHash, secret)}
		}
	}
	return h
}

// verify checks an HS* signature. This path stays hand-written over
// crypto/hmac rather than go-jose: go-jose parses the whole token again and
// keys a new HMAC per call, which BenchmarkVerifyHS256 shows costs several
// times the first-sight budget of an HS256 token (< 5 µs).
func (h *hmacKey) verify(a *algorithm, msg, sig []byte) bool {
	st := h.pools[a.slot].Get().(*hmacState)
	st.mac.Reset()
	st.mac.Write(msg)
	ok := hmac.Equal(st.mac.Sum(st.sum[:0]), sig) // constant time
	h.pools[a.slot].Put(st)
	return ok
}
