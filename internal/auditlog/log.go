package auditlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
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
	// GroupCommitWait is how long an Append that finds no write under way
	// waits for announced Appends (see Announce) to share its write and
	// fsync; 0 does not wait (a group still forms while a write is under
	// way).
	GroupCommitWait time.Duration
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
	group committer
	// snapshot is Stats as of the last call that changed them: reading it
	// never waits for a write.
	snapshot atomic.Pointer[Stats]

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

	ck ckWriter

	recent *recentSet
	stats  Stats
	// broken holds the error that left files in an unknown state; the next
	// call reopens the log, which repairs it as a start would.
	broken   error
	closed   bool
	buf      []byte
	lineEnds []int          // of the lines in buf
	prefixes []stagedPrefix // of the lines in buf
	states   []byte         // the prefixes' hash states
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
	l := &Log{opts: opts, lock: lock, recent: newRecentSet(opts.DedupWindow), openFile: opts.OpenFile,
		group: committer{maxWait: opts.GroupCommitWait}}
	if err := l.open(); err != nil {
		l.closeFiles()
		lock.Close()
		return nil, err
	}
	l.publishLocked()
	l.startCheckpoints()
	return l, nil
}

// Append writes entries and returns once they are on disk. It returns how
// many were new (the rest were replays). Concurrent calls share one write
// and one fsync (see committer); the entries are encoded by the caller
// beforehand, so only numbering, hashing and the write are serial.
func (l *Log) Append(entries []Entry) (int, error) {
	return l.group.append(entries, false, l.commitGroup)
}

// Announce tells the log that an Append is on its way (its records are
// being encoded), so that the group being formed may wait for it, up to
// GroupCommitWait. Follow it with exactly one AppendAnnounced or Withdraw.
func (l *Log) Announce() { l.group.announce() }

// Withdraw takes back an Announce whose Append will not come.
func (l *Log) Withdraw() { l.group.withdraw() }

// AppendAnnounced is Append for a caller that announced it.
func (l *Log) AppendAnnounced(entries []Entry) (int, error) {
	return l.group.append(entries, true, l.commitGroup)
}

// commitGroup appends the batches of one group. A batch with a bad record
// fails alone; a failed write or fsync fails every batch of the group and
// keeps none of it.
func (l *Log) commitGroup(group []*pending) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publishLocked()
	fail := func(err error) {
		for _, p := range group {
			if p.err == nil {
				p.n, p.err = 0, err
			}
		}
	}
	if l.closed {
		fail(errClosed)
		return
	}
	// A background checkpoint's failure fails this group, as it failed the
	// append that made it due when checkpoints were signed in line.
	ckErr := l.takeCheckpointFailureLocked()
	if err := l.repair(); err != nil {
		fail(errors.Join(ckErr, err))
		return
	}
	l.startBatch()
	for _, p := range group {
		p.n, p.err = l.stage(p.entries)
	}
	if err := l.commitStaged(); err != nil {
		fail(errors.Join(ckErr, err))
		return
	}
	if err := errors.Join(ckErr, l.afterAppendLocked()); err != nil {
		// The records are on disk; the sender's retry finds them there.
		for _, p := range group {
			if p.err == nil {
				p.err = err
			}
		}
	}
}

var errClosed = errors.New("audit log: closed")

// afterAppendLocked hands a checkpoint to the writer or rotates when a
// write made one due.
func (l *Log) afterAppendLocked() error {
	if l.opts.CheckpointEvery > 0 && l.hashes.records-l.lastCheckpoint >= l.opts.CheckpointEvery {
		if err := l.requestCheckpointLocked(); err != nil {
			return err
		}
	}
	if l.opts.MaxSegmentBytes > 0 && l.segSize >= l.opts.MaxSegmentBytes {
		if err := l.rotateLocked(); err != nil {
			return err
		}
	}
	return nil
}

// Maintain does what is due by time: a checkpoint after CheckpointInterval,
// rotation after MaxSegmentAge, retention.
func (l *Log) Maintain() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publishLocked()
	ckErr := l.takeCheckpointFailureLocked()
	return errors.Join(ckErr, l.maintainLocked())
}

func (l *Log) maintainLocked() error {
	if err := l.repair(); err != nil {
		return err
	}
	now := l.opts.Now()
	if l.opts.MaxSegmentAge > 0 && l.segSize > 0 && now.Sub(l.segOpened) >= l.opts.MaxSegmentAge {
		return l.rotateLocked()
	}
	if l.opts.CheckpointInterval > 0 && l.hashes.records > l.lastCheckpoint &&
		now.Sub(l.lastCheckTime) >= l.opts.CheckpointInterval {
		if err := l.requestCheckpointLocked(); err != nil {
			return err
		}
	}
	return l.retainLocked()
}

// Checkpoint signs the current tree if it grew since the last checkpoint.
func (l *Log) Checkpoint() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publishLocked()
	ckErr := l.takeCheckpointFailureLocked()
	if err := l.repair(); err != nil {
		return errors.Join(ckErr, err)
	}
	return errors.Join(ckErr, l.checkpointLocked())
}

// Close stops the checkpoint writer, signs a final checkpoint of
// everything appended, and closes the files. It also returns a background
// checkpoint's failure that no call has returned yet.
func (l *Log) Close() error {
	l.stopCheckpoints()
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publishLocked()
	if l.closed {
		return errClosed
	}
	l.closed = true
	err := l.takeCheckpointFailureLocked()
	if rerr := l.repair(); rerr != nil {
		err = errors.Join(err, rerr)
	} else {
		err = errors.Join(err, l.checkpointLocked())
	}
	l.closeFiles()
	if l.lock != nil {
		l.lock.Close()
		l.lock = nil
	}
	return err
}

// Stats returns the counters as of the last call that changed them.
func (l *Log) Stats() Stats {
	s := *l.snapshot.Load()
	s.Checkpoints = l.ck.done.Load()
	return s
}

func (l *Log) publishLocked() {
	s := l.stats
	s.Records = l.hashes.records
	l.snapshot.Store(&s)
}

// Size is the number of records in the log.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hashes.records
}

// appendLocked writes and fsyncs one batch, or leaves the files as they
// were; for the log's own records, under its lock.
func (l *Log) appendLocked(entries []Entry) (int, error) {
	l.startBatch()
	n, err := l.stage(entries)
	if err != nil {
		return 0, err
	}
	if err := l.commitStaged(); err != nil {
		return 0, err
	}
	return n, nil
}

func (l *Log) startBatch() {
	l.buf, l.lineEnds, l.uids = l.buf[:0], l.lineEnds[:0], l.uids[:0]
	l.prefixes, l.states = l.prefixes[:0], l.states[:0]
	if l.batchIDs == nil {
		l.batchIDs = map[string]struct{}{}
	}
	clear(l.batchIDs)
}

// stage numbers entries and adds their lines to the batch being built. A
// bad record takes its whole call's entries back out, so that one bad
// batch does not fail the others of its group.
func (l *Log) stage(entries []Entry) (int, error) {
	buf, lines, uids, states := len(l.buf), len(l.lineEnds), len(l.uids), len(l.states)
	dups := l.stats.Duplicates
	for _, e := range entries {
		uid := e.UID()
		if uid != "" && (l.recent.has(uid) || l.inBatch(uid)) {
			l.stats.Duplicates++
			if d, ok := e.(duplicateMarker); ok {
				d.MarkDuplicate()
			}
			continue
		}
		seq := l.hashes.records + int64(len(l.lineEnds))
		start := len(l.buf)
		l.buf = e.AppendJSON(l.buf, seq)
		line := l.buf[start:]
		if len(line) == 0 || bytes.IndexByte(line, '\n') >= 0 {
			for _, id := range l.uids[uids:] {
				delete(l.batchIDs, id)
			}
			if uid != "" {
				delete(l.batchIDs, uid)
			}
			l.buf, l.lineEnds, l.uids = l.buf[:buf], l.lineEnds[:lines], l.uids[:uids]
			l.prefixes, l.states = l.prefixes[:lines], l.states[:states]
			l.stats.Duplicates = dups
			return 0, fmt.Errorf("audit log: record %d is empty or spans lines", seq)
		}
		l.buf = append(l.buf, '\n')
		l.lineEnds = append(l.lineEnds, len(l.buf))
		l.uids = append(l.uids, uid)
		l.stagePrefix(e)
	}
	return len(l.uids) - uids, nil
}

// commitStaged hashes the staged lines in order, writes and fsyncs them.
func (l *Log) commitStaged() error {
	if len(l.lineEnds) == 0 {
		return nil
	}
	before := l.hashes.state()
	start := 0
	for i, end := range l.lineEnds {
		p := l.prefixes[i]
		if _, err := l.hashes.add(l.buf[start:end-1], l.states[p.state:p.state+p.size], p.n); err != nil {
			l.hashes.restore(before)
			return err
		}
		start = end
	}
	if err := l.commit(before); err != nil {
		return err
	}
	for _, uid := range l.uids {
		l.recent.add(uid)
	}
	return nil
}

// stagedPrefix is where a staged line's LeafPrefix state is in l.states
// (size 0: none) and how many bytes of the line it covers.
type stagedPrefix struct{ state, size, n int }

// stagePrefix keeps the hashed beginning of the line just staged. The
// state is copied: the entry's buffers are its caller's.
func (l *Log) stagePrefix(e Entry) {
	p := stagedPrefix{state: len(l.states)}
	if lp, ok := e.(LeafPrefixer); ok {
		state, n := lp.LeafPrefix()
		l.states = append(l.states, state...)
		p.size, p.n = len(state), n
	}
	l.prefixes = append(l.prefixes, p)
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
	l.ck.fileMu.Lock()
	defer l.ck.fileMu.Unlock()
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
