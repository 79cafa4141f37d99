package auditlog

import (
	"io"

	"golang.org/x/mod/sumdb/tlog"
)

// hashWindow is the size of the slice of tree.hashes a verifier holds; a
// variable so that the tamper tests also run with a window of two hashes.
var hashWindow int64 = 4 << 20

// hashFile reads tree.hashes through a sliding window, so that verifying a
// log of any size holds a few megabytes of hashes, not the whole file (640
// MB for ten million records). The checks walk the file forward; the few
// reads far behind the window (the children of high tree levels,
// checkpoint roots) are single reads that leave the window in place.
type hashFile struct {
	r     io.ReaderAt
	size  int64 // bytes
	win   []byte
	start int64 // file offset of win[0]
	err   error // the first read error
}

func (h *hashFile) count() int64 { return h.size / tlog.HashSize }

// rewind starts a new forward walk from the beginning of the file: the
// window only moves forward, and reads behind it are single reads.
func (h *hashFile) rewind() { h.start, h.win = 0, h.win[:0] }

// at returns stored hash idx; past the end, or on a read error, the zero
// hash, which matches nothing.
func (h *hashFile) at(idx int64) tlog.Hash {
	var out tlog.Hash
	off := idx * tlog.HashSize
	if idx < 0 || off+tlog.HashSize > h.size || h.r == nil {
		return out
	}
	end := h.start + int64(len(h.win))
	switch {
	case off >= h.start && off+tlog.HashSize <= end:
	case off >= end:
		// Forward: move the window, keeping a quarter of it behind the
		// offset for the children and siblings the checks read next.
		h.start = max(0, off-hashWindow/4) / tlog.HashSize * tlog.HashSize
		n := min(hashWindow, h.size-h.start)
		h.win = h.win[:cap(h.win)]
		if int64(len(h.win)) < n {
			h.win = make([]byte, n)
		}
		h.win = h.win[:n]
		if _, err := h.r.ReadAt(h.win, h.start); err != nil && h.err == nil {
			h.err = err
		}
	default:
		if _, err := h.r.ReadAt(out[:], off); err != nil && h.err == nil {
			h.err = err
		}
		return out
	}
	copy(out[:], h.win[off-h.start:])
	return out
}
