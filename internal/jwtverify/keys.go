package jwtverify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"hash"
	"math/big"
	"sync"
)

// key is one verification key: an HMAC secret from the config or a public
// key from the JWKS. Exactly one of the material fields is set, per kind.
type key struct {
	kid   string
	alg   string // a supported alg the JWK pins; "" when it pins none
	kind  keyKind
	curve string // EC only

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

// verify checks sig over msg; the caller has checked mismatch.
func (k *key) verify(a *algorithm, msg, sig []byte) bool {
	switch k.kind {
	case kindHMAC:
		return k.hmac.verify(a, msg, sig)
	case kindRSA:
		var buf [64]byte
		d := a.digest(&buf, msg)
		if a.pss {
			return rsa.VerifyPSS(k.rsa, a.hash, d, sig, &pssOptions) == nil
		}
		return rsa.VerifyPKCS1v15(k.rsa, a.hash, d, sig) == nil
	case kindEC:
		// Raw r||s of fixed size; an ASN.1 signature is not a JWS signature.
		if len(sig) != a.sigSize {
			return false
		}
		var buf [64]byte
		d := a.digest(&buf, msg)
		half := a.sigSize / 2
		r := new(big.Int).SetBytes(sig[:half])
		s := new(big.Int).SetBytes(sig[half:])
		return ecdsa.Verify(k.ec, d, r, s)
	case kindEd25519:
		return ed25519.Verify(k.ed, msg, sig)
	}
	return false
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

func (h *hmacKey) verify(a *algorithm, msg, sig []byte) bool {
	st := h.pools[a.slot].Get().(*hmacState)
	st.mac.Reset()
	st.mac.Write(msg)
	ok := hmac.Equal(st.mac.Sum(st.sum[:0]), sig) // constant time
	h.pools[a.slot].Put(st)
	return ok
}
