package jwtverify

import (
	"crypto/ecdh"
	"errors"
	"math/big"
	"slices"
)

var (
	// ed25519P is the field prime 2^255 - 19.
	ed25519P = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// ed25519D is the curve constant -121665/121666 mod p.
	ed25519D = new(big.Int).Mod(new(big.Int).Mul(big.NewInt(-121665),
		new(big.Int).ModInverse(big.NewInt(121666), ed25519P)), ed25519P)
	// x25519Probe is any fixed X25519 private key. Clamping makes its
	// scalar a multiple of 8, so it maps every small-order point to zero.
	x25519Probe = must(ecdh.X25519().NewPrivateKey(make([]byte, 32)))
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// checkEd25519 refuses a public key that is not the canonical RFC 8032
// encoding of a curve point, or whose point has small order. crypto/ed25519
// accepts small-order keys, and under one (the identity, say) anybody can
// make a signature that verifies for every message.
func checkEd25519(pub []byte) error {
	le := slices.Clone(pub)
	negX := le[31]>>7 == 1
	le[31] &= 0x7f
	slices.Reverse(le)
	y := new(big.Int).SetBytes(le)
	if y.Cmp(ed25519P) >= 0 {
		return errors.New("non-canonical Ed25519 encoding")
	}
	// The point exists iff x² = (y² - 1) / (d·y² + 1) has a root, with x = 0
	// only when the sign bit is clear.
	p := ed25519P
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, p)
	num := new(big.Int).Sub(y2, big.NewInt(1))
	den := new(big.Int).Mul(ed25519D, y2)
	den.Add(den, big.NewInt(1))
	if den.ModInverse(den.Mod(den, p), p) == nil { // impossible: d is not a square
		return errors.New("not a point of Ed25519")
	}
	x2 := num.Mul(num, den)
	x2.Mod(x2, p)
	switch {
	case x2.Sign() == 0 && negX:
		return errors.New("not a point of Ed25519")
	case x2.Sign() != 0 && big.Jacobi(x2, p) != 1:
		return errors.New("not a point of Ed25519")
	}
	// Map to the Montgomery u = (1 + y) / (1 - y) and let X25519 detect a
	// small order. y = 1 is the identity, which has no u.
	oneMinusY := new(big.Int).Sub(big.NewInt(1), y)
	if oneMinusY.Mod(oneMinusY, p).Sign() == 0 {
		return errors.New("small-order Ed25519 point")
	}
	u := new(big.Int).Add(big.NewInt(1), y)
	u.Mul(u, oneMinusY.ModInverse(oneMinusY, p))
	u.Mod(u, p)
	ub := u.FillBytes(make([]byte, 32))
	slices.Reverse(ub)
	peer, err := ecdh.X25519().NewPublicKey(ub)
	if err != nil {
		return errors.New("not a point of Ed25519")
	}
	if _, err := x25519Probe.ECDH(peer); err != nil { // all-zero result
		return errors.New("small-order Ed25519 point")
	}
	return nil
}
