package auditkey

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

func TestVerifierMatchesGenerateKey(t *testing.T) {
	// Many keys, so that some hold '+' in their base64.
	for range 64 {
		skey, vkey, err := note.GenerateKey(rand.Reader, "audit.example/prod")
		require.NoError(t, err)
		got, err := Verifier(skey + "\n")
		require.NoError(t, err)
		assert.Equal(t, vkey, got)
	}
}

func TestVerifierRejectsWithoutEchoingTheKey(t *testing.T) {
	for _, bad := range []string{"", "PRIVATE+KEY+x", "PRIVATE+KEY+n+1234+c2VjcmV0c2VjcmV0", "name+hash+AAAA", "PRIVATE+KEY+n+1+!!!!"} {
		_, err := Verifier(bad)
		require.Error(t, err)
		if len(bad) > 20 {
			assert.False(t, strings.Contains(err.Error(), bad[len(bad)-8:]), "error echoes key material: %v", err)
		}
	}
}
