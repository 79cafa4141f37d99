package auditlogexporter

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"golang.org/x/mod/sumdb/note"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// The per-stage benchmarks of one audit record: encoding (OCSF JSON and
// the record id), the credential guard, the log's hashing and the write.
// Each reports per record. The records are span-derived audit records as
// token_audit leaves them: 17 tokenaudit attributes, 7 others and 9
// resource attributes, tokens drawn from 10,000 with Zipf popularity,
// fresh span ids. 16,384 distinct spans, more than the guard's memo holds.

const stageSpans = 1 << 14

// stageTraces builds the benchmark spans, one resource per 64 spans.
func stageTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rnd := mrand.New(mrand.NewPCG(1, 2))
	zipf := mrand.NewZipf(rnd, 1.1, 1, 9999)
	var spans ptrace.SpanSlice
	for i := 0; i < stageSpans; i++ {
		if i%64 == 0 {
			rs := td.ResourceSpans().AppendEmpty()
			r := rs.Resource().Attributes()
			svc := fmt.Sprintf("orders-api-%d", i/64%8)
			r.PutStr("service.name", svc)
			r.PutStr("service.namespace", "shop")
			r.PutStr("service.version", "2.14.3")
			r.PutStr("service.instance.id", fmt.Sprintf("%s-7c9f8d6b5-%05d", svc, i/64))
			r.PutStr("deployment.environment.name", "production")
			r.PutStr("host.name", fmt.Sprintf("ip-10-0-%d-%d.eu-west-1.compute.internal", i/64%4, i/64))
			r.PutStr("cloud.provider", "aws")
			r.PutStr("cloud.region", "eu-west-1")
			r.PutStr("k8s.pod.name", fmt.Sprintf("%s-7c9f8d6b5-x%04d", svc, i/64))
			spans = rs.ScopeSpans().AppendEmpty().Spans()
		}
		tok := zipf.Uint64()
		s := spans.AppendEmpty()
		start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
		route := []string{"/v1/orders", "/v1/orders/{id}", "/v1/customers/{id}", "/v1/payments"}[i%4]
		s.SetName("GET " + route)
		s.SetKind(ptrace.SpanKindServer)
		var tid [16]byte
		binary.LittleEndian.PutUint64(tid[:], rnd.Uint64())
		binary.LittleEndian.PutUint64(tid[8:], rnd.Uint64())
		s.SetTraceID(tid)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(23 * time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("url.path", fmt.Sprintf("/v1/orders/%d", 100000+i))
		a.PutStr("url.scheme", "https")
		a.PutStr("server.address", "api.shop.example.com")
		a.PutStr("http.route", route)
		a.PutInt("http.response.status_code", []int64{200, 200, 200, 401, 403, 500}[i%6])
		a.PutStr("user_agent.original", "okhttp/4.12.0")
		a.PutStr(auditattr.TokenID, fmt.Sprintf("tok_%032x", tok*0x9e3779b97f4a7c15))
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenSource, "header:authorization")
		a.PutStr(auditattr.TokenIssuer, "https://auth.shop.example.com/")
		a.PutStr(auditattr.TokenAudience, "orders-api")
		a.PutStr(auditattr.TokenJTI, fmt.Sprintf("jti-%x", tok))
		sc := a.PutEmptySlice(auditattr.TokenScopes)
		sc.AppendEmpty().SetStr("orders:read")
		sc.AppendEmpty().SetStr("orders:write")
		a.PutInt(auditattr.TokenIssuedAt, start.Add(-time.Hour).Unix())
		a.PutInt(auditattr.TokenExpiresAt, start.Add(time.Hour).Unix())
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutBool(auditattr.TokenVerified, true)
		a.PutStr(auditattr.PrincipalID, fmt.Sprintf("user-%d", tok%3000))
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, route)
		a.PutStr(auditattr.Action, auditattr.ActionRead)
		a.PutStr(auditattr.Outcome, []string{auditattr.OutcomeSuccess, auditattr.OutcomeSuccess, auditattr.OutcomeSuccess,
			auditattr.OutcomeDenied, auditattr.OutcomeDenied, auditattr.OutcomeError}[i%6])
		a.PutStr(auditattr.ClientAddress, fmt.Sprintf("198.51.100.%d", tok%250))
	}
	return td
}

// stageItems are the spans as the encoder reads them.
func stageItems(td ptrace.Traces) []item {
	var items []item
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		spans := rs.ScopeSpans().At(0).Spans()
		for k := 0; k < spans.Len(); k++ {
			s := spans.At(k)
			items = append(items, item{attrs: s.Attributes(), resource: rs.Resource().Attributes(), time: auditattr.SpanTime(s).AsTime(),
				traceID: s.TraceID(), spanID: s.SpanID(), isSpan: true, name: s.Name(), start: s.StartTimestamp(), end: s.EndTimestamp()})
		}
	}
	return items
}

// freshSpanID gives item n a span id no other iteration had.
func freshSpanID(it *item, n uint64) {
	it.spanID = pcommon.SpanID{byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n) | 1}
}

func BenchmarkRecordStages(b *testing.B) {
	items := stageItems(stageTraces())
	g, err := newGuard()
	if err != nil {
		b.Fatal(err)
	}
	logged := time.Now().UnixMilli()
	buf := &stageBuf{}

	// encode: OCSF JSON and the hashing of the body, without the guard.
	b.Run("encode", func(b *testing.B) {
		enc := newEncoder("bench", g)
		enc.w.clean = func(s string) string { return s }
		enc.w.cleanScratch = func(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
		benchRecords(b, items, func(it *item) []byte { return stageEncode(enc, buf, it, logged) })
	})

	// guard: the guard over every value one record writes through it, in
	// the record's order, with its per-record memo.
	b.Run("guard", func(b *testing.B) {
		type value struct {
			s       string
			scratch []byte
		}
		var values [][]value
		rec := newEncoder("bench", g)
		for i := range items {
			var vs []value
			rec.w.clean = func(s string) string { vs = append(vs, value{s: s}); return s }
			rec.w.cleanScratch = func(b []byte) string {
				vs = append(vs, value{scratch: append([]byte(nil), b...)})
				return string(b)
			}
			stageEncode(rec, buf, &items[i], logged)
			values = append(values, vs)
		}
		enc := newEncoder("bench", g)
		b.ReportAllocs()
		i := 0
		cpu := processCPU()
		for b.Loop() {
			enc.seen = enc.seen[:0]
			for _, v := range values[i%len(values)] {
				if v.scratch != nil {
					_ = enc.cleanScratch(v.scratch)
				} else {
					_ = enc.clean(v.s)
				}
			}
			i++
		}
		reportCPU(b, cpu, i)
	})

	// encode+guard: what one record costs the encoder.
	b.Run("encode+guard", func(b *testing.B) {
		enc := newEncoder("bench", g)
		benchRecords(b, items, func(it *item) []byte { return stageEncode(enc, buf, it, logged) })
	})

	// record: what the budget covers, encoding, guard and hashing:
	// encode+guard (with the record id and the leaf's beginning, one pass
	// over the body), then the line with its sequence number and the leaf
	// hash the log finishes over the metadata. One record a batch here: the
	// batch's string of ids comes from a block shared by 128 batches
	// (idBlocks), so it shows as 32 B but no allocation per record.
	b.Run("record", func(b *testing.B) {
		enc := newEncoder("bench", g)
		var leaf auditlog.LeafHasher
		var line []byte
		seq := int64(0)
		benchRecords(b, items, func(it *item) []byte {
			stageEncode(enc, buf, it, logged)
			for _, e := range stageEntries(buf) {
				line = e.AppendJSON(line[:0], seq)
				seq++
				state, n := e.(auditlog.LeafPrefixer).LeafPrefix()
				_ = leaf.HashFrom(state, n, line)
			}
			return line
		})
	})

	// hash: all the hashing of one record: the record id and the leaf's
	// beginning (one pass over the body), and the leaf hash the log
	// finishes over the metadata. The tree hashes above the leaf are
	// measured by internal/auditlog's BenchmarkHashStoreAdd and are part of
	// write.
	b.Run("hash", func(b *testing.B) {
		enc := newEncoder("bench", g)
		heads, lines := make([][]byte, 1024), make([][]byte, 1024)
		for i := range heads {
			stageEncode(enc, buf, &items[i], logged)
			e := stageEntries(buf)[0]
			lines[i] = e.AppendJSON(nil, int64(i))
			_, n := e.(auditlog.LeafPrefixer).LeafPrefix()
			heads[i] = lines[i][:n]
		}
		var leaf auditlog.LeafHasher
		hb := &stageBuf{}
		b.ReportAllocs()
		i := 0
		cpu := processCPU()
		for b.Loop() {
			stageHash(hb, &leaf, heads[i%len(heads)], lines[i%len(lines)])
			i++
		}
		reportCPU(b, cpu, i)
	})

	// write: the log's append (leaf and tree hashes, write, fsync) of
	// batches of 1000 encoded records, with a checkpoint every 10,000.
	b.Run("write", func(b *testing.B) {
		l := benchOpenLog(b, g)
		enc := newEncoder("bench", g)
		batch := make([]auditlog.Entry, 1000)
		n := uint64(0)
		b.ReportAllocs()
		for b.Loop() {
			if n%uint64(len(batch)) == 0 {
				b.StopTimer()
				for i := range batch {
					it := &items[i]
					freshSpanID(it, n+uint64(i))
					batch[i] = stageRecord(enc, it, logged)
				}
				b.StartTimer()
				if _, err := l.Append(batch); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	})
}

// benchRecords runs encode over the items, one record an iteration, each
// with a fresh span id.
func benchRecords(b *testing.B, items []item, encode func(*item) []byte) {
	b.ReportAllocs()
	n := uint64(0)
	size := 0
	cpu := processCPU()
	for b.Loop() {
		it := &items[n%uint64(len(items))]
		freshSpanID(it, n)
		size += len(encode(it))
		n++
	}
	reportCPU(b, cpu, int(n))
	b.ReportMetric(math.Round(float64(size)/float64(n)), "record-bytes")
}

// reportCPU reports the process's CPU time per record since cpu, garbage
// collection included.
func reportCPU(b *testing.B, cpu int64, n int) {
	if used := processCPU() - cpu; used > 0 && n > 0 {
		b.ReportMetric(float64(used)/float64(n), "cpu-ns/op")
	}
}

func benchOpenLog(b *testing.B, g *guard) *auditlog.Log {
	skey, _, err := note.GenerateKey(rand.Reader, "audit.bench/log")
	if err != nil {
		b.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	l, err := auditlog.Open(auditlog.Options{Dir: filepath.Join(b.TempDir(), "audit"), Signer: signer, Origin: "audit.bench/log",
		CheckpointEvery: 10000, MaxSegmentBytes: 64 << 20, DedupWindow: 100000,
		NewEvent: func(ev auditlog.Event) auditlog.Entry {
			return newEncoder("bench", g).lifecycle(lifecycleEvent{Event: ev, Message: eventMessage(ev)}, time.Now())
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	return l
}
