package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"net/netip"

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
// front of the service. Without client.address, that peer's forwarding
// headers name the caller, walked from the right past internal hops. A
// public peer always wins: it spoke to the service directly, so whatever it
// said about itself is its own claim.
//
// It returns the address as written in tokenaudit.client.address and as
// parsed for the policy; the zero Addr and "" when there is none.
func (p *tokenAudit) clientAddress(attrs pcommon.Map) (string, netip.Addr) {
	peerStr := firstStr(attrs, peerKeys)
	peer, hasPeer := parseAddr(peerStr)
	proxy := hasPeer && p.trusted(peer)
	switch {
	case proxy:
		// A configured proxy: walk its forwarding chain first.
		if s, a, ok := forwardedClient(attrs, p.isProxy); ok {
			return s, a
		}
	case hasPeer && (!p.trustPrivatePeers || !isInternal(peer)):
		return addrString(peerStr, peer), peer
	}
	clientStr := firstStr(attrs, clientKeys)
	if a, ok := parseAddr(clientStr); ok {
		return addrString(clientStr, a), a
	}
	if !proxy && p.trustPrivatePeers {
		// A private peer (or none) without client.address: the gateway's
		// instrumentation recorded only the forwarding header.
		if s, a, ok := forwardedClient(attrs, p.isProxy); ok {
			return s, a
		}
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

func (p *tokenAudit) trusted(a netip.Addr) bool {
	for _, pr := range p.trustedProxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// isProxy reports whether a forwarding hop is one of the service's own
// proxies, to be walked past: a configured one, and by default
// (private_peers) any internal address, as a private peer is.
func (p *tokenAudit) isProxy(a netip.Addr) bool {
	return p.trusted(a) || p.trustPrivatePeers && isInternal(a)
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
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' { // "[v6]" without a port
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
