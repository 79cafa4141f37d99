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

// heldRecordBytes is the least a stored held item takes.
const heldRecordBytes = 8 + 7*4 + 8 + 8 + 16 + 8 + 8 + 1

// logHeld records a held item for the batch's outbox entry (with storage).
func (m *model) logHeld(ev *event) {
	encodeHeld(&m.heldLog, ev)
	m.heldN++
}

// takeHeld returns the held items recorded since the last take: a count
// and the records.
func (m *model) takeHeld() []byte {
	if m.heldN == 0 {
		return nil
	}
	var e enc
	e.b = make([]byte, 0, 4+len(m.heldLog.b))
	e.u32(uint32(m.heldN))
	e.bytes(m.heldLog.b)
	m.heldLog.b, m.heldN = m.heldLog.b[:0], 0
	return e.b
}

// holdAgain puts stored held items back in the reorder buffer, as if
// their batch had just arrived. Call it under the lock.
func (m *model) holdAgain(data []byte) error {
	d := dec{b: data}
	n := d.count(heldRecordBytes)
	now := time.Now()
	for range n {
		var ev event
		decodeHeld(&d, &ev)
		if d.err != nil {
			return d.err
		}
		if ev.tokenID != "" {
			ev.key = hashString(seedToken, ev.tokenID)
		}
		ev.reg = int32(m.reg.lookup(&ev))
		ev.res = ownResource // the output resources are interned anew after a start
		m.held.hold(&ev, now)
	}
	return d.err
}

// encodeHeld writes what the stateful detectors and the alerts need of a
// held item (what prepare and detach keep).
func encodeHeld(e *enc, ev *event) {
	e.i64(ev.at)
	for _, s := range [...]string{ev.tokenID, ev.tokenType, ev.principal, ev.principalType, ev.resource, ev.outcome, ev.client} {
		e.str(s)
	}
	e.i64(ev.issuedAt)
	e.i64(ev.expiresAt)
	e.bytes(ev.traceID[:])
	e.bytes(ev.spanID[:])
	e.u64(ev.scopeBits)
	var flags uint8
	if ev.offHoursGiven {
		flags = 1
	}
	e.u8(flags)
}

func decodeHeld(d *dec, ev *event) {
	ev.at = d.i64()
	for _, s := range [...]*string{&ev.tokenID, &ev.tokenType, &ev.principal, &ev.principalType, &ev.resource, &ev.outcome, &ev.client} {
		*s = d.str()
	}
	ev.issuedAt = d.i64()
	ev.expiresAt = d.i64()
	copy(ev.traceID[:], d.take(len(ev.traceID)))
	copy(ev.spanID[:], d.take(len(ev.spanID)))
	ev.scopeBits = d.u64()
	ev.offHoursGiven = d.u8()&1 != 0
}
