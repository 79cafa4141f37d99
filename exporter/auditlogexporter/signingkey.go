package auditlogexporter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/tokenaudit/tokenaudit/internal/auditkey"
	"github.com/tokenaudit/tokenaudit/internal/secretfile"
)

// signingKey is the loaded checkpoint key.
type signingKey struct {
	signer note.Signer
	// verifier is the public half, as `auditctl verify --key` takes it.
	verifier string
	created  bool
}

// loadSigningKey reads the key file, creating it (and KeyFile.pub) when
// configured to. Like ssh, it refuses a key file that others can read.
func loadSigningKey(cfg SigningConfig) (*signingKey, error) {
	created := false
	if cfg.CreateKeyFile {
		switch err := auditkey.CreateFiles(cfg.KeyFile, cfg.KeyName); {
		case err == nil:
			created = true
		case errors.Is(err, os.ErrExist):
		default:
			return nil, err
		}
	}
	key, err := readSigningKey(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	key.created = created
	return key, nil
}

// readSigningKey reads and checks a signing key file, at start and when
// the file changes.
func readSigningKey(path string) (*signingKey, error) {
	data, err := secretfile.Read(path, "signing.key_file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w; create one with `auditctl keygen --signing NAME` or set signing.create_key_file: true", err)
	}
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(data)))
	if err != nil {
		// The note error never contains the key; keep it that way.
		return nil, fmt.Errorf("signing.key_file %s is not a signing key (PRIVATE+KEY+name+hash+key, from `auditctl keygen --signing`)", path)
	}
	vkey, err := auditkey.Verifier(string(data))
	if err != nil {
		return nil, fmt.Errorf("signing.key_file: %w", err)
	}
	return &signingKey{signer: signer, verifier: vkey}, nil
}
