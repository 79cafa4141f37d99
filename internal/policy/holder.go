package policy

import (
	"sync/atomic"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/filewatch"
)

// Holder keeps the current policy and reloads it when the file changes.
type Holder struct {
	current atomic.Pointer[Policy]
	watcher *filewatch.Watcher
}

// Load parses path and, with interval > 0, polls it for changes. A new file
// that does not parse keeps the old policy in force. onReload, if not nil,
// hears every reload attempt after the first load: nil when applied, else
// the error, so the caller can log why and count it. An empty path gives a
// Holder of Empty() that never polls.
func Load(path string, interval time.Duration, onReload func(err error)) (*Holder, error) {
	h := &Holder{}
	h.current.Store(Empty())
	if path == "" {
		return h, nil
	}
	w, err := filewatch.Start(path, interval, func(data []byte) error {
		p, err := Parse(data)
		if err != nil {
			return err
		}
		h.current.Store(p)
		return nil
	}, onReload)
	if err != nil {
		return nil, err
	}
	h.watcher = w
	return h, nil
}

// Current returns the policy in force; a nil Holder has none, and a nil
// Policy evaluates to nothing.
func (h *Holder) Current() *Policy {
	if h == nil {
		return nil
	}
	return h.current.Load()
}

// Close stops polling and waits for the poller to exit. It is safe to call
// twice and on nil.
func (h *Holder) Close() {
	if h != nil {
		h.watcher.Stop()
	}
}
