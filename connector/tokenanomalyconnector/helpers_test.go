package tokenanomalyconnector

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// t0 is a Monday, 10:00 UTC.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// item is one audited request as token_audit would annotate it.
type item struct {
	at                                  time.Time
	token, principal, resource, outcome string
	client, tokenType, jti, source      string
	principalType                       string
	scopes, violations                  []string
	issuedAt, expiresAt                 int64
	trace                               byte
	notPresented                        bool // token.presented false
	issuer                              string
	verified                            bool // token.verified true
}

func (it item) fill(a pcommon.Map) {
	put := func(k, v string) {
		if v != "" {
			a.PutStr(k, v)
		}
	}
	put(auditattr.TokenID, it.token)
	put(auditattr.TokenType, it.tokenType)
	put(auditattr.TokenJTI, it.jti)
	put(auditattr.PrincipalID, it.principal)
	put(auditattr.Resource, it.resource)
	put(auditattr.Outcome, it.outcome)
	put(auditattr.ClientAddress, it.client)
	put(auditattr.TokenSource, it.source)
	put(auditattr.PrincipalType, it.principalType)
	if it.scopes != nil {
		s := a.PutEmptySlice(auditattr.TokenScopes)
		for _, v := range it.scopes {
			s.AppendEmpty().SetStr(v)
		}
	}
	if it.violations != nil {
		s := a.PutEmptySlice(auditattr.Violations)
		for _, v := range it.violations {
			s.AppendEmpty().SetStr(v)
		}
	}
	if it.notPresented {
		a.PutBool(auditattr.TokenPresented, false)
	}
	put(auditattr.TokenIssuer, it.issuer)
	if it.verified {
		a.PutBool(auditattr.TokenVerified, true)
	}
	if it.issuedAt != 0 {
		a.PutInt(auditattr.TokenIssuedAt, it.issuedAt)
	}
	if it.expiresAt != 0 {
		a.PutInt(auditattr.TokenExpiresAt, it.expiresAt)
	}
	a.PutStr("http.request.header.authorization", "Bearer tok_should_never_be_copied")
}

func spans(items ...item) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders")
	rs.Resource().Attributes().PutStr("secret.resource.attr", "do-not-copy")
	ss := rs.ScopeSpans().AppendEmpty()
	for _, it := range items {
		sp := ss.Spans().AppendEmpty()
		sp.SetName("GET /x")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(it.at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(it.at.Add(time.Millisecond)))
		sp.SetTraceID(pcommon.TraceID{1, it.trace})
		sp.SetSpanID(nextSpanID(it.trace))
		it.fill(sp.Attributes())
	}
	return td
}

// spanSeq numbers the items the helpers build: two items are two spans
// (or records), even when all else is equal; a batch sent again keeps its ids.
var spanSeq atomic.Uint64

// nextSpanID is 2, the item's trace byte, then a sequence number.
func nextSpanID(trace byte) pcommon.SpanID {
	id := pcommon.SpanID{2, trace}
	binary.LittleEndian.PutUint32(id[2:], uint32(spanSeq.Add(1)))
	return id
}

func logs(items ...item) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "gateway")
	sl := rl.ScopeLogs().AppendEmpty()
	for _, it := range items {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(it.at))
		lr.SetTraceID(pcommon.TraceID{1, it.trace})
		lr.SetSpanID(nextSpanID(it.trace))
		lr.Body().SetStr("GET /x 200")
		it.fill(lr.Attributes())
	}
	return ld
}

// harness runs the four pairs of one component id, as the collector
// would, delivering each batch to every pair of its input signal.
type harness struct {
	t       testing.TB
	pairs   []component.Component
	traces  []connector.Traces
	logs    []connector.Logs
	alerts  *consumertest.LogsSink
	metrics *consumertest.MetricsSink
	model   *model
}

// newResourceCalls is how many calls of a new resource make a session at
// new_resource's default min_requests.
func newResourceCalls() int { return createDefaultConfig().(*Config).Detectors.NewResource.MinRequests }

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Metrics.FlushInterval = time.Hour // tests flush by hand
	// Replays release by event time, whatever the machine's load.
	cfg.MaxReorderWait = cfg.AllowedLateness
	return cfg
}

func newHarness(t testing.TB, cfg *Config) *harness {
	return newHarnessWithHost(t, cfg, componenttest.NewNopHost())
}

func newHarnessWithHost(t testing.TB, cfg *Config, host component.Host) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, harnessOptions{host: host})
}

// harnessOptions changes what a harness runs with: the host (storage),
// the consumer in front of the alerts sink, the telemetry settings.
type harnessOptions struct {
	host      component.Host
	alertsVia func(next consumer.Logs) consumer.Logs
	telemetry *component.TelemetrySettings
}

func newHarnessWith(t testing.TB, cfg *Config, o harnessOptions) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	f := NewFactory()
	set := connectortest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type) // stable, so saved state is found again
	if o.telemetry != nil {
		set.TelemetrySettings = *o.telemetry
	}
	if o.host == nil {
		o.host = componenttest.NewNopHost()
	}
	h := &harness{t: t, alerts: new(consumertest.LogsSink), metrics: new(consumertest.MetricsSink)}
	var alerts consumer.Logs = h.alerts
	if o.alertsVia != nil {
		alerts = o.alertsVia(h.alerts)
	}
	host := o.host
	ctx := context.Background()
	tm, err := f.CreateTracesToMetrics(ctx, set, cfg, h.metrics)
	require.NoError(t, err)
	tl, err := f.CreateTracesToLogs(ctx, set, cfg, alerts)
	require.NoError(t, err)
	lm, err := f.CreateLogsToMetrics(ctx, set, cfg, h.metrics)
	require.NoError(t, err)
	ll, err := f.CreateLogsToLogs(ctx, set, cfg, alerts)
	require.NoError(t, err)
	h.traces = []connector.Traces{tm, tl}
	h.logs = []connector.Logs{lm, ll}
	h.pairs = []component.Component{tm, tl, lm, ll}
	for _, p := range h.pairs {
		require.NoError(t, p.Start(ctx, host))
	}
	h.model = tm.(*anomalyConnector).shared.model
	t.Cleanup(h.stop)
	return h
}

// restartable starts harnesses of cfg on one durable storage: each call
// is a start after the previous harness's crash or stop.
func restartable(t testing.TB, cfg func() *Config) func() *harness {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	return func() *harness {
		c := cfg()
		c.Storage = &id
		return newHarnessWith(t, c, harnessOptions{host: disk.host(id)})
	}
}

func (h *harness) stop() {
	for _, p := range h.pairs {
		require.NoError(h.t, p.Shutdown(context.Background()))
	}
	h.pairs = nil
}

// send delivers items in one request and then lets the wall clock pass
// allowed_lateness: the stateful detectors have seen them on return.
func (h *harness) send(items ...item) {
	h.t.Helper()
	h.sendBatch(spans(items...))
	h.settle()
}

// sendLogs is send for log records.
func (h *harness) sendLogs(items ...item) {
	h.t.Helper()
	h.sendLogsBatch(logs(items...))
	h.settle()
}

// settle releases every held item to the stateful detectors, as the wall
// clock passing allowed_lateness would.
func (h *harness) settle() {
	h.model.releaseAndSend(context.Background(), h.model.releaseAll)
	h.waitDelivered()
}

// waitDelivered waits until the deliverer (with storage) has sent what it
// may, as a batch without storage has on return: no stored entry is left
// that it would send now.
func (h *harness) waitDelivered() {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); h.model.outbox.deliverable(h.model.alerts() != nil, time.Now()); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("stored alerts were not delivered within 10 s")
		}
	}
}

// deliverable reports whether the deliverer has work: the first entry is
// stored and either holds no alert or may be sent now.
func (o *outbox) deliverable(consumer bool, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) == 0 || !o.queue[0].ready.Load() {
		return false
	}
	return o.queue[0].n == 0 || consumer && o.pendingN > 0 && !now.Before(o.nextTry)
}

// records returns every alert record so far.
func (h *harness) records() []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range h.alerts.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

func (h *harness) alertsOf(typ string) []plog.LogRecord {
	var out []plog.LogRecord
	for _, lr := range h.records() {
		if v, _ := lr.Attributes().Get(auditattr.FindingType); v.Str() == typ {
			out = append(out, lr)
		}
	}
	return out
}

func str(lr plog.LogRecord, k string) string {
	v, ok := lr.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

func num(lr plog.LogRecord, k string) float64 {
	v, ok := lr.Attributes().Get(k)
	if !ok {
		return -1
	}
	if v.Type() == pcommon.ValueTypeInt {
		return float64(v.Int())
	}
	return v.Double()
}

func strs(lr plog.LogRecord, k string) []string {
	v, ok := lr.Attributes().Get(k)
	if !ok {
		return nil
	}
	var out []string
	for _, x := range v.Slice().All() {
		out = append(out, x.Str())
	}
	return out
}

// writePolicy writes a policy file into a temporary directory.
func writePolicy(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// steady sends n successful requests of one token, every step from start.
func steady(token, client, resource string, start time.Time, step time.Duration, n int) []item {
	out := make([]item, n)
	for i := range out {
		out[i] = item{at: start.Add(time.Duration(i) * step), token: token, principal: "alice", resource: resource,
			outcome: auditattr.OutcomeSuccess, client: client, tokenType: auditattr.TypeJWT}
	}
	return out
}

func connectortestSettings() connector.Settings { return connectortest.NewNopSettings(metadata.Type) }

func componenttestTelemetry() component.TelemetrySettings {
	return componenttest.NewNopTelemetrySettings()
}

func (h *harness) sendBatch(td ptrace.Traces) {
	h.t.Helper()
	for _, c := range h.traces {
		require.NoError(h.t, c.ConsumeTraces(context.Background(), td))
	}
	h.waitDelivered()
}

func (h *harness) sendLogsBatch(ld plog.Logs) {
	h.t.Helper()
	for _, c := range h.logs {
		require.NoError(h.t, c.ConsumeLogs(context.Background(), ld))
	}
	h.waitDelivered()
}
