package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attributes that name the socket peer and the caller, stable semantic
// conventions first.
var (
	peerKeys   = []string{"network.peer.address", "net.sock.peer.addr", "net.peer.ip"}
	clientKeys = []string{"client.address", "http.client_ip"}
)

// clientAddress returns the caller's address. The socket peer is the only
// address nobody can forge. HTTP instrumentations put the caller behind a
// proxy in client.address (filled from X-Forwarded-For or Forwarded), so it
// is believed when the peer is a trusted proxy, when no peer address was
// recorded, and — unless the strict mode is configured — when the peer is a
// private, loopback or link-local address: a load balancer or sidecar in
// front of the service. A public peer always wins: it spoke to the service
// directly, so whatever it said about itself is its own claim.
//
// It returns the address as written in tokenaudit.client.address and as
// parsed for the policy; the zero Addr and "" when there is none.
func (p *tokenAudit) clientAddress(attrs pcommon.Map) (string, netip.Addr) {
	peerStr := firstStr(attrs, peerKeys)
	peer, hasPeer := parseAddr(peerStr)
	switch {
	case !hasPeer:
	case p.trusted(peer):
		// A configured proxy: walk its forwarding chain first.
		if a, ok := p.forwardedClient(attrs); ok {
			return a.String(), a
		}
	case !p.trustPrivatePeers || !isInternal(peer):
		return addrString(peerStr, peer), peer
	}
	clientStr := firstStr(attrs, clientKeys)
	if a, ok := parseAddr(clientStr); ok {
		return addrString(clientStr, a), a
	}
	if hasPeer {
		return addrString(peerStr, peer), peer
	}
	return "", netip.Addr{}
}

// addrString is a's canonical text, s itself when s already is (nearly
// every recorded address): one allocation fewer per span.
func addrString(s string, a netip.Addr) string {
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) == s {
		return s
	}
	return a.String()
}

// isInternal reports whether a socket peer is an address only a machine of
// the service's own network can have: RFC 1918 and ULA (fc00::/7),
// loopback, link-local.
func isInternal(a netip.Addr) bool {
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast()
}

// forwardedClient walks X-Forwarded-For (then Forwarded, X-Real-IP) from the
// right, skipping trusted proxies; the first untrusted hop is the client.
func (p *tokenAudit) forwardedClient(attrs pcommon.Map) (netip.Addr, bool) {
	for _, h := range []struct {
		key   string
		parse func(string) []string
	}{
		{"http.request.header.x-forwarded-for", splitXFF},
		{"http.request.header.forwarded", splitForwarded},
		{"http.request.header.x-real-ip", splitXFF},
	} {
		v, ok := attrs.Get(h.key)
		if !ok {
			continue
		}
		hops := h.parse(headerString(v))
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseAddr(hops[i])
			if !ok {
				break
			}
			if !p.trusted(a) || i == 0 {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func (p *tokenAudit) trusted(a netip.Addr) bool {
	for _, pr := range p.trustedProxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// headerString joins the string-array form of a header attribute.
func headerString(v pcommon.Value) string {
	if v.Type() != pcommon.ValueTypeSlice {
		return v.AsString()
	}
	parts := make([]string, 0, v.Slice().Len())
	for i := 0; i < v.Slice().Len() && i < 32; i++ {
		parts = append(parts, v.Slice().At(i).AsString())
	}
	return strings.Join(parts, ",")
}

const maxHops = 32

func splitXFF(s string) []string {
	parts := strings.SplitN(s, ",", maxHops)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// splitForwarded extracts the for= values of RFC 7239 Forwarded.
func splitForwarded(s string) []string {
	var out []string
	for _, elem := range strings.SplitN(s, ",", maxHops) {
		for _, pair := range strings.Split(elem, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(k, "for") {
				out = append(out, strings.Trim(v, `"`)) // parseAddr takes "[v6]:port"

			}
		}
	}
	return out
}

// parseAddr accepts "ip", "ip:port" and "[ipv6]:port".
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if i := strings.LastIndexByte(s, ']'); strings.HasPrefix(s, "[") && i > 0 {
		if a, err := netip.ParseAddr(s[1:i]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
