package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"
)

// The nearest stock contrib pipeline: transform hashes the header with OTTL
// SHA256 into the id attribute and deletes it; redaction then masks any
// credential-shaped value left elsewhere (URLs, other attributes).
var transformConfig = map[string]any{
	"error_mode": "ignore",
	"trace_statements": []any{map[string]any{
		"context": "span",
		"statements": []any{
			`set(attributes["tokenaudit.token.id"], SHA256(attributes["http.request.header.authorization"][0])) where attributes["http.request.header.authorization"] != nil`,
			`delete_key(attributes, "http.request.header.authorization")`,
		},
	}},
}

var redactionConfig = map[string]any{
	"allow_all_keys": true,
	"summary":        "silent",
	"blocked_values": []any{
		`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,
		`(?i)bearer\s+[A-Za-z0-9._~+/-]+=*`,
		`gh[pousr]_[A-Za-z0-9]{36}`,
		`(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}`,
		`(?:AKIA|ASIA)[A-Z2-7]{16}`,
	},
}

var tokenAuditConfig = map[string]any{
	"fingerprint": map[string]any{"key": "bench-fingerprint-key-0123456789abcdef"},
	"jwt": map[string]any{
		"verify":       true,
		"algorithms":   []any{"HS256"},
		"hmac_secrets": []any{map[string]any{"key_id": "k1", "secret": benchfixture.HMACSecret}},
	},
}

func newProcessor(b *testing.B, f processor.Factory, raw map[string]any, next consumer.Traces) processor.Traces {
	b.Helper()
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		b.Fatal(err)
	}
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			b.Fatal(err)
		}
	}
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, next)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// BenchmarkPipelines runs each pipeline on a fresh copy of the same batch.
// Per-span figures divide by the 1000 spans of a batch.
func BenchmarkPipelines(b *testing.B) {
	batch := benchfixture.Batch(benchfixture.JWTs(benchfixture.Tokens))
	pipelines := []struct {
		name  string
		build func(b *testing.B) consumer.Traces
	}{
		{"copy_only", func(*testing.B) consumer.Traces { return consumertest.NewNop() }},
		{"token_audit", func(b *testing.B) consumer.Traces {
			return newProcessor(b, tokenauditprocessor.NewFactory(), tokenAuditConfig, consumertest.NewNop())
		}},
		{"contrib_transform_sha256+redaction", func(b *testing.B) consumer.Traces {
			red := newProcessor(b, redactionprocessor.NewFactory(), redactionConfig, consumertest.NewNop())
			return newProcessor(b, transformprocessor.NewFactory(), transformConfig, red)
		}},
	}
	for _, pl := range pipelines {
		b.Run(pl.name, func(b *testing.B) {
			c := pl.build(b)
			fresh := ptrace.NewTraces()
			batch.CopyTo(fresh)
			if err := c.ConsumeTraces(context.Background(), fresh); err != nil { // warm caches
				b.Fatal(err)
			}
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			start := time.Now()
			for b.Loop() {
				fresh := ptrace.NewTraces()
				batch.CopyTo(fresh)
				if err := c.ConsumeTraces(context.Background(), fresh); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(start)
			runtime.ReadMemStats(&ms1)
			n := float64(b.N) * benchfixture.Spans
			b.ReportMetric(float64(el.Nanoseconds())/n, "ns/span")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n, "B/span")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/span")
		})
	}
}

var _ component.Config = (*tokenauditprocessor.Config)(nil)
