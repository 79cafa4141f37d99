package tokenanomalyconnector

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// countedStorage is durable storage that counts the writes made to it
// (a Set, or a Batch with a Set or Delete): with fsync, one fsync each.
type countedStorage struct {
	*durableStorage
	writes *atomic.Int64
}

func (c countedStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return countedClient{keptOpen{c.client}, c.writes}, nil
}

type countedClient struct {
	storage.Client
	writes *atomic.Int64
}

func (c countedClient) Set(ctx context.Context, key string, value []byte) error {
	c.writes.Add(1)
	return c.Client.Set(ctx, key, value)
}

func (c countedClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		if op.Type != storage.Get {
			c.writes.Add(1)
			break
		}
	}
	return c.Client.Batch(ctx, ops...)
}

// TestOneStorageWritePerBatch: a batch that holds items and raises an
// alert is stored and acknowledged with one storage write (one fsync);
// that its alert was sent rides on the next batch's write, or on the
// retry loop's once a whole retry_interval passed without a batch's
// write, and a restart then sends nothing again.
func TestOneStorageWritePerBatch(t *testing.T) {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	var writes atomic.Int64
	open := func() *harness {
		cfg := testConfig()
		cfg.Detectors.FailedAttempts.Threshold = 5
		cfg.Alerts.RetryInterval = time.Hour // the test runs the retry loop's step by hand
		cfg.Storage = &id
		return newHarnessWith(t, cfg, harnessOptions{host: storageHost{id: id, ext: countedStorage{disk, &writes}}})
	}
	h := open()
	for i := range 3 {
		before := writes.Load()
		h.sendBatch(fiveFailures()) // the scope violation leaves at once; the failures are held
		assert.Equal(t, int64(1), writes.Load()-before, "batch %d: one write", i)
		require.Len(t, h.alertsOf(auditattr.ViolationScope), 1, "the finding alerts once")
	}
	assert.Equal(t, h.model.outbox.written-1, h.model.outbox.marked,
		"each batch's write recorded that the alerts before it were sent")

	before := writes.Load()
	h.model.retryAlerts(t.Context(), time.Now())
	assert.Equal(t, int64(0), writes.Load()-before, "batches wrote since the retry loop last ran: the next one records the last send")
	h.model.retryAlerts(t.Context(), time.Now())
	assert.Equal(t, int64(1), writes.Load()-before, "a whole interval without a batch: the retry loop records it")
	h.model.retryAlerts(t.Context(), time.Now())
	assert.Equal(t, int64(1), writes.Load()-before, "and writes nothing when nothing changed")
	sent := len(h.records())
	h.crash()

	h2 := open()
	h2.model.retryAlerts(t.Context(), time.Now())
	assert.Empty(t, h2.records(), "nothing recorded as sent is sent again")
	assert.Equal(t, 1, sent)
}

// slowAlerts holds every delivery until release is closed, as audit_log
// holds an export until its fsync.
type slowAlerts struct {
	next    consumer.Logs
	entered chan struct{}
	release chan struct{}
}

func (s *slowAlerts) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *slowAlerts) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return s.next.ConsumeLogs(ctx, ld)
}

// TestBatchDoesNotWaitForAnotherBatchsDelivery: while one batch's alerts
// wait on a slow consumer, the next batch is read, stored and
// acknowledged; its alerts leave after the first batch's, in order, by
// the call already sending.
func TestBatchDoesNotWaitForAnotherBatchsDelivery(t *testing.T) {
	for _, withStorage := range []bool{false, true} {
		t.Run(map[bool]string{false: "without storage", true: "with storage"}[withStorage], func(t *testing.T) {
			disk := newDurableStorage()
			id := component.MustNewID("file_storage")
			cfg := deliveryConfig()
			cfg.Alerts.RetryInterval = time.Hour // only the batches send
			opts := harnessOptions{}
			if withStorage {
				cfg.Storage = &id
				opts.host = disk.host(id)
			}
			slow := &slowAlerts{entered: make(chan struct{}, 1), release: make(chan struct{})}
			opts.alertsVia = func(next consumer.Logs) consumer.Logs { slow.next = next; return slow }
			h := newHarnessWith(t, cfg, opts)
			revoked := func(token string) ptrace.Traces {
				return spans(item{at: t0, token: token, outcome: auditattr.OutcomeDenied, resource: "GET /admin",
					violations: []string{auditattr.ViolationRevoked}})
			}
			first := make(chan error, 1)
			go func() { first <- h.traces[0].ConsumeTraces(context.Background(), revoked("tok_a")) }()
			<-slow.entered // the first batch's alert is being delivered

			second := make(chan error, 1)
			go func() { second <- h.traces[0].ConsumeTraces(context.Background(), revoked("tok_b")) }()
			returnsWhileHeld(t, second, slow.release, "the second batch waited for the first batch's delivery")
			if withStorage {
				data, err := disk.client.Get(t.Context(), outboxEntryKey(1))
				require.NoError(t, err)
				assert.NotNil(t, data, "the second batch's alert was stored before it was acknowledged")
			}
			assert.Empty(t, h.records(), "nothing was delivered yet")

			close(slow.release)
			require.NoError(t, <-first)
			h.waitDelivered() // with storage, the deliverer sends
			got := h.alertsOf(auditattr.ViolationRevoked)
			require.Len(t, got, 2, "the call already sending sent the second batch's alert too")
			assert.Equal(t, "tok_a", str(got[0], auditattr.TokenID))
			assert.Equal(t, "tok_b", str(got[1], auditattr.TokenID))
			assert.Zero(t, h.model.outbox.pending())
		})
	}
}

// TestConcurrentBatchesDeliverEachAlertOnce: batches consumed at once from
// several goroutines, with storage, each raising an alert: every alert is
// delivered once, each sender's in the order it sent them, nothing stays
// queued, and after a restart nothing is sent again.
func TestConcurrentBatchesDeliverEachAlertOnce(t *testing.T) {
	open := restartable(t, deliveryConfig)
	h := open()
	const senders, each = 4, 25
	done := make(chan error, senders)
	for s := range senders {
		go func() {
			var err error
			for i := range each {
				td := spans(item{at: t0, token: fmt.Sprintf("tok_%d_%d", s, i), outcome: auditattr.OutcomeDenied,
					resource: "GET /admin", violations: []string{auditattr.ViolationRevoked}})
				if e := h.traces[0].ConsumeTraces(context.Background(), td); e != nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for range senders {
		require.NoError(t, <-done)
	}
	h.waitDelivered()
	got := h.alertsOf(auditattr.ViolationRevoked)
	require.Len(t, got, senders*each, "each alert once")
	seen := map[string]bool{}
	next := make([]int, senders)
	for _, lr := range got {
		tok := str(lr, auditattr.TokenID)
		assert.False(t, seen[tok], "%s sent twice", tok)
		seen[tok] = true
		var s, i int
		_, err := fmt.Sscanf(tok, "tok_%d_%d", &s, &i)
		require.NoError(t, err)
		assert.Equal(t, next[s], i, "sender %d's alerts in order", s)
		next[s] = i + 1
	}
	assert.Zero(t, h.model.outbox.pending())
	assert.False(t, h.model.outbox.queued(), "nothing stays queued")
	assert.Equal(t, uint64(senders*each), h.model.outbox.written, "each batch's entry was stored")
	// The retry loop records the last sends once a whole interval passed
	// without a batch's write: its second run.
	h.model.retryAlerts(t.Context(), time.Now())
	h.model.retryAlerts(t.Context(), time.Now())
	h.crash()

	h2 := open()
	h2.model.retryAlerts(t.Context(), time.Now())
	assert.Empty(t, h2.records(), "nothing is sent again after a restart")
}
