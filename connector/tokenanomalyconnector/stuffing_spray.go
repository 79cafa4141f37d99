package tokenanomalyconnector

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Distributed stuffing ("spray"): a credential list tried through a
// botnet or a residential-proxy pool, a few guesses from each address,
// stays under every per-address count (the sixth outside evaluation: 90
// guessed tokens from 45 addresses, two each, in ten minutes), which is
// why attackers rent such pools (OWASP OAT-008). The org-wide count takes
// guesses only: credentials never seen to succeed, not refused as
// lapsed (stuffing_slow.go's unproven) and naming no owner the connector
// knows. A service's clients whose tokens expire, an identity provider
// that rotated its key, an outage refusing everyone: those credentials
// succeeded before or belong to known owners, so none of them adds up to
// a spray. The count must also come from spray_min_clients addresses (one
// address is the per-address detectors' case) and exceed what the org
// usually sees: a public API scanned all day learns that as its habit,
// like rate_surge (a Poisson tail of its decayed mean per window). Unlike
// a token's surge, a window that alerted counts in the mean too: a spray
// that goes on for hours is learned within them, once it has alerted
// (one alert an hour, the suppression window, until then).

// sprayHalfLife is how fast the org's usual count of guesses forgets: a
// scanned public API's background is learned within a few hours.
const sprayHalfLife = 6 * time.Hour

// sprayP is the tail probability at which the org's usual count explains
// a window's guesses.
const sprayP = 1e-6

// maxSprayValues bounds the addresses an alert lists as evidence.
const maxSprayValues = 64

// sprayGuess is one guessed credential that failed.
type sprayGuess struct {
	fp   uint32 // the credential's fingerprint (token key)
	at   int64  // its last failure, unix ms
	addr string // the address: the count of addresses and the alert (a copy)
}

// sprayState is the org's count of guesses: the most recent distinct
// ones (at most 2 × the threshold in force, so the count is exact up to
// it) and the baseline, counted per tumbling window.
type sprayState struct {
	guesses []sprayGuess
	window  int64   // the tumbling window being counted (at / spray_window)
	count   int     // distinct guesses first seen in it
	mean    float64 // decayed mean of guesses per window
	newest  int64   // the newest guess's time, unix ms
	// nextCheck: the addresses are counted again from this event time
	// on, a second after a count that fell short of spray_min_clients and
	// a window after an alert: a flood of guesses from one address, or
	// from many once alerted, does not pay for the count on every guess.
	nextCheck int64
	// episode is when the spray going on first alerted, and lastAlert
	// when it last did (event time, unix ms): its finding's name.
	episode, lastAlert int64
}

// sprayEpisodeGap is how long a spray may pause and still be the same
// one: a spray that alerts again within it repeats its finding (one
// alert an hour, the suppression window); one after a longer lull is a
// new campaign, a finding of its own. The org's spray finding names no
// token or address, so with one name for all, the tenth outside
// evaluation's second spray, 11 hours after the first, was only an update
// of the first's finding (OCSF activity Update), which no one is paged for.
const sprayEpisodeGap = time.Hour

// sprayCandidate reports whether a failing credential is a guess: it
// proves nothing (never succeeded, not lapsed), and it names no owner seen
// before, or names one from a network whose AS that owner never used. The
// owner is only the credential's claim (a Basic user name, a forged JWT's
// sub), so a breached list of real users' names is still a list; a known
// person's new token refused from their own provider (an identity
// provider's key rotation), or from an address no AS announces (the org's
// own network), is not a guess. The stages run before the token's, so
// this item has created no owner.
func (m *model) sprayCandidate(ev *event) bool {
	if !m.unproven(ev) {
		return false
	}
	if ev.principal == "" || m.principalRates.get(ev.owner) == nil && m.principals.get(ev.owner) == nil {
		return true
	}
	as, ok := m.asn.Lookup(ev.addr())
	return ok && !m.novelty.has(asPair(ev.owner, as)) // an address of no AS is the org's own network
}

// detectSpray counts ev's credential when it is a guess and raises
// credential_stuffing for the org when the window's guesses reach the
// threshold from enough addresses.
func (m *model) detectSpray(ev *event, c *StuffingConfig) {
	if c.SprayThreshold == 0 || !m.sprayCandidate(ev) {
		return
	}
	s := &m.spray
	win := c.SprayWindow.Milliseconds()
	m.rollSpray(ev.at/win, c)
	threshold := m.sprayThreshold(c)
	fp := uint32(ev.key >> 32)
	if i := slices.IndexFunc(s.guesses, func(g sprayGuess) bool { return g.fp == fp }); i >= 0 {
		s.guesses[i].at = max(s.guesses[i].at, ev.at)
	} else {
		if ev.at/win == s.window {
			s.count++
		}
		if len(s.guesses) >= 2*threshold {
			oldest := 0
			for i := range s.guesses {
				if s.guesses[i].at < s.guesses[oldest].at {
					oldest = i
				}
			}
			s.guesses = slices.Delete(s.guesses, oldest, oldest+1)
		}
		s.guesses = append(s.guesses, sprayGuess{fp: fp, at: ev.at, addr: strings.Clone(ev.client)})
	}
	s.newest = max(s.newest, ev.at)
	cutoff := s.newest - win
	n := 0
	for _, g := range s.guesses {
		if g.at > cutoff {
			n++
		}
	}
	if n < threshold || s.newest < s.nextCheck {
		return
	}
	clients := make(map[string]struct{}, 2*c.SprayMinClients)
	for _, g := range s.guesses {
		if g.at > cutoff {
			clients[g.addr] = struct{}{}
		}
	}
	if len(clients) < c.SprayMinClients {
		s.nextCheck = s.newest + time.Second.Milliseconds()
		return
	}
	s.nextCheck = s.newest + win
	m.raiseSpray(ev, n, threshold, clients, c)
}

// rollSpray folds the windows that closed before window w into the mean.
// A window teaches at most the threshold in force: a background that grows
// is learned step by step as the threshold follows it, while one address's
// flood of 20,000 junk keys in a window (the per-address counts' alert)
// cannot raise the bar for a day and hide the next spray.
func (m *model) rollSpray(w int64, c *StuffingConfig) {
	s := &m.spray
	if w <= s.window {
		return
	}
	decay := math.Exp2(-float64(c.SprayWindow) / float64(sprayHalfLife))
	s.mean = s.mean*decay + (1-decay)*float64(min(s.count, m.sprayThreshold(c)))
	if gap := w - s.window - 1; gap > 0 {
		s.mean *= math.Pow(decay, float64(min(gap, 1<<20)))
	}
	s.window, s.count = w, 0
}

// sprayThreshold is the count that alerts: spray_threshold, or more when
// the org's usual count of guesses explains it.
func (m *model) sprayThreshold(c *StuffingConfig) int {
	return min(max(c.SprayThreshold, poissonQuantile(m.spray.mean, sprayP)), maxWindowThreshold)
}

// raiseSpray raises credential_stuffing for a spray: the finding is the
// org's, named by no token or address (the suppression window makes it
// one alert an hour while it goes on), with the addresses as evidence.
func (m *model) raiseSpray(ev *event, n, threshold int, clients map[string]struct{}, c *StuffingConfig) {
	f := newFinding(typeCredentialStuffing, &m.det.stuffing, ev)
	// The per-address findings' discriminator is their (never empty)
	// address; the spray's names its episode, which no address spells.
	s := &m.spray
	if ev.at-s.lastAlert > sprayEpisodeGap.Milliseconds() {
		s.episode = ev.at
	}
	s.lastAlert = max(s.lastAlert, ev.at)
	f.tokenID, f.principal, f.resourceName, f.byClient = "", "", "", true
	f.discriminator = "spray since " + time.UnixMilli(s.episode).UTC().Format(time.RFC3339)
	f.client = "" // the org's finding: the addresses are its evidence
	f.hasEvidence = true
	f.observed, f.threshold, f.baseline, f.window = float64(n), float64(threshold), s.mean, c.SprayWindow
	f.values = make([]string, 0, len(clients))
	for a := range clients {
		f.values = append(f.values, a)
	}
	slices.Sort(f.values)
	f.values = f.values[:min(len(f.values), maxSprayValues)]
	f.body = strconv.Itoa(n) + " distinct credentials, none seen to succeed nor of a known owner, failed from " +
		strconv.Itoa(len(clients)) + " addresses within " + c.SprayWindow.String() + " (spray threshold " +
		strconv.Itoa(threshold) + "): one credential list spread over many addresses."
	m.raise(f, nil)
}

// The spray count's defaults: a list of 30 guesses within ten minutes from
// 10 addresses. Clean traffic's guesses are typos and stale keys a few an
// hour from an org's own clients; a pool of proxies trying a list sends
// dozens a minute.
const (
	defaultSprayThreshold = 30
	defaultSprayClients   = 10
)

// validateSpray checks the spray count's keys.
func validateSpray(c *StuffingConfig, v *validator) {
	if c.SprayThreshold == 0 {
		return
	}
	if c.SprayThreshold < 2 || c.SprayThreshold > maxWindowThreshold {
		v.add("detectors.credential_stuffing.spray_threshold: %d is outside 2..%d (default %d; 0 turns the spray count off)",
			c.SprayThreshold, maxWindowThreshold, defaultSprayThreshold)
	}
	if c.SprayMinClients < 2 || c.SprayMinClients > c.SprayThreshold {
		v.add("detectors.credential_stuffing.spray_min_clients: %d is outside 2..spray_threshold (default %d)",
			c.SprayMinClients, defaultSprayClients)
	}
	if c.SprayWindow < time.Second {
		v.add("detectors.credential_stuffing.spray_window: %s is under 1s (default 10m)", c.SprayWindow)
	}
}
