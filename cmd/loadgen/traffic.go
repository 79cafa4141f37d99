package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/loadtraffic"
)

// batchMaker starts one sender's stream of requests: each call of the
// returned function makes a request of n spans at the current time.
type batchMaker func(worker, seed uint64) func(n int) ptrace.Traces

// batches is the -traffic mode's request maker.
func (c *loadConfig) batches(secret string) (batchMaker, error) {
	switch c.traffic {
	case "simple":
		creds := newCredentials(c.tokens, c.jwtShare, secret)
		return func(worker, seed uint64) func(int) ptrace.Traces {
			rnd := rand.New(rand.NewPCG(worker, seed))
			return func(n int) ptrace.Traces { return loadBatch(rnd, creds, n) }
		}, nil
	case "realistic":
		tr, err := loadtraffic.New(c.tokens, []byte(secret), "demo", time.Now(), 1)
		if err != nil {
			return nil, fmt.Errorf("-traffic realistic: %w", err)
		}
		return func(worker, seed uint64) func(int) ptrace.Traces {
			s := tr.Stream(worker<<32 ^ seed)
			return func(n int) ptrace.Traces { return s.Request(n, time.Now()) }
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
