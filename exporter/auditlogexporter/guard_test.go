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

// TestGuardRedactsNamedSecrets: a secret with no form of its own that its
// name gives away (an AWS secret access key in a log line, a password in
// an environment dump) is redacted when the processor was bypassed.
func TestGuardRedactsNamedSecrets(t *testing.T) {
	g, err := newGuard()
	require.NoError(t, err)
	for _, secret := range []string{"1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA", "hunter2hunter2"} {
		for _, v := range []string{
			"s3 upload retry with aws_secret_access_key=" + secret + " bucket=settlements",
			"env DB_PASSWORD=" + secret,
		} {
			got := g.clean(v)
			require.NotContains(t, got, secret)
			require.Contains(t, got, "="+auditattr.Redacted)
		}
	}
	require.Equal(t, "token_expires_at=1733500000", g.clean("token_expires_at=1733500000"))
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

// guardCorpus holds values with and without credentials, as audit records
// carry them, and near misses of the pre-filter.
func guardCorpus() []string {
	return []string{
		"Bearer " + rawGitHubToken,
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
		`{"headers":{"X-Api-Key":["abcdefghijkl"]}}`,
		"https://api.example.com/v1/orders?access_token=s3cr3tV4lu3ThatM4tters&page=2",
		"https://u:p4ssw0rd@api.example.com/v1",
		"POST /login 401 \"Authorization: Basic dTpzZWNyZXRwdw==\"",
		"leaked sk_live_Fake1Fake1Fake1Fake1Fake1 and AKIAIOSFODNN7EXAMPLE",
		"https://hooks.slack.com/services/T0000AAAA/B0000BBBB/x1Yx1Yx1Yx1Yx1Yx1Yx1Yx1Y",
		"user-42 called (success) /v1/orders with token tok_0123456789abcdef0123456789abcdef",
		"tok_0123456789abcdef0123456789abcdef",
		"Bearer " + auditattr.Redacted,
		"ip-10-0-1-17.eu-west-1.compute.internal",
		"okhttp/4.12.0",
		"https://auth.shop.example.com/",
		"authorization: none",
		"",
		"short",
	}
}

// TestGuardPrefilterChangesNothing: with the pre-filter, the guard and the
// encoder's memoised guard write and count what the full scan does.
func TestGuardPrefilterChangesNothing(t *testing.T) {
	for _, s := range guardCorpus() {
		requireSameAsFullScan(t, s)
	}
}

func requireSameAsFullScan(t *testing.T, s string) {
	t.Helper()
	full, err := newGuard()
	require.NoError(t, err)
	want, wantN := full.scanFull(s)

	g, err := newGuard()
	require.NoError(t, err)
	got, n := g.scan(s)
	require.Equal(t, want, got, "guard.scan")
	require.Equal(t, wantN, n, "guard.scan count")

	enc := newEncoder("test", g)
	for round := range 3 {
		// The second time from the record's memo (the same string), the
		// third from the encoder's, in a new record.
		if round == 2 {
			enc.seen = enc.seen[:0]
		}
		require.Equal(t, want, enc.clean(s), "encoder.clean, round %d", round)
		require.Equal(t, want, enc.cleanScratch([]byte(s)), "encoder.cleanScratch")
	}
	if !auditattr.IsTokenID(s) {
		require.Equal(t, int64(6*wantN), g.redactions.Load(), "redactions counted each time a value is written")
	}
}

func FuzzGuardPrefilter(f *testing.F) {
	for _, s := range guardCorpus() {
		f.Add(s)
	}
	f.Fuzz(requireSameAsFullScan)
}
