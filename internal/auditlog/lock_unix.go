//go:build unix

package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir keeps a second collector from writing the same log: two writers
// would fork the tree.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, ".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log %s is in use by another process (lock %s): %w", dir, path, err)
	}
	return f, nil
}
