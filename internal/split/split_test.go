package split

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRunCoversEachItemOnce: the parts are contiguous, in order, and
// together cover [0, n) once, whatever n and the number of parts.
func TestRunCoversEachItemOnce(t *testing.T) {
	for _, tc := range []struct{ n, parts int }{{0, 1}, {1, 1}, {7, 1}, {7, 2}, {1000, 2}, {1001, 3}, {5, 5}} {
		var mu sync.Mutex
		seen := make([]int, tc.n)
		ranges := make([][2]int, tc.parts)
		Run(tc.n, tc.parts, func(part, from, to int) {
			mu.Lock()
			defer mu.Unlock()
			ranges[part] = [2]int{from, to}
			for i := from; i < to; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			assert.Equal(t, 1, c, "n %d, %d parts: item %d", tc.n, tc.parts, i)
		}
		for p := 1; p < tc.parts; p++ {
			assert.Equal(t, ranges[p-1][1], ranges[p][0], "n %d, %d parts: part %d starts where %d ends", tc.n, tc.parts, p, p-1)
		}
	}
}

func TestParts(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, tc := range []struct{ n, min, want int }{
		{0, 200, 1},
		{199, 200, 1},
		{400, 200, min(procs, 2)},
		{1 << 20, 200, procs},
	} {
		assert.Equal(t, tc.want, Parts(tc.n, tc.min), "n %d, min %d", tc.n, tc.min)
	}
}
