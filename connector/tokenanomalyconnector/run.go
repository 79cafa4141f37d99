package tokenanomalyconnector

// runLength is how many items are read before they are ingested: enough
// for the CPU to overlap the cache misses of their token lookups, few
// enough that the events stay in L1.
const runLength = 16

// eventRun holds the items of a batch read but not yet ingested. Findings
// point into it only while ingest runs, so the events are reused and
// reading an item allocates nothing.
type eventRun struct {
	events [runLength]event
	n      int
}

// next returns a cleared event at the end of the run.
func (r *eventRun) next() *event {
	ev := &r.events[r.n]
	*ev = event{}
	r.n++
	return ev
}

// drop takes back the event next returned (the item had no contract
// attribute).
func (r *eventRun) drop() { r.n-- }

func (r *eventRun) full() bool { return r.n == runLength }

// ingestRun ingests the run's items in order, skipping those read before,
// after warming what they will touch (see warm).
func (m *model) ingestRun() {
	evs := m.run.events[:m.run.n]
	m.run.n = 0
	var run [runLength]*event
	for i := range evs {
		run[i] = &evs[i]
		if evs[i].tokenID != "" {
			evs[i].setKeys()
		}
	}
	m.touched += m.warm(run[:len(evs)], true) // kept, so the loads are not optimized away
	for i := range evs {
		if m.seen.repeat(evs[i].item) {
			continue // read before: its batch was sent again
		}
		m.ingest(&evs[i])
	}
}

// warm loads the index slots, token states, owner entries, item-key and
// request slots a run of items will touch. Each pass is a short loop of
// loads that do not depend on each other, so the CPU overlaps their cache
// misses (with a million tracked tokens, most are misses, each with a page
// walk) instead of waiting for one after the other: the index slots
// first, then the entries they point to. The loops are kept short because
// the CPU can run ahead of a waiting load by a few hundred instructions
// only: in one loop doing everything, about four items' misses overlapped.
// fresh is false for items already counted as read (released from the
// reorder buffer).
func (m *model) warm(run []*event, fresh bool) uint32 {
	var touched uint32
	var pos [runLength]int32 // each token's position + 1, when found in its home slot
	for i, ev := range run {
		if ev.tokenID != "" {
			pos[i] = m.tokens.homePos(ev.key)
		}
	}
	for _, ev := range run {
		if fresh {
			touched += m.seen.touch(ev.item) + m.pairs.touch(ev)
		}
		if ev.owner != 0 {
			touched += m.principals.touchSlot(ev.owner) + m.principalRates.touchSlot(ev.owner)
		}
	}
	for i, ev := range run {
		switch {
		case pos[i] != 0:
			touched += m.tokens.at(pos[i] - 1).touch()
		case ev.tokenID != "":
			if st := m.tokens.get(ev.key); st != nil { // not in its home slot, or new
				touched += st.touch()
			}
		}
	}
	for _, ev := range run {
		if ev.owner == 0 {
			continue
		}
		if p := m.principals.get(ev.owner); p != nil {
			touched += p.lastSeen
		}
		if p := m.principalRates.get(ev.owner); p != nil {
			touched += p.lastSeen
		}
	}
	return touched
}
