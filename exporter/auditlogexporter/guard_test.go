package auditlogexporter

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// TestGuardKeepsTokenIDsOfAnyPrefix: the fingerprints of a custom
// fingerprint.prefix are written untouched and not counted as redactions.
func TestGuardKeepsTokenIDsOfAnyPrefix(t *testing.T) {
	g, err := newGuard()
	require.NoError(t, err)
	enc := newEncoder("test", g)
	for _, prefix := range []string{"tok_", "acme-", "key", "x_y_z_", "abcdefghijklmno_"} {
		f, err := fingerprint.New([]byte(strings.Repeat("k", 32)), prefix)
		require.NoError(t, err)
		id := f.TokenID("ghp_R4wT0k3nTh4tMustN3v3rB3W1773nXyZ12345")
		for _, v := range []string{id, "Bearer " + id, "/orders?access_token=" + id, "token " + id + " failed 10 times"} {
			require.Equal(t, v, g.clean(v), "prefix %q", prefix)
			require.Equal(t, v, enc.clean(v), "prefix %q", prefix)
		}
	}
	require.Zero(t, g.redactions.Load())
}

// TestGuardSearchesTheProcessorsParams: every query parameter the processor
// treats as a credential by default is one the guard redacts.
func TestGuardSearchesTheProcessorsParams(t *testing.T) {
	g, err := newGuard()
	require.NoError(t, err)
	const secret = "s3cr3tV4lu3ThatM4tters"
	for _, p := range credential.DefaultQueryParams() {
		got := g.clean("https://api.example.com/v1/orders?" + p + "=" + secret)
		require.NotContains(t, got, secret, "parameter %s", p)
		require.Contains(t, got, p+"="+auditattr.Redacted)
	}
}

// TestGuardKeepsTheProcessorsRedactions: what the processor redacted
// (auditattr.Redacted) is not redacted again nor counted.
func TestGuardKeepsTheProcessorsRedactions(t *testing.T) {
	g, err := newGuard()
	require.NoError(t, err)
	for _, v := range []string{
		"Bearer " + auditattr.Redacted,
		"https://api.example.com/p?access_token=" + auditattr.Redacted + "&key=" + auditattr.Redacted,
		"Authorization: Basic " + auditattr.Redacted,
	} {
		require.Equal(t, v, g.clean(v))
	}
	require.Zero(t, g.redactions.Load())
}
