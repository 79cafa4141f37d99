package auditlogexporter

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// countSpans counts the API Activity records of the log.
func countSpans(t *testing.T, cfg *Config) int {
	t.Helper()
	n := 0
	for _, rec := range readRecords(t, cfg.Directory) {
		if rec["class_uid"] == float64(6003) {
			n++
		}
	}
	return n
}

func TestDefaultConfigAcknowledgesOnlyWhatIsOnDisk(t *testing.T) {
	cfg := testConfig(t)
	cfg.QueueConfig = createDefaultConfig().QueueConfig // as shipped: no queue
	h := startHarness(t, cfg)
	defer h.stop(t)
	var next atomic.Uint64
	for i := 1; i <= 5; i++ {
		require.NoError(t, h.traces.ConsumeTraces(context.Background(), benchTraces(10, &next)))
		// Acknowledged means in the segment file now, not later.
		assert.Equal(t, 10*i, countSpans(t, cfg))
	}
}

func TestConcurrentExportsWriteEachRecordOnce(t *testing.T) {
	cfg := testConfig(t)
	h := startHarness(t, cfg)
	var next atomic.Uint64
	const senders, requests, spans = 8, 10, 20
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			var last ptrace.Traces
			for i := range requests {
				td := benchTraces(spans, &next)
				assert.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
				if i%3 == 2 { // a sender's retry of what was already written
					assert.NoError(t, h.traces.ConsumeTraces(context.Background(), last))
				}
				last = td
			}
		})
	}
	wg.Wait()
	h.stop(t)
	r := verify(t, cfg)
	require.True(t, r.OK(), "%v", r.Problems)
	assert.Equal(t, senders*requests*spans, countSpans(t, cfg), "every span once, replays not again")
}
