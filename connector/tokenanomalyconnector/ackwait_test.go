package tokenanomalyconnector

import (
	"context"
	"strings"
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
			go func() { g.Wait(); close(acked) }()
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
