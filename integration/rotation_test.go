package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditkey"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// rotationConfig watches its policy file and both keys every 200ms.
const rotationConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{GRPC}}
      http:
        endpoint: {{OTLP}}
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/keys/fingerprint.key
    policy_file: {{DIR}}/policy.yaml
    reload_interval: 200ms
connectors:
  token_anomaly:
    policy_file: {{DIR}}/policy.yaml
    reload_interval: 200ms
exporters:
  audit_log:
    directory: {{DIR}}/audit
    signing:
      key_file: {{DIR}}/keys/audit.key
      reload_interval: 200ms
    sending_queue:
      enabled: false
  nop: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [token_anomaly, audit_log]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [audit_log]
    metrics:
      receivers: [token_anomaly]
      exporters: [nop]
`

// TestIntegrationRotationUnderLoad replaces the policy file, the
// fingerprint key and the signing key while the load generator sends a
// steady load. Each takes effect without a restart and the collector's log
// says when; nothing is refused; every acknowledged span is in the audit
// log, which verifies with the old and the new verification key.
func TestIntegrationRotationUnderLoad(t *testing.T) {
	loadgen := builtBinary(t, "LOADGEN_BIN", "the load generator")
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	require.NoError(t, os.MkdirAll(keys, 0o700))
	require.NoError(t, fingerprint.CreateKeyFile(filepath.Join(keys, "fingerprint.key")))
	require.NoError(t, auditkey.CreateFiles(filepath.Join(keys, "audit.key"), "rotation.test/audit"))
	oldFingerprintKey, err := fingerprint.ReadKeyFile(filepath.Join(keys, "fingerprint.key"))
	require.NoError(t, err)
	writeAtomic := func(path string, data []byte) {
		require.NoError(t, os.WriteFile(path+".tmp", data, 0o600))
		require.NoError(t, os.Rename(path+".tmp", path))
	}
	policyV1 := "scopes:\n  \"orders:read\": [\"GET /orders\", \"GET /orders/{id}\"]\n"
	policyV2 := policyV1 + "restricted:\n  - resource: \"DELETE /orders/**\"\n    principals: [nobody]\n"
	writeAtomic(filepath.Join(dir, "policy.yaml"), []byte(policyV1))

	grpcPort := freePort(t)
	col := startCollectorIn(t, dir, strings.ReplaceAll(rotationConfig, "{{GRPC}}", fmt.Sprint(grpcPort)), "127.0.0.1:1")
	load := exec.Command(loadgen, "load", "-endpoint", fmt.Sprintf("127.0.0.1:%d", grpcPort), "-duration", "8s",
		"-rate", "4000", "-tokens", "200", "-jwt-share", "0", "-workers", "2", "-batch", "200")
	var out syncBuffer
	load.Stdout, load.Stderr = &out, &out
	require.NoError(t, load.Start())

	waitLog := func(msg string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(col.log.String(), msg) {
			require.True(t, time.Now().Before(deadline), "the collector did not log %q\n%s", msg, col.log.String())
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second)
	writeAtomic(filepath.Join(dir, "policy.yaml"), []byte(policyV2))
	waitLog("Reloaded the policy file")
	time.Sleep(time.Second)
	newFingerprintKey, err := fingerprint.GenerateKey()
	require.NoError(t, err)
	writeAtomic(filepath.Join(keys, "fingerprint.key"), []byte(newFingerprintKey+"\n"))
	waitLog("Fingerprint key changed")
	time.Sleep(time.Second)
	oldPub := filepath.Join(keys, "audit.key.pub")
	require.NoError(t, os.Rename(oldPub, filepath.Join(dir, "old.pub")))
	require.NoError(t, auditkey.CreateFiles(filepath.Join(dir, "new.key"), "rotation.test/audit"))
	require.NoError(t, os.Rename(filepath.Join(dir, "new.key.pub"), oldPub)) // the new verification key, beside its key
	require.NoError(t, os.Rename(filepath.Join(dir, "new.key"), filepath.Join(keys, "audit.key")))
	waitLog("Audit log signing key changed")

	require.NoError(t, load.Wait(), out.String())
	t.Logf("load: %s", strings.TrimSpace(out.String()))
	require.Contains(t, out.String(), " refused=0", "spans were refused during the rotations")
	col.stop(t)

	// Every acknowledged span is in the log; ids of both keys are there;
	// the new policy's verdict appears only after the reload.
	sent := 0
	fmt.Sscanf(out.String()[strings.Index(out.String(), "RESULT spans="):], "RESULT spans=%d", &sent)
	recs := auditRecords(t, filepath.Join(dir, "audit"))
	ids := map[string]bool{}
	activity, restrictedDeletes, plainDeletes := 0, 0, 0
	for _, r := range recs {
		if r["class_uid"] != float64(6003) {
			continue
		}
		activity++
		tok := r["api"].(map[string]any)["token"].(map[string]any)["uid"].(string)
		ids[tok] = true
		if strings.HasPrefix(r["api"].(map[string]any)["operation"].(string), "DELETE ") {
			if strings.Contains(fmt.Sprint(r["unmapped"]), "restricted_resource") {
				restrictedDeletes++
			} else {
				plainDeletes++
			}
		}
	}
	assert.Equal(t, sent, activity, "every acknowledged span is recorded once")
	assert.Positive(t, plainDeletes, "DELETE was allowed before the new policy")
	assert.Positive(t, restrictedDeletes, "and restricted after it")
	newKey, err := fingerprint.ParseKey(newFingerprintKey)
	require.NoError(t, err)
	for name, key := range map[string][]byte{"old": oldFingerprintKey, "new": newKey} {
		fp, err := fingerprint.New(key, "tok_")
		require.NoError(t, err)
		seen := 0
		for i := range 200 {
			sum := sha256.Sum256([]byte(fmt.Sprintf("loadgen-key-%d", i)))
			if ids[fp.TokenID("lg_"+hex.EncodeToString(sum[:16]))] {
				seen++
			}
		}
		assert.Positive(t, seen, "records carry ids under the %s fingerprint key", name)
	}
	assert.NotRegexp(t, `lg_[0-9a-f]{32}`, col.log.String()+filesUnder(t, filepath.Join(dir, "audit")), "a credential left the processor")
	code, vout := runAuditctl(t, "verify", filepath.Join(dir, "audit"), "-key", filepath.Join(dir, "old.pub"), "-key", oldPub)
	assert.Equal(t, 0, code, vout)
	code, _ = runAuditctl(t, "verify", filepath.Join(dir, "audit"), "-key", filepath.Join(dir, "old.pub"))
	assert.NotEqual(t, 0, code, "the checkpoints after the change are not the old key's")
}
