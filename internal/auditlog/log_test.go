package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteVerifyProve(t *testing.T) {
	for _, n := range []int{1, 2, 7, 10, 64, 333} {
		k := newTestKeys(t, "audit.test")
		dir := t.TempDir()
		writeLog(t, testOptions(dir, k), n, 16)
		r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
		require.True(t, r.OK(), "n=%d: %v", n, r.Problems)
		assert.Equal(t, int64(n), r.Records)
		assert.Equal(t, int64(n), r.Latest.Size)
		assert.Equal(t, testOrigin, r.Origin)
		for _, idx := range []int64{0, int64(n) / 2, int64(n) - 1} {
			p, err := Prove(dir, idx)
			require.NoError(t, err)
			_, err = CheckProof(p, k.keys)
			require.NoError(t, err, "n=%d idx=%d", n, idx)
			require.NoError(t, checkInclusionRFC6962(p), "independent check n=%d idx=%d", n, idx)
			p.Record += " "
			_, err = CheckProof(p, k.keys)
			require.Error(t, err)
		}
	}
}

// TestPrefixedRecordsVerify: records whose leaf hash the log finishes from
// their hashed beginning (LeafPrefixer, log format 2), appended to a log
// of format 1 records and mixed with them, give a log that verifies and
// proves, with RFC 6962 leaves.
func TestPrefixedRecordsVerify(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	writeLog(t, testOptions(dir, k), 10, 4) // format 1, as before issue 16
	l, err := Open(testOptions(dir, k))
	require.NoError(t, err)
	var batch []Entry
	for i := 10; i < 50; i++ {
		if i%3 == 0 {
			batch = append(batch, records(i, 1)...)
		} else {
			batch = append(batch, newPrefixedRec(fmt.Sprintf("p-%d", i), fmt.Sprintf("body %d", i)))
		}
	}
	_, err = l.Append(batch)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.GreaterOrEqual(t, r.Records, int64(50))
	for _, idx := range []int64{3, 20, 21} {
		p, err := Prove(dir, idx)
		require.NoError(t, err)
		require.NoError(t, checkInclusionRFC6962(p), "record %d", idx)
	}
}

func TestFilePermissions(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := filepath.Join(t.TempDir(), "audit")
	writeLog(t, testOptions(dir, k), 5, 5)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Zero(t, info.Mode().Perm()&0o077, "%s is %v", e.Name(), info.Mode().Perm())
	}
}

func TestReplayIsWrittenOnce(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	writeLog(t, opts, 20, 10)
	l, err := Open(opts)
	require.NoError(t, err)
	n, err := l.Append(records(10, 15)) // 10..19 replayed, 20..24 new
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	assert.Equal(t, int64(10), l.Stats().Duplicates)
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, int64(25), r.Records)
}

// TestReplayFromSeveralSegmentsBackIsWrittenOnce: with small segments, a
// batch replayed after a crash can lie several segments back (a batch as
// large as a segment, a queue with several consumers). The window
// rebuilt at start must reach it, whatever the segment size, compressed
// or not. (Found by `make crash`: one span twice in 50 kill -9 cycles.)
func TestReplayFromSeveralSegmentsBackIsWrittenOnce(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			dir := t.TempDir()
			opts := testOptions(dir, k)
			opts.MaxSegmentBytes, opts.Compress = 400, compress // a few records per segment
			writeLog(t, opts, 60, 5)
			l, err := Open(opts)
			require.NoError(t, err)
			n, err := l.Append(records(10, 5)) // from many segments back
			require.NoError(t, err)
			assert.Equal(t, 0, n, "a replay is not written again")
			require.NoError(t, l.Close())
			r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
			require.True(t, r.OK(), "%v", r.Problems)
		})
	}
}

func TestTornTailIsCutAndRecorded(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	writeLog(t, opts, 12, 4)
	seg := filepath.Join(dir, segmentName(0))
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"metadata":{"uid":"half`)
	require.NoError(t, err)
	f.Close()

	l, err := Open(opts)
	require.NoError(t, err)
	assert.Equal(t, int64(13), l.Size(), "12 records and the recovery event")
	_, err = l.Append(records(100, 3))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	data, err := os.ReadFile(seg)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"event":"recovered"`)
	assert.NotContains(t, string(data), `"half`)
}

func TestHashesRebuiltAfterCrash(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.CheckpointEvery = 5
	writeLog(t, opts, 10, 5)
	// Records 10..12 reached the file; their hashes did not.
	l, err := Open(opts)
	require.NoError(t, err)
	_, err = l.Append(records(10, 3))
	require.NoError(t, err)
	l.closeFiles()
	l.lock.Close()
	hp := filepath.Join(dir, hashesName)
	require.NoError(t, os.Truncate(hp, 0))

	l, err = Open(opts)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, int64(14), r.Records, "13 records and the recovery event")
}

func TestShorterThanCheckpointRefusesToOpen(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	writeLog(t, opts, 10, 10)
	require.NoError(t, os.WriteFile(filepath.Join(dir, segmentName(0)), nil, 0o600))
	_, err := Open(opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auditctl verify")
}

func TestSecondWriterIsRefused(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	l, err := Open(testOptions(dir, k))
	require.NoError(t, err)
	defer l.Close()
	_, err = Open(testOptions(dir, k))
	require.ErrorContains(t, err, "in use")
}

func TestRetentionIsNotMissingButLaterDeletionIs(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.MaxSegmentBytes = 1500
	opts.RetentionMaxSegments = 2
	writeLog(t, opts, 200, 5)
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	require.NotEmpty(t, r.Retained)

	segs, err := listSegments(dir)
	require.NoError(t, err)
	require.Greater(t, len(segs), 2)
	require.NoError(t, os.Remove(segs[0].path(dir))) // the oldest kept segment
	r = mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	assert.Equal(t, []ProblemKind{ProblemMissingFile}, kinds(r), "%v", r.Problems)
}
