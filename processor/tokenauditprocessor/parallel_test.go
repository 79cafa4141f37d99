package tokenauditprocessor

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/internal/loadtraffic"
)

// TestAuditItemsSplitsLargeScopes: a large scope is audited in one part
// per core, at once, a small one on the caller's goroutine alone; the
// parts cover every item once.
func TestAuditItemsSplitsLargeScopes(t *testing.T) {
	p, err := newStandalone(testConfig())
	require.NoError(t, err)
	for _, tc := range []struct {
		name      string
		procs, n  int
		wantParts int
	}{
		{"one core", 1, 1000, 1},
		{"small scope", 4, 2*minItemsPerPart - 1, 1},
		{"two parts' worth", 4, 2 * minItemsPerPart, 2},
		{"realistic request on 2 cores", 2, 1000, 2},
		{"realistic request on 4 cores", 4, 1000, 4},
		{"empty", 4, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			benchfixture.WithProcs(t, tc.procs)
			sc := p.beginBatch(context.Background())
			defer p.endBatch(context.Background(), sc)
			var mu sync.Mutex
			seen := make([]int, tc.n)
			scratches := map[*scratch]bool{}
			arrived := make(chan struct{}, tc.n)
			p.auditItems(tc.n, sc, func(i int, part *scratch) {
				part.stats.items++
				mu.Lock()
				seen[i]++
				first := !scratches[part]
				scratches[part] = true
				mu.Unlock()
				if first { // every part waits for the others: they run at once
					arrived <- struct{}{}
					for len(arrived) < tc.wantParts {
						runtime.Gosched()
					}
				}
			})
			for i, c := range seen {
				assert.Equal(t, 1, c, "item %d", i)
			}
			assert.Len(t, scratches, min(tc.wantParts, max(tc.n, 0)))
			assert.Equal(t, int64(tc.n), sc.stats.items, "the parts' counts are the batch's")
		})
	}
}

// TestParallelAuditMatchesSerial: a large request audited in parallel
// parts comes out exactly as audited on one core, with the same counts,
// including credentials that the spans inherit from their resource.
func TestParallelAuditMatchesSerial(t *testing.T) {
	at := time.Now()
	tr, err := loadtraffic.New(2_000, []byte(hmacSecret), "demo", at, 1)
	require.NoError(t, err)
	realistic := tr.Stream(3).Request(1000, at)
	resourceKey := ptrace.NewTraces()
	rs := resourceKey.ResourceSpans().AppendEmpty()
	putHeader(rs.Resource().Attributes(), "http.request.header.x-api-key", "sk_live_resource0123456789abcdef")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range 700 {
		s := ss.Spans().AppendEmpty()
		s.SetName("GET /orders")
		s.Attributes().PutInt("http.response.status_code", int64(200+i%2*201))
	}
	logs := plog.NewLogs()
	lrs := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, s := range realistic.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(s.EndTimestamp())
		s.Attributes().CopyTo(lr.Attributes())
	}
	for _, tc := range []struct {
		name   string
		traces ptrace.Traces
		logs   plog.Logs
		isLogs bool
	}{
		{name: "realistic 1,000-span request", traces: realistic},
		{name: "the key on the resource only", traces: resourceKey},
		{name: "1,000 log records", logs: logs, isLogs: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(procs int) (string, map[string]int64) {
				benchfixture.WithProcs(t, procs)
				cfg := testConfig()
				cfg.Sources.ResourceAttributes = true
				cfg.JWT = JWTConfig{Verify: true, HMACSecrets: []HMACSecretConfig{{KeyID: "demo", Secret: hmacSecret}}}
				h := newHarness(t, cfg)
				var out []byte
				if tc.isLogs {
					ld := plog.NewLogs()
					tc.logs.CopyTo(ld)
					require.NoError(t, h.lp.ConsumeLogs(context.Background(), ld))
					out, err = (&plog.JSONMarshaler{}).MarshalLogs(h.logs.AllLogs()[0])
				} else {
					td := ptrace.NewTraces()
					tc.traces.CopyTo(td)
					require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
					out, err = (&ptrace.JSONMarshaler{}).MarshalTraces(h.traces.AllTraces()[0])
				}
				require.NoError(t, err)
				counts := map[string]int64{}
				for _, m := range []string{"items", "credentials", "violations", "malformed", "unscanned"} {
					counts[m] = sumCounter(t, h, "otelcol_token_audit_"+m)
				}
				// Two parts may both miss on a token new to the cache.
				counts["lookups"] = sumCounter(t, h, "otelcol_token_audit_cache_hits") + sumCounter(t, h, "otelcol_token_audit_cache_misses")
				return string(out), counts
			}
			serial, serialCounts := run(1)
			parallel, parallelCounts := run(4)
			assert.Greater(t, serialCounts["credentials"], int64(0))
			assert.Equal(t, serialCounts, parallelCounts)
			assert.JSONEq(t, serial, parallel)
		})
	}
}
