package integration

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// crashCycles is how many kill -9 cycles TestIntegrationCrashCycles
// runs: TOKENAUDIT_CRASH_CYCLES (`make crash` sets 50), else 4.
func crashCycles(t *testing.T) int {
	v := os.Getenv("TOKENAUDIT_CRASH_CYCLES")
	if v == "" {
		return 4
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "TOKENAUDIT_CRASH_CYCLES")
	return n
}

// crashPlan is how many cycles to run and the generator of the moments to
// kill at, seeded from the clock and logged, so a failure can be replayed.
func crashPlan(t *testing.T) (int, *rand.Rand) {
	cycles := crashCycles(t)
	seed := time.Now().UnixNano()
	t.Logf("%d cycles, seed %d", cycles, seed)
	return cycles, rand.New(rand.NewPCG(uint64(seed), 1))
}

// TestIntegrationCrashCycles kills the collector with SIGKILL at random
// moments while spans stream in (persistent queue, fsync before ack), and
// restarts it on the same state, cycle after cycle. After every restart
// the log verifies and holds every span whose export the sender saw
// acknowledged exactly once, and no span twice; the sender resends what
// was not acknowledged, as an OTLP client does.
func TestIntegrationCrashCycles(t *testing.T) {
	cycles, rnd := crashPlan(t)
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit")
	pub := filepath.Join(dir, "keys", "audit.key.pub")
	at := time.Now().Truncate(time.Second)
	load := &crashLoad{}
	secrets := map[string]bool{}
	check := func(cycle int, col *collector) {
		acked := load.count()
		waitForRecords(t, audit, acked, col)
		code, out := runAuditctl(t, "verify", audit, "-key", pub)
		require.Equal(t, 0, code, "cycle %d: %s", cycle, out)
		bySpan := requireEachSpanOnce(t, audit, acked)
		for id, n := range bySpan {
			require.Equal(t, 1, n, "cycle %d: span %s is in the log %d times", cycle, id, n)
		}
	}
	for cycle := range cycles {
		col := startCollectorIn(t, dir, auditLogConfig, "127.0.0.1:1")
		if cycle > 0 {
			check(cycle, col)
		}
		load.untilKilled(col, func(first int) ptrace.Traces {
			td, keys := credentialedSpans(first, crashBatch, at)
			for _, k := range keys {
				secrets[k] = true // sent, whether acknowledged or not
			}
			return td
		}, func() { time.Sleep(time.Duration(100+rnd.IntN(1400)) * time.Millisecond) })
	}
	col := startCollectorIn(t, dir, auditLogConfig, "127.0.0.1:1")
	check(cycles, col)
	col.stop(t)
	acked := load.count()
	require.Positive(t, acked)
	everything := filesUnder(t, dir) + col.log.String()
	for k := range secrets {
		require.NotContains(t, everything, k)
	}
	t.Logf("%d kill -9 cycles: %d spans acknowledged, all in a log that verifies, each once", cycles, acked)
}

// crashBatch is how many spans the crash tests send per request.
const crashBatch = 50

// crashLoad is the sender of the crash tests: it numbers spans from 0 and
// remembers how many were acknowledged; what was not is sent again to the
// next collector, as an OTLP client does.
type crashLoad struct {
	mu    sync.Mutex
	acked int // spans 0..acked-1 were acknowledged
}

func (l *crashLoad) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

// untilKilled streams batches (spans first..first+crashBatch-1) into col
// from the first span not acknowledged, kills the collector with SIGKILL
// once settle returns, and returns when the sender has stopped.
func (l *crashLoad) untilKilled(col *collector, batch func(first int) ptrace.Traces, settle func()) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := l.count(); ; i += crashBatch {
			select {
			case <-stop:
				return
			default:
			}
			if err := col.trySendTraces(batch(i)); err != nil {
				return // the collector died under us: resend next cycle
			}
			l.mu.Lock()
			l.acked = i + crashBatch
			l.mu.Unlock()
		}
	}()
	settle()
	col.kill()
	close(stop)
	<-done
}
