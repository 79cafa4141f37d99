package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
)

// trackedTokens is how many distinct tokens the per-token state holds.
const trackedTokens = 1_000_000

func tokenID(i int) string { return fmt.Sprintf("tok_%032x", i) }

// auditedSpans is a batch as the connector receives it: token_audit's
// attributes on 1,000 server spans, tokens first..first+999 of the
// tracked set.
func auditedSpans(first int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range benchfixture.Spans {
		s := spans.AppendEmpty()
		benchfixture.FillSpan(s, i)
		s.SetEndTimestamp(s.StartTimestamp() + pcommon.Timestamp(time.Millisecond))
		a := s.Attributes()
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, "GET /orders/{id}")
		a.PutStr(auditattr.Action, auditattr.ActionRead)
		a.PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
		setToken(a, (first+i)%trackedTokens)
	}
	return td
}

// setToken points a span at tracked token t, with the principal and
// client address that token always uses.
func setToken(a pcommon.Map, t int) {
	a.PutStr(auditattr.TokenID, tokenID(t))
	a.PutStr(auditattr.PrincipalID, fmt.Sprintf("user-%d", t%5000))
	a.PutStr(auditattr.ClientAddress, fmt.Sprintf("10.%d.%d.%d", t>>16&255, t>>8&255, t&255))
}

// retarget points every span of td at a random tracked token, so that
// the timed loop touches the whole state as real traffic does, not a
// subset that fits in the CPU caches.
func retarget(td ptrace.Traces, r *rand.Rand) {
	for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		setToken(s.Attributes(), r.IntN(trackedTokens))
	}
}

func newTracesToMetrics(b *testing.B, f connector.Factory, raw map[string]any) connector.Traces {
	b.Helper()
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		b.Fatal(err)
	}
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

// BenchmarkPerTokenConnectors feeds each connector all 1,000,000 tokens
// once, then measures the per-span cost on batches of random tokens among
// them (each token with its usual principal and address). spanmetrics keeps one series per token (token id as a
// dimension): the nearest stock per-token state.
func BenchmarkPerTokenConnectors(b *testing.B) {
	cases := []struct {
		name string
		make func(b *testing.B) connector.Traces
	}{
		{"token_anomaly", func(b *testing.B) connector.Traces {
			return newTracesToMetrics(b, tokenanomalyconnector.NewFactory(), map[string]any{"max_tokens": trackedTokens})
		}},
		{"contrib_spanmetrics_token_dimension", func(b *testing.B) connector.Traces {
			return newTracesToMetrics(b, spanmetricsconnector.NewFactory(), map[string]any{
				"dimensions":                      []any{map[string]any{"name": auditattr.TokenID}, map[string]any{"name": auditattr.Outcome}},
				"metrics_flush_interval":          "1h",
				"aggregation_cardinality_limit":   0,
				"histogram":                       map[string]any{"disable": true},
				"exemplars":                       map[string]any{"enabled": false},
				"resource_metrics_cache_size":     1000,
				"metrics_expiration":              "0s",
				"aggregation_temporality":         "AGGREGATION_TEMPORALITY_CUMULATIVE",
				"include_instrumentation_scope":   []any{},
				"add_resource_attributes":         false,
				"namespace":                       "traces.span.metrics",
				"resource_metrics_key_attributes": []any{"service.name"},
			})
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			c := tc.make(b)
			for first := 0; first < trackedTokens; first += benchfixture.Spans {
				if err := c.ConsumeTraces(context.Background(), auditedSpans(first)); err != nil {
					b.Fatal(err)
				}
			}
			r := rand.New(rand.NewPCG(1, 2))
			batch := auditedSpans(0)
			b.ReportAllocs()
			b.ResetTimer()
			// The label tells the timed loop from the filling in a CPU profile
			// (go tool pprof -tagfocus phase=timed).
			pprof.Do(context.Background(), pprof.Labels("phase", "timed"), func(ctx context.Context) {
				for b.Loop() {
					b.StopTimer()
					retarget(batch, r)
					b.StartTimer()
					if err := c.ConsumeTraces(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchfixture.Spans), "ns/span")
		})
	}
}
