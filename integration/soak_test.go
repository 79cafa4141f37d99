package integration

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegrationSoak runs config.yaml (ports changed; the audit log
// rotated at 64 MB and kept to 8 segments, so the disk stays bounded) at
// half its measured capacity for TOKENAUDIT_SOAK (`make soak`: 30m), and
// samples the collector's resident memory and goroutines. After a warm-up
// (the first fifth), they must stay flat: the second half's peak resident
// memory within 10% (plus 32 MiB) of the first half's, the live heap's
// within 10% (plus 16 MiB), and goroutines within 10.
func TestIntegrationSoak(t *testing.T) {
	soak := os.Getenv("TOKENAUDIT_SOAK")
	if soak == "" {
		t.Skip("TOKENAUDIT_SOAK is not set: `make soak` runs this for 30 minutes")
	}
	duration, err := time.ParseDuration(soak)
	require.NoError(t, err)
	loadgen := builtBinary(t, "LOADGEN_BIN", "the load generator")
	// The audit log rotated at 64 MB and kept to 8 segments: the disk stays bounded.
	run := newDefaultRun(t,
		"      level: none\n", "      level: none\n    logs:\n      level: warn\n",
		"    checkpoint:\n      mirror_directory: ./data/audit-checkpoints\n",
		"    checkpoint:\n      mirror_directory: ./data/audit-checkpoints\n    rotation:\n      max_megabytes: 64\n    retention:\n      max_segments: 8\n")
	dir, cfg, grpcPort, pprofPort := run.dir, run.config, run.grpc, run.pprof
	col := startCollectorIn(t, dir, cfg, "127.0.0.1:1")
	pid := col.cmd.Process.Pid
	endpoint := fmt.Sprintf("127.0.0.1:%d", grpcPort)

	// Capacity: as fast as the collector takes it, for 20 s.
	out, err := exec.Command(loadgen, "load", "-endpoint", endpoint, "-duration", "20s", "-tokens", "10000").CombinedOutput()
	require.NoError(t, err, string(out))
	capacity, err := strconv.ParseFloat(regexp.MustCompile(`spans_per_s=(\d+)`).FindStringSubmatch(string(out))[1], 64)
	require.NoError(t, err)
	rate := capacity / 2
	t.Logf("capacity %.0f spans/s; soaking at %.0f spans/s for %s", capacity, rate, duration)

	load := exec.Command(loadgen, "load", "-endpoint", endpoint, "-duration", duration.String(), "-tokens", "10000",
		"-rate", fmt.Sprint(rate), "-pid", fmt.Sprint(pid))
	var loadOut syncBuffer
	load.Stdout, load.Stderr = &loadOut, &loadOut
	require.NoError(t, load.Start())
	type sample struct {
		at         time.Duration
		rssMiB     float64
		heapMiB    float64 // live Go heap at the sample, the steadier leak signal
		goroutines int
	}
	var samples []sample
	began := time.Now()
	every := max(duration/60, 5*time.Second)
	for time.Since(began) < duration {
		time.Sleep(every)
		s := sample{at: time.Since(began).Round(time.Second), rssMiB: rssMiB(t, pid), heapMiB: heapMiB(t, pprofPort),
			goroutines: goroutines(t, pprofPort)}
		samples = append(samples, s)
		t.Logf("%8s  rss %6.1f MiB  heap %6.1f MiB  goroutines %d", s.at, s.rssMiB, s.heapMiB, s.goroutines)
	}
	require.NoError(t, load.Wait(), loadOut.String())
	t.Logf("load: %s", strings.TrimSpace(loadOut.String()))
	col.stop(t)

	warm := samples[len(samples)/5:]
	half := len(warm) / 2
	peak := func(ss []sample) (float64, float64, int) {
		r, h, g := 0.0, 0.0, 0
		for _, s := range ss {
			r, h, g = max(r, s.rssMiB), max(h, s.heapMiB), max(g, s.goroutines)
		}
		return r, h, g
	}
	r1, h1, g1 := peak(warm[:half])
	r2, h2, g2 := peak(warm[half:])
	t.Logf("after warm-up, peaks: first half rss %.1f MiB, heap %.1f MiB, %d goroutines; second half rss %.1f MiB, heap %.1f MiB, %d goroutines",
		r1, h1, g1, r2, h2, g2)
	assert.LessOrEqual(t, r2, r1*1.1+32, "resident memory grows")
	assert.LessOrEqual(t, h2, h1*1.1+16, "the heap grows")
	assert.LessOrEqual(t, g2, g1+10, "goroutines grow")
	assert.Contains(t, loadOut.String(), " refused=0", "the collector refused spans at half its capacity")
}

func rssMiB(t *testing.T, pid int) float64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	require.Len(t, m, 2)
	kb, _ := strconv.ParseFloat(string(m[1]), 64)
	return kb / 1024
}

// heapMiB reads the live heap (runtime.MemStats.HeapAlloc) from the pprof
// extension.
func heapMiB(t *testing.T, port int) float64 {
	t.Helper()
	body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap?debug=1", port))
	m := regexp.MustCompile(`# HeapAlloc = (\d+)`).FindStringSubmatch(body)
	require.Len(t, m, 2, "pprof answered: %.200s", body)
	n, _ := strconv.ParseFloat(m[1], 64)
	return n / (1 << 20)
}

// goroutines reads the count from the pprof extension.
func goroutines(t *testing.T, port int) int {
	t.Helper()
	body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/goroutine?debug=1", port))
	m := regexp.MustCompile(`goroutine profile: total (\d+)`).FindStringSubmatch(body)
	require.Len(t, m, 2, "pprof answered: %.200s", body)
	n, _ := strconv.Atoi(m[1])
	return n
}
