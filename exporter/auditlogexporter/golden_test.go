package auditlogexporter

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// goldenItems are inputs of every kind the encoder meets: realistic spans,
// spans with violations, access log records (string and numeric status
// codes, file positions, a raw body, an event id), alerts, values of every
// type, escapes and invalid UTF-8, and credentials for the guard.
func goldenItems() (spans []item, logs []plog.LogRecord, logItems []item) {
	all := stageItems(stageTraces())
	spans = append(spans, all[:48]...)
	td := ptrace.NewTraces()
	auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	auditedSpan(td, "DELETE /users/{id}", auditattr.OutcomeSuccess, "scope", "ip")
	auditedSpan(td, "GET /x", auditattr.OutcomeDenied, "scope")
	s := auditedSpan(td, "POST /leak", auditattr.OutcomeFailure)
	s.Attributes().PutStr("tokenaudit.note", "Authorization: Bearer "+rawGitHubToken)
	s.Attributes().PutStr(auditattr.PrincipalID, "svc \"quoted\"\n\t\x01 \u2028 \xff end")
	s.Attributes().PutStr("url.path", "/v1/orders?access_token=s3cr3tV4lu3ThatM4tters&page=2")
	s.Attributes().PutStr(auditattr.PrincipalType, auditattr.PrincipalService)
	s = auditedSpan(td, "GET /types", auditattr.OutcomeError)
	a := s.Attributes()
	a.PutDouble("tokenaudit.ratio", 0.25)
	a.PutDouble("tokenaudit.nan", math.NaN())
	a.PutBool(auditattr.TokenVerified, false)
	a.PutEmptyBytes("tokenaudit.raw").FromRaw([]byte("abc\x00"))
	m := a.PutEmptyMap("tokenaudit.map")
	m.PutStr("k", "v")
	m.PutEmptySlice("list").AppendEmpty().SetInt(7)
	a.PutStr("http.response.status_code", "503")
	a.PutStr("rpc.grpc.status_code", "x")
	s = auditedSpan(td, "", "")
	s.SetTraceID(pcommon.TraceID{})
	s.Attributes().Remove(auditattr.Resource)
	s.Attributes().Remove("http.response.status_code")
	s.Attributes().PutInt("rpc.grpc.status_code", 14)
	spans = append(spans, stageItems(td)...)

	ld := accessLogBurst(4, func(a pcommon.Map, i int) {
		switch i {
		case 1:
			a.PutStr(attrFilePath, "/var/log/nginx/access.json")
			a.PutInt(attrRecordOffset, 600)
		case 2:
			a.PutStr(auditattr.EventID, "evt_00112233445566778899aabbccddeeff")
			a.PutStr("http.status_code", "401")
		case 3:
			a.PutStr(attrFileName, "access.log")
			a.PutStr(attrRecordNumber, "12")
			a.PutStr(auditattr.PrincipalID, "")
		}
	})
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	lrs.At(0).Body().SetStr("POST /login 401 \"Authorization: Basic dTpzZWNyZXRwdw==\"")
	lrs.At(1).SetTraceID(pcommon.TraceID{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})
	lrs.At(1).SetSpanID(pcommon.SpanID{8, 8, 8, 8, 8, 8, 8, 8})
	ev := lrs.AppendEmpty()
	auditedSpan(ptrace.NewTraces(), "GET /as/span", auditattr.OutcomeSuccess).Attributes().CopyTo(ev.Attributes())
	ev.SetEventName(auditattr.EventSpan)
	ev.SetTimestamp(pcommon.NewTimestampFromTime(eventTime))
	ev.SetTraceID(pcommon.TraceID{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7})
	ev.SetSpanID(pcommon.SpanID{6, 6, 6, 6, 6, 6, 6, 6})
	body := ev.Body().SetEmptyMap()
	body.PutStr(auditattr.SpanBodyName, "GET /as/span")
	body.PutInt(auditattr.SpanBodyEnd, int64(pcommon.NewTimestampFromTime(eventTime.Add(5*time.Millisecond))))

	alerts := alertLogs()
	al := alerts.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	second := al.AppendEmpty()
	al.At(0).CopyTo(second)
	second.Attributes().PutInt(auditattr.FindingCount, 3)
	second.Attributes().PutInt(auditattr.FindingFirstSeen, 1763805600000)
	second.Attributes().PutInt(auditattr.FindingLastSeen, 1763805660000)
	second.SetTraceID(pcommon.TraceID{})
	second.SetSeverityNumber(plog.SeverityNumberError)
	second.Body().SetStr("")
	alerts.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().MoveAndAppendTo(lrs)

	for i := 0; i < lrs.Len(); i++ {
		lr := lrs.At(i)
		it := item{attrs: lr.Attributes(), resource: ld.ResourceLogs().At(0).Resource().Attributes(), time: auditattr.LogTime(lr).AsTime(),
			traceID: lr.TraceID(), spanID: lr.SpanID(), body: lr.Body()}
		if lr.EventName() == auditattr.EventSpan {
			asSpan(&it, lr)
		}
		logs = append(logs, lr)
		logItems = append(logItems, it)
	}
	return spans, logs, logItems
}

// TestRecordsAreByteStable: the encoder writes, byte for byte, the records
// of testdata/records.golden.jsonl (log format 1, written by the encoder
// before its buffers were reused), moved to log format 2 by v2FromV1: the
// only bytes that differ are the ones it names. A change to the bytes
// changes every record id.
func TestRecordsAreByteStable(t *testing.T) {
	g, err := newGuard()
	if err != nil {
		t.Fatal(err)
	}
	enc := newEncoder("v1.2.3", g)
	logged := eventTime.Add(time.Second).UnixMilli()
	var entries []auditlog.Entry
	spans, logs, logItems := goldenItems()
	for i := range spans {
		entries = append(entries, stageRecord(enc, &spans[i], logged))
	}
	for i, lr := range logs {
		if lr.EventName() == auditattr.EventAnomaly {
			entries = append(entries, stageFinding(enc, &logItems[i], lr.SeverityNumber(), logged))
		} else {
			entries = append(entries, stageRecord(enc, &logItems[i], logged))
		}
	}
	entries = append(entries, enc.lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventStart, First: 3, Time: eventTime},
		Message: "started", Extra: map[string]any{"config": map[string]any{"b": 1, "a": "x"}}}, eventTime))
	if g.redactions.Load() == 0 {
		t.Fatal("no value was redacted: the inputs do not exercise the guard")
	}
	want, err := os.ReadFile(filepath.Join("testdata", "records.golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	wl := bytes.Split(bytes.TrimSuffix(want, []byte("\n")), []byte("\n"))
	if len(entries) != len(wl) {
		t.Fatalf("%d records, want %d", len(entries), len(wl))
	}
	var leaf auditlog.LeafHasher
	for i, e := range entries {
		line := e.AppendJSON(nil, int64(i))
		v1, v1uid, _ := bytes.Cut(wl[i], []byte(" uid="))
		wantLine, wantUID := v2FromV1(t, v1, string(v1uid))
		if !bytes.Equal(line, wantLine) || e.UID() != wantUID {
			t.Fatalf("record %d differs:\n got %s uid=%s\nwant %s uid=%s", i, line, e.UID(), wantLine, wantUID)
		}
		state, n := e.(auditlog.LeafPrefixer).LeafPrefix()
		if got := leaf.HashFrom(state, n, line); got != tlog.RecordHash(line) {
			t.Fatalf("record %d: the leaf hash from its prefix is not the line's", i)
		}
	}
}

// v2FromV1 moves a format 1 record to format 2, and checks its id by the
// format 1 rule. Format 1 is {"metadata":{"uid":…,"sequence":N,M},BODY}
// with uid the first 16 bytes of SHA-256(BODY). Format 2 is
// {BODY,"metadata":{"uid":…,"sequence":N,M'}} with M' = M plus
// "log_version":"2" before "version", and uid the first 16 bytes of
// SHA-256(0x00 "{" BODY): the leaf hash's beginning. Records of the log's
// own events (v1uid empty) have no id either way.
func v2FromV1(t *testing.T, v1 []byte, v1uid string) (line []byte, uid string) {
	t.Helper()
	const open = `{"metadata":`
	if !bytes.HasPrefix(v1, []byte(open)) {
		t.Fatalf("not a format 1 record: %s", v1)
	}
	var meta json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(v1[len(open):])).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	body := v1[len(open)+len(meta)+1 : len(v1)-1]
	if v1uid != "" {
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:16]) != v1uid {
			t.Fatalf("format 1 id %s is not SHA-256 of the body", v1uid)
		}
	}
	seq := bytes.Index(meta, []byte(`"sequence":`))
	rest := meta[seq+len(`"sequence":`):]
	digits := bytes.IndexByte(rest, ',')
	tail := bytes.Replace(rest[digits:], []byte(`,"version":"1.8.0"`), []byte(`,"log_version":"2","version":"1.8.0"`), 1)
	head := append([]byte("{"), body...)
	sum := sha256.Sum256(append([]byte{0}, head...))
	id := hex.EncodeToString(sum[:16])
	line = append(head, `,"metadata":{"uid":"`+id+`","sequence":`...)
	line = append(line, rest[:digits]...)
	line = append(append(line, tail...), '}')
	if v1uid == "" {
		return line, ""
	}
	return line, id
}

// TestEncodersRunInParallel: encoders that share the guard, one per
// goroutine, write what one encoder writes alone (run it with -race).
func TestEncodersRunInParallel(t *testing.T) {
	g, err := newGuard()
	if err != nil {
		t.Fatal(err)
	}
	spans, _, _ := goldenItems()
	encodeAll := func(enc *encoder) []byte {
		b := &recordBatch{}
		for i := range spans {
			enc.apiActivity(b, &spans[i], 1)
		}
		var out []byte
		for i, e := range b.records() {
			out = e.AppendJSON(out, int64(i))
		}
		return out
	}
	want := encodeAll(newEncoder("v", g))
	got := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = encodeAll(newEncoder("v", g)) })
	}
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], want) {
			t.Fatalf("encoder %d wrote other bytes", i)
		}
	}
}
