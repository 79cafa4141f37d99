package tokenanomalyconnector

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// sideSpan is one side of a request: the caller's client span or the
// service's server span (whose parent is the client span).
type sideSpan struct {
	it           item
	kind         ptrace.SpanKind
	trace        pcommon.TraceID
	span, parent pcommon.SpanID
	service      string
}

// requestSides is both sides of each request; the server span starts 3 ms
// after the client span, as across a network.
func requestSides(reqs []item, run byte) (clients, servers []sideSpan) {
	for i, it := range reqs {
		trace := pcommon.TraceID{7, run, byte(i), byte(i >> 8)}
		c := pcommon.SpanID{1, run, byte(i), byte(i >> 8)}
		clients = append(clients, sideSpan{it: it, kind: ptrace.SpanKindClient, trace: trace, span: c, service: "shop"})
		srv := it
		srv.at = it.at.Add(3 * time.Millisecond)
		servers = append(servers, sideSpan{it: srv, kind: ptrace.SpanKindServer, trace: trace,
			span: pcommon.SpanID{2, run, byte(i), byte(i >> 8)}, parent: c, service: "orders"})
	}
	return clients, servers
}

// sideSpans is a request of spans, each in its service's resource.
func sideSpans(ss []sideSpan) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, s := range ss {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", s.service)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetName("GET /orders")
		sp.SetKind(s.kind)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(s.it.at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(s.it.at.Add(10 * time.Millisecond)))
		sp.SetTraceID(s.trace)
		sp.SetSpanID(s.span)
		sp.SetParentSpanID(s.parent)
		s.it.fill(sp.Attributes())
	}
	return td
}

// shuffle returns ss in a random order: event times out of order within
// a request.
func shuffle(ss []sideSpan, seed uint64) []sideSpan {
	out := append([]sideSpan(nil), ss...)
	r := rand.New(rand.NewPCG(seed, 13))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// calls is n requests of token, a second apart, with a key in the URL.
func calls(n int, token, outcome string) []item {
	var out []item
	for i := range n {
		out = append(out, item{at: t0.Add(time.Duration(i) * time.Second), token: token, principal: "svc-shop",
			resource: "GET /orders", outcome: outcome, client: "10.0.0.7", tokenType: auditattr.TypeAPIKey, source: "url.query"})
	}
	return out
}

// arrangements are ways the two sides of requests reach the connector;
// settle is called where the batches were apart long enough for the
// reorder buffer to release the first side before the second came.
var arrangements = []struct {
	name  string
	sides func(clients, servers []sideSpan, h *harness)
}{
	{"server spans alone", func(_, servers []sideSpan, h *harness) {
		h.sendBatch(sideSpans(servers))
	}},
	{"client then server, one request", func(clients, servers []sideSpan, h *harness) {
		h.sendBatch(sideSpans(append(append([]sideSpan(nil), clients...), servers...)))
	}},
	{"server then client, one request", func(clients, servers []sideSpan, h *harness) {
		h.sendBatch(sideSpans(append(append([]sideSpan(nil), servers...), clients...)))
	}},
	{"clients' request, then the servers'", func(clients, servers []sideSpan, h *harness) {
		h.sendBatch(sideSpans(clients))
		h.sendBatch(sideSpans(servers))
	}},
	{"servers' request, then the clients' once the servers' were released", func(clients, servers []sideSpan, h *harness) {
		h.sendBatch(sideSpans(servers))
		h.settle()
		h.sendBatch(sideSpans(clients))
	}},
	{"shuffled across three requests, one sent twice", func(clients, servers []sideSpan, h *harness) {
		all := shuffle(append(append([]sideSpan(nil), clients...), servers...), 5)
		third := len(all) / 3
		h.sendBatch(sideSpans(all[:third]))
		second := sideSpans(all[third : 2*third])
		h.sendBatch(second)
		h.sendBatch(second) // the sender's retry
		h.sendBatch(sideSpans(all[2*third:]))
	}},
}

// TestOneRequestSeenByBothSidesCountsOnce: a request whose client and
// server spans both carry the credential counts once in the stateful
// detectors, whatever the order and requests its two sides arrive in:
// the same findings and counts as the server spans alone.
func TestOneRequestSeenByBothSidesCountsOnce(t *testing.T) {
	refused := func(n int, outcome string) []item { return calls(n, "tok_url_key", outcome) }
	for _, tc := range []struct {
		name     string
		reqs     []item
		finding  string
		alerted  bool
		observed float64 // the alert's count
	}{
		{"6 refused (401): under failed_attempts' 10", refused(6, auditattr.OutcomeFailure), auditattr.FindingFailedAttempts, false, 0},
		{"10 refused (401): failed_attempts", refused(10, auditattr.OutcomeFailure), auditattr.FindingFailedAttempts, true, 10},
		{"3 refused (403): under denied_access's 5", refused(3, auditattr.OutcomeDenied), auditattr.FindingDeniedAccess, false, 0},
		{"5 refused (403): denied_access", refused(5, auditattr.OutcomeDenied), auditattr.FindingDeniedAccess, true, 5},
	} {
		for run, a := range arrangements {
			t.Run(tc.name+", "+a.name, func(t *testing.T) {
				h := newHarness(t, testConfig())
				clients, servers := requestSides(tc.reqs, byte(run))
				a.sides(clients, servers, h)
				h.settle()
				got := h.alertsOf(tc.finding)
				if !tc.alerted {
					assert.Empty(t, got)
					return
				}
				require.Len(t, got, 1)
				assert.Equal(t, tc.observed, num(got[0], auditattr.EvidenceObserved))
			})
		}
	}
}

// TestRequestCountsOfBothSides: the rate and volume counts of requests
// seen by both sides equal those of the server spans alone.
func TestRequestCountsOfBothSides(t *testing.T) {
	reqs := calls(30, "tok_both", auditattr.OutcomeSuccess)
	type counts struct {
		rate, long uint32
		reqs       uint16
	}
	var want counts
	for run, a := range arrangements {
		t.Run(a.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			clients, servers := requestSides(reqs, byte(run))
			a.sides(clients, servers, h)
			h.settle()
			st := h.model.tokens.get(hashString(seedToken, "tok_both"))
			require.NotNil(t, st)
			got := counts{st.rateCount, st.rateLongSum(), st.deniedReqs}
			if run == 0 {
				want = got
				assert.Equal(t, uint32(len(reqs)), got.rate)
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestOneSideAloneCounts: a client span with no server span (an external
// API) counts, and server spans that share a parent without a client span
// (a caller that sends one traceparent with every request) are each a
// request: only a client span absorbs a server span, and only one.
func TestOneSideAloneCounts(t *testing.T) {
	reqs := calls(10, "tok_alone", auditattr.OutcomeFailure)
	for _, tc := range []struct {
		name  string
		sides func(clients, servers []sideSpan) []sideSpan
	}{
		{"client spans alone", func(clients, _ []sideSpan) []sideSpan { return clients }},
		{"server spans of one traceparent", func(_, servers []sideSpan) []sideSpan {
			for i := range servers {
				servers[i].trace, servers[i].parent = servers[0].trace, servers[0].parent
			}
			return servers
		}},
		{"server spans of one traceparent and its client span", func(clients, servers []sideSpan) []sideSpan {
			for i := range servers {
				servers[i].trace, servers[i].parent = clients[0].trace, clients[0].span
			}
			return append(servers, clients[0])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.sendBatch(sideSpans(tc.sides(requestSides(reqs, 0))))
			h.settle()
			got := h.alertsOf(auditattr.FindingFailedAttempts)
			require.Len(t, got, 1)
			assert.Equal(t, 10.0, num(got[0], auditattr.EvidenceObserved))
		})
	}
}

// TestPairSetBounded: the pair set forgets the oldest generation when
// full and counts what it forgot.
func TestPairSetBounded(t *testing.T) {
	s := newPairSet(100)
	ev := func(i int, side uint8) *event {
		e := &event{tokenID: "tok", key: 1, side: side}
		e.pairID[0], e.pairID[1] = byte(i), byte(i>>8)
		return e
	}
	for i := range 1000 {
		require.False(t, s.second(ev(i, sideClient)))
	}
	assert.LessOrEqual(t, s.cur.n+s.prev.n, 100)
	assert.Equal(t, int64(1000-s.cur.n-s.prev.n), s.evicted)
	assert.True(t, s.second(ev(999, sideServer)), "a recent request is remembered")
	assert.False(t, s.second(ev(0, sideServer)), "a forgotten one counts again")
	assert.False(t, newPairSet(0).second(ev(1, sideClient)), "0 turns pairing off")
}

// TestPairSurvivesACrash: the client spans a crash left held are held
// again with their side, so the server spans that come after the restart
// are not counted a second time.
func TestPairSurvivesACrash(t *testing.T) {
	reqs := calls(6, "tok_crash", auditattr.OutcomeSuccess)
	for _, tc := range []struct {
		name  string
		first func(h *harness)
	}{
		{name: "nothing saved", first: func(*harness) {}},
		{name: "saved while held", first: func(h *harness) { require.NoError(t, h.model.save(t.Context())) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := restartable(t, testConfig)
			clients, servers := requestSides(reqs, 0)
			h := open()
			h.sendBatch(sideSpans(clients))
			tc.first(h)
			h.crash()

			h2 := open()
			h2.sendBatch(sideSpans(servers))
			h2.settle()
			st := h2.model.tokens.get(hashString(seedToken, "tok_crash"))
			require.NotNil(t, st)
			assert.Equal(t, uint32(len(reqs)), st.rateCount, "each request counted once")
		})
	}
}

// BenchmarkPairs measures the pair set's cost per span at the default
// bound (dedup_window, a million requests), once full: each request's
// client span opens it, its server span completes it.
func BenchmarkPairs(b *testing.B) {
	s := newPairSet(createDefaultConfig().(*Config).DedupWindow)
	ev := event{tokenID: "tok", key: 7}
	n := uint64(0)
	next := func(side uint8) {
		binary.LittleEndian.PutUint64(ev.traceID[:], n>>1)
		ev.side, ev.pair = side, 0
		s.second(&ev)
		n++
	}
	for range 4 * s.genMax { // two generations of requests: the set is full
		next(sideClient + uint8(n&1))
	}
	b.ReportAllocs()
	for b.Loop() {
		next(sideClient + uint8(n&1))
	}
}
