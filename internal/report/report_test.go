package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

const (
	tokA     = "tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	tokB     = "tok_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	tokStale = "tok_cccccccccccccccccccccccccccccccc"
	evil     = "<script>alert(1)</script>"
	evilPath = "GET /admin/<img src=x onerror=alert(2)>"
)

const testPolicy = `
scopes:
  "users:read":  ["GET /users", "GET /users/{id}"]
  "users:write": ["POST /users", "PUT /users/{id}", "DELETE /users/{id}"]
  "admin":       ["* /admin/**"]
registry:
  tokens:
    - id: ` + tokA + `
      name: ci-deploy
      owner: alice
    - id: ` + tokStale + `
      name: forgotten
      owner: carol
`

// scenario: tokA (alice) reads users three times, is denied one delete,
// expires in two days and holds admin and users:write it never needs; tokB
// (an attacker-named principal) has no expiry and fails twice; tokStale is
// registered and never used.
func scenario() ([]req, []finding) {
	all := []string{"users:read", "users:write", "admin"}
	reqs := []req{
		{tokA, "alice", "GET /users/{id}", "read", "success", "203.0.113.7", all, 0, 48 * time.Hour, nil},
		{tokA, "alice", "GET /users/{id}", "read", "success", "203.0.113.7", all, time.Minute, 48 * time.Hour, nil},
		{tokA, "alice", "GET /users", "read", "success", "203.0.113.8", all, 2 * time.Minute, 48 * time.Hour, nil},
		{tokA, "alice", "DELETE /users/{id}", "delete", "denied", "203.0.113.7", all, 3 * time.Minute, 48 * time.Hour, []string{"restricted_resource"}},
		{tokB, evil, evilPath, "read", "failure", "198.51.100.1", []string{"users:read"}, 10 * time.Minute, 0, nil},
		{tokB, evil, evilPath, "read", "failure", "198.51.100.1", []string{"users:read"}, 11 * time.Minute, 0, nil},
	}
	findings := []finding{
		{"failed_attempts", "fnd_1", tokB, evil, evilPath, plog.SeverityNumberWarn, 12, 5, 12 * time.Minute},
		{"new_client_address", "fnd_2", tokA, "alice", "GET /users", plog.SeverityNumberInfo, 1, 0, 13 * time.Minute},
	}
	return reqs, findings
}

func buildScenario(t *testing.T, mutate func(dir string), pseudo bool) (*Report, string) {
	t.Helper()
	reqs, findings := scenario()
	dir, pub := writeLog(t, reqs, findings)
	if mutate != nil {
		mutate(dir)
	}
	vk, err := os.ReadFile(pub)
	require.NoError(t, err)
	keys, err := auditlog.NewKeys(strings.TrimSpace(string(vk)))
	require.NoError(t, err)
	pol, err := policy.Parse([]byte(testPolicy))
	require.NoError(t, err)
	opts := Options{
		Verify: auditlog.VerifyOptions{Keys: keys}, Policy: pol, Now: baseTime.Add(time.Hour),
		StaleAfter: 720 * time.Hour, ExpiringWithin: 168 * time.Hour, MaxLifetime: 90 * 24 * time.Hour,
	}
	if pseudo {
		fp, err := fingerprint.New(bytes.Repeat([]byte("k"), 32), "tok_")
		require.NoError(t, err)
		opts.Pseudonymize = fp.PrincipalID
	}
	r, err := Build(dir, opts)
	require.NoError(t, err)
	return r, dir
}

func render(t *testing.T, r *Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Render(&b, r, format))
	return b.String()
}

func tokenByID(r *Report, id string) *Token {
	for i := range r.Tokens {
		if r.Tokens[i].ID == id {
			return &r.Tokens[i]
		}
	}
	return nil
}

func TestReportNumbers(t *testing.T) {
	r, _ := buildScenario(t, nil, false)
	// The JSON is the source of truth: check the numbers there.
	var j Report
	require.NoError(t, json.Unmarshal([]byte(render(t, r, "json")), &j))

	assert.True(t, j.Integrity.Verified, j.Integrity.Problems)
	assert.Equal(t, int64(6), j.Totals.APIActivity)
	assert.Equal(t, int64(2), j.Totals.Findings)
	assert.Equal(t, j.Integrity.TreeSize, j.Totals.Records)
	assert.Equal(t, Outcomes{Success: 3, Failure: 2, Denied: 1}, j.Activity.Outcomes)
	assert.False(t, j.Integrity.LastCheckpoint.IsZero())

	a := tokenByID(&j, tokA)
	require.NotNil(t, a)
	assert.Equal(t, int64(4), a.Requests)
	assert.Equal(t, Outcomes{Success: 3, Denied: 1}, a.Outcomes)
	assert.Equal(t, baseTime, a.FirstSeen)
	assert.Equal(t, baseTime.Add(3*time.Minute), a.LastSeen)
	assert.Equal(t, []Count{{"203.0.113.7", 3}, {"203.0.113.8", 1}}, a.ClientAddresses.Top)
	assert.Equal(t, int64(1), a.Findings)
	assert.Equal(t, []string{"admin", "users:read", "users:write"}, a.Scopes.Granted)
	assert.Equal(t, []string{"users:read"}, a.Scopes.Needed)
	assert.Equal(t, []string{"admin", "users:write"}, a.Scopes.Unused)
	assert.True(t, a.Scopes.OverPermissioned)
	assert.Equal(t, []Count{{"restricted_resource", 1}}, a.Violations.Top)

	b := tokenByID(&j, tokB)
	require.NotNil(t, b)
	assert.Equal(t, Outcomes{Failure: 2}, b.Outcomes)
	assert.Empty(t, b.Scopes.Needed, "failed calls need no scope")

	ids := func(n []TokenNote) (out []string) {
		for _, x := range n {
			out = append(out, x.ID)
		}
		return out
	}
	assert.Equal(t, []string{tokStale}, ids(j.Hygiene.Stale))
	assert.Equal(t, []string{tokA}, ids(j.Hygiene.ExpiringSoon))
	assert.Equal(t, []string{tokB}, ids(j.Hygiene.NoExpiry))
	assert.Equal(t, []string{tokA}, ids(j.Hygiene.OverPermissioned))

	require.Len(t, j.Failures, 2)
	assert.Equal(t, Failure{Token: tokB, Principal: evil, Resource: evilPath, Outcome: "failure", Count: 2,
		First: baseTime.Add(10 * time.Minute), Last: baseTime.Add(11 * time.Minute), LastClient: "198.51.100.1"}, j.Failures[0])

	require.Len(t, j.Findings.List, 2)
	f := j.Findings.List[0]
	assert.Equal(t, "failed_attempts", f.Type)
	assert.Equal(t, tokB, f.Token)
	assert.Equal(t, 12.0, *f.Evidence.Observed)
	assert.Equal(t, 5.0, *f.Evidence.Threshold)
	assert.Equal(t, int64(60), *f.Evidence.WindowS)

	for _, c := range j.Compliance {
		assert.True(t, c.Complete, c.Element)
		assert.Equal(t, int64(6), c.Of)
	}
	assert.GreaterOrEqual(t, len(j.Lifecycle), 2, "start and stop")
	assert.Equal(t, int64(6), sum(j.Activity.Requests))
	assert.Equal(t, int64(2), sum(j.Activity.Findings))
}

func sum(v []int64) (n int64) {
	for _, x := range v {
		n += x
	}
	return n
}

func TestReportFormats(t *testing.T) {
	r, _ := buildScenario(t, nil, false)
	tests := []struct {
		format string
		want   []string
	}{
		{"md", []string{"**VERIFIED:", "| " + tokA + " | 4 | 3 | 1 |", "users:read", "admin users:write", "## PCI DSS 10.2.2 coverage", "observed 12, threshold 5, window 60s", "forgotten"}},
		{"html", []string{`<div id="verdict" class="verdict ok">VERIFIED:`, `<td class="n" id="total-api">6</td>`, tokA, "<svg", "observed 12, threshold 5, window 60s", "10.2.2"}},
		{"csv", []string{strings.Join(CSVColumns, ","), tokA + ",jwt,active,4,3,0,1,0,0,", "admin users:write,true,true"}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			out := render(t, r, tc.format)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
		})
	}
	t.Run("csv parses", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(render(t, r, "csv"))).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 3)
		for _, row := range rows {
			assert.Len(t, row, len(CSVColumns))
		}
	})
	assert.Error(t, Render(&bytes.Buffer{}, r, "pdf"))
}

func TestReportEscapesAttackerText(t *testing.T) {
	r, _ := buildScenario(t, nil, false)
	for _, format := range []string{"html", "md"} {
		out := render(t, r, format)
		assert.NotContains(t, out, "<script>", format)
		assert.NotContains(t, out, "<img", format)
		assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;", format)
	}
	html := render(t, r, "html")
	assert.NotContains(t, html, "http://", "no external fetches")
	assert.Equal(t, 0, strings.Count(html, "<script"), "no scripts at all")
}

func TestReportTamperedIsUnverified(t *testing.T) {
	tamper := func(dir string) {
		seg := filepath.Join(dir, "audit-000000000000.jsonl")
		require.NoError(t, os.Chmod(seg, 0o600))
		data, err := os.ReadFile(seg)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(seg, []byte(strings.Replace(string(data), `"203.0.113.8"`, `"203.0.113.9"`, 1)), 0o600))
	}
	r, _ := buildScenario(t, tamper, false)
	assert.False(t, r.Integrity.Verified)
	require.NotEmpty(t, r.Integrity.Problems)
	for _, format := range []string{"md", "html", "json"} {
		out := render(t, r, format)
		top := out
		if format == "html" { // the first thing in the body
			top = out[strings.Index(out, "<body>"):]
		}
		i := strings.Index(top, "UNVERIFIED")
		assert.True(t, i >= 0 && i < 100, "%s: UNVERIFIED not at the top", format)
		assert.Contains(t, out, "modified_record", format)
	}
	// The records are still counted.
	assert.Equal(t, int64(6), r.Totals.APIActivity)
}

func TestReportPseudonymized(t *testing.T) {
	r, _ := buildScenario(t, nil, true)
	for _, format := range []string{"json", "md", "html", "csv"} {
		out := render(t, r, format)
		for _, raw := range []string{"alice", "carol", "alert(1)"} {
			assert.NotContains(t, out, raw, "%s leaks %s", format, raw)
		}
	}
	assert.True(t, r.Pseudonymized)
	require.NotEmpty(t, r.Principals)
	for _, p := range r.Principals {
		assert.True(t, strings.HasPrefix(p.ID, "usr_"), p.ID)
	}
}

func TestReportPeriod(t *testing.T) {
	reqs, findings := scenario()
	dir, pub := writeLog(t, reqs, findings)
	vk, _ := os.ReadFile(pub)
	keys, err := auditlog.NewKeys(strings.TrimSpace(string(vk)))
	require.NoError(t, err)
	r, err := Build(dir, Options{Verify: auditlog.VerifyOptions{Keys: keys}, From: baseTime.Add(time.Minute), To: baseTime.Add(11 * time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, int64(4), r.Totals.APIActivity) // minutes 1, 2, 3 and 10
	assert.Equal(t, Outcomes{Success: 2, Denied: 1, Failure: 1}, r.Activity.Outcomes)
}

func TestReportDamagedSegment(t *testing.T) {
	dir, keys := writeSynthetic(t, 40_000) // over one 16 MiB segment
	segs, err := auditlog.Segments(dir)
	require.NoError(t, err)
	require.True(t, segs[0].Compressed, "the first segment is sealed and compressed")
	p := filepath.Join(dir, segs[0].Name)
	require.NoError(t, os.Chmod(p, 0o600))
	require.NoError(t, os.WriteFile(p, []byte("not gzip"), 0o600))
	r, err := Build(dir, Options{Verify: auditlog.VerifyOptions{Keys: keys}})
	require.NoError(t, err)
	assert.False(t, r.Integrity.Verified)
	assert.True(t, strings.HasPrefix(r.Verdict, "UNVERIFIED"))
	assert.Positive(t, r.Totals.Records, "the other segments are read")
	assert.Contains(t, strings.Join(r.Notes, "\n"), segs[0].Name)
}

// TestReportReadsAHalfCompressedSegmentOnce: after a crash during
// compression a sealed segment exists both plain and gzipped; the report
// reads it once, as the log does.
func TestReportReadsAHalfCompressedSegmentOnce(t *testing.T) {
	dir, keys := writeSynthetic(t, 40_000)
	before, err := Build(dir, Options{Verify: auditlog.VerifyOptions{Keys: keys}})
	require.NoError(t, err)
	segs, err := auditlog.Segments(dir)
	require.NoError(t, err)
	require.True(t, segs[0].Compressed)
	r, err := auditlog.OpenSegment(dir, segs[0])
	require.NoError(t, err)
	plain, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, strings.TrimSuffix(segs[0].Name, ".gz")), plain, 0o600))

	after, err := Build(dir, Options{Verify: auditlog.VerifyOptions{Keys: keys}})
	require.NoError(t, err)
	assert.Equal(t, before.Totals, after.Totals)
}
