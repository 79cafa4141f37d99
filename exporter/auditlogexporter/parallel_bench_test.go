package auditlogexporter

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// BenchmarkExportLargeRequest is one sender's 1,000-span requests, one at
// a time, without the disk (as BenchmarkExportParallel's disk=off): ns/op
// is a request's latency before its fsync. Run with -cpu 1,2: on two
// cores the request's parts are encoded at once.
func BenchmarkExportLargeRequest(b *testing.B) {
	const spans = 1000
	cfg := createDefaultConfig()
	dir := b.TempDir()
	cfg.Directory = filepath.Join(dir, "audit")
	cfg.Signing = SigningConfig{KeyFile: filepath.Join(dir, "keys", "audit.key"), CreateKeyFile: true, KeyName: "audit.test/log"}
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.Checkpoint.EveryRecords = 1 << 40
	cfg.Rotation.MaxMegabytes = 1 << 12
	open := func(path string, flag int) (auditlog.File, error) {
		f, err := auditlog.OpenOSFile(path, flag)
		return noDisk{f, strings.HasPrefix(filepath.Base(path), "audit-")}, err
	}
	exp, err := newFactory(open).CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := exp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := exp.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	}()
	var next atomic.Uint64
	td := benchTraces(spans, &next)
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	b.ResetTimer()
	cpu := cpuTime(b)
	for b.Loop() {
		for i := range sp.Len() {
			n := next.Add(1)
			var sid pcommon.SpanID
			for j := range 8 {
				sid[j] = byte(n >> (8 * j))
			}
			sp.At(i).SetSpanID(sid)
		}
		if err := exp.ConsumeTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N*spans), "cpu-ns/record")
}
