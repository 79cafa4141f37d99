// Package filewatch reloads a small file when its content changes.
//
// It polls instead of using inotify: polling works the same on every
// platform and on Kubernetes ConfigMap mounts, whose atomic symlink swaps
// inotify-based watchers are known to miss.
package filewatch

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// MaxFileSize bounds what a watched file may hold; a larger file is an error,
// never a partial read.
const MaxFileSize = 16 << 20

// ApplyFunc takes a new content of the file. When it returns an error the
// previous content stays in force.
type ApplyFunc func(data []byte) error

// ReportFunc is told the result of every reload after the first load:
// nil when the new content was applied, the error otherwise.
type ReportFunc func(err error)

// Watcher polls one file. Stop it with Stop.
type Watcher struct {
	path     string
	interval time.Duration
	apply    ApplyFunc
	report   ReportFunc

	lastSum [sha256.Size]byte
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// Start reads path and applies it; an error here is returned and nothing is
// started. With interval > 0 it then polls the file until Stop.
func Start(path string, interval time.Duration, apply ApplyFunc, report ReportFunc) (*Watcher, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := apply(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := &Watcher{
		path:     path,
		interval: interval,
		apply:    apply,
		report:   report,
		lastSum:  sha256.Sum256(data),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if interval <= 0 {
		close(w.done)
		return w, nil
	}
	go w.loop()
	return w, nil
}

func (w *Watcher) loop() {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.Check()
		}
	}
}

// Check reads the file once and applies it if its content changed. The
// poller calls it; tests call it to avoid waiting.
func (w *Watcher) Check() {
	data, err := ReadFile(w.path)
	if err != nil {
		w.lastSum = [sha256.Size]byte{} // re-apply once the file is readable again
		if w.report != nil {
			w.report(err)
		}
		return
	}
	sum := sha256.Sum256(data)
	if bytes.Equal(sum[:], w.lastSum[:]) {
		return
	}
	err = w.apply(data)
	if err == nil {
		w.lastSum = sum
	} else {
		err = fmt.Errorf("%s: %w", w.path, err)
	}
	if w.report != nil {
		w.report(err)
	}
}

// Stop ends polling and waits for the poller to exit. It is safe to call
// more than once.
func (w *Watcher) Stop() {
	if w == nil {
		return
	}
	w.once.Do(func() {
		if w.interval > 0 {
			close(w.stop)
		}
	})
	<-w.done
}

// ErrTooLarge is returned for a file over MaxFileSize.
var ErrTooLarge = errors.New("file is larger than 16 MiB")

// ReadFile reads at most MaxFileSize bytes of path.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: %w", path, ErrTooLarge)
	}
	return data, nil
}
