package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncProbe counts the segment's fsyncs, makes each slow (a real disk's
// latency, during which a group forms) and fails them while failing is on.
type syncProbe struct {
	File
	segment bool
	syncs   *atomic.Int64
	failing *atomic.Bool
}

func (f syncProbe) Sync() error {
	if !f.segment {
		return f.File.Sync()
	}
	f.syncs.Add(1)
	time.Sleep(20 * time.Millisecond)
	if f.failing.Load() {
		return &os.PathError{Op: "fsync", Path: "segment", Err: syscall.EIO}
	}
	return f.File.Sync()
}

func openProbed(t *testing.T, opts Options) (*Log, *atomic.Int64, *atomic.Bool) {
	t.Helper()
	var syncs atomic.Int64
	var failing atomic.Bool
	opts.OpenFile = func(path string, flag int) (File, error) {
		f, err := OpenOSFile(path, flag)
		if err != nil {
			return nil, err
		}
		return syncProbe{f, strings.HasPrefix(filepath.Base(path), "audit-"), &syncs, &failing}, nil
	}
	l, err := Open(opts)
	require.NoError(t, err)
	syncs.Store(0)
	return l, &syncs, &failing
}

// appendAll runs one Append per batch, all at once, and returns their
// errors in batch order. Announced, each is announced before any starts,
// as exports are while they encode.
func appendAll(l *Log, batches [][]Entry, announced bool) []error {
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	if announced {
		// Every call is announced before any starts: a call that queued
		// before the next was announced would lead a group of its own.
		for range batches {
			l.Announce()
		}
	}
	for i, b := range batches {
		if announced {
			wg.Go(func() { _, errs[i] = l.AppendAnnounced(b) })
			continue
		}
		wg.Go(func() { _, errs[i] = l.Append(b) })
	}
	wg.Wait()
	return errs
}

func batchesOf(callers, size int) [][]Entry {
	out := make([][]Entry, callers)
	for i := range out {
		out[i] = records(i*size, size)
	}
	return out
}

func TestGroupCommitSharesWriteAndFsync(t *testing.T) {
	tests := []struct {
		name      string
		maxWait   time.Duration
		announced bool
		maxSyncs  int64
	}{
		{"no wait: groups form while a write is under way", 0, false, 16},
		{"wait for the announced", time.Second, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			dir := t.TempDir()
			opts := testOptions(dir, k)
			opts.CheckpointEvery = 1 << 40
			opts.GroupCommitWait = tt.maxWait
			l, syncs, _ := openProbed(t, opts)
			const callers = 32
			for _, err := range appendAll(l, batchesOf(callers, 5), tt.announced) {
				require.NoError(t, err)
			}
			assert.LessOrEqual(t, syncs.Load(), tt.maxSyncs, "concurrent appends share fsyncs")
			require.NoError(t, l.Close())
			r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
			require.True(t, r.OK(), "%v", r.Problems)
			assert.Equal(t, int64(callers*5), r.Records, "every record once")
		})
	}
}

func TestGroupCommitFailedFsyncFailsEveryWaiter(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.CheckpointEvery = 1 << 40
	opts.GroupCommitWait = 50 * time.Millisecond
	l, _, failing := openProbed(t, opts)
	_, err := l.Append(records(1000, 3))
	require.NoError(t, err)

	failing.Store(true)
	batches := batchesOf(8, 5)
	for i, err := range appendAll(l, batches, true) {
		require.ErrorIs(t, err, syscall.EIO, "batch %d", i)
		assert.ErrorContains(t, err, "fsync records", "wrapped with what failed")
	}
	failing.Store(false)
	// The senders retry; nothing of the failed groups stayed, nothing twice.
	for _, err := range appendAll(l, batches, false) {
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, int64(3+8*5), r.Records-recoveredRecords(t, dir))
}

// recoveredRecords counts the log's own recovery records: reopening after
// a failed fsync records what it repaired.
func recoveredRecords(t *testing.T, dir string) int64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, segmentName(0)))
	require.NoError(t, err)
	return int64(strings.Count(string(data), `"event":"recovered"`))
}

// lineBreaker is a record whose JSON spans lines: the log refuses it.
type lineBreaker struct{}

func (lineBreaker) UID() string { return "broken" }
func (lineBreaker) AppendJSON(dst []byte, seq int64) []byte {
	return fmt.Appendf(dst, "{\"metadata\":{\"sequence\":%d}}\n{}", seq)
}

func TestGroupCommitBadBatchFailsAlone(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	dir := t.TempDir()
	opts := testOptions(dir, k)
	opts.CheckpointEvery = 1 << 40
	opts.GroupCommitWait = time.Second // one group: all are announced
	l, syncs, _ := openProbed(t, opts)
	batches := batchesOf(6, 4)
	batches[2] = append(records(100, 2), lineBreaker{})
	errs := appendAll(l, batches, true)
	for i, err := range errs {
		if i == 2 {
			assert.ErrorContains(t, err, "spans lines")
			continue
		}
		require.NoError(t, err, "batch %d", i)
	}
	assert.Equal(t, int64(1), syncs.Load(), "one group, one fsync")
	// The bad batch's good records were taken out with it: a retry without
	// the bad record writes them.
	_, err := l.Append(records(100, 2))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r := mustVerify(t, dir, VerifyOptions{Keys: k.keys})
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, int64(5*4+2), r.Records)
}

func TestAppendAfterCloseFails(t *testing.T) {
	k := newTestKeys(t, "audit.test")
	l, err := Open(testOptions(t.TempDir(), k))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, err = l.Append(records(0, 1))
	require.ErrorIs(t, err, errClosed)
}

func TestGroupCommitWaitIsBounded(t *testing.T) {
	tests := []struct {
		name     string
		maxWait  time.Duration
		withdraw bool
	}{
		{"an announced export that never comes: the group waits max_wait, no longer", 300 * time.Millisecond, false},
		{"an export withdrawn: the wait ends then", time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newTestKeys(t, "audit.test")
			opts := testOptions(t.TempDir(), k)
			maxWait := tt.maxWait
			opts.GroupCommitWait = maxWait
			l, err := Open(opts)
			require.NoError(t, err)
			defer l.Close()
			l.Announce() // encoding, and then it fails or has nothing to write
			done := make(chan time.Duration)
			go func() {
				start := time.Now()
				_, err := l.Append(records(0, 1))
				assert.NoError(t, err)
				done <- time.Since(start)
			}()
			if tt.withdraw {
				time.Sleep(20 * time.Millisecond)
				l.Withdraw()
				assert.Less(t, <-done, maxWait)
				return
			}
			assert.GreaterOrEqual(t, <-done, maxWait)
			l.Withdraw()
		})
	}
}
