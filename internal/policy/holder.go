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

// Load parses path and, with interval > 0, polls it. An invalid new file
// keeps the old policy; onReload hears every reload's result. An empty
// path gives a Holder of Empty().
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

// Current returns the policy in force.
func (h *Holder) Current() *Policy { return h.current.Load() }

// Close stops polling. Safe twice and on nil.
func (h *Holder) Close() {
	if h != nil {
		h.watcher.Stop()
	}
}
