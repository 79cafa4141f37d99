package auditlog

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// openSegment returns a reader of the segment's records, decompressing a
// sealed gzip segment.
func openSegment(dir string, s segment) (io.ReadCloser, error) {
	f, err := os.Open(s.path(dir))
	if err != nil {
		return nil, fmt.Errorf("open segment %s: %w", s.name, err)
	}
	if !s.compressed {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open compressed segment %s: %w", s.name, err)
	}
	return &gzipFile{zr, f}, nil
}

type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzipFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// scanLines calls fn for each whole line of r (without its newline) and
// returns the bytes after the last newline: a torn final record.
func scanLines(r io.Reader, fn func(line []byte) error) (torn []byte, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			line := chunk[:len(chunk)-1]
			if long != nil {
				line = append(long, line...)
				long = nil
			}
			if ferr := fn(line); ferr != nil {
				return nil, ferr
			}
		case errors.Is(err, bufio.ErrBufferFull):
			long = append(long, chunk...)
		case errors.Is(err, io.EOF):
			return append(long, chunk...), nil
		default:
			return nil, err
		}
	}
}

// recordMeta is what the log reads back from its own records.
type recordMeta struct {
	Metadata struct {
		UID        string `json:"uid"`
		Sequence   *int64 `json:"sequence"`
		LoggedTime int64  `json:"logged_time"`
	} `json:"metadata"`
	Unmapped struct {
		Log *Event `json:"tokenaudit_log"`
	} `json:"unmapped"`
}

func parseMeta(line []byte) (recordMeta, error) {
	var m recordMeta
	err := json.Unmarshal(line, &m)
	return m, err
}
