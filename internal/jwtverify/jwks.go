package jwtverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// maxKeys bounds a key set.
const maxKeys = 1000

// minRSABits refuses RSA keys too short to be trusted (NIST SP 800-131A).
const minRSABits = 2048

// publicKey is one usable key from a JWKS.
type publicKey struct {
	kid string
	alg string // "" when the JWK does not pin one
	key crypto.PublicKey
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads the public keys of a JWKS. Keys of unknown types are
// skipped; a malformed key of a known type is an error, since a half-read
// key set would reject tokens for reasons nobody could see.
func parseJWKS(data []byte) ([]publicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwks: not a JSON Web Key Set: %w", err)
	}
	if len(set.Keys) > maxKeys {
		return nil, fmt.Errorf("jwks: %d keys, at most %d", len(set.Keys), maxKeys)
	}
	var keys []publicKey
	for i, raw := range set.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("jwks: keys[%d]: %w", i, err)
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pk, err := k.public()
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("jwks: keys[%d] (kid %q): %w", i, k.Kid, err)
		}
		keys = append(keys, publicKey{kid: k.Kid, alg: k.Alg, key: pk})
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks: no usable signing key")
	}
	return keys, nil
}

var errSkip = errors.New("skip")

func (k jwk) public() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err := b64int(k.N)
		if err != nil {
			return nil, fmt.Errorf("n: %w", err)
		}
		e, err := b64int(k.E)
		if err != nil {
			return nil, fmt.Errorf("e: %w", err)
		}
		if n.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA modulus of %d bits, need at least %d", n.BitLen(), minRSABits)
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
			return nil, errors.New("RSA exponent is not a usable odd integer")
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("unsupported curve %q", k.Crv)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err := b64fixed(k.X, size)
		if err != nil {
			return nil, fmt.Errorf("x: %w", err)
		}
		y, err := b64fixed(k.Y, size)
		if err != nil {
			return nil, fmt.Errorf("y: %w", err)
		}
		// ParseUncompressedPublicKey refuses points not on the curve.
		pk, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, errors.New("the point is not on the curve")
		}
		return pk, nil
	case "OKP":
		if k.Crv != "Ed25519" {
			return nil, errSkip
		}
		x, err := b64fixed(k.X, ed25519.PublicKeySize)
		if err != nil {
			return nil, fmt.Errorf("x: %w", err)
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, errSkip
}

func b64(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid base64url")
	}
	return b, nil
}

func b64int(s string) (*big.Int, error) {
	b, err := b64(s)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 || len(b) > 2048 {
		return nil, errors.New("empty or oversized integer")
	}
	return new(big.Int).SetBytes(b), nil
}

func b64fixed(s string, size int) ([]byte, error) {
	b, err := b64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), size)
	}
	return b, nil
}
