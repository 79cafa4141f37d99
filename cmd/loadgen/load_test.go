package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
)

// arrivals is an OTLP traces server that notes when each request came.
type arrivals struct {
	ptraceotlp.UnimplementedGRPCServer
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	if req.Traces().SpanCount() > 0 {
		a.mu.Lock()
		a.times = append(a.times, time.Now())
		a.mu.Unlock()
	}
	return ptraceotlp.NewExportResponse(), nil
}

// TestPacedLoadArrivesSpread: at -rate, the senders' requests reach the
// collector one by one, evenly spread, and the rate reported is the rate
// asked, not one lowered by a last wait past the end of the run.
func TestPacedLoadArrivesSpread(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	a := &arrivals{}
	ptraceotlp.RegisterGRPCServer(srv, a)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	// 4 senders of 100-span requests at 4,000 spans/s: one request every
	// 25 ms in all, each sender every 100 ms.
	var out bytes.Buffer
	err = loadCmd(context.Background(), []string{"-endpoint", lis.Addr().String(), "-rate", "4000", "-batch", "100",
		"-workers", "4", "-tokens", "50", "-duration", "1s"}, &out, &out)
	require.NoError(t, err, out.String())

	a.mu.Lock()
	times := slices.Clone(a.times)
	a.mu.Unlock()
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	require.Len(t, times, 40, out.String())
	close := 0
	for i := 1; i < len(times); i++ {
		if times[i].Sub(times[i-1]) < 5*time.Millisecond {
			close++
		}
	}
	// Scheduling may bunch a few; senders in step would bunch 30 of 39.
	assert.Less(t, close, 10, "requests that came within 5 ms of the previous one")
	m := regexp.MustCompile(`spans_per_s=(\d+)`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	rate, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.InDelta(t, 4000, rate, 200, out.String())
}
