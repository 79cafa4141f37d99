package auditlogexporter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditkey"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// TestSigningKeyFileRotates: a new key in the key file signs every later
// checkpoint without a restart; the log records the change; a log written
// across the change verifies with both verification keys and not with
// one; a new key of another name is refused and the key in force stays.
func TestSigningKeyFileRotates(t *testing.T) {
	cfg := testConfig(t)
	cfg.Signing.ReloadInterval = 10 * time.Millisecond
	core, logs := observer.New(zap.InfoLevel)
	set := exportertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	exp, err := NewFactory().CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), nil))
	write := func() {
		td := ptrace.NewTraces()
		auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetSpanID([8]byte{byte(time.Now().UnixNano())})
		require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	}
	replaceKey := func(name string) string {
		tmp := filepath.Join(t.TempDir(), "new.key")
		require.NoError(t, auditkey.CreateFiles(tmp, name))
		require.NoError(t, os.Rename(tmp, cfg.Signing.KeyFile))
		pub, err := os.ReadFile(tmp + ".pub")
		require.NoError(t, err)
		return strings.TrimSpace(string(pub))
	}
	waitLog := func(msg string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for logs.FilterMessageSnippet(msg).Len() == 0 {
			require.True(t, time.Now().Before(deadline), "no %q in the log", msg)
			time.Sleep(10 * time.Millisecond)
		}
	}
	oldPub, err := os.ReadFile(cfg.Signing.KeyFile + ".pub")
	require.NoError(t, err)

	write()
	refused := replaceKey("another.name/log")
	waitLog("Kept the signing key in force")
	assert.Contains(t, logs.FilterMessageSnippet("Kept the signing key in force").All()[0].ContextMap()["error"], "make it with `auditctl keygen -signing audit.test/log`")
	write()
	newPub := replaceKey("audit.test/log")
	waitLog("Audit log signing key changed")
	write()
	require.NoError(t, exp.Shutdown(context.Background()))

	recs := readRecords(t, cfg.Directory)
	changes := 0
	for _, r := range recs {
		if msg, _ := r["message"].(string); strings.Contains(msg, "from now on, in place of") {
			changes++
		}
	}
	assert.Equal(t, 1, changes, "the change is recorded once")
	tests := []struct {
		name string
		keys []string
		ok   bool
	}{
		{"old and new key", []string{string(oldPub), newPub}, true},
		{"old key only", []string{string(oldPub)}, false},
		{"new key only", []string{newPub}, false},
		{"old and the refused key", []string{string(oldPub), refused}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := auditlog.NewKeys(tt.keys...)
			require.NoError(t, err)
			r, err := auditlog.Verify(cfg.Directory, auditlog.VerifyOptions{Keys: keys})
			require.NoError(t, err)
			assert.Equal(t, tt.ok, r.OK(), "%v", r.Problems)
		})
	}
}
