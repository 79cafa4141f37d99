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
// longer queue of fsyncs. There is no goroutine of its own: the leader is
// always a caller, so nothing is left running when callers stop.
type committer struct {
	maxWait time.Duration

	mu      sync.Mutex
	queue   []*pending
	queued  int  // records in queue
	leading bool // a caller is leading a group
	full    chan struct{}
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
func (c *committer) append(entries []Entry, commit func([]*pending)) (int, error) {
	p := &pending{entries: entries, wake: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, p)
	c.queued += len(entries)
	if c.leading {
		if c.queued >= groupFullRecords && c.full != nil {
			close(c.full)
			c.full = nil
		}
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

// lead waits up to maxWait for company, commits the queue as one group and
// hands the lead to the first call that queued meanwhile.
func (c *committer) lead(commit func([]*pending)) {
	c.mu.Lock()
	if c.maxWait > 0 && c.queued < groupFullRecords {
		full := make(chan struct{})
		c.full = full
		c.mu.Unlock()
		t := time.NewTimer(c.maxWait)
		select {
		case <-t.C:
		case <-full:
			t.Stop()
		}
		c.mu.Lock()
		c.full = nil
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
