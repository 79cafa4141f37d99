package tokenanomalyconnector

// rateSlots is how many slots the long window slides by: a window of
// long_bucket is the open slot and the three before it.
const rateSlots = 4

// detectRateLong is rate_surge's long scale: a window of long_bucket (an
// hour) that slides by a quarter of it, so a surge of up to three quarters
// of the window is counted whole whatever the clock says (hour buckets cut
// a 40-minute surge at the hour into two halves that each stayed under the
// floor). The peak learns the sliding counts one window late, once the
// sliding window no longer overlaps them, so a surge never raises its own
// bar while it goes on. The sliding window alerts once when its count reaches the threshold and its
// requests fell in at least long_min_buckets distinct buckets (minutes):
// a surge is sustained, while a burst of a few minutes (a CI build, a
// batch run) is the minute scale's to judge. A token is judged on this
// scale once it was watched for long_learning_period (a day: one diurnal
// cycle). newBucket tells that the item opened a new minute bucket.
func (m *model) detectRateLong(ev *event, st *tokenState, newBucket bool) bool {
	c := &m.cfg.Detectors.RateSurge
	slot := uint32(ev.at / (c.LongBucket.Milliseconds() / rateSlots))
	if st.flags&flagRateLongLearned == 0 {
		st.rateLongBucket = slot
		st.flags |= flagRateLongLearned
		st.rateLongThreshold = m.rateLongThreshold(0, 0)
	} else if slot > st.rateLongBucket {
		m.slideRateLong(st, slot)
	}
	i := st.rateLongBucket % rateSlots
	st.rateLongCounts[i] = min(st.rateLongCounts[i]+1, 0xffff)
	if newBucket {
		st.rateLongBuckets[i] = min(st.rateLongBuckets[i]+1, 0xff)
	}
	age := ev.at - int64(st.firstSeen)*1000
	return st.flags&flagRateLongAlerted == 0 && st.rateLongSum() >= st.rateLongThreshold &&
		m.rateSustained(st) && age >= c.LongLearningPeriod.Milliseconds()
}

// rateSustained tells whether the long window's requests are a sustained
// surge rather than bursts: spread over long_min_buckets distinct buckets
// (minutes), and, for a token whose habit is bursts, in one stretch of
// activity of at least a slot's buckets (a quarter of long_bucket, the
// shortest surge this scale is for). Separate builds of a pipeline add up
// to many minutes within an hour, and nightly builds that start together
// overlap, but they end within minutes.
func (m *model) rateSustained(st *tokenState) bool {
	c := &m.cfg.Detectors.RateSurge
	if st.rateLongActive() < c.LongMinBuckets {
		return false
	}
	if !m.rateBursty(float64(st.rateMean), float64(st.ratePeak)) {
		return true
	}
	return int(st.rateStreak) >= max(c.LongMinBuckets, rateSlotBuckets(c))
}

// rateSlotBuckets is how many buckets a slot of the long window spans
// (validation keeps it at least one).
func rateSlotBuckets(c *RateSurgeConfig) int {
	return int(c.LongBucket / rateSlots / c.Bucket)
}

// slideRateLong closes slots up to slot. Each closed slot samples the
// sliding window's count; the busiest sample of each aligned window
// becomes the peak one window late, when no sample of it overlaps the
// sliding window any more. The baseline learns each aligned window's
// count at once: it moves too slowly for a surge to lift it. Once the
// ring and the waiting peak are empty, the remaining windows fold as
// empty in closed form.
func (m *model) slideRateLong(st *tokenState, slot uint32) {
	for st.rateLongBucket < slot {
		sum := st.rateLongSum()
		if sum < st.rateLongThreshold {
			st.flags &^= flagRateLongAlerted // the surge is over: the next one alerts
		}
		st.rateLongMax = max(st.rateLongMax, uint16(min(sum, 0xffff)))
		st.rateLongBucket++
		if st.rateLongBucket%rateSlots == 0 {
			if st.flags&flagRateLongWindow != 0 {
				m.learnRateLong(st, float64(sum), float64(st.rateLongPeakPending), 0)
			}
			st.flags |= flagRateLongWindow // the first window, a token's first minutes, is partial
			st.rateLongPeakPending, st.rateLongMax = st.rateLongMax, 0
		}
		i := st.rateLongBucket % rateSlots
		st.rateLongCounts[i], st.rateLongBuckets[i] = 0, 0
		if st.rateLongSum() == 0 && st.rateLongMax == 0 && st.rateLongPeakPending == 0 {
			if empty := int(slot/rateSlots - st.rateLongBucket/rateSlots); empty > 0 && st.flags&flagRateLongWindow != 0 {
				m.learnRateLong(st, 0, 0, empty-1)
			}
			st.rateLongBucket = slot
		}
	}
	st.rateLongThreshold = m.rateLongThreshold(float64(st.rateLongMean), float64(st.rateLongPeak))
}

// learnRateLong folds a whole window's count and a busiest sliding
// count, then k empty windows, into the long baseline and peak; the first
// window seeds the baseline.
func (m *model) learnRateLong(st *tokenState, count, busiest float64, k int) {
	if st.flags&flagRateLongSeeded == 0 {
		st.flags |= flagRateLongSeeded
		st.rateLongMean = float32(count)
	}
	st.rateLongPeak = decayPeak(float64(st.rateLongPeak), busiest, k, m.peakLongDecay)
	st.rateLongMean, _ = decayBuckets(count, float64(st.rateLongMean), 0, k, m.rateLongAlpha)
}

// rateLongSum is the long window's request count.
func (st *tokenState) rateLongSum() uint32 {
	var n uint32
	for _, v := range st.rateLongCounts {
		n += uint32(v)
	}
	return n
}

// rateLongActive is how many distinct buckets (minutes) of the long
// window had requests.
func (st *tokenState) rateLongActive() int {
	n := 0
	for _, v := range st.rateLongBuckets {
		n += int(v)
	}
	return n
}
