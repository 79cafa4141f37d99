package jwtverify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

const (
	// maxKeys bounds a key set; real ones hold a handful.
	maxKeys = 1000
	// minRSABits refuses RSA keys too short to trust (NIST SP 800-131A).
	minRSABits = 2048
	// maxRSABits bounds the cost of one verification.
	maxRSABits = 16384
)

// jwks is a parsed JSON Web Key Set.
type jwks struct {
	keys []key
	// skipped tells, by kid, why a key of the file is not used, so that a
	// token naming it gets that reason instead of "unknown kid".
	skipped map[string]string
}

// jwk holds the public members of a JSON Web Key (RFC 7517, RFC 7518 §6).
// Private members (d, p, q, k, ...) have no field, so they are never decoded.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
}

// parseJWKS reads the signing keys of a JWKS. A key that is not for
// signature verification, or of a type, curve or size this package does not
// trust, is skipped. A malformed key of a supported type makes the whole
// file an error: a half-read key set would reject tokens for reasons nobody
// could see, and on reload the previous set stays in force.
func parseJWKS(data []byte) (*jwks, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	if len(set.Keys) > maxKeys {
		return nil, fmt.Errorf("%d keys, at most %d", len(set.Keys), maxKeys)
	}
	out := &jwks{skipped: map[string]string{}}
	var firstSkip string
	for i, raw := range set.Keys {
		var j jwk
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
		k, skip, err := j.key()
		if err != nil {
			return nil, fmt.Errorf("keys[%d] (kid %s): %w", i, quote(j.Kid), err)
		}
		if skip != "" {
			if firstSkip == "" {
				firstSkip = fmt.Sprintf("keys[%d] (kid %s): %s", i, quote(j.Kid), skip)
			}
			if _, seen := out.skipped[j.Kid]; !seen && j.Kid != "" {
				out.skipped[j.Kid] = skip
			}
			continue
		}
		out.keys = append(out.keys, k)
	}
	if len(out.keys) == 0 {
		if firstSkip != "" {
			return nil, errors.New("no usable signing key; first skipped: " + firstSkip)
		}
		return nil, errors.New("no usable signing key")
	}
	// A kid that has a usable key is not "skipped", even if another key
	// with that kid was.
	for _, k := range out.keys {
		delete(out.skipped, k.kid)
	}
	return out, nil
}

// key converts j. skip is set for a well-formed key this package does not
// use; err for a malformed one.
func (j *jwk) key() (k key, skip string, err error) {
	if j.Use != "" && j.Use != "sig" {
		return k, "use " + quote(j.Use) + " is not sig", nil
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return k, "key_ops has no verify", nil
	}
	a := algorithms[j.Alg]
	if j.Alg != "" {
		if a == nil {
			return k, "alg " + quote(j.Alg) + " is not a supported signature algorithm", nil
		}
	}
	k = key{kid: j.Kid, alg: j.Alg}
	switch j.Kty {
	case "RSA":
		k.kind = kindRSA
		k.rsa, skip, err = j.rsaKey()
	case "EC":
		k.kind = kindEC
		k.curve = j.Crv
		k.ec, skip, err = j.ecKey()
	case "OKP":
		k.kind = kindEd25519
		k.ed, skip, err = j.edKey()
	case "oct":
		return k, "kty oct is not read from a key file; set jwt.hmac_secrets", nil
	default:
		return k, "unsupported kty " + quote(j.Kty), nil
	}
	if err != nil || skip != "" {
		return key{}, skip, err
	}
	if a != nil {
		if why := k.mismatch(a); why != "" {
			return key{}, why, nil
		}
	}
	return k, "", nil
}

func (j *jwk) rsaKey() (*rsa.PublicKey, string, error) {
	n, err := b64int(j.N, maxRSABits/8)
	if err != nil {
		return nil, "", fmt.Errorf("n: %w", err)
	}
	e, err := b64int(j.E, 8)
	if err != nil {
		return nil, "", fmt.Errorf("e: %w", err)
	}
	// The exponent rules are crypto/rsa's: odd, > 1 and within 31 bits, the
	// same on 32- and 64-bit platforms.
	if !e.IsInt64() || e.Int64() <= 1 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, "", errors.New("e: not an odd integer in 3..2^31-1")
	}
	if n.Bit(0) == 0 {
		return nil, "", errors.New("n: even modulus")
	}
	if n.BitLen() < minRSABits {
		return nil, fmt.Sprintf("RSA modulus of %d bits, need at least %d", n.BitLen(), minRSABits), nil
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, "", nil
}

func (j *jwk) ecKey() (*ecdsa.PublicKey, string, error) {
	var curve elliptic.Curve
	switch j.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, "unsupported EC curve " + quote(j.Crv), nil
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := b64fixed(j.X, size)
	if err != nil {
		return nil, "", fmt.Errorf("x: %w", err)
	}
	y, err := b64fixed(j.Y, size)
	if err != nil {
		return nil, "", fmt.Errorf("y: %w", err)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	// ParseUncompressedPublicKey refuses coordinates out of range and points
	// not on the curve, which invalid-curve attacks rely on.
	pk, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, "", errors.New("the point is not on the curve")
	}
	return pk, "", nil
}

func (j *jwk) edKey() (ed25519.PublicKey, string, error) {
	if j.Crv != "Ed25519" {
		return nil, "unsupported OKP curve " + quote(j.Crv), nil
	}
	x, err := b64fixed(j.X, ed25519.PublicKeySize)
	if err != nil {
		return nil, "", fmt.Errorf("x: %w", err)
	}
	pk := ed25519.PublicKey(x)
	if !ed25519PointValid(pk) {
		return nil, "", errors.New("x: not a point of Ed25519")
	}
	return pk, "", nil
}

// ed25519PointValid reports whether pk decodes to a curve point. The
// standard library has no direct check, but VerifyWithOptions decodes the
// key before it looks at the signature, so an empty signature fails with a
// key error exactly when the key is invalid. Should that message change,
// this accepts the key, which is safe: ed25519.Verify still rejects every
// signature under an invalid key.
func ed25519PointValid(pk ed25519.PublicKey) bool {
	err := ed25519.VerifyWithOptions(pk, nil, nil, &ed25519.Options{})
	return err == nil || !strings.Contains(err.Error(), "public key")
}

func b64(s string) ([]byte, error) {
	// RawURLEncoding is strict about padding and alphabet; Strict also
	// refuses non-zero trailing bits, so each key has one encoding.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid base64url")
	}
	return b, nil
}

// b64int decodes a big-endian unsigned integer of at most maxBytes bytes.
func b64int(s string, maxBytes int) (*big.Int, error) {
	if len(s) > base64.RawURLEncoding.EncodedLen(maxBytes+1) {
		return nil, errors.New("integer too large") // before decoding it
	}
	b, err := b64(s)
	if err != nil {
		return nil, err
	}
	for len(b) > 0 && b[0] == 0 { // tolerate leading zero bytes
		b = b[1:]
	}
	if len(b) == 0 || len(b) > maxBytes {
		return nil, errors.New("empty or too large integer")
	}
	return new(big.Int).SetBytes(b), nil
}

func b64fixed(s string, size int) ([]byte, error) {
	if len(s) != base64.RawURLEncoding.EncodedLen(size) {
		return nil, fmt.Errorf("not %d bytes", size)
	}
	b, err := b64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, fmt.Errorf("not %d bytes", size)
	}
	return b, nil
}

// quote bounds and quotes a string from a token or file for a message.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", s)
}
