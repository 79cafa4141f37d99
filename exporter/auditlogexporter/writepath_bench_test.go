package auditlogexporter

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// benchTraces is one export request as token_audit leaves it: spans with
// about 15 attributes, the tokenaudit ones among them, a fresh span id
// each (so that nothing is deduplicated).
func benchTraces(spans int, next *atomic.Uint64) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ra := rs.Resource().Attributes()
	ra.PutStr("service.name", "users-api")
	ra.PutStr("service.version", "1.42.0")
	ra.PutStr("deployment.environment.name", "prod")
	ra.PutStr("host.name", "users-api-7f9c6d8b5-x2k4q")
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	for range spans {
		n := next.Add(1)
		s := ss.AppendEmpty()
		s.SetName("GET /users/{id}")
		var tid pcommon.TraceID
		var sid pcommon.SpanID
		for i := range 8 {
			tid[i] = byte(n >> (8 * i))
			sid[i] = byte(n >> (8 * i))
		}
		s.SetTraceID(tid)
		s.SetSpanID(sid)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(eventTime))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(eventTime.Add(20 * time.Millisecond)))
		a := s.Attributes()
		a.PutStr(auditattr.TokenID, fmt.Sprintf("tok_%032x", n%10000))
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutStr(auditattr.TokenIssuer, "https://issuer.example.com")
		a.PutInt(auditattr.TokenIssuedAt, eventTime.Add(-time.Hour).Unix())
		a.PutInt(auditattr.TokenExpiresAt, eventTime.Add(time.Hour).Unix())
		a.PutStr(auditattr.PrincipalID, fmt.Sprintf("user-%d", n%5000))
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, "/users/{id}")
		a.PutStr(auditattr.Action, auditattr.ActionRead)
		a.PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
		a.PutStr(auditattr.ClientAddress, fmt.Sprintf("203.0.113.%d", n%250))
		a.PutStr("http.request.method", "GET")
		a.PutStr("url.path", fmt.Sprintf("/users/%d", n%100000))
		a.PutInt("http.response.status_code", 200)
	}
	return td
}

// BenchmarkExportParallel is the exporter as the default pipeline runs
// it: no sending queue, every caller's request acknowledged once fsynced,
// many callers at once. Run with -cpu 1,2. disk=on is the disk's limit
// (its fsync latency and bandwidth); with disk=off the records are
// encoded, numbered, hashed and handed to the write, but not stored (the
// tree hashes are, without fsync), so records/s measures the CPU and
// should scale with the cores: only ordering, hashing and the write are
// serial. cpu-ns/record is the process's CPU time per record.
func BenchmarkExportParallel(b *testing.B) {
	for _, disk := range []bool{true, false} {
		name := "disk=on"
		var open func(string, int) (auditlog.File, error)
		if !disk {
			name, open = "disk=off", openNoDisk
		}
		b.Run(name, func(b *testing.B) { benchExportParallel(b, open) })
	}
}

// openNoDisk opens the log's files as noDisk.
func openNoDisk(path string, flag int) (auditlog.File, error) {
	f, err := auditlog.OpenOSFile(path, flag)
	return noDisk{f, strings.HasPrefix(filepath.Base(path), "audit-")}, err
}

// noDisk skips fsyncs, and a segment's writes: what is left is the CPU.
type noDisk struct {
	auditlog.File
	segment bool
}

func (noDisk) Sync() error { return nil }

func (f noDisk) WriteAt(p []byte, off int64) (int, error) {
	if f.segment {
		return len(p), nil
	}
	return f.File.WriteAt(p, off)
}

// cpuTime is the process's user and system time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startBenchExporter starts a traces exporter as the default pipeline
// runs it (no queue), with checkpoints and rotation out of the way, on
// openFile (nil: the disk); it shuts down when the benchmark ends.
func startBenchExporter(b *testing.B, openFile func(string, int) (auditlog.File, error)) exporter.Traces {
	cfg := createDefaultConfig()
	dir := b.TempDir()
	cfg.Directory = filepath.Join(dir, "audit")
	cfg.Signing = SigningConfig{KeyFile: filepath.Join(dir, "keys", "audit.key"), CreateKeyFile: true, KeyName: "audit.test/log"}
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.Checkpoint.EveryRecords = 1 << 40
	cfg.Rotation.MaxMegabytes = 1 << 12
	exp, err := newFactory(openFile).CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := exp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := exp.Shutdown(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return exp
}

// freshSpanIDs gives every span a new id, as real traffic has: a replay
// would be deduplicated.
func freshSpanIDs(sp ptrace.SpanSlice, next *atomic.Uint64) {
	for i := range sp.Len() {
		n := next.Add(1)
		var sid pcommon.SpanID
		for j := range 8 {
			sid[j] = byte(n >> (8 * j))
		}
		sp.At(i).SetSpanID(sid)
	}
}

func benchExportParallel(b *testing.B, openFile func(string, int) (auditlog.File, error)) {
	const spans = 100
	exp := startBenchExporter(b, openFile)
	var next atomic.Uint64
	b.SetParallelism(8) // senders waiting on fsync leave the cores to others
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		// Each sender owns its request: the exporter does not keep it.
		td := benchTraces(spans, &next)
		sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for pb.Next() {
			freshSpanIDs(sp, &next)
			if err := exp.ConsumeTraces(context.Background(), td); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N*spans), "cpu-ns/record")
}
