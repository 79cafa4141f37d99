package report

import (
	"runtime"
	"sync"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// Decoding JSON is most of a report's cost, so lines are decoded by
// several workers in batches and aggregated in log order. In flight are
// at most 2×workers batches: memory stays bounded.
const batchLines = 512

type batch struct {
	buf  []byte
	ends []int
	recs []*record // nil: unreadable
	done chan struct{}
}

// decodeLines streams the log's lines through the decoders to add, in
// order. tooLong counts lines over maxLine.
func decodeLines(dir string, segs []auditlog.SegmentFile, add func(*record), tooLong func()) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.recs = make([]*record, len(b.ends))
				start := 0
				for i, end := range b.ends {
					if r, err := parseRecord(b.buf[start:end]); err == nil {
						b.recs[i] = r
					}
					start = end
				}
				close(b.done)
			}
		}()
	}
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for b := range ordered {
			<-b.done
			for _, r := range b.recs {
				add(r)
			}
		}
	}()
	cur := &batch{done: make(chan struct{})}
	send := func() {
		ordered <- cur
		jobs <- cur
		cur = &batch{done: make(chan struct{})}
	}
	err := eachLine(dir, segs, func(line []byte) {
		cur.buf = append(cur.buf, line...)
		cur.ends = append(cur.ends, len(cur.buf))
		if len(cur.ends) == batchLines {
			send()
		}
	}, tooLong)
	if len(cur.ends) > 0 {
		send()
	}
	close(jobs)
	close(ordered)
	wg.Wait()
	<-consumed
	return err
}
