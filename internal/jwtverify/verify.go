package jwtverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"math/big"
	"sync/atomic"

	"github.com/tokenaudit/tokenaudit/internal/filewatch"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// maxCandidates bounds the keys tried for a token without a kid.
const maxCandidates = 16

// Result of a verification.
type Result int

const (
	// Verified: a configured key and an allowed algorithm accept the signature.
	Verified Result = iota
	// InvalidSignature: anything else.
	InvalidSignature
)

// keySet is immutable; a reload swaps the whole set.
type keySet struct {
	public     []publicKey
	generation uint64
}

// Verifier verifies JWT signatures. Safe for concurrent use.
type Verifier struct {
	allowed map[string]bool
	secrets []HMACSecret
	keys    atomic.Pointer[keySet]
	gen     atomic.Uint64
	watcher *filewatch.Watcher
}

// New loads the JWKS file, if any, and polls it for changes when
// ReloadInterval > 0. onReload hears every reload's result.
func New(cfg Config, onReload func(err error)) (*Verifier, error) {
	v := &Verifier{allowed: cfg.allowed(), secrets: cfg.HMACSecrets}
	v.keys.Store(&keySet{generation: v.gen.Add(1)})
	if cfg.JWKSFile == "" {
		return v, nil
	}
	w, err := filewatch.Start(cfg.JWKSFile, cfg.ReloadInterval, func(data []byte) error {
		keys, err := parseJWKS(data)
		if err != nil {
			return err
		}
		v.keys.Store(&keySet{public: keys, generation: v.gen.Add(1)})
		return nil
	}, onReload)
	if err != nil {
		return nil, err
	}
	v.watcher = w
	return v, nil
}

// Close stops polling. Safe twice and on nil.
func (v *Verifier) Close() {
	if v != nil {
		v.watcher.Stop()
	}
}

// Generation changes on every key-set load; cached results of an older
// generation must be verified again.
func (v *Verifier) Generation() uint64 { return v.keys.Load().generation }

// algorithm families.
type algSpec struct {
	hash    crypto.Hash
	newHash func() hash.Hash
	family  byte // 'H' HMAC, 'R' RSA PKCS#1 v1.5, 'P' RSA-PSS, 'E' ECDSA, 'D' EdDSA
	curve   string
}

var algs = map[string]algSpec{
	"HS256": {crypto.SHA256, sha256.New, 'H', ""}, "HS384": {crypto.SHA384, sha512.New384, 'H', ""}, "HS512": {crypto.SHA512, sha512.New, 'H', ""},
	"RS256": {crypto.SHA256, sha256.New, 'R', ""}, "RS384": {crypto.SHA384, sha512.New384, 'R', ""}, "RS512": {crypto.SHA512, sha512.New, 'R', ""},
	"PS256": {crypto.SHA256, sha256.New, 'P', ""}, "PS384": {crypto.SHA384, sha512.New384, 'P', ""}, "PS512": {crypto.SHA512, sha512.New, 'P', ""},
	"ES256": {crypto.SHA256, sha256.New, 'E', "P-256"}, "ES384": {crypto.SHA384, sha512.New384, 'E', "P-384"}, "ES512": {crypto.SHA512, sha512.New, 'E', "P-521"},
	"EdDSA": {0, nil, 'D', ""},
}

// Verify checks a signature. reason explains a failure without secrets.
func (v *Verifier) Verify(alg, kid, signingInput string, sig []byte) (Result, string) {
	if alg == "" || alg == "none" || alg == "None" || alg == "NONE" {
		return InvalidSignature, "alg none"
	}
	spec, known := algs[alg]
	if !known || !v.allowed[alg] {
		return InvalidSignature, fmt.Sprintf("alg %q not allowed", truncate(alg))
	}
	if spec.family == 'H' {
		return v.verifyHMAC(spec, kid, signingInput, sig)
	}
	tried, kidSeen := 0, false
	for _, k := range v.keys.Load().public {
		if kid != "" && k.kid != kid {
			continue
		}
		kidSeen = true
		if k.alg != "" && k.alg != alg {
			continue
		}
		if !fits(spec, k.key) {
			continue
		}
		if tried++; tried > maxCandidates {
			break
		}
		if verifyPublic(spec, k.key, signingInput, sig) {
			return Verified, ""
		}
	}
	switch {
	case kid != "" && !kidSeen && !v.hmacHasKid(kid):
		return InvalidSignature, fmt.Sprintf("unknown kid %q", truncate(kid))
	case tried == 0:
		return InvalidSignature, "no key for alg " + alg
	}
	return InvalidSignature, "signature mismatch"
}

func (v *Verifier) hmacHasKid(kid string) bool {
	for _, s := range v.secrets {
		if s.KeyID == kid {
			return true
		}
	}
	return false
}

func (v *Verifier) verifyHMAC(spec algSpec, kid, signingInput string, sig []byte) (Result, string) {
	tried := 0
	for _, s := range v.secrets {
		if kid != "" && s.KeyID != "" && s.KeyID != kid {
			continue
		}
		tried++
		m := hmac.New(spec.newHash, s.Secret)
		m.Write(fingerprint.StringBytes(signingInput))
		if hmac.Equal(m.Sum(nil), sig) {
			return Verified, ""
		}
	}
	if tried == 0 {
		if kid != "" {
			return InvalidSignature, fmt.Sprintf("unknown kid %q", truncate(kid))
		}
		return InvalidSignature, "no HMAC secret"
	}
	return InvalidSignature, "signature mismatch"
}

// fits tells whether a key may be used with an algorithm family: an RSA
// key never verifies an HMAC or ECDSA token, and so on.
func fits(spec algSpec, key crypto.PublicKey) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return spec.family == 'R' || spec.family == 'P'
	case *ecdsa.PublicKey:
		return spec.family == 'E' && k.Curve.Params().Name == spec.curve
	case ed25519.PublicKey:
		return spec.family == 'D'
	}
	return false
}

func verifyPublic(spec algSpec, key crypto.PublicKey, signingInput string, sig []byte) bool {
	if spec.family == 'D' {
		return ed25519.Verify(key.(ed25519.PublicKey), fingerprint.StringBytes(signingInput), sig)
	}
	h := spec.newHash()
	h.Write(fingerprint.StringBytes(signingInput))
	digest := h.Sum(nil)
	switch spec.family {
	case 'R':
		return rsa.VerifyPKCS1v15(key.(*rsa.PublicKey), spec.hash, digest, sig) == nil
	case 'P':
		return rsa.VerifyPSS(key.(*rsa.PublicKey), spec.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case 'E':
		k := key.(*ecdsa.PublicKey)
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size { // JWS uses fixed-size r||s, never ASN.1
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
