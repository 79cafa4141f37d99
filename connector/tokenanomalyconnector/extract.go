package tokenanomalyconnector

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// event is what the connector reads from one span or log record: only
// contract attributes. Strings point into the item; they are copied only
// when an alert or a series keeps them.
type event struct {
	tokenID, tokenType, jti, status string
	principal, principalType        string
	resource, action, outcome       string
	client                          string
	source                          string // where the credential was found (exposed_in, else source)
	hint                            string // the token's non-secret hint (token.hint): which key leaked
	// verifiedIssuer is the JWT's iss when the processor verified its
	// signature (token.verified), else empty: exclude.issuers matches it,
	// and an unverified claim must not buy a token out of a detector.
	verifiedIssuer string
	// notPresented: token.presented false, the token was no request's
	// authentication (a response header, a log line): exposed_credential
	// only, never the stateful detectors of a token in use.
	notPresented                bool
	scopes, violations          pcommon.Slice
	hasScopes, hasViolations    bool
	exposedIDs, exposedIn       pcommon.Slice // the item's other exposed credentials
	hasExposedIDs, hasExposedIn bool
	issuedAt, expiresAt         int64 // unix s; 0 when absent
	at                          int64 // event time, unix ms
	traceID                     pcommon.TraceID
	spanID                      pcommon.SpanID
	pairID                      pcommon.SpanID // the id both sides of a request share (pairs.go)
	side                        uint8          // the side of the request a span is, sideNone for others
	pair                        uint64         // the request's key (pairKey), 0 until computed
	res                         int32          // interned output resource
	reg                         int32          // registry entry, -1 when none
	key                         uint64         // the token's key, set by ingestRun
	owner                       uint64         // the principal's key (ownerKey), set by ingestRun; 0 without one
	item                        uint64         // the item's key (itemKey): a retried batch counts once

	// Set by prepare, so that a held event needs neither slice.
	scopeBits uint64 // interned tokenaudit.token.scopes
	// hoursSettled: the learned off_hours neither judges nor learns the
	// item: the processor judged off_hours, or the request was refused at
	// authentication (refusedAuth).
	hoursSettled bool
	// resourceAlerted: the processor judged the resource itself (scope
	// or restricted): its verdict is the alert, new_resource stays quiet.
	resourceAlerted bool
	// lapsed: the processor refused the credential as expired, revoked or
	// not yet valid; credential_stuffing's slow count skips it.
	lapsed bool
	// refusedAuth: refused at authentication (401) or failing
	// verification (refusedAuth): its owner is only the token's claim.
	refusedAuth bool
	newToken    bool // set by ingestStateful: the token's state was just created
	// knownNet: new_client_address found the item's network in the
	// token's first-seen filter (used within forget_after, this call's
	// own session included); multi_address reads it.
	knownNet bool

	clientAddr netip.Addr
	addrDone   bool
}

const attrPrefix = "tokenaudit."

// read fills e from attrs in one pass; it reports whether the item carries
// any contract attribute.
func (e *event) read(attrs pcommon.Map) bool {
	found, verified := false, false
	var issuer string
	for k, v := range attrs.All() {
		if !strings.HasPrefix(k, attrPrefix) {
			continue
		}
		found = true
		switch k {
		case auditattr.TokenID:
			e.tokenID = v.Str()
		case auditattr.TokenType:
			e.tokenType = v.Str()
		case auditattr.TokenJTI:
			e.jti = v.Str()
		case auditattr.TokenStatus:
			e.status = v.Str()
		case auditattr.PrincipalID:
			e.principal = v.Str()
		case auditattr.PrincipalType:
			e.principalType = v.Str()
		case auditattr.Resource:
			e.resource = v.Str()
		case auditattr.Action:
			e.action = v.Str()
		case auditattr.Outcome:
			e.outcome = v.Str()
		case auditattr.ClientAddress:
			e.client = v.Str()
		case auditattr.TokenSource:
			if e.source == "" {
				e.source = v.Str()
			}
		case auditattr.TokenPresented:
			e.notPresented = v.Type() == pcommon.ValueTypeBool && !v.Bool()
		case auditattr.TokenExposedIn:
			e.source = v.Str() // where it leaked, when the processor says so apart
		case auditattr.TokenHint:
			e.hint = v.Str()
		case auditattr.TokenIssuer:
			issuer = v.Str()
		case auditattr.TokenVerified:
			verified = v.Type() == pcommon.ValueTypeBool && v.Bool()

		case auditattr.TokenScopes:
			if v.Type() == pcommon.ValueTypeSlice {
				e.scopes, e.hasScopes = v.Slice(), true
			}
		case auditattr.Violations:
			if v.Type() == pcommon.ValueTypeSlice {
				e.violations, e.hasViolations = v.Slice(), true
			}
		case auditattr.ExposedTokenIDs:
			if v.Type() == pcommon.ValueTypeSlice {
				e.exposedIDs, e.hasExposedIDs = v.Slice(), true
			}
		case auditattr.ExposedIn:
			if v.Type() == pcommon.ValueTypeSlice {
				e.exposedIn, e.hasExposedIn = v.Slice(), true
			}
		case auditattr.TokenIssuedAt:
			e.issuedAt = v.Int()
		case auditattr.TokenExpiresAt:
			e.expiresAt = v.Int()
		}
	}
	if verified {
		e.verifiedIssuer = issuer
	}
	return found
}

// unixMilli is an event time (auditattr.SpanTime, LogTime) in unix ms; 0
// (no time) stays 0, which ingest reads as the watermark.
func unixMilli(ts pcommon.Timestamp) int64 {
	return int64(ts) / 1e6
}
