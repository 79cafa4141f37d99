package tokenanomalyconnector

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// auditedBatch is 1,000 spans as token_audit annotates them, for tokens
// first..first+999 (mod tokens).
func auditedBatch(first, tokens int, at time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range 1000 {
		s := spans.AppendEmpty()
		s.SetName("GET /orders/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i) * time.Millisecond)))
		s.SetEndTimestamp(s.StartTimestamp() + pcommon.Timestamp(time.Millisecond))
		s.SetTraceID(pcommon.TraceID{byte(i), byte(i >> 8), 1})
		s.SetSpanID(pcommon.SpanID{byte(i), byte(i >> 8), 2})
		s.SetParentSpanID(pcommon.SpanID{byte(i), byte(i >> 8), 3}) // an instrumented caller's client span
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/orders/{id}")
		a.PutInt("http.response.status_code", 200)
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, "GET /orders/{id}")
		a.PutStr(auditattr.Action, auditattr.ActionRead)
		a.PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
		setBenchToken(a, (first+i)%tokens)
	}
	return td
}

// setBenchToken points a span at token t, with the principal and client
// address that token always uses.
func setBenchToken(a pcommon.Map, t int) {
	a.PutStr(auditattr.TokenID, fmt.Sprintf("tok_%032x", t))
	a.PutStr(auditattr.PrincipalID, fmt.Sprintf("user-%d", t%5000))
	a.PutStr(auditattr.ClientAddress, fmt.Sprintf("10.%d.%d.%d", t>>16&255, t>>8&255, t&255))
}

// trackTokens sends one span of each of tokens tokens: the table then
// tracks them all.
func (h *harness) trackTokens(tokens int) {
	for first := 0; first < tokens; first += 1000 {
		h.sendBatch(auditedBatch(first, tokens, t0))
	}
	h.settle()
	require.Equal(h.t, tokens, h.model.tokens.len())
}

// BenchmarkPerSpan1MTokens measures the per-span cost with 1,000,000
// tracked tokens (all detectors on, metrics and alerts consumers attached).
// Every batch repeats the first one's times, so after it the items are
// fed at once (out of order) instead of through the reorder buffer.
func BenchmarkPerSpan1MTokens(b *testing.B) { benchPerSpan(b, 1_000_000, 0) }

// BenchmarkPerSpanReordered measures the per-span cost and allocations of
// live traffic: each batch is a second newer than the last, so every item
// passes through the reorder buffer.
func BenchmarkPerSpanReordered(b *testing.B) { benchPerSpan(b, 100_000, time.Second) }

// benchPerSpan sends batches of 1,000 spans to random tokens among tokens
// tracked ones, each batch step later than the last.
func benchPerSpan(b *testing.B, tokens int, step time.Duration) {
	h := newHarness(b, testConfig())
	h.trackTokens(tokens)
	// Each timed batch goes to 1,000 random tokens, so the loop touches
	// the whole state as real traffic does. The collector hands each
	// batch to every pair of its signal; only one reads it, so measure
	// through one pair.
	batch := auditedBatch(0, tokens, t0.Add(time.Minute))
	spans := batch.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	r := rand.New(rand.NewPCG(1, 2))
	c := h.traces[0]
	later := pcommon.Timestamp(step)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for _, s := range spans.All() {
			setBenchToken(s.Attributes(), r.IntN(tokens))
			s.SetStartTimestamp(s.StartTimestamp() + later)
			s.SetEndTimestamp(s.EndTimestamp() + later)
		}
		b.StartTimer()
		if err := c.ConsumeTraces(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/span")
}

// BenchmarkBytesPerToken states the hot state per tracked token and
// measures the heap each tracked token costs (state, index, share of the
// first-seen filters excluded: they are sized once from max_tokens).
func BenchmarkBytesPerToken(b *testing.B) {
	size := unsafe.Sizeof(tokenState{})
	if size > hotStateBudget {
		b.Fatalf("tokenState is %d bytes, over the %d-byte budget", size, hotStateBudget)
	}
	const tokens = 200_000
	for range b.N {
		cfg := testConfig()
		cfg.MaxTokens = tokens
		cfg.DedupWindow = 0 // item keys are not per-token state: see BenchmarkDedup
		h := newHarness(b, cfg)
		before := heapInUse()
		for first := 0; first < tokens; first += 1000 {
			h.sendBatch(auditedBatch(first, tokens, t0))
		}
		h.settle()
		after := heapInUse()
		b.ReportMetric(float64(after-before)/tokens, "heapB/token")
		runtime.KeepAlive(h)
		h.stop()
	}
	b.ReportMetric(float64(size), "hotB/token")
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMillionsOfRandomTokensStayBounded: 5,000,000 distinct tokens pass
// through a connector bounded at max_tokens; the heap stays under
// max_tokens × hotStateBudget plus the fixed first-seen filters and
// population sketch and 64 MiB
// for everything else, and every eviction is counted.
func TestMillionsOfRandomTokensStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds 5,000,000 spans")
	}
	const distinct = 5_000_000
	cfg := testConfig()
	cfg.MaxTokens = 200_000
	h := newHarness(t, cfg)
	base := heapInUse()
	at := t0
	for first := 0; first < distinct; first += 1000 {
		h.sendBatch(auditedBatch(first, distinct, at))
		at = at.Add(time.Second)
	}
	h.settle()
	used := heapInUse() - base
	filters := uint64(2*len(h.model.novelty.current.blocks)*64 + 2*2*len(h.model.population.current))
	bound := uint64(cfg.MaxTokens)*hotStateBudget + filters + 64<<20
	t.Logf("heap growth %d MiB for %d distinct tokens (bound %d MiB: %d tokens × %d B + %d MiB filters + 64 MiB)",
		used>>20, distinct, bound>>20, cfg.MaxTokens, hotStateBudget, filters>>20)
	require.Less(t, used, bound)
	require.Equal(t, cfg.MaxTokens, h.model.tokens.len())
	require.Equal(t, int64(distinct-cfg.MaxTokens), h.model.met.evictedTokens)
}

// BenchmarkEncodeState1MTokens measures encoding the state of 1,000,000
// tracked tokens, a slice per hold of the model lock (the write to the
// storage extension happens after; BenchmarkConsumeWaitDuringSave1MTokens
// measures what ingest waits meanwhile).
func BenchmarkEncodeState1MTokens(b *testing.B) {
	const tokens = 1_000_000
	h := newHarness(b, testConfig())
	h.trackTokens(tokens)
	var size int
	for b.Loop() {
		ops, _, _ := h.model.encodeState()
		size = 0
		for _, op := range ops {
			size += len(op.Value)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}

// BenchmarkDedup measures what remembering read items costs per new item,
// with the default dedup_window (a million keys) full, and the heap it
// holds. One item at a time: ingestRun overlaps the misses of 16.
func BenchmarkDedup(b *testing.B) {
	const window = 1_000_000
	before := heapInUse()
	s := newItemSet(window, false)
	ev := event{tokenID: "tok_0123456789abcdef0123456789abcdef", resource: "GET /orders/{id}",
		outcome: auditattr.OutcomeSuccess, client: "198.51.100.7"}
	var ts pcommon.Timestamp
	next := func() uint64 {
		ts++
		ev.spanID[0], ev.spanID[1], ev.spanID[2] = byte(ts), byte(ts>>8), byte(ts>>16)
		return itemKey(itemSpan, &ev, ts, ts+1)
	}
	for range window {
		s.repeat(next())
	}
	heap := float64(heapInUse()-before) / window
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if s.repeat(next()) {
			b.Fatal("a new item was taken for a repeat")
		}
	}
	b.ReportMetric(heap, "heapB/item")
	runtime.KeepAlive(s)
}
