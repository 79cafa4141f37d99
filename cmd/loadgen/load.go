package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/loadtraffic"
	"github.com/tokenaudit/tokenaudit/internal/scenario"
)

// loadConfig is the shape of the steady load.
type loadConfig struct {
	rate     float64
	duration time.Duration
	tokens   int
	batch    int
	workers  int
	jwtShare float64
	pid      int
	spans    int64
	traffic  string
}

func loadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tgt target
	tgt.flags(fs)
	var c loadConfig
	fs.Float64Var(&c.rate, "rate", 0, "spans per second in all; 0 sends as fast as the collector takes them")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to send")
	warmup := fs.Duration("warmup", 0, "also report the export latency of the requests sent after this long (steady_p50_ms, steady_p99_ms, steady_max_ms): a collector just started is still growing its heap and meeting every token for the first time")
	fs.IntVar(&c.tokens, "tokens", 10000, "distinct tokens; each span picks one at random")
	fs.IntVar(&c.batch, "batch", 500, "spans per export request")
	fs.IntVar(&c.workers, "workers", 4, "concurrent senders")
	conns := fs.Int("connections", 1, "gRPC connections (or HTTP clients) the senders share in turn: a collector gateway's clients are many agents, each with its own")
	fs.Float64Var(&c.jwtShare, "jwt-share", 0.5, "share of tokens that are HS256 JWTs of the demo issuer (at most 100000 JWTs); the others are opaque API keys")
	fs.Int64Var(&c.spans, "spans", 0, "stop after this many spans (rounded up to whole requests); 0: run for -duration")
	fs.StringVar(&c.traffic, "traffic", "simple", "simple: one healthy service, -jwt-share of the tokens JWTs, the rest opaque keys; realistic: the traffic of docs/BENCHMARKS.md (1,000-span requests advised: -batch 1000)")
	fs.IntVar(&c.pid, "pid", 0, "the collector's process id: report its CPU time and resident memory (Linux /proc)")
	secret := fs.String("jwt-secret", envOr("TOKENAUDIT_DEMO_JWT_SECRET", demoSecret), "HS256 secret of the JWTs")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile of the sending to this file")
	latFile := fs.String("latencies", "", "write one line per request to this file: sent at (Unix ns), latency (ns), how late after its due time it was sent (ns), sender")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.tokens < 1 || c.batch < 1 || c.workers < 1 || *conns < 1 || c.duration <= 0 || c.spans < 0 {
		return errors.New("-tokens, -batch, -workers, -connections and -duration must be positive, -spans not negative")
	}
	makeBatch, err := c.batches(*secret)
	if err != nil {
		return err
	}
	senders := make([]sender, min(*conns, c.workers))
	for i := range senders {
		snd, err := tgt.connect(ctx)
		if err != nil {
			return err
		}
		defer snd.close()
		senders[i] = snd
	}

	before, err := sampleProcess(c.pid)
	if err != nil {
		return err
	}
	// The load generator's own CPU over the sending, without the tokens'
	// signing: on a machine it shares with the collector, it is the
	// share of the cores the collector could not have.
	selfBefore, err := sampleProcess(os.Getpid())
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	var sent, failed, claimed atomic.Int64
	latencies := make([][]time.Duration, c.workers)
	steady := make([][]time.Duration, c.workers) // sent after -warmup
	sends := make([][]sendRecord, c.workers)
	var firstErr error
	var errOnce sync.Once
	began := time.Now()
	stopAt := began.Add(c.duration)
	var wg sync.WaitGroup
	for w := range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := makeBatch(uint64(w), uint64(began.UnixNano()))
			var buf []byte // the last request, reused for the next once answered
			pace := newPacing(began, c.rate, c.batch, c.workers, w)
			for k := 0; ctx.Err() == nil && pace.at(k).Before(stopAt); k++ {
				// A request not due before the end is not waited for: the
				// run's length, and so its rate, ends with the last answer.
				sleepUntil(ctx, pace.at(k))
				if ctx.Err() != nil || !time.Now().Before(stopAt) {
					return
				}
				if c.spans > 0 && claimed.Add(int64(c.batch)) > c.spans+int64(c.batch)-1 {
					return
				}
				req, err := next(buf, c.batch)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				start := time.Now()
				err = senders[w%len(senders)].send(ctx, req)
				took := time.Since(start)
				latencies[w] = append(latencies[w], took)
				if *warmup > 0 && start.Sub(began) >= *warmup {
					steady[w] = append(steady[w], took)
				}
				if *latFile != "" {
					sends[w] = append(sends[w], sendRecord{at: start, took: took, late: start.Sub(pace.at(k))})
				}
				// A request that failed may still be read by gRPC's
				// writer as it resets the stream: the next one gets
				// memory of its own.
				if buf = req; err != nil {
					buf = nil
				}
				if err != nil {
					failed.Add(int64(c.batch))
					errOnce.Do(func() { firstErr = err })
				} else {
					sent.Add(int64(c.batch))
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(began)
	stopProfile()
	after, err := sampleProcess(c.pid)
	if err != nil {
		return err
	}
	selfAfter, err := sampleProcess(os.Getpid())
	if err != nil {
		return err
	}
	n := sent.Load()
	fmt.Fprintf(stdout, "sent %d spans in %s: %.0f spans/s; %d refused\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds(), failed.Load())
	line := fmt.Sprintf("RESULT spans=%d seconds=%.3f spans_per_s=%.0f refused=%d", n, took.Seconds(), float64(n)/took.Seconds(), failed.Load())
	if lat := mergeLatencies(latencies); len(lat) > 0 {
		p50, p99, top := percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
		fmt.Fprintf(stdout, "export latency over %d requests: p50 %s, p99 %s, max %s\n", len(lat), p50.Round(10*time.Microsecond),
			p99.Round(10*time.Microsecond), top.Round(10*time.Microsecond))
		line += fmt.Sprintf(" p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", p50.Seconds()*1000, p99.Seconds()*1000, top.Seconds()*1000)
	}
	if lat := mergeLatencies(steady); len(lat) > 0 {
		p50, p99, top := percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
		fmt.Fprintf(stdout, "after the first %s, over %d requests: p50 %s, p99 %s, max %s\n", *warmup, len(lat), p50.Round(10*time.Microsecond),
			p99.Round(10*time.Microsecond), top.Round(10*time.Microsecond))
		line += fmt.Sprintf(" steady_p50_ms=%.1f steady_p99_ms=%.1f steady_max_ms=%.1f", p50.Seconds()*1000, p99.Seconds()*1000, top.Seconds()*1000)
	}
	if err := writeSends(*latFile, sends); err != nil {
		return err
	}
	if c.pid > 0 {
		cpu := after.cpu - before.cpu
		fmt.Fprintf(stdout, "collector: %.2f CPU-seconds, %.0f spans per CPU-second, resident %.0f MiB (peak %.0f MiB)\n",
			cpu, float64(n)/cpu, float64(after.rss)/(1<<20), float64(after.peakRSS)/(1<<20))
		line += fmt.Sprintf(" cpu_s=%.3f spans_per_cpu_s=%.0f rss_mib=%.0f peak_rss_mib=%.0f", cpu, float64(n)/cpu,
			float64(after.rss)/(1<<20), float64(after.peakRSS)/(1<<20))
	}
	if n > 0 {
		self := selfAfter.cpu - selfBefore.cpu
		fmt.Fprintf(stdout, "load generator: %.2f CPU-seconds, %.2f µs per span\n", self, self/float64(n)*1e6)
		line += fmt.Sprintf(" loadgen_cpu_s=%.3f loadgen_us_per_span=%.2f", self, self/float64(n)*1e6)
	}
	fmt.Fprintln(stdout, line)
	if firstErr != nil {
		return fmt.Errorf("%d spans refused, the first because: %w", failed.Load(), firstErr)
	}
	return nil
}

// startCPUProfile profiles this process into path until the returned
// function is called; an empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// credentials hands out the Authorization value of token i. JWTs are
// signed once up front; opaque keys are derived on the fly, so millions of
// tokens cost no memory.
type credentials struct {
	tokens int
	jwts   []string
}

func newCredentials(tokens int, jwtShare float64, secret string) *credentials {
	c := &credentials{tokens: tokens}
	n := min(int(float64(tokens)*jwtShare), 100000)
	raw := scenario.NewRaw([]byte(secret))
	raw.KeyID = "demo"
	for i := range n {
		e := scenario.Event{TokenID: fmt.Sprintf("tok_load%024d", i), Principal: fmt.Sprintf("load-user-%d", i),
			Scopes: []string{"orders:read", "orders:write", "users:read"}, IssuedAt: time.Now().Add(-time.Hour).Unix(), ExpiresAt: time.Now().Add(30 * 24 * time.Hour).Unix()}
		c.jwts = append(c.jwts, raw.Credential(&e))
	}
	return c
}

func (c *credentials) header(i int) string {
	if i < len(c.jwts) {
		return c.jwts[i]
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("loadgen-key-%d", i)))
	return "Bearer lg_" + hex.EncodeToString(sum[:16])
}

// loadBatch makes n server spans of random tokens at the current time, as
// a healthy service sees them: each token calls from its own address
// (1% of calls from elsewhere), within its scopes, and 0.3% of calls fail
// authentication and 0.2% are denied. Misuse is the scenario mode's job;
// here it would turn the measurement into one of alert storms.
func loadBatch(rnd *rand.Rand, creds *credentials, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop-api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	spans.EnsureCapacity(n)
	now := time.Now()
	for range n {
		s := spans.AppendEmpty()
		r := loadtraffic.Routes[rnd.IntN(len(loadtraffic.Routes))]
		s.SetName(r.Method + " " + r.Route)
		s.SetKind(ptrace.SpanKindServer)
		var tid pcommon.TraceID
		var sid pcommon.SpanID
		for i := range tid {
			tid[i] = byte(rnd.Uint32())
		}
		copy(sid[:], tid[8:])
		s.SetTraceID(tid)
		s.SetSpanID(sid)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(3 * time.Millisecond)))
		status := int64(200)
		switch p := rnd.Float64(); {
		case p < 0.003:
			status = 401
		case p < 0.005:
			status = 403
		}
		a := s.Attributes()
		a.PutStr("http.request.method", r.Method)
		a.PutStr("http.route", r.Route)
		path := r.Path
		if path[len(path)-1] == '/' {
			path += fmt.Sprint(rnd.IntN(100000))
		}
		a.PutStr("url.path", path)
		a.PutInt("http.response.status_code", status)
		tok := rnd.IntN(creds.tokens)
		home := tok
		if rnd.IntN(100) == 0 {
			home = rnd.IntN(1 << 16)
		}
		a.PutStr("client.address", fmt.Sprintf("10.%d.%d.%d", home>>16&255, home>>8&255, home&255))
		a.PutStr("user_agent.original", "loadgen/1.0")
		a.PutStr("http.request.header.authorization", creds.header(tok))
	}
	return td
}
