// Package auditkey derives the public verification key from an audit log
// signing key, for the exporter's logs and for auditctl.
package auditkey

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Verifier returns the note verifier key ("name+hash+base64key") of a
// note signer key ("PRIVATE+KEY+name+hash+base64(alg‖seed)"). Its errors
// never contain the key.
func Verifier(skey string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(skey), "PRIVATE+KEY+")
	if !ok {
		return "", errors.New("not a signing key: it must start with PRIVATE+KEY+")
	}
	parts := strings.SplitN(rest, "+", 3) // the key itself may hold a +
	if len(parts) != 3 {
		return "", errors.New("not a signing key: want PRIVATE+KEY+name+hash+key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 signing key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[0], pub)
}
