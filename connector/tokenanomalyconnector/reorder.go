package tokenanomalyconnector

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// reorder holds the items of the last allowed_lateness of event time, so
// that the stateful detectors see them in event-time order whatever the
// shape of the requests that carried them (one request may hold several
// services' items spanning minutes). An item leaves when the watermark
// has passed it by allowed_lateness, when it has waited allowed_lateness
// of wall-clock time (traffic stopped), or when the buffer is full (the
// oldest leaves early, counted as an eviction of table "reorder").
type reorder struct {
	items   []event   // held events; strings cloned out of the batch
	free    []int32   // free positions in items
	heap    []heldRef // min-heap of the held items by (at, key, seq)
	seq     uint64
	arrived []arrival // one per consume call that held items, oldest first
	max     int
	// slab holds the held items' free-form strings, many items per
	// allocation: bytes once written are never changed, and a slab lives
	// as long as a string points into it.
	slab strings.Builder
}

// slabBytes is the size of a string slab: about 180 items of 90 bytes.
const slabBytes = 16 << 10

// heldRef orders one held item; key breaks ties between tokens so that the
// order does not depend on the request shape.
type heldRef struct {
	at  int64
	key uint64
	seq uint64
	pos int32
}

// arrival is when (wall clock) a consume call held items, and the newest
// event time among them.
type arrival struct {
	wall   time.Time
	newest int64
}

// tableReorder names reorder-buffer overflows in the evictions metric.
const tableReorder = "reorder"

// arrivalGrain merges the arrivals of consume calls this close together.
const arrivalGrain = 100 * time.Millisecond

func newReorder(maxItems int) *reorder { return &reorder{max: maxItems} }

func (r *reorder) len() int { return len(r.heap) }

func (r *reorder) less(i, j int) bool {
	a, b := &r.heap[i], &r.heap[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.seq < b.seq
}

// hold copies ev into the buffer, detached from the batch it points into.
func (r *reorder) hold(ev *event, now time.Time) {
	var pos int32
	if n := len(r.free); n > 0 {
		pos = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		pos = int32(len(r.items))
		r.items = append(r.items, event{})
	}
	dst := &r.items[pos]
	*dst = *ev
	r.detach(dst)
	r.seq++
	r.heap = append(r.heap, heldRef{at: ev.at, key: ev.key, seq: r.seq, pos: pos})
	r.up(len(r.heap) - 1)
	if n := len(r.arrived); n > 0 && now.Sub(r.arrived[n-1].wall) < arrivalGrain {
		r.arrived[n-1].newest = max(r.arrived[n-1].newest, ev.at)
	} else {
		r.arrived = append(r.arrived, arrival{wall: now, newest: ev.at})
	}
}

// peek returns the oldest held item's event time; ok is false when empty.
func (r *reorder) peek() (int64, bool) {
	if len(r.heap) == 0 {
		return 0, false
	}
	return r.heap[0].at, true
}

// pop takes out the oldest held item; the event stays valid until the
// next hold.
func (r *reorder) pop() *event {
	top := r.heap[0]
	last := len(r.heap) - 1
	r.heap[0] = r.heap[last]
	r.heap = r.heap[:last]
	if last > 0 {
		r.down(0)
	}
	r.free = append(r.free, top.pos)
	return &r.items[top.pos]
}

// expired is the event time before which every item has waited its
// allowed lateness of wall-clock time (0 when none has).
func (r *reorder) expired(now time.Time, wait time.Duration) int64 {
	var cutoff int64
	i := 0
	for ; i < len(r.arrived) && now.Sub(r.arrived[i].wall) >= wait; i++ {
		cutoff = max(cutoff, r.arrived[i].newest+1)
	}
	r.arrived = r.arrived[i:]
	if len(r.heap) == 0 {
		r.arrived = r.arrived[:0]
	}
	return cutoff
}

func (r *reorder) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !r.less(i, p) {
			return
		}
		r.heap[i], r.heap[p] = r.heap[p], r.heap[i]
		i = p
	}
}

func (r *reorder) down(i int) {
	n := len(r.heap)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && r.less(c+1, c) {
			c++
		}
		if !r.less(c, i) {
			return
		}
		r.heap[i], r.heap[c] = r.heap[c], r.heap[i]
		i = c
	}
}

// detach makes a held event independent of its batch: what the stateful
// detectors need of the slices was computed by prepare, and the strings
// are copied (those of small vocabularies are interned).
func (r *reorder) detach(e *event) {
	e.scopes, e.violations = pcommon.Slice{}, pcommon.Slice{}
	e.hasScopes, e.hasViolations = false, false
	e.exposedIDs, e.exposedIn, e.hasExposedIDs, e.hasExposedIn = pcommon.Slice{}, pcommon.Slice{}, false, false
	e.jti, e.status, e.action, e.source, e.hint = "", "", "", "", ""
	e.tokenType = intern(e.tokenType, auditattr.TypeJWT, auditattr.TypeBearer, auditattr.TypeAPIKey, auditattr.TypeBasic, auditattr.TypeAWSAccessKey)
	e.principalType = intern(e.principalType, auditattr.PrincipalUser, auditattr.PrincipalService, auditattr.PrincipalUnknown)
	e.outcome = intern(e.outcome, auditattr.OutcomeSuccess, auditattr.OutcomeFailure, auditattr.OutcomeDenied, auditattr.OutcomeError)
	// The free-form strings go to the slab: appending never moves what
	// an earlier String returned, and a full slab is left to the items
	// that point into it.
	need := len(e.tokenID) + len(e.principal) + len(e.resource) + len(e.client) + len(e.verifiedIssuer)
	b := &r.slab
	if b.Cap()-b.Len() < need {
		*b = strings.Builder{}
		b.Grow(max(slabBytes, need))
	}
	i := b.Len()
	b.WriteString(e.tokenID)
	b.WriteString(e.principal)
	b.WriteString(e.resource)
	b.WriteString(e.client)
	b.WriteString(e.verifiedIssuer)
	s := b.String()
	cut := func(n int) string { v := s[i : i+n]; i += n; return v }
	e.tokenID = cut(len(e.tokenID))
	e.principal = cut(len(e.principal))
	e.resource = cut(len(e.resource))
	e.client = cut(len(e.client))
	e.verifiedIssuer = cut(len(e.verifiedIssuer))
}

// forget drops a released event's strings: a free position that kept
// them would keep their whole slab alive.
func forget(e *event) {
	e.tokenID, e.principal, e.resource, e.client, e.verifiedIssuer = "", "", "", "", ""
}

// intern returns the known constant equal to s, or a copy of s.
func intern(s string, known ...string) string {
	for _, k := range known {
		if s == k {
			return k
		}
	}
	return strings.Clone(s)
}
