package policy

import (
	"fmt"
	"net/netip"
)

type netPrefix = netip.Prefix

// ParseNetworks reads CIDRs and single addresses (IPv4-mapped IPv6 is
// unmapped). Errors name the list index.
func ParseNetworks(list []string) ([]netip.Prefix, error) {
	out := make([]netPrefix, 0, len(list))
	for i, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %q is not a CIDR or an IP address", i, s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func compileNetworks(list []string, path string) ([]netPrefix, error) {
	out, err := ParseNetworks(list)
	if err != nil {
		return nil, fmt.Errorf("%s%w", path, err)
	}
	return out, nil
}

func inNetworks(nets []netPrefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
