package loadtraffic

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// ZipfS is the popularity skew of tokens within each kind: a few tokens
// make most calls, as in production API traffic.
const ZipfS = 1.1

// Status mix: the rest succeed.
const (
	Share401 = 0.05
	Share403 = 0.05
	Share500 = 0.05
)

// Traffic holds the token population; Stream draws requests from it.
type Traffic struct {
	sets [KindNone]tokenSet
}

// New makes tokens credentials split across the kinds by Shares. JWTs are
// HS256 under keyID, signed with secret (as config.yaml's demo issuer
// expects, so token_audit verifies every one of them), issued within the
// last hour and valid for Lifetime.
func New(tokens int, secret []byte, keyID string, now time.Time, seed uint64) (*Traffic, error) {
	if tokens < int(KindNone) {
		return nil, fmt.Errorf("tokens %d: at least %d, one of each credential kind", tokens, KindNone)
	}
	if len(secret) < 32 {
		return nil, errors.New("JWT secret: at least 32 bytes, as token_audit requires for HS256")
	}
	sig, err := newSigner(secret, keyID)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x10ad))
	withCred := 1 - Shares[KindNone]
	t := &Traffic{}
	left := tokens
	for k := range KindNone {
		n := max(1, int(float64(tokens)*Shares[k]/withCred))
		if k == KindNone-1 {
			n = max(1, left)
		}
		left -= n
		set := tokenSet{values: make([]string, n), home: make([]string, n)}
		for i := range n {
			switch k {
			case KindJWT:
				target := MinJWTBytes + 20 + rng.IntN(MaxJWTBytes-MinJWTBytes-60)
				if set.values[i], err = sig.jwt(rng, i, target, now); err != nil {
					return nil, err
				}
				set.values[i] = "Bearer " + set.values[i]
			case KindBasic:
				set.values[i] = basic(i)
			case KindAPIKey:
				set.values[i] = apiKey(i)
			}
			set.home[i] = homeAddress(k, i)
		}
		t.sets[k] = set
	}
	return t, nil
}

// Tokens is the number of credentials of kind k.
func (t *Traffic) Tokens(k int) int { return len(t.sets[k].values) }

// homeAddress is where token i of kind k usually calls from.
func homeAddress(k, i int) string {
	return fmt.Sprintf("%d.%d.%d.%d", 81+k, 16+i>>16&127, i>>8&255, i&255)
}

// Stream draws requests from a Traffic; one per sender, it is not safe
// for concurrent use.
type Stream struct {
	t     *Traffic
	rng   *rand.Rand
	zipf  [KindNone]*rand.Zipf
	pod   string
	seq   uint64
	names []string  // of the spans, by route
	peers [6]string // the gateway's addresses
	// draws is the scratch of the request being made.
	draws []spanDraw
	// head and scope are the encoded resource and scope fields of
	// AppendRequest's requests, made on its first call.
	head, scope []byte
	sizes       []int // of the spans of the request being encoded
}

// Stream starts a stream of requests from one service instance.
func (t *Traffic) Stream(seed uint64) *Stream {
	s := &Stream{t: t, rng: rand.New(rand.NewPCG(seed, 0x5eed)), pod: fmt.Sprintf("shop-api-7d9f8c6b5-%05x", seed&0xfffff)}
	// Strings every span picks from, made once: a request allocates
	// only what is new in it.
	s.names = make([]string, len(Routes))
	for i, r := range Routes {
		s.names[i] = r.Method + " " + r.Route
	}
	for i := range s.peers {
		s.peers[i] = "10.20.0." + strconv.Itoa(2+i)
	}
	for k := range KindNone {
		s.zipf[k] = rand.NewZipf(rand.New(rand.NewPCG(seed, uint64(k))), ZipfS, 1, uint64(len(t.sets[k].values)-1))
	}
	return s
}

// Route is an API operation: its method, route template and the path
// prefix a concrete request has (an id follows a trailing '/').
type Route struct{ Method, Route, Path string }

// Routes are the shop API's operations, all within the scopes the JWTs
// carry (policy.yaml).
var Routes = []Route{
	{"GET", "/orders/{id}", "/orders/"},
	{"GET", "/orders", "/orders"},
	{"POST", "/orders", "/orders"},
	{"GET", "/users/{id}", "/users/"},
	{"DELETE", "/orders/{id}", "/orders/"},
	{"PUT", "/orders/{id}", "/orders/"},
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"okhttp/4.12.0",
	"python-requests/2.32.3",
	"shop-mobile/5.3.1 (Android 14)",
}

// Request makes one export request of n server spans ending around now,
// each with a fresh trace and span id.
func (s *Stream) Request(n int, now time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	s.resource(rs.Resource().Attributes())
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scopeName)
	ss.Scope().SetVersion(scopeVersion)
	spans := ss.Spans()
	spans.EnsureCapacity(n)
	for _, d := range s.draw(n, now) {
		d.fill(spans.AppendEmpty())
	}
	return td
}

// The instrumentation scope of the spans.
const (
	scopeName    = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	scopeVersion = "0.58.0"
)

// resourceAttrs are the 9 resource attributes of an instrumented service.
func (s *Stream) resourceAttrs() [9]attr {
	return [9]attr{
		{key: "service.name", str: "shop-api"},
		{key: "service.namespace", str: "shop"},
		{key: "service.version", str: "2.14.3"},
		{key: "service.instance.id", str: s.pod},
		{key: "deployment.environment.name", str: "production"},
		{key: "host.name", str: "ip-10-20-3-41.eu-west-1.compute.internal"},
		{key: "k8s.namespace.name", str: "shop"},
		{key: "k8s.pod.name", str: s.pod},
		{key: "telemetry.sdk.language", str: "go"},
	}
}

func (s *Stream) resource(a pcommon.Map) {
	attrs := s.resourceAttrs()
	a.EnsureCapacity(len(attrs))
	for _, at := range attrs {
		at.put(a)
	}
}

// kind draws a span's credential kind by Shares.
func (s *Stream) kind() int {
	p := s.rng.Float64()
	for k := range KindNone {
		if p < Shares[k] {
			return k
		}
		p -= Shares[k]
	}
	return KindNone
}

// attr is one attribute of a drawn span: a string or an int.
type attr struct {
	key   string
	str   string
	num   int64
	isInt bool
	kvLen int // of the KeyValue, encoded (set by spanDraw.add)
}

func (at *attr) put(a pcommon.Map) {
	if at.isInt {
		a.PutInt(at.key, at.num)
	} else {
		a.PutStr(at.key, at.str)
	}
}

// spanDraw is one span's content, drawn once and then written as pdata
// (Request) or as protobuf (AppendRequest), so both carry the same
// traffic.
type spanDraw struct {
	name       string
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	start, end pcommon.Timestamp
	failed     bool // status code error
	attrs      [15]attr
	nattrs     int
	attrsLen   int // of the attributes' fields, encoded
}

func (d *spanDraw) add(a attr) {
	a.kvLen = a.size()
	d.attrs[d.nattrs] = a
	d.nattrs++
	d.attrsLen += fieldLen(fSpanAttributes, a.kvLen)
}

func (d *spanDraw) fill(sp ptrace.Span) {
	sp.SetName(d.name)
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetTraceID(d.traceID)
	sp.SetSpanID(d.spanID)
	sp.SetStartTimestamp(d.start)
	sp.SetEndTimestamp(d.end)
	if d.failed {
		sp.Status().SetCode(ptrace.StatusCodeError)
	}
	a := sp.Attributes()
	a.EnsureCapacity(d.nattrs)
	for i := range d.nattrs {
		d.attrs[i].put(a)
	}
}

// draw draws the next n spans into the stream's scratch, valid until the
// next call.
func (s *Stream) draw(n int, now time.Time) []spanDraw {
	if cap(s.draws) < n {
		s.draws = make([]spanDraw, n)
	}
	s.draws = s.draws[:n]
	for i := range s.draws {
		s.span(&s.draws[i], now)
	}
	return s.draws
}

func (s *Stream) span(d *spanDraw, now time.Time) {
	ri := s.rng.IntN(len(Routes))
	r := Routes[ri]
	*d = spanDraw{name: s.names[ri]}
	s.seq++
	putUint64(d.traceID[:8], s.rng.Uint64())
	putUint64(d.traceID[8:], s.seq)
	putUint64(d.spanID[:], s.rng.Uint64())
	end := now.Add(-time.Duration(s.rng.IntN(5000)) * time.Microsecond)
	d.start = pcommon.NewTimestampFromTime(end.Add(-time.Duration(1+s.rng.IntN(200)) * time.Millisecond))
	d.end = pcommon.NewTimestampFromTime(end)

	status := int64(200)
	switch p := s.rng.Float64(); {
	case p < Share401:
		status = 401
	case p < Share401+Share403:
		status = 403
	case p < Share401+Share403+Share500:
		status = 500
		d.failed = true
	case r.Method == "POST":
		status = 201
	case r.Method == "DELETE":
		status = 204
	}
	k := s.kind()
	d.add(attr{key: "http.request.method", str: r.Method})
	d.add(attr{key: "http.route", str: r.Route})
	path := r.Path
	if path[len(path)-1] == '/' {
		path += strconv.Itoa(s.rng.IntN(1_000_000))
	}
	d.add(attr{key: "url.path", str: path})
	d.add(attr{key: "url.scheme", str: "https"})
	d.add(attr{key: "http.response.status_code", num: status, isInt: true})
	d.add(attr{key: "network.protocol.version", str: "1.1"})
	d.add(attr{key: "network.peer.address", str: s.peers[s.rng.IntN(len(s.peers))]})
	d.add(attr{key: "network.peer.port", num: int64(32768 + s.rng.IntN(28000)), isInt: true})
	d.add(attr{key: "server.address", str: "api.shop.example.com"})
	d.add(attr{key: "server.port", num: 443, isInt: true})
	d.add(attr{key: "user_agent.original", str: userAgents[s.rng.IntN(len(userAgents))]})
	if k == KindNone {
		d.add(attr{key: "client.address", str: fmt.Sprintf("85.%d.%d.%d", s.rng.IntN(256), s.rng.IntN(256), s.rng.IntN(256))})
	} else {
		set := &s.t.sets[k]
		i := int(s.zipf[k].Uint64())
		client := set.home[i]
		if s.rng.IntN(50) == 0 { // 2%: the same user on another network
			client = homeAddress(k, s.rng.IntN(1<<20))
		}
		d.add(attr{key: "client.address", str: client})
		if k == KindAPIKey {
			d.add(attr{key: "http.request.header.x-api-key", str: set.values[i]})
		} else {
			d.add(attr{key: "http.request.header.authorization", str: set.values[i]})
		}
	}
	// 0–2 of the optional attributes: 12–15 in all.
	if s.rng.IntN(2) == 0 {
		d.add(attr{key: "http.request.header.x-request-id", str: fmt.Sprintf("%016x", s.rng.Uint64())})
	}
	if r.Method == "POST" || r.Method == "PUT" {
		d.add(attr{key: "http.request.body.size", num: int64(200 + s.rng.IntN(4000)), isInt: true})
	} else if s.rng.IntN(2) == 0 {
		d.add(attr{key: "http.response.body.size", num: int64(100 + s.rng.IntN(20000)), isInt: true})
	}
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}
