package tokenanomalyconnector

// hourProfile is an hour-of-week profile: 168 counters of 4 bits, halved
// together (rounding up) when one saturates: weights fade, but an hour
// once used stays used.
type hourProfile [hourSlots / 2]uint8

func (h *hourProfile) count(slot int) uint8 {
	b := h[slot/2]
	if slot%2 == 0 {
		return b & 0x0f
	}
	return b >> 4
}

// add counts one request in slot and in total; when the slot is full every
// slot is halved, rounding up so that no used slot becomes unused (a burst
// in one hour must not erase the rest of the profile).
func (h *hourProfile) add(slot int, total *uint16) {
	if h.count(slot) == 15 {
		var sum uint16
		for i := range h {
			lo, hi := (h[i]&0x0f+1)/2, (h[i]>>4+1)/2
			h[i] = lo | hi<<4
			sum += uint16(lo + hi)
		}
		*total = sum
	}
	if slot%2 == 0 {
		h[slot/2]++
	} else {
		h[slot/2] += 0x10
	}
	if *total < 0xffff {
		*total++
	}
}

// offMargin is how many hours around a used hour of the day count as
// usual: people stretch their day by an early start or an evening check;
// the night lies further out.
const offMargin = 3

// off reports whether slot is off the profile: on no day of the week was
// the same hour of the day, or one within offMargin hours of it, ever
// used. Use on a weekend at usual weekday hours is therefore not off — a
// policy schedule flags that; a day that a quiet week happened to miss is
// not either.
func (h *hourProfile) off(slot int) bool {
	hour := slot % 24
	for d := range 7 {
		for o := -offMargin; o <= offMargin; o++ {
			if h.count((d*24+hour+o+hourSlots)%hourSlots) != 0 {
				return false
			}
		}
	}
	return true
}

// principalHours is the hour-of-week profile of one principal (a token's
// owner), learned from all its tokens: a token too young to be judged on
// its own hours — a user's re-issued or new token — is judged on its
// owner's. Times are unix seconds of event time.
type principalHours struct {
	firstSeen, lastSeen uint32
	total               uint16
	hours               hourProfile
}

// principalAge orders principals for eviction: the least recently seen goes first.
func principalAge(p *principalHours) int64 { return int64(p.lastSeen) }
