package tokenauditprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
)

// The consumers after token_audit may leave a durable write of the request
// running when they return (internal/ackwait): token_anomaly's outbox
// entry is fsynced while audit_log appends. token_audit returns, and the
// receiver acknowledges the request, only once every such write is done.

type waitingTraces struct{ processor.Traces }

func (w waitingTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	ctx, g := ackwait.With(ctx)
	err := w.Traces.ConsumeTraces(ctx, td)
	g.Wait()
	return err
}

type waitingLogs struct{ processor.Logs }

func (w waitingLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	ctx, g := ackwait.With(ctx)
	err := w.Logs.ConsumeLogs(ctx, ld)
	g.Wait()
	return err
}
