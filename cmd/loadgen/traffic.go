package main

import (
	"fmt"
	"math/rand/v2"
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

// percentile of sorted latencies, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
