package auditlog

import (
	"sync"
	"time"
)

// groupFullRecords ends a group's wait early: past it a longer wait saves
// no fsync worth the latency.
const groupFullRecords = 4096

// committer is group commit: concurrent Append calls queue their batches,
// and one of the callers (the leader) writes every queued batch with one
// write and one fsync per file, then wakes the others. While a group is
// on disk the next one queues, so a slow fsync makes bigger groups, not a
// longer queue of fsyncs. Before writing, the leader waits up to maxWait
// for the calls announced as coming (their records being encoded), and no
// longer than it takes them to queue: a wait never idles a core. There
// is no goroutine of its own: the leader is always a caller, so nothing
// is left running when callers stop.
type committer struct {
	maxWait time.Duration

	mu      sync.Mutex
	queue   []*pending
	queued  int  // records in queue
	coming  int  // calls announced and not yet queued
	leading bool // a caller is leading a group
	// ready, while the leader waits, is closed once no announced call is
	// still coming or the group is full.
	ready chan struct{}
}

// pending is one Append call waiting for its group.
type pending struct {
	entries []Entry
	n       int
	err     error
	// wake is closed when the call is done, or when it is to lead the
	// next group (lead set).
	wake chan struct{}
	lead bool
}

// append queues entries and returns once a group holding them is fsynced
// or failed. commit writes one group; it runs in one caller at a time.
func (c *committer) append(entries []Entry, announced bool, commit func([]*pending)) (int, error) {
	p := &pending{entries: entries, wake: make(chan struct{})}
	c.mu.Lock()
	if announced {
		c.coming--
	}
	c.queue = append(c.queue, p)
	c.queued += len(entries)
	if c.leading {
		c.signalLocked()
		c.mu.Unlock()
		<-p.wake
		if !p.lead {
			return p.n, p.err
		}
	} else {
		c.leading = true
		c.mu.Unlock()
	}
	c.lead(commit)
	return p.n, p.err
}

// announce counts a call on its way; withdraw one that will not come.
func (c *committer) announce() {
	c.mu.Lock()
	c.coming++
	c.mu.Unlock()
}

func (c *committer) withdraw() {
	c.mu.Lock()
	c.coming--
	c.signalLocked()
	c.mu.Unlock()
}

// signalLocked ends the leader's wait once nothing more is coming or the
// group is full.
func (c *committer) signalLocked() {
	if c.ready != nil && (c.coming <= 0 || c.queued >= groupFullRecords) {
		close(c.ready)
		c.ready = nil
	}
}

// lead waits for the calls on their way (at most maxWait), commits the queue as one group and
// hands the lead to the first call that queued meanwhile.
func (c *committer) lead(commit func([]*pending)) {
	c.mu.Lock()
	if c.maxWait > 0 && c.coming > 0 && c.queued < groupFullRecords {
		ready := make(chan struct{})
		c.ready = ready
		c.mu.Unlock()
		t := time.NewTimer(c.maxWait)
		select {
		case <-t.C:
		case <-ready:
			t.Stop()
		}
		c.mu.Lock()
		c.ready = nil
	}
	group := c.queue
	c.queue, c.queued = nil, 0
	c.mu.Unlock()

	commit(group)

	c.mu.Lock()
	var next *pending
	if len(c.queue) > 0 {
		next = c.queue[0]
		next.lead = true
	} else {
		c.leading = false
	}
	c.mu.Unlock()
	for _, p := range group {
		if !p.lead { // the leader itself is running
			close(p.wake)
		}
	}
	if next != nil {
		close(next.wake)
	}
}
