// Package benchfixture builds the realistic batch the benchmarks share:
// 1000 server spans, 85% with a bearer JWT of 400–900 bytes from 10,000
// distinct tokens of Zipf popularity, headers in the string-array form.
// It is deterministic, so every benchmark run sees the same data.
package benchfixture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Shape of the batch.
const (
	Spans     = 1000
	Tokens    = 10_000
	CredShare = 0.85
	ZipfS     = 1.1
)

// HMACSecret signs the fixture JWTs (HS256, kid k1). A fixture, not a credential.
const HMACSecret = "bench-hmac-secret-that-is-32-bytes-or-more"

// Now is the batch's event time.
var Now = time.Date(2026, 11, 18, 10, 30, 0, 0, time.UTC)

// JWTs returns n signed JWTs of 400–900 bytes.
func JWTs(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT","kid":"k1"}`))
	toks := make([]string, n)
	for i := range toks {
		claims, _ := json.Marshal(map[string]any{
			"iss": "https://idp.example.com/tenant-42", "sub": fmt.Sprintf("user-%d", i), "aud": []string{"api://orders"},
			"iat": Now.Add(-time.Hour).Unix(), "exp": Now.Add(time.Hour).Unix(), "jti": fmt.Sprintf("jti-%08d", i),
			"scope": "orders:read orders:write", "client_id": "web-frontend",
			"pad": strings.Repeat("x", 150+rng.IntN(380)),
		})
		input := header + "." + enc.EncodeToString(claims)
		mac := hmac.New(sha256.New, []byte(HMACSecret))
		mac.Write([]byte(input))
		toks[i] = input + "." + enc.EncodeToString(mac.Sum(nil))
	}
	return toks
}

// Batch builds the batch over toks; token popularity follows Zipf.
func Batch(toks []string) ptrace.Traces {
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), ZipfS, 1, uint64(len(toks)-1))
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range Spans {
		s := spans.AppendEmpty()
		FillSpan(s, i)
		if rng.Float64() < CredShare {
			h := s.Attributes().PutEmptySlice("http.request.header.authorization")
			h.AppendEmpty().SetStr("Bearer " + toks[zipf.Uint64()])
		}
	}
	return td
}

// FillSpan writes the attributes of a typical HTTP server span.
func FillSpan(s ptrace.Span, i int) {
	s.SetName("GET /orders/{id}")
	s.SetKind(ptrace.SpanKindServer)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(Now.Add(time.Duration(i) * time.Millisecond)))
	a := s.Attributes()
	a.PutStr("http.request.method", "GET")
	a.PutStr("http.route", "/orders/{id}")
	a.PutStr("url.path", fmt.Sprintf("/orders/%d", i))
	a.PutStr("url.scheme", "https")
	a.PutInt("http.response.status_code", 200)
	a.PutStr("network.peer.address", fmt.Sprintf("10.0.%d.%d", i/250, i%250))
	a.PutStr("server.address", "orders.internal")
	a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0")
	a.PutEmptySlice("http.request.header.accept").AppendEmpty().SetStr("application/json")
}

// SpanWithoutCredential is a typical span with no credential.
func SpanWithoutCredential() ptrace.Span {
	s := ptrace.NewSpan()
	FillSpan(s, 7)
	return s
}

// Floor does the least any auditing processor must do per span, with
// outputs known in advance: find the header, remove it and write the
// contract attributes. It is the baseline the processor is measured
// against; memo maps a header value to its precomputed id and principal.
func Floor(td ptrace.Traces, memo map[string][2]string) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				floorSpan(s.Attributes(), memo)
			}
		}
	}
}

func floorSpan(a pcommon.Map, memo map[string][2]string) {
	v, ok := a.Get("http.request.header.authorization")
	if !ok {
		return
	}
	raw := v.Slice().At(0).Str()
	ids, ok := memo[raw]
	if !ok {
		ids = [2]string{fmt.Sprintf("tok_%032x", len(memo)), fmt.Sprintf("user-%d", len(memo))}
		memo[raw] = ids
	}
	a.Remove("http.request.header.authorization")
	a.EnsureCapacity(a.Len() + 20)
	a.PutStr(auditattr.TokenID, ids[0])
	a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
	a.PutStr(auditattr.TokenSource, "http.request.header.authorization")
	a.PutStr(auditattr.TokenIssuer, "https://idp.example.com/tenant-42")
	a.PutEmptySlice(auditattr.TokenAudience).AppendEmpty().SetStr("api://orders")
	a.PutStr(auditattr.TokenJTI, "jti-00000001")
	scopes := a.PutEmptySlice(auditattr.TokenScopes)
	scopes.AppendEmpty().SetStr("orders:read")
	scopes.AppendEmpty().SetStr("orders:write")
	a.PutInt(auditattr.TokenIssuedAt, Now.Add(-time.Hour).Unix())
	a.PutInt(auditattr.TokenExpiresAt, Now.Add(time.Hour).Unix())
	a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
	a.PutBool(auditattr.TokenVerified, true)
	a.PutStr(auditattr.PrincipalID, ids[1])
	a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
	a.PutStr(auditattr.Resource, "GET /orders/{id}")
	a.PutStr(auditattr.Action, auditattr.ActionRead)
	a.PutStr(auditattr.Outcome, auditattr.OutcomeSuccess)
	a.PutStr(auditattr.ClientAddress, "10.0.0.1")
}

// ReportPerSpan runs run once per benchmark iteration and reports time,
// bytes and allocations per span of a Spans-span batch.
func ReportPerSpan(b *testing.B, run func()) {
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	for b.Loop() {
		run()
	}
	el := time.Since(start)
	runtime.ReadMemStats(&ms1)
	n := float64(b.N) * Spans
	b.ReportMetric(float64(el.Nanoseconds())/n, "ns/span")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n, "B/span")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/span")
}
