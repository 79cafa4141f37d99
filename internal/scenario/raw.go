package scenario

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Raw renders a scenario as the requests a service records before
// token_audit has seen them: each span carries its token's real
// credential in the Authorization header and the request as HTTP
// semantic conventions, so that token_audit finds, verifies and
// fingerprints it as in production.
//
// Tokens with a principal become HS256 JWTs carrying the principal, the
// scopes and the lifetime; the anonymous tokens of credential stuffing
// become opaque bearer tokens. Of the injected stateless verdicts, those a
// credential alone can cause are rendered (expired, not_yet_valid,
// invalid_signature, each with a token of its own); the others need a
// policy of their own and are left out (Renders tells which).
type Raw struct {
	secret []byte
	KeyID  string
}

// NewRaw signs with secret (at least 32 bytes, as token_audit requires),
// under key id "scenario".
func NewRaw(secret []byte) *Raw { return &Raw{secret: secret, KeyID: "scenario"} }

// rawVerdicts are the verdicts a credential alone causes.
var rawVerdicts = map[string]bool{
	auditattr.ViolationExpired:          true,
	auditattr.ViolationNotYetValid:      true,
	auditattr.ViolationInvalidSignature: true,
}

// Renders reports whether e can be rendered as a raw request.
func (r *Raw) Renders(e *Event) bool {
	return len(e.Violations) == 0 || (len(e.Violations) == 1 && rawVerdicts[e.Violations[0]])
}

// Credential is the Authorization value of e's token: the same for every
// event of a token, so that the token's fingerprint is stable.
func (r *Raw) Credential(e *Event) string {
	if e.Principal == "" {
		return "Bearer " + r.opaque(e.TokenID)
	}
	claims := map[string]any{
		"sub": e.Principal,
		"jti": "jti-" + r.opaque(e.TokenID)[:16],
	}
	if e.PrincipalType == auditattr.PrincipalService {
		claims["client_id"] = e.Principal
	}
	if len(e.Scopes) > 0 {
		claims["scope"] = strings.Join(e.Scopes, " ")
	}
	if e.IssuedAt != 0 {
		claims["iat"] = e.IssuedAt
	}
	if e.ExpiresAt != 0 {
		claims["exp"] = e.ExpiresAt
	}
	secret := r.secret
	if len(e.Violations) == 1 {
		// A token of its own, made to draw the verdict at e.At.
		at := e.At.Unix()
		switch e.Violations[0] {
		case auditattr.ViolationExpired:
			// Expired before the day began: one token for all of a
			// day's presentations (see verdicts).
			day := e.At.Truncate(24 * time.Hour).Unix()
			claims["iat"], claims["exp"] = day-int64(2*time.Hour/time.Second), day-int64(time.Hour/time.Second)
		case auditattr.ViolationNotYetValid:
			claims["nbf"] = at + int64(time.Hour/time.Second)
		case auditattr.ViolationInvalidSignature:
			secret = append([]byte("forged:"), r.secret...)
		}
	}
	return "Bearer " + r.jwt(claims, secret)
}

// opaque derives a token's bearer secret from its id.
func (r *Raw) opaque(tokenID string) string {
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte("opaque:" + tokenID))
	return "sc_" + hex.EncodeToString(m.Sum(nil))
}

func (r *Raw) jwt(claims map[string]any, secret []byte) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": r.KeyID})
	body, _ := json.Marshal(claims) // maps of strings and numbers always marshal
	input := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc.EncodeToString(m.Sum(nil))
}

// statusCodes are the HTTP answers for each outcome.
var statusCodes = map[string]int64{
	auditattr.OutcomeSuccess: 200,
	auditattr.OutcomeFailure: 401,
	auditattr.OutcomeDenied:  403,
	auditattr.OutcomeError:   500,
}

// Traces renders the events that Renders accepts as server spans of one
// service; the label stays on each injected span (scenario.label).
func (r *Raw) Traces(events []Event) ptrace.Traces {
	return renderSpans(events, r.Renders, r.fill)
}

// fill writes the request as HTTP semantic conventions with the token's
// credential in the Authorization header.
func (r *Raw) fill(e *Event, a pcommon.Map) {
	method, route, _ := strings.Cut(e.Resource, " ")
	a.PutStr("http.request.method", method)
	a.PutStr("http.route", route)
	a.PutInt("http.response.status_code", statusCodes[e.Outcome])
	a.PutStr("network.peer.address", e.Client)
	a.PutStr("http.request.header.authorization", r.Credential(e))
	if e.Label >= 0 {
		a.PutInt(LabelAttribute, int64(e.Label))
	}
}
