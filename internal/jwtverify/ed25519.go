package jwtverify

import (
	"bytes"
	"errors"

	"filippo.io/edwards25519"
)

// checkEd25519 refuses a public key that is not the canonical RFC 8032
// encoding of a curve point, or whose point has small order. crypto/ed25519
// accepts small-order keys, and under one (the identity, say) anybody can
// make a signature that verifies for every message; go-jose refuses only a
// fixed list of their encodings.
func checkEd25519(pub []byte) error {
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return errors.New("not a point of Ed25519")
	}
	// SetBytes accepts y >= p and x = 0 with the sign bit set, as most
	// implementations do; the encoding of the decoded point is the one
	// canonical form.
	if !bytes.Equal(p.Bytes(), pub) {
		return errors.New("non-canonical Ed25519 encoding")
	}
	if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return errors.New("small-order Ed25519 point")
	}
	return nil
}
