package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

const evilPrincipal = "<script>alert(1)</script>"

// apiLine is an API Activity record in the exporter's shape.
type apiLine struct {
	i         int
	principal string
	outcome   string
}

func (a apiLine) UID() string { return fmt.Sprintf("a%d", a.i) }

func (a apiLine) AppendJSON(dst []byte, seq int64) []byte {
	return fmt.Appendf(dst, `{"metadata":{"uid":"a%d","sequence":%d},"class_uid":6003,"activity_name":"Read","time":%d,"status_detail":%q,`+
		`"actor":{"user":{"uid":%q}},"api":{"operation":"GET /users/{id}","token":{"uid":"tok_%032d"}},"src_endpoint":{"ip":"203.0.113.%d"}}`,
		a.i, seq, 1795168800000+int64(a.i)*60000, a.outcome, a.principal, a.i%2, a.i%3)
}

// makeReportLog writes 7 successes by alice and 3 failures by an
// attacker-named principal.
func makeReportLog(t *testing.T) (dir, pub string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "audit.test/report")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	dir = filepath.Join(t.TempDir(), "audit")
	l, err := auditlog.Open(auditlog.Options{Dir: dir, Signer: signer, Origin: "audit.test/report"})
	require.NoError(t, err)
	var entries []auditlog.Entry
	for i := range 10 {
		if i < 7 {
			entries = append(entries, apiLine{i, "alice", "success"})
		} else {
			entries = append(entries, apiLine{i, evilPrincipal, "failure"})
		}
	}
	_, err = l.Append(entries)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	pub = filepath.Join(t.TempDir(), "audit.pub")
	require.NoError(t, os.WriteFile(pub, []byte(vkey+"\n"), 0o600))
	return dir, pub
}

func TestReportCmd(t *testing.T) {
	dir, pub := makeReportLog(t)
	keyFile := filepath.Join(t.TempDir(), "pseudo.key")
	code, _, e := runCmd(t, "", nil, "keygen", "-out", keyFile)
	require.Equal(t, 0, code, e)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		absent   []string
	}{
		{"json", []string{dir, "-key", pub, "-format", "json"}, 0, []string{`"verdict": "VERIFIED`, `"api_activity": 10`, `"success": 7`, `"failure": 3`}, nil},
		{"md", []string{dir, "-key", pub, "-format", "md"}, 0, []string{"**VERIFIED:", "| alice | 7 | 7 | 0 |", "&lt;script&gt;"}, []string{"<script>"}},
		{"csv", []string{"-key", pub, "-format", "csv", dir}, 0, []string{"token_id,type,status,requests", "tok_00000000000000000000000000000000,,,5,4,1"}, nil},
		{"html default", []string{dir, "-key", pub}, 0, []string{"<!DOCTYPE html>", `id="total-api">10<`, "&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>"}},
		{"period", []string{dir, "-key", pub, "-format", "json", "-from", "2026-11-20T10:02:00Z", "-to", "2026-11-20T10:05:00Z"}, 0, []string{`"api_activity": 3`}, nil},
		{"pseudonymized", []string{dir, "-key", pub, "-format", "json", "-pseudonymize-key", keyFile}, 0, []string{`"id": "usr_`, `"pseudonymized": true`}, []string{"alice", "alert(1)"}},
		{"bad format", []string{dir, "-key", pub, "-format", "pdf"}, 2, nil, nil},
		{"bad time", []string{dir, "-key", pub, "-from", "yesterday"}, 2, nil, nil},
		{"no key", []string{dir}, 2, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, e := runCmd(t, "", nil, append([]string{"report"}, tc.args...)...)
			require.Equal(t, tc.wantCode, code, e)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
			for _, a := range tc.absent {
				assert.NotContains(t, out, a)
			}
		})
	}
}

func TestReportCmdUnverifiedAndOut(t *testing.T) {
	dir, pub := makeReportLog(t)
	seg := filepath.Join(dir, "audit-000000000000.jsonl")
	require.NoError(t, os.Chmod(seg, 0o600))
	data, err := os.ReadFile(seg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(seg, []byte(strings.Replace(string(data), `"failure"`, `"success"`, 1)), 0o600))

	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, e := runCmd(t, "", nil, "report", dir, "-key", pub, "-format", "json", "-out", out)
	assert.Equal(t, 1, code, "a report of a tampered log exits 1")
	assert.Empty(t, stdout)
	assert.Contains(t, e, "UNVERIFIED")
	data, err = os.ReadFile(out)
	require.NoError(t, err)
	var r struct {
		Verdict   string `json:"verdict"`
		Integrity struct {
			Problems []string `json:"problems"`
		} `json:"integrity"`
	}
	require.NoError(t, json.Unmarshal(data, &r))
	assert.True(t, strings.HasPrefix(r.Verdict, "UNVERIFIED"), r.Verdict)
	assert.Contains(t, strings.Join(r.Integrity.Problems, "\n"), "modified_record")
	fi, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
