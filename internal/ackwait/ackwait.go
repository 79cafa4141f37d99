// Package ackwait lets a component finish its part of a request after it
// returned, while the request is still unacknowledged. The collector's
// fanout calls a pipeline's consumers one after another, so a consumer
// that works before returning (token_anomaly's detectors and outbox
// fsync, audit_log's encoding, append and fsync) holds every consumer
// after it until it is done: the request's latency is the sum of theirs.
// With a Group in the request's context, a consumer starts its work in
// the group and returns; whoever made the group (token_audit, upstream of
// the fanout) waits for the group before returning and returns the
// group's errors, so the sender's acknowledgement still follows every
// write, a failed write still fails the request, and the consumers' work
// overlaps whatever order the fanout calls them in.
package ackwait

import (
	"context"
	"errors"
	"sync"
)

// Group is what one request's acknowledgement waits for.
type Group struct {
	mu     sync.Mutex
	closed bool
	errs   []error
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

// Detach returns ctx without its group: a consumer called with it does
// its whole work before returning. A component that hands its own output
// on (token_anomaly's alerts) and counts it delivered once the consumer
// returned must not let that consumer finish later in the request's group.
func Detach(ctx context.Context) context.Context {
	if From(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, groupKey{}, (*Group)(nil))
}

// Go runs write in its own goroutine as part of the group; its error
// fails the request (Wait returns it). It reports false, and runs
// nothing, when g is nil or the group's Wait has begun (a consumer called
// after the request's owner returned, as behind a queue): the caller then
// writes before returning, as without a group.
func (g *Group) Go(write func() error) bool {
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
		if err := write(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, err)
			g.mu.Unlock()
		}
	}()
	return true
}

// Wait closes the group to new writes and returns once every write added
// has returned, with their errors joined.
func (g *Group) Wait() error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}
