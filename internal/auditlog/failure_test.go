package auditlog

import (
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
