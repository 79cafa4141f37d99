package auditlog

import (
	"crypto/sha256"
	"encoding"
	"fmt"
	"hash"
	"io"

	"golang.org/x/mod/sumdb/tlog"
)

// hashStore is the append-only file of the tree's stored hashes, with the
// tree's right edge kept in memory: appending a record and hashing the
// whole tree only ever read the newest complete subtree of each level.
type hashStore struct {
	f        File
	records  int64 // leaves in the tree
	frontier [64]frontierHash
	pending  []byte // stored hashes appended but not yet written
	leaves   LeafHasher
}

type frontierHash struct {
	index int64
	hash  tlog.Hash
	set   bool
}

// storeState is what a failed batch rolls back to.
type storeState struct {
	records  int64
	frontier [64]frontierHash
}

func (s *hashStore) state() storeState { return storeState{s.records, s.frontier} }

func (s *hashStore) restore(st storeState) {
	s.records, s.frontier, s.pending = st.records, st.frontier, s.pending[:0]
}

// add appends the leaf for record data, whose first n bytes (when state
// is set) are hashed already, and returns its leaf hash.
func (s *hashStore) add(data, state []byte, n int) (tlog.Hash, error) {
	leaf := s.leaves.HashFrom(state, n, data)
	return leaf, s.addHash(leaf)
}

// LeafHasher computes tlog.RecordHash (RFC 6962: SHA-256 of 0x00 and the
// record) without a new hash state per record. The zero value is ready;
// it is used by one goroutine at a time.
type LeafHasher struct {
	sha  hash.Hash
	sum  []byte
	zero [1]byte
}

// Hash returns the leaf hash of line.
func (h *LeafHasher) Hash(line []byte) tlog.Hash {
	h.init()
	h.sha.Reset()
	h.sha.Write(h.zero[:])
	h.sha.Write(line)
	return h.finish()
}

// HashFrom returns the leaf hash of line given state, the SHA-256 state
// (as MarshalBinary gives it) after 0x00 and line[:n]: only the rest of
// the line is hashed. Without a usable state it hashes the whole line.
func (h *LeafHasher) HashFrom(state []byte, n int, line []byte) tlog.Hash {
	if len(state) == 0 || n < 0 || n > len(line) {
		return h.Hash(line)
	}
	h.init()
	if err := h.sha.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return h.Hash(line)
	}
	h.sha.Write(line[n:])
	return h.finish()
}

func (h *LeafHasher) init() {
	if h.sha == nil {
		h.sha = sha256.New()
	}
}

func (h *LeafHasher) finish() tlog.Hash {
	h.sum = h.sha.Sum(h.sum[:0])
	return tlog.Hash(h.sum)
}

// addHash appends leaf n and the hashes of the subtrees it completes, as
// tlog.StoredHashesForRecordHash does. The left sibling of each completed
// subtree is the newest hash of its level, which the frontier holds, so
// nothing is read or allocated.
func (s *hashStore) addHash(leaf tlog.Hash) error {
	n := s.records
	var hs [64]tlog.Hash
	hs[0] = leaf
	count := 1
	for level := 0; n>>level&1 == 1; level++ {
		left := s.frontier[level]
		if !left.set || left.index != tlog.StoredHashIndex(level, n>>level-1) {
			return s.addHashRead(leaf)
		}
		hs[count] = tlog.NodeHash(left.hash, hs[count-1])
		count++
	}
	s.appendStored(hs[:count])
	return nil
}

// addHashRead is addHash reading the siblings through ReadHashes: for a
// frontier that does not hold them, which a well-formed store never has.
func (s *hashStore) addHashRead(leaf tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(s.records, leaf, s)
	if err != nil {
		return fmt.Errorf("hash record %d: %w", s.records, err)
	}
	s.appendStored(hs)
	return nil
}

// appendStored records the stored hashes of the next leaf: hs[i] is at
// level i.
func (s *hashStore) appendStored(hs []tlog.Hash) {
	base := tlog.StoredHashIndex(0, s.records)
	for i, h := range hs {
		s.frontier[i] = frontierHash{index: base + int64(i), hash: h, set: true}
		s.pending = append(s.pending, h[:]...)
	}
	s.records++
}

// ReadHashes serves the right edge from memory and anything else from disk.
func (s *hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	written := tlog.StoredHashCount(s.records) - int64(len(s.pending)/tlog.HashSize)
	for i, idx := range indexes {
		level, _ := tlog.SplitStoredHashIndex(idx)
		if fh := s.frontier[level]; fh.set && fh.index == idx {
			out[i] = fh.hash
			continue
		}
		if idx >= written {
			off := (idx - written) * tlog.HashSize
			if off+tlog.HashSize > int64(len(s.pending)) {
				return nil, fmt.Errorf("stored hash %d is beyond the tree", idx)
			}
			copy(out[i][:], s.pending[off:])
			continue
		}
		if _, err := s.f.ReadAt(out[i][:], idx*tlog.HashSize); err != nil {
			return nil, fmt.Errorf("read stored hash %d: %w", idx, err)
		}
	}
	return out, nil
}

// flush writes the pending hashes; the caller fsyncs.
func (s *hashStore) flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	off := (tlog.StoredHashCount(s.records) * tlog.HashSize) - int64(len(s.pending))
	if _, err := s.f.WriteAt(s.pending, off); err != nil {
		return fmt.Errorf("write tree hashes: %w", err)
	}
	s.pending = s.pending[:0]
	return nil
}

// root is the tree hash of all records.
func (s *hashStore) root() (tlog.Hash, error) {
	return tlog.TreeHash(s.records, s)
}

// loadFrontier rebuilds the in-memory right edge after opening the file.
func (s *hashStore) loadFrontier() error {
	s.frontier = [64]frontierHash{}
	if s.records == 0 {
		return nil
	}
	// The newest stored hash of each level is the last one written at that
	// level, i.e. the one for the last complete subtree of 2^level leaves.
	for level := 0; level < 63; level++ {
		k := s.records>>level - 1
		if k < 0 {
			break
		}
		idx := tlog.StoredHashIndex(level, k)
		var h tlog.Hash
		if _, err := s.f.ReadAt(h[:], idx*tlog.HashSize); err != nil {
			if err == io.EOF {
				return fmt.Errorf("tree hashes end before stored hash %d", idx)
			}
			return fmt.Errorf("read stored hash %d: %w", idx, err)
		}
		s.frontier[level] = frontierHash{index: idx, hash: h, set: true}
	}
	return nil
}
