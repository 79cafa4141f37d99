package bench

import (
	"context"
	"fmt"
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
		a.PutStr(auditattr.TokenID, tokenID((first+i)%trackedTokens))
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutStr(auditattr.PrincipalID, fmt.Sprintf("user-%d", (first+i)%5000))
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, "GET /orders/{id}")
		a.PutStr(auditattr.Action, auditattr.ActionRead)
		a.PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
		a.PutStr(auditattr.ClientAddress, fmt.Sprintf("10.0.%d.%d", i/250, i%250))
	}
	return td
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
// once, then measures the per-span cost on batches that cycle through
// them. spanmetrics keeps one series per token (token id as a
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
			batches := make([]ptrace.Traces, 16)
			for i := range batches {
				batches[i] = auditedSpans(i * benchfixture.Spans)
			}
			for first := 0; first < trackedTokens; first += benchfixture.Spans {
				if err := c.ConsumeTraces(context.Background(), auditedSpans(first)); err != nil {
					b.Fatal(err)
				}
			}
			n := 0
			benchfixture.ReportPerSpan(b, func() {
				if err := c.ConsumeTraces(context.Background(), batches[n%len(batches)]); err != nil {
					b.Fatal(err)
				}
				n++
			})
		})
	}
}
