package report

import (
	"encoding/json"
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

// synthetic is an API Activity record written straight to the log: the
// exporter's shape, without the exporter's cost, for big logs.
type synthetic struct{ i int }

func (s synthetic) UID() string { return "" }

func (s synthetic) AppendJSON(dst []byte, seq int64) []byte {
	i := s.i
	outcome := []string{"success", "success", "success", "failure", "denied"}[i%5]
	return fmt.Appendf(dst, `{"metadata":{"uid":"%032x","sequence":%d,"version":"1.8.0"},"class_uid":6003,"activity_id":2,"activity_name":"Read","time":%d,"status_detail":%q,`+
		`"actor":{"user":{"uid":"user-%d"}},"api":{"operation":"GET /r/%d","token":{"uid":"tok_%032x","expiration_time":%d}},"src_endpoint":{"ip":"10.%d.%d.%d"},`+
		`"unmapped":{"tokenaudit":{"token.scopes":["s%d","s%d"],"outcome":%q}}}`,
		i, seq, baseTime.UnixMilli()+int64(i)*1000, outcome, i%3001, i%307, i%4999, baseTime.UnixMilli()+86400e3,
		(i/65536)%256, (i/256)%256, i%256, i%7, i%11, outcome)
}

// logEvent is the log's own event as an Application Lifecycle record.
type logEvent struct{ ev auditlog.Event }

func (e logEvent) UID() string { return "" }

func (e logEvent) AppendJSON(dst []byte, seq int64) []byte {
	ev, _ := json.Marshal(e.ev)
	return fmt.Appendf(dst, `{"metadata":{"sequence":%d},"class_uid":6002,"activity_name":"Update","time":%d,"message":"log event","unmapped":{"tokenaudit_log":%s}}`,
		seq, e.ev.Time.UnixMilli(), ev)
}

// writeSynthetic writes n synthetic records, sealing gzip segments along
// the way, and returns the log and its verification key.
func writeSynthetic(t testing.TB, n int) (string, *auditlog.Keys) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "audit.test/big")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := auditlog.Open(auditlog.Options{Dir: dir, Signer: signer, Origin: "audit.test/big",
		CheckpointEvery: 50000, MaxSegmentBytes: 16 << 20, Compress: true,
		NewEvent: func(ev auditlog.Event) auditlog.Entry { return logEvent{ev} }})
	require.NoError(t, err)
	batch := make([]auditlog.Entry, 0, 5000)
	for i := range n {
		batch = append(batch, synthetic{i})
		if len(batch) == cap(batch) || i == n-1 {
			_, err := l.Append(batch)
			require.NoError(t, err)
			batch = batch[:0]
		}
	}
	require.NoError(t, l.Close())
	keys, err := auditlog.NewKeys(vkey)
	require.NoError(t, err)
	return dir, keys
}

func TestStreamingStaysCapped(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	dir, keys := writeSynthetic(t, n)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	gz := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".jsonl.gz") {
			gz++
		}
	}
	if !testing.Short() {
		require.Positive(t, gz, "the log should have sealed gzip segments")
	}

	lim := Limits{Tokens: 40, Principals: 30, Resources: 8, Addresses: 5, Related: 3, Failures: 20, Buckets: 48, Series: 5}
	a := newAggregator(lim, nil)
	segs, err := auditlog.Segments(dir)
	require.NoError(t, err)
	maxTokens, maxRes, maxAddr, maxBuckets := 0, 0, 0, 0
	lines := 0
	require.NoError(t, eachLine(dir, segs, func(b []byte) {
		a.line(b)
		lines++
		if lines%1000 != 0 {
			return
		}
		maxTokens = max(maxTokens, a.tokens.size(), a.principals.size())
		for _, ta := range a.tokens.m {
			maxRes = max(maxRes, ta.resources.size())
			maxAddr = max(maxAddr, ta.clients.size(), ta.principals.size())
			maxBuckets = max(maxBuckets, len(ta.series.m))
		}
		for _, pa := range a.principals.m {
			maxRes = max(maxRes, pa.resources.size())
			maxAddr = max(maxAddr, pa.clients.size(), pa.tokens.size())
		}
	}, func() {}))
	assert.Equal(t, n+int(a.totals.Lifecycle), lines, "every record, and the log's own events")
	assert.LessOrEqual(t, maxTokens, 2*40)
	assert.LessOrEqual(t, maxRes, 2*8)
	assert.LessOrEqual(t, maxAddr, 2*5)
	assert.LessOrEqual(t, maxBuckets, 48*7, "series are rebinned with the clock") // at most one width step behind
	assert.LessOrEqual(t, a.failures.size(), 2*20)
	assert.Positive(t, a.tokens.droppedKeys, "the test must overflow the caps")

	r, err := Build(dir, Options{Verify: auditlog.VerifyOptions{Keys: keys}, Limits: lim})
	require.NoError(t, err)
	assert.True(t, r.Integrity.Verified, r.Integrity.Problems)
	assert.Equal(t, int64(n), r.Totals.APIActivity)
	assert.Equal(t, int64(n), r.Activity.Outcomes.Total())
	assert.Equal(t, int64(n), sum(r.Activity.Requests))
	assert.Len(t, r.Tokens, 40)
	assert.Len(t, r.Principals, 30)
	assert.LessOrEqual(t, r.Timeline.Buckets, 48)
	var listed int64
	for _, tk := range r.Tokens {
		listed += tk.Requests
		assert.LessOrEqual(t, len(tk.Resources), 8)
		assert.LessOrEqual(t, len(tk.ClientAddresses.Top), 5)
	}
	assert.Equal(t, int64(n), listed+r.OtherTokens.Requests, "listed plus the rest is every request")
}
