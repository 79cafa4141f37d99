package tokenanomalyconnector

import (
	"bytes"
	"context"
	"fmt"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// moveOutbox moves an outbox stored by an earlier version beside the state
// (from) into the outbox's own client (to): its header and entries are
// copied, unless to holds an outbox already (a move that stopped after the
// copy), then deleted from from. While to's header equals from's, from is
// left alone: it may be to itself (an extension with one client for every
// name), and otherwise a start after to's outbox moved on deletes it. An outbox is small (compactAfter sent
// entries at most wait for a save), so one batch each way does it.
func moveOutbox(ctx context.Context, from, to storage.Client) error {
	head, err := from.Get(ctx, keyOutbox)
	if err != nil {
		return fmt.Errorf("storage: reading the old %s: %w", keyOutbox, err)
	}
	if head == nil {
		return nil
	}
	d := dec{b: head}
	_ = d.u32()
	first, written := d.u64(), d.u64()
	if d.err != nil || first > written || written-first > maxStoredEntries {
		first, written = 0, 0 // unreadable: nothing to move but the header
	}
	have, err := to.Get(ctx, keyOutbox)
	if err != nil {
		return fmt.Errorf("storage: reading %s: %w", keyOutbox, err)
	}
	if have != nil && bytes.Equal(have, head) {
		return nil
	}
	del := []*storage.Operation{storage.DeleteOperation(keyOutbox)}
	set := []*storage.Operation{storage.SetOperation(keyOutbox, head)}
	for seq := first; seq < written; seq++ {
		k := outboxEntryKey(seq)
		del = append(del, storage.DeleteOperation(k))
		if have != nil {
			continue
		}
		data, err := from.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("storage: reading the old alert batch %d: %w", seq, err)
		}
		if data != nil {
			set = append(set, storage.SetOperation(k, data))
		}
	}
	if have == nil {
		if err := to.Batch(ctx, set...); err != nil {
			return fmt.Errorf("storage: moving the outbox: %w", err)
		}
	}
	if err := from.Batch(ctx, del...); err != nil {
		return fmt.Errorf("storage: deleting the moved outbox: %w", err)
	}
	return nil
}
