package main

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPacingSpreadsSenders: paced senders take turns, so requests reach
// the collector evenly spread at the rate asked, never several at once.
func TestPacingSpreadsSenders(t *testing.T) {
	began := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name           string
		rate           float64
		batch, workers int
		wantGap        time.Duration
	}{
		{"half capacity, 1000-span requests", 27_500, 1000, 4, time.Second * 1000 / 27_500},
		{"one sender", 10_000, 500, 1, 50 * time.Millisecond},
		{"three senders", 6_000, 1000, 3, time.Second / 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sends []time.Time
			for w := range tc.workers {
				p := newPacing(began, tc.rate, tc.batch, tc.workers, w)
				for k := range 20 {
					sends = append(sends, p.at(k))
				}
			}
			slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
			assert.Equal(t, began, sends[0])
			for i := 1; i < len(sends); i++ {
				assert.InDelta(t, tc.wantGap, sends[i].Sub(sends[i-1]), float64(time.Microsecond), "request %d", i)
			}
			span := sends[len(sends)-1].Sub(sends[0]) + tc.wantGap
			assert.InDelta(t, tc.rate, float64(len(sends)*tc.batch)/span.Seconds(), tc.rate*1e-6)
		})
	}
}

func TestPacingUnpaced(t *testing.T) {
	began := time.Unix(1_700_000_000, 0)
	p := newPacing(began, 0, 1000, 4, 3)
	assert.Equal(t, began, p.at(0))
	assert.Equal(t, began, p.at(100))
}
