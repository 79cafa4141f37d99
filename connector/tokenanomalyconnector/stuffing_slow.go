package tokenanomalyconnector

import "strconv"

// Low-and-slow stuffing: one address trying a list of credentials a few
// a minute or slower stays under threshold distinct tokens per window
// (the third outside evaluation: 90 combinations in 6 hours, 2.5 per 10
// minutes). Counting every failing token over an hour would flag a NAT
// whose users send their expired tokens once before the refresh, so the
// slow count takes only credentials that prove nothing: never seen to
// succeed, and not refused as expired, revoked or not yet valid (the
// processor knows those; a stuffed credential is a guess). It keeps the
// 2 × slow_threshold most recent such credentials per address as 32-bit
// fingerprints (8 bytes each), bounded like the fast count by max_clients.

// slowFail is one unproven credential that failed from a client address.
type slowFail struct {
	fp uint32 // the token key's fingerprint
	at uint32 // its last failure, unix s
}

// countSlowStuffing adds ev's credential to the address's slow count when
// it proves nothing, and returns the count within slow_window.
func (m *model) countSlowStuffing(ev *event, cs *clientState, c *StuffingConfig) int {
	if c.SlowThreshold == 0 {
		return 0
	}
	if m.unproven(ev) {
		fp, at := uint32(ev.key>>32), uint32(ev.at/1000)
		found := false
		for i := range cs.slow {
			if cs.slow[i].fp == fp {
				cs.slow[i].at, found = max(cs.slow[i].at, at), true
				break
			}
		}
		if !found {
			if len(cs.slow) >= 2*c.SlowThreshold {
				cs.slow = cs.slow[1:] // the oldest added
			}
			cs.slow = append(cs.slow, slowFail{fp: fp, at: at})
		}
	}
	cutoff := cs.last/1000 - int64(c.SlowWindow.Seconds())
	n := 0
	for _, f := range cs.slow {
		if int64(f.at) > cutoff {
			n++
		}
	}
	return n
}

// unproven reports whether a failing credential proves nothing of its
// owner: no success seen with it, and not a lapsed credential the
// processor recognised.
func (m *model) unproven(ev *event) bool {
	if ev.lapsed {
		return false
	}
	st := m.tokens.get(ev.key)
	return st == nil || st.flags&flagSucceeded == 0
}

// raiseSlowStuffing raises credential_stuffing for the slow count.
func (m *model) raiseSlowStuffing(ev *event, n int, c *StuffingConfig) {
	f := newFinding(typeCredentialStuffing, &m.det.stuffing, ev)
	f.tokenID, f.principal, f.resourceName, f.discriminator, f.byClient = "", "", "", ev.client, true
	f.hasEvidence = true
	f.observed, f.threshold, f.window = float64(n), float64(c.SlowThreshold), c.SlowWindow
	f.body = strconv.Itoa(n) + " distinct credentials, none seen to succeed, failed from " + ev.client + " within " +
		c.SlowWindow.String() + " (slow threshold " + strconv.Itoa(c.SlowThreshold) + ")."
	m.raise(f, nil)
}
