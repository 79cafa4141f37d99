package policy

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseNetworks reads CIDRs and single addresses, IPv4 or IPv6. IPv4-mapped
// IPv6 forms are unmapped so that they match plain IPv4 clients. Errors start
// with the list index ("[1]: ...") for the caller to prefix with the key.
func ParseNetworks(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, unmapPrefix(p.Masked()))
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("[%d]: %q is not a CIDR or an IP address: use 10.0.0.0/8, 2001:db8::/32 or 203.0.113.7", i, s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

func compileNetworks(list []string, path string) ([]netip.Prefix, error) {
	out, err := ParseNetworks(list)
	if err != nil {
		return nil, fmt.Errorf("%s%w", path, err)
	}
	return out, nil
}

// inNetworks reports whether a lies in one of nets. It does not allocate.
func inNetworks(nets []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap().WithZone("") // a link-local zone does not change the network
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
