package tokenauditprocessor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// TestFingerprintKeyFileRotates: a new key in the key file takes effect
// without a restart, ids cached under the old key are not served again,
// the log names both keys by their non-secret ids, and a bad new file
// (too short, readable by others) leaves the key in force.
func TestFingerprintKeyFileRotates(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "fingerprint.key")
	const keyA = "rotation-key-A-0123456789abcdef0123456789"
	const keyB = "rotation-key-B-0123456789abcdef0123456789"
	replace := func(text string, mode os.FileMode) {
		tmp := keyFile + ".new"
		require.NoError(t, os.WriteFile(tmp, []byte(text+"\n"), mode))
		require.NoError(t, os.Chmod(tmp, mode))
		require.NoError(t, os.Rename(tmp, keyFile)) // as an operator should: atomically
	}
	replace(keyA, 0o600)
	cfg := testConfig()
	cfg.Fingerprint.Key = ""
	cfg.Fingerprint.KeyFile = keyFile
	cfg.ReloadInterval = 10 * time.Millisecond
	h := newHarness(t, cfg)

	const secret = "ghp_RotationTestToken0123456789abcdefABCD"
	idUnder := func(key string) string {
		fp, err := fingerprint.New([]byte(key), "tok_")
		require.NoError(t, err)
		return fp.TokenID(secret)
	}
	idNow := func() string {
		out := h.span(t, time.Now(), func(m pcommon.Map) { putHeader(m, "x-api-key", secret) })
		return attrStr(t, out.Attributes(), auditattr.TokenID)
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for idNow() != want {
			require.True(t, time.Now().Before(deadline), "the key in force did not become the expected one")
			time.Sleep(10 * time.Millisecond)
		}
	}
	require.Equal(t, idUnder(keyA), idNow())
	require.Equal(t, idUnder(keyA), idNow(), "cached")

	replace(keyB, 0o600)
	waitFor(idUnder(keyB))
	// The watcher swaps the key, then logs: the new id can be seen first.
	require.Eventually(t, func() bool { return len(h.logObs.FilterMessageSnippet("Fingerprint key changed").All()) > 0 },
		5*time.Second, 10*time.Millisecond, "the key change was not logged")
	changed := h.logObs.FilterMessageSnippet("Fingerprint key changed").All()
	require.Len(t, changed, 1, "one owner of the key file for the traces and the logs instance: one watcher, one line")
	fields := changed[0].ContextMap()
	assert.Equal(t, fingerprint.KeyID([]byte(keyA)), fields["previous_key_id"])
	assert.Equal(t, fingerprint.KeyID([]byte(keyB)), fields["key_id"])

	tests := []struct {
		name string
		text string
		mode os.FileMode
		want string // in the log
	}{
		{"too short", "short", 0o600, "need at least"},
		{"readable by others", keyA, 0o644, "others can read it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Wait for this file's report: the previous case's bad file may
			// be reported once more before the watcher reads this one.
			reported := func() bool {
				for _, e := range h.logObs.FilterMessageSnippet("Kept the previous fingerprint_key file").All() {
					if msg, _ := e.ContextMap()["error"].(string); strings.Contains(msg, tt.want) {
						return true
					}
				}
				return false
			}
			replace(tt.text, tt.mode)
			require.Eventually(t, reported, 5*time.Second, 10*time.Millisecond, "the bad key file was not reported with %q", tt.want)
			assert.Equal(t, idUnder(keyB), idNow(), "the key in force stays")
		})
	}
	h.assertNoSecret(t, secret, keyA, keyB)
}

// TestPresentedKeyAfterFingerprintRotation: a registered key remembered as
// presented under the old fingerprint key is still found in a log line after the key
// file rotates, scrubbed and named by its id under the new key, before it is
// presented again.
func TestPresentedKeyAfterFingerprintRotation(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "fingerprint.key")
	const keyA = "rotation-key-A-0123456789abcdef0123456789"
	const keyB = "rotation-key-B-0123456789abcdef0123456789"
	require.NoError(t, os.WriteFile(keyFile, []byte(keyA+"\n"), 0o600))
	cfg := testConfig()
	cfg.Fingerprint.Key = ""
	cfg.Fingerprint.KeyFile = keyFile
	cfg.ReloadInterval = 10 * time.Millisecond
	const key = "prk_live_RotationTestKey0123456789abcdef"
	fpA, err := fingerprint.New([]byte(keyA), "tok_")
	require.NoError(t, err)
	cfg.PolicyFile = writeFile(t, "policy.yaml", "registry:\n  tokens:\n    - id: "+fpA.TokenID(key)+"\n")
	h := newHarness(t, cfg)

	h.span(t, time.Now(), func(m pcommon.Map) {
		m.PutInt("http.response.status_code", 200)
		putHeader(m, "x-api-key", key)
	})
	tmp := keyFile + ".new"
	require.NoError(t, os.WriteFile(tmp, []byte(keyB+"\n"), 0o600))
	require.NoError(t, os.Rename(tmp, keyFile))
	require.Eventually(t, func() bool { return len(h.logObs.FilterMessageSnippet("Fingerprint key changed").All()) > 0 },
		5*time.Second, 10*time.Millisecond, "the key change was not logged")

	fp, err := fingerprint.New([]byte(keyB), "tok_")
	require.NoError(t, err)
	lr := h.logRecord(t, time.Now(), func(lr plog.LogRecord) { lr.Body().SetStr("merchant pasted " + key + " into the ticket") })
	assert.Equal(t, fp.TokenID(key), attrStr(t, lr.Attributes(), auditattr.TokenID))
	assert.Equal(t, "merchant pasted "+fp.TokenID(key)+" into the ticket", lr.Body().Str())
	h.assertNoSecret(t, key)
}
