package tokenanomalyconnector

import (
	"time"
)

// Held items are acknowledged before the stateful detectors see them. With
// storage, the items a batch put in the reorder buffer are stored with
// the batch's outbox entry (written before the batch is acknowledged), and
// a save stores the buffer as it was at the save's instant with the outbox
// sequence it covers: after a crash, the saved buffer and the held items
// of the entries the save does not cover are held again, so a burst's
// stateful alert is not lost and no item is fed twice.

// heldRecordBytes is the least a held item takes in the first encoding.
const heldRecordBytes = 8 + 7*4 + 8 + 8 + 16 + 8 + 8 + 1

// logHeld records a held item for the batch's outbox entry (with storage).
func (m *model) logHeld(ev *event) { m.heldLog.add(ev) }

// takeHeld returns the held items recorded since the last take, nil when
// none.
func (m *model) takeHeld() []byte {
	if m.heldLog.n == 0 {
		return nil
	}
	return m.heldLog.take()
}

// holdAgain puts stored held items back in the reorder buffer, as if
// their batch had just arrived. Call it under the lock.
func (m *model) holdAgain(data []byte) error {
	now := time.Now()
	return decodeHeldItems(data, func(ev *event) {
		if ev.tokenID != "" {
			ev.setKeys()
		}
		ev.reg = int32(m.reg.lookup(ev))
		ev.res = ownResource // the output resources are interned anew after a start
		m.pairs.second(ev)   // its request's other side, if it comes, is counted already
		m.held.hold(ev, now)
	})
}

// decodeHeldItems calls each with every stored held item, of either
// encoding.
func decodeHeldItems(data []byte, each func(*event)) error {
	if isCompactHeld(data) {
		return decodeCompactHeld(data, each)
	}
	d := dec{b: data}
	n := d.count(heldRecordBytes)
	for range n {
		var ev event
		decodeHeld(&d, &ev)
		if d.err != nil {
			return d.err
		}
		each(&ev)
	}
	return d.err
}

// heldStrings are a held item's strings in the order both encodings
// store them.
func heldStrings(ev *event) [7]*string {
	return [...]*string{&ev.tokenID, &ev.tokenType, &ev.principal, &ev.principalType, &ev.resource, &ev.outcome, &ev.client}
}

// decodeHeld reads one held item of the first encoding (stored by earlier
// versions: their outbox entries and saves are still read).
func decodeHeld(d *dec, ev *event) {
	ev.at = d.i64()
	for _, s := range heldStrings(ev) {
		*s = d.str()
	}
	ev.issuedAt = d.i64()
	ev.expiresAt = d.i64()
	copy(ev.traceID[:], d.take(len(ev.traceID)))
	copy(ev.spanID[:], d.take(len(ev.spanID)))
	ev.scopeBits = d.u64()
	ev.hoursSettled = d.u8()&1 != 0
}
