package tokenauditprocessor

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		routes int // distinct routes joined before the checks
	}{
		{"few routes", 3},
		{"more routes than the bound", 2 * maxResourceNames},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n resourceNames
			for i := range tc.routes {
				require.Equal(t, fmt.Sprintf("GET /r/%d", i), n.join("GET", fmt.Sprintf("/r/%d", i)))
			}
			assert.LessOrEqual(t, len(n), maxResourceNames, "bounded")
			first := n.join("POST", "/orders")
			assert.Equal(t, "POST /orders", first)
			again := n.join("POST", "/orders")
			assert.Equal(t, unsafe.StringData(first), unsafe.StringData(again), "the same string reused")
			assert.Zero(t, testing.AllocsPerRun(100, func() { n.join("POST", "/orders") }))
		})
	}
}

// TestResourceNamesLongRoute: a hostile span's huge route is joined but
// not kept, so the memo stays within maxResourceNames short keys.
func TestResourceNamesLongRoute(t *testing.T) {
	var n resourceNames
	long := "/" + strings.Repeat("a", maxMemoRoute)
	assert.Equal(t, "GET "+long, n.join("GET", long))
	assert.Empty(t, n)
}

// TestResourceNamesOwnKeys: a route read from a request's buffer, which
// is reused once the request is done, must not be kept as a key.
func TestResourceNamesOwnKeys(t *testing.T) {
	var n resourceNames
	buf := []byte("/orders")
	assert.Equal(t, "GET /orders", n.join("GET", unsafe.String(&buf[0], len(buf))))
	for k := range n {
		assert.NotEqual(t, unsafe.Pointer(&buf[0]), unsafe.Pointer(unsafe.StringData(k[1])), "the key shares the request's buffer")
	}
}
