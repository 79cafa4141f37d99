package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/loadtraffic"
)

// batchMaker starts one sender's stream of requests: each call of the
// returned function makes a request of n spans at the current time,
// encoded, in dst's memory if it fits.
type batchMaker func(worker, seed uint64) func(dst []byte, n int) ([]byte, error)

// batches is the -traffic mode's request maker.
func (c *loadConfig) batches(secret string) (batchMaker, error) {
	switch c.traffic {
	case "simple":
		creds := newCredentials(c.tokens, c.jwtShare, secret)
		return func(worker, seed uint64) func([]byte, int) ([]byte, error) {
			rnd := rand.New(rand.NewPCG(worker, seed))
			return func(_ []byte, n int) ([]byte, error) { return encodeTraces(loadBatch(rnd, creds, n)) }
		}, nil
	case "realistic":
		tr, err := loadtraffic.New(c.tokens, []byte(secret), "demo", time.Now(), 1)
		if err != nil {
			return nil, fmt.Errorf("-traffic realistic: %w", err)
		}
		// Encoded straight from the generator's draws, no pdata between:
		// the same traffic at a quarter of the CPU (docs/BENCHMARKS.md).
		return func(worker, seed uint64) func([]byte, int) ([]byte, error) {
			s := tr.Stream(worker<<32 ^ seed)
			return func(dst []byte, n int) ([]byte, error) { return s.AppendRequest(dst[:0], n, time.Now()), nil }
		}, nil
	}
	return nil, fmt.Errorf("-traffic %q: use simple or realistic", c.traffic)
}

// mergeLatencies joins the senders' request latencies, sorted.
func mergeLatencies(perWorker [][]time.Duration) []time.Duration {
	var all []time.Duration
	for _, l := range perWorker {
		all = append(all, l...)
	}
	slices.Sort(all)
	return all
}

// sendRecord is one request as -latencies writes it.
type sendRecord struct {
	at   time.Time     // when it was sent
	took time.Duration // until the collector answered
	late time.Duration // after its due time (-rate): the previous answer came late
}

// writeSends writes every sender's requests to path, one line each, for
// lining them up with what the collector did at the time; an empty path
// writes nothing.
func writeSends(path string, perWorker [][]sendRecord) error {
	if path == "" {
		return nil
	}
	var b []byte
	for w, recs := range perWorker {
		for _, r := range recs {
			b = fmt.Appendf(b, "%d %d %d %d\n", r.at.UnixNano(), r.took.Nanoseconds(), r.late.Nanoseconds(), w)
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("-latencies: %w", err)
	}
	return nil
}

// percentile of sorted latencies, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
