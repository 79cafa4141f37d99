package fieldsim

import (
	"math/rand/v2"
	"net/netip"

	"github.com/tokenaudit/tokenaudit/internal/ipasn"
)

// pool is a set of /24 networks that one kind of caller egresses from: an
// ISP's residential range, a mobile carrier's CGNAT egress, a cloud
// region's NAT gateways, a CI provider's runner fleet.
type pool struct {
	nets [][3]byte // first three octets of each /24
}

// newPool draws n distinct /24s under first.second (or first.* when second
// is negative).
func newPool(rng *rand.Rand, first byte, second int, n int) pool {
	seen := map[[3]byte]bool{}
	var p pool
	for len(p.nets) < n {
		if n3 := drawNet(rng, first, second); !seen[n3] {
			seen[n3] = true
			p.nets = append(p.nets, n3)
		}
	}
	return p
}

// drawNet draws a /24 under first.second (or first.* when second is
// negative).
func drawNet(rng *rand.Rand, first byte, second int) [3]byte {
	b := byte(rng.IntN(256))
	if second >= 0 {
		b = byte(second)
	}
	return [3]byte{first, b, byte(rng.IntN(256))}
}

// newASPool draws n distinct /24s under first.second (or first.*) that
// one autonomous system announces: the commonest AS of a sample of the
// range, its largest provider. A real ISP's or carrier's customers rotate
// within that provider's address space, not across every network of a /8
// (which the vendored IP-to-AS table would show as a hundred providers).
// Without the table, or when the range has too few of the AS's /24s, it
// draws as newPool does.
func newASPool(rng *rand.Rand, t *ipasn.Table, first byte, second int, n int) pool {
	asOf := func(n3 [3]byte) uint32 {
		as, _ := t.Lookup(netip.AddrFrom4([4]byte{n3[0], n3[1], n3[2], 1}))
		return as
	}
	counts := map[uint32]int{}
	var top uint32
	for range 512 {
		as := asOf(drawNet(rng, first, second))
		if as == 0 {
			continue
		}
		counts[as]++
		if c := counts[as]; c > counts[top] || c == counts[top] && as < top {
			top = as
		}
	}
	if top == 0 {
		return newPool(rng, first, second, n)
	}
	seen := map[[3]byte]bool{}
	var p pool
	for tries := 0; len(p.nets) < n && tries < 400*n; tries++ {
		if n3 := drawNet(rng, first, second); !seen[n3] && asOf(n3) == top {
			seen[n3] = true
			p.nets = append(p.nets, n3)
		}
	}
	if len(p.nets) < n/2 {
		return newPool(rng, first, second, n)
	}
	return p
}

// addr is a host address in one of the pool's networks.
func (p pool) addr(rng *rand.Rand) netip.Addr {
	n := p.nets[rng.IntN(len(p.nets))]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(2 + rng.IntN(250))})
}

// Address ranges. The first octets keep kinds of callers apart, so an
// attacker's network is never one a clean token uses.
type networks struct {
	offices  []pool // one /24 per office, a few NAT addresses in it
	isps     []pool // residential ranges; home addresses rotate within them
	carriers []pool // mobile CGNAT egress
	cloud    []pool // cloud regions' NAT gateways
	ciFleet  pool   // hosted CI runners: a new address per build
	partners pool
	attacker pool // hosting and VPN ranges
	gateway  []netip.Addr
}

// newNetworks draws the org's address ranges; asns, when not nil, keeps each
// ISP's and carrier's networks within one provider (newASPool).
func newNetworks(rng *rand.Rand, asns *ipasn.Table) networks {
	n := networks{
		offices: []pool{newPool(rng, 185, 40, 1), newPool(rng, 64, 120, 1), newPool(rng, 91, 200, 1)},
		isps: []pool{newASPool(rng, asns, 84, -1, 400), newASPool(rng, asns, 79, -1, 300),
			newASPool(rng, asns, 73, -1, 400), newASPool(rng, asns, 24, -1, 300)},
		carriers: []pool{newASPool(rng, asns, 176, -1, 40), newASPool(rng, asns, 172, 58, 30), newASPool(rng, asns, 174, -1, 40)},
		cloud:    []pool{newPool(rng, 34, -1, 60), newPool(rng, 35, -1, 60), newPool(rng, 52, -1, 60)},
		ciFleet:  newPool(rng, 20, -1, 80),
		partners: newPool(rng, 62, -1, 50),
		attacker: newPool(rng, 45, -1, 200),
	}
	for i := range 4 { // the API gateway's pods: the socket peer of every service behind it
		n.gateway = append(n.gateway, netip.AddrFrom4([4]byte{10, 20, 0, byte(10 + i)}))
	}
	return n
}

// fixedAddrs picks k addresses in one or two networks of a pool: a
// service's NAT gateways or a partner's egress.
func fixedAddrs(rng *rand.Rand, p pool, k int) []netip.Addr {
	a := pool{nets: [][3]byte{p.nets[rng.IntN(len(p.nets))]}}
	if k > 2 && rng.IntN(2) == 0 {
		a.nets = append(a.nets, p.nets[rng.IntN(len(p.nets))])
	}
	out := make([]netip.Addr, k)
	for i := range out {
		out[i] = a.addr(rng)
	}
	return out
}
