// Package fingerprint turns a raw credential into a stable, keyed, non-secret
// identifier: HMAC-SHA256 under an operator key, truncated to 128 bits and
// prefixed. Unkeyed hashes (as GitHub's token hashes) can be reversed by a
// dictionary for low-entropy keys; an HMAC cannot without the key.
package fingerprint

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenaudit/tokenaudit/internal/secretfile"
	"github.com/tokenaudit/tokenaudit/internal/unsafestr"
)

// MinKeyBytes is the shortest key accepted: the HMAC's strength is bounded
// by its key, and 256 bits matches the hash.
const MinKeyBytes = 32

// IDBytes is how much of the HMAC an id keeps: 128 bits makes accidental
// collisions negligible for any realistic number of tokens.
const IDBytes = 16

// Domains separate the uses of one key, so a token id never equals a
// pseudonymised principal id for the same input.
const (
	domainToken     = "tokenaudit/token/v1\x00"
	domainPrincipal = "tokenaudit/principal/v1\x00"
)

// Fingerprinter computes ids. It is safe for concurrent use.
type Fingerprinter struct {
	prefix string
	keyID  string
	pool   sync.Pool // of hash.Hash: keyed HMAC states, reset after use
}

// New returns a Fingerprinter for key; prefix starts every token id.
func New(key []byte, prefix string) (*Fingerprinter, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("fingerprint key has %d bytes, need at least %d", len(key), MinKeyBytes)
	}
	k := append([]byte(nil), key...)
	f := &Fingerprinter{prefix: prefix, keyID: KeyID(k)}
	f.pool.New = func() any { return hmac.New(sha256.New, k) }
	return f, nil
}

// KeyID names a key without revealing it, for logs that must say which
// key is in force: "fpk_" and 8 hex digits of a hash under its own domain.
func KeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("tokenaudit fingerprint key id\x00"))
	h.Write(key)
	return "fpk_" + hex.EncodeToString(h.Sum(nil)[:4])
}

// KeyID is the id of the Fingerprinter's key (see KeyID).
func (f *Fingerprinter) KeyID() string { return f.keyID }

// TokenID returns prefix + 32 lowercase hex digits for a raw credential.
func (f *Fingerprinter) TokenID(secret string) string {
	return f.id(domainToken, f.prefix, secret)
}

// PrincipalID returns a pseudonym for a principal id (GDPR pseudonymisation):
// stable under one key, not reversible without it.
func (f *Fingerprinter) PrincipalID(principal string) string {
	return f.id(domainPrincipal, "usr_", principal)
}

func (f *Fingerprinter) id(domain, prefix, s string) string {
	h := f.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(unsafestr.Bytes(domain))
	h.Write(unsafestr.Bytes(s))
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	f.pool.Put(h)

	out := make([]byte, len(prefix)+hex.EncodedLen(IDBytes))
	copy(out, prefix)
	hex.Encode(out[len(prefix):], sum[:IDBytes])
	return string(out)
}

// GenerateKey returns a new random key in its text form (64 hex digits).
func GenerateKey() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ParseKey turns a key's text form into key bytes. The text is used as is
// (after trimming white space), so a key given by env var and the same key in
// a file give the same ids.
func ParseKey(text string) ([]byte, error) {
	t := strings.TrimSpace(text)
	if len(t) < MinKeyBytes {
		return nil, fmt.Errorf("key has %d characters, need at least %d (generate one with `auditctl keygen`)", len(t), MinKeyBytes)
	}
	return []byte(t), nil
}

// ReadKeyFile reads a key file. It refuses files that others can read
// (secretfile), because the key is what keeps ids from being reversed.
func ReadKeyFile(path string) ([]byte, error) {
	data, err := secretfile.Read(path, "fingerprint key file")
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("fingerprint key file %s: %w", path, err)
	}
	return key, nil
}

// ErrExists is returned by CreateKeyFile when the file is already there.
var ErrExists = errors.New("key file exists")

// CreateKeyFile writes a new random key to path (mode 0600), creating its
// directory (0700). It never overwrites an existing file: a replaced key
// would silently change every token id.
func CreateKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	key, err := GenerateKey()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key file: %w", err)
	}
	return f.Close()
}
