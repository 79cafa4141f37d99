package auditlog

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// head is a tree head to sign. It is taken under the log's lock once its
// records are fsynced; signing and writing it need only the files of
// checkpoints, so they run off the append path.
type head struct {
	size   int64
	root   tlog.Hash
	origin string
	signer note.Signer
	time   time.Time
}

// ckWriter signs the checkpoints that appends and Maintain make due, one
// at a time, in its own goroutine (started by Open, stopped by Close), so
// that an append never waits for a checkpoint's five fsyncs. Heads that
// queue while one is written coalesce: only the newest is signed, which
// covers the others. Rotation, a key change and Close still sign at once
// (checkpointLocked), through the same files lock, so checkpoints reach
// checkpoints.jsonl, the latest file and the mirror in order of size.
type ckWriter struct {
	// fileMu guards the checkpoint files (Log.checkpoints, the latest file,
	// the mirror) and written; it is taken after Log.mu, never before.
	fileMu  sync.Mutex
	written int64        // size of the last checkpoint in checkpoints.jsonl
	note    []byte       // its signed note
	latest  int64        // size of the checkpoint in the latest file (and the mirror)
	done    atomic.Int64 // checkpoints written, for Stats

	mu      sync.Mutex
	cond    *sync.Cond // signals pending, stopping, idle
	pending *head      // the newest head not yet signed
	busy    bool
	// failure is a background checkpoint that failed; the writer signs
	// nothing more until the log takes it (takeCheckpointFailureLocked)
	// and returns it from the next Append, Maintain, Checkpoint or Close.
	failure  *ckFailure
	stopping bool
	exited   chan struct{}
}

type ckFailure struct {
	err error
	// broken: checkpoints.jsonl may be in an unknown state; the log must
	// reopen (repair) before it writes there again.
	broken bool
}

// startCheckpoints starts the checkpoint writer.
func (l *Log) startCheckpoints() {
	c := &l.ck
	c.cond = sync.NewCond(&c.mu)
	c.exited = make(chan struct{})
	go l.runCheckpoints()
}

func (l *Log) runCheckpoints() {
	c := &l.ck
	defer close(c.exited)
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for !c.stopping && (c.pending == nil || c.failure != nil) {
			c.cond.Wait()
		}
		if c.stopping {
			return // Close signs everything at once
		}
		h := *c.pending
		c.pending, c.busy = nil, true
		c.mu.Unlock()
		c.fileMu.Lock()
		broken, err := l.writeCheckpoint(h)
		c.fileMu.Unlock()
		c.mu.Lock()
		c.busy = false
		if err != nil {
			c.failure = &ckFailure{err: fmt.Errorf("audit log: background checkpoint of size %d: %w", h.size, err), broken: broken}
		}
		c.cond.Broadcast()
	}
}

// stopCheckpoints stops the writer after the checkpoint it is writing; a
// head still pending is left to Close's own checkpoint, which covers it.
func (l *Log) stopCheckpoints() {
	c := &l.ck
	c.mu.Lock()
	c.stopping = true
	c.cond.Broadcast()
	c.mu.Unlock()
	<-c.exited
}

// requestCheckpointLocked snapshots the tree head for the writer.
func (l *Log) requestCheckpointLocked() error {
	h, err := l.headLocked()
	if err != nil {
		return err
	}
	l.lastCheckpoint, l.lastCheckTime = h.size, h.time
	c := &l.ck
	c.mu.Lock()
	c.pending = &h
	c.cond.Broadcast()
	c.mu.Unlock()
	return nil
}

// takeCheckpointFailureLocked returns a background checkpoint's failure
// once, marks the log for repair if the failure left checkpoints.jsonl in
// doubt, and makes a checkpoint due again.
func (l *Log) takeCheckpointFailureLocked() error {
	c := &l.ck
	c.mu.Lock()
	f := c.failure
	if f != nil {
		c.failure, c.pending = nil, nil
	}
	c.mu.Unlock()
	if f == nil {
		return nil
	}
	if f.broken && l.broken == nil {
		l.broken = f.err
	}
	c.fileMu.Lock()
	l.lastCheckpoint = c.written
	c.fileMu.Unlock()
	return f.err
}

// waitCheckpoints waits until the writer has nothing pending or is held
// by a failure; for tests.
func (l *Log) waitCheckpoints() {
	c := &l.ck
	c.mu.Lock()
	for (c.pending != nil && c.failure == nil && !c.stopping) || c.busy {
		c.cond.Wait()
	}
	c.mu.Unlock()
}

func (l *Log) headLocked() (head, error) {
	root, err := l.hashes.root()
	if err != nil {
		return head{}, fmt.Errorf("audit log: tree root: %w", err)
	}
	return head{size: l.hashes.records, root: root, origin: l.opts.Origin, signer: l.opts.Signer, time: l.opts.Now()}, nil
}
