package tokenpolicyextension_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension"
	"github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension/tokenpolicyextensiontest"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  tokenpolicyextension.Config
		want string
	}{
		{"ok", tokenpolicyextension.Config{File: "policy.yaml", ReloadInterval: time.Second}, ""},
		{"no file", tokenpolicyextension.Config{}, "file: empty"},
		{"negative interval", tokenpolicyextension.Config{File: "p.yaml", ReloadInterval: -1}, "reload_interval: negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestExtensionOwnsThePolicy: the extension loads the file, reloads it,
// and components find it through the host; a host without it, or with
// another kind of extension under the id, is a clear error.
func TestExtensionOwnsThePolicy(t *testing.T) {
	host, path := tokenpolicyextensiontest.Start(t, "revoked: []\n", 10*time.Millisecond)

	h, err := policy.FromHost(host, tokenpolicyextensiontest.ID)
	require.NoError(t, err)
	first := h.Current()
	require.NoError(t, os.WriteFile(path, []byte("revoked:\n  - id: tok_00000000000000000000000000000000\n"), 0o600))
	require.Eventually(t, func() bool { return h.Current() != first }, 5*time.Second, 10*time.Millisecond)

	_, err = policy.FromHost(host, component.MustNewID("token_policy_missing"))
	require.ErrorContains(t, err, "not configured")
	other := tokenpolicyextensiontest.Host{tokenpolicyextensiontest.ID: struct {
		component.StartFunc
		component.ShutdownFunc
	}{}}
	_, err = policy.FromHost(other, tokenpolicyextensiontest.ID)
	require.True(t, err != nil && strings.Contains(err.Error(), "does not hold a policy"), "%v", err)
}

// TestReloadsCounted: each reload is counted by its result, the rejected
// one keeping the previous policy.
func TestReloadsCounted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte("revoked: []\n"), 0o600))
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	ext, err := tokenpolicyextension.NewFactory().Create(context.Background(),
		extension.Settings{ID: tokenpolicyextensiontest.ID, TelemetrySettings: tel.NewTelemetrySettings()},
		&tokenpolicyextension.Config{File: path, ReloadInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	h := ext.(policy.Source).Policies()
	first := h.Current()

	count := func(result string) int64 {
		m, err := tel.GetMetric("otelcol_token_policy_reloads")
		if err != nil {
			return 0
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			if v, _ := dp.Attributes.Value(attribute.Key("result")); v.AsString() == result {
				return dp.Value
			}
		}
		return 0
	}
	// Replaced atomically: a poll between truncate and write would see an
	// empty file, which is a valid policy.
	replace := func(text string) {
		require.NoError(t, os.WriteFile(path+".new", []byte(text), 0o600))
		require.NoError(t, os.Rename(path+".new", path))
	}
	replace("revoked: [oops\n")
	// A rejected file is retried, and counted, on every poll.
	require.Eventually(t, func() bool { return count("rejected") >= 1 }, 5*time.Second, 10*time.Millisecond)
	require.Same(t, first, h.Current(), "a rejected file keeps the policy in force")
	replace("revoked:\n  - id: tok_00000000000000000000000000000000\n")
	require.Eventually(t, func() bool { return count("applied") == 1 }, 5*time.Second, 10*time.Millisecond)
	require.NotSame(t, first, h.Current())
}
