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
// after loading the index slots, token states, item-key and request slots
// they will touch. Those loads do not depend on each other, so the CPU overlaps
// their cache misses instead of waiting for one per item: with a million
// tracked tokens, most are misses.
func (m *model) ingestRun() {
	evs := m.run.events[:m.run.n]
	m.run.n = 0
	var touched uint32
	for i := range evs {
		ev := &evs[i]
		touched += m.seen.touch(ev.item)
		if ev.tokenID == "" {
			continue
		}
		ev.setKeys()
		if st := m.tokens.get(ev.key); st != nil {
			touched += st.touch()
		}
		touched += m.pairs.touch(ev)
	}
	m.touched = touched // kept, so the loads are not optimized away
	for i := range evs {
		if m.seen.repeat(evs[i].item) {
			continue // read before: its batch was sent again
		}
		m.ingest(&evs[i])
	}
}
