// Package sharedcomponent lets the instances that the collector creates for
// one component id (one per pipeline, or per connector pair) share a single
// component: the first instance to start starts it, and the last one to shut
// down stops it.
//
// It is modelled on contrib's internal/sharedcomponent, with one difference:
// contrib stops the shared component on the first Shutdown, while here it is
// reference counted, so that a pipeline shutting down never stops the
// component another pipeline still writes to. A Map lives in its factory,
// not in a global.
package sharedcomponent

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds the shared components of one factory, by key (a component id).
type Map[K comparable, V component.Component] struct {
	mu      sync.Mutex
	entries map[K]*entry[V]
}

type entry[V component.Component] struct {
	value   V
	members int // instances created and not yet shut down
	running int // instances started and not yet shut down
}

// NewMap returns an empty Map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{entries: map[K]*entry[V]{}}
}

// LoadOrStore returns a new instance of the component of key, creating the
// component with create when key has none yet.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		v, err := create()
		if err != nil {
			return nil, err
		}
		e = &entry[V]{value: v}
		m.entries[key] = e
	}
	e.members++
	return &Component[V]{mu: &m.mu, e: e, remove: func() { delete(m.entries, key) }}, nil
}

// Len is how many keys have a component, for tests.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Component is one instance's handle on a shared component. Its Start and
// Shutdown act once each; later calls do nothing.
type Component[V component.Component] struct {
	mu      *sync.Mutex // the Map's: it guards the counts of e
	e       *entry[V]
	remove  func() // deletes e from the Map; called under mu
	started bool
	done    bool
}

var _ component.Component = (*Component[component.Component])(nil)

// Unwrap returns the shared component.
func (c *Component[V]) Unwrap() V { return c.e.value }

// Start starts the shared component if no other instance has.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started || c.done {
		return nil
	}
	if c.e.running == 0 {
		if err := c.e.value.Start(ctx, host); err != nil {
			return err
		}
	}
	c.e.running++
	c.started = true
	return nil
}

// Shutdown stops the shared component when no other started instance is
// left, and forgets it when no instance at all is left.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return nil
	}
	c.done = true
	c.e.members--
	if c.e.members == 0 {
		c.remove()
	}
	if !c.started {
		return nil
	}
	c.started = false
	c.e.running--
	if c.e.running > 0 {
		return nil
	}
	return c.e.value.Shutdown(ctx)
}
