package tokenanomalyconnector

import (
	"math"
	"strconv"
)

// detectRate is rate_surge. Each token counts requests per bucket of
// event time; a closed bucket updates an exponentially decayed mean and
// variance (Finch 2009), empty buckets included in closed form. The open
// bucket alerts once when its count reaches a threshold fixed when it
// opened: the largest of min_requests, min_ratio × baseline, mean +
// tolerance × deviation, and the Poisson upper quantile at poisson_p —
// the test that matters for low-rate tokens, whose variance says little.
func (m *model) detectRate(ev *event, st *tokenState) {
	d := &m.det.rate
	if !d.enabled {
		return
	}
	c := &m.cfg.Detectors.RateSurge
	b := uint32(ev.at / c.Bucket.Milliseconds())
	switch {
	case st.flags&flagRateLearned == 0:
		st.rateBucket = b
		st.flags |= flagRateLearned
		st.rateThreshold = m.rateThreshold(0, 0)
	case b > st.rateBucket:
		if st.flags&flagRateBaseline == 0 {
			// The first closed bucket seeds the baseline (Poisson: the
			// variance equals the mean) instead of dragging it up from 0.
			st.flags |= flagRateBaseline
			st.rateMean, st.rateVar = float32(st.rateCount), float32(st.rateCount)
		}
		st.rateMean, st.rateVar = decayBuckets(float64(st.rateCount), float64(st.rateMean), float64(st.rateVar),
			int(b-st.rateBucket-1), m.rateAlpha)
		st.rateBucket, st.rateCount = b, 0
		st.flags &^= flagRateAlerted
		st.rateThreshold = m.rateThreshold(float64(st.rateMean), float64(st.rateVar))
	}
	// A late item within the allowed lateness counts in the open bucket.
	st.rateCount++
	if st.rateCount < st.rateThreshold || st.flags&flagRateAlerted != 0 {
		return
	}
	if ev.at-int64(st.firstSeen)*1000 < c.LearningPeriod.Milliseconds() || !d.applies(ev) {
		return
	}
	st.flags |= flagRateAlerted
	f := newFinding(typeRateSurge, d, ev)
	f.hasEvidence, f.learned = true, true
	f.observed, f.baseline, f.threshold, f.window = float64(st.rateCount), float64(st.rateMean), float64(st.rateThreshold), c.Bucket
	f.body = tokenTitle(ev.tokenID) + " made " + strconv.Itoa(int(st.rateCount)) + " requests within " + c.Bucket.String() +
		" against a baseline of " + strconv.FormatFloat(float64(st.rateMean), 'f', 2, 64) +
		" (threshold " + strconv.Itoa(int(st.rateThreshold)) + ")."
	m.raise(f, st)
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
func (m *model) rateThreshold(mean, variance float64) uint32 {
	c := &m.cfg.Detectors.RateSurge
	lambda := max(mean, c.MinBaseline)
	t := float64(c.MinRequests)
	t = max(t, math.Ceil(c.MinRatio*lambda))
	t = max(t, math.Ceil(mean+c.Tolerance*math.Sqrt(max(variance, 0))))
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
