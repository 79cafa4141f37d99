package tokenanomalyconnector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// revokedBatch is one request of token whose verdict raises an alert at once.
func revokedBatch(token string) ptrace.Traces {
	return spans(item{at: t0, token: token, outcome: auditattr.OutcomeDenied, resource: "GET /admin",
		violations: []string{auditattr.ViolationRevoked}})
}

// waitFor waits until cond holds, at most 10 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
	}
}

// returnsWhileHeld requires done to deliver a nil error while something
// the call might wait for is held; after 10 s it releases it and fails
// with what the call waited for.
func returnsWhileHeld(t *testing.T, done <-chan error, release chan struct{}, waited string) {
	t.Helper()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal(waited)
	}
}

// unwritable is storage on which every write of outbox entries fails, as
// on a full disk (saves of the state go through, so shutdown succeeds).
type unwritable struct{ *durableStorage }

func (u unwritable) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return failedEntries{keptOpen{u.client}}, nil
}

type failedEntries struct{ storage.Client }

func (f failedEntries) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		if strings.HasPrefix(op.Key, keyOutboxEntry) && op.Type == storage.Set {
			return errors.New("no space left on device")
		}
	}
	return f.Client.Batch(ctx, ops...)
}

// TestBatchAcknowledgedOnceItsAlertsAreSafe: with storage, a batch returns
// once its entry is stored, while the next consumer still holds its alert,
// and the deliverer sends it with nobody calling again (the retry loop
// waits an hour). Without storage, or when the write failed, the alert is
// safe only once delivered: the batch returns after that.
func TestBatchAcknowledgedOnceItsAlertsAreSafe(t *testing.T) {
	id := component.MustNewID("file_storage")
	for _, tc := range []struct {
		name     string
		host     func(*durableStorage) component.Host // nil: no storage
		inFlight bool                                 // the batch returns while its alert is being delivered
	}{
		{name: "stored", host: func(d *durableStorage) component.Host { return d.host(id) }, inFlight: true},
		{name: "without storage"},
		{name: "write failed", host: func(d *durableStorage) component.Host { return storageHost{id: id, ext: unwritable{d}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk := newDurableStorage()
			cfg := deliveryConfig()
			cfg.Alerts.RetryInterval = time.Hour // nothing but the batch and the deliverer sends
			opts := harnessOptions{}
			if tc.host != nil {
				cfg.Storage = &id
				opts.host = tc.host(disk)
			}
			slow := &slowAlerts{entered: make(chan struct{}, 1), release: make(chan struct{})}
			opts.alertsVia = func(next consumer.Logs) consumer.Logs { slow.next = next; return slow }
			h := newHarnessWith(t, cfg, opts)

			done := make(chan error, 1)
			go func() { done <- h.traces[0].ConsumeTraces(context.Background(), revokedBatch("tok_a")) }()
			<-slow.entered // its alert is being delivered
			if !tc.inFlight {
				select {
				case <-done:
					close(slow.release)
					t.Fatal("acknowledged before its alert was delivered, and it was not stored")
				default:
				}
				close(slow.release)
				require.NoError(t, <-done)
				assert.Len(t, h.alertsOf(auditattr.ViolationRevoked), 1, "delivered when the batch returns")
				return
			}
			returnsWhileHeld(t, done, slow.release, "the batch waited for its alert's delivery")
			data, err := disk.client.Get(t.Context(), outboxEntryKey(0))
			require.NoError(t, err)
			assert.NotNil(t, data, "the alert was stored before the batch was acknowledged")
			assert.Empty(t, h.records(), "not delivered yet")
			close(slow.release)
			waitFor(t, func() bool { return len(h.alertsOf(auditattr.ViolationRevoked)) == 1 }, "the deliverer sends the alert")
			waitFor(t, func() bool { return h.model.outbox.pending() == 0 }, "nothing waits")
		})
	}
}

// TestStoredAlertsSentOnStart: alerts stored but not delivered when the
// process died are sent once the logs pair joins after the restart, in
// order and once, not at the retry loop's next attempt (an hour away).
func TestStoredAlertsSentOnStart(t *testing.T) {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	open := func(via func(consumer.Logs) consumer.Logs) *harness {
		cfg := deliveryConfig()
		cfg.Alerts.RetryInterval = time.Hour
		cfg.Storage = &id
		return newHarnessWith(t, cfg, harnessOptions{host: disk.host(id), alertsVia: via})
	}
	_, via := refuse(1 << 30)
	h := open(via)
	for _, tok := range []string{"tok_a", "tok_b"} {
		require.NoError(t, h.traces[0].ConsumeTraces(context.Background(), revokedBatch(tok)))
	}
	require.Equal(t, 2, h.model.outbox.pending())
	h.crash()

	h2 := open(nil)
	waitFor(t, func() bool { return h2.model.outbox.pending() == 0 }, "the stored alerts are sent after the start")
	got := h2.alertsOf(auditattr.ViolationRevoked)
	require.Len(t, got, 2)
	assert.Equal(t, "tok_a", str(got[0], auditattr.TokenID))
	assert.Equal(t, "tok_b", str(got[1], auditattr.TokenID))
}

// TestShutdownDrainsTheDeliverer: batches acknowledged while the deliverer
// waits on the next consumer are all delivered, once and in order, by the
// time shutdown returns (and the deliverer has ended: goleak).
func TestShutdownDrainsTheDeliverer(t *testing.T) {
	id := component.MustNewID("file_storage")
	cfg := deliveryConfig()
	cfg.Alerts.RetryInterval = time.Hour
	cfg.Storage = &id
	slow := &slowAlerts{entered: make(chan struct{}, 1), release: make(chan struct{})}
	h := newHarnessWith(t, cfg, harnessOptions{host: newDurableStorage().host(id),
		alertsVia: func(next consumer.Logs) consumer.Logs { slow.next = next; return slow }})
	tokens := []string{"tok_a", "tok_b", "tok_c"}
	sent := make(chan error, 1)
	go func() {
		var errs []error
		for _, tok := range tokens {
			errs = append(errs, h.traces[0].ConsumeTraces(context.Background(), revokedBatch(tok)))
		}
		sent <- errors.Join(errs...)
	}()
	returnsWhileHeld(t, sent, slow.release, "the batches waited for their alerts' delivery")
	<-slow.entered // the deliverer holds tok_a's alert
	stopped := make(chan error, 1)
	pairs := h.pairs
	h.pairs = nil
	go func() {
		var errs []error
		for _, p := range pairs {
			errs = append(errs, p.Shutdown(context.Background()))
		}
		stopped <- errors.Join(errs...)
	}()
	close(slow.release)
	require.NoError(t, <-stopped)
	got := h.alertsOf(auditattr.ViolationRevoked)
	require.Len(t, got, len(tokens))
	for i, lr := range got {
		assert.Equal(t, tokens[i], str(lr, auditattr.TokenID))
	}
}
