package tokenanomalyconnector

import (
	"slices"
	"strings"
	"time"
)

// A new_client_address finding is held for detectors.new_client_address.hold
// before it is raised: a botnet's first rare network is new to the token
// before its next networks make the same misuse multi_address, and one
// misuse should be one alert. When multi_address fires for the token within
// the hold, the held finding is folded into its alert (named in
// tokenaudit.finding.related) and not raised. Otherwise it is raised once
// the stateful detectors' event time passes its due time, once it has
// waited the hold of wall-clock time (traffic stopped), when the table is
// full (the oldest, counted as an eviction of table "held_findings"), and
// at shutdown. With storage the held findings survive a crash: see
// heldfindings_store.go.

// tableHeldFindings names held findings raised early in the evictions metric.
const tableHeldFindings = "held_findings"

// maxHeldFindings bounds the held findings: a token is new on a far and
// rare network at most once per learning period, so at 10,000 items/s of
// a million tokens a few hundred are held at once; an attacker making up
// networks only gets their findings raised early.
const maxHeldFindings = 4096

// heldFinding is a finding waiting for its hold to end.
type heldFinding struct {
	f   finding
	ev  event // what the alert needs of the trigger, detached; f.ev points here
	id  string
	key uint64 // the token's key
	due int64  // the event time after which it is raised, unix ms
	// wall is the wall-clock time after which it is raised; not stored,
	// a restart holds it for the hold again.
	wall time.Time
	// cohort is set for a finding waiting for its cohort (cohort.go); not
	// stored, a restart raises it.
	cohort heldCohort
}

// heldFindings are the held findings by due time (then the order held):
// those due leave from the front, so raising them costs nothing per item
// held, however many an attacker's new networks hold.
type heldFindings struct {
	list []*heldFinding
	byID map[string]*heldFinding
	// log holds the changes since the batch's last outbox entry (with storage).
	log heldFindingsLog
}

func newHeldFindings() *heldFindings { return &heldFindings{byID: map[string]*heldFinding{}} }

func (s *heldFindings) held(id string) bool { return s.byID[id] != nil }

// add inserts h by its due time: at the end but for an item fed out of order.
func (s *heldFindings) add(h *heldFinding) {
	i, _ := slices.BinarySearchFunc(s.list, h.due+1, func(e *heldFinding, due int64) int { return compareInt64(e.due, due) })
	s.list = slices.Insert(s.list, i, h)
	s.byID[h.id] = h
}

// takeDue takes out the findings due before at, in order.
func (s *heldFindings) takeDue(at int64) []*heldFinding {
	k := 0
	for k < len(s.list) && s.list[k].due < at {
		k++
	}
	return s.takeFirst(k)
}

// takeFirst takes out the first k findings.
func (s *heldFindings) takeFirst(k int) []*heldFinding {
	out := slices.Clone(s.list[:k])
	for _, h := range out {
		delete(s.byID, h.id)
	}
	clear(s.list[:k])
	s.list = s.list[k:]
	return out
}

// take moves the held findings take chooses to out, in order.
func (s *heldFindings) take(out []*heldFinding, take func(*heldFinding) bool) []*heldFinding {
	kept := s.list[:0]
	for _, h := range s.list {
		if take(h) {
			out = append(out, h)
			delete(s.byID, h.id)
			continue
		}
		kept = append(kept, h)
	}
	clear(s.list[len(kept):])
	s.list = kept
	return out
}

// holdFinding holds f for hold: a new_client_address finding that
// multi_address may fold, or a finding its cohort may share (cohort set).
// With no hold it is raised at once.
func (m *model) holdFinding(f *finding, st *tokenState, key uint64, cohort heldCohort, hold time.Duration) {
	if hold <= 0 || f.dryRun {
		m.raise(f, st)
		return
	}
	id := findingID(f.tokenID, f.typ, f.discriminator)
	if m.holds.held(id) {
		// Held already: its trigger was fed again after a restart, or the
		// token's rate_surge fired again while its first waits for its
		// cohort (it would be a repeat within the suppression window).
		return
	}
	if len(m.holds.list) >= maxHeldFindings {
		m.tel.evicted(tableHeldFindings)
		m.raiseTaken(m.holds.takeFirst(1)) // the first due
	}
	h := &heldFinding{id: id, key: key, due: f.at + hold.Milliseconds(), wall: time.Now().Add(hold), cohort: cohort}
	h.f = *f
	h.f.tokenID, h.f.principal = strings.Clone(f.tokenID), strings.Clone(f.principal)
	h.f.resourceName, h.f.client = strings.Clone(f.resourceName), strings.Clone(f.client)
	if f.ev != nil {
		h.ev = event{res: f.ev.res, tokenType: strings.Clone(f.ev.tokenType), principalType: strings.Clone(f.ev.principalType),
			outcome: strings.Clone(f.ev.outcome), traceID: f.ev.traceID, spanID: f.ev.spanID}
		h.f.ev = &h.ev
	}
	m.holds.add(h)
	if m.store != nil {
		m.holds.log.added = append(m.holds.log.added, h)
	}
}

// resolveHeld takes out the held findings pick chooses and raises them
// (raise) or drops them (folded into another alert).
func (m *model) resolveHeld(pick func(*heldFinding) bool, raise bool) []*heldFinding {
	taken := m.holds.take(nil, pick)
	if raise {
		m.raiseTaken(taken)
	} else {
		m.logResolved(taken)
	}
	return taken
}

// raiseTaken raises held findings taken out of the table, but those their
// cohort came to share.
func (m *model) raiseTaken(taken []*heldFinding) {
	m.logResolved(taken)
	for _, h := range taken {
		if m.shared(h) {
			m.share(&h.f, m.tokens.get(h.key))
			continue
		}
		m.raise(&h.f, m.tokens.get(h.key))
	}
}

func (m *model) logResolved(taken []*heldFinding) {
	if m.store == nil {
		return
	}
	for _, h := range taken {
		m.holds.log.resolved = append(m.holds.log.resolved, h.id)
	}
}

// raiseHeldDue raises the held findings whose due time the stateful
// detectors' event time (releasedAt) has passed; ingestStateful calls it
// only then (nextDue), so an item pays one comparison.
func (m *model) raiseHeldDue() {
	m.raiseTaken(m.holds.takeDue(m.releasedAt))
}

// raiseHeldWaited raises the held findings that waited their hold of wall
// clock time: event time that stopped does not hold an alert back.
func (m *model) raiseHeldWaited(now time.Time) {
	if len(m.holds.list) > 0 {
		m.resolveHeld(func(h *heldFinding) bool { return !now.Before(h.wall) }, true)
	}
}

// raiseHeldAll raises every held finding (at shutdown).
func (m *model) raiseHeldAll() {
	if len(m.holds.list) > 0 {
		m.resolveHeld(func(*heldFinding) bool { return true }, true)
	}
}

// foldHeld folds the token's held findings into f (multi_address, about to
// be raised): they are named in its related findings and its body, and
// recorded as found, so that raising one again (its trigger fed again
// after a restart) is not news within the suppression window.
func (m *model) foldHeld(f *finding, key uint64) {
	if len(m.holds.list) == 0 || f.dryRun {
		return
	}
	folded := m.resolveHeld(func(h *heldFinding) bool { return h.key == key && h.f.typ == typeNewClientAddress }, false)
	if len(folded) == 0 {
		return
	}
	names := make([]string, 0, len(folded))
	for _, h := range folded {
		m.record(&h.f)
		f.related = append(f.related, h.f.typ+":"+h.id)
		names = append(names, h.f.discriminator)
	}
	f.body += " New to the token first: " + strings.Join(names, ", ") + " (its new_client_address finding is part of this alert)."
}
