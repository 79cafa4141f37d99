package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"net/netip"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// How many attributes annotate writes: the request facts on every item
// (resource, action, outcome, client address), and on an item with a
// credential the token's attributes, claims aside. Rarer ones (exposure,
// token count, violations) may grow the map once more.
const (
	requestAttrs = 4
	tokenAttrs   = 15
)

// iatLeeway is how far a JWT's iat may lie ahead of its item's time
// before the token is not_yet_valid_token (see annotate).
const iatLeeway = 24 * time.Hour

// item is one span or log record being audited.
type item struct {
	attrs     pcommon.Map
	eventTime time.Time
	spanError bool
	span      ptrace.Span // with isSpan: its events and links are scanned too
	isSpan    bool
}

// annotate writes the contract attributes for an item whose credentials
// are in sc.findings (primary first), and the request facts.
func (p *tokenAudit) annotate(it item, sc *scratch) {
	resource, method := requestResource(it.attrs, &sc.resources)
	var client string
	var clientAddr netip.Addr
	if !it.isSpan || it.span.Kind() != ptrace.SpanKindClient {
		// On a client span the peer (and server.address) is the service
		// called, not the caller: the caller is the span's own process,
		// whose address the span does not carry.
		client, clientAddr = p.clientAddress(it.attrs)
	}
	attrs := it.attrs
	if len(sc.findings) > 0 {
		// The item carries a credential: our verdict replaces whatever a
		// producer (or an attacker) put in the tokenaudit namespace.
		attrs.RemoveIf(isAuditAttr)
	}
	// One growth of the attribute slice instead of one per write, sized
	// to what this item gets: most of the cost is clearing and copying it.
	need := requestAttrs
	if len(sc.findings) > 0 {
		need += tokenAttrs + len(sc.findings[0].info.claims)
	}
	attrs.EnsureCapacity(attrs.Len() + need)
	if resource != "" {
		attrs.PutStr(auditattr.Resource, resource)
		attrs.PutStr(auditattr.Action, action(resource, method))
	}
	outcome := p.outcome(attrs, it.spanError, it.isSpan)
	putNonEmpty(attrs, auditattr.Outcome, outcome)
	if client != "" {
		attrs.PutStr(auditattr.ClientAddress, client)
	}
	if len(sc.findings) == 0 {
		return
	}

	f := sc.findings[0]
	info := f.info
	pol := sc.policy
	// A jti from a token whose signature failed is the forger's word: it
	// must not borrow a registered token's owner and scopes.
	trustedJTI := info.jti
	if info.badSignature {
		trustedJTI = ""
	}
	entry := pol.Lookup(info.id, trustedJTI, info.keyID)
	if f.presented && entry != nil {
		p.rememberPresented(info, sc) // a key the registry lists (presented.go)
	}

	principalID, principalType := info.principalID, info.principalType
	scopes := info.scopes
	// A token whose signature fails claims its scopes: they admit it to no
	// restricted resource. The registry's scopes for it (matched by its own
	// id, never by its jti) are the operator's word, and stand instead: a
	// registered JWT whose signing key was rotated out keeps its admissions.
	claimedScopes := info.badSignature && scopes != nil
	if info.badSignature && entry != nil && entry.Scopes != nil {
		scopes, claimedScopes = entry.Scopes, false
	}
	issuedAt, hasIat := info.issuedAt, info.hasIat
	expiresAt, hasExp := info.expiresAt, info.hasExp
	if entry != nil {
		// The registry is the operator's word on who owns a token.
		if entry.Owner != "" {
			principalID, principalType = entry.Owner, entry.OwnerType
			if principalType == "" {
				principalType = auditattr.PrincipalUser
			}
			if p.cfg.Scrub.PseudonymizePrincipal {
				principalID = p.fingerprinter().PrincipalID(principalID)
			}
		}
		if scopes == nil && entry.Scopes != nil {
			scopes = entry.Scopes
		}
		// The registry's dates stand in for claims the token does not carry
		// (opaque keys), so lifetime checks judge registered keys too.
		if !hasIat && !entry.CreatedAt.IsZero() {
			issuedAt, hasIat = entry.CreatedAt.Unix(), true
		}
		if !hasExp && !entry.ExpiresAt.IsZero() {
			expiresAt, hasExp = entry.ExpiresAt.Unix(), true
		}
	}
	if principalType == "" {
		principalType = auditattr.PrincipalUnknown
	}

	v := sc.violations[:0]
	if info.malformed {
		v = append(v, auditattr.ViolationMalformed)
	}
	if info.badSignature {
		v = append(v, auditattr.ViolationInvalidSignature)
	}
	now := it.eventTime.Unix()
	skew := int64(p.cfg.ClockSkew / time.Second)
	if hasExp && now > expiresAt+skew {
		v = append(v, auditattr.ViolationExpired)
	}
	// A JWT issued more than a day after the request was made (iat ahead of
	// the item's time) is not valid yet either, as go-jose and PyJWT hold:
	// minted for the future, or forged with a wrong clock. A day or less
	// ahead is not judged: a producer writing local time as UTC, or an
	// issuer's minting jitter, puts fresh tokens hours ahead, while nbf
	// (its issuer's own word) keeps clock_skew. The registry's created_at
	// is not judged so: it is often a date.
	issuedAhead := max(skew, int64(iatLeeway/time.Second))
	if (info.hasNbf && now+skew < info.notBefore) || (info.hasIat && now+issuedAhead < info.issuedAt) {
		v = append(v, auditattr.ViolationNotYetValid)
	}
	// Like its jti, a forged token's subject is the forger's word: it must
	// not borrow that principal's networks, hours or admissions.
	policyPrincipal := principalID
	if info.badSignature && (entry == nil || entry.Owner == "") {
		policyPrincipal = ""
	}
	req := policy.Request{
		TokenID:       info.id,
		JTI:           trustedJTI,
		KeyID:         info.keyID,
		PrincipalID:   policyPrincipal,
		Issuer:        info.issuer,
		Verified:      info.verified,
		Scopes:        scopes,
		ClaimedScopes: claimedScopes,
		Resource:      resource,
		ClientAddr:    clientAddr,
		EventTime:     it.eventTime,
		Time:          it.eventTime,
	}
	// A dated revocation spares the uses before it. A time more than a day
	// before the token was even issued (its iat, or the registry's
	// created_at) is no use's time but a producer's broken clock (a start
	// time of 1970), and spares nothing: judged as unknown, so revoked.
	if hasIat && now+issuedAhead < issuedAt {
		req.Time = time.Time{}
	}
	if outcome == auditattr.OutcomeFailure || info.badSignature || info.malformed {
		// Refused at authentication, or a token that fails verification:
		// who it is is only its claim, so no one's working hours judge it
		// (a forged JWT borrowing its victim's hours, a rotated-out key's
		// retry storm at night). A 403 is judged: the credential was
		// recognised.
		req.EventTime = time.Time{}
	}
	if f.presented {
		// The policy judges a request's authentication: a token found in a
		// response header, a log line or an exception made no request.
		v = pol.Evaluate(&req, v)
	}
	exposedIn := exposure(sc)
	if exposedIn != "" {
		v = append(v, auditattr.ViolationExposedCredential)
	}
	sc.violations = v

	attrs.PutStr(auditattr.TokenID, info.id)
	attrs.PutStr(auditattr.TokenType, info.typ)
	putNonEmpty(attrs, auditattr.TokenProvider, info.provider)
	putNonEmpty(attrs, auditattr.TokenHint, info.hint)
	attrs.PutStr(auditattr.TokenSource, f.source)
	putNonEmpty(attrs, auditattr.TokenExposedIn, exposedIn)
	attrs.PutBool(auditattr.TokenPresented, f.presented)
	putOtherExposures(attrs, info.id, sc)
	putNonEmpty(attrs, auditattr.TokenIssuer, info.issuer)
	putStrings(attrs, auditattr.TokenAudience, info.audience)
	putNonEmpty(attrs, auditattr.TokenJTI, info.jti)
	putStrings(attrs, auditattr.TokenScopes, scopes)
	if hasIat {
		attrs.PutInt(auditattr.TokenIssuedAt, issuedAt)
	}
	if hasExp {
		attrs.PutInt(auditattr.TokenExpiresAt, expiresAt)
	}
	attrs.PutStr(auditattr.TokenStatus, status(v))
	attrs.PutBool(auditattr.TokenVerified, info.verified)
	putNonEmpty(attrs, auditattr.PrincipalID, principalID)
	attrs.PutStr(auditattr.PrincipalType, principalType)
	for _, c := range info.claims {
		attrs.PutStr(auditattr.TokenClaimPrefix+c.name, c.value)
	}
	if n := distinctTokens(sc.findings); n > 1 {
		attrs.PutInt(auditattr.TokenCount, int64(n))
	}
	if len(v) > 0 {
		putStrings(attrs, auditattr.Violations, v)
		for _, name := range v {
			sc.stats.countViolation(name)
		}
	} else {
		attrs.Remove(auditattr.Violations) // a producer's stale verdicts must not survive
	}
}

// statusOrder ranks statuses: the first violation found in this order names
// the token's status.
var statusOrder = []struct{ violation, status string }{
	{auditattr.ViolationMalformed, auditattr.StatusMalformed},
	{auditattr.ViolationInvalidSignature, auditattr.StatusInvalidSignature},
	{auditattr.ViolationRevoked, auditattr.StatusRevoked},
	{auditattr.ViolationExpired, auditattr.StatusExpired},
	{auditattr.ViolationNotYetValid, auditattr.StatusNotYetValid},
	{auditattr.ViolationUnknown, auditattr.StatusUnknown},
}

func status(violations []string) string {
	for _, s := range statusOrder {
		for _, v := range violations {
			if v == s.violation {
				return s.status
			}
		}
	}
	return auditattr.StatusActive
}

func isAuditAttr(k string, _ pcommon.Value) bool { return strings.HasPrefix(k, auditAttrPrefix) }

const auditAttrPrefix = "tokenaudit."

func distinctTokens(fs []finding) int {
	n := 0
	for i, f := range fs {
		dup := false
		for _, g := range fs[:i] {
			if g.info.id == f.info.id {
				dup = true
				break
			}
		}
		if !dup {
			n++
		}
	}
	return n
}

func putNonEmpty(m pcommon.Map, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}

func putStrings(m pcommon.Map, k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	s := m.PutEmptySlice(k)
	s.EnsureCapacity(len(vs))
	for _, v := range vs {
		s.AppendEmpty().SetStr(v)
	}
}
