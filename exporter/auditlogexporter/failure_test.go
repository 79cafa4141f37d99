package auditlogexporter

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadatatest"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// faultyFile fails every write and sync with err while the switch is on.
type faultyFile struct {
	auditlog.File
	on  *atomic.Bool
	err error
}

func (f faultyFile) WriteAt(p []byte, off int64) (int, error) {
	if f.on.Load() {
		n, _ := f.File.WriteAt(p[:len(p)/2], off) // a partial write, then the error
		return n, f.err
	}
	return f.File.WriteAt(p, off)
}

func (f faultyFile) Sync() error {
	if f.on.Load() {
		return f.err
	}
	return f.File.Sync()
}

func TestStorageFailureGoesUpstreamAndNothingIsLost(t *testing.T) {
	for _, fault := range []struct {
		name string
		err  error
	}{{"disk full", syscall.ENOSPC}, {"read-only", syscall.EROFS}, {"I/O error", syscall.EIO}} {
		t.Run(fault.name, func(t *testing.T) {
			var on atomic.Bool
			cfg := testConfig(t)
			cfg.RetryConfig.Enabled = false // the test is the sender and retries itself
			tel := componenttest.NewTelemetry()
			defer tel.Shutdown(context.Background())
			set := exportertest.NewNopSettings(metadata.Type)
			set.TelemetrySettings = tel.NewTelemetrySettings()
			f := newFactory(func(path string, flag int) (auditlog.File, error) {
				file, err := auditlog.OpenOSFile(path, flag)
				if err != nil {
					return nil, err
				}
				return faultyFile{file, &on, &os.PathError{Op: "write", Path: path, Err: fault.err}}, nil
			})
			exp, err := f.CreateTraces(context.Background(), set, cfg)
			require.NoError(t, err)
			require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))

			td := ptrace.NewTraces()
			auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
			seg := filepath.Join(cfg.Directory, "audit-000000000000.jsonl")
			before, err := os.ReadFile(seg)
			require.NoError(t, err)

			on.Store(true)
			err = exp.ConsumeTraces(context.Background(), td)
			require.ErrorIs(t, err, fault.err, "the failure goes upstream")
			after, err := os.ReadFile(seg)
			require.NoError(t, err)
			assert.Equal(t, before, after, "nothing partial is left")
			metadatatest.AssertEqualAuditLogWriteFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())

			on.Store(false)
			require.NoError(t, exp.ConsumeTraces(context.Background(), td), "storage is back: the retry succeeds")
			require.NoError(t, exp.Shutdown(context.Background()))
			r := verify(t, cfg)
			require.True(t, r.OK(), "%v", r.Problems)
			n := 0
			for _, rec := range readRecords(t, cfg.Directory) {
				if rec["class_uid"] == float64(6003) {
					n++
				}
			}
			assert.Equal(t, 1, n)
		})
	}
}
