package report

import "time"

// bucketWidths are the histogram widths, each a multiple of the one before,
// so that buckets counted at one width merge exactly into the next. Bucket
// i covers [i×width, (i+1)×width) from the Unix epoch.
var bucketWidths = []int64{ // ms
	60e3, 5 * 60e3, 15 * 60e3, 3600e3, 6 * 3600e3, 86400e3, 7 * 86400e3,
	28 * 86400e3, 84 * 86400e3, 336 * 86400e3, 1344 * 86400e3,
}

// clock is the report's shared time axis: the narrowest width at which
// the records seen so far fit in maxBuckets.
type clock struct {
	level      int
	maxBuckets int64
	lo, hi     int64 // bucket range at the current width
	any        bool
}

func (c *clock) width() int64 { return bucketWidths[c.level] }

// observe widens the axis for a record at t (ms).
func (c *clock) observe(t int64) {
	i := floorDiv(t, c.width())
	if !c.any {
		c.lo, c.hi, c.any = i, i, true
		return
	}
	c.lo, c.hi = min(c.lo, i), max(c.hi, i)
	for c.hi-c.lo+1 > c.maxBuckets && c.level < len(bucketWidths)-1 {
		r := bucketWidths[c.level+1] / bucketWidths[c.level]
		c.level++
		c.lo, c.hi = floorDiv(c.lo, r), floorDiv(c.hi, r)
	}
}

// series counts events per bucket of the clock; it rebins itself lazily
// when the clock has widened since its last use.
type series struct {
	level int
	m     map[int64]int64
}

func (s *series) add(c *clock, t int64, n int64) {
	s.sync(c)
	if s.m == nil {
		s.m = map[int64]int64{}
	}
	s.m[floorDiv(t, c.width())] += n
}

func (s *series) sync(c *clock) {
	if s.level == c.level {
		return
	}
	r := c.width() / bucketWidths[s.level]
	old := s.m
	s.m = make(map[int64]int64, len(old))
	for i, n := range old {
		s.m[floorDiv(i, r)] += n
	}
	s.level = c.level
}

// values lays the series out on the clock's range.
func (s *series) values(c *clock) []int64 {
	if !c.any {
		return nil
	}
	s.sync(c)
	out := make([]int64, c.hi-c.lo+1)
	for i, n := range s.m {
		if i >= c.lo && i <= c.hi {
			out[i-c.lo] += n
		}
	}
	return out
}

// Timeline is the report's time axis.
type Timeline struct {
	Start         time.Time `json:"start"`
	BucketSeconds int64     `json:"bucket_seconds"`
	Buckets       int       `json:"buckets"`
}

func (c *clock) timeline() Timeline {
	if !c.any {
		return Timeline{}
	}
	return Timeline{
		Start:         time.UnixMilli(c.lo * c.width()).UTC(),
		BucketSeconds: c.width() / 1000,
		Buckets:       int(c.hi - c.lo + 1),
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
