package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// realistic is an API Activity record with every member the exporter
// writes for an audited HTTP span (about 1.4 kB), for measuring reports.
type realistic struct{ i int }

func (s realistic) UID() string { return "" }

func (s realistic) AppendJSON(dst []byte, seq int64) []byte {
	i := s.i
	outcome := []string{"success", "success", "success", "success", "success", "success", "success", "failure", "denied", "error"}[i%10]
	t := baseTime.UnixMilli() + int64(i)*10
	tok := i % 20011
	return fmt.Appendf(dst, `{"metadata":{"uid":"%032x","sequence":%d,"logged_time":%d,"version":"1.8.0","log_name":"tokenaudit","product":{"name":"tokenaudit","vendor_name":"tokenaudit","version":"latest"},"profiles":["trace"]},`+
		`"category_uid":6,"category_name":"Application Activity","class_uid":6003,"class_name":"API Activity","activity_id":2,"activity_name":"Read","type_uid":600302,"severity_id":1,"severity":"Informational","time":%d,`+
		`"status_id":1,"status":"Success","status_detail":%q,"status_code":"200","message":"user-%d called (%s) GET /r/%d/{id} with token tok_%032x","timezone_offset":0,`+
		`"actor":{"user":{"uid":"user-%d","type_id":1,"type":"User"}},"api":{"operation":"GET /r/%d/{id}","service":{"name":"users-api"},"token":{"uid":"tok_%032x","type_id":7,"type":"API Token","created_time":%d,"expiration_time":%d}},`+
		`"src_endpoint":{"ip":"10.%d.%d.%d"},"dst_endpoint":{"svc_name":"users-api"},"http_request":{"http_method":"GET","user_agent":"client/1.0","url":{"path":"/r/%d/42","scheme":"https","hostname":"api.example"}},"http_response":{"code":200},`+
		`"resources":[{"name":"GET /r/%d/{id}","type":"API"}],"trace":{"uid":"%032x","span":{"uid":"%016x","start_time":%d,"end_time":%d,"operation":"GET /r/%d/{id}"}},`+
		`"unmapped":{"tokenaudit":{"token.id":"tok_%032x","token.type":"jwt","token.status":"active","token.issued_at":%d,"token.expires_at":%d,"token.scopes":["s%d","s%d"],"principal.id":"user-%d","principal.type":"user","resource":"GET /r/%d/{id}","action":"read","outcome":%q,"client.address":"10.%d.%d.%d","violations":[]}}}`,
		i, seq, t, t, outcome, tok%5003, outcome, i%211, tok,
		tok%5003, i%211, tok, (t/1000-86400)*1000, (t/1000+30*86400)*1000,
		(i/65536)%256, (i/256)%256, i%256, i%211,
		i%211, i, i, t, t+3, i%211,
		tok, t/1000-86400, t/1000+30*86400, tok%7, tok%11, tok%5003, i%211, outcome, (i/65536)%256, (i/256)%256, i%256)
}

// TestWriteBigLog writes REPORT_BIG_LOG_N realistic records to
// REPORT_BIG_LOG_DIR/audit (gzip segments) and the verification key to
// REPORT_BIG_LOG_DIR/audit.pub, for measuring `auditctl report`
// (docs/reports.md). It is skipped unless REPORT_BIG_LOG_DIR is set.
func TestWriteBigLog(t *testing.T) {
	root := os.Getenv("REPORT_BIG_LOG_DIR")
	if root == "" {
		t.Skip("set REPORT_BIG_LOG_DIR (and REPORT_BIG_LOG_N) to write a big log")
	}
	n, err := strconv.Atoi(os.Getenv("REPORT_BIG_LOG_N"))
	if err != nil || n <= 0 {
		n = 1_000_000
	}
	skey, vkey, err := note.GenerateKey(nil, "audit.test/big")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	l, err := auditlog.Open(auditlog.Options{Dir: filepath.Join(root, "audit"), Signer: signer, Origin: "audit.test/big",
		CheckpointEvery: 100_000, MaxSegmentBytes: 256 << 20, Compress: true,
		NewEvent: func(ev auditlog.Event) auditlog.Entry { return logEvent{ev} }})
	require.NoError(t, err)
	batch := make([]auditlog.Entry, 0, 10_000)
	for i := range n {
		batch = append(batch, realistic{i})
		if len(batch) == cap(batch) || i == n-1 {
			_, err := l.Append(batch)
			require.NoError(t, err)
			batch = batch[:0]
		}
	}
	require.NoError(t, l.Close())
	require.NoError(t, os.WriteFile(filepath.Join(root, "audit.pub"), []byte(vkey+"\n"), 0o600))
}
