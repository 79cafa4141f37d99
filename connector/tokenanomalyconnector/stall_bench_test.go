package tokenanomalyconnector

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkConsumeWaitDuringSave1MTokens runs ConsumeTraces without pause
// on a connector tracking 1,000,000 tokens while another goroutine saves
// the state and flushes the metrics back to back, and reports the
// percentiles of the time each ConsumeTraces call took (batches of 100
// spans): what a save or a flush makes ingest wait shows in the tail. The
// quiet- figures are the same load for 2 s without saves or flushes: the
// machine's own noise. It reports; it asserts nothing about time.
//
// The storage is mapStorage, not storagetest's in-memory client: that one
// copies its whole map on every write, and the map gains an outbox entry
// per batch until a save compacts it, so its writes (10-64 ms each,
// traced) grew through the save and were most of the tail measured.
func BenchmarkConsumeWaitDuringSave1MTokens(b *testing.B) {
	const (
		tokens = 1_000_000
		cycles = 4 // saves and flushes per benchmark iteration
	)
	cfg := testConfig()
	id := storagetest.NewStorageID("anomaly")
	cfg.Storage = &id
	cfg.PersistInterval = time.Hour // saved by hand below
	h := newHarnessWithHost(b, cfg, storageHost{id: id, ext: &mapStorage{}})
	h.trackTokens(tokens)

	batch := auditedBatch(0, tokens, t0.Add(time.Minute))
	spans := batch.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	kept := 0
	spans.RemoveIf(func(ptrace.Span) bool { kept++; return kept > 100 })
	r := rand.New(rand.NewPCG(1, 2))
	c := h.traces[0]
	ctx := context.Background()
	consume := func(until func() bool) []time.Duration {
		var waits []time.Duration
		for {
			if until() {
				return waits
			}
			for _, s := range spans.All() {
				setBenchToken(s.Attributes(), r.IntN(tokens))
			}
			start := time.Now()
			if err := c.ConsumeTraces(ctx, batch); err != nil {
				b.Fatal(err)
			}
			waits = append(waits, time.Since(start))
		}
	}
	var quiet, busy []time.Duration
	var saves, flushes time.Duration
	b.ResetTimer()
	for b.Loop() {
		// The same load without saves first: the machine's own noise.
		end := time.Now().Add(2 * time.Second)
		quiet = append(quiet, consume(func() bool { return time.Now().After(end) })...)
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for range cycles {
				start := time.Now()
				if err := h.model.save(ctx); err != nil {
					b.Error(err)
					return
				}
				mid := time.Now()
				h.model.flush(ctx)
				saves += mid.Sub(start)
				flushes += time.Since(mid)
			}
		}()
		busy = append(busy, consume(func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		})...)
		wg.Wait()
	}
	b.StopTimer()
	report := func(prefix string, waits []time.Duration) {
		slices.Sort(waits)
		pct := func(p float64) float64 {
			return float64(waits[min(len(waits)-1, int(p*float64(len(waits))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), prefix+"p50-ms")
		b.ReportMetric(pct(0.99), prefix+"p99-ms")
		b.ReportMetric(pct(0.999), prefix+"p99.9-ms")
		b.ReportMetric(float64(waits[len(waits)-1].Microseconds())/1000, prefix+"max-ms")
	}
	report("", busy)
	report("quiet-", quiet)
	b.ReportMetric(float64(len(busy))/float64(b.N), "calls/op")
	n := float64(b.N * cycles)
	b.ReportMetric(saves.Seconds()*1000/n, "save-ms")
	b.ReportMetric(flushes.Seconds()*1000/n, "flush-ms")
}

// mapStorage is a storage extension whose writes cost what they write,
// whatever it holds (a map under a mutex), as a database's do.
type mapStorage struct {
	component.StartFunc
	component.ShutdownFunc
	client mapClient
}

func (s *mapStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return &s.client, nil
}

type mapClient struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (c *mapClient) Get(ctx context.Context, key string) ([]byte, error) {
	op := storage.GetOperation(key)
	err := c.Batch(ctx, op)
	return op.Value, err
}

func (c *mapClient) Set(ctx context.Context, key string, value []byte) error {
	return c.Batch(ctx, storage.SetOperation(key, value))
}

func (c *mapClient) Delete(ctx context.Context, key string) error {
	return c.Batch(ctx, storage.DeleteOperation(key))
}

func (c *mapClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data == nil {
		c.data = map[string][]byte{}
	}
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			op.Value = c.data[op.Key]
		case storage.Set:
			c.data[op.Key] = op.Value
		case storage.Delete:
			delete(c.data, op.Key)
		}
	}
	return nil
}

func (*mapClient) Close(context.Context) error { return nil }
