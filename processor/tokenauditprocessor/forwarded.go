package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Forwarding headers list the hops a request passed, the client leftmost:
// each proxy appends the address it received the request from. Only the
// right end was written by one's own proxies; the left end is whatever the
// caller sent. So the caller is found from the right: skip the hops that
// are proxies, take the first that is not.

// maxHops bounds the hops examined per header: a longer chain is hostile
// or broken, and a hostile header must not cost more than this.
const maxHops = 32

// Forwarding header names, in the order they are believed.
const (
	hdrXForwardedFor = "x-forwarded-for"
	hdrForwarded     = "forwarded" // RFC 7239: for= of each element
	hdrXRealIP       = "x-real-ip"
)

// forwardingHeaders are the request's forwarding headers, in the order
// they are believed (X-Forwarded-For, Forwarded, X-Real-IP), found in one
// pass over its attributes; has says which are present.
type forwardingHeaders struct {
	v   [3]pcommon.Value
	has [3]bool
}

// forwardingNames are the headers of forwardingHeaders, and whether each
// is RFC 7239's (the hop is each element's for= parameter).
var forwardingNames = [3]struct {
	name      string
	forwarded bool
}{{hdrXForwardedFor, false}, {hdrForwarded, true}, {hdrXRealIP, false}}

// findForwardingHeaders reads the forwarding headers of an item, recorded
// as HTTP headers or RPC metadata, any case, '_' for '-'.
func findForwardingHeaders(attrs pcommon.Map) (h forwardingHeaders, found bool) {
	for k, v := range attrs.All() {
		name, response, ok := headerName(k)
		if !ok || response {
			continue
		}
		for i, f := range forwardingNames {
			if headerNameEqual(name, f.name) {
				h.v[i], h.has[i], found = v, true, true
			}
		}
	}
	return h, found
}

// forwardedClient walks X-Forwarded-For, then Forwarded, then X-Real-IP
// from the right, skipping the hops skip holds for; the first other hop is
// the client. It returns the address as written (a canonical hop without
// its port is returned as it is) and parsed.
func forwardedClient(attrs pcommon.Map, skip func(netip.Addr) bool) (string, netip.Addr, bool) {
	h, ok := findForwardingHeaders(attrs)
	if !ok {
		return "", netip.Addr{}, false
	}
	for i, f := range forwardingNames {
		if !h.has[i] {
			continue
		}
		if s, a, ok := walkHeader(h.v[i], f.forwarded, skip); ok {
			return s, a, true
		}
	}
	return "", netip.Addr{}, false
}

// walkHeader walks one forwarding header: a string, or a string array
// (one element per header line), each a comma list.
func walkHeader(v pcommon.Value, forwarded bool, skip func(netip.Addr) bool) (string, netip.Addr, bool) {
	w := chainWalk{skip: skip, forwarded: forwarded}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		w.feed(v.Str())
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := s.Len() - 1; i >= 0 && !w.stopped; i-- {
			if e := s.At(i); e.Type() == pcommon.ValueTypeStr {
				w.feed(e.Str())
			} else {
				w.stopped = true // not text: nothing to its left can be believed
			}
		}
	default:
		return "", netip.Addr{}, false
	}
	return w.result()
}

// chainWalk is a walk over one header's hops, fed its lines from the last.
type chainWalk struct {
	skip      func(netip.Addr) bool
	forwarded bool // RFC 7239 elements: the hop is their for= parameter
	hops      int  // elements examined
	stopped   bool
	bad       bool // a hop that is no address ended the walk
	addr      netip.Addr
	addrStr   string
}

// feed walks the comma list s from the right.
func (w *chainWalk) feed(s string) {
	for end := len(s); end >= 0 && !w.stopped; {
		start := strings.LastIndexByte(s[:end], ',') + 1
		hop := strings.TrimSpace(s[start:end])
		end = start - 1
		w.hops++ // empty elements too: a header of commas is bounded
		w.stopped = w.hops >= maxHops
		if w.forwarded {
			hop = forwardedFor(hop)
		}
		if hop == "" {
			continue // an empty element, or one without for=: says nothing
		}
		a, ok := parseAddr(hop)
		switch {
		case !ok:
			// "unknown", an obfuscated node, garbage: whoever stands
			// left of it is not known, and its right was skipped.
			w.bad, w.stopped = true, true
		case w.skip(a):
			// A proxy: if every hop is one, the leftmost is the client.
			w.addr, w.addrStr = a, hop
		default:
			w.addr, w.addrStr, w.stopped = a, hop, true
		}
	}
}

// result is the walk's client: the first hop not skipped; when all were,
// the leftmost (a chain of internal hops: the caller is internal).
func (w *chainWalk) result() (string, netip.Addr, bool) {
	if w.bad || !w.addr.IsValid() {
		return "", netip.Addr{}, false
	}
	return addrString(w.addrStr, w.addr), w.addr, true
}

// forwardedFor is the for= value of one RFC 7239 element
// (for=192.0.2.60;proto=http;by=203.0.113.43), unquoted; "" when it has
// none.
func forwardedFor(elem string) string {
	for elem != "" {
		var pair string
		pair, elem, _ = strings.Cut(elem, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v // parseAddr takes "[v6]:port"
		}
	}
	return ""
}
