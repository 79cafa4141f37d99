package auditlog

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatedFile holds checkpoints.jsonl's fsync until gate is closed, and
// tells on entered whether that fsync runs off the append path.
type gatedFile struct {
	File
	hold    *atomic.Bool
	entered chan bool
	gate    chan struct{}
}

func (f gatedFile) Sync() error {
	if f.hold.Load() {
		f.entered <- !onStack("(*Log).commitGroup")
		<-f.gate
	}
	return f.File.Sync()
}

// onStack tells whether the calling goroutine is inside the function of
// the package named fn.
func onStack(fn string) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, "/auditlog."+fn) {
			return true
		}
		if !more {
			return false
		}
	}
}

// TestAppendDoesNotWaitForCheckpoint: the append that makes a checkpoint
// due returns while the checkpoint's fsync is held; appends go on; once
// released, one checkpoint signs the newest head (the ones queued meanwhile
// coalesce), and the log verifies.
func TestAppendDoesNotWaitForCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mirror bool
	}{{"plain", false}, {"mirror", true}} {
		t.Run(tc.name, func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			dir := t.TempDir()
			opts := testOptions(dir, k)
			mirror := filepath.Join(t.TempDir(), "mirror")
			if tc.mirror {
				opts.MirrorDir = mirror
			}
			var hold atomic.Bool
			entered, gate := make(chan bool, 1), make(chan struct{})
			opts.OpenFile = func(path string, flag int) (File, error) {
				f, err := OpenOSFile(path, flag)
				if err != nil || filepath.Base(path) != checkpointsName {
					return f, err
				}
				return gatedFile{File: f, hold: &hold, entered: entered, gate: gate}, nil
			}
			l, err := Open(opts)
			require.NoError(t, err)
			hold.Store(true)

			appended := make(chan error, 1)
			go func() { _, err := l.Append(records(0, 10)); appended <- err }() // makes a checkpoint due
			if off := <-entered; !off {
				close(gate)
				t.Fatal("the checkpoint's fsync ran inside the append")
			}
			require.NoError(t, <-appended, "the append returned while its checkpoint is held")
			for i := 10; i < 35; i += 5 { // two more checkpoints come due; only the newest is signed
				_, err := l.Append(records(i, 5))
				require.NoError(t, err)
			}
			hold.Store(false)
			close(gate)
			l.waitCheckpoints()

			sizes := checkpointSizes(t, dir)
			assert.Equal(t, []int64{10, 30}, sizes, "the held checkpoint, then the newest head only")
			assert.Equal(t, int64(2), l.Stats().Checkpoints)
			latest, err := os.ReadFile(filepath.Join(dir, latestName))
			require.NoError(t, err)
			c, err := OpenCheckpoint(latest, k.keys)
			require.NoError(t, err)
			assert.Equal(t, int64(30), c.Size)
			if tc.mirror {
				mirrored, err := os.ReadFile(filepath.Join(mirror, latestName))
				require.NoError(t, err)
				assert.Equal(t, latest, mirrored)
			}

			require.NoError(t, l.Close())
			r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
			require.True(t, r.OK(), "%v", r.Problems)
			assert.Equal(t, int64(35), r.Latest.Size, "Close signs everything appended")
		})
	}
}

func checkpointSizes(t *testing.T, dir string) []int64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, checkpointsName))
	require.NoError(t, err)
	defer f.Close()
	var sizes []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var cl checkpointLine
		require.NoError(t, json.NewDecoder(strings.NewReader(sc.Text())).Decode(&cl))
		sizes = append(sizes, cl.Size)
	}
	require.NoError(t, sc.Err())
	return sizes
}

// TestBackgroundCheckpointFailureIsReturned: a checkpoint that failed in
// the background is returned once, by the next call that can report it,
// and the log then signs everything again.
func TestBackgroundCheckpointFailureIsReturned(t *testing.T) {
	for _, by := range []string{"append", "maintain", "close"} {
		t.Run(by, func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			dir := t.TempDir()
			l, err := Open(testOptions(dir, k))
			require.NoError(t, err)
			var full atomic.Bool
			l.checkpoints = fullDisk{l.checkpoints, &full}
			full.Store(true)
			_, err = l.Append(records(0, 10))
			require.NoError(t, err, "the checkpoint is not on the append path")
			l.waitCheckpoints()
			full.Store(false)
			switch by {
			case "append":
				_, err = l.Append(records(10, 1))
			case "maintain":
				err = l.Maintain()
			case "close":
				err = l.Close()
			}
			require.ErrorIs(t, err, syscall.ENOSPC)
			if by != "close" {
				_, err = l.Append(records(11, 1))
				require.NoError(t, err, "returned once")
				require.NoError(t, l.Close())
			}
			r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
			require.True(t, r.OK(), "%v", r.Problems)
			assert.Equal(t, r.Records, r.Latest.Size)
		})
	}
}
