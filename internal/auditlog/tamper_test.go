package auditlog

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamperLog is 100 records over several segments, a checkpoint every 10.
func tamperLog(t *testing.T, k testKeys) (string, Options) {
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.MaxSegmentBytes = 2500
	writeLog(t, opts, 100, 5)
	return dir, opts
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600))
	}
	return dst
}

func segmentFiles(t *testing.T, dir string) []string {
	segs, err := listSegments(dir)
	require.NoError(t, err)
	var out []string
	for _, s := range segs {
		out = append(out, filepath.Join(dir, s.name))
	}
	return out
}

func editLines(t *testing.T, path string, edit func([][]byte) [][]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte{'\n'})
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	require.NoError(t, os.WriteFile(path, bytes.Join(edit(lines), nil), 0o600))
}

func flipAt(t *testing.T, path string, find func([]byte) int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	i := find(data)
	require.GreaterOrEqual(t, i, 0)
	data[i] ^= 0x01
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

func TestTamperMatrix(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	base, opts := tamperLog(t, k)
	clean := mustVerify(t, base, VerifyOptions{Keys: k.keys})
	require.True(t, clean.OK(), "%v", clean.Problems)
	require.Greater(t, len(clean.Segments), 3)

	// A second log signed by the same key, and an old state of this one.
	otherOpts := testOptions(t.TempDir(), k)
	otherOpts.Origin = "audit.test/other"
	writeLog(t, otherOpts, 100, 5)
	oldDir := t.TempDir()
	oldOpts := opts
	oldOpts.Dir = oldDir
	oldOpts.MaxSegmentBytes = 2500
	writeLog(t, oldOpts, 40, 5)
	l, err := Open(oldOpts)
	require.NoError(t, err)
	_, err = l.Append(records(40, 60))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	keptNew, err := os.ReadFile(filepath.Join(oldDir, latestName))
	require.NoError(t, err)

	cases := []struct {
		name   string
		tamper func(t *testing.T, dir string) string // returns a dir to verify
		opts   func(VerifyOptions) VerifyOptions
		want   ProblemKind
		also   []ProblemKind // what else the change must be reported as
	}{
		{"flip a byte in a record", func(t *testing.T, dir string) string {
			flipAt(t, segmentFiles(t, dir)[1], func(b []byte) int { return bytes.Index(b, []byte("record ")) + 3 })
			return dir
		}, nil, ProblemModifiedRecord, nil},
		{"flip a byte in a leaf hash", func(t *testing.T, dir string) string {
			flipAt(t, filepath.Join(dir, hashesName), func([]byte) int { return 4*32 + 7 }) // leaf of record 3 is stored hash 4
			return dir
		}, nil, ProblemModifiedHash, nil},
		{"flip a byte in an interior hash", func(t *testing.T, dir string) string {
			flipAt(t, filepath.Join(dir, hashesName), func([]byte) int { return 2*32 + 1 }) // level 1, node 0
			return dir
		}, nil, ProblemModifiedHash, nil},
		{"flip a byte in a checkpoint", func(t *testing.T, dir string) string {
			flipAt(t, filepath.Join(dir, checkpointsName), func(b []byte) int { return bytes.Index(b, []byte(testOrigin+`\n`)) + len(testOrigin) + 2 })
			return dir
		}, nil, ProblemBadSignature, nil},
		{"flip a byte in a signature", func(t *testing.T, dir string) string {
			flipAt(t, filepath.Join(dir, checkpointsName), func(b []byte) int {
				return bytes.Index(b, []byte("\u2014 audit.test ")) + len("\u2014 audit.test ") + 20
			})
			return dir
		}, nil, ProblemBadSignature, nil},
		{"delete a record", func(t *testing.T, dir string) string {
			editLines(t, segmentFiles(t, dir)[1], func(l [][]byte) [][]byte { return append(l[:3:3], l[4:]...) })
			return dir
		}, nil, ProblemDeletedRecord, nil},
		{"insert a record", func(t *testing.T, dir string) string {
			editLines(t, segmentFiles(t, dir)[1], func(l [][]byte) [][]byte {
				return append(l[:3:3], append([][]byte{[]byte(`{"metadata":{"uid":"forged"},"message":"nothing to see"}` + "\n")}, l[3:]...)...)
			})
			return dir
		}, nil, ProblemInsertedRecord, nil},
		{"duplicate a record", func(t *testing.T, dir string) string {
			editLines(t, segmentFiles(t, dir)[1], func(l [][]byte) [][]byte { return append(l[:4:4], l[3:]...) })
			return dir
		}, nil, ProblemDuplicateRecord, nil},
		{"reorder records", func(t *testing.T, dir string) string {
			editLines(t, segmentFiles(t, dir)[1], func(l [][]byte) [][]byte { l[2], l[3] = l[3], l[2]; return l })
			return dir
		}, nil, ProblemReorderedRecord, nil},
		{"truncate the tail", func(t *testing.T, dir string) string {
			segs := segmentFiles(t, dir)
			editLines(t, segs[len(segs)-1], func(l [][]byte) [][]byte { return l[:1] })
			return dir
		}, nil, ProblemTruncated, nil},
		{"truncate the tail and its hashes", func(t *testing.T, dir string) string {
			segs := segmentFiles(t, dir)
			require.NoError(t, os.Remove(segs[len(segs)-1]))
			require.NoError(t, os.Truncate(filepath.Join(dir, hashesName), 32*10))
			return dir
		}, nil, ProblemTruncated, nil},
		{"delete a rotated file", func(t *testing.T, dir string) string {
			require.NoError(t, os.Remove(segmentFiles(t, dir)[1]))
			return dir
		}, nil, ProblemMissingFile, nil},
		{"replace the log with another signed log", func(t *testing.T, _ string) string {
			return copyDir(t, otherOpts.Dir)
		}, func(o VerifyOptions) VerifyOptions { o.Origin = testOrigin; return o }, ProblemWrongOrigin, []ProblemKind{ProblemNoCheckpoint}},
		{"replace the log, caught by a kept checkpoint", func(t *testing.T, _ string) string {
			return copyDir(t, base)
		}, func(o VerifyOptions) VerifyOptions { o.Known = [][]byte{keptNew}; return o }, ProblemReplacedLog, nil},
		{"signed by an unknown key", func(t *testing.T, dir string) string { return dir },
			func(o VerifyOptions) VerifyOptions { o.Keys = newTestKeys(t, "stranger").keys; return o }, ProblemUnknownKey, []ProblemKind{ProblemNoCheckpoint}},
	}
	// Verification reads the tree hashes through a window; a window of two
	// hashes makes every check read across its edges.
	defaultWindow := hashWindow
	defer func() { hashWindow = defaultWindow }()
	for _, window := range []int64{defaultWindow, 2 * 32} {
		hashWindow = window
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/window %d", tc.name, window), func(t *testing.T) {
				dir := tc.tamper(t, copyDir(t, base))
				vo := VerifyOptions{Keys: k.keys}
				if tc.opts != nil {
					vo = tc.opts(vo)
				}
				r := mustVerify(t, dir, vo)
				require.False(t, r.OK(), "tampering went unnoticed")
				want := map[ProblemKind]bool{tc.want: true}
				for _, k := range tc.also {
					want[k] = true
				}
				got := map[ProblemKind]bool{}
				for _, k := range kinds(r) {
					got[k] = true
				}
				assert.Equal(t, want, got, "each change has its own verdict: %v", r.Problems)
				for _, p := range r.Problems {
					t.Logf("%s", p)
				}
			})
		}
	}
}

func TestRollbackNeedsAnAnchor(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir, opts := tamperLog(t, k)
	old := copyDir(t, dir)
	l, err := Open(opts)
	require.NoError(t, err)
	_, err = l.Append(records(100, 20))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	kept, err := os.ReadFile(filepath.Join(dir, latestName))
	require.NoError(t, err)

	r := mustVerify(t, old, VerifyOptions{Keys: k.keys})
	assert.True(t, r.OK(), "an old copy is a valid log by itself: %v", r.Problems)
	r = mustVerify(t, old, VerifyOptions{Keys: k.keys, Known: [][]byte{kept}})
	assert.Equal(t, []ProblemKind{ProblemRolledBack}, kinds(r))
	assert.True(t, strings.Contains(r.Problems[0].Detail, "rolled back"))
}

// FuzzTamper flips one bit anywhere in any file of a log and requires
// Verify to notice.
func FuzzTamper(f *testing.F) {
	k := newTestKeys(f, "audit.test")
	base := f.TempDir()
	opts := testOptions(base, k)
	opts.MaxSegmentBytes = 800
	opts.Compress = true
	writeLog(f, opts, 30, 4)
	entries, err := os.ReadDir(base)
	require.NoError(f, err)
	var files []string
	for _, e := range entries {
		if e.Name() != ".lock" {
			files = append(files, e.Name())
		}
	}
	for i := range files {
		f.Add(uint8(i), uint32(0), uint8(0))
		f.Add(uint8(i), uint32(97), uint8(3))
		f.Add(uint8(i), uint32(1<<20), uint8(7))
	}
	f.Fuzz(func(t *testing.T, file uint8, offset uint32, bit uint8) {
		dir := t.TempDir()
		for _, name := range files {
			data, err := os.ReadFile(filepath.Join(base, name))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
		}
		name := files[int(file)%len(files)]
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if len(data) == 0 {
			return
		}
		i := int(offset) % len(data)
		data[i] ^= 1 << (bit % 8)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		if strings.HasSuffix(name, gzipSuffix) && sameRecords(t, filepath.Join(base, name), path) {
			// Header metadata and deflate slack bits: the records, which
			// are what the tree covers, did not change.
			return
		}
		r, err := Verify(dir, VerifyOptions{Keys: k.keys})
		require.NoError(t, err)
		require.False(t, r.OK(), "flip of %s byte %d bit %d unnoticed", name, i, bit%8)
	})
}

func sameRecords(t *testing.T, a, b string) bool {
	read := func(p string) ([]byte, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	da, err := read(a)
	require.NoError(t, err)
	db, err := read(b)
	return err == nil && bytes.Equal(da, db)
}
