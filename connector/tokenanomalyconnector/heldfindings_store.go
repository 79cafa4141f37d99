package tokenanomalyconnector

import (
	"fmt"
	"math"
	"time"
)

// Held findings survive a crash without a store of their own. Each
// batch's outbox entry (written before the batch is acknowledged) carries
// the findings the batch held and the ids of those it raised or folded,
// and each save stores the held findings of its instant with the outbox
// position it covers: after a restart the saved ones, plus those held and
// minus those resolved by the entries the save does not cover, are held
// again (for the hold again, of wall-clock time).

// keyHeldFindings is the saved state's held findings.
const keyHeldFindings = "held_findings"

// heldFindingsVersion starts the encoding; heldFindingMin is the least a
// held finding takes in it.
const (
	heldFindingsVersion = 1
	heldFindingMin      = 4 + 8 + 8 + 4 + 1 + 8 + 4*9 + 16 + 8 + 4 + 8 + 1 + 3*8
)

// heldFindingsLog is what changed since the last outbox entry.
type heldFindingsLog struct {
	added    []*heldFinding
	resolved []string // ids
}

// takeHeldFindings returns the encoding of the changes since the last
// take, nil when none.
func (m *model) takeHeldFindings() []byte {
	l := &m.holds.log
	if len(l.added) == 0 && len(l.resolved) == 0 {
		return nil
	}
	b := encodeHeldFindings(l.added, l.resolved)
	clear(l.added)
	l.added, l.resolved = l.added[:0], l.resolved[:0]
	return b
}

// applyHeldFindings holds the findings data adds (but those held already)
// and drops those it resolved, as its batch did. Call it under the lock.
func (m *model) applyHeldFindings(data []byte) error {
	added, resolved, err := decodeHeldFindings(data)
	if err != nil {
		return err
	}
	wall := time.Now().Add(m.holdFor)
	for _, h := range added {
		if !m.holds.held(h.id) {
			h.wall = wall
			m.holds.add(h)
		}
	}
	gone := make(map[string]bool, len(resolved))
	for _, id := range resolved {
		gone[id] = true
	}
	m.holds.take(nil, func(h *heldFinding) bool { return gone[h.id] })
	return nil
}

// encodeHeldFindings encodes held findings and resolved ids: the saved
// state's (no ids) and an outbox entry's.
func encodeHeldFindings(added []*heldFinding, resolved []string) []byte {
	var e enc
	e.u8(heldFindingsVersion)
	e.u32(uint32(len(added)))
	for _, h := range added {
		encodeHeldFinding(&e, h)
	}
	e.u32(uint32(len(resolved)))
	for _, id := range resolved {
		e.str(id)
	}
	return e.b
}

func encodeHeldFinding(e *enc, h *heldFinding) {
	f := &h.f
	e.str(h.id)
	e.u64(h.key)
	e.i64(h.due)
	e.str(f.typ)
	e.u8(uint8(f.sev))
	e.i64(f.at)
	for _, s := range [...]string{f.discriminator, f.body, f.tokenID, f.principal, f.resourceName, f.client,
		h.ev.tokenType, h.ev.principalType, h.ev.outcome} {
		e.str(s)
	}
	e.bytes(h.ev.traceID[:])
	e.bytes(h.ev.spanID[:])
	e.u32(uint32(len(f.values)))
	for _, v := range f.values {
		e.str(v)
	}
	e.i64(int64(f.window))
	var flags uint8
	for i, b := range [...]bool{f.hasEvidence, f.learned, f.byClient} {
		if b {
			flags |= 1 << i
		}
	}
	e.u8(flags)
	for _, v := range [...]float64{f.observed, f.baseline, f.threshold} {
		e.u64(math.Float64bits(v))
	}
}

func decodeHeldFindings(data []byte) (added []*heldFinding, resolved []string, err error) {
	d := dec{b: data}
	if v := d.u8(); d.err == nil && v != heldFindingsVersion {
		return nil, nil, fmt.Errorf("held findings: encoding version %d, want %d", v, heldFindingsVersion)
	}
	n := d.count(heldFindingMin)
	for range n {
		h := decodeHeldFinding(&d)
		if d.err != nil {
			break
		}
		added = append(added, h)
	}
	k := d.count(4)
	for range k {
		resolved = append(resolved, d.str())
	}
	if d.err != nil {
		return nil, nil, fmt.Errorf("held findings: %w", d.err)
	}
	return added, resolved, nil
}

func decodeHeldFinding(d *dec) *heldFinding {
	h := &heldFinding{}
	f := &h.f
	h.id = d.str()
	h.key = d.u64()
	h.due = d.i64()
	f.typ = d.str()
	f.sev = severity(d.u8())
	f.at = d.i64()
	for _, s := range [...]*string{&f.discriminator, &f.body, &f.tokenID, &f.principal, &f.resourceName, &f.client,
		&h.ev.tokenType, &h.ev.principalType, &h.ev.outcome} {
		*s = d.str()
	}
	copy(h.ev.traceID[:], d.take(len(h.ev.traceID)))
	copy(h.ev.spanID[:], d.take(len(h.ev.spanID)))
	for range d.count(4) {
		f.values = append(f.values, d.str())
	}
	f.window = time.Duration(d.i64())
	flags := d.u8()
	f.hasEvidence, f.learned, f.byClient = flags&1 != 0, flags&2 != 0, flags&4 != 0
	for _, v := range [...]*float64{&f.observed, &f.baseline, &f.threshold} {
		*v = math.Float64frombits(d.u64())
	}
	h.ev.res = ownResource // the output resources are interned anew after a start
	f.ev = &h.ev
	return h
}
