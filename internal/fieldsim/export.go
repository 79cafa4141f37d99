package fieldsim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Batch is one export request as the collector receives it from the
// org's gateway collector: spans and log records of several services,
// each service's part exported by its SDK or log agent on its own schedule.
type Batch struct {
	// Traces and Logs carry the requests as OTLP pdata (pdata.go); either
	// may be empty.
	Traces ptrace.Traces
	Logs   plog.Logs
	// Requests are the same requests, for accounting.
	Requests []Request
}

// Stats describes what a run sent.
type Stats struct {
	Requests, Batches, Spans, Logs int
	// MaxSpread is the widest event-time range within one export request.
	MaxSpread time.Duration
	// OutOfOrder counts items older than an item sent before them, and
	// LateMinute those more than a minute older.
	OutOfOrder, LateMinute int
	// PerDay counts requests by day of the simulation.
	PerDay []int
}

// chunk is one export of one service: an SDK's batch span processor (every
// 5 s), a log agent shipping an access log (every minute), possibly
// retried minutes later after a failed export.
type chunk struct {
	arrival time.Time
	svc     string
	reqs    []Request
}

// ActiveCleanTokens is how many clean tokens sent at least one request in
// the last Run.
func (s *Sim) ActiveCleanTokens() []string {
	var out []string
	for _, t := range s.tokens[:s.clean] {
		if t.sent > 0 {
			out = append(out, t.id)
		}
	}
	return out
}

// Run generates the traffic hour by hour and hands each export request to
// send in arrival order. Memory stays bounded by about an hour of traffic.
func (s *Sim) Run(send func(*Batch) error) (Stats, error) {
	var (
		st      Stats
		pending []chunk
		hour    []Request
		inj     = s.injected
		newest  time.Time
		conv    = newConverter(s)
	)
	for _, t := range s.tokens {
		t.sent = 0
	}
	st.PerDay = make([]int, s.cfg.Days)
	start, end := s.cfg.Start, s.End()
	for h, i := start, uint64(1); h.Before(end); h, i = h.Add(time.Hour), i+1 {
		rng := rand.New(rand.NewPCG(s.cfg.Seed, i))
		hour = hour[:0]
		for _, t := range s.tokens {
			before := len(hour)
			hour = s.hourRequests(rng, t, h, hour)
			hour = clip(hour, before, start, end)
			t.sent += len(hour) - before
		}
		for len(inj) > 0 && inj[0].At.Before(h.Add(time.Hour)) {
			hour = append(hour, inj[0])
			inj = inj[1:]
		}
		pending = append(pending, s.chunks(rng, hour)...)
		slices.SortStableFunc(pending, func(a, b chunk) int { return a.arrival.Compare(b.arrival) })
		// Requests of later hours start after this hour ends, so every
		// export arriving before then is known.
		cut := len(pending)
		if h.Add(time.Hour).Before(end) {
			cut, _ = slices.BinarySearchFunc(pending, h.Add(time.Hour), func(c chunk, t time.Time) int { return c.arrival.Compare(t) })
		}
		if err := s.emit(pending[:cut], conv, &st, &newest, send); err != nil {
			return st, err
		}
		pending = append(pending[:0], pending[cut:]...)
	}
	return st, nil
}

// clip drops requests of out[from:] outside [start, end): a cron run's
// jitter before the first hour, a build running past the last.
func clip(out []Request, from int, start, end time.Time) []Request {
	keep := out[:from]
	for _, r := range out[from:] {
		if !r.At.Before(start) && r.At.Before(end) {
			keep = append(keep, r)
		}
	}
	return keep
}

// chunks splits an hour's requests into the exports their services make.
func (s *Sim) chunks(rng *rand.Rand, reqs []Request) []chunk {
	type key struct {
		svc    string
		window int64
	}
	byKey := map[key][]Request{}
	for _, r := range reqs {
		svc, period := "orders-worker", 5*time.Second
		if r.route != nil {
			svc = r.route.svc.name
			if r.route.svc.telemetry == accessLog {
				period = time.Minute
			}
		}
		done := r.At.Add(r.Duration)
		k := key{svc, done.UnixNano() / int64(period)}
		byKey[k] = append(byKey[k], r)
	}
	keys := make([]key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.window, b.window), cmp.Compare(a.svc, b.svc)) })
	out := make([]chunk, 0, len(keys))
	for _, k := range keys {
		rs := byKey[k]
		// An exporter sends spans as they end.
		slices.SortStableFunc(rs, func(a, b Request) int { return a.At.Add(a.Duration).Compare(b.At.Add(b.Duration)) })
		period, lag := 5*time.Second, time.Duration(50+rng.IntN(450))*time.Millisecond
		retry := 0.02
		if k.svc == "files-legacy" {
			period, lag, retry = time.Minute, time.Duration(rng.IntN(5000))*time.Millisecond, 0.10
		}
		arrival := time.Unix(0, (k.window+1)*int64(period)).Add(lag)
		if rng.Float64() < retry { // the export failed and is retried with backoff
			arrival = arrival.Add(time.Duration(30+rng.IntN(300)) * time.Second)
		}
		if svc := s.service(k.svc); svc != nil {
			for _, b := range svc.backlogs {
				if u := arrival.Unix(); u >= b[0] && u < b[1] {
					arrival = time.Unix(b[1], 0).Add(time.Duration(rng.IntN(20000)) * time.Millisecond)
				}
			}
		}
		out = append(out, chunk{arrival: arrival, svc: k.svc, reqs: rs})
	}
	return out
}

func (s *Sim) service(name string) *service {
	for _, svc := range s.services {
		if svc.name == name {
			return svc
		}
	}
	return nil
}

// emit merges chunks into the gateway collector's export requests (its
// batch processor sends every 10 s or at 1,000 items) and sends them.
func (s *Sim) emit(chunks []chunk, conv *converter, st *Stats, newest *time.Time, send func(*Batch) error) error {
	for len(chunks) > 0 {
		n, items := 0, 0
		for n < len(chunks) && items < 1000 && chunks[n].arrival.Sub(chunks[0].arrival) < 10*time.Second {
			items += len(chunks[n].reqs)
			n++
		}
		b := conv.batch(chunks[:n])
		var lo, hi time.Time
		for _, c := range chunks[:n] {
			for _, r := range c.reqs {
				if lo.IsZero() || r.At.Before(lo) {
					lo = r.At
				}
				if r.At.After(hi) {
					hi = r.At
				}
				if d := int(r.At.Sub(s.cfg.Start) / (24 * time.Hour)); d < len(st.PerDay) {
					st.PerDay[d]++
				}
				if r.At.Before(*newest) {
					st.OutOfOrder++
					if newest.Sub(r.At) > time.Minute {
						st.LateMinute++
					}
				} else {
					*newest = r.At
				}
			}
		}
		st.MaxSpread = max(st.MaxSpread, hi.Sub(lo))
		st.Batches++
		st.Requests += len(b.Requests)
		st.Spans += b.Traces.SpanCount()
		st.Logs += b.Logs.LogRecordCount()
		if err := send(b); err != nil {
			return fmt.Errorf("fieldsim: send export request %d: %w", st.Batches, err)
		}
		chunks = chunks[n:]
	}
	return nil
}
