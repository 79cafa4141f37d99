package tokenanomalyconnector

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// refusing refuses the first left batches of alerts, then passes them on.
type refusing struct {
	next consumer.Logs
	left atomic.Int64
}

func refuse(n int64) (*refusing, func(consumer.Logs) consumer.Logs) {
	r := &refusing{}
	r.left.Store(n)
	return r, func(next consumer.Logs) consumer.Logs { r.next = next; return r }
}

func (*refusing) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (r *refusing) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if r.left.Load() > 0 {
		r.left.Add(-1)
		return errors.New("the alert pipeline is unavailable")
	}
	return r.next.ConsumeLogs(ctx, ld)
}

// durableStorage is a storage extension whose data outlives the model that
// wrote it, write by write, as file_storage with fsync does: a crash
// abandons the model, and the next one opens the same data.
type durableStorage struct {
	component.StartFunc
	component.ShutdownFunc
	client *storagetest.TestClient
}

func newDurableStorage() *durableStorage {
	return &durableStorage{client: storagetest.NewInMemoryClient(component.KindConnector, component.NewID(metadata.Type), "")}
}

func (d *durableStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return keptOpen{d.client}, nil
}

// keptOpen survives the model's Close, as the data on disk does.
type keptOpen struct{ storage.Client }

func (keptOpen) Close(context.Context) error { return nil }

// unmarked is storage on which recording that alerts were sent fails, as
// when the process dies between sending and recording.
type unmarked struct{ *durableStorage }

func (u unmarked) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return failedMark{keptOpen{u.client}}, nil
}

type failedMark struct{ storage.Client }

func (f failedMark) Set(ctx context.Context, key string, value []byte) error {
	if key == keyOutbox {
		return errors.New("killed")
	}
	return f.Client.Set(ctx, key, value)
}

func (d *durableStorage) host(id component.ID) component.Host { return storageHost{id: id, ext: d} }

type storageHost struct {
	id  component.ID
	ext component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{h.id: h.ext}
}

// crash abandons the model as kill -9 would: no last flush, no save.
func (h *harness) crash() {
	m := h.model
	close(m.stop)
	m.loops.Wait()
	m.policies.Close()
	m.tel.shutdown()
	h.pairs = nil
}

// sendUntilAccepted sends td as an OTLP sender does: again, unchanged,
// until it is accepted, at most tries times.
func (h *harness) sendUntilAccepted(td ptrace.Traces, tries int) {
	h.t.Helper()
	for range tries {
		var errs []error
		for _, c := range h.traces {
			errs = append(errs, c.ConsumeTraces(context.Background(), td))
		}
		if errors.Join(errs...) == nil {
			return
		}
	}
	h.t.Fatalf("the batch was refused %d times", tries)
}

// retryUntilSent lets the outbox retry as its loop would, back-off elapsed.
func (h *harness) retryUntilSent(tries int) {
	for range tries {
		h.model.retryAlerts(context.Background(), time.Now().Add(time.Hour))
	}
}

// alertSummary is every alert record as the next consumer saw it, but
// for the observed timestamp (when it was raised, wall clock).
func alertSummary(h *harness) []map[string]any {
	var out []map[string]any
	for _, lr := range h.records() {
		m := lr.Attributes().AsRaw()
		m["~time"] = lr.Timestamp().String()
		m["~body"] = lr.Body().AsString()
		m["~severity"] = lr.SeverityText()
		m["~trace"] = lr.TraceID().String() + "/" + lr.SpanID().String()
		out = append(out, m)
	}
	return out
}

func deliveryConfig() *Config {
	cfg := testConfig()
	cfg.Detectors.FailedAttempts.Threshold = 5
	// These tests are about delivery, not order: items reach the stateful
	// detectors as they are read, so a batch's alerts leave with it.
	cfg.AllowedLateness = 0
	cfg.Detectors.NewClientAddress.Hold = 0 // at most the lateness
	return cfg
}

// fiveFailures raises failed_attempts (threshold 5) and, on the last
// item, a scope violation: two alerts.
func fiveFailures() ptrace.Traces {
	items := make([]item, 5)
	for i := range items {
		items[i] = item{at: t0.Add(time.Duration(i) * time.Second), token: "tok_r", principal: "alice",
			resource: "GET /admin", outcome: auditattr.OutcomeFailure, client: "198.51.100.7"}
	}
	items[4].violations = []string{auditattr.ViolationScope}
	return spans(items...)
}

// cleanDelivery is fiveFailures and the alerts one clean delivery of it gives.
func cleanDelivery(t *testing.T) (ptrace.Traces, []map[string]any) {
	td := fiveFailures()
	clean := newHarness(t, deliveryConfig())
	clean.sendBatch(td)
	want := alertSummary(clean)
	require.Len(t, want, 2)
	return td, want
}

func TestRefusedAlertsAreSentOnceUnchanged(t *testing.T) {
	td, want := cleanDelivery(t)

	for _, refusals := range []int64{1, 3} {
		for _, stored := range []bool{false, true} {
			t.Run(fmt.Sprintf("refused_%d_storage_%v", refusals, stored), func(t *testing.T) {
				cfg := deliveryConfig()
				opts := harnessOptions{}
				if stored {
					id := component.MustNewID("file_storage")
					cfg.Storage = &id
					opts.host = newDurableStorage().host(id)
				}
				r, via := refuse(refusals)
				opts.alertsVia = via
				h := newHarnessWith(t, cfg, opts)
				h.sendUntilAccepted(td, int(refusals)+1)
				h.sendBatch(td) // sent once more: another exporter of the pipeline refused it
				h.retryUntilSent(int(refusals) + 1)
				assert.Zero(t, r.left.Load(), "every refusal was met")
				assert.Equal(t, want, alertSummary(h))
				assert.Zero(t, h.model.outbox.pending())
			})
		}
	}
}

func TestRetriedBatchCountsOnce(t *testing.T) {
	failures := func(from, n int) []item {
		out := make([]item, n)
		for i := range out {
			out[i] = item{at: t0.Add(time.Duration(from+i) * time.Second), token: "tok_f", principal: "alice",
				resource: "POST /login", outcome: auditattr.OutcomeFailure, client: "198.51.100.9"}
		}
		return out
	}
	for _, signal := range []string{"traces", "logs"} {
		t.Run(signal, func(t *testing.T) {
			h := newHarness(t, deliveryConfig())
			send := func(items []item) {
				if signal == "traces" {
					td := spans(items...)
					h.sendBatch(td)
					h.sendBatch(td)
					return
				}
				ld := logs(items...)
				h.sendLogsBatch(ld)
				h.sendLogsBatch(ld)
			}
			send(failures(0, 3)) // 3 failures, sent twice
			assert.Empty(t, h.alertsOf(auditattr.FindingFailedAttempts), "3 failures sent twice are not 6")
			send(failures(3, 2))
			got := h.alertsOf(auditattr.FindingFailedAttempts)
			require.Len(t, got, 1)
			assert.Equal(t, 5.0, num(got[0], auditattr.EvidenceObserved))

			h.model.flush(t.Context())
			var total float64
			for _, p := range metricPoints(t, h, metricRequests) {
				total += p.value
			}
			assert.Equal(t, 5.0, total, "each request counted once")
		})
	}
}

func TestRefusedAlertsSurviveACrash(t *testing.T) {
	td, want := cleanDelivery(t)

	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	cfg := deliveryConfig()
	cfg.Storage = &id
	_, via := refuse(1 << 30)
	h := newHarnessWith(t, cfg, harnessOptions{host: disk.host(id), alertsVia: via})
	h.sendUntilAccepted(td, 1)
	require.NoError(t, h.model.save(t.Context())) // persist_interval elapsed
	h.crash()

	cfg2 := deliveryConfig()
	cfg2.Storage = &id
	h2 := newHarnessWith(t, cfg2, harnessOptions{host: disk.host(id)})
	h2.sendBatch(td) // the sender's retry, after the restart
	h2.retryUntilSent(1)
	assert.Equal(t, want, alertSummary(h2))
	for _, lr := range h2.records() {
		rec := h2.model.findings.get(hashString(0, str(lr, auditattr.FindingID)))
		require.NotNil(t, rec)
		assert.Equal(t, int64(1), rec.count, "the retried batch counted nothing again")
	}
	require.NoError(t, h2.model.save(t.Context()))
	assert.Zero(t, h2.model.outbox.retained(), "sent and saved alerts are deleted")
}

func TestRestartRaisesNothingTwice(t *testing.T) {
	open := restartable(t, deliveryConfig)
	violation := func(at time.Time) item {
		return item{at: at, token: "tok_v", principal: "alice", resource: "GET /admin",
			outcome: auditattr.OutcomeDenied, violations: []string{auditattr.ViolationScope}}
	}
	h := open()
	h.send(violation(t0))
	first := h.alertsOf(auditattr.ViolationScope)
	require.Len(t, first, 1)
	h.crash() // long before persist_interval: nothing was saved

	h2 := open()
	h2.send(violation(t0.Add(10 * time.Minute)))
	// The crash came before the send was recorded: the first alert may
	// be sent again, byte for byte (audit_log keeps one), nothing else.
	assert.Empty(t, withoutResends(h2.records(), first), "within the suppression window: no new alert")
	h2.crash()

	h3 := open()
	h3.send(violation(t0.Add(2 * time.Hour)))
	again := withoutResends(h3.alertsOf(auditattr.ViolationScope), first)
	require.Len(t, again, 1)
	assert.Equal(t, str(first[0], auditattr.FindingID), str(again[0], auditattr.FindingID))
	assert.Greater(t, num(again[0], auditattr.FindingCount), 1.0, "an Update of the finding, not a new one")
}

// withoutResends drops the records that are copies of sent ones.
func withoutResends(records, sent []plog.LogRecord) []plog.LogRecord {
	var out []plog.LogRecord
	for _, lr := range records {
		if !slices.ContainsFunc(sent, func(s plog.LogRecord) bool {
			return s.Timestamp() == lr.Timestamp() && s.ObservedTimestamp() == lr.ObservedTimestamp() &&
				reflect.DeepEqual(s.Attributes().AsRaw(), lr.Attributes().AsRaw())
		}) {
			out = append(out, lr)
		}
	}
	return out
}

func TestFullOutboxRefusesBeforeReading(t *testing.T) {
	cfg := deliveryConfig()
	cfg.Alerts.MaxPending = 1
	r, via := refuse(1 << 30)
	tt, set := testTelemetry(t)
	h := newHarnessWith(t, cfg, harnessOptions{alertsVia: via, telemetry: &set})
	violation := func(token string) ptrace.Traces {
		return spans(item{at: t0, token: token, outcome: auditattr.OutcomeDenied, resource: "GET /admin",
			violations: []string{auditattr.ViolationRevoked}})
	}
	h.sendBatch(violation("tok_a"))
	second := violation("tok_b")
	err := h.traces[0].ConsumeTraces(t.Context(), second)
	require.ErrorContains(t, err, "alerts.max_pending 1")
	assert.Equal(t, 1, h.model.tokens.len(), "the refused batch was not read")
	assert.Equal(t, int64(1), sumOf(t, tt, "otelcol_token_anomaly_alerts_pending", ""))

	r.left.Store(0)
	h.retryUntilSent(1)
	h.sendBatch(second)
	h.retryUntilSent(1)
	assert.Len(t, h.alertsOf(auditattr.ViolationRevoked), 2)
	assert.Zero(t, sumOf(t, tt, "otelcol_token_anomaly_alerts_pending", ""))
}

func TestItemSetIsBounded(t *testing.T) {
	s := newItemSet(1000, false)
	for k := uint64(1); k <= 10_000; k++ {
		require.False(t, s.repeat(k<<1|1))
	}
	assert.LessOrEqual(t, s.cur.n+s.prev.n, 1000)
	assert.LessOrEqual(t, len(s.cur.slots)+len(s.prev.slots), 4*1000)
	assert.Equal(t, int64(10_000-s.cur.n-s.prev.n), s.evicted, "every forgotten item is counted")
	assert.True(t, s.repeat(10_000<<1|1), "the latest items are remembered")
	assert.False(t, s.repeat(1<<1|1), "the oldest are forgotten")
}

// TestForgottenItemsAreCounted: item keys and the requests of client
// spans (pairs.go) forgotten beyond dedup_window are counted.
func TestForgottenItemsAreCounted(t *testing.T) {
	reqs := steady("tok_a", "198.51.100.1", "GET /a", t0, time.Second, 100)
	clients, _ := requestSides(reqs, 0)
	for _, tc := range []struct {
		table string
		td    ptrace.Traces
	}{
		{tableItems, spans(reqs...)},
		{tablePairs, sideSpans(clients)},
	} {
		t.Run(tc.table, func(t *testing.T) {
			tt, set := testTelemetry(t)
			cfg := deliveryConfig()
			cfg.DedupWindow = 10
			h := newHarnessWith(t, cfg, harnessOptions{telemetry: &set})
			h.sendBatch(tc.td)
			h.settle()
			assert.GreaterOrEqual(t, sumOf(t, tt, "otelcol_token_anomaly_evictions", tc.table), int64(90))
		})
	}
}

func testTelemetry(t *testing.T) (*componenttest.Telemetry, component.TelemetrySettings) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	return tt, tt.NewTelemetrySettings()
}

// sumOf is the value of an internal sum, over the points of one table
// (all points when table is empty).
func sumOf(t *testing.T, tt *componenttest.Telemetry, name, table string) int64 {
	m, err := tt.GetMetric(name)
	require.NoError(t, err)
	var n int64
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := p.Attributes.Value("table"); table == "" || v.AsString() == table {
			n += p.Value
		}
	}
	return n
}

func TestAlertSentAgainAfterACrashIsIdentical(t *testing.T) {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	cfg := deliveryConfig()
	cfg.Storage = &id
	h := newHarnessWith(t, cfg, harnessOptions{host: storageHost{id: id, ext: unmarked{disk}}})
	h.sendBatch(fiveFailures())
	first := h.records()
	require.Len(t, first, 2)
	h.crash() // after sending, before recording it

	cfg2 := deliveryConfig()
	cfg2.Storage = &id
	h2 := newHarnessWith(t, cfg2, harnessOptions{host: disk.host(id)})
	h2.retryUntilSent(1)
	again := h2.records()
	require.Len(t, again, len(first))
	for i := range first {
		// Byte for byte, observed time included: audit_log keeps one.
		assert.Equal(t, first[i].Attributes().AsRaw(), again[i].Attributes().AsRaw())
		assert.Equal(t, first[i].ObservedTimestamp(), again[i].ObservedTimestamp())
		assert.Equal(t, first[i].Timestamp(), again[i].Timestamp())
		assert.Equal(t, first[i].Body().AsString(), again[i].Body().AsString())
	}
}

func TestSentAlertsDoNotPileUpInStorage(t *testing.T) {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	cfg := deliveryConfig()
	cfg.Storage = &id
	h := newHarnessWith(t, cfg, harnessOptions{host: disk.host(id)})
	for i := range compactAfter {
		h.send(item{at: t0.Add(time.Duration(i) * time.Second), token: fmt.Sprintf("tok_%d", i), outcome: auditattr.OutcomeDenied,
			resource: "GET /admin", violations: []string{auditattr.ViolationRevoked}})
	}
	require.Len(t, h.records(), compactAfter)
	assert.Equal(t, uint64(compactAfter), h.model.outbox.retained())
	// Past compactAfter sent batches: findings saved early, batches
	// deleted. A save of the connector's own loops running at that moment
	// (saveFindings takes its turn with TryLock) leaves it to the next
	// retry: CI, beside another suite, saw one.
	require.Eventually(t, func() bool {
		h.retryUntilSent(1)
		return h.model.outbox.retained() == 0
	}, 10*time.Second, 10*time.Millisecond)
	data, err := disk.client.Get(t.Context(), outboxEntryKey(0))
	require.NoError(t, err)
	assert.Nil(t, data, "a sent and saved batch is deleted")

	h.crash()
	h2 := newHarnessWith(t, cfg, harnessOptions{host: disk.host(id)})
	assert.Equal(t, compactAfter, h2.model.findings.len(), "the early save holds the findings")
}
