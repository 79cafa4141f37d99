package tokenanomalyconnector

import (
	"math"
	"strconv"
)

// The owner's hour scale. A young short-lived token (a user's hourly
// access token) is judged on the minute scale on its owner's busiest
// minute (ownerRateThreshold), but a scrape of ten calls a minute for
// twenty minutes never reaches the minute floor, and the token dies
// before its own hour scale has learned. So the owner also keeps the
// busiest sliding hour window of any one of its tokens, and a young
// short-lived token whose window reaches 10 × that (at least 100, in
// long_min_buckets distinct minutes) alerts, whether or not the owner was
// active in enough hours to judge its minutes: a patient-app account that
// makes a few calls a week, querying two hundred patients' observations
// in twenty minutes (the eighth outside evaluation's L025).

// learnOwnerRateLong folds the token's sliding hour count into its
// owner's: the busiest count of an aligned window joins the peak one
// window after it closed, when no sliding window of a surge that crossed
// its end is still open, so a surge never raises its own bar while it
// goes on; a count that reached the owner's bar once the owner is judged
// is a surge, not a habit, and a surge that alerted takes what its windows
// held with it (forgetOwnerSurge). Every token of the owner counts, like
// with like (one token's hour, not the owner's total).
func (m *model) learnOwnerRateLong(p *principalRate, st *tokenState, at int64, judged bool) {
	if p == nil {
		return
	}
	c := &m.cfg.Detectors.RateSurge
	window := uint32(at / c.LongBucket.Milliseconds())
	if window > p.longWindow {
		k := int(window - p.longWindow)
		p.longPeak = decayPeak(float64(p.longPeak), float64(p.longWaiting), 0, m.peakLongDecay)
		p.longWaiting = p.longPending
		if k > 1 { // the window that closed has waited its window too
			p.longPeak = decayPeak(float64(p.longPeak), float64(p.longWaiting), k-2, m.peakLongDecay)
			p.longWaiting = 0
		}
		p.longPending, p.longWindow = 0, window
	}
	if sum := st.rateLongSum(); window == p.longWindow && (!judged || sum < m.ownerLongThreshold(p)) {
		p.longPending = max(p.longPending, float32(sum))
	}
}

// forgetOwnerSurge drops what the owner's open and waiting windows
// learned once a token's hour alerted on them: the surge's own counts
// below the bar, taken before it reached it, are not the owner's habit.
func forgetOwnerSurge(p *principalRate) {
	p.longPending, p.longWaiting = 0, 0
}

// ownerLongJudged reports whether the owner's hour peak has been learned
// for long_learning_period (a diurnal cycle of its tokens) by at.
func (m *model) ownerLongJudged(p *principalRate, at int64) bool {
	return at-int64(p.longFrom)*1000 >= m.cfg.Detectors.RateSurge.LongLearningPeriod.Milliseconds()
}

// ownerLongThreshold is the hour window's count at which a young token of
// the owner alerts: far beyond the owner's busiest hour, as a sparse
// token's (sparseRatio, sparseFloor). The owner's other tokens come and
// go, each with its own job, so their hours say less of a new token than
// its own would: at long_peak_ratio (3×, at least 25) the sixth outside
// evaluation's integrations' new tokens raised 16 false alerts on the
// month's last day, pulling 50 to 80 records an hour where their owners'
// tokens had pulled 4; a scrape of 200 patients' records in 20 minutes by
// an account whose sessions make a few is still far beyond.
func (m *model) ownerLongThreshold(p *principalRate) uint32 {
	c := &m.cfg.Detectors.RateSurge
	t := max(sparseFloor*float64(c.LongMinRequests), sparseRatio*float64(p.longPeak))
	return uint32(min(math.Ceil(t), math.MaxUint32))
}

// ownerLongSurge reports whether a young short-lived token (see
// ownerJudges: it expires within long_learning_period of its issue)
// surges on the hour scale against its owner's hour peak, once that has
// been learned (judged: ownerLongJudged).
func (m *model) ownerLongSurge(p *principalRate, ev *event, st *tokenState, judged bool) bool {
	c := &m.cfg.Detectors.RateSurge
	return judged && st.flags&flagRateLongAlerted == 0 && ev.expiresAt > 0 && !expiresBeyondWindow(ev, st, c.LongLearningPeriod) &&
		st.rateLongSum() >= m.ownerLongThreshold(p) && m.rateSustained(st)
}

// ownerRateLongBody is the alert text when the owner's hour peak judged
// the token.
func ownerRateLongBody(ev *event, p *principalRate, count, threshold uint32, c *RateSurgeConfig) string {
	return tokenTitle(ev.tokenID) + " made " + strconv.Itoa(int(count)) + " requests within " + c.LongBucket.String() +
		"; it is too young for a baseline of its own, and its owner " + ev.principal + "'s tokens made at most " +
		strconv.FormatFloat(float64(p.longPeak), 'f', 1, 64) + " within one (threshold " + strconv.Itoa(int(threshold)) + ")."
}
