package main

import (
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

type line string

func (l line) UID() string { return string(l) }
func (l line) AppendJSON(dst []byte, seq int64) []byte {
	return fmt.Appendf(dst, `{"metadata":{"uid":%q,"sequence":%d}}`, string(l), seq)
}

func makeLog(t *testing.T) (dir, pub string) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "signing.key")
	code, _, e := runCmd(t, "", nil, "keygen", "-signing", "audit.test/ctl", "-out", keyFile)
	require.Equal(t, 0, code, e)
	skey, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	require.NoError(t, err)
	dir = t.TempDir()
	l, err := auditlog.Open(auditlog.Options{Dir: dir, Signer: signer, Origin: "audit.test/ctl", CheckpointEvery: 4})
	require.NoError(t, err)
	for i := range 10 {
		_, err := l.Append([]auditlog.Entry{line(fmt.Sprintf("r%d", i))})
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
	return dir, keyFile + ".pub"
}

func TestVerifyProveCheckProof(t *testing.T) {
	dir, pub := makeLog(t)
	code, out, e := runCmd(t, "", nil, "verify", dir, "-key", pub)
	require.Equal(t, 0, code, out+e)
	assert.Contains(t, out, "VALID:")
	assert.Contains(t, out, "10 records")

	proof := filepath.Join(t.TempDir(), "proof.json")
	code, _, e = runCmd(t, "", nil, "prove", dir, "-index", "7", "-out", proof)
	require.Equal(t, 0, code, e)
	code, out, _ = runCmd(t, "", nil, "check-proof", proof, "-key", pub)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, `"uid":"r7"`)

	data, err := os.ReadFile(proof)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(proof, []byte(strings.Replace(string(data), `r7`, `r8`, 1)), 0o600))
	code, out, _ = runCmd(t, "", nil, "check-proof", proof, "-key", pub)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "INVALID")
}

func TestVerifyNamesTheChange(t *testing.T) {
	dir, pub := makeLog(t)
	seg := filepath.Join(dir, "audit-000000000000.jsonl")
	require.NoError(t, os.Chmod(seg, 0o600))
	data, err := os.ReadFile(seg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(seg, []byte(strings.Replace(string(data), `"r3"`, `"rX"`, 1)), 0o600))
	code, out, _ := runCmd(t, "", nil, "verify", "-key", pub, dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "INVALID modified_record: record 3")
}

func TestVerifyUsage(t *testing.T) {
	dir, pub := makeLog(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no key", []string{"verify", dir}, "-key"},
		{"signing key given", []string{"verify", dir, "-key", strings.TrimSuffix(pub, ".pub")}, "is a signing key"},
		{"no dir", []string{"verify", "-key", pub}, "missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, e := runCmd(t, "", nil, tc.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, e, tc.want)
		})
	}
}
