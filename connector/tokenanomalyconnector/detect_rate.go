package tokenanomalyconnector

import (
	"math"
	"strconv"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// detectRate is rate_surge, judged on two scales. Each token counts
// requests per bucket (a minute) of event time; a closed bucket updates an
// exponentially decayed mean and variance (Finch 2009), empty buckets
// included in closed form, and a decayed peak. The open bucket alerts once
// when its count reaches a threshold fixed when it opened: the largest of
// the floor, min_ratio × baseline, mean + tolerance × deviation,
// peak_ratio × the token's own busiest bucket, and the Poisson upper
// quantile at poisson_p. The long scale (detectRateLong) is where a token
// making a few calls an hour shows a 10–40× surge. A token is judged once
// past its learning period and active in min_active_hours distinct hours:
// a job that runs once a day has no rate to surge from on its first runs.
func (m *model) detectRate(ev *event, st *tokenState) {
	d := &m.det.rate
	if !d.enabled || ev.outcome == auditattr.OutcomeFailure || ev.outcome == auditattr.OutcomeDenied {
		// Refused calls are failed_attempts', credential_stuffing's (401)
		// and denied_access's (403, an enumeration): a burst of them is
		// not the token's own use.
		return
	}
	c := &m.cfg.Detectors.RateSurge
	b := uint32(ev.at / c.Bucket.Milliseconds())
	owner := m.ownerRate(ev)
	age := ev.at - int64(st.firstSeen)*1000
	young := age < c.LearningPeriod.Milliseconds() || int(st.activeHours) < c.MinActiveHours
	byOwner := young && m.ownerJudges(owner, ev, st) // see rate_principal.go
	newBucket := st.flags&flagRateLearned == 0 || b > st.rateBucket
	if st.flags&flagRateLearned == 0 {
		st.rateBucket, st.rateStreak = b, 1
		st.flags |= flagRateLearned
		st.rateThreshold = m.rateThreshold(0, 0, 0)
	} else if b > st.rateBucket {
		if st.flags&flagRateBaseline == 0 {
			// The first closed bucket seeds the baseline (Poisson: the
			// variance equals the mean) instead of dragging it up from 0.
			st.flags |= flagRateBaseline
			st.rateMean, st.rateVar = float32(st.rateCount), float32(st.rateCount)
		}
		m.learnOwnerRate(owner, st, m.ownerSurge(owner, ev, st, !young || byOwner))
		k := int(b - st.rateBucket - 1)
		m.learnRatePeak(st, k)
		st.rateMean, st.rateVar = decayBuckets(float64(st.rateCount), float64(st.rateMean), float64(st.rateVar), k, m.rateAlpha)
		st.rateBucket, st.rateCount = b, 0
		st.flags &^= flagRateAlerted
		st.rateThreshold = m.rateThreshold(float64(st.rateMean), float64(st.rateVar), float64(st.ratePeak))
	}
	if owner != nil && st.rateBucket > owner.openBucket {
		m.closeOwnerMinute(owner, st.rateBucket) // the owner's last minute counts in the bar
	}
	if newBucket && byOwner {
		st.rateThreshold = m.ownerRateThreshold(owner, st.rateThreshold)
	}
	// A late item within the allowed lateness counts in the open bucket.
	st.rateCount++
	m.learnOwnerMinute(owner, st, st.rateBucket, m.ownerSurge(owner, ev, st, !young || byOwner))
	long := m.detectRateLong(ev, st, newBucket)
	sparse := long && young && m.sparseSurge(st, age)
	long = long && (!young || sparse)
	// A young token judged by its owner is judged on its owner's hour
	// scale too (rate_principal_long.go).
	ownerLong := false
	if owner != nil {
		judged := m.ownerLongJudged(owner, ev.at)
		m.learnOwnerRateLong(owner, st, ev.at, judged)
		ownerLong = !long && young && m.ownerLongSurge(owner, ev, st, judged)
		if ownerLong {
			forgetOwnerSurge(owner)
		}
		long = long || ownerLong
	}
	// A young token's minute scale is judged only on its owner's baseline;
	// a sparse one is judged on the hour scale alone.
	short := st.rateCount >= st.rateThreshold && st.flags&flagRateAlerted == 0 && (!young || byOwner)
	if !short && !long {
		return
	}
	if !d.applies(ev) { // a young token got here judged by its owner, or sparse
		return
	}
	f := newFinding(typeRateSurge, d, ev)
	f.hasEvidence, f.learned = true, true
	count, mean, threshold, window := st.rateCount, st.rateMean, st.rateThreshold, c.Bucket
	if short {
		st.flags |= flagRateAlerted
	}
	if long {
		st.flags |= flagRateLongAlerted
		if !short {
			// A sparse token's surge (10 × its few sessions: a scrape's
			// signature) and a young token's are no kind's (cohort_kind.go).
			f.hourScale = !sparse && !ownerLong
			count, mean, threshold, window = st.rateLongSum(), st.rateLongMean, st.rateLongThreshold, c.LongBucket
			switch { // a sparse surge is long before the owner's is judged
			case sparse:
				threshold = m.sparseThreshold(st)
			case ownerLong:
				threshold = m.ownerLongThreshold(owner)
			}
		}
	}
	f.observed, f.baseline, f.threshold, f.window = float64(count), float64(mean), float64(threshold), window
	switch {
	case ownerLong && !short:
		f.baseline = float64(owner.longPeak)
		f.body = ownerRateLongBody(ev, owner, count, threshold, c)
	case byOwner || ownerLong:
		f.baseline = float64(owner.peak)
		f.body = ownerRateBody(ev, owner, count, threshold, c)
	default:
		f.body = tokenTitle(ev.tokenID) + " made " + strconv.Itoa(int(count)) + " requests within " + window.String() +
			" against a baseline of " + strconv.FormatFloat(float64(mean), 'f', 2, 64) +
			" (threshold " + strconv.Itoa(int(threshold)) + ")."
	}
	m.raiseInCohort(f, st, &c.Cohort)
}

// A sparse token is one watched for long_learning_period but active in
// fewer than min_active_hours distinct hours: a dashboard session used on a
// few days, a plugin's key that calls a few times a week. Its few sessions
// are all the rate it shows, so its hour scale judges only a surge far
// beyond them: sparseRatio × its busiest hour window, and at least
// sparseFloor × long_min_requests. A weekly job's run twice the size of
// last week's stays under it; a scrape of a thousand calls an hour with a
// session token used for 25 does not (issue 13's third outside
// evaluation: 1,378 calls in an hour, and 300 from a key that made a few
// a week, went unjudged).
const (
	sparseRatio = 10
	sparseFloor = 4
)

// sparseSurge reports whether a token too sparse for min_active_hours, but
// old enough to have shown its habit, surges far beyond it on the hour
// scale (detectRateLong found the window over its usual threshold).
func (m *model) sparseSurge(st *tokenState, age int64) bool {
	c := &m.cfg.Detectors.RateSurge
	if age < c.LongLearningPeriod.Milliseconds() || age < c.LearningPeriod.Milliseconds() {
		return false
	}
	return st.rateLongSum() >= m.sparseThreshold(st)
}

// sparseThreshold is a sparse token's hour-scale bar (see sparseRatio).
func (m *model) sparseThreshold(st *tokenState) uint32 {
	c := &m.cfg.Detectors.RateSurge
	t := max(float64(st.rateLongThreshold), sparseRatio*float64(st.rateLongPeak), sparseFloor*float64(c.LongMinRequests))
	return uint32(min(math.Ceil(t), math.MaxUint32))
}

// rateStreakGap is how many empty buckets (minutes) a stretch of activity
// bridges: a sustained surge of a few calls a minute has short gaps, while
// separate builds or runs of a job are further apart.
const rateStreakGap = 2

// learnRatePeak closes the open bucket, followed by k empty buckets: its
// count joins the busiest bucket of the current stretch of activity, which
// becomes the peak when the stretch ends or has lasted a slot (a quarter of
// long_bucket; a steady token's activity never ends). Until then the peak
// only decays, so a surge never raises its own bar while it goes on: the
// first minute of a quiet token's 40 calls would make it bursty.
func (m *model) learnRatePeak(st *tokenState, k int) {
	st.ratePeakPending = uint16(min(max(uint32(st.ratePeakPending), st.rateCount), 0xffff))
	st.ratePeak = decayPeak(float64(st.ratePeak), 0, k, m.peakDecay)
	ended := k > rateStreakGap
	if ended {
		st.rateStreak = 1
	} else {
		st.rateStreak = min(st.rateStreak, 0xfe) + 1
	}
	if ended || int(st.rateStreak)%rateSlotBuckets(&m.cfg.Detectors.RateSurge) == 0 {
		st.ratePeak = max(st.ratePeak, float32(st.ratePeakPending))
		st.ratePeakPending = 0
	}
}

// rateBursty tells whether a token's busiest minute shows bursts: it
// reached the floor, or it is burst_peak_ratio times the token's mean. Such
// a token (a CI pipeline, a daily job, a user's flurries) is judged against
// its own bursts on the minute scale, and on the hour scale only when its
// activity is sustained.
func (m *model) rateBursty(mean, peak float64) bool {
	c := &m.cfg.Detectors.RateSurge
	return peak >= float64(c.MinRequests) || peak >= c.BurstPeakRatio*max(mean, c.MinBaseline)
}

// decayPeak folds a closed bucket's count and k empty buckets into a
// decayed maximum.
func decayPeak(peak, count float64, k int, decay float64) float32 {
	return float32(max(peak*math.Pow(decay, float64(k+1)), count))
}

// decayBuckets folds a closed bucket's count, then k empty buckets, into
// the decayed mean and variance. For k zeros with r = 1-α:
// mean_k = r^k·mean, var_k = r^k·(var + mean²·(1-r^k)).
func decayBuckets(count, mean, variance float64, k int, alpha float64) (float32, float32) {
	d := count - mean
	inc := alpha * d
	mean += inc
	variance = (1 - alpha) * (variance + d*inc)
	if k > 0 {
		rk := math.Pow(1-alpha, float64(k))
		variance = rk * (variance + mean*mean*(1-rk))
		mean *= rk
	}
	return float32(mean), float32(variance)
}

// rateThreshold is the count at which an open bucket alerts.
func (m *model) rateThreshold(mean, variance, peak float64) uint32 {
	c := &m.cfg.Detectors.RateSurge
	lambda := max(mean, c.MinBaseline)
	t := float64(c.MinRequests)
	t = max(t, math.Ceil(c.MinRatio*lambda))
	t = max(t, math.Ceil(mean+c.Tolerance*math.Sqrt(max(variance, 0))))
	ratio := c.PeakRatio
	if m.rateBursty(mean, peak) {
		// Bursts are the token's habit: it is judged against its own
		// bursts, which vary widely.
		ratio = max(ratio, c.BurstPeakRatio)
	}
	t = max(t, math.Ceil(ratio*peak))
	t = max(t, float64(poissonQuantile(lambda, c.PoissonP)))
	return uint32(min(t, math.MaxUint32))
}

// rateLongThreshold is the count at which the sliding long window alerts.
func (m *model) rateLongThreshold(mean, peak float64) uint32 {
	c := &m.cfg.Detectors.RateSurge
	lambda := max(mean, c.MinBaseline)
	t := float64(c.LongMinRequests)
	t = max(t, math.Ceil(c.MinRatio*lambda))
	t = max(t, math.Ceil(c.LongPeakRatio*peak))
	t = max(t, float64(poissonQuantile(lambda, c.PoissonP)))
	return uint32(min(t, math.MaxUint32))
}

// poissonQuantile is the smallest k with P(X >= k) <= p for X ~ Poisson(λ);
// above λ = 200 the normal approximation is close enough.
func poissonQuantile(lambda, p float64) int {
	if lambda <= 0 {
		return 1
	}
	if lambda > 200 {
		z := math.Sqrt2 * math.Erfcinv(2*p)
		return int(math.Ceil(lambda+z*math.Sqrt(lambda))) + 1
	}
	pmf := math.Exp(-lambda)
	cdf := 0.0
	for k := 0; ; k++ {
		// cdf is P(X <= k-1); the tail P(X >= k) is 1 - cdf.
		if 1-cdf <= p {
			return k
		}
		cdf += pmf
		pmf *= lambda / float64(k+1)
		if k > 10000 {
			return k
		}
	}
}

func rateSurgeSpec() detectorSpec {
	return detectorSpec{
		name:     "rate_surge",
		findings: []findingSeverity{{typeRateSurge, sevMedium}},
		field:    func(d *DetectorsConfig) detectorSettings { return &d.RateSurge },
		validate: func(s detectorSettings, v *validator) { s.(*RateSurgeConfig).validate(v) },
		compile: func(m *model, _ *detector, s detectorSettings) error {
			r := s.(*RateSurgeConfig)
			m.rateAlpha = 1 - math.Exp2(-float64(r.Bucket)/float64(r.HalfLife))
			m.rateLongAlpha = 1 - math.Exp2(-float64(r.LongBucket)/float64(r.PeakHalfLife))
			m.peakDecay = math.Exp2(-float64(r.Bucket) / float64(r.PeakHalfLife))
			m.peakLongDecay = math.Exp2(-float64(r.LongBucket) / float64(r.PeakHalfLife))
			return nil
		},
		stage:   stageToken,
		observe: func(m *model, _ *detector, ev *event, st *tokenState) { m.detectRate(ev, st) },
		slot:    func(c *compiledDetectors) *detector { return &c.rate },
	}
}

func (r *RateSurgeConfig) validate(v *validator) {
	v.positive("rate_surge.bucket", r.Bucket)
	v.positive("rate_surge.half_life", r.HalfLife)
	if r.HalfLife > 0 && r.HalfLife < r.Bucket {
		v.add("detectors.rate_surge.half_life: %s is shorter than bucket %s; make it several buckets long", r.HalfLife, r.Bucket)
	}
	if r.LearningPeriod < 0 {
		v.add("detectors.rate_surge.learning_period: must not be negative")
	}
	if r.MinRequests < 1 {
		v.add("detectors.rate_surge.min_requests: %d must be at least 1", r.MinRequests)
	}
	if r.MinBaseline < 0 || r.MinRatio < 1 || r.Tolerance <= 0 {
		v.add("detectors.rate_surge: min_baseline must be >= 0, min_ratio >= 1 and tolerance > 0")
	}
	v.positive("rate_surge.peak_half_life", r.PeakHalfLife)
	if r.LongBucket < rateSlots*r.Bucket {
		v.add("detectors.rate_surge.long_bucket: %s must be at least %d buckets of %s, it slides by a quarter (default 1h)", r.LongBucket, rateSlots, r.Bucket)
	}
	if r.LongMinBuckets < 1 || (r.Bucket > 0 && r.LongMinBuckets > int(r.LongBucket/r.Bucket)) {
		v.add("detectors.rate_surge.long_min_buckets: %d is outside 1..long_bucket/bucket (default 8)", r.LongMinBuckets)
	}
	if r.LongLearningPeriod < 0 {
		v.add("detectors.rate_surge.long_learning_period: must not be negative")
	}
	if r.MinActiveHours < 0 {
		v.add("detectors.rate_surge.min_active_hours: must not be negative")
	}
	if r.LongMinRequests < 1 {
		v.add("detectors.rate_surge.long_min_requests: %d must be at least 1", r.LongMinRequests)
	}
	if r.PeakRatio < 1 {
		v.add("detectors.rate_surge.peak_ratio: %g must be at least 1 (1 alerts on any new peak)", r.PeakRatio)
	}
	if r.BurstPeakRatio < 1 {
		v.add("detectors.rate_surge.burst_peak_ratio: %g must be at least 1 (default 8)", r.BurstPeakRatio)
	}
	if r.LongPeakRatio < 1 {
		v.add("detectors.rate_surge.long_peak_ratio: %g must be at least 1 (1 alerts on any new peak)", r.LongPeakRatio)
	}
	if r.PoissonP <= 0 || r.PoissonP >= 0.5 {
		v.add("detectors.rate_surge.poisson_p: %g is outside (0, 0.5)", r.PoissonP)
	}
	r.Cohort.validate("rate_surge", v)
}
