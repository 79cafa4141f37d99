package main

import "time"

// pacing is when one sender of a paced load (-rate) sends its requests.
// The senders take turns: each starts its share of an interval after the
// previous one, so that requests reach the collector evenly spread. Had
// they all started at once, every sender would wake at the same instant
// and the collector would see bursts of -workers requests with idle gaps
// between: at half its capacity on average, saturated whenever a request
// is in flight, and the latency measured would be that of the burst.
type pacing struct {
	first    time.Time     // this sender's first request
	interval time.Duration // between two requests of one sender; 0 unpaced
}

// newPacing paces sender worker of workers, sending batch-span requests
// at rate spans per second in all; rate 0 sends as fast as answered.
func newPacing(began time.Time, rate float64, batch, workers, worker int) pacing {
	if rate <= 0 {
		return pacing{first: began}
	}
	interval := time.Duration(float64(batch) * float64(workers) / rate * float64(time.Second))
	return pacing{first: began.Add(interval * time.Duration(worker) / time.Duration(workers)), interval: interval}
}

// at is when request k (from 0) is due. A request that comes late, after
// a slow answer, is sent at once: the rate holds over the run.
func (p pacing) at(k int) time.Time {
	return p.first.Add(p.interval * time.Duration(k))
}
