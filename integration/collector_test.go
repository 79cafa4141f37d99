package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// binary returns the distribution to test.
func binary(t *testing.T) string {
	t.Helper()
	return builtBinary(t, "OTELCOL_BIN", "the distribution")
}

// builtBinary returns the path that `make test` put in env, or skips
// outside CI (and fails in CI, where a skip would hide a broken build).
func builtBinary(t *testing.T, env, what string) string {
	t.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: run `make test`, which builds %s first", env, what)
		}
		t.Skipf("%s not set; `make test` builds %s and sets it", env, what)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	return bin
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sink is an OTLP/HTTP server that keeps what the collector exports.
type sink struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	logs   []plog.Logs
	raw    bytes.Buffer // every request body as received
	srv    *http.Server
	addr   string
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/traces", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.traces = append(s.traces, req.Traces())
		s.raw.Write(body)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := ptraceotlp.NewExportResponse().MarshalProto()
		_, _ = w.Write(out)
	})
	mux.HandleFunc("/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.logs = append(s.logs, req.Logs())
		s.raw.Write(body)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := plogotlp.NewExportResponse().MarshalProto()
		_, _ = w.Write(out)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = l.Addr().String()
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// collector is a running distribution.
type collector struct {
	cmd     *exec.Cmd
	log     *syncBuffer
	dir     string
	otlp    string // OTLP/HTTP base URL
	metrics string // the collector's own Prometheus endpoint
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCollector writes config (with {{OTLP}}, {{SINK}}, {{DIR}} and
// {{METRICS}} filled in), starts the binary and waits until OTLP answers.
func startCollector(t *testing.T, config string, sinkAddr string, env ...string) *collector {
	t.Helper()
	return startCollectorIn(t, t.TempDir(), config, sinkAddr, env...)
}

// ownMetricsOff turns the collector's own metrics off: they default to
// port 8888, which another collector on the machine (a second test run,
// CI beside `make test`) may hold.
const ownMetricsOff = "--set=service::telemetry::metrics::level=none"

// startCollectorIn starts the collector in dir, which may hold the state
// of an earlier run (a restart).
func startCollectorIn(t *testing.T, dir, config string, sinkAddr string, env ...string) *collector {
	t.Helper()
	bin := binary(t)
	otlpPort, metricsPort := freePort(t), freePort(t)
	r := strings.NewReplacer("{{OTLP}}", fmt.Sprintf("127.0.0.1:%d", otlpPort), "{{SINK}}", "http://"+sinkAddr,
		"{{DIR}}", dir, "{{METRICS}}", fmt.Sprint(metricsPort))
	cfgPath := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(r.Replace(config)), 0o600))

	c := &collector{log: &syncBuffer{}, dir: dir, otlp: fmt.Sprintf("http://127.0.0.1:%d", otlpPort),
		metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)}
	args := []string{"--config", cfgPath}
	if !strings.Contains(config, "\n  telemetry:") {
		args = append(args, ownMetricsOff)
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Dir = dir
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	c.cmd.Env = append(os.Environ(), env...)
	require.NoError(t, c.cmd.Start())
	t.Cleanup(func() { c.stop(t) })

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Post(c.otlp+"/v1/traces", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			return c
		}
		if c.cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("collector did not start: %v\n%s", err, c.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill ends the collector with SIGKILL: no shutdown, as in a crash.
func (c *collector) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(t *testing.T) {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("collector exited with %v\n%s", err, c.log.String())
		}
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Errorf("collector did not stop within 20s\n%s", c.log.String())
	}
}

func (c *collector) sendTraces(t *testing.T, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	c.post(t, "/v1/traces", body, nil)
}

func (c *collector) sendLogs(t *testing.T, ld plog.Logs, headers map[string]string) {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	c.post(t, "/v1/logs", body, headers)
}

// trySendTraces is sendTraces for a collector that may be dying: it
// returns the failure instead of failing the test.
func (c *collector) trySendTraces(td ptrace.Traces) error {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return err
	}
	resp, err := http.Post(c.otlp+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func (c *collector) post(t *testing.T, path string, body []byte, headers map[string]string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.otlp+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(out))
}

// auditctl returns the auditctl binary that `make test` builds.
func auditctl(t *testing.T) string {
	t.Helper()
	return builtBinary(t, "AUDITCTL_BIN", "auditctl")
}

// scrape returns the collector's own metrics.
func (c *collector) scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(c.metrics)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// filesUnder concatenates every regular file under dir.
func filesUnder(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		all.WriteString(path + "\n")
		all.Write(b)
		return nil
	}))
	return all.String()
}
