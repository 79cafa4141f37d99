package tokenanomalyconnector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
)

// admit refuses a batch before reading it while max_pending alerts wait
// for the next consumer: nothing of it has changed state, so the sender's
// retry is counted once.
func (m *model) admit(ctx context.Context) error {
	if !m.outbox.full() || m.alerts() == nil {
		return nil // without a logs pipeline no alert is queued
	}
	_ = m.deliver(ctx, false)
	if n := m.outbox.pending(); n >= m.cfg.Alerts.MaxPending {
		return fmt.Errorf("token_anomaly: %d alerts wait for the next consumer (alerts.max_pending %d); the batch was not read, send it again later",
			n, m.cfg.Alerts.MaxPending)
	}
	return nil
}

// queueAlerts moves the alerts raised by the batch just read, with the
// keys of its items, into the outbox. Call it under the model's lock.
func (m *model) queueAlerts() {
	if m.seen.evicted > 0 {
		m.tel.evictedN[tableItems] += m.seen.evicted
		m.seen.evicted = 0
	}
	if m.pairs.evicted > 0 {
		m.tel.evictedN[tablePairs] += m.pairs.evicted
		m.pairs.evicted = 0
	}
	held, found := m.takeHeld(), m.takeHeldFindings()
	if m.pendingN == 0 && held == nil && found == nil {
		m.seen.batch = m.seen.batch[:0]
		return
	}
	ld, n := m.pending, m.pendingN
	m.pending, m.pendingN = plog.Logs{}, 0
	clear(m.pendingScopes)
	items := m.seen.takeBatch()
	if m.alertOut == nil || n == 0 {
		if held == nil && found == nil {
			return // no logs pipeline: alerts have nowhere to go
		}
		ld, n = plog.NewLogs(), 0 // the held items and findings are stored all the same
	}
	m.outbox.add(ld, n, items, held, found)
}

// deliver stores what waits in the outbox (with storage) and sends it, in
// order, unless a refusal's back-off is running and force is not set: a
// consumer that refuses is not asked again by every batch.
func (m *model) deliver(ctx context.Context, force bool) error {
	if !m.outbox.queued() {
		return nil
	}
	out := m.alerts()
	if out == nil {
		// The logs pair has not joined yet: alerts wait, stored (with
		// the held items) when storage is set.
		return m.outbox.flush(ctx, nil, false)
	}
	return m.outbox.flush(ctx, out, force || m.outbox.due(time.Now()))
}

// deliverBatch is deliver for the batch just read: it returns once the
// batch's entry is stored (the deliverer sends it) or, without storage,
// once it is sent or left to the delivery running.
func (m *model) deliverBatch(ctx context.Context) {
	if !m.outbox.queued() {
		return
	}
	out := m.alerts()
	m.outbox.flushBatch(ctx, out, out != nil && m.outbox.due(time.Now()))
}

// alerts is the consumer of alerts, nil while no logs pair runs.
func (m *model) alerts() consumer.Logs {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.alertOut
}

// retryLoop sends refused alerts again. It runs apart from the flush and
// save loop: a consumer that blocks must not hold up metrics or saves.
func (m *model) retryLoop() {
	defer m.loops.Done()
	t := time.NewTicker(m.cfg.Alerts.RetryInterval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.retryAlerts(context.Background(), now)
		}
	}
}

// retryAlerts sends waiting alerts once the back-off allows, stores how
// far alerts were sent if no batch has written since its last run (see
// markSent), and keeps the
// stored alerts few: past compactAfter sent ones, the findings are saved
// and the sent alerts deleted.
func (m *model) retryAlerts(ctx context.Context, now time.Time) {
	if m.outbox.due(now) {
		_ = m.deliver(ctx, true)
	}
	if err := m.outbox.markSent(ctx, true); err != nil {
		// A crash before the next write sends these alerts again;
		// audit_log drops the copies.
		m.logger.Warn("Could not record that alerts were sent", zap.Error(err))
	}
	if m.store != nil && m.outbox.retained() >= compactAfter {
		if err := m.saveFindings(ctx); err != nil {
			m.logger.Error("Could not save the findings; it will be retried", zap.Error(err))
		}
	}
}

// loadOutbox reads the stored alerts after the saved state: their findings
// are merged into the loaded ones, their items are known, and those not
// yet sent wait to be sent.
func (m *model) loadOutbox(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := moveOutbox(ctx, m.store.client, m.store.outbox); err != nil {
		return err
	}
	m.outbox.store = m.store.outbox
	return m.outbox.load(ctx, m.restoreFindings, func(keys []uint64) {
		for _, k := range keys {
			m.seen.add(k)
		}
	}, func(seq uint64, held, found []byte) error {
		if seq < m.covered {
			return nil // the loaded state has them
		}
		var errs []error
		if held != nil {
			errs = append(errs, m.holdAgain(held))
		}
		if found != nil {
			errs = append(errs, m.applyHeldFindings(found))
		}
		return errors.Join(errs...)
	})
}
