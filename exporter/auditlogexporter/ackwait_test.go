package auditlogexporter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// heldFile holds every fsync while hold is set, until release is closed,
// and fails writes and fsyncs with err while fail is set.
type heldFile struct {
	auditlog.File
	d *disk
}

type disk struct {
	hold    atomic.Bool
	entered chan struct{}
	release chan struct{}
	fail    atomic.Bool
	err     error
}

func (f heldFile) WriteAt(p []byte, off int64) (int, error) {
	if f.d.fail.Load() {
		return 0, f.d.err
	}
	return f.File.WriteAt(p, off)
}

func (f heldFile) Sync() error {
	if f.d.fail.Load() {
		return f.d.err
	}
	if f.d.hold.Load() {
		select {
		case f.d.entered <- struct{}{}:
		default:
		}
		<-f.d.release
	}
	return f.File.Sync()
}

// startOn starts the traces and logs exporters of cfg on d.
func startOn(t *testing.T, cfg *Config, d *disk) (exporter.Traces, exporter.Logs) {
	t.Helper()
	h := startHarnessWith(t, cfg, newFactory(func(path string, flag int) (auditlog.File, error) {
		file, err := auditlog.OpenOSFile(path, flag)
		if err != nil {
			return nil, err
		}
		return heldFile{file, d}, nil
	}))
	t.Cleanup(func() { h.stop(t) })
	return h.traces, h.logs
}

// oneSpan is a request of one audited span on resource.
func oneSpan(resource string) ptrace.Traces {
	td := ptrace.NewTraces()
	auditedSpan(td, resource, auditattr.OutcomeSuccess)
	return td
}

// TestExportInTheRequestsGroup: with a group in the request's context
// (token_audit's, internal/ackwait) and no queue, an export returns before
// its records are fsynced, so that the consumers after audit_log run
// meanwhile, and the group's Wait returns only once they are. Without a
// group, or with it detached (token_anomaly's alerts, counted sent once
// the export returns), the export itself waits for the fsync.
func TestExportInTheRequestsGroup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ctx     func() (context.Context, *ackwait.Group)
		inGroup bool
		export  func(tr exporter.Traces, lg exporter.Logs, ctx context.Context) error
	}{
		{name: "traces in a group", ctx: withGroup, inGroup: true,
			export: func(tr exporter.Traces, _ exporter.Logs, ctx context.Context) error {
				return tr.ConsumeTraces(ctx, oneSpan("GET /users/{id}"))
			}},
		{name: "logs in a group", ctx: withGroup, inGroup: true,
			export: func(_ exporter.Traces, lg exporter.Logs, ctx context.Context) error {
				return lg.ConsumeLogs(ctx, alertLogs())
			}},
		{name: "traces without a group", ctx: func() (context.Context, *ackwait.Group) { return context.Background(), nil },
			export: func(tr exporter.Traces, _ exporter.Logs, ctx context.Context) error {
				return tr.ConsumeTraces(ctx, oneSpan("GET /users/{id}"))
			}},
		{name: "alerts, group detached", ctx: func() (context.Context, *ackwait.Group) {
			ctx, g := ackwait.With(context.Background())
			return ackwait.Detach(ctx), g
		}, export: func(_ exporter.Traces, lg exporter.Logs, ctx context.Context) error {
			return lg.ConsumeLogs(ctx, alertLogs())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			d := &disk{entered: make(chan struct{}, 1), release: make(chan struct{})}
			tr, lg := startOn(t, cfg, d)
			d.hold.Store(true)
			ctx, g := tc.ctx()
			done := make(chan error, 1)
			go func() { done <- tc.export(tr, lg, ctx) }()
			<-d.entered // its fsync has begun and is held
			select {
			case err := <-done:
				if !tc.inGroup {
					close(d.release)
					t.Fatal("returned before its records were fsynced")
				}
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				if tc.inGroup {
					close(d.release)
					t.Fatal("the export waited for its fsync in the request's group")
				}
			}
			if !tc.inGroup {
				close(d.release)
				require.NoError(t, <-done)
				return
			}
			acked := make(chan error, 1)
			go func() { acked <- g.Wait() }()
			select {
			case <-acked:
				close(d.release)
				t.Fatal("the group's wait returned before the fsync")
			default:
			}
			close(d.release)
			require.NoError(t, <-acked)
		})
	}
}

func withGroup() (context.Context, *ackwait.Group) { return ackwait.With(context.Background()) }

// TestFailedWriteInTheRequestsGroup: a write that fails in the group is
// retried as retry_on_failure says, and the group's Wait returns once it
// succeeded (the request is acknowledged, its records written once), or
// returns the failure when retrying is off (the request fails, and its
// sender sends it again).
func TestFailedWriteInTheRequestsGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry bool
	}{
		{name: "retried until storage returns", retry: true},
		{name: "no retry: the request fails"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.RetryConfig.Enabled = tc.retry
			cfg.RetryConfig.InitialInterval = time.Millisecond
			cfg.RetryConfig.MaxInterval = 5 * time.Millisecond
			d := &disk{err: &os.PathError{Op: "write", Path: "audit", Err: syscall.ENOSPC}}
			tr, _ := startOn(t, cfg, d)
			d.fail.Store(true)
			ctx, g := ackwait.With(context.Background())
			if !tc.retry {
				require.NoError(t, tr.ConsumeTraces(ctx, oneSpan("GET /users/{id}")), "the failure comes with the group")
				require.ErrorIs(t, g.Wait(), syscall.ENOSPC)
				d.fail.Store(false)
				assert.Zero(t, countSpans(t, cfg))
				return
			}
			acked := make(chan error, 1)
			go func() {
				err := tr.ConsumeTraces(ctx, oneSpan("GET /users/{id}"))
				acked <- errors.Join(err, g.Wait())
			}()
			// Storage returns once the write has failed a few times.
			time.Sleep(20 * time.Millisecond)
			d.fail.Store(false)
			require.NoError(t, <-acked)
			assert.Equal(t, 1, countSpans(t, cfg))
		})
	}
}

// TestConcurrentExportsInGroups: requests exported at once in groups of
// their own, while other readers read the same spans (token_anomaly and
// the debug exporter in the fanout), are each written once (run with
// -race).
func TestConcurrentExportsInGroups(t *testing.T) {
	cfg := testConfig(t)
	tr, _ := startOn(t, cfg, &disk{})
	const requests = 8
	var wg sync.WaitGroup
	for i := range requests {
		td := oneSpan(fmt.Sprintf("GET /items/%d", i))
		wg.Go(func() {
			ctx, g := ackwait.With(context.Background())
			assert.NoError(t, tr.ConsumeTraces(ctx, td))
			_ = td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().AsRaw() // another reader
			assert.NoError(t, g.Wait())
		})
	}
	wg.Wait()
	assert.Equal(t, requests, countSpans(t, cfg))
}
