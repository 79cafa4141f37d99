package tokenanomalyconnector

import (
	"context"
	"time"
)

// deliverLoop sends stored alerts in the background. With storage, a batch
// is acknowledged once its outbox entry is stored: its alerts then survive
// a crash as the audit trail does (load sends them after the start), so
// the request need not wait for the next consumer's append and fsync. It
// is woken when an entry is stored and when the logs pair joins, sends
// the ready entries in order, and leaves a refused one to the retry loop's
// back-off. Shutdown stops it and sends what it left.
func (m *model) deliverLoop() {
	defer m.loops.Done()
	for {
		select {
		case <-m.stop:
			return
		case <-m.outbox.wake:
			m.deliverStored(context.Background())
		}
	}
}

// deliverStored sends the stored entries to the logs pair, unless a
// refusal's back-off is running: then only entries without alerts are
// done with.
func (m *model) deliverStored(ctx context.Context) {
	out := m.alerts()
	_ = m.outbox.sendReady(ctx, out, out != nil && m.outbox.due(time.Now()))
}
