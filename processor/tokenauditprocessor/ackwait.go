package tokenauditprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
)

// The consumers after token_audit may leave their part of the request
// running when they return (internal/ackwait): token_anomaly's detectors
// and outbox write run while audit_log encodes and appends. token_audit
// returns, and the receiver acknowledges the request, only once every such
// part is done, with the first error of the consumers or of their parts.

type waitingTraces struct{ processor.Traces }

func (w waitingTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	ctx, g := ackwait.With(ctx)
	err := w.Traces.ConsumeTraces(ctx, td)
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}

type waitingLogs struct{ processor.Logs }

func (w waitingLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	ctx, g := ackwait.With(ctx)
	err := w.Logs.ConsumeLogs(ctx, ld)
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}
