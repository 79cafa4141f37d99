package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// exposedPrefixes are the sources whose header-like attributes are not the
// request's own headers: what stands there is copied onto every item of a
// resource or scope, or written into an event or a link.
var exposedPrefixes = []string{"resource.", "scope.", "event.", "link."}

// exposedAt decides whether a credential found at source, read as kind, has
// leaked: exposed_credential. A credential belongs only where a request
// authenticates, which the processor reads as a header value (kind
// authorization or key):
//   - the item's own credential header attributes (sources.authorization_headers,
//     sources.key_headers) and sources.attributes;
//   - request metadata (request.metadata.<key>): how the sender authenticated
//     to the collector;
//   - a structured log body's field named like a credential header
//     (log.body.authorization): an access log records the header by design.
//
// The request's headers are also its gRPC or Connect metadata
// (rpc.grpc.request.metadata.authorization). Everything else is an
// exposure: a response's headers or metadata (a token handed out, written
// into telemetry), URLs and query strings, free text (log bodies, exception
// messages and stack traces, other body fields, body map keys), and any
// attribute of a resource, scope, span event or link. The sources listed
// in exposure.ignore_sources never are.
func (p *tokenAudit) exposedAt(kind valueKind, source string) bool {
	if p.exposureIgnored[source] {
		return false
	}
	if kind == kindURL || kind == kindText {
		return true
	}
	for _, prefix := range exposedPrefixes {
		if strings.HasPrefix(source, prefix) {
			return true
		}
	}
	_, response, _ := headerName(source)
	return response
}

// found is a finding at source, read as kind; asAuth: the scanner found
// it where a request presents its authentication (credential.AsAuth).
func (p *tokenAudit) found(info *tokenInfo, kind valueKind, source string, asAuth bool) finding {
	exposed := p.exposedAt(kind, source)
	return finding{info: info, source: source, exposed: exposed, presented: presentedAt(kind, source, asAuth, exposed)}
}

// presentedAt decides whether a credential found at source was the
// request's authentication, which the verdicts and detectors of a
// presented credential (unknown_token, revoked_token, off_hours, scopes,
// networks; the connector's rate, novelty and hours) judge. It is: a
// credential header that is not an exposure; in the item's URL, a
// credential query parameter or the userinfo (?api_key=, user:pass@);
// in a log body (an access-log line), the value after a header-like name
// or a credential parameter. It is not: a response header (a token handed
// out), anything of a resource, scope, span event or link, exception
// text, and a bare key, JWT or webhook in prose or a path segment: those
// are exposed_credential's alone.
func presentedAt(kind valueKind, source string, asAuth, exposed bool) bool {
	if !exposed {
		return true
	}
	for _, prefix := range exposedPrefixes {
		if strings.HasPrefix(source, prefix) {
			return false
		}
	}
	if _, response, _ := headerName(source); response {
		return false
	}
	switch kind {
	case kindURL:
		return asAuth
	case kindText:
		return asAuth && (source == "log.body" || strings.HasPrefix(source, "log.body."))
	}
	return false
}

// primaryFirst puts the item's first credential presented as its
// authentication first (a header, else a credential query parameter or
// an access-log line's header), keeping the others' order: token.*
// describe the credential the request authenticated with, not one it
// printed or was handed (a path segment, an exception, a response
// header), whatever order the instrumentation wrote its attributes in.
func primaryFirst(fs []finding) {
	if len(fs) < 2 || !fs[0].exposed {
		return
	}
	best := -1
	for i, f := range fs {
		if !f.exposed {
			best = i
			break
		}
		if f.presented && best < 0 {
			best = i
		}
	}
	if best > 0 {
		f := fs[best]
		copy(fs[1:best+1], fs[:best])
		fs[0] = f
	}
}

// exposure returns where the item's primary token was exposed, "" when
// only in authentication headers. Its other findings count too: a bearer
// token sent in the header and pasted into the URL has leaked; so do,
// when the item has a credential of its own, those of its scope and
// resource (a worker's own token in its command line), which then do not
// stand in for it.
func exposure(sc *scratch) string {
	if len(sc.findings) == 0 {
		return ""
	}
	id := sc.findings[0].info.id
	if src := exposedSource(sc.findings, id); src != "" || !sc.ownFindings {
		return src
	}
	if src := exposedSource(sc.scopeFindings, id); src != "" {
		return src
	}
	return exposedSource(sc.resFindings, id)
}

// exposedSource is the first place in fs where token id was exposed.
func exposedSource(fs []finding, id string) string {
	for _, f := range fs {
		if f.exposed && f.info.id == id {
			return f.source
		}
	}
	return ""
}

// putOtherExposures writes the exposures of every credential but the
// primary one (id) as exposed.token_ids and exposed.in, once per token and
// place: the item's own findings, and, when the item has its own
// credential, those of its resource, scope and request metadata, which
// then do not stand in for it.
func putOtherExposures(attrs pcommon.Map, id string, sc *scratch) {
	var ids, places []string
	add := func(fs []finding) {
		for _, f := range fs {
			if !f.exposed || f.info.id == id || f.info.id == "" {
				continue
			}
			seen := false
			for i := range ids {
				if ids[i] == f.info.id && places[i] == f.source {
					seen = true
					break
				}
			}
			if !seen {
				ids, places = append(ids, f.info.id), append(places, f.source)
			}
		}
	}
	add(sc.findings)
	if sc.ownFindings {
		add(sc.scopeFindings)
		add(sc.resFindings)
		add(sc.batchFindings)
	}
	putStrings(attrs, auditattr.ExposedTokenIDs, ids)
	putStrings(attrs, auditattr.ExposedIn, places)
}
