package tokenanomalyconnector

import (
	"slices"
	"strconv"
	"strings"
)

// maxWindowThreshold bounds the thresholds of exact windows, which keep
// that many timestamps per token or client.
const maxWindowThreshold = 1000

// detectFailures is failed_attempts: at least threshold failures of one
// token within window, counted exactly on event time. The token keeps
// only its last threshold failure times.
func (m *model) detectFailures(ev *event, st *tokenState) {
	d := &m.det.failed
	if !m.det.failedOutcomes[ev.outcome] || !d.applies(ev) {
		return
	}
	c := &m.cfg.Detectors.FailedAttempts
	x := m.extras.get(st)
	i, _ := slices.BinarySearch(x.failures, ev.at)
	x.failures = slices.Insert(x.failures, i, ev.at)
	if len(x.failures) > c.Threshold {
		x.failures = slices.Delete(x.failures, 0, len(x.failures)-c.Threshold)
	}
	end := x.failures[len(x.failures)-1]
	from, _ := slices.BinarySearch(x.failures, end-c.Window.Milliseconds()+1)
	n := len(x.failures) - from
	if n < c.Threshold {
		return
	}
	f := newFinding(typeFailedAttempts, d, ev)
	f.hasEvidence = true
	f.observed, f.threshold, f.window = float64(n), float64(c.Threshold), c.Window
	f.body = tokenTitle(ev.tokenID) + " failed " + strconv.Itoa(n) + " times within " + c.Window.String() +
		" (threshold " + strconv.Itoa(c.Threshold) + "), the last from " + orUnknown(ev.client) + "."
	m.raise(f, st)
}

// clientState is credential_stuffing's memory of one client address: the
// distinct tokens that failed from it, each with its last failure time.
type clientState struct {
	last  int64 // unix ms
	fails []clientFail
}

type clientFail struct {
	token string
	at    int64
}

func clientAge(c *clientState) int64 { return c.last }

// detectStuffing is credential_stuffing: failures of at least threshold
// distinct tokens from one client address within window. Keeping the
// 2×threshold most recent distinct tokens is enough to decide exactly.
func (m *model) detectStuffing(ev *event) {
	d := &m.det.stuffing
	if ev.tokenID == "" || !m.det.stuffingOutcomes[ev.outcome] || !d.applies(ev) {
		return
	}
	c := &m.cfg.Detectors.CredentialStuffing
	cs, _, _, evicted := m.clients.put(hashString(seedClient, ev.client))
	if evicted {
		m.tel.evicted(tableClients)
	}
	cs.last = max(cs.last, ev.at)
	found := false
	for i := range cs.fails {
		if cs.fails[i].token == ev.tokenID {
			cs.fails[i].at = max(cs.fails[i].at, ev.at)
			found = true
			break
		}
	}
	if !found {
		cs.fails = append(cs.fails, clientFail{token: strings.Clone(ev.tokenID), at: ev.at})
	}
	cutoff := cs.last - c.Window.Milliseconds()
	cs.fails = slices.DeleteFunc(cs.fails, func(f clientFail) bool { return f.at <= cutoff })
	if len(cs.fails) > 2*c.Threshold {
		slices.SortFunc(cs.fails, func(a, b clientFail) int { return compareInt64(b.at, a.at) })
		cs.fails = cs.fails[:2*c.Threshold]
	}
	if len(cs.fails) < c.Threshold {
		return
	}
	f := newFinding(typeCredentialStuffing, d, ev)
	// The finding belongs to the client, not to one token.
	f.tokenID, f.discriminator = "", ev.client
	f.hasEvidence = true
	f.observed, f.threshold, f.window = float64(len(cs.fails)), float64(c.Threshold), c.Window
	f.values = make([]string, 0, len(cs.fails))
	for _, x := range cs.fails {
		f.values = append(f.values, x.token)
	}
	slices.Sort(f.values)
	f.body = strconv.Itoa(len(cs.fails)) + " distinct tokens failed from " + ev.client + " within " + c.Window.String() +
		" (threshold " + strconv.Itoa(c.Threshold) + ")."
	m.raise(f, nil)
}
