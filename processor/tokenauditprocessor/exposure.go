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
// Everything else is an exposure: URLs and query strings, free text (log
// bodies, exception messages and stack traces, other body fields, body map
// keys), and any attribute of a resource, scope, span event or link. The
// sources listed in exposure.ignore_sources never are.
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
	return false
}

// exposure returns where the item's primary token was exposed, "" when
// only in authentication headers. Its other findings count too: a bearer
// token sent in the header and pasted into the URL has leaked.
func exposure(findings []finding) string {
	if len(findings) == 0 {
		return ""
	}
	id := findings[0].info.id
	for _, f := range findings {
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
