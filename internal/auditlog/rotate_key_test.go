package auditlog

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSetSignerRotatesWithoutAGap: records before the change are signed
// under the old key and the change record and everything after under the
// new one, so a verifier with both keys accepts the whole log, and one
// with only one of them rejects the other's checkpoints (same key name,
// another hash: reported as a bad signature, with a hint at rotation).
func TestSetSignerRotatesWithoutAGap(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := newTestKeys(t, testOrigin), newTestKeys(t, testOrigin)
	opts := testOptions(dir, oldKey)
	opts.CheckpointEvery = 1000 // only SetSigner and Close sign here
	l, err := Open(opts)
	require.NoError(t, err)
	_, err = l.Append(records(0, 25))
	require.NoError(t, err)
	require.NoError(t, l.SetSigner(newKey.signer, eventRec{Event{Kind: "key_changed", Detail: "test"}}))
	_, err = l.Append(records(25, 25))
	require.NoError(t, err)
	require.NoError(t, l.Close())

	both, err := NewKeys(oldKey.vkey, newKey.vkey)
	require.NoError(t, err)
	tests := []struct {
		name string
		keys *Keys
		ok   bool
	}{
		{"both keys", both, true},
		{"only the new key", newKey.keys, false},
		{"only the old key", oldKey.keys, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustVerify(t, dir, VerifyOptions{Keys: tt.keys})
			assert.Equal(t, tt.ok, r.OK(), "%v", r.Problems)
			assert.Equal(t, int64(51), r.Records, "50 records and the change")
			if !tt.ok {
				require.True(t, slices.Contains(kinds(r), ProblemBadSignature), "%v", kinds(r))
				assert.Contains(t, r.Problems[0].Detail, "rotated key")
			} else {
				assert.Zero(t, r.Unsigned, "the change and the records after it are signed")
			}
		})
	}
}
