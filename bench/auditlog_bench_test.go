package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter"
	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"
)

// auditedBatch is the benchmark batch as token_audit leaves it: what an
// audit exporter receives.
func auditedBatch(b *testing.B) ptrace.Traces {
	sink := new(consumertest.TracesSink)
	p := newProcessor(b, tokenauditprocessor.NewFactory(), tokenAuditConfig, sink)
	td := benchfixture.Batch(benchfixture.JWTs(benchfixture.Tokens))
	if err := p.ConsumeTraces(context.Background(), td); err != nil {
		b.Fatal(err)
	}
	return sink.AllTraces()[0]
}

func newExporter(b *testing.B, f exporter.Factory, raw map[string]any) exporter.Traces {
	b.Helper()
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		b.Fatal(err)
	}
	e, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// BenchmarkAuditExporters writes the same audited spans with audit_log
// (OCSF, Merkle tree, fsync per batch of 1000, a checkpoint every 10,000)
// and with the contrib file exporter (OTLP JSON, buffered, no fsync).
// Each iteration gets fresh span ids, so audit_log's replay check never
// drops a batch.
func BenchmarkAuditExporters(b *testing.B) {
	cases := []struct {
		name string
		make func(b *testing.B) exporter.Traces
	}{
		{"audit_log", func(b *testing.B) exporter.Traces {
			dir := b.TempDir()
			return newExporter(b, auditlogexporter.NewFactory(), map[string]any{
				"directory":     filepath.Join(dir, "audit"),
				"signing":       map[string]any{"key_file": filepath.Join(dir, "k"), "create_key_file": true},
				"checkpoint":    map[string]any{"every_records": 10000},
				"sending_queue": map[string]any{"enabled": false},
			})
		}},
		{"contrib_file_otlp_json", func(b *testing.B) exporter.Traces {
			return newExporter(b, fileexporter.NewFactory(), map[string]any{
				"path": filepath.Join(b.TempDir(), "out.jsonl"), "format": "json",
			})
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			td := auditedBatch(b)
			exp := tc.make(b)
			spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			n := uint64(0)
			benchfixture.ReportPerSpan(b, func() {
				for i := 0; i < spans.Len(); i++ {
					n++
					spans.At(i).SetSpanID(pcommon.SpanID{byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
				}
				if err := exp.ConsumeTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
