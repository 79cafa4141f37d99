package tokenauditprocessor

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension/tokenpolicyextensiontest"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// TestPolicyFromExtension: with policy_extension the processor reads the
// token_policy extension's policy (the collector's one watcher of the file,
// shared with token_anomaly), and its traces and logs switch to a new
// policy at the same moment; a missing extension fails the start clearly.
func TestPolicyFromExtension(t *testing.T) {
	host, path := tokenpolicyextensiontest.Start(t, "revoked: []\n", 20*time.Millisecond)

	cfg := testConfig()
	id := tokenpolicyextensiontest.ID
	cfg.PolicyExtension = &id
	require.NoError(t, cfg.Validate())
	p := startPair(t, cfg, host, 0)

	const secret = "ghp_PolicyExtensionToken0123456789abcdefAB"
	require.Equal(t, auditattr.StatusActive, p.span(secret, auditattr.TokenStatus))
	require.Equal(t, auditattr.StatusActive, p.logRecord(secret, auditattr.TokenStatus))

	require.NoError(t, os.WriteFile(path, []byte("revoked:\n  - id: "+tokenID(t, secret)+"\n"), 0o600))
	require.Eventually(t, func() bool { return p.span(secret, auditattr.TokenStatus) == auditattr.StatusRevoked }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, auditattr.StatusRevoked, p.logRecord(secret, auditattr.TokenStatus), "logs still under the old policy after traces switched")

	missing := testConfig()
	other := component.MustNewIDWithName("token_policy", "other")
	missing.PolicyExtension = &other
	set := processortest.NewNopSettings(metadata.Type)
	set.ID = component.MustNewIDWithName("token_audit", "missing")
	mp, err := NewFactory().CreateTraces(context.Background(), set, missing, consumertest.NewNop())
	require.NoError(t, err)
	require.ErrorContains(t, mp.Start(context.Background(), host), `policy_extension: extension "token_policy/other" is not configured`)
	require.NoError(t, mp.Shutdown(context.Background()))
}
