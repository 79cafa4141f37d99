package tokenanomalyconnector

import "net/netip"

// tokenState is the hot state of one tracked token. Times are unix
// seconds of event time (uint32 lasts until 2106). BenchmarkBytesPerToken
// checks its size against hotStateBudget.
type tokenState struct {
	extra *tokenExtra // allocated only for tokens that fail, roam or draw findings

	firstSeen uint32
	lastSeen  uint32

	// rate_surge: the open bucket and the decayed mean and variance of
	// closed buckets' counts; threshold is fixed when the bucket opens.
	rateBucket    uint32
	rateCount     uint32
	rateMean      float32
	rateVar       float32
	rateThreshold uint32

	// multi_address fast path: the last network (16-byte form) and when
	// it was seen.
	lastNet     [16]byte
	lastNetSeen uint32

	// unused_scopes: interned scope bits granted and used since scopeStart.
	granted    uint64
	used       uint64
	scopeStart uint32

	flags      uint16
	hoursTotal uint16
	// off_hours: 168 hour-of-week counters of 4 bits, halved together
	// (rounding up) when one saturates: weights fade, but an hour once
	// used stays used.
	hours [hourSlots / 2]uint8
}

// hotStateBudget is the most bytes of hot state a tracked token may use.
const hotStateBudget = 256

const hourSlots = 168

// tokenState.flags
const (
	flagExpiringAlerted uint16 = 1 << iota
	flagLifetimeAlerted
	flagRateAlerted  // in the open bucket
	flagRateLearned  // the rate bucket has been opened
	flagHoursReady   // the hour-of-week profile has min_samples requests
	flagRateBaseline // the rate baseline has been seeded
)

// tokenExtra holds the rarer per-token state.
type tokenExtra struct {
	failures []int64   // failed_attempts: the most recent failure times (unix ms), sorted
	nets     []netSeen // multi_address: distinct networks in the window
	weak     []weakHit // escalation: recent weak findings
}

type netSeen struct {
	net netip.Prefix
	at  int64 // unix ms
}

type weakHit struct {
	typ string
	id  string
	sev severity
	at  int64 // unix ms
}

func (s *tokenState) ext() *tokenExtra {
	if s.extra == nil {
		s.extra = &tokenExtra{}
	}
	return s.extra
}

// tokenAge orders tokens for eviction: the least recently seen goes first.
func tokenAge(s *tokenState) int64 { return int64(s.lastSeen) }

func (s *tokenState) hourCount(slot int) uint8 {
	b := s.hours[slot/2]
	if slot%2 == 0 {
		return b & 0x0f
	}
	return b >> 4
}

// addHour counts one request in slot; when the slot is full every slot is
// halved, rounding up so that no used slot becomes unused (a burst in one
// hour must not erase the rest of the profile).
func (s *tokenState) addHour(slot int) {
	if s.hourCount(slot) == 15 {
		var total uint16
		for i := range s.hours {
			lo, hi := (s.hours[i]&0x0f+1)/2, (s.hours[i]>>4+1)/2
			s.hours[i] = lo | hi<<4
			total += uint16(lo + hi)
		}
		s.hoursTotal = total
	}
	if slot%2 == 0 {
		s.hours[slot/2]++
	} else {
		s.hours[slot/2] += 0x10
	}
	if s.hoursTotal < 0xffff {
		s.hoursTotal++
	}
}
