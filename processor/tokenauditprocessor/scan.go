package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
)

// Attribute key prefixes under which instrumentations record a request's
// headers (HTTP) and metadata (gRPC, Connect RPC, and the RPC conventions'
// generic name), the header or metadata key following in lower case: each
// is read as that header. The response's are credentials too, but never
// the request's own: exposed (exposure.go). Grouped by first letter, so
// that a key is compared with the few prefixes it can have.
type headerPrefix struct {
	prefix   string
	response bool
}

var (
	httpHeaderPrefixes = []headerPrefix{
		{"http.request.header.", false}, {"http.response.header.", true},
	}
	rpcMetadataPrefixes = []headerPrefix{
		{"rpc.grpc.request.metadata.", false}, {"rpc.grpc.response.metadata.", true},
		{"rpc.request.metadata.", false}, {"rpc.response.metadata.", true},
		{"rpc.connect_rpc.request.metadata.", false}, {"rpc.connect_rpc.response.metadata.", true},
	}
)

// headerName returns the header (metadata key) an attribute key records,
// and whether it is the response's; ok is false for any other key.
func headerName(k string) (name string, response, ok bool) {
	var prefixes []headerPrefix
	switch {
	case len(k) < len("rpc."):
		return "", false, false
	case k[0] == 'h' || k[0] == 'H':
		prefixes = httpHeaderPrefixes
	case (k[0] == 'r' || k[0] == 'R') && hasPrefixFold(k, "rpc."):
		prefixes = rpcMetadataPrefixes
	default:
		return "", false, false
	}
	for _, p := range prefixes {
		if hasPrefixFold(k, p.prefix) {
			return k[len(p.prefix):], p.response, true
		}
	}
	return "", false, false
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case, with something
// after the prefix.
func hasPrefixFold(s, prefix string) bool {
	return len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Body walking bounds: a hostile structured body cannot make a log record
// cost more than this. What lies beyond them is replaced unread, since it
// might hold a credential.
const (
	maxBodyDepth  = 32
	maxBodyValues = 10_000
	unscanned     = auditattr.Redacted + ": not scanned (log body beyond the nesting or size limit)"
)

// valueKind says how a value is read.
type valueKind uint8

const (
	kindAuthorization valueKind = iota + 1 // "Scheme token" header
	kindKey                                // the whole value is a key
	kindURL                                // a URL or query string
	kindText                               // free text: a log body
)

// finding is one credential found in an item.
type finding struct {
	info   *tokenInfo
	source string
	// exposed: found where no credential belongs (exposure.go).
	exposed bool
	// presented: the request's authentication (presentedAt).
	presented bool
}

// hit is an attribute that needs looking at, collected before any change
// because a map cannot change while it is ranged over.
type hit struct {
	key  string
	kind valueKind
}

// scanAttrs finds credentials in attrs, scrubs them in place and appends
// what it found to sc.findings. source prefixes the attribute key in
// tokenaudit.token.source ("" for item attributes).
func (p *tokenAudit) scanAttrs(attrs pcommon.Map, withURLs bool, sourcePrefix string, sc *scratch) {
	p.scanAttrsAs(attrs, withURLs, sourcePrefix, false, sc)
}

// scanAttrsAs is scanAttrs; with allText, an attribute of any other key
// whose value is text is searched as free text: a resource or scope
// attribute is configuration (a command line, an environment variable),
// where any credential has leaked.
func (p *tokenAudit) scanAttrsAs(attrs pcommon.Map, withURLs bool, sourcePrefix string, allText bool, sc *scratch) {
	sc.hits = sc.hits[:0]
	for k, v := range attrs.All() {
		if kind := p.classifyKey(k, withURLs); kind != 0 {
			sc.hits = append(sc.hits, hit{key: k, kind: kind})
		} else if allText && isText(v) {
			sc.hits = append(sc.hits, hit{key: k, kind: kindText})
		}
	}
	for _, h := range sc.hits {
		v, ok := attrs.Get(h.key)
		if !ok {
			continue
		}
		source := h.key
		if sourcePrefix != "" {
			source = sourcePrefix + h.key
		}
		if p.scrubValue(attrs, h.key, v, h.kind, source, sc) {
			attrs.Remove(h.key)
		}
	}
}

// isText reports whether v is a string, or a list of strings among which
// numbers and booleans may stand (a command line with a port number):
// its strings are searched, the rest left as it is.
func isText(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return true
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			if e.Type() != pcommon.ValueTypeStr && !isScalar(e) {
				return false
			}
		}
		return true
	}
	return false
}

// isScalar: a number or a boolean, which holds no credential.
func isScalar(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool, pcommon.ValueTypeEmpty:
		return true
	}
	return false
}

// classifyKey decides whether an attribute key is a credential source.
func (p *tokenAudit) classifyKey(k string, withURLs bool) valueKind {
	if name, _, ok := headerName(k); ok {
		if kind := p.headerKind(name); kind != 0 {
			return kind
		}
	}
	for _, a := range p.cfg.Sources.Attributes {
		if k == a {
			return kindAuthorization
		}
	}
	if withURLs {
		for _, a := range p.cfg.Sources.URLAttributes {
			if k == a {
				return kindURL
			}
		}
	}
	for _, a := range p.cfg.Sources.TextAttributes {
		if k == a {
			return kindText
		}
	}
	return 0
}

// headerNameEqual compares an attribute's header name with a normalised
// configured one, accepting any case and the legacy '_'.
func headerNameEqual(name, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		} else if c == '_' {
			c = '-'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

// scrubValue handles one attribute value in its string or string-array form
// and reports whether the attribute should be removed.
func (p *tokenAudit) scrubValue(attrs pcommon.Map, key string, v pcommon.Value, kind valueKind, source string, sc *scratch) (remove bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		out, changed := p.scrubString(v.Str(), kind, source, sc)
		if !changed {
			return false
		}
		if p.removeMode && kind != kindURL {
			return true
		}
		attrs.PutStr(key, out)
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		changed := false
		for i := 0; i < s.Len(); i++ {
			e := s.At(i)
			if e.Type() != pcommon.ValueTypeStr {
				// Free text's numbers stay; a credential source's
				// non-text may hide one.
				if e.Type() != pcommon.ValueTypeEmpty && (kind != kindText || !isScalar(e)) {
					p.noteUnreadable(e, kind, source, sc)
					e.SetStr(auditattr.Redacted) // not text: cannot be read, must not leave
					changed = true
				}
				continue
			}
			if out, ok := p.scrubString(e.Str(), kind, source, sc); ok {
				e.SetStr(out)
				changed = true
			}
		}
		return changed && p.removeMode && kind != kindURL
	case pcommon.ValueTypeEmpty:
	default:
		// Bytes, maps and numbers in a credential attribute cannot be
		// parsed as a credential; they are removed as they may hold one.
		p.noteUnreadable(v, kind, source, sc)
		return true
	}
	return false
}

// noteUnreadable records a credential-bearing value that was not text as a
// malformed credential, fingerprinted over its string form so that repeats
// of the same junk still correlate.
func (p *tokenAudit) noteUnreadable(v pcommon.Value, kind valueKind, source string, sc *scratch) {
	typ := auditattr.TypeAPIKey
	if kind == kindAuthorization {
		typ = auditattr.TypeBearer
	}
	c := credential.Credential{Secret: v.AsString(), Type: typ, Malformed: true}
	sc.findings = append(sc.findings, p.found(p.lookupSecret(&c, sc), kind, source, true))
}

// scrubString finds the credentials in s, records them and returns s with
// each secret replaced.
func (p *tokenAudit) scrubString(s string, kind valueKind, source string, sc *scratch) (string, bool) {
	switch kind {
	case kindAuthorization, kindKey:
		cv := p.lookupHeader(s, kind, sc)
		if cv == nil {
			return s, false
		}
		if cv.info != nil {
			sc.findings = append(sc.findings, p.found(cv.info, kind, source, true))
		}
		return cv.scrubbed, true
	case kindURL:
		// No cheap pre-check: a key may stand in a path segment.
		sc.spans = sc.spans[:0]
		p.rules.ScanURL(s, p.cfg.Sources.QueryParams, func(c credential.Credential) { p.collect(c, kind, source, sc) })
		p.scanPresented(s, kind, source, sc)
		return p.rewrite(s, sc)
	case kindText:
		sc.spans = sc.spans[:0]
		p.rules.ScanText(s, p.cfg.Sources.QueryParams, p.bodyPatterns, func(c credential.Credential) { p.collect(c, kind, source, sc) })
		p.scanPresented(s, kind, source, sc)
		return p.rewrite(s, sc)
	}
	return s, false
}

// span is a secret's place in a scanned string and what replaces it.
type span struct {
	start, end int
	with       string
	// weak: a value its name gives away, scrubbed but not known as a
	// credential (scanPresented may still know it).
	weak bool
}

// collect records a credential found by a scanner.
func (p *tokenAudit) collect(c credential.Credential, kind valueKind, source string, sc *scratch) {
	if c.Start < 0 || c.End < c.Start {
		return
	}
	var info *tokenInfo
	if c.Type != "" {
		info = p.lookupSecret(&c, sc)
		// Scanners read URLs and free text: always outside an authentication header.
		sc.findings = append(sc.findings, p.found(info, kind, source, c.AsAuth))
	}
	sc.spans = append(sc.spans, span{start: c.Start, end: c.End, with: p.replacement(info), weak: info == nil})
}

// rewrite replaces the collected spans (ordered, not overlapping) in s.
func (p *tokenAudit) rewrite(s string, sc *scratch) (string, bool) {
	if len(sc.spans) == 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range sc.spans {
		if sp.start < last || sp.end > len(s) {
			continue // scanners promise order; never trust it with a slice bound
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(sp.with)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// replacement is what stands in the telemetry where a secret was.
func (p *tokenAudit) replacement(info *tokenInfo) string {
	if info == nil || p.cfg.Scrub.Mode != ScrubFingerprint {
		return auditattr.Redacted
	}
	return info.id
}

// scanBody finds credentials in a log body: a string, or the strings and
// header-named keys of a map or slice, within depth and size bounds.
func (p *tokenAudit) scanBody(body pcommon.Value, sc *scratch) {
	budget := maxBodyValues
	p.scanBodyValue(body, "", 0, &budget, sc)
}

func (p *tokenAudit) scanBodyValue(v pcommon.Value, key string, depth int, budget *int, sc *scratch) {
	switch v.Type() {
	case pcommon.ValueTypeStr, pcommon.ValueTypeBytes, pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
	default:
		return // numbers and booleans hold no credential
	}
	if *budget <= 0 || depth > maxBodyDepth {
		v.SetStr(unscanned)
		sc.stats.unscanned++
		return
	}
	*budget--
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if out, changed := p.scrubString(v.Str(), p.bodyKind(key), p.bodySource(key), sc); changed {
			v.SetStr(out)
		}
	case pcommon.ValueTypeBytes:
		if out, changed := p.scrubString(string(v.Bytes().AsRaw()), p.bodyKind(key), p.bodySource(key), sc); changed {
			v.SetEmptyBytes().FromRaw([]byte(out))
		}
	case pcommon.ValueTypeMap:
		m := v.Map()
		var renames [][2]string
		for k, e := range m.All() {
			p.scanBodyValue(e, k, depth+1, budget, sc)
			// A key can hold a credential too ({"Authorization: Bearer x": 1}).
			if len(k) >= 8 {
				if nk, changed := p.scrubString(k, kindText, "log.body", sc); changed {
					renames = append(renames, [2]string{k, nk})
				}
			}
		}
		for _, r := range renames {
			if old, ok := m.Get(r[0]); ok {
				old.CopyTo(m.PutEmpty(r[1]))
				m.Remove(r[0])
			}
		}
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			p.scanBodyValue(s.At(i), key, depth+1, budget, sc)
		}
	}
}

// bodyKind reads a field named like a credential header as that header,
// anything else (and the body itself) as free text.
func (p *tokenAudit) bodyKind(key string) valueKind {
	if key == "" {
		return kindText
	}
	return p.bodyKeyKind(key)
}

// bodyKeyKind reads a structured body's field named like a credential
// header as that header; any other field as free text.
func (p *tokenAudit) bodyKeyKind(key string) valueKind {
	name := key
	if n, response, ok := headerName(key); ok && !response {
		name = n
	}
	if kind := p.headerKind(name); kind != 0 {
		return kind
	}
	return kindText
}

// headerKind says how a configured credential header is read, 0 for any
// other header.
func (p *tokenAudit) headerKind(name string) valueKind {
	for _, h := range p.authHeaders {
		if headerNameEqual(name, h) {
			return kindAuthorization
		}
	}
	for _, h := range p.keyHeaders {
		if headerNameEqual(name, h) {
			return kindKey
		}
	}
	return 0
}

// normalizeHeaderNames lower-cases configured header names and spells them
// with '-', the form headerNameEqual compares against.
func normalizeHeaderNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(n)), "_", "-")
	}
	return out
}

// bodySource names where in a body a credential was; a field name goes in
// only when it is a configured header name, since other keys are data.
func (p *tokenAudit) bodySource(key string) string {
	if key == "" || p.bodyKeyKind(key) == kindText {
		return "log.body"
	}
	return "log.body." + truncate(key, 64)
}
