package tokenanomalyconnector

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// maxWindowThreshold bounds the thresholds of exact windows, which keep
// that many timestamps per token or client.
const maxWindowThreshold = 1000

// detectFailures is failed_attempts: at least threshold failures of one
// token within window, counted exactly on event time.
func (m *model) detectFailures(ev *event, st *tokenState) {
	d := &m.det.failed
	c := &m.cfg.Detectors.FailedAttempts
	if !m.det.failedOutcomes.has(ev.outcome) {
		if ev.outcome == auditattr.OutcomeSuccess || ev.outcome == auditattr.OutcomeDenied {
			if x := m.extras.of(st); x != nil {
				x.failRun = 0 // the credential works: a run of failures ends
			}
		}
		return
	}
	if !d.applies(ev) {
		return
	}
	x := m.extras.get(st)
	var n int
	x.failures, n = countInWindow(x.failures, ev.at, c.Threshold, c.Window)
	run := m.failureRun(x, ev.at)
	if n < c.Threshold && (c.Consecutive == 0 || run != c.Consecutive) {
		return
	}
	f := newFinding(typeFailedAttempts, d, ev)
	f.hasEvidence = true
	if n >= c.Threshold {
		f.observed, f.threshold, f.window = float64(n), float64(c.Threshold), c.Window
		f.body = tokenTitle(ev.tokenID) + " failed " + strconv.Itoa(n) + " times within " + c.Window.String() +
			" (threshold " + strconv.Itoa(c.Threshold) + "), the last from " + orUnknown(ev.client) + "."
	} else {
		f.observed, f.threshold, f.window = float64(run), float64(c.Consecutive), c.ConsecutiveWindow
		f.body = tokenTitle(ev.tokenID) + " failed " + strconv.Itoa(run) + " times in a row within " +
			(time.Duration(ev.at-x.failRunAt) * time.Millisecond).Truncate(time.Minute).String() + ", with no success between (threshold " +
			strconv.Itoa(c.Consecutive) + " within " + c.ConsecutiveWindow.String() + "), the last from " + orUnknown(ev.client) + "."
	}
	m.raise(f, st)
}

// failureRun counts a failure at at into the token's run of failures in a
// row and returns its length; a run older than consecutive_window starts
// again. A burst is the window's to judge; a run finds the slow series a
// window misses: a credential that no longer works and is still sent, one
// failure an hour for days, or thirty in half an hour.
func (m *model) failureRun(x *tokenExtra, at int64) int {
	c := &m.cfg.Detectors.FailedAttempts
	if x.failRun == 0 || at-x.failRunAt > c.ConsecutiveWindow.Milliseconds() {
		x.failRun, x.failRunAt = 0, at
	}
	x.failRun = min(x.failRun+1, 0xffff)
	return int(x.failRun)
}

// deniedP is the tail probability at which a token's own refusal rate
// explains a count: a service refused now and then at a steady rate must
// not alert every day.
const deniedP = 1e-6

// deniedHalfLife is how fast the refusal baseline forgets: a day, so a
// service's steady refusals are learned within its first day.
const deniedHalfLife = 24 * time.Hour

// deniedShare is the share of a legitimate caller's requests a healthy
// API refuses (object-level checks: about 0.3% on the traffic of issue
// 13), with margin: a busy token's refusals are judged against its own
// volume, so that 5 refusals among 500 calls of a CI build are not
// denied_access while 5 among 10 calls are.
const deniedShare = 0.005

// detectDenied is denied_access: the service refused one token (403) at
// least threshold times within window, more often than the token's own
// refusal baseline explains (Poisson upper quantile of its decayed mean of
// refusals per window), and more often than deniedShare of its requests
// in the window explains (the same quantile). The service's refusal is the
// evidence, so it needs no scopes in the policy.
func (m *model) detectDenied(ev *event, st *tokenState) {
	d := &m.det.denied
	if !d.enabled {
		return
	}
	c := &m.cfg.Detectors.DeniedAccess
	b := uint32(ev.at / c.Window.Milliseconds())
	if b > st.deniedBucket {
		if st.flags&flagDeniedLearned != 0 {
			st.deniedMean, _ = decayBuckets(float64(st.deniedCount), float64(st.deniedMean), 0, int(b-st.deniedBucket-1), m.deniedAlpha)
		}
		st.deniedPrevReqs = 0
		if b == st.deniedBucket+1 {
			st.deniedPrevReqs = st.deniedReqs
		}
		st.deniedBucket, st.deniedCount, st.deniedReqs = b, 0, 0
	}
	st.deniedReqs = min(st.deniedReqs+1, 0xffff)
	if !m.det.deniedOutcomes.has(ev.outcome) || !d.applies(ev) {
		return
	}
	st.flags |= flagDeniedLearned
	st.deniedCount = min(st.deniedCount+1, 0xffff)
	volume := float64(st.deniedReqs) + float64(st.deniedPrevReqs) // at least the requests within window
	threshold := max(c.Threshold, poissonQuantile(float64(st.deniedMean), deniedP), poissonQuantile(volume*deniedShare, deniedP))
	threshold = min(threshold, maxWindowThreshold)
	x := m.extras.get(st)
	var n int
	if x.denials, n = countInWindow(x.denials, ev.at, threshold, c.Window); n < threshold {
		return
	}
	f := newFinding(typeDeniedAccess, d, ev)
	f.hasEvidence, f.learned = true, true
	f.observed, f.baseline, f.threshold, f.window = float64(n), float64(st.deniedMean), float64(threshold), c.Window
	f.body = tokenTitle(ev.tokenID) + " was refused " + strconv.Itoa(n) + " times within " + c.Window.String() +
		" (threshold " + strconv.Itoa(threshold) + " for its " + strconv.Itoa(int(volume)) + " requests), the last on " + orUnknown(ev.resource) + "."
	m.raise(f, st)
}

// countInWindow adds at to the sorted times, keeps the last keep of them,
// and counts those within window of the newest.
func countInWindow(times []int64, at int64, keep int, window time.Duration) ([]int64, int) {
	i, _ := slices.BinarySearch(times, at)
	times = slices.Insert(times, i, at)
	if len(times) > keep {
		times = slices.Delete(times, 0, len(times)-keep)
	}
	end := times[len(times)-1]
	from, _ := slices.BinarySearch(times, end-window.Milliseconds()+1)
	return times, len(times) - from
}

// clientState is credential_stuffing's memory of one client address: the
// distinct tokens that failed from it, each with its last failure time,
// and the slow count's distinct unproven credentials (stuffing_slow.go).
type clientState struct {
	last  int64 // unix ms
	fails []clientFail
	slow  []slowFail
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
	if ev.tokenID == "" || !m.det.stuffingOutcomes.has(ev.outcome) || !d.applies(ev) {
		return
	}
	c := &m.cfg.Detectors.CredentialStuffing
	m.detectSpray(ev, c)
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
	slow := m.countSlowStuffing(ev, cs, c)
	if len(cs.fails) < c.Threshold {
		if slow >= c.SlowThreshold && c.SlowThreshold > 0 {
			m.raiseSlowStuffing(ev, slow, c)
		}
		return
	}
	f := newFinding(typeCredentialStuffing, d, ev)
	// The finding belongs to the client, not to one token: it names
	// neither a token nor the principal or resource of one of them.
	f.tokenID, f.principal, f.resourceName, f.discriminator, f.byClient = "", "", "", ev.client, true
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

// validateWindowCount checks the keys of an exact window count.
func validateWindowCount(name string) func(detectorSettings, *validator) {
	return func(s detectorSettings, v *validator) {
		c := s.(*WindowCountConfig)
		if c.Threshold < 2 || c.Threshold > maxWindowThreshold {
			v.add("detectors.%s.threshold: %d is outside 2..%d", name, c.Threshold, maxWindowThreshold)
		}
		v.positive(name+".window", c.Window)
		v.inList(name+".outcomes", c.Outcomes, outcomes)
		if len(c.Outcomes) == 0 {
			v.add("detectors.%s.outcomes: empty; list the outcomes that count (default [failure])", name)
		}
	}
}

// windowCountSpec is an exact window count whose outcomes compile into
// the set *outcomes.
func windowCountSpec(name, typ string, sev severity, field func(*DetectorsConfig) *WindowCountConfig,
	slot func(*compiledDetectors) *detector, outcomes func(*compiledDetectors) *outcomeSet,
) detectorSpec {
	return detectorSpec{
		name:     name,
		findings: []findingSeverity{{typ, sev}},
		field:    func(d *DetectorsConfig) detectorSettings { return field(d) },
		validate: validateWindowCount(name),
		compile: func(m *model, _ *detector, s detectorSettings) error {
			*outcomes(&m.det) = outcomesOf(s.(*WindowCountConfig).Outcomes)
			return nil
		},
		stage: stageToken,
		slot:  slot,
	}
}

func failedAttemptsSpec() detectorSpec {
	s := windowCountSpec("failed_attempts", typeFailedAttempts, sevMedium,
		func(d *DetectorsConfig) *WindowCountConfig { return &d.FailedAttempts.WindowCountConfig },
		func(c *compiledDetectors) *detector { return &c.failed },
		func(c *compiledDetectors) *outcomeSet { return &c.failedOutcomes })
	s.field = func(d *DetectorsConfig) detectorSettings { return &d.FailedAttempts }
	window, compile := s.validate, s.compile
	s.validate = func(set detectorSettings, v *validator) {
		c := set.(*FailedAttemptsConfig)
		window(&c.WindowCountConfig, v)
		if c.Consecutive < 0 || c.Consecutive > 0xffff {
			v.add("detectors.failed_attempts.consecutive: %d is outside 0..65535 (default 20; 0 turns it off)", c.Consecutive)
		}
		if c.Consecutive > 0 {
			v.positive("failed_attempts.consecutive_window", c.ConsecutiveWindow)
		}
	}
	s.compile = func(m *model, d *detector, set detectorSettings) error {
		return compile(m, d, &set.(*FailedAttemptsConfig).WindowCountConfig)
	}
	s.observe = func(m *model, _ *detector, ev *event, st *tokenState) { m.detectFailures(ev, st) }
	return s
}

func deniedAccessSpec() detectorSpec {
	s := windowCountSpec("denied_access", typeDeniedAccess, sevMedium,
		func(d *DetectorsConfig) *WindowCountConfig { return &d.DeniedAccess },
		func(c *compiledDetectors) *detector { return &c.denied },
		func(c *compiledDetectors) *outcomeSet { return &c.deniedOutcomes })
	outcomes := s.compile
	s.compile = func(m *model, d *detector, sec detectorSettings) error {
		m.deniedAlpha = 1 - math.Exp2(-float64(sec.(*WindowCountConfig).Window)/float64(deniedHalfLife))
		return outcomes(m, d, sec)
	}
	s.observe = func(m *model, _ *detector, ev *event, st *tokenState) { m.detectDenied(ev, st) }
	return s
}

func credentialStuffingSpec() detectorSpec {
	s := windowCountSpec("credential_stuffing", typeCredentialStuffing, sevHigh,
		func(d *DetectorsConfig) *WindowCountConfig { return &d.CredentialStuffing.WindowCountConfig },
		func(c *compiledDetectors) *detector { return &c.stuffing },
		func(c *compiledDetectors) *outcomeSet { return &c.stuffingOutcomes })
	s.field = func(d *DetectorsConfig) detectorSettings { return &d.CredentialStuffing }
	window, compile := s.validate, s.compile
	s.validate = func(set detectorSettings, v *validator) {
		c := set.(*StuffingConfig)
		window(&c.WindowCountConfig, v)
		if c.SlowThreshold < 0 || c.SlowThreshold == 1 || c.SlowThreshold > maxWindowThreshold {
			v.add("detectors.credential_stuffing.slow_threshold: %d is outside 2..%d (default 10; 0 turns the slow count off)", c.SlowThreshold, maxWindowThreshold)
		}
		if c.SlowThreshold > 0 {
			v.positive("credential_stuffing.slow_window", c.SlowWindow)
		}
		validateSpray(c, v)
	}
	s.compile = func(m *model, d *detector, set detectorSettings) error {
		return compile(m, d, &set.(*StuffingConfig).WindowCountConfig)
	}
	s.stage = stageClient
	s.observe = func(m *model, _ *detector, ev *event, _ *tokenState) {
		if ev.client != "" {
			m.detectStuffing(ev)
		}
	}
	return s
}
