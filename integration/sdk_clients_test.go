package integration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
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
)

// nodeTools returns node and npm. Outside CI a machine without Node.js
// skips the test; in CI (.ci/run installs it) their absence is a failure.
func nodeTools(t *testing.T) (node, npm string) {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or npm is not installed: .ci/run installs them (apt-get install nodejs npm)")
		}
		t.Skip("node or npm is not installed (Debian: apt-get install nodejs npm)")
	}
	return node, npm
}

// sdkRequest is one scripted request of the Node.js client
// (integration/testdata/sdkjs/app.js): sent repeat times, each answered
// with expect by the Node.js server.
type sdkRequest struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Repeat  int               `json:"repeat,omitempty"`
	Expect  int               `json:"expect"`
}

// hs256 signs claims as an HS256 JWT with key id kid.
func hs256(t *testing.T, secret, kid string, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid})
	require.NoError(t, err)
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// demoJWTSecret is the demo issuer's secret as config.yaml sets it.
func demoJWTSecret(t *testing.T, config string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*- key_id: demo\n\s*secret: \$\{env:TOKENAUDIT_DEMO_JWT_SECRET:-([^}]+)\}`).FindStringSubmatch(config)
	require.NotNil(t, m, "config.yaml no longer has the demo issuer's secret; update the test")
	return m[1]
}

// TestIntegrationSDKJS runs a Node.js service instrumented with the real
// OpenTelemetry JS SDK (integration/testdata/sdkjs: sdk-node,
// instrumentation-http with headersToSpanAttributes for Authorization and
// X-API-Key, OTLP/HTTP protobuf exporters for traces and logs) against
// the distribution on config.yaml and policy.yaml as shipped (ports,
// directories and the metrics flush interval changed). The service's own
// client sends a scripted sequence; everything checked comes from the
// SDK's spans and logs as it makes them. It checks that the findings are
// alerted and recorded (issue 13: a token refused five times with 403 on
// an API the policy has no scopes for is denied_access), that each
// credentialed item (the server spans; the client span and the access line
// of the key in the query) is one audit record with its token, type,
// principal, resource, outcome, source and client address, that a request
// seen by its client and its server span counts once (six refusals of a
// key in the query are no failed_attempts), that the log verifies, and
// that no raw credential is in any output: audit log, state, alerts,
// collector log, metrics.
func TestIntegrationSDKJS(t *testing.T) {
	node, npm := nodeTools(t)
	run := newDefaultRun(t, "flush_interval: 15s", "flush_interval: 1s")
	shipped, err := os.ReadFile(filepath.Join(run.root, "config.yaml"))
	require.NoError(t, err)
	secret := demoJWTSecret(t, string(shipped))

	// The Node.js app in a directory of its own, its modules from the lock file.
	app := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "app.js"} {
		b, err := os.ReadFile(filepath.Join(run.root, "integration/testdata/sdkjs", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(app, f), b, 0o600))
	}
	began := time.Now()
	install := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--cache", filepath.Join(t.TempDir(), "npm-cache"))
	install.Dir = app
	out, err := install.CombinedOutput()
	require.NoError(t, err, "npm ci: %s", out)
	t.Logf("npm ci: %s", time.Since(began).Round(time.Millisecond))

	col := startCollectorIn(t, run.dir, run.config, "127.0.0.1:1",
		"TOKENAUDIT_FINGERPRINT_KEY=", "TOKENAUDIT_DEMO_JWT_SECRET="+secret)

	now := time.Now()
	jwt := func(sub, scope string, exp time.Time) string {
		return hs256(t, secret, "demo", map[string]any{"iss": "https://idp.example.com", "aud": "orders-api",
			"sub": sub, "scope": scope, "iat": now.Add(-2 * time.Hour).Unix(), "exp": exp.Unix(),
			"jti": fmt.Sprintf("sdkjs-%s-%d", sub, now.UnixNano())})
	}
	alice := jwt("alice", "orders:read orders:write", now.Add(time.Hour))
	bob := jwt("bob", "orders:read", now.Add(time.Hour))
	erin := jwt("erin", "orders:read", now.Add(time.Hour))
	carol := jwt("carol", "orders:read", now.Add(-time.Hour))
	forged := hs256(t, "not-the-demo-issuers-secret-0123456789", "demo", map[string]any{"iss": "https://idp.example.com",
		"sub": "mallory", "scope": "orders:read orders:write billing:read", "exp": now.Add(time.Hour).Unix()})
	serviceKey := "sdkjs-service-key-7f3a9c1e5b2d4f6a8c0e"
	queryKey := "sdkjs-query-key-0d1e2f3a4b5c6d7e8f90"
	guessed := "sdkjs-guessed-key-a1b2c3d4e5f6a7b8c9d0"
	refusedQuery := "sdkjs-refused-query-key-5e6f7a8b9c0d1e2f"
	secrets := []string{alice, bob, erin, carol, forged, serviceKey, queryKey, guessed, refusedQuery}
	for _, j := range []string{alice, bob, erin, carol, forged} {
		secrets = append(secrets, j[strings.LastIndexByte(j, '.')+1:]) // a signature alone is a secret too
	}
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	script := []sdkRequest{
		{Name: "health", Method: "GET", Path: "/health", Expect: 200},
		{Name: "alice lists orders", Method: "GET", Path: "/orders", Headers: bearer(alice), Expect: 200},
		{Name: "alice reads an order", Method: "GET", Path: "/orders/1001", Headers: bearer(alice), Expect: 200},
		{Name: "alice creates an order", Method: "POST", Path: "/orders", Headers: bearer(alice), Expect: 200},
		{Name: "the service key reads an order", Method: "GET", Path: "/orders/1002", Headers: map[string]string{"X-API-Key": serviceKey}, Expect: 200},
		{Name: "bob reads an order", Method: "GET", Path: "/orders/1003", Headers: bearer(bob), Expect: 200},
		// Issue 13: an API that no scope of policy.yaml mentions, refused by the service.
		{Name: "bob tries the invoices", Method: "GET", Path: "/billing/invoices", Headers: bearer(bob), Repeat: 6, Expect: 403},
		// Out of the token's scopes by the policy too.
		{Name: "erin creates an order", Method: "POST", Path: "/orders", Headers: bearer(erin), Expect: 403},
		{Name: "carol's expired token", Method: "GET", Path: "/orders/1004", Headers: bearer(carol), Expect: 401},
		{Name: "a forged token", Method: "GET", Path: "/orders/1005", Headers: bearer(forged), Expect: 401},
		{Name: "a guessed key", Method: "GET", Path: "/orders", Headers: map[string]string{"X-API-Key": guessed}, Repeat: 12, Expect: 401},
		{Name: "a key in the query", Method: "GET", Path: "/orders?page=2&api_key=" + queryKey, Expect: 200},
		// Seen by the client span (url.full) and the server span (url.query):
		// six requests, six failures, under failed_attempts' 10.
		{Name: "an unknown key in the query", Method: "GET", Path: "/orders?api_key=" + refusedQuery, Repeat: 6, Expect: 401},
	}
	plan, err := json.Marshal(script)
	require.NoError(t, err)
	keys, err := json.Marshal(map[string][]string{serviceKey: {"orders:read"}, queryKey: {"orders:read"}})
	require.NoError(t, err)

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(node, "app.js")
	cmd.Dir = app
	cmd.Env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+col.otlp, "OTEL_SERVICE_NAME=sdkjs-orders",
		"SDKJS_JWT_SECRET="+secret, "SDKJS_API_KEYS="+string(keys), "SDKJS_REQUESTS="+string(plan))
	began = time.Now()
	nodeOut, err := cmd.CombinedOutput()
	require.NoError(t, err, "the Node.js app: %s\n%s", nodeOut, col.log.String())
	t.Logf("node app.js: %s in %s", strings.TrimSpace(string(nodeOut)), time.Since(began).Round(time.Millisecond))

	// The alerts, as audit_log records them.
	audit := filepath.Join(run.dir, "data", "audit")
	want := []string{"denied_access", "failed_attempts", "exposed_credential", "expired_token", "invalid_signature", "scope_violation"}
	findings := func() map[string][]map[string]any { return findingsByType(t, audit) }
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, missing := findings(), []string(nil)
		for _, typ := range want {
			if len(got[typ]) == 0 {
				missing = append(missing, typ)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no alert of %v in the audit log; recorded: %v\n%s", missing, typeCounts(got), col.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitForMetric(t, run.prom, "tokenaudit_anomalies")
	metrics := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", run.prom))
	col.stop(t)

	// Each token's id, as auditctl fingerprint gives it.
	idOf := map[string]string{}
	for name, tok := range map[string]string{"alice": alice, "bob": bob, "erin": erin, "carol": carol, "forged": forged,
		"service": serviceKey, "query": queryKey, "guessed": guessed, "refusedQuery": refusedQuery} {
		fp := exec.Command(auditctl(t), "fingerprint", "-key-file", filepath.Join(run.dir, "data", "keys", "fingerprint.key"))
		fp.Stdin = strings.NewReader(tok)
		id, err := fp.Output()
		require.NoError(t, err)
		idOf[name] = strings.TrimSpace(string(id))
	}

	// One API Activity record per credentialed span or log record of the
	// SDK, with what its attributes say: the server spans (the client spans
	// carry no header), and the client span and access line of the key in
	// the query.
	type rec struct{ token, typ, principal, resource, outcome, source, client string }
	got := map[rec]int{}
	for _, r := range apiActivities(t, audit) {
		ta, _ := r["unmapped"].(map[string]any)["tokenaudit"].(map[string]any)
		api := r["api"].(map[string]any)
		tok, _ := api["token"].(map[string]any)
		res := ""
		if rs, ok := r["resources"].([]any); ok && len(rs) > 0 {
			res, _ = rs[0].(map[string]any)["name"].(string)
		}
		var uid string
		if tok != nil {
			uid, _ = tok["uid"].(string)
		}
		typ, _ := ta["token.type"].(string)
		src, _ := ta["token.source"].(string)
		client, _ := ta["client.address"].(string)
		got[rec{uid, typ, fmt.Sprint(r["actor"].(map[string]any)["user"].(map[string]any)["uid"]), res,
			fmt.Sprint(r["status_detail"]), src, client}]++
	}
	// The caller of a server span is the socket peer (the SDK's
	// client.address, loopback here); a client span's peer is the server,
	// so it has none, nor has the access line.
	lo := "127.0.0.1"
	hdr := "http.request.header.authorization"
	key := "http.request.header.x-api-key"
	wantRecs := map[rec]int{
		{idOf["alice"], "jwt", "alice", "GET /orders", "success", hdr, lo}:              1,
		{idOf["alice"], "jwt", "alice", "GET /orders/{id}", "success", hdr, lo}:         1,
		{idOf["alice"], "jwt", "alice", "POST /orders", "success", hdr, lo}:             1,
		{idOf["service"], "api_key", "unknown", "GET /orders/{id}", "success", key, lo}: 1,
		{idOf["bob"], "jwt", "bob", "GET /orders/{id}", "success", hdr, lo}:             1,
		{idOf["bob"], "jwt", "bob", "GET /billing/invoices", "denied", hdr, lo}:         6,
		{idOf["erin"], "jwt", "erin", "POST /orders", "denied", hdr, lo}:                1,
		{idOf["carol"], "jwt", "carol", "GET /orders/{id}", "failure", hdr, lo}:         1,
		{idOf["forged"], "jwt", "mallory", "GET /orders/{id}", "failure", hdr, lo}:      1,
		{idOf["guessed"], "api_key", "unknown", "GET /orders", "failure", key, lo}:      12,
		// The key in the query is in the server span's url.query, the
		// client span's url.full and the service's access line.
		{idOf["query"], "api_key", "unknown", "GET /orders", "success", "url.query", lo}: 1,
		{idOf["query"], "api_key", "unknown", "GET /orders", "success", "url.full", ""}:  1,
		{idOf["query"], "api_key", "unknown", "", "<nil>", "log.body", ""}:               1,
		// So is the unknown one; the access line has no status, so no outcome
		// (a log line proves no served request).
		{idOf["refusedQuery"], "api_key", "unknown", "GET /orders", "failure", "url.query", lo}: 6,
		{idOf["refusedQuery"], "api_key", "unknown", "GET /orders", "failure", "url.full", ""}:  6,
		{idOf["refusedQuery"], "api_key", "unknown", "", "<nil>", "log.body", ""}:               6,
	}
	assert.Equal(t, wantRecs, got, "the API Activity records: token, type, principal, resource, outcome, source, client address")

	// The alerts: each for the right token.
	byType := findings()
	tokenOf := func(r map[string]any) string {
		if api, ok := r["api"].(map[string]any); ok {
			if tok, ok := api["token"].(map[string]any); ok {
				s, _ := tok["uid"].(string)
				return s
			}
		}
		ta, _ := r["unmapped"].(map[string]any)["tokenaudit"].(map[string]any)
		s, _ := ta["token.id"].(string)
		return s
	}
	for typ, name := range map[string]string{"denied_access": "bob", "failed_attempts": "guessed", "exposed_credential": "query",
		"expired_token": "carol", "invalid_signature": "forged", "scope_violation": "erin"} {
		var tokens []string
		for _, r := range byType[typ] {
			tokens = append(tokens, tokenOf(r))
		}
		assert.Contains(t, tokens, idOf[name], "%s alert for %s's token", typ, name)
	}
	exposed := map[string]int{}
	for _, r := range byType["exposed_credential"] {
		exposed[tokenOf(r)]++
	}
	assert.Equal(t, map[string]int{idOf["query"]: 3, idOf["refusedQuery"]: 3}, exposed, "exposed_credential: the query keys, once per place")
	// One request seen by the client and the server span counts once.
	for _, r := range byType["failed_attempts"] {
		assert.NotEqual(t, idOf["refusedQuery"], tokenOf(r), "six refused requests, each seen by both sides, are not ten failures")
	}
	t.Logf("findings recorded: %v", typeCounts(byType))

	code, vout := runAuditctl(t, "verify", audit, "-key", filepath.Join(run.dir, "data", "keys", "audit-signing.key.pub"),
		"-checkpoint", filepath.Join(run.dir, "data", "audit-checkpoints", "checkpoint"))
	require.Equal(t, 0, code, vout)
	require.Contains(t, vout, "VALID")

	// No raw credential anywhere the collector wrote, logged or served.
	inputs := []string{filepath.Join(run.dir, "config.yaml"), filepath.Join(run.dir, "policy.yaml")}
	requireNoSecretWritten(t, run.dir, inputs, col, secrets...)
	for _, s := range secrets {
		require.NotContains(t, metrics, s, "a credential is in the metrics")
	}
}

func typeCounts(m map[string][]map[string]any) string {
	var parts []string
	for typ, rs := range m {
		parts = append(parts, fmt.Sprintf("%s %d", typ, len(rs)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
