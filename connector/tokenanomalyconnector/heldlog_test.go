package tokenanomalyconnector

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestHeldItemsSurviveACrash: acknowledged items still in the reorder
// buffer when the process dies are held again after the restart, whether
// a save saw them held, released, or not at all; their stateful alert is
// raised once, each item counts once, and a retry of the last batch (the
// sender did not see it acknowledged) changes nothing.
func TestHeldItemsSurviveACrash(t *testing.T) {
	// n failures and a success (rate_surge counts the successes).
	failures := func(from, n int) ptrace.Traces {
		items := make([]item, n+1)
		for i := range items {
			items[i] = item{at: t0.Add(time.Duration(from+i) * time.Second), token: "tok_h", principal: "alice",
				resource: "GET /orders", outcome: auditattr.OutcomeFailure, client: "198.51.100.7"}
		}
		items[n].outcome = auditattr.OutcomeSuccess
		return spans(items...)
	}
	for _, tc := range []struct {
		name  string
		first func(h *harness) // between the first batch and the second
		alert int              // failed_attempts alerts expected after the restart
	}{
		{name: "nothing saved", first: func(*harness) {}, alert: 1},
		{name: "saved while held", first: func(h *harness) { require.NoError(t, h.model.save(t.Context())) }, alert: 1},
		// Released before the save: the token state has the first three
		// (failure times are not saved state, so no alert after the restart).
		{name: "saved after release", first: func(h *harness) {
			h.settle()
			require.NoError(t, h.model.save(t.Context()))
		}},
	} {
		for _, retry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, retried %v", tc.name, retry), func(t *testing.T) {
				open := restartable(t, func() *Config {
					cfg := testConfig()
					cfg.Detectors.FailedAttempts.Threshold = 5
					return cfg
				})
				h := open()
				h.sendBatch(failures(0, 3))
				tc.first(h)
				second := failures(4, 2)
				h.sendBatch(second)
				require.Empty(t, h.alertsOf(auditattr.FindingFailedAttempts), "the items are still held")
				h.crash()

				h2 := open()
				if retry {
					h2.sendBatch(second) // the sender's retry: read before, counted once
				}
				h2.settle()
				assert.Len(t, h2.alertsOf(auditattr.FindingFailedAttempts), tc.alert)
				st := h2.model.tokens.get(hashString(seedToken, "tok_h"))
				require.NotNil(t, st, "the held items reached the stateful detectors")
				assert.Equal(t, uint32(2), st.rateCount, "each item counted once")
				require.NoError(t, h2.model.save(t.Context()))
				assert.Equal(t, h2.model.outbox.written, h2.model.outbox.first, "a save deletes the stored entries it covers")
			})
		}
	}
}

// TestCompactDeletesInSlices: a save after thousands of batches deletes
// every stored entry it covers, a slice per write.
func TestCompactDeletesInSlices(t *testing.T) {
	disk := newDurableStorage()
	id := component.MustNewID("file_storage")
	cfg := testConfig()
	cfg.Storage = &id
	h := newHarnessWith(t, cfg, harnessOptions{host: disk.host(id)})
	const batches = 2*compactPerWrite + 10
	for i := range batches {
		h.sendBatch(spans(item{at: t0.Add(time.Duration(i) * time.Millisecond), token: "tok_c", outcome: auditattr.OutcomeSuccess}))
	}
	require.Equal(t, uint64(batches), h.model.outbox.written, "each batch that held an item stored an entry")
	require.NoError(t, h.model.save(t.Context()))
	assert.Equal(t, uint64(batches), h.model.outbox.first)
	for _, seq := range []uint64{0, compactPerWrite, batches - 1} {
		data, err := disk.client.Get(t.Context(), outboxEntryKey(seq))
		require.NoError(t, err)
		assert.Nil(t, data, "entry %d was deleted", seq)
	}
}
