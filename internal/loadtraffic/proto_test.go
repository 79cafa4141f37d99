package loadtraffic

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestAppendRequestIsRequest: the bytes the load generator sends decode
// to the request Request makes from an identical stream, span for span.
// (Not to pdata's bytes: pdata writes fields in reverse order and an empty
// parent span id, which decode the same.)
func TestAppendRequestIsRequest(t *testing.T) {
	now := time.Now()
	tr, err := New(1_000, []byte(testSecret), "demo", now, 1)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		spans []int // request sizes, in order
	}{
		{"one span", []int{1}},
		{"requests of the benchmark", []int{1000, 1000, 1000}},
		{"sizes changing", []int{7, 300, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, got := tr.Stream(9), tr.Stream(9)
			var buf []byte
			for i, n := range tc.spans {
				wantReq := ptraceotlp.NewExportRequestFromTraces(want.Request(n, now))
				buf = got.AppendRequest(buf[:0], n, now)
				gotReq := ptraceotlp.NewExportRequest()
				require.NoError(t, gotReq.UnmarshalProto(buf), "request %d", i)
				requireSameTraces(t, wantReq.Traces(), gotReq.Traces())
			}
		})
	}
}

// requireSameTraces compares one-resource, one-scope requests part by
// part, so that a difference is reported at the first span that has it.
func requireSameTraces(t *testing.T, want, got ptrace.Traces) {
	t.Helper()
	require.Equal(t, 1, got.ResourceSpans().Len())
	wantRS, gotRS := want.ResourceSpans().At(0), got.ResourceSpans().At(0)
	require.Equal(t, wantRS.Resource().Attributes().AsRaw(), gotRS.Resource().Attributes().AsRaw())
	require.Equal(t, 1, gotRS.ScopeSpans().Len())
	wantSS, gotSS := wantRS.ScopeSpans().At(0), gotRS.ScopeSpans().At(0)
	require.Equal(t, wantSS.Scope(), gotSS.Scope())
	require.Equal(t, wantSS.Spans().Len(), gotSS.Spans().Len())
	for i := range wantSS.Spans().Len() {
		require.Equal(t, wantSS.Spans().At(i), gotSS.Spans().At(i), "span %d", i)
	}
}

// TestAppendRequestFreshIDs: across the requests of several streams (the
// load generator's senders, each with its own stream), no two spans share
// a span id or a trace id, so the collector drops nothing as a replay.
func TestAppendRequestFreshIDs(t *testing.T) {
	now := time.Now()
	tr, err := New(1_000, []byte(testSecret), "demo", now, 1)
	require.NoError(t, err)
	spanIDs := map[pcommon.SpanID]bool{}
	traceIDs := map[pcommon.TraceID]bool{}
	total := 0
	for w := range uint64(4) {
		s := tr.Stream(w<<32 ^ 12345)
		var buf []byte
		for range 5 {
			buf = s.AppendRequest(buf[:0], 1000, now)
			req := ptraceotlp.NewExportRequest()
			require.NoError(t, req.UnmarshalProto(buf))
			for _, sp := range req.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
				total++
				spanIDs[sp.SpanID()] = true
				traceIDs[sp.TraceID()] = true
			}
		}
	}
	assert.Equal(t, 20_000, total)
	assert.Equal(t, total, len(spanIDs), "a fresh span id on every span")
	assert.Equal(t, total, len(traceIDs), "a fresh trace id on every span")
}
