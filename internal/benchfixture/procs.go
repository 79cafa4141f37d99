package benchfixture

import (
	"runtime"
	"testing"
)

// WithProcs sets GOMAXPROCS to n for the rest of the test: code that
// splits its work by the cores is tested at a known count.
func WithProcs(tb testing.TB, n int) {
	prev := runtime.GOMAXPROCS(n)
	tb.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}
