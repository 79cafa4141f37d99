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
	"strconv"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
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
	// token naming it gets that reason instead of "unknown kid". Verify
	// reads it only when no usable key has the kid.
	skipped map[string]string
}

// jwk holds the public members of a JSON Web Key (RFC 7517, RFC 7518 §6).
// Private members (d, p, q, k, ...) are never decoded.
type jwk struct {
	Kty, Kid, Alg, Use, Crv, N, E, X, Y string
	KeyOps                              []string
}

// parseJWKS reads the signing keys of a JWKS. A key that is not for
// signature verification, or of a type, curve or size this package does not
// trust, is skipped. A malformed key of a supported type makes the whole
// file an error: a half-read key set would reject tokens for reasons nobody
// could see, and on reload the previous set stays in force.
func parseJWKS(data []byte) (*jwks, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Errorf("not a JSON Web Key Set: invalid JSON at byte %d", syntax.Offset)
		}
		return nil, errors.New("not a JSON Web Key Set: not a JSON object")
	}
	var raws []json.RawMessage
	if v, ok := top["keys"]; !ok || json.Unmarshal(v, &raws) != nil {
		return nil, errors.New(`not a JSON Web Key Set: no "keys" array`)
	}
	if len(raws) > maxKeys {
		return nil, fmt.Errorf("%d keys, at most %d", len(raws), maxKeys)
	}
	out := &jwks{skipped: map[string]string{}}
	var firstSkip string
	for i, raw := range raws {
		j, err := decodeJWK(raw)
		if err != nil {
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
	return out, nil
}

// decodeJWK reads the members by their exact names. encoding/json would
// also match "N" or "KTY", letting a differently cased duplicate member
// decide the key that other JOSE libraries read from the real one.
func decodeJWK(raw json.RawMessage) (jwk, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return jwk{}, errors.New("not a JSON object")
	}
	var j jwk
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"kty", &j.Kty}, {"kid", &j.Kid}, {"alg", &j.Alg}, {"use", &j.Use}, {"crv", &j.Crv},
		{"n", &j.N}, {"e", &j.E}, {"x", &j.X}, {"y", &j.Y},
	} {
		if v, ok := m[f.name]; ok && json.Unmarshal(v, f.dst) != nil {
			return jwk{}, fmt.Errorf("%s: not a string", f.name)
		}
	}
	if v, ok := m["key_ops"]; ok && json.Unmarshal(v, &j.KeyOps) != nil {
		return jwk{}, errors.New("key_ops: not an array of strings")
	}
	return j, nil
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
	if n.BitLen() > jose.MaxRSAModulusBits {
		return nil, fmt.Sprintf("RSA modulus of %d bits, go-jose reads at most %d", n.BitLen(), jose.MaxRSAModulusBits), nil
	}
	k, err := j.material()
	pub, ok := k.(*rsa.PublicKey)
	if err != nil || !ok {
		return nil, "", fmt.Errorf("not an RSA public key: %w", err)
	}
	return pub, "", nil
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
	if _, err := b64fixed(j.X, size); err != nil {
		return nil, "", fmt.Errorf("x: %w", err)
	}
	if _, err := b64fixed(j.Y, size); err != nil {
		return nil, "", fmt.Errorf("y: %w", err)
	}
	// go-jose refuses points not on the curve (coordinates out of range
	// included), which invalid-curve attacks rely on.
	k, err := j.material()
	pub, ok := k.(*ecdsa.PublicKey)
	if err != nil || !ok {
		return nil, "", errors.New("the point is not on the curve")
	}
	return pub, "", nil
}

func (j *jwk) edKey() (ed25519.PublicKey, string, error) {
	if j.Crv != "Ed25519" {
		return nil, "unsupported OKP curve " + quote(j.Crv), nil
	}
	x, err := b64fixed(j.X, ed25519.PublicKeySize)
	if err != nil {
		return nil, "", fmt.Errorf("x: %w", err)
	}
	if err := checkEd25519(x); err != nil {
		return nil, "", fmt.Errorf("x: %w", err)
	}
	k, err := j.material()
	pub, ok := k.(ed25519.PublicKey)
	if err != nil || !ok {
		return nil, "", fmt.Errorf("x: not an Ed25519 public key: %w", err)
	}
	return pub, "", nil
}

// material has go-jose build the public key from the key's public members
// only: private members are never passed on, not even to be refused. The
// member checks above stay because they name the member at fault and
// refuse what go-jose tolerates (padding, trailing bits, even moduli,
// non-canonical or small-order Ed25519 points outside its fixed list).
func (j *jwk) material() (any, error) {
	pub := map[string]string{"kty": j.Kty}
	for name, v := range map[string]string{"crv": j.Crv, "n": j.N, "e": j.E, "x": j.X, "y": j.Y} {
		if v != "" {
			pub[name] = v
		}
	}
	data, err := json.Marshal(pub)
	if err != nil {
		return nil, err
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return k.Key, nil
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

// quote quotes a string from a token or file for a message, escaping
// control and invalid bytes and cutting it at about 64 bytes of output.
func quote(s string) string {
	const max = 64
	out := make([]byte, 0, max+8)
	out = append(out, '"')
	for len(s) > 0 {
		_, w := utf8.DecodeRuneInString(s) // an invalid byte has width 1
		q := strconv.Quote(s[:w])
		q = q[1 : len(q)-1]
		if len(out)+len(q) > max {
			return string(out) + `"…`
		}
		out = append(out, q...)
		s = s[w:]
	}
	return string(append(out, '"'))
}
