package tokenanomalyconnector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// heldWrites is storage whose writes of outbox entries wait for release,
// as on a slow fsync.
type heldWrites struct {
	*durableStorage
	entered chan struct{}
	release chan struct{}
}

func (h heldWrites) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return heldEntries{keptOpen{h.client}, h}, nil
}

type heldEntries struct {
	storage.Client
	h heldWrites
}

func (c heldEntries) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		if strings.HasPrefix(op.Key, keyOutboxEntry) && op.Type == storage.Set {
			select {
			case c.h.entered <- struct{}{}:
			default:
			}
			<-c.h.release
			break
		}
	}
	return c.Client.Batch(ctx, ops...)
}

// TestRequestAcknowledgedOnceItsEntryIsStored: with a group in the
// request's context (internal/ackwait, which token_audit adds), a batch
// returns while its outbox entry is being written, so that the consumers
// after it (audit_log) run meanwhile, and the group's Wait, which comes
// before the acknowledgement, returns only once the entry is stored.
// Without a group, the batch itself returns only once it is stored.
func TestRequestAcknowledgedOnceItsEntryIsStored(t *testing.T) {
	id := component.MustNewID("file_storage")
	for _, tc := range []struct {
		name  string
		group bool
	}{
		{name: "group in the context", group: true},
		{name: "no group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk := heldWrites{durableStorage: newDurableStorage(), entered: make(chan struct{}, 1), release: make(chan struct{})}
			cfg := deliveryConfig()
			cfg.Alerts.RetryInterval = time.Hour
			cfg.Storage = &id
			h := newHarnessWith(t, cfg, harnessOptions{host: storageHost{id: id, ext: disk}})

			ctx := context.Background()
			var g *ackwait.Group
			if tc.group {
				ctx, g = ackwait.With(ctx)
			}
			done := make(chan error, 1)
			go func() { done <- h.traces[0].ConsumeTraces(ctx, revokedBatch("tok_a")) }()
			<-disk.entered // the entry's write has begun and is held
			stored := func() bool {
				data, err := disk.client.Get(t.Context(), outboxEntryKey(0))
				require.NoError(t, err)
				return data != nil
			}
			if !tc.group {
				select {
				case <-done:
					close(disk.release)
					t.Fatal("returned before its entry was stored")
				default:
				}
				close(disk.release)
				require.NoError(t, <-done)
				assert.True(t, stored(), "stored when the batch returns")
				return
			}
			returnsWhileHeld(t, done, disk.release, "the batch waited for its entry's write")
			acked := make(chan struct{})
			go func() { assert.NoError(t, g.Wait()); close(acked) }()
			select {
			case <-acked:
				close(disk.release)
				t.Fatal("the group's wait returned before the entry was stored")
			default:
			}
			close(disk.release)
			<-acked
			assert.True(t, stored(), "stored when the group's wait returns")
			waitFor(t, func() bool { return len(h.alertsOf(auditattr.ViolationRevoked)) == 1 }, "the deliverer sends the alert")
		})
	}
}

// TestBatchReadBesideTheNextConsumers: with storage and a group in the
// request's context, a batch returns before it is read, so that the
// consumers after the connector (audit_log's encoding and append) run
// while its detectors do, and the group's Wait returns only once it is
// read and its entry stored. Here another batch holds the model's lock.
func TestBatchReadBesideTheNextConsumers(t *testing.T) {
	id := component.MustNewID("file_storage")
	disk := newDurableStorage()
	cfg := deliveryConfig()
	cfg.Storage = &id
	h := newHarnessWith(t, cfg, harnessOptions{host: disk.host(id)})

	ctx, g := ackwait.With(context.Background())
	release := make(chan struct{})
	h.model.mu.Lock()
	go func() { <-release; h.model.mu.Unlock() }()
	done := make(chan error, 1)
	go func() { done <- h.traces[0].ConsumeTraces(ctx, revokedBatch("tok_a")) }()
	returnsWhileHeld(t, done, release, "the batch waited for the model's lock")
	acked := make(chan error, 1)
	go func() { acked <- g.Wait() }()
	select {
	case <-acked:
		close(release)
		t.Fatal("the group's wait returned before the batch was read")
	default:
	}
	close(release)
	require.NoError(t, <-acked)
	data, err := disk.client.Get(t.Context(), outboxEntryKey(0))
	require.NoError(t, err)
	assert.NotNil(t, data, "its entry is stored when the group's wait returns")
	waitFor(t, func() bool { return len(h.alertsOf(auditattr.ViolationRevoked)) == 1 }, "the deliverer sends the alert")
}

// TestConcurrentRequestsEachReadOnce: requests of their own groups, sent
// at once, are each read once and each raise their alert once (run with
// -race: the batches are read on the groups' goroutines).
func TestConcurrentRequestsEachReadOnce(t *testing.T) {
	id := component.MustNewID("file_storage")
	cfg := deliveryConfig()
	cfg.Storage = &id
	h := newHarnessWith(t, cfg, harnessOptions{host: newDurableStorage().host(id)})
	const requests = 16
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			ctx, g := ackwait.With(context.Background())
			assert.NoError(t, h.traces[0].ConsumeTraces(ctx, revokedBatch(fmt.Sprintf("tok_%d", i))))
			assert.NoError(t, g.Wait())
		})
	}
	wg.Wait()
	waitFor(t, func() bool { return len(h.alertsOf(auditattr.ViolationRevoked)) == requests }, "every request's alert is sent")
	assert.Len(t, h.alertsOf(auditattr.ViolationRevoked), requests, "and once")
}
