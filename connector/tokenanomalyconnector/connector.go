package tokenanomalyconnector

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

type input uint8

const (
	inputTraces input = iota + 1
	inputLogs
)

// anomalyConnector is one pair's instance; the work happens in the
// shared model.
type anomalyConnector struct {
	id         component.ID
	models     *sharedModels
	shared     *sharedModel
	input      input
	logsOut    consumer.Logs
	metricsOut consumer.Metrics

	started bool        // guarded by models.mu
	reads   atomic.Bool // this pair reads its input (see assignRoles)
}

func (c *anomalyConnector) Start(ctx context.Context, host component.Host) error {
	return c.models.start(ctx, host, c.shared, c)
}

func (c *anomalyConnector) Shutdown(ctx context.Context) error {
	return c.models.leave(ctx, c.id, c.shared, c)
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
