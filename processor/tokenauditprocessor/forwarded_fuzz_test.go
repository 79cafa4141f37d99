package tokenauditprocessor

import (
	"net/netip"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// refWalk is the plain reading of a forwarding header the walker must
// agree with: split on commas, look at the last maxHops elements from the
// right, stop at one that is not an address, skip proxies; if all were
// proxies, the leftmost looked at.
func refWalk(s string, forwarded bool, skip func(netip.Addr) bool) (netip.Addr, bool) {
	parts := strings.Split(s, ",")
	var last netip.Addr
	for i, n := len(parts)-1, 0; i >= 0 && n < maxHops; i, n = i-1, n+1 {
		hop := strings.TrimSpace(parts[i])
		if forwarded {
			hop = refFor(hop)
		}
		if hop == "" {
			continue
		}
		a, ok := refParse(hop)
		if !ok {
			return netip.Addr{}, false
		}
		if !skip(a) {
			return a, true
		}
		last = a
	}
	return last, last.IsValid()
}

// refFor is the for= value of an RFC 7239 element.
func refFor(elem string) string {
	for _, pair := range strings.Split(elem, ";") {
		k, v, ok := strings.Cut(pair, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
				v = strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`)
			}
			return v
		}
	}
	return ""
}

// refParse accepts what netip does as an address or address:port, and a
// bracketed IPv6 address without a port, at most 64 bytes.
func refParse(s string) (netip.Addr, bool) {
	if len(s) > 64 {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
				return a.Unmap(), true
			}
		}
	}
	return netip.Addr{}, false
}

// FuzzForwardedHeader: the walker over a forwarding header (a string, or
// a string array of its lines) never panics, agrees with refWalk, and
// writes the address canonically. Its seed corpus
// (testdata/fuzz/FuzzForwardedHeader) runs with every go test.
func FuzzForwardedHeader(f *testing.F) {
	f.Add("203.0.113.7, 10.0.5.1", false, false, uint8(0))
	f.Add("198.51.100.66,203.0.113.7 , 10.0.5.1:80", false, true, uint8(1))
	f.Add(`for=198.51.100.66;proto=http, For="[2001:db8:cafe::17]:4711";by=10.0.0.1, for=10.0.5.1`, true, false, uint8(0))
	f.Add("for=unknown, for=_hidden, for=\"[::1]\"", true, true, uint8(2))
	f.Add("[2001:db8::9]:4711,,[fe80::1%eth0]:1, ::ffff:10.0.0.1", false, false, uint8(0))
	f.Add(strings.Repeat("10.0.0.1,", 40)+"203.0.113.1", false, false, uint8(0))
	f.Add("203.0.113.1\n10.0.0.2, 10.0.0.3\n", false, true, uint8(2))
	f.Fuzz(func(t *testing.T, header string, forwarded, lines bool, mode uint8) {
		proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/48")}
		skip := []func(netip.Addr) bool{
			isInternal, // private_peers
			func(a netip.Addr) bool { // trusted_proxies
				for _, p := range proxies {
					if p.Contains(a) {
						return true
					}
				}
				return false
			},
			func(netip.Addr) bool { return false },
		}[int(mode)%3]

		v := pcommon.NewValueStr(header)
		if lines {
			// One element per header line: the same chain as the lines
			// joined by commas.
			v = pcommon.NewValueEmpty()
			s := v.SetEmptySlice()
			for line := range strings.SplitSeq(header, "\n") {
				s.AppendEmpty().SetStr(line)
			}
		}
		got, gotAddr, ok := walkHeader(v, forwarded, skip)
		chain := header
		if lines {
			chain = strings.ReplaceAll(header, "\n", ",")
		}
		want, wantOK := refWalk(chain, forwarded, skip)
		if ok != wantOK || gotAddr != want {
			t.Fatalf("walkHeader(%q) = %v %v, reference %v %v", header, gotAddr, ok, want, wantOK)
		}
		if !ok {
			return
		}
		if a, err := netip.ParseAddr(got); err != nil || a != gotAddr {
			t.Fatalf("written %q is not the address %v", got, gotAddr)
		}
	})
}
