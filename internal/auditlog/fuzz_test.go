package auditlog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzOpenCheckpoint: any bytes as a signed checkpoint give an error or a
// checkpoint that really is signed by the key, never a panic.
func FuzzOpenCheckpoint(f *testing.F) {
	k := newTestKeys(f, "audit.test")
	good, err := SignCheckpoint(Checkpoint{Origin: testOrigin, Size: 12, Time: time.UnixMilli(1_700_000_000_000)}, k.signer)
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte("audit.test/log\n12\nAAAA\n\n— audit.test AAAA\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := OpenCheckpoint(msg, k.keys)
		if err == nil && c.Origin == "" {
			t.Fatal("accepted a checkpoint without origin")
		}
	})
}

// FuzzCheckProof: a proof file an auditor receives is untrusted input.
func FuzzCheckProof(f *testing.F) {
	k := newTestKeys(f, "audit.test")
	dir := f.TempDir()
	writeLog(f, testOptions(dir, k), 20, 5)
	p, err := Prove(dir, 7)
	require.NoError(f, err)
	good, err := json.Marshal(p)
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"index":-1,"tree_size":0}`))
	f.Add([]byte(`{"index":3,"tree_size":2,"inclusion_proof":["AA=="]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Proof
		if json.Unmarshal(data, &p) != nil {
			return
		}
		if _, err := CheckProof(&p, k.keys); err == nil && string(data) != string(good) {
			// A different file may still be the same proof (reordered
			// JSON); it must then prove the same record.
			var g Proof
			require.NoError(t, json.Unmarshal(good, &g))
			require.Equal(t, g.Record, p.Record)
			require.Equal(t, g.Index, p.Index)
		}
	})
}

// FuzzOpenSegment: whatever a crash or an attacker leaves in the active
// segment, Open repairs or refuses it with an error, never a panic.
func FuzzOpenSegment(f *testing.F) {
	f.Add([]byte(`{"metadata":{"uid":"a","sequence":0}}` + "\n"))
	f.Add([]byte(`{"metadata":{"uid":"a"`))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte{0xff, 0x00, '\n'})
	k := newTestKeys(f, "audit.test")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, segmentName(0)), data, 0o600))
		l, err := Open(testOptions(dir, k))
		if err != nil {
			return
		}
		_, err = l.Append(records(0, 2))
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
}
