// Package auditkey derives the public verification key from an audit log
// signing key, for the exporter's logs and for auditctl.
package auditkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// CreateFiles writes a new signing key to path (0600, directory 0700) and
// its verification key to path + ".pub" (0644). It returns os.ErrExist
// when path is already there: a replaced key would orphan every copy of
// the old verification key that auditors hold.
func CreateFiles(path, name string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create signing key directory: %w", err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return fmt.Errorf("generate signing key %q: %w", name, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return os.ErrExist
		}
		return fmt.Errorf("create signing key: %w", err)
	}
	_, err = f.WriteString(skey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write signing key: %w", err)
	}
	if err := os.WriteFile(path+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return fmt.Errorf("write verification key: %w", err)
	}
	return nil
}
