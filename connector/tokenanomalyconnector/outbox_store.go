package tokenanomalyconnector

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Storage keys of the outbox: a header and one entry per batch of alerts.
const (
	keyOutbox      = "outbox"
	keyOutboxEntry = "outbox/"
	outboxVersion  = 1
	// maxStoredEntries bounds what load reads of a header that lies.
	maxStoredEntries = 1 << 20
	// compactAfter is how many sent entries may wait for the next save
	// before the findings are saved early and the entries deleted.
	compactAfter = 4096
)

func outboxEntryKey(seq uint64) string { return keyOutboxEntry + strconv.FormatUint(seq, 10) }

func (o *outbox) header() []byte {
	var e enc
	e.u32(outboxVersion)
	e.u64(o.first)
	e.u64(o.written)
	e.u64(o.delivered)
	return e.b
}

// writeAhead stores the entries not stored yet, with the header, in one
// batch. Call it holding write.
func (o *outbox) writeAhead(ctx context.Context, todo []*outboxEntry) error {
	var ops []*storage.Operation
	written := o.written
	for _, e := range todo {
		if e.stored {
			continue
		}
		data, err := encodeOutboxEntry(e)
		if err != nil {
			return err
		}
		ops = append(ops, storage.SetOperation(outboxEntryKey(e.seq), data))
		written = max(written, e.seq+1)
	}
	if len(ops) == 0 {
		return nil
	}
	prev := o.written
	o.written = written
	ops = append(ops, storage.SetOperation(keyOutbox, o.header()))
	if err := o.store.Batch(ctx, ops...); err != nil {
		o.written = prev
		return fmt.Errorf("storage: writing %d alert batches: %w", len(ops)-1, err)
	}
	o.marked = o.delivered
	for _, e := range todo {
		e.stored, e.items, e.held, e.found = true, nil, nil, nil
	}
	return nil
}

// retained is how many stored entries were sent and wait for compact.
func (o *outbox) retained() uint64 {
	o.write.Lock()
	defer o.write.Unlock()
	end := min(o.delivered, o.written)
	if end <= o.first {
		return 0
	}
	return end - o.first
}

// compact deletes the stored entries below upTo that were sent: a save
// that began after they were raised holds their findings. It deletes
// compactPerWrite entries per write, so that a batch storing its entry
// (which needs write) waits for one such write at most.
func (o *outbox) compact(ctx context.Context, upTo uint64) error {
	if o.store == nil {
		return nil
	}
	for {
		more, err := o.compactSlice(ctx, upTo)
		if err != nil || !more {
			return err
		}
	}
}

// compactPerWrite is how many stored entries one write of compact deletes.
const compactPerWrite = 1024

// compactSlice deletes up to compactPerWrite entries; more reports whether
// some are left.
func (o *outbox) compactSlice(ctx context.Context, upTo uint64) (more bool, err error) {
	o.write.Lock()
	defer o.write.Unlock()
	end := min(upTo, o.delivered)
	if end <= o.first {
		return false, nil
	}
	stop := min(end, o.first+compactPerWrite)
	ops := make([]*storage.Operation, 0, stop-o.first+1)
	for seq := o.first; seq < stop && seq < o.written; seq++ {
		ops = append(ops, storage.DeleteOperation(outboxEntryKey(seq)))
	}
	prev := o.first
	o.first = stop
	ops = append(ops, storage.SetOperation(keyOutbox, o.header()))
	if err := o.store.Batch(ctx, ops...); err != nil {
		o.first = prev
		return false, fmt.Errorf("storage: deleting sent alerts: %w", err)
	}
	o.marked = o.delivered
	return stop < end, nil
}

// load reads the stored entries: replay gets the alerts of every one (the
// findings they raised), remember the item keys of their batches, and the
// entries not sent yet are queued again. A missing or unreadable entry is
// skipped and reported; the others still load.
func (o *outbox) load(ctx context.Context, replay func(plog.Logs), remember func([]uint64), holdAgain func(seq uint64, held, found []byte) error) error {
	data, err := o.store.Get(ctx, keyOutbox)
	if err != nil {
		return fmt.Errorf("storage: reading %s: %w", keyOutbox, err)
	}
	if data == nil {
		return nil
	}
	d := dec{b: data}
	version := d.u32()
	first, written, delivered := d.u64(), d.u64(), d.u64()
	switch {
	case d.err != nil:
		return fmt.Errorf("storage: %s: %w", keyOutbox, d.err)
	case version != outboxVersion:
		return fmt.Errorf("storage: %s: version %d, want %d", keyOutbox, version, outboxVersion)
	case first > written || written-first > maxStoredEntries:
		return fmt.Errorf("storage: %s: entries %d..%d are not a valid range", keyOutbox, first, written)
	}
	var errs []error
	for seq := first; seq < written; seq++ {
		data, err := o.store.Get(ctx, outboxEntryKey(seq))
		if err != nil {
			return fmt.Errorf("storage: reading alert batch %d: %w", seq, err)
		}
		if data == nil {
			continue // its write failed; it was sent from memory or is lost
		}
		items, alerts, held, found, err := decodeOutboxEntry(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("storage: alert batch %d: %w", seq, err))
			continue
		}
		replay(alerts)
		remember(items)
		if held != nil || found != nil {
			if err := holdAgain(seq, held, found); err != nil {
				errs = append(errs, fmt.Errorf("storage: held items of batch %d: %w", seq, err))
			}
		}
		if seq >= delivered {
			n := alerts.LogRecordCount()
			e := &outboxEntry{seq: seq, alerts: alerts, n: n, stored: true}
			e.ready.Store(true)
			o.queue = append(o.queue, e)
			o.pendingN += n
			o.tel.pendingAlerts(ctx, n)
		}
	}
	o.first, o.written, o.delivered, o.marked = first, written, delivered, delivered
	o.seq = max(written, delivered)
	return errors.Join(errs...)
}

func encodeOutboxEntry(e *outboxEntry) ([]byte, error) {
	alerts, err := (&plog.ProtoMarshaler{}).MarshalLogs(e.alerts)
	if err != nil {
		return nil, fmt.Errorf("encoding alerts: %w", err)
	}
	out := enc{b: make([]byte, 0, 8+8*len(e.items)+len(alerts))}
	out.u32(uint32(len(e.items)))
	for _, k := range e.items {
		out.u64(k)
	}
	out.u32(uint32(len(alerts)))
	out.bytes(alerts)
	switch {
	case e.found != nil:
		// Sections: an entry of a version without held findings ends
		// with its held items, whose encodings never start so.
		out.u32(outboxSections)
		out.u32(uint32(len(e.held)))
		out.bytes(e.held)
		out.bytes(e.found)
	case e.held != nil:
		out.bytes(e.held) // last, so that entries without held items read as before
	}
	return out.b, nil
}

// outboxSections marks an entry's held items and held findings after its
// alerts (heldCompactMark minus one; the first encoding of held items
// starts with a count that cannot be this large).
const outboxSections = heldCompactMark - 1

func decodeOutboxEntry(data []byte) (items []uint64, alerts plog.Logs, held, found []byte, err error) {
	d := dec{b: data}
	n := d.count(8)
	items = make([]uint64, 0, n)
	for range n {
		items = append(items, d.u64())
	}
	raw := d.take(int(d.u32()))
	if len(d.b) >= 4 && binary.LittleEndian.Uint32(d.b) == outboxSections {
		d.u32()
		held = d.take(int(d.u32()))
		found = d.b
	} else if len(d.b) > 0 {
		held = d.b
	}
	if d.err != nil {
		return nil, plog.Logs{}, nil, nil, d.err
	}
	if len(held) == 0 {
		held = nil
	}
	if len(found) == 0 {
		found = nil
	}
	alerts, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(raw)
	if err != nil {
		return nil, plog.Logs{}, nil, nil, fmt.Errorf("decoding alerts: %w", err)
	}
	return items, alerts, held, found, nil
}
