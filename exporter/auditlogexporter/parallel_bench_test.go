package auditlogexporter

import (
	"context"
	"sync/atomic"
	"testing"
)

// BenchmarkExportLargeRequest is one sender's 1,000-span requests, one at
// a time, without the disk (as BenchmarkExportParallel's disk=off): ns/op
// is a request's latency before its fsync. Run with -cpu 1,2: on two
// cores the request's parts are encoded at once.
func BenchmarkExportLargeRequest(b *testing.B) {
	const spans = 1000
	exp := startBenchExporter(b, openNoDisk)
	var next atomic.Uint64
	td := benchTraces(spans, &next)
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	b.ResetTimer()
	cpu := cpuTime(b)
	for b.Loop() {
		freshSpanIDs(sp, &next)
		if err := exp.ConsumeTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N*spans), "cpu-ns/record")
}
