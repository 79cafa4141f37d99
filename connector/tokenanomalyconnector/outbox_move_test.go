package tokenanomalyconnector

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// storedKeys reads which of keys the connector's storage client name holds.
func storedKeys(t *testing.T, host component.Host, cfg *Config, name string, keys ...string) map[string]bool {
	t.Helper()
	ext := host.GetExtensions()[*cfg.Storage].(*storagetest.TestStorage)
	client, err := ext.GetClient(context.Background(), component.KindConnector, component.NewID(metadata.Type), name)
	require.NoError(t, err)
	defer func() { require.NoError(t, client.Close(context.Background())) }()
	got := map[string]bool{}
	for _, k := range keys {
		v, err := client.Get(context.Background(), k)
		require.NoError(t, err)
		got[k] = v != nil
	}
	return got
}

// The outbox is written with every request that raises alerts; the state
// holds values of megabytes (the novelty filters, the population sketch).
// With file_storage (bbolt) keys of one client share leaf pages, and a
// write rewrites its page whole: after the first save every outbox write
// rewrote 16 MB. So the outbox's keys must live in a client of their own,
// whatever the state grows to.
func TestOutboxHasItsOwnStorageClient(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	h := newHarnessWithHost(t, cfg, host)
	h.send(item{at: t0, token: "tok_a", outcome: auditattr.OutcomeDenied, resource: "GET /b",
		violations: []string{auditattr.ViolationScope}})
	require.Len(t, h.records(), 1)
	h.stop() // saves the state

	state := []string{keyHeader, keyNoveltyCur, keyNoveltyPrev, keyPopulationCur, keyPopulationPrev, keyFindings}
	all := append([]string{keyOutbox}, state...)
	inState := storedKeys(t, host, cfg, "", all...)
	inOutbox := storedKeys(t, host, cfg, outboxClientName, all...)
	for _, k := range state {
		assert.True(t, inState[k], "state key %s in the state's client", k)
		assert.False(t, inOutbox[k], "state key %s kept out of the outbox's client", k)
	}
	assert.True(t, inOutbox[keyOutbox], "the outbox in its own client")
	assert.False(t, inState[keyOutbox], "no outbox beside the state")
}

// An outbox stored beside the state by an earlier version is moved into
// the outbox's client at start: its alerts not sent yet are sent, and the
// old keys are gone.
func TestOldOutboxIsMoved(t *testing.T) {
	tests := []struct {
		name        string
		copiedFirst bool // a move stopped after the copy
	}{
		{name: "beside the state"},
		{name: "copied, not yet deleted", copiedFirst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			from := storagetest.NewInMemoryClient(component.KindConnector, component.NewID(metadata.Type), "")
			to := storagetest.NewInMemoryClient(component.KindConnector, component.NewID(metadata.Type), outboxClientName)
			old := &outbox{first: 3, written: 5, delivered: 4}
			ops := []*storage.Operation{storage.SetOperation(keyOutbox, old.header()),
				storage.SetOperation(outboxEntryKey(3), []byte("three")), storage.SetOperation(outboxEntryKey(4), []byte("four"))}
			require.NoError(t, from.Batch(ctx, ops...))
			if tt.copiedFirst {
				require.NoError(t, to.Batch(ctx, ops...))
				require.NoError(t, moveOutbox(ctx, from, to))
				v, err := from.Get(ctx, keyOutbox)
				require.NoError(t, err)
				require.NotNil(t, v, "kept while both headers are equal (the same client may serve both)")
				moved := &outbox{first: 3, written: 6, delivered: 5}
				require.NoError(t, to.Set(ctx, keyOutbox, moved.header()))
			}
			require.NoError(t, moveOutbox(ctx, from, to))
			for seq, want := range map[uint64]string{3: "three", 4: "four"} {
				v, err := to.Get(ctx, outboxEntryKey(seq))
				require.NoError(t, err)
				assert.Equal(t, want, string(v))
				v, err = from.Get(ctx, outboxEntryKey(seq))
				require.NoError(t, err)
				assert.Nil(t, v)
			}
			v, err := from.Get(ctx, keyOutbox)
			require.NoError(t, err)
			assert.Nil(t, v)
			v, err = to.Get(ctx, keyOutbox)
			require.NoError(t, err)
			assert.NotNil(t, v)
		})
	}
}
