package auditlog

import (
	"io"
	"os"
)

// file is what the log needs of its data files; *os.File is one.
type file interface {
	io.ReaderAt
	io.WriterAt
	io.Writer
	io.Seeker
	Sync() error
	Truncate(size int64) error
	Close() error
}

func openOSFile(path string, flag int) (file, error) {
	f, err := os.OpenFile(path, flag, fileMode)
	if err != nil {
		return nil, err
	}
	return f, nil
}
