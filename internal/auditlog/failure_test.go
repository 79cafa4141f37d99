package auditlog

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullDisk wraps a file so that, while full is set, a write stores only
// its first half and then fails with ENOSPC, as a filling disk does.
type fullDisk struct {
	File
	full *atomic.Bool
}

func (f fullDisk) WriteAt(p []byte, off int64) (int, error) {
	if f.full.Load() {
		n, _ := f.File.WriteAt(p[:len(p)/2], off)
		return n, &os.PathError{Op: "write", Path: "segment", Err: syscall.ENOSPC}
	}
	return f.File.WriteAt(p, off)
}

func (f fullDisk) Write(p []byte) (int, error) {
	if f.full.Load() {
		n, _ := f.File.Write(p[:len(p)/2])
		return n, &os.PathError{Op: "write", Path: "checkpoints", Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

func openWithFullDisk(t *testing.T, opts Options, full *atomic.Bool) *Log {
	t.Helper()
	l, err := Open(opts)
	require.NoError(t, err)
	// Reopen the data files through the fault injector.
	l.closeFiles()
	l.openFile = func(path string, flag int) (File, error) {
		f, err := OpenOSFile(path, flag)
		if err != nil {
			return nil, err
		}
		return fullDisk{f, full}, nil
	}
	require.NoError(t, l.open())
	return l
}

func TestFullDiskLosesNothingAndWritesNothingPartial(t *testing.T) {
	for _, failAt := range []string{"records", "checkpoint"} {
		t.Run(failAt, func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			dir := t.TempDir()
			opts := testOptions(dir, k)
			opts.CheckpointEvery = 15
			var full atomic.Bool
			l := openWithFullDisk(t, opts, &full)
			_, err := l.Append(records(0, 10))
			require.NoError(t, err)
			seg := filepath.Join(dir, segmentName(0))
			before, err := os.ReadFile(seg)
			require.NoError(t, err)

			full.Store(true)
			batch := records(10, 5) // reaches a checkpoint at 15
			if failAt == "checkpoint" {
				// Records land; the checkpoint after them fails.
				l.openFile = OpenOSFile
				l.closeFiles()
				require.NoError(t, l.open())
				l.checkpoints = fullDisk{l.checkpoints, &full}
			}
			_, err = l.Append(batch)
			if failAt == "checkpoint" {
				// The checkpoint is written in the background: its failure
				// comes with the next append, here the sender's retry.
				require.NoError(t, err)
				l.waitCheckpoints()
				_, err = l.Append(batch)
			}
			require.ErrorIs(t, err, syscall.ENOSPC)
			if failAt == "records" {
				after, err := os.ReadFile(seg)
				require.NoError(t, err)
				assert.Equal(t, before, after, "a failed batch left bytes behind")
				_, err = l.Append(batch)
				require.Error(t, err, "still full")
			}

			full.Store(false)
			_, err = l.Append(batch) // the sender retries the same batch
			require.NoError(t, err)
			require.NoError(t, l.Close())
			r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
			require.True(t, r.OK(), "%v", r.Problems)
			assert.Equal(t, int64(15), r.Records, "every record once")
			assert.Equal(t, int64(15), r.Latest.Size)
		})
	}
}

// TestCheckpointsStayInOrderWhenTheLatestFileFails: a checkpoint whose
// line landed in checkpoints.jsonl and whose latest file (or mirror)
// could not be written counts as written: a head taken before it and
// signed later (the background writer's, while rotation or Close signed a
// newer one) does not follow it, and the latest file is written again
// with the next checkpoint. Before, the older head was appended after the
// newer one and the log no longer verified (a directory turned read-only,
// integration test TestIntegrationAuditLogStorageFaults).
func TestCheckpointsStayInOrderWhenTheLatestFileFails(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.CheckpointEvery = 1000
	l, err := Open(opts)
	require.NoError(t, err)
	headNow := func() head {
		l.mu.Lock()
		defer l.mu.Unlock()
		h, err := l.headLocked()
		require.NoError(t, err)
		return h
	}
	_, err = l.Append(records(0, 10))
	require.NoError(t, err)
	older := headNow()
	_, err = l.Append(records(10, 10))
	require.NoError(t, err)
	newer := headNow()

	// The mirror cannot be written: its directory would sit under a file.
	blocker := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	mirror := filepath.Join(t.TempDir(), "mirror")
	l.opts.MirrorDir = filepath.Join(blocker, "mirror")
	write := func(h head) error {
		l.ck.fileMu.Lock()
		defer l.ck.fileMu.Unlock()
		_, err := l.writeCheckpoint(h)
		return err
	}
	require.Error(t, write(newer), "the mirror fails after the line landed")
	require.Error(t, write(older), "the mirror still fails")
	lines, err := os.ReadFile(filepath.Join(dir, checkpointsName))
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(lines, []byte("\n")), "the older head is not appended after the newer")

	l.opts.MirrorDir = mirror
	require.NoError(t, l.Close(), "Close writes the latest file again")
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, int64(20), r.Latest.Size)
	got, err := os.ReadFile(filepath.Join(mirror, latestName))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(dir, latestName))
	require.NoError(t, err)
	assert.Equal(t, want, got, "the mirror holds the newest checkpoint")
}
