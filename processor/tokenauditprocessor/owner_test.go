package tokenauditprocessor

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// TestKeyRotationSwitchesBothSignalsAtOnce rotates the fingerprint key while
// traces and logs flow through one component's two instances, started half
// a reload interval apart as a collector may start its pipelines: after the
// first item of either signal under the new key, no item of either signal
// is under the old one (issue 15, point 6).
func TestKeyRotationSwitchesBothSignalsAtOnce(t *testing.T) {
	const interval = 100 * time.Millisecond
	keyFile := filepath.Join(t.TempDir(), "fingerprint.key")
	const keyA = "switch-key-A-0123456789abcdef0123456789ab"
	const keyB = "switch-key-B-0123456789abcdef0123456789ab"
	write := func(key string) {
		tmp := keyFile + ".new"
		require.NoError(t, os.WriteFile(tmp, []byte(key+"\n"), 0o600))
		require.NoError(t, os.Rename(tmp, keyFile))
	}
	write(keyA)
	cfg := testConfig()
	cfg.Fingerprint.Key = ""
	cfg.Fingerprint.KeyFile = keyFile
	cfg.ReloadInterval = interval
	p := startPair(t, cfg, componenttest.NewNopHost(), interval/2)

	const secret = "ghp_SwitchTestToken0123456789abcdefABCDEF"
	idUnder := func(key string) string {
		fp, err := fingerprint.New([]byte(key), "tok_")
		require.NoError(t, err)
		return fp.TokenID(secret)
	}
	oldID, newID := idUnder(keyA), idUnder(keyB)
	require.Equal(t, oldID, p.span(secret, auditattr.TokenID))
	require.Equal(t, oldID, p.logRecord(secret, auditattr.TokenID))

	write(keyB)
	switched := ""   // the signal that first showed the new key
	afterSwitch := 0 // items of both signals seen since
	deadline := time.Now().Add(10 * time.Second)
	for afterSwitch < 2000 {
		require.True(t, time.Now().Before(deadline), "the new key did not take effect")
		for _, s := range []struct {
			name string
			send func(key, attr string) string
		}{{"traces", p.span}, {"logs", p.logRecord}} {
			got := s.send(secret, auditattr.TokenID)
			switch {
			case got == newID && switched == "":
				switched = s.name
			case switched != "":
				require.Equal(t, newID, got, "a %s item under the old key after %s switched to the new one", s.name, switched)
				afterSwitch++
			default:
				require.Equal(t, oldID, got)
			}
		}
	}
}
