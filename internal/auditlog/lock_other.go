//go:build !unix

package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir only creates the lock file where flock is not available.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, ".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	return f, nil
}
