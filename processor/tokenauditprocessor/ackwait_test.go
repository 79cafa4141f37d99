package tokenauditprocessor

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// leavesWrite is a consumer after token_audit that returns while a write
// of the request is still running (as token_anomaly leaves its outbox
// entry's fsync), until release is closed.
type leavesWrite struct {
	started chan struct{}
	release chan struct{}
	err     error // what the write returns
}

func (leavesWrite) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (l leavesWrite) write(ctx context.Context) error {
	if !ackwait.From(ctx).Go(func() error { close(l.started); <-l.release; return l.err }) {
		panic("token_audit put no group in the request's context")
	}
	return nil
}

func (l leavesWrite) ConsumeTraces(ctx context.Context, _ ptrace.Traces) error { return l.write(ctx) }
func (l leavesWrite) ConsumeLogs(ctx context.Context, _ plog.Logs) error       { return l.write(ctx) }

// TestReturnsAfterTheWritesLeftRunning: token_audit returns (and the
// receiver acknowledges) only once the writes the consumers after it left
// running are done, for spans and for logs.
func TestReturnsAfterTheWritesLeftRunning(t *testing.T) {
	for _, tc := range signalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			next := leavesWrite{started: make(chan struct{}), release: make(chan struct{})}
			done := make(chan error, 1)
			go func() { done <- tc.consume(next) }()
			<-next.started
			select {
			case <-done:
				t.Fatal("returned while a write of the request was running")
			default:
			}
			close(next.release)
			require.NoError(t, <-done)
		})
	}
}

// TestReturnsTheErrorOfAWriteLeftRunning: a write left running that fails
// (audit_log's append on a full disk) fails the request, so that the
// sender is not acknowledged and sends it again.
func TestReturnsTheErrorOfAWriteLeftRunning(t *testing.T) {
	errFull := errors.New("audit log: no space left on device")
	for _, tc := range signalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			next := leavesWrite{started: make(chan struct{}), release: make(chan struct{}), err: errFull}
			close(next.release)
			require.ErrorIs(t, tc.consume(next), errFull)
		})
	}
}

type signalCase struct {
	name    string
	consume func(next leavesWrite) error
}

// signalCases runs token_audit in front of next, once for spans and once
// for logs.
func signalCases(t *testing.T) []signalCase {
	return []signalCase{
		{name: "traces", consume: func(next leavesWrite) error {
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), testConfig(), next)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			return p.ConsumeTraces(context.Background(), ptrace.NewTraces())
		}},
		{name: "logs", consume: func(next leavesWrite) error {
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), testConfig(), next)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			return p.ConsumeLogs(context.Background(), plog.NewLogs())
		}},
	}
}
