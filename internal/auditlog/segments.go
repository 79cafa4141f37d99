package auditlog

import "io"

// SegmentFile names one segment of a log for readers outside the package.
type SegmentFile struct {
	Name       string // base name in the log's directory
	First      int64  // index of its first record
	Compressed bool   // sealed and gzip-compressed
}

// Segments lists the segments of the log in dir in record order, as the
// log itself reads them: a segment present both plain and compressed (a
// crash during compression) is listed once.
func Segments(dir string) ([]SegmentFile, error) {
	segs, err := listSegments(dir)
	if err != nil {
		return nil, err
	}
	out := make([]SegmentFile, len(segs))
	for i, s := range segs {
		out[i] = SegmentFile{Name: s.name, First: s.first, Compressed: s.compressed}
	}
	return out, nil
}

// OpenSegment reads one segment's records, decompressing a sealed one.
func OpenSegment(dir string, s SegmentFile) (io.ReadCloser, error) {
	return openSegment(dir, segment{name: s.Name, first: s.First, compressed: s.Compressed})
}
