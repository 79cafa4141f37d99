package report

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// segmentName is how the log names its segments: the index of the first
// record, optionally gzip-compressed.
var segmentName = regexp.MustCompile(`^audit-([0-9]{12,20})\.jsonl(\.gz)?$`)

// maxLine bounds one record; a longer line is counted as unreadable and
// skipped instead of held in memory.
const maxLine = 8 << 20

type segment struct {
	name  string
	first int64
	gz    bool
}

// listSegments returns the log's segments in record order.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read audit log directory: %w", err)
	}
	var segs []segment
	for _, e := range ents {
		m := segmentName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			continue
		}
		segs = append(segs, segment{name: e.Name(), first: n, gz: m[2] != ""})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].first < segs[j].first })
	return segs, nil
}

// eachLine streams every line of every segment to fn. Lines over maxLine
// are reported to tooLong and skipped. A segment that cannot be read to
// its end is reported and the next one read: verification names the
// damage, and the report shows what could be read.
func eachLine(dir string, segs []segment, fn func(line []byte), tooLong func()) error {
	var errs []error
	for _, s := range segs {
		if err := segmentLines(filepath.Join(dir, s.name), s.gz, fn, tooLong); err != nil {
			errs = append(errs, fmt.Errorf("segment %s: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}

func segmentLines(path string, gz bool, fn func(line []byte), tooLong func()) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
		if err != nil {
			return fmt.Errorf("open gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	skipping := false
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil || (errors.Is(err, io.EOF) && len(chunk)+len(long) > 0):
			line := chunk
			if n := len(line); n > 0 && line[n-1] == '\n' {
				line = line[:n-1]
			}
			if long != nil {
				line = append(long, line...)
				long = nil
			}
			if skipping {
				skipping = false
			} else if len(line) > 0 {
				fn(line)
			}
			if err != nil {
				return nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
			if skipping {
				continue
			}
			if len(long)+len(chunk) > maxLine {
				long, skipping = nil, true
				tooLong()
				continue
			}
			long = append(long, chunk...)
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}
