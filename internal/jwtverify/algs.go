package jwtverify

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// keyKind is the family of a key; each algorithm needs exactly one.
type keyKind uint8

const (
	kindHMAC keyKind = iota + 1
	kindRSA
	kindEC
	kindEd25519
)

func (k keyKind) String() string {
	switch k {
	case kindHMAC:
		return "HMAC"
	case kindRSA:
		return "RSA"
	case kindEC:
		return "EC"
	case kindEd25519:
		return "OKP"
	}
	return "unknown"
}

// algorithm is one JWS "alg" (RFC 7518 §3.1).
type algorithm struct {
	name    string
	kind    keyKind
	hash    crypto.Hash // 0 for EdDSA, which hashes internally
	newHash func() hash.Hash
	pss     bool   // RSA: PSS instead of PKCS #1 v1.5
	curve   string // EC: the only curve the alg may use
	sigSize int    // fixed signature length; 0 for RSA (the key decides)
	slot    int    // HMAC: index into a key's per-hash state pools
}

// algorithmNames is the supported list, in the order error messages show it.
var algorithmNames = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
}

var algorithms = map[string]*algorithm{
	"RS256": {name: "RS256", kind: kindRSA, hash: crypto.SHA256},
	"RS384": {name: "RS384", kind: kindRSA, hash: crypto.SHA384},
	"RS512": {name: "RS512", kind: kindRSA, hash: crypto.SHA512},
	"PS256": {name: "PS256", kind: kindRSA, hash: crypto.SHA256, pss: true},
	"PS384": {name: "PS384", kind: kindRSA, hash: crypto.SHA384, pss: true},
	"PS512": {name: "PS512", kind: kindRSA, hash: crypto.SHA512, pss: true},
	// ECDSA JWS signatures are r||s, each the curve's byte size (RFC 7518 §3.4).
	"ES256": {name: "ES256", kind: kindEC, hash: crypto.SHA256, curve: "P-256", sigSize: 64},
	"ES384": {name: "ES384", kind: kindEC, hash: crypto.SHA384, curve: "P-384", sigSize: 96},
	"ES512": {name: "ES512", kind: kindEC, hash: crypto.SHA512, curve: "P-521", sigSize: 132},
	"EdDSA": {name: "EdDSA", kind: kindEd25519, sigSize: 64},
	"HS256": {name: "HS256", kind: kindHMAC, hash: crypto.SHA256, newHash: sha256.New, sigSize: 32, slot: 0},
	"HS384": {name: "HS384", kind: kindHMAC, hash: crypto.SHA384, newHash: sha512.New384, sigSize: 48, slot: 1},
	"HS512": {name: "HS512", kind: kindHMAC, hash: crypto.SHA512, newHash: sha512.New, sigSize: 64, slot: 2},
}

// hmacSlots is the number of HMAC hash functions, one state pool each.
const hmacSlots = 3

// digest hashes msg into buf and returns the digest.
func (a *algorithm) digest(buf *[64]byte, msg []byte) []byte {
	switch a.hash {
	case crypto.SHA256:
		s := sha256.Sum256(msg)
		return buf[:copy(buf[:], s[:])]
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		return buf[:copy(buf[:], s[:])]
	case crypto.SHA512:
		s := sha512.Sum512(msg)
		return buf[:copy(buf[:], s[:])]
	}
	return nil
}
