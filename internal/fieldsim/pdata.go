package fieldsim

import (
	"math/rand/v2"
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// converter turns requests into what each service's telemetry shows:
// semantic-convention server spans (the Go and JS SDKs' HTTP
// instrumentations, with the credential headers captured), nginx JSON
// access-log records mapped by file_log, and a worker's application log.
type converter struct {
	s   *Sim
	rng *rand.Rand
	svc map[string]*service
}

func newConverter(s *Sim) *converter {
	c := &converter{s: s, rng: rand.New(rand.NewPCG(s.cfg.Seed, 0xc0ffee)), svc: map[string]*service{}}
	for _, svc := range s.services {
		c.svc[svc.name] = svc
	}
	return c
}

func (c *converter) batch(chunks []chunk) *Batch {
	b := &Batch{Traces: ptrace.NewTraces(), Logs: plog.NewLogs()}
	for _, ch := range chunks {
		b.Requests = append(b.Requests, ch.reqs...)
		svc := c.svc[ch.svc]
		switch {
		case svc == nil:
			c.appLogs(b.Logs, ch)
		case svc.telemetry == accessLog:
			c.accessLogs(b.Logs, svc, ch)
		default:
			c.spans(b.Traces, svc, ch)
		}
	}
	return b
}

func (c *converter) resource(res pcommon.Resource, name, lang string) {
	a := res.Attributes()
	a.PutStr("service.name", name)
	a.PutStr("service.version", "1.4.3")
	a.PutStr("deployment.environment.name", "production")
	a.PutStr("telemetry.sdk.name", "opentelemetry")
	a.PutStr("telemetry.sdk.language", lang)
	a.PutStr("k8s.namespace.name", "api")
	a.PutStr("k8s.pod.name", name+"-7d9f8c6b5-"+randString(c.rng, "bcdfghjklmnpqrstvwxz2456789", 5))
}

func (c *converter) ids() (pcommon.TraceID, pcommon.SpanID) {
	var t pcommon.TraceID
	var sp pcommon.SpanID
	for i := range t {
		t[i] = byte(c.rng.IntN(256))
	}
	for i := range sp {
		sp[i] = byte(c.rng.IntN(256))
	}
	return t, sp
}

// peer is the socket peer a service sees: the gateway pod for services
// behind it, else the caller.
func (c *converter) peer(svc *service, r *Request) netip.Addr {
	if svc.behindGateway {
		return c.s.nets.gateway[c.rng.IntN(len(c.s.nets.gateway))]
	}
	return r.client
}

func (c *converter) spans(td ptrace.Traces, svc *service, ch chunk) {
	rs := td.ResourceSpans().AppendEmpty()
	lang, scope, version := "go", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "0.58.0"
	if svc.telemetry == otelJS {
		lang, scope, version = "nodejs", "@opentelemetry/instrumentation-http", "0.57.1"
	}
	c.resource(rs.Resource(), svc.name, lang)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	ss.Scope().SetVersion(version)
	for i := range ch.reqs {
		r := &ch.reqs[i]
		sp := ss.Spans().AppendEmpty()
		tid, sid := c.ids()
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		sp.SetName(r.route.method + " " + r.route.template)
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(r.At))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(r.At.Add(r.Duration)))
		if r.status >= 500 {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		a := sp.Attributes()
		a.PutStr("http.request.method", r.route.method)
		a.PutStr("http.route", r.route.template)
		a.PutStr("url.path", r.path)
		a.PutStr("url.scheme", "https")
		a.PutStr("server.address", svc.host)
		a.PutInt("server.port", 443)
		a.PutStr("network.protocol.version", "1.1")
		a.PutStr("user_agent.original", r.ua)
		a.PutInt("http.response.status_code", int64(r.status))
		peer := c.peer(svc, r)
		a.PutStr("network.peer.address", peer.String())
		a.PutInt("network.peer.port", int64(1024+c.rng.IntN(60000)))
		a.PutStr("client.address", r.client.String())
		if svc.behindGateway {
			a.PutEmptySlice("http.request.header.x-forwarded-for").AppendEmpty().SetStr(r.client.String())
		}
		if r.header != "" {
			a.PutEmptySlice("http.request.header." + r.header).AppendEmpty().SetStr(r.value)
		}
		switch r.leak {
		case leakQuery:
			a.PutStr("url.query", "access_token="+r.leaked+"&page=2")
			a.PutStr("url.full", "https://"+svc.host+r.path+"?access_token="+r.leaked+"&page=2")
		case leakException:
			ev := sp.Events().AppendEmpty()
			ev.SetName("exception")
			ev.SetTimestamp(pcommon.NewTimestampFromTime(r.At.Add(r.Duration)))
			ev.Attributes().PutStr("exception.type", "UpstreamError")
			ev.Attributes().PutStr("exception.message", "POST https://payments.acme.example/v1/charges: 401 Unauthorized (request headers: "+headerText(r.header, r.value, r.leaked)+")")
		}
	}
}

// headerText is a credential header as a debugging line prints it.
func headerText(header, value, raw string) string {
	if header == "x-api-key" {
		return "X-Api-Key: " + raw
	}
	if strings.HasPrefix(value, "Basic ") {
		return "Authorization: " + value
	}
	return "Authorization: Bearer " + raw
}

func (c *converter) accessLogs(ld plog.Logs, svc *service, ch chunk) {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", svc.name)
	rl.Resource().Attributes().PutStr("host.name", "files-legacy-01")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range ch.reqs {
		r := &ch.reqs[i]
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(r.At))
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(ch.arrival))
		body := lr.Body().SetEmptyMap()
		body.PutStr("host", svc.host)
		body.PutDouble("request_time", r.Duration.Seconds())
		body.PutInt("bytes_sent", int64(200+c.rng.IntN(200000)))
		a := lr.Attributes()
		a.PutStr("http.request.method", r.route.method)
		a.PutStr("url.path", r.path)
		a.PutInt("http.response.status_code", int64(r.status))
		a.PutStr("client.address", r.client.String())
		a.PutStr("user_agent.original", r.ua)
		if r.header != "" {
			a.PutStr("http.request.header."+r.header, r.value)
		}
		if r.leak == leakQuery {
			a.PutStr("url.query", "access_token="+r.leaked+"&page=2")
		}
	}
}

// appLogs: a worker that logs the failing request's headers at ERROR.
func (c *converter) appLogs(ld plog.Logs, ch chunk) {
	rl := ld.ResourceLogs().AppendEmpty()
	c.resource(rl.Resource(), ch.svc, "go")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("go.opentelemetry.io/contrib/bridges/otelslog")
	for i := range ch.reqs {
		r := &ch.reqs[i]
		lr := sl.LogRecords().AppendEmpty()
		tid, sid := c.ids()
		lr.SetTraceID(tid)
		lr.SetSpanID(sid)
		lr.SetTimestamp(pcommon.NewTimestampFromTime(r.At))
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(ch.arrival))
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
		lr.Body().SetStr("charge failed after 3 retries: POST https://payments.acme.example/v1/charges -> 502; " + headerText("", "", r.leaked))
		lr.Attributes().PutStr("code.function.name", "worker.(*Charger).Charge")
	}
}
