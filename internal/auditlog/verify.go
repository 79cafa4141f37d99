package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions say what a verifier trusts.
type VerifyOptions struct {
	Keys *Keys
	// Origin, when set, is the only origin accepted; otherwise the first
	// valid checkpoint's origin is.
	Origin string
	// Known are signed checkpoints kept outside the log (a mirror, an
	// auditor's copy). They reveal a rollback, a deleted tail or a
	// replaced log, which nothing inside the log can.
	Known [][]byte
}

// Report is what Verify found.
type Report struct {
	Records     int64 // records present in the files
	TreeSize    int64 // records the tree hashes cover
	Checkpoints int   // valid checkpoints
	Latest      Checkpoint
	Origin      string
	Segments    []string
	// Retained are segments deleted by retention, as the log recorded.
	Retained []Event
	// Unsigned counts records after the newest checkpoint: intact so far,
	// but not yet covered by a signature.
	Unsigned int64
	// Unhashed counts records past the tree hashes: written just before a
	// crash; the exporter hashes them when it starts.
	Unhashed int64
	Problems []Problem
}

// OK is true when the log verified without a problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(kind ProblemKind, index int64, file, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Kind: kind, Index: index, File: file, Detail: fmt.Sprintf(format, args...)})
}

// Verify checks every record, file, tree hash and checkpoint of the log in
// dir. The error is only for a directory that cannot be read at all;
// everything wrong with the log is a Problem in the report.
func Verify(dir string, opts VerifyOptions) (*Report, error) {
	if opts.Keys == nil {
		return nil, errors.New("verify: a verification key is required")
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	r := &Report{}
	v := &verifier{dir: dir, opts: opts, r: r}
	if hashes := v.readHashes(); hashes != nil {
		defer hashes.Close()
	}
	v.readCheckpoints()
	v.scanRecords()
	v.checkHashTree()
	v.judgeGaps()
	v.checkRoots()
	v.checkKnown()
	v.hashesReadable()
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Index < r.Problems[j].Index })
	return r, nil
}

type verifier struct {
	dir  string
	opts VerifyOptions
	r    *Report

	hashes hashFile // tree.hashes, read through a window
	leaves int64    // tree size the hashes cover

	checkpoints []Checkpoint

	seen     []uint64 // bitset of stored leaves matched by a record
	byHash   map[tlog.Hash]int64
	sealed   []Event
	segFirst []int64 // first index of each segment, in order
	segEnd   []int64 // one past the last record each segment holds
	segNames []string
	// hashFlips are leaves whose stored hash, not record, was altered.
	hashFlips map[int64]bool
}

// readHashes opens tree.hashes; the caller closes the returned file (nil
// when it could not be opened).
func (v *verifier) readHashes() *os.File {
	f, err := os.Open(filepath.Join(v.dir, hashesName))
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if err != nil {
		v.r.add(ProblemUnreadable, -1, hashesName, "cannot read the tree hashes: %v", err)
		if f != nil {
			f.Close()
			f = nil
		}
	} else {
		v.hashes = hashFile{r: f, size: size}
	}
	stored := size / tlog.HashSize
	v.leaves = int64(sort.Search(int(stored)+1, func(n int) bool { return tlog.StoredHashCount(int64(n)) > stored })) - 1
	if v.leaves < 0 {
		v.leaves = 0
	}
	if size != tlog.StoredHashCount(v.leaves)*tlog.HashSize {
		v.r.add(ProblemModifiedHash, -1, hashesName, "the file is %d bytes, not the size of a tree of %d records", size, v.leaves)
	}
	v.r.TreeSize = v.leaves
	v.seen = make([]uint64, (v.leaves+63)/64)
	v.hashFlips = map[int64]bool{}
	return f
}

// hashesReadable reports a read error of tree.hashes met during the checks.
func (v *verifier) hashesReadable() {
	if v.hashes.err != nil {
		v.r.add(ProblemUnreadable, -1, hashesName, "cannot read the tree hashes: %v", v.hashes.err)
	}
}

func (v *verifier) stored(idx int64) tlog.Hash { return v.hashes.at(idx) }

func (v *verifier) leaf(i int64) tlog.Hash { return v.stored(tlog.StoredHashIndex(0, i)) }

func (v *verifier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if (idx+1)*tlog.HashSize > v.hashes.size {
			return nil, fmt.Errorf("stored hash %d is beyond the file", idx)
		}
		out[i] = v.stored(idx)
	}
	return out, nil
}

// checkHashTree recomputes every interior hash from its two stored
// children. One altered hash makes its own node disagree and its parent
// disagree; only the lowest is reported, and a level-1 node above a leaf
// already judged altered is not reported again.
func (v *verifier) checkHashTree() {
	bad := map[int64]bool{}
	v.hashes.rewind()
	count := v.hashes.count()
	for idx := int64(0); idx < count; idx++ {
		level, n := tlog.SplitStoredHashIndex(idx)
		if level == 0 {
			continue
		}
		left := tlog.StoredHashIndex(level-1, 2*n)
		right := tlog.StoredHashIndex(level-1, 2*n+1)
		if right >= count || tlog.NodeHash(v.stored(left), v.stored(right)) != v.stored(idx) {
			bad[idx] = true
		}
	}
	for idx := range bad {
		level, n := tlog.SplitStoredHashIndex(idx)
		if bad[tlog.StoredHashIndex(level-1, 2*n)] || bad[tlog.StoredHashIndex(level-1, 2*n+1)] {
			continue
		}
		if level == 1 && (v.hashFlips[2*n] || v.hashFlips[2*n+1]) {
			continue
		}
		v.r.add(ProblemModifiedHash, -1, hashesName, "stored hash %d (level %d, node %d) does not match the hashes below it", idx, level, n)
	}
}

func (v *verifier) readCheckpoints() {
	data, err := os.ReadFile(filepath.Join(v.dir, checkpointsName))
	if err != nil {
		v.r.add(ProblemNoCheckpoint, -1, checkpointsName, "cannot read the checkpoints: %v", err)
		return
	}
	lines := bytes.Split(data, []byte{'\n'})
	for i, line := range lines {
		if len(line) == 0 {
			continue
		}
		var cl checkpointLine
		if err := json.Unmarshal(line, &cl); err != nil {
			v.r.add(ProblemMalformedCheckpoint, -1, checkpointsName, "line %d is not a checkpoint: %v", i+1, err)
			continue
		}
		if canon, _ := json.Marshal(cl); !bytes.Equal(canon, line) {
			// The writer's encoding is canonical; any other spelling of
			// the same values is an edit.
			v.r.add(ProblemMalformedCheckpoint, -1, checkpointsName, "line %d was edited: it is not as the log wrote it", i+1)
			continue
		}
		c, ok := v.openCheckpoint([]byte(cl.Note), fmt.Sprintf("line %d", i+1), checkpointsName)
		if !ok {
			continue
		}
		if c.Size != cl.Size {
			v.r.add(ProblemMalformedCheckpoint, -1, checkpointsName, "line %d: the signed size %d differs from the line's size %d", i+1, c.Size, cl.Size)
		}
		if n := len(v.checkpoints); n > 0 && c.Size < v.checkpoints[n-1].Size {
			v.r.add(ProblemReorderedRecord, -1, checkpointsName, "line %d: checkpoint of %d records after one of %d", i+1, c.Size, v.checkpoints[n-1].Size)
		}
		v.checkpoints = append(v.checkpoints, c)
	}
	if latest, err := os.ReadFile(filepath.Join(v.dir, latestName)); err == nil {
		if c, ok := v.openCheckpoint(latest, "latest", latestName); ok {
			v.checkpoints = append(v.checkpoints, c)
		}
	}
	if len(v.checkpoints) == 0 {
		v.r.add(ProblemNoCheckpoint, -1, checkpointsName, "no valid signed checkpoint: nothing in the log is proven")
		return
	}
	v.r.Checkpoints = len(v.checkpoints)
	for _, c := range v.checkpoints {
		if c.Size >= v.r.Latest.Size {
			v.r.Latest = c
		}
	}
}

// openCheckpoint checks the signature and the origin of one checkpoint.
func (v *verifier) openCheckpoint(msg []byte, what, file string) (Checkpoint, bool) {
	c, err := OpenCheckpoint(msg, v.opts.Keys)
	if err != nil {
		kind := ProblemMalformedCheckpoint
		var ce *CheckpointError
		if errors.As(err, &ce) {
			kind = ce.Kind
		}
		hint := ""
		if kind == ProblemBadSignature {
			// A key of the same name but another hash is either damage or
			// a signing key rotated while the log ran (its record says so).
			hint = " (altered, or signed by a rotated key of the same name: give every verification key the log used)"
		}
		v.r.add(kind, -1, file, "checkpoint %s: %v%s", what, err, hint)
		return c, false
	}
	if v.r.Origin == "" {
		v.r.Origin = v.opts.Origin
		if v.r.Origin == "" {
			v.r.Origin = c.Origin
		}
	}
	if c.Origin != v.r.Origin {
		v.r.add(ProblemWrongOrigin, -1, file, "checkpoint %s is for log %q, not %q", what, c.Origin, v.r.Origin)
		return c, false
	}
	return c, true
}

// checkRoots compares each signed root with the tree the hashes hold.
func (v *verifier) checkRoots() {
	for _, c := range v.checkpoints {
		if c.Size > v.leaves {
			continue // judged as truncation in judgeGaps
		}
		root, err := tlog.TreeHash(c.Size, v)
		if err != nil || root != c.Root {
			v.r.add(ProblemRootMismatch, -1, hashesName, "the tree of the first %d records does not have the signed root: records and hashes were rewritten", c.Size)
		}
	}
	if v.r.Latest.Size < v.r.Records {
		v.r.Unsigned = v.r.Records - v.r.Latest.Size
	}
}

// checkKnown holds the log to checkpoints kept outside it.
func (v *verifier) checkKnown() {
	for i, msg := range v.opts.Known {
		what := fmt.Sprintf("known checkpoint %d", i+1)
		c, ok := v.openCheckpoint(msg, what, "")
		if !ok {
			continue
		}
		if c.Size > v.leaves || c.Size > v.r.Records {
			v.r.add(ProblemRolledBack, -1, "", "%s signs %d records but the log holds %d: it was rolled back or its tail deleted", what, c.Size, min(v.leaves, v.r.Records))
			continue
		}
		if root, err := tlog.TreeHash(c.Size, v); err != nil || root != c.Root {
			v.r.add(ProblemReplacedLog, -1, "", "%s does not match this log at %d records: the log was replaced or forked", what, c.Size)
		}
	}
}
