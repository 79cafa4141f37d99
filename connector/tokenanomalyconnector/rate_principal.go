package tokenanomalyconnector

import (
	"math"
	"strconv"
)

// principalRate is rate_surge's baseline of one principal (a token's
// owner), learned from all its tokens: a token too young to be judged on
// its own rate — a user's access token re-issued every hour never gets
// past learning_period — is judged on its owner's. It keeps the busiest
// minute of any one of the owner's tokens, not the owner's total: like is
// compared with like, so a service with N replicas, each at its steady
// rate, sets the bar at one replica's minute whatever N is, and a user's
// overlapping tokens do not add up. Times are unix seconds of event time.
//
// multi_address keeps the owner's spread here too: the most networks any
// one of its tokens used within a window (multiPeak), by which a young
// short-lived token of the owner is judged (multi_spread.go).
//
// new_resource keeps the owner's resource novelty here (res*, as a token
// keeps its own), by which a young token of the owner is judged
// (novelty_owner.go).
type principalRate struct {
	firstSeen, lastSeen uint32
	bucket              uint32  // the rate_surge bucket peak was last decayed to
	resNovelAt          uint32  // when the owner last called a resource new to it
	peak                float32 // decayed busiest closed bucket of one of its tokens
	activeHours         uint16
	resQuiet            uint16 // requests of its tokens on resources they knew, since resNovelAt
	multiPeak           uint8
	resNovel            uint8 // resources it was new on
	// The hour scale's baseline of the owner (rate_principal_long.go):
	// the decayed busiest sliding window of any one of its tokens, the
	// busiest of the aligned window now open and of the one before it
	// (which joins the peak when the open one closes), the open window,
	// and since when the peak has been learned (unix s).
	longPeak, longPending, longWaiting float32
	longWindow, longFrom               uint32
	// The minute scale's open bucket (learnOwnerMinute): the busiest count
	// of any one of its tokens in it so far, and whether a token surged in
	// it; and the last surge episode's busiest minute and last surge's
	// bucket (learnSurge).
	openBucket, surgeAt uint32
	openMax, surgeMax   float32
	openSurged          bool
}

// principalRateAge orders owners for eviction: the least recently seen goes first.
func principalRateAge(p *principalRate) int64 { return int64(p.lastSeen) }

// ownerRate returns the rate baseline of the item's principal, creating it
// on first sight and counting its active hours; nil when the item names none.
func (m *model) ownerRate(ev *event) *principalRate {
	p, created := putOwner(m, m.principalRates, tablePrincipalRates, ev)
	if p == nil {
		return nil
	}
	now := uint32(ev.at / 1000)
	if created || now/3600 > p.lastSeen/3600 {
		p.activeHours = min(p.activeHours+1, 0xffff)
	}
	if created {
		p.firstSeen, p.longFrom = now, now
	}
	p.lastSeen = max(p.lastSeen, now)
	return p
}

// learnOwnerMinute folds one of the owner's tokens' count in the minute
// bucket b into the owner's peak. The owner keeps its open bucket: the
// busiest count of any one of its tokens so far. A token's bucket is often
// its last (a short-lived token makes its burst, a poll of every account,
// and is never used again), so waiting for the token's next bucket to
// close it, as a token's own baseline does, would never learn it: an
// aggregator's hourly tokens each polling 160 accounts in a minute left
// their owner at a peak of 2, and every poll raised rate_surge (the ninth
// outside evaluation: 258 false alerts in ten days). When the owner's
// bucket closes, its busiest count joins the peak at once, unless a token
// surged in it (see ownerSurge): a surge is learned only when it recurs
// (learnSurge). detectRate has closed the owner's buckets before b
// (closeOwnerMinute).
func (m *model) learnOwnerMinute(p *principalRate, st *tokenState, b uint32, surged bool) {
	if p == nil {
		return
	}
	count := float32(st.rateCount)
	switch {
	case b == p.openBucket:
		p.openMax = max(p.openMax, count)
		p.openSurged = p.openSurged || surged
	case surged:
		// A token's late item in a bucket the owner has closed (its
		// tokens' items interleave).
		m.learnSurge(p, b, count)
	default:
		p.peak = max(p.peak, count)
	}
}

// ownerSurge reports whether a token's bucket is a surge for its owner's
// baseline: it reached the token's threshold while the token was judged on
// its rate, or once the owner was learned (a young long-lived key's burst
// is not judged, but it must not raise the bar for the owner's access
// tokens at once). Before the owner is learned, every burst is its habit.
func (m *model) ownerSurge(p *principalRate, ev *event, st *tokenState, judged bool) bool {
	return st.rateCount >= st.rateThreshold && (judged || m.ownerLearned(p, ev))
}

// learnOwnerRate folds the token's bucket that is closing into its
// owner's peak, as learnOwnerMinute does while it is open (a token's
// items may come after its owner moved on); a surge is left to
// learnSurge.
func (m *model) learnOwnerRate(p *principalRate, st *tokenState, surged bool) {
	if p == nil || surged {
		return
	}
	if b := st.rateBucket; b > p.bucket {
		p.peak = decayPeak(float64(p.peak), 0, int(b-p.bucket)-1, m.peakDecay)
		p.bucket = b
	}
	p.peak = max(p.peak, float32(st.rateCount))
}

// surgeGap is how many quiet minute buckets part two of an owner's
// surges into two episodes: an hour.
const surgeGap = 60

// learnSurge keeps an owner's surge of count in bucket b. Surges less than
// surgeGap apart are one episode (an attack, a scrape that goes on); the
// owner keeps its episode's busiest minute and its last surge. A surge
// that comes surgeGap or more after the last episode is a recurrence: the
// smaller of the two episodes' peaks, the level both reached, joins the
// owner's peak. So a scheduled poll the owner first showed after it was
// judged alerts twice, not at every run, while an attack that does not
// recur never raises the bar for the owner's next tokens (the hour scale
// likewise drops a surge that alerted, forgetOwnerSurge).
func (m *model) learnSurge(p *principalRate, b uint32, count float32) {
	switch {
	case p.surgeMax == 0:
		p.surgeMax, p.surgeAt = count, b
	case b >= p.surgeAt+surgeGap:
		before := float32(float64(p.surgeMax) * math.Pow(m.peakDecay, float64(b-p.surgeAt)))
		p.peak = max(p.peak, min(before, count))
		p.surgeMax, p.surgeAt = count, b
	default:
		p.surgeMax, p.surgeAt = max(p.surgeMax, count), max(p.surgeAt, b)
	}
}

// closeOwnerMinute closes the owner's open bucket for bucket b, decaying
// the peak to it.
func (m *model) closeOwnerMinute(p *principalRate, b uint32) {
	if p.openBucket > p.bucket {
		p.peak = decayPeak(float64(p.peak), 0, int(p.openBucket-p.bucket)-1, m.peakDecay)
		p.bucket = p.openBucket
	}
	switch {
	case p.openMax == 0:
	case p.openSurged:
		m.learnSurge(p, p.openBucket, p.openMax)
	default:
		p.peak = max(p.peak, p.openMax)
	}
	p.openBucket, p.openMax, p.openSurged = b, 0, false
}

// ownerJudges reports whether a young token is judged on its owner's
// baseline: the token is short-lived — it expires within
// long_learning_period (a day) of its issue, as OAuth 2.0 and OIDC access
// tokens do, so it would hardly ever be judged on its own — and the owner
// is past learning_period and min_active_hours, as a token would have to
// be. A long-lived token (an API key, a job's credential) learns its own
// rate: its first runs may be a new habit of its owner (a user's first
// batch job), not a surge; judged on the owner's tokens, the clean
// population's mixed principals raised 4 false alerts per 1,000 token-days.
func (m *model) ownerJudges(p *principalRate, ev *event, st *tokenState) bool {
	c := &m.cfg.Detectors.RateSurge
	return p != nil && ev.expiresAt > 0 && !expiresBeyondWindow(ev, st, c.LongLearningPeriod) && m.ownerLearned(p, ev)
}

// ownerLearned reports whether the owner (nil: none) is past learning_period
// and min_active_hours, as a token would have to be to be judged.
func (m *model) ownerLearned(p *principalRate, ev *event) bool {
	c := &m.cfg.Detectors.RateSurge
	return p != nil && ev.at-int64(p.firstSeen)*1000 >= c.LearningPeriod.Milliseconds() && int(p.activeHours) >= c.MinActiveHours
}

// ownerRateThreshold is the minute count at which a young token of a
// learned owner alerts: its own threshold (the floor, the Poisson tail of
// its first minutes), and peak_ratio × the busiest minute of any of the
// owner's tokens — burst_peak_ratio when that minute reached min_requests.
func (m *model) ownerRateThreshold(p *principalRate, own uint32) uint32 {
	c := &m.cfg.Detectors.RateSurge
	ratio := c.PeakRatio
	if float64(p.peak) >= float64(c.MinRequests) {
		// Bursts are the owner's habit. The owner has no mean per token
		// (tokens come and go), so the floor alone tells bursts; with the
		// mean floored at min_baseline, any busy minute of 8 made a user
		// bursty, and one busy minute in a week of hourly tokens hid a
		// 60-a-minute scrape behind a bar of 96.
		ratio = max(ratio, c.BurstPeakRatio)
	}
	return uint32(min(max(float64(own), math.Ceil(ratio*float64(p.peak))), math.MaxUint32))
}

// ownerRateBody is the alert text when the owner's baseline judged the token.
func ownerRateBody(ev *event, p *principalRate, count, threshold uint32, c *RateSurgeConfig) string {
	return tokenTitle(ev.tokenID) + " made " + strconv.Itoa(int(count)) + " requests within " + c.Bucket.String() +
		"; it is too young for a baseline of its own, and its owner " + ev.principal + "'s tokens made at most " +
		strconv.FormatFloat(float64(p.peak), 'f', 1, 64) + " (threshold " + strconv.Itoa(int(threshold)) + ")."
}
