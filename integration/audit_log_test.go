package integration

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/ocsfcheck"
)

// auditLogConfig is token_audit → audit_log as config.yaml runs it: no
// sending queue, the log is the write-ahead log (a request is answered
// once its records are fsynced).
const auditLogConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
        include_metadata: true
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/data/fingerprint.key
      create_key_file: true
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      create_key_file: true
      key_name: integration.test/audit
    checkpoint:
      every_records: 100
      interval: 1s
      mirror_directory: {{DIR}}/mirror
    rotation:
      max_megabytes: 1
      compression: gzip
    sending_queue:
      enabled: false
    retry_on_failure:
      initial_interval: 100ms
      max_elapsed_time: 0
service:
  telemetry:
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{METRICS}}
  pipelines:
    traces:
      receivers: [otlp]
      # No batch processor: it acknowledges what it only holds in memory,
      # so a crash would lose it. audit_log groups concurrent requests.
      processors: [token_audit]
      exporters: [audit_log]
`

// credentialedSpans makes n server spans, each with its own API key and
// span id (so each is one audit record), starting at span number first.
func credentialedSpans(first, n int, at time.Time) (ptrace.Traces, []string) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders-api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	var keys []string
	for i := first; i < first+n; i++ {
		s := spans.AppendEmpty()
		s.SetName("GET /orders/{id}")
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{0xaa, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		s.SetSpanID(spanID(i))
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/orders/{id}")
		a.PutInt("http.response.status_code", 200)
		a.PutStr("client.address", "198.51.100.23")
		key := fmt.Sprintf("ghp_IntegrationAuditKey%016d", i%50)
		keys = append(keys, key)
		a.PutStr("http.request.header.x-api-key", key)
	}
	return td, keys
}

func spanID(i int) pcommon.SpanID {
	return pcommon.SpanID{0x5a, 0, 0, 0, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
}

// auditRecords reads every record of the log (plain and gzip segments)
// with code of its own, not auditctl's: the JSON lines themselves. A
// segment present both plain and compressed (compression under way) is
// read once, plain.
func auditRecords(t *testing.T, dir string) []map[string]any {
	t.Helper()
	// A live log may compress a segment between the listing and the read.
	for range 10 {
		if recs, ok := tryAuditRecords(t, dir); ok {
			return recs
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("audit log %s kept changing under the reader", dir)
	return nil
}

func tryAuditRecords(t *testing.T, dir string) ([]map[string]any, bool) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, true
	}
	require.NoError(t, err)
	plain := map[string]bool{}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "audit-") && strings.HasSuffix(n, ".jsonl") {
			plain[n] = true
			names = append(names, n)
		}
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "audit-") && strings.HasSuffix(n, ".jsonl.gz") && !plain[strings.TrimSuffix(n, ".gz")] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var recs []map[string]any
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return nil, false
		}
		data := readSegment(t, p)
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil { // a torn last line is the exporter's to repair
				recs = append(recs, m)
			}
		}
	}
	return recs, true
}

func readSegment(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if !strings.HasSuffix(path, ".gz") {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// spanRecords counts API Activity records by span id.
func spanRecords(recs []map[string]any) map[string]int {
	n := map[string]int{}
	for _, r := range recs {
		if r["class_uid"] != float64(6003) {
			continue
		}
		if tr, ok := r["trace"].(map[string]any); ok {
			if sp, ok := tr["span"].(map[string]any); ok {
				n[sp["uid"].(string)]++
			}
		}
	}
	return n
}

// requireEachSpanOnce checks that spans 0..n-1 each have exactly one
// record in the log, and returns the record count of every span.
func requireEachSpanOnce(t *testing.T, audit string, n int) map[string]int {
	t.Helper()
	recs := auditRecords(t, audit)
	bySpan := spanRecords(recs)
	for i := 0; i < n; i++ {
		id := spanID(i).String()
		if bySpan[id] > 1 {
			for _, r := range recs {
				if b, _ := json.Marshal(r); strings.Contains(string(b), id) {
					t.Logf("record of span %s: %s", id, b)
				}
			}
		}
		require.Equal(t, 1, bySpan[id], "acknowledged span %d (%s) must be in the log exactly once", i, id)
	}
	return bySpan
}

func runAuditctl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(auditctl(t), args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	require.NoError(t, err, string(out))
	return 0, string(out)
}

// waitForRecords polls until the log holds want API Activity records.
func waitForRecords(t *testing.T, dir string, want int, col *collector) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n := len(spanRecords(auditRecords(t, dir))); n >= want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("audit log holds %d of %d records\n%s", n, want, col.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	require.NoError(t, exec.Command("cp", "-a", src+"/.", dst).Run())
	return dst
}

// TestIntegrationAuditLog: spans through token_audit → audit_log give
// records that auditctl verify accepts; every tampering is then named.
func TestIntegrationAuditLog(t *testing.T) {
	dir := t.TempDir()
	col := startCollectorIn(t, dir, auditLogConfig, "127.0.0.1:1")
	at := time.Now().Truncate(time.Second)
	var secrets []string
	const total = 3000 // enough for 1 MB segments to rotate
	for i := 0; i < total; i += 500 {
		td, keys := credentialedSpans(i, 500, at)
		secrets = append(secrets, keys...)
		col.sendTraces(t, td)
	}
	audit := filepath.Join(dir, "audit")
	waitForRecords(t, audit, total, col)
	metrics := col.scrape(t)
	col.stop(t)

	pub := filepath.Join(dir, "keys", "audit.key.pub")
	code, out := runAuditctl(t, "verify", audit, "-key", pub, "-checkpoint", filepath.Join(dir, "mirror", "checkpoint"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "VALID")

	recs := auditRecords(t, audit)
	schema, err := ocsfcheck.LoadOCSF180()
	require.NoError(t, err)
	for i, r := range recs {
		require.Empty(t, schema.Validate(r), "record %d is not valid OCSF 1.8.0: %v", i, r)
	}
	bySpan := spanRecords(recs)
	assert.Len(t, bySpan, total)
	for id, n := range bySpan {
		require.Equal(t, 1, n, "span %s written %d times", id, n)
	}
	segs, _ := filepath.Glob(filepath.Join(audit, "audit-*.jsonl.gz"))
	require.NotEmpty(t, segs, "rotation with compression")
	assert.Contains(t, metrics, "otelcol_audit_log_records")

	// No raw credential anywhere: the log, the checkpoints, the
	// collector's own output.
	everything := filesUnder(t, dir) + col.log.String()
	for _, s := range secrets {
		require.NotContains(t, everything, s)
	}

	// A proof of one record checks without the log.
	proof := filepath.Join(t.TempDir(), "proof.json")
	code, out = runAuditctl(t, "prove", audit, "-index", "42", "-out", proof)
	require.Equal(t, 0, code, out)
	code, out = runAuditctl(t, "check-proof", proof, "-key", pub)
	require.Equal(t, 0, code, out)

	tamper := []struct {
		name string
		do   func(t *testing.T, dir string)
		want string
	}{
		{"modify a record", func(t *testing.T, d string) {
			editSealed(t, d, func(lines []string) []string {
				require.Contains(t, lines[10], "orders")
				lines[10] = strings.Replace(lines[10], "orders", "ordxrs", 1)
				return lines
			})
		}, "modified_record"},
		{"delete a record", func(t *testing.T, d string) {
			editSealed(t, d, func(lines []string) []string { return append(lines[:2:2], lines[3:]...) })
		}, "deleted_record"},
		{"reorder records", func(t *testing.T, d string) {
			editSealed(t, d, func(lines []string) []string { lines[1], lines[2] = lines[2], lines[1]; return lines })
		}, "reordered_record"},
		{"truncate the tail", func(t *testing.T, d string) {
			segs, _ := filepath.Glob(filepath.Join(d, "audit-*.jsonl"))
			require.NoError(t, os.Truncate(segs[len(segs)-1], 0))
		}, "truncated_after_checkpoint"},
		{"delete a rotated file", func(t *testing.T, d string) {
			segs, _ := filepath.Glob(filepath.Join(d, "audit-*.jsonl.gz"))
			require.NoError(t, os.Remove(segs[0]))
		}, "missing_file"},
		{"forge a checkpoint", func(t *testing.T, d string) {
			p := filepath.Join(d, "checkpoints.jsonl")
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			forged := regexp.MustCompile(`\\n(\d+)\\n`).ReplaceAllFunc(data, func(m []byte) []byte { return append(m[:len(m)-2:len(m)-2], '7', '\\', 'n') })
			require.NotEqual(t, data, forged)
			require.NoError(t, os.WriteFile(p, forged, 0o600))
		}, "bad_signature"},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			d := copyTree(t, audit)
			tc.do(t, d)
			code, out := runAuditctl(t, "verify", d, "-key", pub)
			assert.Equal(t, 1, code, out)
			assert.Contains(t, out, "INVALID "+tc.want, out)
		})
	}
}

// editSealed rewrites the first sealed (gzip) segment line by line.
func editSealed(t *testing.T, dir string, edit func([]string) []string) {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(dir, "audit-*.jsonl.gz"))
	require.NotEmpty(t, segs)
	p := segs[0]
	lines := strings.Split(strings.TrimSuffix(string(readSegment(t, p)), "\n"), "\n")
	require.Greater(t, len(lines), 3)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(strings.Join(edit(lines), "\n") + "\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.Chmod(p, 0o600))
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o600))
}

// TestIntegrationAuditLogStorageFaults: the audit log's file system
// fills up, or its directory turns read-only, while spans arrive. The
// collector stays up, counts and logs the failures, holds the senders
// back (no queue: their requests wait while audit_log retries), and once
// storage returns answers them and writes every span, once, to a log
// that verifies.
func TestIntegrationAuditLogStorageFaults(t *testing.T) {
	cases := []struct {
		name    string
		tmpfs   string // size of a tmpfs mounted on the log's directory; "" for none
		fault   func(t *testing.T, audit string)
		repair  func(t *testing.T, audit string)
		message string
	}{
		{
			name: "disk full", tmpfs: "1m",
			repair:  func(t *testing.T, audit string) { remount(t, audit, "remount,size=64m") },
			message: "no space left on device",
		},
		{
			// A mounted file system cannot turn read-only while the
			// exporter holds files open for writing (the kernel says
			// busy), so the directory itself does: immutable for root,
			// which permission bits do not stop, else mode 0500. New
			// segments and checkpoints can no longer be created in it.
			name:    "directory read-only",
			fault:   func(t *testing.T, audit string) { setReadOnly(t, audit, true) },
			repair:  func(t *testing.T, audit string) { setReadOnly(t, audit, false) },
			message: "Audit log write failed; the batch is returned to the sender",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			audit := filepath.Join(dir, "audit")
			require.NoError(t, os.MkdirAll(audit, 0o700))
			if tc.tmpfs != "" {
				if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+tc.tmpfs+",mode=0700", "tmpfs", audit).CombinedOutput(); err != nil {
					// Containers without CAP_SYS_ADMIN cannot; the exporter's
					// unit tests inject the same faults without a mount.
					t.Skipf("SKIPPED: mounting a small tmpfs needs CAP_SYS_ADMIN: %v: %s", err, out)
				}
				t.Cleanup(func() { _ = exec.Command("umount", "-l", audit).Run() })
			}

			config := strings.Replace(auditLogConfig, "      initial_interval: 100ms\n", "      initial_interval: 100ms\n      max_interval: 500ms\n", 1)
			col := startCollectorIn(t, dir, config, "127.0.0.1:1")
			at := time.Now().Truncate(time.Second)
			const total = 3000 // about 4 MB of records: four times the small file system, four 1 MB segments
			td, _ := credentialedSpans(0, 250, at)
			col.sendTraces(t, td)
			waitForRecords(t, audit, 250, col)
			failuresBefore := sumMetric(col.scrape(t), "otelcol_audit_log_write_failures")
			if tc.fault != nil {
				tc.fault(t, audit)
				t.Cleanup(func() { tc.repair(t, audit) })
			}
			// Concurrent senders, as OTLP clients are: each request is
			// answered only once its spans are on disk.
			sent := make(chan error, total/250)
			for i := 250; i < total; i += 250 {
				td, _ := credentialedSpans(i, 250, at)
				go func() { sent <- col.trySendTraces(td) }()
			}
			deadline := time.Now().Add(30 * time.Second)
			for sumMetric(col.scrape(t), "otelcol_audit_log_write_failures") == failuresBefore {
				require.True(t, time.Now().Before(deadline), "no write failure was counted\n%s", col.log.String())
				time.Sleep(100 * time.Millisecond)
			}
			// The log reaches the test through a pipe, maybe after the metric.
			assert.Eventually(t, func() bool { return strings.Contains(col.log.String(), tc.message) }, 5*time.Second, 50*time.Millisecond,
				"the failure is logged:\n%s", col.log.String())
			require.Nil(t, col.cmd.ProcessState, "the collector must stay up")

			tc.repair(t, audit)
			for i := 250; i < total; i += 250 {
				require.NoError(t, <-sent, "a held-back request is answered once storage returns")
			}
			waitForRecords(t, audit, total, col)
			col.stop(t)

			code, vout := runAuditctl(t, "verify", audit, "-key", filepath.Join(dir, "keys", "audit.key.pub"))
			require.Equal(t, 0, code, vout)
			requireEachSpanOnce(t, audit, total)
		})
	}
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	out, err := exec.Command("mount", "-o", opts, dir).CombinedOutput()
	require.NoError(t, err, string(out))
}

// setReadOnly makes dir read-only for this process, or writable again.
func setReadOnly(t *testing.T, dir string, on bool) {
	t.Helper()
	if os.Geteuid() != 0 {
		mode := os.FileMode(0o700)
		if on {
			mode = 0o500
		}
		require.NoError(t, os.Chmod(dir, mode))
		return
	}
	flag := "-i"
	if on {
		flag = "+i"
	}
	if out, err := exec.Command("chattr", flag, dir).CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: chattr %s: %v: %s (the exporter's unit tests inject EROFS)", flag, err, out)
	}
}
