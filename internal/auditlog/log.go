package auditlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Options configure a Log.
type Options struct {
	Dir    string
	Signer note.Signer
	// Origin names the log in its checkpoints (C2SP: a URL-like unique id).
	Origin string
	// CheckpointEvery signs a checkpoint after this many new records.
	CheckpointEvery int64
	// CheckpointInterval signs a checkpoint this long after the last one,
	// when Maintain runs and there are new records.
	CheckpointInterval time.Duration
	MaxSegmentBytes    int64
	MaxSegmentAge      time.Duration
	// Compress gzips sealed segments.
	Compress bool
	// RetentionMaxAge and RetentionMaxSegments delete sealed segments; zero
	// keeps them forever.
	RetentionMaxAge      time.Duration
	RetentionMaxSegments int
	// DedupWindow is how many recent record ids are remembered.
	DedupWindow int
	// MirrorDir, when set, receives a copy of every checkpoint: an anchor
	// outside the log that reveals a rollback or a deleted tail.
	MirrorDir string
	// NewEvent encodes the log's own events as records.
	NewEvent func(Event) Entry
	Now      func() time.Time
	// OpenFile opens the log's data files (segments, tree hashes,
	// checkpoints); nil is OpenOSFile. It is how tests inject disk faults.
	OpenFile func(path string, flag int) (File, error)
}

// Stats are counters for the exporter's telemetry.
type Stats struct {
	Records     int64 // records in the log
	Duplicates  int64 // replayed records not written again
	Checkpoints int64
	Rotations   int64
	Deleted     int64 // segments deleted by retention
}

// Log appends records durably to a tamper-evident log directory. It is
// safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	opts Options
	lock *os.File

	seg       File
	segFirst  int64
	segSize   int64
	segOpened time.Time

	hashes hashStore

	checkpoints    File
	lastCheckpoint int64
	lastCheckTime  time.Time

	openFile func(path string, flag int) (File, error)

	recent *recentSet
	stats  Stats
	// broken holds the error that left files in an unknown state; the next
	// call reopens the log, which repairs it as a start would.
	broken   error
	buf      []byte
	uids     []string
	batchIDs map[string]struct{}
}

// Open opens or creates the log in opts.Dir, repairing what a crash left.
func Open(opts Options) (*Log, error) {
	if opts.Signer == nil {
		return nil, errors.New("audit log: a signing key is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(opts.Dir, dirMode); err != nil {
		return nil, fmt.Errorf("create audit log directory: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	if opts.OpenFile == nil {
		opts.OpenFile = OpenOSFile
	}
	l := &Log{opts: opts, lock: lock, recent: newRecentSet(opts.DedupWindow), openFile: opts.OpenFile}
	if err := l.open(); err != nil {
		l.closeFiles()
		lock.Close()
		return nil, err
	}
	return l, nil
}

// Append writes entries and returns once they are on disk. It returns how
// many were new (the rest were replays).
func (l *Log) Append(entries []Entry) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.repair(); err != nil {
		return 0, err
	}
	n, err := l.appendLocked(entries)
	if err != nil {
		return 0, err
	}
	if l.opts.CheckpointEvery > 0 && l.hashes.records-l.lastCheckpoint >= l.opts.CheckpointEvery {
		if err := l.checkpointLocked(); err != nil {
			return n, err
		}
	}
	if l.opts.MaxSegmentBytes > 0 && l.segSize >= l.opts.MaxSegmentBytes {
		if err := l.rotateLocked(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Maintain does what is due by time: a checkpoint after CheckpointInterval,
// rotation after MaxSegmentAge, retention.
func (l *Log) Maintain() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.repair(); err != nil {
		return err
	}
	now := l.opts.Now()
	if l.opts.MaxSegmentAge > 0 && l.segSize > 0 && now.Sub(l.segOpened) >= l.opts.MaxSegmentAge {
		return l.rotateLocked()
	}
	if l.opts.CheckpointInterval > 0 && l.hashes.records > l.lastCheckpoint &&
		now.Sub(l.lastCheckTime) >= l.opts.CheckpointInterval {
		if err := l.checkpointLocked(); err != nil {
			return err
		}
	}
	return l.retainLocked()
}

// Checkpoint signs the current tree if it grew since the last checkpoint.
func (l *Log) Checkpoint() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.repair(); err != nil {
		return err
	}
	return l.checkpointLocked()
}

// Close signs a final checkpoint and closes the files.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.repair()
	if err == nil {
		err = l.checkpointLocked()
	}
	l.closeFiles()
	if l.lock != nil {
		l.lock.Close()
		l.lock = nil
	}
	return err
}

// Stats returns the counters.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Records = l.hashes.records
	return s
}

// Size is the number of records in the log.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hashes.records
}

// appendLocked encodes, hashes, writes and fsyncs one batch, or leaves the
// files as they were.
func (l *Log) appendLocked(entries []Entry) (int, error) {
	before := l.hashes.state()
	l.buf, l.uids = l.buf[:0], l.uids[:0]
	if l.batchIDs == nil {
		l.batchIDs = map[string]struct{}{}
	}
	clear(l.batchIDs)
	for _, e := range entries {
		uid := e.UID()
		if uid != "" && (l.recent.has(uid) || l.inBatch(uid)) {
			l.stats.Duplicates++
			if d, ok := e.(duplicateMarker); ok {
				d.MarkDuplicate()
			}
			continue
		}
		start := len(l.buf)
		l.buf = e.AppendJSON(l.buf, l.hashes.records)
		line := l.buf[start:]
		if len(line) == 0 || bytes.IndexByte(line, '\n') >= 0 {
			l.hashes.restore(before)
			return 0, fmt.Errorf("audit log: record %d is empty or spans lines", l.hashes.records)
		}
		if _, err := l.hashes.add(line); err != nil {
			l.hashes.restore(before)
			return 0, err
		}
		l.buf = append(l.buf, '\n')
		l.uids = append(l.uids, uid)
	}
	if len(l.uids) == 0 {
		return 0, nil
	}
	if err := l.commit(before); err != nil {
		return 0, err
	}
	for _, uid := range l.uids {
		l.recent.add(uid)
	}
	return len(l.uids), nil
}

// inBatch tells whether uid came earlier in the batch being appended, and
// remembers it. The set is reused from batch to batch.
func (l *Log) inBatch(uid string) bool {
	if _, ok := l.batchIDs[uid]; ok {
		return true
	}
	l.batchIDs[uid] = struct{}{}
	return false
}

// commit writes l.buf and the pending hashes and fsyncs both. On failure it
// truncates both files back, so nothing partial stays.
func (l *Log) commit(before storeState) error {
	err := l.writeAll()
	if err == nil {
		return nil
	}
	l.hashes.restore(before)
	// Whatever the undo achieves, the next call reopens the log and checks
	// the files as a start would: after a failed fsync the kernel's view of
	// the file cannot be trusted.
	l.broken = err
	if terr := l.seg.Truncate(l.segSize); terr != nil {
		l.broken = fmt.Errorf("%w (undo: %w)", err, terr)
	} else if terr := l.hashes.f.Truncate(tlog.StoredHashCount(before.records) * tlog.HashSize); terr != nil {
		l.broken = fmt.Errorf("%w (undo: %w)", err, terr)
	}
	return err
}

func (l *Log) writeAll() error {
	if _, err := l.seg.WriteAt(l.buf, l.segSize); err != nil {
		return fmt.Errorf("audit log: write records: %w", err)
	}
	if err := l.seg.Sync(); err != nil {
		return fmt.Errorf("audit log: fsync records: %w", err)
	}
	if err := l.hashes.flush(); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if err := l.hashes.f.Sync(); err != nil {
		return fmt.Errorf("audit log: fsync tree hashes: %w", err)
	}
	l.segSize += int64(len(l.buf))
	return nil
}

// repair reopens a log whose last failure left it in an unknown state.
func (l *Log) repair() error {
	if l.broken == nil {
		return nil
	}
	l.closeFiles()
	if err := l.open(); err != nil {
		return fmt.Errorf("audit log still unavailable: %w", err)
	}
	l.broken = nil
	return nil
}

func (l *Log) closeFiles() {
	for _, f := range []File{l.seg, l.hashes.f, l.checkpoints} {
		if f != nil {
			f.Close()
		}
	}
	l.seg, l.hashes.f, l.checkpoints = nil, nil, nil
}
