// Package tokenpolicyextensiontest starts a token_policy extension for the
// tests of the components that read the policy from it.
package tokenpolicyextensiontest // import "github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension/tokenpolicyextensiontest"

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"

	"github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension"
)

// ID is the id the extension gets.
var ID = component.MustNewID("token_policy")

// Host is a component.Host with the given extensions.
type Host map[component.ID]component.Component

// GetExtensions returns the extensions.
func (h Host) GetExtensions() map[component.ID]component.Component { return h }

// Start writes policy to a new file, starts a token_policy extension on it,
// polled every interval, and returns a host that holds the extension under
// ID and the file's path. The extension shuts down when tb ends.
func Start(tb testing.TB, policy string, interval time.Duration) (Host, string) {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(policy), 0o600); err != nil {
		tb.Fatal(err)
	}
	ext, err := tokenpolicyextension.NewFactory().Create(context.Background(),
		extension.Settings{ID: ID, TelemetrySettings: componenttest.NewNopTelemetrySettings()},
		&tokenpolicyextension.Config{File: file, ReloadInterval: interval})
	if err != nil {
		tb.Fatal(err)
	}
	host := Host{ID: ext}
	if err := ext.Start(context.Background(), host); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := ext.Shutdown(context.Background()); err != nil {
			tb.Error(err)
		}
	})
	return host, file
}
