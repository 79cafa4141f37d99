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
	t    *Traffic
	rng  *rand.Rand
	zipf [KindNone]*rand.Zipf
	pod  string
	seq  uint64
}

// Stream starts a stream of requests from one service instance.
func (t *Traffic) Stream(seed uint64) *Stream {
	s := &Stream{t: t, rng: rand.New(rand.NewPCG(seed, 0x5eed)), pod: fmt.Sprintf("shop-api-7d9f8c6b5-%05x", seed&0xfffff)}
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
	ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
	ss.Scope().SetVersion("0.58.0")
	spans := ss.Spans()
	spans.EnsureCapacity(n)
	for range n {
		s.span(spans.AppendEmpty(), now)
	}
	return td
}

// resource writes the 9 resource attributes of an instrumented service.
func (s *Stream) resource(a pcommon.Map) {
	a.EnsureCapacity(9)
	a.PutStr("service.name", "shop-api")
	a.PutStr("service.namespace", "shop")
	a.PutStr("service.version", "2.14.3")
	a.PutStr("service.instance.id", s.pod)
	a.PutStr("deployment.environment.name", "production")
	a.PutStr("host.name", "ip-10-20-3-41.eu-west-1.compute.internal")
	a.PutStr("k8s.namespace.name", "shop")
	a.PutStr("k8s.pod.name", s.pod)
	a.PutStr("telemetry.sdk.language", "go")
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

func (s *Stream) span(sp ptrace.Span, now time.Time) {
	r := Routes[s.rng.IntN(len(Routes))]
	sp.SetName(r.Method + " " + r.Route)
	sp.SetKind(ptrace.SpanKindServer)
	var tid pcommon.TraceID
	var sid pcommon.SpanID
	s.seq++
	putUint64(tid[:8], s.rng.Uint64())
	putUint64(tid[8:], s.seq)
	putUint64(sid[:], s.rng.Uint64())
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	end := now.Add(-time.Duration(s.rng.IntN(5000)) * time.Microsecond)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-time.Duration(1+s.rng.IntN(200)) * time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))

	status := int64(200)
	switch p := s.rng.Float64(); {
	case p < Share401:
		status = 401
	case p < Share401+Share403:
		status = 403
	case p < Share401+Share403+Share500:
		status = 500
		sp.Status().SetCode(ptrace.StatusCodeError)
	case r.Method == "POST":
		status = 201
	case r.Method == "DELETE":
		status = 204
	}
	k := s.kind()
	a := sp.Attributes()
	a.EnsureCapacity(15)
	a.PutStr("http.request.method", r.Method)
	a.PutStr("http.route", r.Route)
	path := r.Path
	if path[len(path)-1] == '/' {
		path += strconv.Itoa(s.rng.IntN(1_000_000))
	}
	a.PutStr("url.path", path)
	a.PutStr("url.scheme", "https")
	a.PutInt("http.response.status_code", status)
	a.PutStr("network.protocol.version", "1.1")
	a.PutStr("network.peer.address", "10.20.0."+strconv.Itoa(2+s.rng.IntN(6)))
	a.PutInt("network.peer.port", int64(32768+s.rng.IntN(28000)))
	a.PutStr("server.address", "api.shop.example.com")
	a.PutInt("server.port", 443)
	a.PutStr("user_agent.original", userAgents[s.rng.IntN(len(userAgents))])
	if k == KindNone {
		a.PutStr("client.address", fmt.Sprintf("85.%d.%d.%d", s.rng.IntN(256), s.rng.IntN(256), s.rng.IntN(256)))
	} else {
		set := &s.t.sets[k]
		i := int(s.zipf[k].Uint64())
		client := set.home[i]
		if s.rng.IntN(50) == 0 { // 2%: the same user on another network
			client = homeAddress(k, s.rng.IntN(1<<20))
		}
		a.PutStr("client.address", client)
		if k == KindAPIKey {
			a.PutStr("http.request.header.x-api-key", set.values[i])
		} else {
			a.PutStr("http.request.header.authorization", set.values[i])
		}
	}
	// 0–2 of the optional attributes: 12–15 in all.
	if s.rng.IntN(2) == 0 {
		a.PutStr("http.request.header.x-request-id", fmt.Sprintf("%016x", s.rng.Uint64()))
	}
	if r.Method == "POST" || r.Method == "PUT" {
		a.PutInt("http.request.body.size", int64(200+s.rng.IntN(4000)))
	} else if s.rng.IntN(2) == 0 {
		a.PutInt("http.response.body.size", int64(100+s.rng.IntN(20000)))
	}
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}
