// Package ackwait lets a component finish a request's durable write after
// it returned, while the request is still unacknowledged. The collector's
// fanout calls a pipeline's consumers one after another, so a consumer
// that fsyncs before returning (token_anomaly's outbox entry) holds every
// consumer after it (audit_log, with its own fsync) until its write is
// done: two fsyncs in series on every request. With a Group in the
// request's context, the consumer starts its write, adds it to the group
// and returns; whoever made the group (token_audit, upstream of the
// fanout) waits for the group before returning, so the sender's
// acknowledgement still follows every write, and the writes overlap.
package ackwait

import (
	"context"
	"sync"
)

// Group is what one request's acknowledgement waits for.
type Group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

type groupKey struct{}

// With returns a context carrying a new group, and the group: the caller
// calls Wait before the request is acknowledged.
func With(ctx context.Context) (context.Context, *Group) {
	g := &Group{}
	return context.WithValue(ctx, groupKey{}, g), g
}

// From returns the group of the request, nil when none waits for it.
func From(ctx context.Context) *Group {
	g, _ := ctx.Value(groupKey{}).(*Group)
	return g
}

// Go runs write in its own goroutine as part of the group. It reports
// false, and runs nothing, when g is nil or the group's Wait has begun
// (a consumer called after the request's owner returned, as behind a
// queue): the caller then writes before returning, as without a group.
func (g *Group) Go(write func()) bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		write()
	}()
	return true
}

// Wait closes the group to new writes and returns once every write added
// has returned.
func (g *Group) Wait() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}
