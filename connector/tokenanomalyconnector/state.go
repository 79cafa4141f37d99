package tokenanomalyconnector

import (
	"net/netip"
	"time"
	"unsafe"
)

// tokenState is the hot state of one tracked token. Times are unix
// seconds of event time (uint32 lasts until 2106). BenchmarkBytesPerToken
// checks its size against hotStateBudget.
//
// The fields are ordered so that no padding is wasted: at hotStateBudget,
// a new field has to find its place among those of its size.
type tokenState struct {
	// extra is 1 + the index of the rarer state in the model's extras, or
	// 0 for none: a pointer here would have the garbage collector scan
	// every tracked token at each cycle.
	extra int32

	firstSeen uint32
	lastSeen  uint32

	// rate_surge: the open bucket and the decayed mean and variance of
	// closed buckets' counts; threshold is fixed when the bucket opens.
	rateBucket    uint32
	rateCount     uint32
	rateMean      float32
	rateVar       float32
	rateThreshold uint32

	// rate_surge over a long window (an hour) sliding by quarters, where a
	// low-rate token's surge shows: the open slot, each slot's requests
	// and distinct active buckets, the last whole window waiting to be
	// learned, and the decayed peaks of both scales: a count is judged
	// against the token's own busiest buckets.
	rateLongBucket  uint32
	rateLongCounts  [rateSlots]uint16
	rateLongBuckets [rateSlots]uint8
	// The busiest sliding count of the open aligned window and of the one
	// before it, learned as the peak once no longer overlapping.
	rateLongMax, rateLongPeakPending uint16
	rateLongMean                     float32
	rateLongPeak                     float32
	rateLongThreshold                uint32
	ratePeak                         float32
	// rateStreak counts the active buckets of the token's current stretch
	// of activity (gaps of up to rateStreakGap empty buckets bridged): how
	// long its activity is sustained. ratePeakPending is the busiest bucket
	// of the stretch, learned as ratePeak when the stretch ends.
	ratePeakPending uint16
	rateStreak      uint8
	// multi_address: see multiCurAt.
	multiPeak uint8

	// denied_access: refusals in the open window bucket and their decayed
	// mean per window, the token's own refusal baseline; requests in the
	// open and the previous bucket, the volume a refusal count is judged on.
	deniedBucket               uint32
	deniedMean                 float32
	deniedCount                uint16
	deniedReqs, deniedPrevReqs uint16
	activeHours                uint16 // see addrNovelAt

	// multi_address: the most networks the token used within one window
	// (its usual spread), learned when the window that showed it is over
	// (so the networks of an attack that add up one by one do not raise
	// the bar as they come): multiCur is the most within the window that
	// began at multiCurAt.
	multiCurAt uint32

	// new_client_address and new_resource: when the token was last new on
	// a value, how many values it was new on, and its active hours
	// (saturating): a token still discovering its values is learned, not
	// judged.
	addrNovelAt, resNovelAt uint32
	// addrNewAt is when the token was last on a network (ipv4_prefix or
	// ipv6_prefix) new to it, near or far: a cohort shares only the
	// findings of a token on its own ground (cohort.go). A state of
	// version 6 loads it as the token's last use (persist.go).
	addrNewAt           uint32
	multiCur            uint8
	addrNovel, resNovel uint8
	// new_resource: the token's requests since it was last new on a
	// resource (saturating), the evidence that it has settled.
	resQuiet uint16

	// multi_address fast path: the last network (16-byte form) and when
	// it was seen.
	lastNet     [16]byte
	flags       uint16
	lastNetSeen uint32

	// new_client_address and new_resource: the last pair of each, so a
	// repeat skips the first-seen filters.
	addrMemo, resMemo pairMemo

	// unused_scopes: interned scope bits granted and used since scopeStart.
	scopeStart uint32
	granted    uint64
	used       uint64

	hoursTotal uint16
	// off_hours: the token's hour-of-week profile (hourProfile).
	hours hourProfile
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
	flagRateLongAlerted
	flagRateLongLearned
	flagDeniedLearned
	flagRateLongSeeded
	flagRateLongWindow // rateLongPeakPending holds a whole window's
	flagHoursBursty    // a slot of the hour-of-week profile filled up and halved
	flagSucceeded      // a request with the token succeeded (credential_stuffing's slow count)
	flagYoungJudged    // new_client_address judged the token before it settled (newProvider, ownerLeft): once
	flagOwnerNets      // every network the token used was its owner's before (onOwnGround's young token)
	flagMultiAlerted   // multi_address alerted on the token: its spread teaches its owner nothing
)

// tokenExtra holds the rarer per-token state.
type tokenExtra struct {
	failures []int64           // failed_attempts: the most recent failure times (unix ms), sorted
	denials  []int64           // denied_access: the most recent refusal times (unix ms), sorted
	nets     []netSeen         // multi_address: distinct networks in the window
	offHours []int64           // off_hours: the most recent requests off the profile (unix ms), sorted
	weak     []weakHit         // escalation: recent weak findings
	newRes   []pendingResource // new_resource: first calls waiting for min_requests

	multiPending uint8      // multi_address: the last closed window's spread, learned one window late
	stale        staleCount // expired_token: refusals forgiven as its client's last calls (staleRefusal)
	failRun      uint16     // failed_attempts: failures in a row since failRunAt
	failRunAt    int64      // unix ms of the run's first failure
	// new_client_address: the network it last judged news for the token,
	// and when (unix ms): new_resource judges the first calls made from
	// it within its window (onJudgedNetwork).
	addrJudgedNet uint64
	addrJudgedAt  int64
}

// pendingResource is a judged first call of a resource, waiting for the
// token's next calls of it within new_resource's window.
type pendingResource struct {
	pair  uint64 // the (token, resource) pair's hash
	first int64  // unix ms
	calls uint16
	// byOwner: judged by its owner's resources (novelty_owner.go).
	byOwner bool
}

type netSeen struct {
	net       netip.Prefix
	at        int64 // unix ms
	explained bool  // the population uses its coarse network: counted by its provider (spread)
	as        uint32
}

type weakHit struct {
	typ string
	id  string
	sev severity
	at  int64 // unix ms
}

// extras holds the rarer per-token state out of line, allocated only for
// tokens that fail, roam or draw findings, and freed when they are evicted.
type extras struct {
	items []*tokenExtra
	free  []int32
}

// of returns st's rarer state, or nil.
func (x *extras) of(st *tokenState) *tokenExtra {
	if st.extra == 0 {
		return nil
	}
	return x.items[st.extra-1]
}

// get returns st's rarer state, allocating it on first use.
func (x *extras) get(st *tokenState) *tokenExtra {
	if st.extra != 0 {
		return x.items[st.extra-1]
	}
	e := &tokenExtra{}
	if n := len(x.free); n > 0 {
		i := x.free[n-1]
		x.free = x.free[:n-1]
		x.items[i] = e
		st.extra = i + 1
		return e
	}
	x.items = append(x.items, e)
	st.extra = int32(len(x.items))
	return e
}

// release frees the rarer state of an evicted token.
func (x *extras) release(st *tokenState) {
	if st.extra == 0 {
		return
	}
	x.items[st.extra-1] = nil
	x.free = append(x.free, st.extra-1)
	st.extra = 0
}

// touch reads a byte from each cache line of the state, so that a run of
// lookups brings them in together (see model.warm). It reads by offset, so
// that no line is missed when the fields move: one missed line was a cache
// miss per item on the first write to it.
func (s *tokenState) touch() uint32 {
	b := (*[unsafe.Sizeof(tokenState{})]byte)(unsafe.Pointer(s))
	var sum uint32
	for off := 0; off < len(b); off += cacheLine {
		sum += uint32(b[off])
	}
	return sum + uint32(b[len(b)-1]) // the last line, whatever the size
}

// cacheLine is the CPU's cache line size on amd64 and arm64.
const cacheLine = 64

// tokenAge orders tokens for eviction: the least recently seen goes first.
func tokenAge(s *tokenState) int64 { return int64(s.lastSeen) }

// addHour counts a request in the token's profile; a full slot marks the
// token bursty (see steadyProfile).
func (s *tokenState) addHour(slot int) {
	if s.hours.add(slot, &s.hoursTotal) {
		s.flags |= flagHoursBursty
	}
}

// inNewHour reports whether at (unix ms) falls in a later hour than the
// token's last request: its first request of that hour. Ask before
// ingestStateful moves lastSeen; a token just created has lastSeen at at.
func (s *tokenState) inNewHour(at int64) bool {
	return at/time.Hour.Milliseconds() > int64(s.lastSeen)/3600
}
