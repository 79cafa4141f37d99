package tokenanomalyconnector

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
)

// outbox holds the alerts ingest raised until the next consumer accepts
// them. Ingest changes state once per item, so a refused alert cannot be
// raised again by a retried batch: it waits here and is sent again, as it
// was, until accepted. With storage, each batch of alerts is written
// before it is sent (with the item keys of the batch that raised it), so
// that after a crash it is sent again (audit_log drops a record it holds
// already) and the findings it raised are restored, whatever the age of
// the last full save.
type outbox struct {
	// send serializes deliveries, so alerts leave in the order they were
	// raised. write serializes storage writes (a batch waits for its own
	// entry's, which stores every entry queued by then: concurrent
	// batches share one fsync) and guards first, written, delivered and
	// marked. A batch never waits for another batch's delivery: that
	// waits on the next consumer (audit_log's fsync), and held the
	// concurrent requests in line behind each other. With storage a
	// batch does not wait for its own delivery either: once its entry is
	// stored, the deliverer (deliverer.go) sends it.
	send  sync.Mutex
	write sync.Mutex
	// mu guards the queue; add takes it under the model's lock.
	mu       sync.Mutex
	queue    []*outboxEntry
	pendingN int    // alerts in the queue
	seq      uint64 // the next entry's sequence number
	wait     time.Duration
	nextTry  time.Time
	// wake tells the deliverer that an entry was stored or the logs
	// pair joined; one pending signal covers any number of them.
	wake chan struct{}

	store                     storage.Client // nil without storage
	first, written, delivered uint64         // stored entries are [first, written); those below delivered were sent
	marked                    uint64         // the delivered position storage holds (see markSent)
	lastIdle                  uint64         // written at markSent's previous idle call

	maxPending        int
	interval, maxWait time.Duration
	tel               *telemetry
	logger            *zap.Logger
}

// outboxEntry is the alerts of one batch.
type outboxEntry struct {
	seq    uint64
	alerts plog.Logs
	n      int
	items  []uint64 // keys of the batch's items, stored so a crash does not forget them
	held   []byte   // the items the batch put in the reorder buffer (heldlog.go), stored alike
	found  []byte   // the findings the batch held and resolved (heldfindings_store.go), stored alike
	stored bool     // guarded by write
	// ready is set once the entry's write was made (or failed: its
	// alerts are sent all the same); only ready entries are sent.
	ready atomic.Bool
}

// maxRetryWait caps the back-off between delivery attempts.
const maxRetryWait = time.Minute

func newOutbox(cfg *AlertsConfig, tel *telemetry, logger *zap.Logger) *outbox {
	return &outbox{
		maxPending: cfg.MaxPending,
		interval:   cfg.RetryInterval,
		maxWait:    max(cfg.RetryInterval, maxRetryWait),
		wait:       cfg.RetryInterval,
		wake:       make(chan struct{}, 1),
		tel:        tel,
		logger:     logger,
	}
}

// add queues the alerts of one batch; call it under the model's lock, so
// that sequence numbers follow the order state changed in.
func (o *outbox) add(alerts plog.Logs, n int, items []uint64, held, found []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue = append(o.queue, &outboxEntry{seq: o.seq, alerts: alerts, n: n, items: items, held: held, found: found})
	o.seq++
	o.pendingN += n
	o.tel.pendingAlerts(context.Background(), n)
}

// pending is the number of alerts not yet accepted.
func (o *outbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pendingN
}

// queued reports whether entries wait to be stored or sent.
func (o *outbox) queued() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue) > 0
}

// full reports whether new batches must wait: reading one would raise
// alerts beyond max_pending.
func (o *outbox) full() bool { return o.pending() >= o.maxPending }

// assigned is the next sequence number: every entry below it holds
// alerts of state the model already has. Call it under the model's lock.
func (o *outbox) assigned() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seq
}

// due reports whether alerts wait and the back-off after the last refusal
// has elapsed.
func (o *outbox) due(now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pendingN > 0 && !now.Before(o.nextTry)
}

// markSent stores how far alerts were sent, when no write since the last
// send has: a crash before it sends those alerts again, byte for byte,
// and audit_log keeps one copy. With idle set (the retry loop), it writes
// only once no batch has written an entry since the previous idle call:
// while batches flow, the next one's write records it, and a write of
// the header alone would only hold that batch's write back (one more
// bbolt commit each retry_interval).
func (o *outbox) markSent(ctx context.Context, idle bool) error {
	o.write.Lock()
	defer o.write.Unlock()
	if idle {
		flowing := o.written != o.lastIdle
		o.lastIdle = o.written
		if flowing {
			return nil
		}
	}
	if o.store == nil || o.delivered <= o.marked {
		return nil
	}
	if err := o.store.Set(ctx, keyOutbox, o.header()); err != nil {
		return fmt.Errorf("storage: recording that alerts were sent: %w", err)
	}
	o.marked = o.delivered
	return nil
}

// notify wakes the deliverer, without waiting for it.
func (o *outbox) notify() {
	select {
	case o.wake <- struct{}{}:
	default: // a signal is pending already
	}
}

// flush stores the queued alerts (with storage) and, when send is set,
// sends them to out in order until it refuses one batch; what is refused
// stays queued and is retried after a back-off.
func (o *outbox) flush(ctx context.Context, out consumer.Logs, send bool) error {
	o.storeQueued(ctx)
	return o.sendReady(ctx, out, send)
}

// sendReady sends what is ready, after the call sending now if there is
// one, then goes on while no other call sends (see sendWhileFree).
func (o *outbox) sendReady(ctx context.Context, out consumer.Logs, send bool) error {
	o.send.Lock()
	err := o.sendQueued(ctx, out, send)
	o.send.Unlock()
	if err == nil {
		o.sendWhileFree(ctx, out, send)
	}
	return err
}

// flushBatch is flush for the batch that just queued an entry. Once its
// entry is stored, its alerts are as safe as the audit trail (a restart
// sends them): it wakes the deliverer and returns. Without storage, or
// when the write failed, the alerts are safe only once delivered: it
// sends them, unless another call is sending already; that one sends
// this entry too before it returns.
func (o *outbox) flushBatch(ctx context.Context, out consumer.Logs, send bool) {
	if o.storeQueued(ctx) {
		o.notify()
		return
	}
	o.sendWhileFree(ctx, out, send)
}

// sendWhileFree sends what is ready while no other call sends. An entry
// made ready while this call held send found it held: this call sees it
// once it has released send, and sends it.
func (o *outbox) sendWhileFree(ctx context.Context, out consumer.Logs, send bool) {
	for o.sendable() && o.send.TryLock() {
		err := o.sendQueued(ctx, out, send)
		o.send.Unlock()
		if err != nil || !send || out == nil {
			return // what is left waits for a consumer or the back-off
		}
	}
}

// sendable reports whether the first queued entry may be sent: an entry
// still being stored is sent by its own batch's call, after the write.
func (o *outbox) sendable() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue) > 0 && (o.store == nil || o.queue[0].ready.Load())
}

// storeQueued writes the entries not yet written, in one write, and marks
// them ready to be sent. stored reports whether every entry queued so far
// is in storage (false without storage).
func (o *outbox) storeQueued(ctx context.Context) (stored bool) {
	if o.store == nil {
		return false
	}
	o.write.Lock()
	defer o.write.Unlock()
	o.mu.Lock()
	var todo []*outboxEntry
	for _, e := range o.queue {
		if !e.stored { // a failed write is tried again
			todo = append(todo, e)
		}
	}
	o.mu.Unlock()
	if len(todo) == 0 {
		return true
	}
	err := o.writeAhead(ctx, todo)
	if err != nil {
		// Send anyway: only their survival of a crash is at stake.
		o.tel.persist(ctx, "save", "failed")
		o.logger.Error("Could not store alerts before sending them", zap.Error(err))
	}
	for _, e := range todo {
		e.ready.Store(true)
	}
	return err == nil
}

// sendQueued sends the ready entries in order (see flush). Call it holding
// send.
func (o *outbox) sendQueued(ctx context.Context, out consumer.Logs, send bool) error {
	o.mu.Lock()
	todo := slices.Clone(o.queue)
	o.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	// Entries without alerts (held items only) are done once stored;
	// those with alerts wait for a consumer and the back-off.
	send = send && out != nil
	done, sent := 0, 0
	var err error
	for _, e := range todo {
		if o.store != nil && !e.ready.Load() {
			break // its batch stores it first
		}
		if e.n > 0 {
			if !send {
				break
			}
			// Counted sent once ConsumeLogs returns: audit_log must append
			// them before it returns, not in the request's group.
			if err = out.ConsumeLogs(ackwait.Detach(ctx), e.alerts); err != nil {
				break
			}
		}
		done++
		sent += e.n
	}
	o.mu.Lock()
	clear(o.queue[:done])
	o.queue = o.queue[done:]
	o.pendingN -= sent
	left := o.pendingN
	switch {
	case err != nil:
		o.nextTry = time.Now().Add(o.wait)
		o.wait = min(2*o.wait, o.maxWait)
	case send:
		o.wait, o.nextTry = o.interval, time.Time{}
	}
	o.mu.Unlock()
	o.tel.pendingAlerts(ctx, -sent)
	if done > 0 && o.store != nil {
		o.write.Lock()
		o.delivered = todo[done-1].seq + 1
		o.write.Unlock()
	}
	// That they were sent is stored by the next write (the next batch's
	// entry, or markSent within two retry_intervals), not by a write of its
	// own: one fsync per batch instead of two.
	if err != nil {
		o.tel.emitFailed(ctx, "logs")
		o.logger.Warn("The next consumer refused alerts; they are kept and sent again",
			zap.Int("pending", left), zap.Error(err))
		return fmt.Errorf("token_anomaly: sending alerts (%d wait): %w", left, err)
	}
	return nil
}
