package integration

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nginxBinary is Debian's nginx (.ci/run installs it). Outside CI a
// machine without it skips the test; in CI its absence is a failure.
func nginxBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("nginx is not installed: .ci/run installs it (apt-get install nginx)")
		}
		t.Skip("nginx is not installed (Debian: apt-get install nginx)")
	}
	return bin
}

// nginxServer is an nginx of the test's own: its prefix, configuration
// and logs in a temporary directory, on a loopback port, a child process.
type nginxServer struct {
	url string
	cmd *exec.Cmd
}

// startNginx runs nginx with logFormat (the page's log_format) writing
// accessLog. /login answers 401, /admin/ 403, everything else 200.
func startNginx(t *testing.T, logFormat, accessLog string) *nginxServer {
	t.Helper()
	bin := nginxBinary(t)
	prefix := t.TempDir()
	port := freePort(t)
	// The page's log_format, without its access_log line: the server
	// block logs to accessLog.
	format := strings.Replace(logFormat, "\naccess_log /var/log/nginx/access.json tokenaudit_json;\n", "\n", 1)
	require.NotContains(t, format, "access_log", "the page's access_log line changed; update the test")
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  client_body_temp_path %[1]s/client_body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
%[2]s
  server {
    listen 127.0.0.1:%[3]d;
    access_log %[4]s tokenaudit_json;
    location = /login { return 401; }
    location /admin/ { return 403; }
    location / { return 200 "ok\n"; }
  }
}
`, prefix, format, port, accessLog)
	confPath := filepath.Join(prefix, "nginx.conf")
	require.NoError(t, os.WriteFile(confPath, []byte(conf), 0o600))
	n := &nginxServer{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	n.cmd = exec.Command(bin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "error.log"))
	out := &syncBuffer{}
	n.cmd.Stdout, n.cmd.Stderr = out, out
	require.NoError(t, n.cmd.Start())
	t.Cleanup(func() {
		_ = n.cmd.Process.Signal(syscall.SIGQUIT)
		_ = n.cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(n.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return n
		}
		if time.Now().After(deadline) {
			errLog, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Fatalf("nginx did not start: %v\n%s%s", err, out.String(), errLog)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// nginxRequest is one request the test sends and what its record must say.
type nginxRequest struct {
	method, path string
	header       map[string]string
	outcome      string
	principal    string
}

func (n *nginxServer) do(t *testing.T, client *http.Client, r nginxRequest) {
	req, err := http.NewRequest(r.method, n.url+r.path, nil)
	require.NoError(t, err)
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// burst sends n copies of r at once, so that nginx logs several of them
// within one millisecond: lines identical to the byte.
func (n *nginxServer) burst(t *testing.T, r nginxRequest, count int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: count}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n.do(t, client, r)
		}()
	}
	close(start)
	wg.Wait()
}

// TestIntegrationNginx runs Debian's nginx with the log format of
// docs/access-logs.md and the collector with the page's production
// configuration, and drives nginx with an HTTP client: JWTs (one expired,
// one in the query), API keys in headers and the query, Basic, bursts of
// identical failed requests within a millisecond, a restricted path. Each
// request is one record with its outcome, principal and nginx's own time;
// the findings are recorded; the log verifies; no credential is in any
// file the collector wrote.
func TestIntegrationNginx(t *testing.T) {
	logFormat := docBlock(t, "docs/access-logs.md", "## nginx", "nginx")
	s := newDocumentedSetup(t, "nginx", `restricted:
  - resource: "* /admin/**"
    principals: [admin-bot]
`)
	s.validate(t)
	ngx := startNginx(t, logFormat, s.logFile) // its first request is logged: the collector starts after it
	col := s.start(t)

	now := time.Now()
	jwt := func(sub string, exp time.Time) string {
		return signedJWT(t, map[string]any{"iss": "https://idp.example.com", "sub": sub, "aud": "orders",
			"iat": now.Add(-2 * time.Hour).Unix(), "exp": exp.Unix()})
	}
	alice := jwt("alice", now.Add(time.Hour))
	expired := jwt("carol", now.Add(-time.Hour))
	inQuery := jwt("dave", now.Add(time.Hour))
	apiKey := "nginx-test-api-key-0123456789abcdef"
	gitlab := "glpat-NginxTestPrivateToken01"
	queryKey := "nginx-test-query-api-key-987654321"
	basicPass := "nginx-basic-password"
	basic := base64.StdEncoding.EncodeToString([]byte("bob:" + basicPass))
	unknown := "nginx-unknown-bearer-token-000000001"
	secrets := []string{alice, expired, inQuery, apiKey, gitlab, queryKey, basicPass, basic, unknown,
		alice[strings.LastIndexByte(alice, '.')+1:]}

	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	single := []nginxRequest{
		{"GET", "/orders/1001", bearer(alice), "success", "alice"},
		{"POST", "/orders", bearer(alice), "success", "alice"},
		{"GET", "/orders/1002", bearer(expired), "success", "carol"},
		{"GET", "/reports", map[string]string{"X-API-Key": apiKey}, "success", "unknown"},
		{"GET", "/projects/7", map[string]string{"Private-Token": gitlab}, "success", "unknown"},
		{"GET", "/users/42", map[string]string{"Authorization": "Basic " + basic}, "success", "bob"},
		{"GET", "/export?format=csv&access_token=" + inQuery, nil, "success", "dave"},
		{"GET", "/export?api_key=" + queryKey, nil, "success", "unknown"},
	}
	restricted := nginxRequest{"GET", "/admin/keys", bearer(alice), "denied", "alice"}
	failed := nginxRequest{"POST", "/login", bearer(unknown), "failure", "unknown"}

	client := &http.Client{}
	var sent []nginxRequest
	for _, r := range single {
		ngx.do(t, client, r)
		sent = append(sent, r)
	}
	for range 5 {
		ngx.do(t, client, restricted)
		sent = append(sent, restricted)
	}
	// Bursts of 15 identical failures until two of them share a millisecond.
	identical := 0
	for range 10 {
		ngx.burst(t, failed, 15)
		for range 15 {
			sent = append(sent, failed)
		}
		if identical = identicalLines(t, s.logFile); identical > 0 {
			break
		}
	}
	require.Positive(t, identical, "no two requests of a burst fell into one millisecond")

	// nginx writes a request's line after it sent the response, so the
	// last lines of a burst may land a moment after the client has all
	// its answers.
	lines := accessLines(t, s.logFile)
	for deadline := time.Now().Add(10 * time.Second); len(lines) < len(sent)+1 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		lines = accessLines(t, s.logFile)
	}
	require.Len(t, lines, len(sent)+1, "nginx logged each request (and the first one before the collector)")
	waitForActivities(t, s.audit, len(sent), col)
	time.Sleep(2 * time.Second) // nothing more may come: findings, and no extra records
	col.stop(t)
	recs := apiActivities(t, s.audit)
	require.Len(t, recs, len(sent), "one record per request: %d lines identical to another were written too", identical)

	// Outcomes and principals, as a multiset: records are not in request order.
	want, got := map[string]int{}, map[string]int{}
	for _, r := range sent {
		want[r.outcome+" "+r.principal]++
	}
	for _, r := range recs {
		got[fmt.Sprint(r["status_detail"], " ", r["actor"].(map[string]any)["user"].(map[string]any)["uid"])]++
	}
	assert.Equal(t, want, got, "outcome and principal of each request")

	// Event time: each record's time is its line's $msec.
	var lineTimes, recTimes []string
	for _, l := range lines[1:] {
		lineTimes = append(lineTimes, strings.ReplaceAll(l[len(`{"time":"`):strings.Index(l, `","status"`)], ".", ""))
	}
	for _, r := range recs {
		recTimes = append(recTimes, fmt.Sprintf("%.0f", r["time"].(float64)))
	}
	sort.Strings(lineTimes)
	sort.Strings(recTimes)
	assert.Equal(t, lineTimes, recTimes, "event time is nginx's $msec")

	// Findings: stateless verdicts on the records, alerts from token_anomaly.
	violations := map[string]int{}
	for _, r := range recs {
		if v, ok := r["unmapped"].(map[string]any)["tokenaudit"].(map[string]any)["violations"].([]any); ok {
			for _, x := range v {
				violations[x.(string)]++
			}
		}
	}
	assert.Equal(t, 1, violations["expired_token"], "the expired JWT: %v", violations)
	assert.Equal(t, 5, violations["restricted_resource"], "the restricted path: %v", violations)
	assert.Equal(t, 2, violations["exposed_credential"], "the two tokens in the query: %v", violations)
	findings := findingsByType(t, s.audit)
	assert.NotEmpty(t, findings["failed_attempts"], "the bursts of failures: %v", typeCounts(findings))

	// The token id is the one auditctl fingerprint gives for the token.
	fp := exec.Command(auditctl(t), "fingerprint", "-key-file", filepath.Join(s.dir, "var/lib/otelcol/keys/fingerprint.key"))
	fp.Stdin = strings.NewReader(alice)
	id, err := fp.Output()
	require.NoError(t, err)
	aliceRecords := 0
	for _, r := range recs {
		if r["actor"].(map[string]any)["user"].(map[string]any)["uid"] == "alice" {
			assert.Equal(t, strings.TrimSpace(string(id)), r["api"].(map[string]any)["token"].(map[string]any)["uid"])
			aliceRecords++
		}
	}
	assert.Equal(t, 7, aliceRecords)

	code, out := runAuditctl(t, "verify", s.audit, "-key", s.pubKey)
	require.Equal(t, 0, code, out)
	requireNoSecretWritten(t, s.dir, s.inputs, col, secrets...)
	t.Logf("%d requests (%d lines identical to an earlier one), %d records; violations %v; findings %v",
		len(sent), identical, len(recs), violations, findings)
}

// accessLines returns the lines of an access log.
func accessLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}

// identicalLines counts lines of an access log equal to an earlier one.
func identicalLines(t *testing.T, path string) int {
	t.Helper()
	seen, n := map[string]bool{}, 0
	for _, l := range accessLines(t, path) {
		if seen[l] {
			n++
		}
		seen[l] = true
	}
	return n
}
