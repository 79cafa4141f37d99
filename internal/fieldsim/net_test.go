package fieldsim

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// TestProvidersAreOneAS: an ISP's or a carrier's networks belong to one
// autonomous system, as a real provider's customers' addresses do, so the
// org's people on one provider share its AS.
func TestProvidersAreOneAS(t *testing.T) {
	asns, err := ipasn.Vendored()
	require.NoError(t, err)
	nets := newNetworks(rand.New(rand.NewPCG(1, 2)), asns)
	for _, pools := range []struct {
		name  string
		pools []pool
	}{{"isp", nets.isps}, {"carrier", nets.carriers}} {
		for i, p := range pools.pools {
			require.NotEmpty(t, p.nets, "%s %d", pools.name, i)
			seen := map[uint32]bool{}
			for _, n := range p.nets {
				as, ok := asns.Lookup(netip.AddrFrom4([4]byte{n[0], n[1], n[2], 1}))
				require.True(t, ok, "%s %d: %v is announced", pools.name, i, n)
				seen[as] = true
			}
			require.Len(t, seen, 1, "%s %d (%d.x): one provider", pools.name, i, p.nets[0][0])
			for as := range seen {
				t.Logf("%s %d: %d.x, %d /24s of AS%d (%s)", pools.name, i, p.nets[0][0], len(p.nets), as, asns.Name(as))
			}
		}
	}
}
