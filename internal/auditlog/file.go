package auditlog

import (
	"io"
	"os"
)

// File is what the log needs of its data files; *os.File is one.
type File interface {
	io.ReaderAt
	io.WriterAt
	io.Writer
	io.Seeker
	Sync() error
	Truncate(size int64) error
	Close() error
}

// OpenOSFile opens a data file with the log's mode (0600).
func OpenOSFile(path string, flag int) (File, error) {
	f, err := os.OpenFile(path, flag, fileMode)
	if err != nil {
		return nil, err
	}
	return f, nil
}
