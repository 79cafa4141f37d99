package tokenanomalyconnector

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTableMatchesMap drives the table with random puts (evicting once
// full) and checks every answer against a plain map, so that the
// open-addressing index, its growth and its backward-shift removal keep
// every key reachable and no evicted key findable.
func TestTableMatchesMap(t *testing.T) {
	tests := []struct {
		name     string
		max      int
		keySpace uint64
		ops      int
	}{
		{"grows without evicting", 5000, 1 << 62, 5000},
		{"evicts under churn", 300, 2000, 50_000},
		{"clustered small keys", 700, 1500, 50_000},
		{"one entry", 1, 10, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.max)))
			clock := int64(0)
			tb := newTable(tc.max, func(v *int64) int64 { return *v })
			want := map[uint64]int64{}
			for range tc.ops {
				key := r.Uint64N(tc.keySpace)
				clock++
				v, created, evicted, was := tb.put(key)
				_, present := want[key]
				require.Equal(t, !present, created, "key %d", key)
				if was {
					var gone uint64
					found := false
					for k, at := range want {
						if at == evicted {
							gone, found = k, true
						}
					}
					require.True(t, found, "evicted an entry the map does not hold")
					delete(want, gone)
					require.Nil(t, tb.get(gone), "evicted key %d still found", gone)
				}
				*v = clock
				want[key] = clock
				require.Equal(t, len(want), tb.len())
				require.LessOrEqual(t, tb.len(), tc.max)
			}
			for k, at := range want {
				v := tb.get(k)
				require.NotNil(t, v, "key %d lost", k)
				require.Equal(t, at, *v)
			}
			n := 0
			tb.each(func(k uint64, v *int64) bool { n++; require.Equal(t, want[k], *v); return true })
			require.Equal(t, len(want), n)
		})
	}
}
