// Package split runs the work of one large request on every core: items
// [0, n) in contiguous parts, one per core at most, each part large enough
// to be worth a goroutine.
package split // import "github.com/tokenaudit/tokenaudit/internal/split"

import (
	"runtime"
	"sync"
)

// Parts is how many parts n items split into: at most one per core
// (GOMAXPROCS), each of at least minPerPart items; 1 when n is small.
func Parts(n, minPerPart int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/minPerPart))
}

// Run calls fn for each of parts contiguous ranges [from, to) of n items,
// part 0 on the caller's goroutine and every other on a goroutine of its
// own. It returns once every part is done: no goroutine outlives the call.
func Run(n, parts int, fn func(part, from, to int)) {
	var wg sync.WaitGroup
	for part := 1; part < parts; part++ {
		wg.Go(func() { fn(part, part*n/parts, (part+1)*n/parts) })
	}
	fn(0, 0, n/parts)
	wg.Wait()
}
