// Package secretfile reads the files that hold tokenaudit's keys (the
// fingerprint key, the audit log's signing key) the one way: like ssh, it
// refuses a file that others than its owner can read or write, since its
// secret would then be no secret.
package secretfile

import (
	"fmt"
	"io"
	"os"
)

// maxBytes bounds what is read: a key file holds one line.
const maxBytes = 64 << 10

// Read returns the contents of the secret file at path. what names it in
// errors, as the configuration does (e.g. "signing.key_file"); errors
// never contain the contents. A missing file is an fs.ErrNotExist.
func Read(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	// The mode of the file opened, not of whatever the path names later.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s %s has mode %04o: others can read it; run chmod 600 %s", what, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", what, path, err)
	}
	if len(data) > maxBytes {
		return nil, fmt.Errorf("%s %s is larger than %d bytes: not a key file", what, path, maxBytes)
	}
	return data, nil
}
