package integration

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIntegrationAccessLogCrash kills the collector of the documented
// production setup (file_log with file_storage, audit_log's persistent
// queue) with SIGKILL while nginx lines stream in, cycle after cycle. The
// lines come in pairs identical to the byte. At the end every line is in
// the log exactly once: none lost, none written twice (a line read again
// after a crash is the same record), and the two of a pair are two.
func TestIntegrationAccessLogCrash(t *testing.T) {
	cycles := crashCycles(t)
	seed := time.Now().UnixNano()
	t.Logf("%d cycles, seed %d", cycles, seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 2))
	s := newDocumentedSetup(t, "nginx", "restricted: []\n")
	base := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).UnixMilli()
	line := func(pair int) string {
		ms := base + int64(pair)
		return fmt.Sprintf(`{"time":"%d.%03d","status":401,"method":"POST","remote_addr":"192.0.2.7","request_time":0.000,`+
			`"bytes_sent":0,"host":"api.example.test","uri":"/login","args":"","x_forwarded_for":"","user_agent":"curl/8.5.0",`+
			`"authorization":"Bearer demo-nginx-token-crash-%04d"}`+"\n", ms/1000, ms%1000, pair%50)
	}
	require.NoError(t, os.WriteFile(s.logFile, []byte(firstLine(t, []byte(line(-1)))), 0o600))

	pairs := 0
	for cycle := range cycles {
		var col *collector
		if cycle == 0 {
			col = s.start(t)
		} else {
			col = s.restart(t)
		}
		var mu sync.Mutex
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			f, err := os.OpenFile(s.logFile, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				panic(err)
			}
			defer f.Close()
			for {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
				mu.Lock()
				l := line(pairs)
				_, err := f.WriteString(l + l) // one write: nginx writes whole lines
				if err == nil {
					pairs++
				}
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(300+rnd.IntN(1200)) * time.Millisecond)
		col.kill()
		close(stop)
		<-done
	}
	col := s.restart(t)
	waitForActivities(t, s.audit, 2*pairs, col)
	time.Sleep(2 * time.Second) // and no more
	col.stop(t)
	recs := apiActivities(t, s.audit)
	byTime := map[int64]int{}
	for _, r := range recs {
		byTime[int64(r["time"].(float64))]++
	}
	for p := range pairs {
		require.Equal(t, 2, byTime[base+int64(p)], "pair %d: two identical lines, two records", p)
	}
	require.Len(t, recs, 2*pairs, "no record that was not a line")
	code, out := runAuditctl(t, "verify", s.audit, "-key", s.pubKey)
	require.Equal(t, 0, code, out)
	requireNoSecretWritten(t, s.dir, s.inputs, col, "demo-nginx-token-")
	t.Logf("%d kill -9 cycles: %d lines (%d identical pairs), each once in a log that verifies", cycles, 2*pairs, pairs)
}
