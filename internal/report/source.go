package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// maxLine bounds one record; a longer line is counted as unreadable and
// skipped instead of held in memory.
const maxLine = 8 << 20

// eachLine streams every line of every segment to fn. Lines over maxLine
// are reported to tooLong and skipped. A segment that cannot be read to
// its end is reported and the next one read: verification names the
// damage, and the report shows what could be read.
func eachLine(dir string, segs []auditlog.SegmentFile, fn func(line []byte), tooLong func()) error {
	var errs []error
	for _, s := range segs {
		if err := segmentLines(dir, s, fn, tooLong); err != nil {
			errs = append(errs, fmt.Errorf("segment %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

func segmentLines(dir string, s auditlog.SegmentFile, fn func(line []byte), tooLong func()) error {
	r, err := auditlog.OpenSegment(dir, s)
	if err != nil {
		return err
	}
	defer r.Close()
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
