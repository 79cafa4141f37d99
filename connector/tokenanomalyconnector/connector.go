package tokenanomalyconnector

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
)

type input uint8

const (
	inputTraces input = iota + 1
	inputLogs
)

// anomalyConnector is one pair's instance; the work happens in the
// shared model.
type anomalyConnector struct {
	component  *sharedcomponent.Component[*sharedModel]
	shared     *sharedModel
	input      input
	logsOut    consumer.Logs
	metricsOut consumer.Metrics

	reads atomic.Bool // this pair reads its input (see assignRoles)
}

func (c *anomalyConnector) Start(ctx context.Context, host component.Host) error {
	if err := c.component.Start(ctx, host); err != nil {
		return err
	}
	c.shared.join(c)
	return nil
}

func (c *anomalyConnector) Shutdown(ctx context.Context) error {
	c.shared.leave(c)
	return c.component.Shutdown(ctx)
}

func (c *anomalyConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *anomalyConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if !c.reads.Load() {
		return nil
	}
	return c.shared.consumeTraces(ctx, td)
}

func (c *anomalyConnector) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if !c.reads.Load() {
		return nil
	}
	return c.shared.consumeLogs(ctx, ld)
}
