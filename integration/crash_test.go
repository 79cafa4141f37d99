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

// TestIntegrationCrashCycles kills the collector with SIGKILL at random
// moments while spans stream in (persistent queue, fsync before ack), and
// restarts it on the same state, cycle after cycle. After every restart
// the log verifies and holds every span whose export the sender saw
// acknowledged exactly once, and no span twice; the sender resends what
// was not acknowledged, as an OTLP client does.
func TestIntegrationCrashCycles(t *testing.T) {
	cycles := crashCycles(t)
	seed := time.Now().UnixNano()
	t.Logf("%d cycles, seed %d", cycles, seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 1))
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit")
	pub := filepath.Join(dir, "keys", "audit.key.pub")
	at := time.Now().Truncate(time.Second)
	acked := 0 // spans 0..acked-1 were acknowledged
	secrets := map[string]bool{}
	check := func(cycle int, col *collector) {
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
		var mu sync.Mutex
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			mu.Lock()
			i := acked
			mu.Unlock()
			for ; ; i += 50 {
				select {
				case <-stop:
					return
				default:
				}
				td, keys := credentialedSpans(i, 50, at)
				if err := col.trySendTraces(td); err != nil {
					return // the collector died under us: resend next cycle
				}
				mu.Lock()
				acked = i + 50
				for _, k := range keys {
					secrets[k] = true
				}
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(100+rnd.IntN(1400)) * time.Millisecond)
		col.kill()
		close(stop)
		<-done
	}
	col := startCollectorIn(t, dir, auditLogConfig, "127.0.0.1:1")
	check(cycles, col)
	col.stop(t)
	require.Positive(t, acked)
	everything := filesUnder(t, dir) + col.log.String()
	for k := range secrets {
		require.NotContains(t, everything, k)
	}
	t.Logf("%d kill -9 cycles: %d spans acknowledged, all in a log that verifies, each once", cycles, acked)
}
