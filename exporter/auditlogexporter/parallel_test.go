package auditlogexporter

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
)

// layoutTraces makes a request whose resources hold scopes of the given
// span counts; every span has a fresh id and is audited.
func layoutTraces(layout [][]int, next *atomic.Uint64) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, scopes := range layout {
		src := benchTraces(0, next).ResourceSpans().At(0)
		rs := td.ResourceSpans().AppendEmpty()
		src.Resource().CopyTo(rs.Resource())
		for _, n := range scopes {
			benchTraces(n, next).ResourceSpans().At(0).ScopeSpans().At(0).CopyTo(rs.ScopeSpans().AppendEmpty())
		}
	}
	return td
}

func spanIDs(td ptrace.Traces) []string {
	var ids []string
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				ids = append(ids, s.SpanID().String())
			}
		}
	}
	return ids
}

func TestSpansInVisitsTheRangeInOrder(t *testing.T) {
	var next atomic.Uint64
	td := layoutTraces([][]int{{3, 0, 4}, {}, {0}, {5, 1}}, &next)
	all := spanIDs(td)
	require.Len(t, all, 13)
	for _, tc := range []struct{ from, to int }{
		{0, 13}, {0, 0}, {0, 3}, {2, 5}, {3, 7}, {7, 12}, {6, 13}, {12, 13}, {13, 13},
	} {
		got := []string{}
		spansIn(td, tc.from, tc.to, func(_ ptrace.ResourceSpans, s ptrace.Span) {
			got = append(got, s.SpanID().String())
		})
		assert.Equal(t, all[tc.from:tc.to], got, "[%d, %d)", tc.from, tc.to)
	}
}

// TestEncodePartsSplitsLargeRequests: a large request is encoded in one
// part per core, a small one on the caller's goroutine alone; the parts
// cover every item once, in order, and run at once.
func TestEncodePartsSplitsLargeRequests(t *testing.T) {
	e, err := newAuditExporter(createDefaultConfig(), exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	for _, tc := range []struct {
		name      string
		procs, n  int
		wantParts int
	}{
		{"one core", 1, 1000, 1},
		{"small request", 4, minRecordsPerPart - 1, 1},
		{"two parts' worth", 4, 2 * minRecordsPerPart, 2},
		{"realistic request on 2 cores", 2, 1000, 2},
		{"realistic request on 4 cores", 4, 1000, 4},
		{"empty", 4, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			benchfixture.WithProcs(t, tc.procs)
			var mu sync.Mutex
			var ranges [][2]int
			started := make(chan struct{}, tc.wantParts)
			encs, batches, ignored := e.encodeParts(tc.n, func(_ *encoder, _ *recordBatch, from, to int) int64 {
				mu.Lock()
				ranges = append(ranges, [2]int{from, to})
				mu.Unlock()
				// Every part waits for the others: they must run at once.
				started <- struct{}{}
				for len(started) < tc.wantParts {
					runtime.Gosched()
				}
				return int64(to - from)
			})
			for i := range encs {
				e.release(encs[i], batches[i])
			}
			assert.Len(t, batches, tc.wantParts)
			assert.Equal(t, int64(tc.n), ignored)
			covered := make([]int, tc.n)
			for _, r := range ranges {
				for i := r[0]; i < r[1]; i++ {
					covered[i]++
				}
			}
			for i, c := range covered {
				assert.Equal(t, 1, c, "item %d", i)
			}
		})
	}
}

// TestLargeRequestLoggedInRequestOrder: a request encoded in parallel
// parts is logged as one append, its records in the request's order,
// each once, and the log verifies.
func TestLargeRequestLoggedInRequestOrder(t *testing.T) {
	benchfixture.WithProcs(t, 4)
	cfg := testConfig(t)
	h := startHarness(t, cfg)
	var next atomic.Uint64
	td := layoutTraces([][]int{{300, 1}, {2}, {500, 0, 400}}, &next)
	// A span token_audit left alone is not audited: it is skipped, and the
	// parts around it keep their order.
	skipped := td.ResourceSpans().At(2).ScopeSpans().At(0).Spans().At(7)
	skipped.Attributes().RemoveIf(func(k string, _ pcommon.Value) bool { return k == auditattr.TokenID || k == auditattr.Outcome })
	want := spanIDs(td)
	want = append(want[:303+7:303+7], want[303+8:]...)
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td), "a retry writes nothing again")
	h.stop(t)
	var got []string
	for _, rec := range readRecords(t, cfg.Directory) {
		if rec["class_uid"] == float64(6003) {
			got = append(got, rec["trace"].(map[string]any)["span"].(map[string]any)["uid"].(string))
		}
	}
	assert.Equal(t, want, got)
	r := verify(t, cfg)
	assert.True(t, r.OK(), "%v", r.Problems)
}
