package tokenauditprocessor

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestClientAddressSemconv: the semantic conventions' client.address names
// the caller behind a load balancer without any configuration, and a caller
// that reaches the service from a public address cannot name itself.
func TestClientAddressSemconv(t *testing.T) {
	tests := []struct {
		name   string
		strict bool // client.trust_client_address: trusted_proxies
		attrs  map[string]any
		want   string
	}{
		{"private peer: the instrumentation's client.address", false,
			map[string]any{"network.peer.address": "10.2.0.7", "client.address": "203.0.113.9"}, "203.0.113.9"},
		{"private peer 172.16/12 and 192.168/16", false,
			map[string]any{"network.peer.address": "172.20.1.1", "client.address": "198.51.100.20"}, "198.51.100.20"},
		{"loopback sidecar", false,
			map[string]any{"network.peer.address": "127.0.0.1", "client.address": "192.0.2.44"}, "192.0.2.44"},
		{"client.address with a port", false,
			map[string]any{"network.peer.address": "192.168.1.5", "client.address": "203.0.113.9:51234"}, "203.0.113.9"},
		{"peer with a port", false,
			map[string]any{"network.peer.address": "10.0.0.9:443", "client.address": "203.0.113.9"}, "203.0.113.9"},
		{"IPv6 ULA peer, IPv6 client", false,
			map[string]any{"network.peer.address": "fd12:3456::1", "client.address": "2001:db8::7"}, "2001:db8::7"},
		{"IPv6 loopback peer with port, bracketed client", false,
			map[string]any{"network.peer.address": "[::1]:8080", "client.address": "[2001:db8::8]:443"}, "2001:db8::8"},
		{"IPv6 link-local peer with zone", false,
			map[string]any{"network.peer.address": "fe80::1%eth0", "client.address": "198.51.100.3"}, "198.51.100.3"},
		{"IPv4-mapped private peer", false,
			map[string]any{"network.peer.address": "::ffff:10.1.1.1", "client.address": "198.51.100.4"}, "198.51.100.4"},
		{"legacy names", false,
			map[string]any{"net.sock.peer.addr": "10.1.1.1", "http.client_ip": "198.51.100.5"}, "198.51.100.5"},
		{"spoof: public peer claims another address", false,
			map[string]any{"network.peer.address": "198.51.100.7", "client.address": "10.0.0.1"}, "198.51.100.7"},
		{"spoof: public IPv6 peer", false,
			map[string]any{"network.peer.address": "2001:db8::66", "client.address": "2001:db8::1"}, "2001:db8::66"},
		{"spoof: carrier-grade NAT is not private", false,
			map[string]any{"network.peer.address": "100.64.1.1", "client.address": "203.0.113.1"}, "100.64.1.1"},
		{"malformed client.address: the peer", false,
			map[string]any{"network.peer.address": "10.0.0.3", "client.address": "not-an-address"}, "10.0.0.3"},
		{"overlong client.address: the peer", false,
			map[string]any{"network.peer.address": "10.0.0.3", "client.address": "1.2.3.4" + string(make([]byte, 80))}, "10.0.0.3"},
		{"non-string client.address: the peer", false,
			map[string]any{"network.peer.address": "10.0.0.3", "client.address": int64(12)}, "10.0.0.3"},
		{"private peer, no client.address", false,
			map[string]any{"network.peer.address": "10.0.0.3"}, "10.0.0.3"},
		{"strict: forwarding headers only from a configured proxy", true,
			map[string]any{"network.peer.address": "192.168.7.7", "http.request.header.x-forwarded-for": "203.0.113.50"}, "192.168.7.7"},
		{"strict: no peer, forwarding headers are not believed", true,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.50"}, ""},
		{"configured proxy: its chain wins over client.address", false,
			map[string]any{"network.peer.address": "192.0.2.1", "client.address": "203.0.113.9", "http.request.header.x-forwarded-for": "203.0.113.60, 192.0.2.1"}, "203.0.113.60"},
		{"configured public proxy without headers: client.address", false,
			map[string]any{"network.peer.address": "192.0.2.1", "client.address": "203.0.113.9"}, "203.0.113.9"},
		{"public peer: its X-Forwarded-For is its own claim", false,
			map[string]any{"network.peer.address": "198.51.100.7", "http.request.header.x-forwarded-for": "203.0.113.9"}, "198.51.100.7"},
		{"no peer: X-Forwarded-For", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.50, 10.0.5.1"}, "203.0.113.50"},
		{"no peer: client.address", false,
			map[string]any{"client.address": "203.0.113.9:80"}, "203.0.113.9"},
		{"strict: private peer is the caller", true,
			map[string]any{"network.peer.address": "10.2.0.7", "client.address": "203.0.113.9"}, "10.2.0.7"},
		{"strict: configured proxy names the caller", true,
			map[string]any{"network.peer.address": "192.0.2.1", "client.address": "203.0.113.9"}, "203.0.113.9"},
		{"strict: no peer, client.address", true,
			map[string]any{"client.address": "203.0.113.9"}, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Client.TrustedProxies = []string{"192.0.2.1"}
			if tt.strict {
				cfg.Client.TrustClientAddress = TrustTrustedProxies
			}
			h := newHarness(t, cfg)
			td := ptrace.NewTraces()
			s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			require.NoError(t, s.Attributes().FromRaw(tt.attrs))
			s.Attributes().PutStr("http.request.header.x-api-key", githubKey)
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := firstSpan(h.traces.AllTraces()[0]).Attributes()
			assert.Equal(t, tt.want, attrStr(t, m, auditattr.ClientAddress))
		})
	}
}

// TestClientAddressForwardedBehindPrivatePeer: behind a private peer whose
// instrumentation recorded the forwarding header but no client.address (a
// gateway), the caller is the first hop from the right that is not an
// internal address or a configured proxy: the hops a caller can forge are
// on the left. Zero-config; the strict mode believes none of it.
func TestClientAddressForwardedBehindPrivatePeer(t *testing.T) {
	const peer = "10.0.5.2"
	long := strings.Repeat("10.0.0.1, ", 100)
	tests := []struct {
		name   string
		strict bool
		attrs  map[string]any
		want   string
	}{
		{"X-Forwarded-For as one string-array line (the gateway's shape)", false,
			map[string]any{"http.request.header.x-forwarded-for": []any{"203.0.113.7, 10.0.5.1"}}, "203.0.113.7"},
		{"the rightmost public hop, not the caller's own leftmost entry", false,
			map[string]any{"http.request.header.x-forwarded-for": "198.51.100.66, 203.0.113.7, 10.0.5.1"}, "203.0.113.7"},
		{"several header lines: the last is nearest", false,
			map[string]any{"http.request.header.x-forwarded-for": []any{"198.51.100.66", "203.0.113.7, 10.0.5.1"}}, "203.0.113.7"},
		{"configured proxies are walked past too", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7, 192.0.2.1"}, "203.0.113.7"},
		{"loopback and link-local hops are internal", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7, fe80::1, 127.0.0.1"}, "203.0.113.7"},
		{"only internal hops: the leftmost, an internal caller", false,
			map[string]any{"http.request.header.x-forwarded-for": "10.1.2.3, 10.0.5.1"}, "10.1.2.3"},
		{"ports and bracketed IPv6", false,
			map[string]any{"http.request.header.x-forwarded-for": "[2001:db8::9]:4711, 10.0.5.1:80"}, "2001:db8::9"},
		{"IPv4-mapped hop written as IPv4", false,
			map[string]any{"http.request.header.x-forwarded-for": "::ffff:203.0.113.7"}, "203.0.113.7"},
		{"legacy spelling and case", false,
			map[string]any{"http.request.header.X_Forwarded_For": "203.0.113.7"}, "203.0.113.7"},
		{"RFC 7239 Forwarded for=", false,
			map[string]any{"http.request.header.forwarded": `for=198.51.100.66;proto=http, For="[2001:db8:cafe::17]:4711";by=10.0.0.1, for=10.0.5.1`}, "2001:db8:cafe::17"},
		{"X-Real-IP", false,
			map[string]any{"http.request.header.x-real-ip": "203.0.113.8"}, "203.0.113.8"},
		{"X-Forwarded-For before Forwarded", false,
			map[string]any{"http.request.header.forwarded": "for=198.51.100.1", "http.request.header.x-forwarded-for": "203.0.113.7"}, "203.0.113.7"},
		{"gRPC metadata", false,
			map[string]any{"rpc.grpc.request.metadata.x-forwarded-for": []any{"203.0.113.5"}}, "203.0.113.5"},
		{"a response header is not the request's", false,
			map[string]any{"http.response.header.x-forwarded-for": "203.0.113.5"}, peer},
		{"client.address is believed first", false,
			map[string]any{"client.address": "198.51.100.3", "http.request.header.x-forwarded-for": "203.0.113.7"}, "198.51.100.3"},
		{"garbage left of the caller is never read", false,
			map[string]any{"http.request.header.x-forwarded-for": "<script>, 203.0.113.7, 10.0.5.1"}, "203.0.113.7"},
		{"garbage right of the caller: nothing beyond it is known, the peer", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7, unknown, 10.0.5.1"}, peer},
		{"Forwarded obfuscated node: the peer", false,
			map[string]any{"http.request.header.forwarded": "for=203.0.113.7, for=_hidden"}, peer},
		{"empty entries say nothing", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7,, ,10.0.5.1,"}, "203.0.113.7"},
		{"a hop longer than an address: the peer", false,
			map[string]any{"http.request.header.x-forwarded-for": strings.Repeat("1", 100000)}, peer},
		{"a chain longer than 32 hops is walked no further", false,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7, " + long + "10.0.5.1"}, "10.0.0.1"},
		{"a non-string line ends the walk", false,
			map[string]any{"http.request.header.x-forwarded-for": []any{"203.0.113.7", int64(3)}}, peer},
		{"strict: a private peer's headers are not believed", true,
			map[string]any{"http.request.header.x-forwarded-for": "203.0.113.7, 10.0.5.1"}, peer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Client.TrustedProxies = []string{"192.0.2.1"}
			if tt.strict {
				cfg.Client.TrustClientAddress = TrustTrustedProxies
			}
			p, err := newStandalone(cfg)
			require.NoError(t, err)
			attrs := pcommon.NewMap()
			require.NoError(t, attrs.FromRaw(tt.attrs))
			attrs.PutStr("network.peer.address", peer)
			got, addr := p.clientAddress(attrs)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, addr.String())
		})
	}
}

// TestClientAddressReusesCanonical checks that an address already written
// canonically is returned as it is, without an allocation per span.
func TestClientAddressReusesCanonical(t *testing.T) {
	p, err := newStandalone(testConfig())
	require.NoError(t, err)
	for _, tc := range []struct {
		name, peer, client, want string
		allocs                   float64
	}{
		{"client behind a private peer", "10.20.0.3", "81.16.1.2", "81.16.1.2", 0},
		{"public peer", "81.16.1.2", "", "81.16.1.2", 0},
		{"IPv6", "10.20.0.3", "2001:db8::1", "2001:db8::1", 0},
		{"not canonical: rewritten", "10.20.0.3", "::ffff:81.16.1.2", "81.16.1.2", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs := pcommon.NewMap()
			attrs.PutStr("network.peer.address", tc.peer)
			if tc.client != "" {
				attrs.PutStr("client.address", tc.client)
			}
			got, addr := p.clientAddress(attrs)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, addr.String())
			assert.Equal(t, tc.allocs, testing.AllocsPerRun(100, func() { p.clientAddress(attrs) }))
		})
	}
}
