package tokenanomalyconnector

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension/tokenpolicyextensiontest"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// TestPolicyFromExtension: with policy_extension the connector reads the
// token_policy extension's policy instead of watching the file again, sees
// its reloads, and leaves it open when it shuts down.
func TestPolicyFromExtension(t *testing.T) {
	host, path := tokenpolicyextensiontest.Start(t, "revoked: []\n", 10*time.Millisecond)
	holder, err := policy.FromHost(host, tokenpolicyextensiontest.ID)
	require.NoError(t, err)

	cfg := testConfig()
	id := tokenpolicyextensiontest.ID
	cfg.PolicyExtension = &id
	require.NoError(t, cfg.Validate())
	m, err := newModel(component.NewID(metadata.Type), cfg, componenttestTelemetry())
	require.NoError(t, err)
	require.NoError(t, m.start(context.Background(), host))
	require.Same(t, holder, m.policies, "the connector must use the extension's holder, not a watcher of its own")
	require.NoError(t, m.shutdown(context.Background()))

	before := holder.Current()
	require.NoError(t, os.WriteFile(path, []byte("revoked:\n  - id: tok_00000000000000000000000000000000\n"), 0o600))
	require.Eventually(t, func() bool { return holder.Current() != before }, 5*time.Second, 10*time.Millisecond,
		"the extension's watcher must outlive the connector")

	cfg.PolicyFile = path
	require.ErrorContains(t, cfg.Validate(), "policy_file and policy_extension: both set")
}
