// Package auditattr holds the attribute contract between the tokenaudit
// components (see the README's "Attribute contract"). Every component reads
// and writes these names through this package so that none spells them twice.
package auditattr

// Attribute keys written by the token_audit processor.
const (
	TokenID       = "tokenaudit.token.id"
	TokenType     = "tokenaudit.token.type"
	TokenProvider = "tokenaudit.token.provider"
	TokenHint     = "tokenaudit.token.hint"
	TokenSource   = "tokenaudit.token.source"
	// TokenExposedIn is where the token was found outside an authentication
	// header; set with the exposed_credential violation.
	TokenExposedIn = "tokenaudit.token.exposed_in"
	// TokenPresented is false when the token was not the request's
	// authentication (found only in a response header, a log line, an
	// exception, a resource): no verdict or detector of a presented
	// credential judges it.
	TokenPresented = "tokenaudit.token.presented"
	// ExposedTokenIDs and ExposedIn are the item's other credentials found
	// outside an authentication header (not the one token.* describes),
	// and where, in the same order: each is exposed_credential too.
	ExposedTokenIDs = "tokenaudit.exposed.token_ids"
	ExposedIn       = "tokenaudit.exposed.in"
	TokenIssuer     = "tokenaudit.token.issuer"
	TokenAudience   = "tokenaudit.token.audience"
	TokenJTI        = "tokenaudit.token.jti"
	TokenScopes     = "tokenaudit.token.scopes"
	TokenIssuedAt   = "tokenaudit.token.issued_at"
	TokenExpiresAt  = "tokenaudit.token.expires_at"
	TokenStatus     = "tokenaudit.token.status"
	TokenVerified   = "tokenaudit.token.verified"
	// TokenClaimPrefix prefixes claims copied by the processor's claim allow-list.
	TokenClaimPrefix = "tokenaudit.token.claim."
	// TokenCount is set when one item carries more than one distinct credential;
	// the token.* attributes then describe the first one found.
	TokenCount = "tokenaudit.token.count"

	PrincipalID   = "tokenaudit.principal.id"
	PrincipalType = "tokenaudit.principal.type"

	Resource      = "tokenaudit.resource"
	Action        = "tokenaudit.action"
	Outcome       = "tokenaudit.outcome"
	ClientAddress = "tokenaudit.client.address"
	Violations    = "tokenaudit.violations"
)

// Token types (tokenaudit.token.type).
const (
	TypeJWT          = "jwt"
	TypeBearer       = "bearer"
	TypeAPIKey       = "api_key"
	TypeBasic        = "basic"
	TypeAWSAccessKey = "aws_access_key"
)

// Token statuses (tokenaudit.token.status).
const (
	StatusActive           = "active"
	StatusExpired          = "expired"
	StatusNotYetValid      = "not_yet_valid"
	StatusRevoked          = "revoked"
	StatusMalformed        = "malformed"
	StatusInvalidSignature = "invalid_signature"
	StatusUnknown          = "unknown"
)

// Principal types (tokenaudit.principal.type).
const (
	PrincipalUser    = "user"
	PrincipalService = "service"
	PrincipalUnknown = "unknown"
)

// Actions (tokenaudit.action).
const (
	ActionRead   = "read"
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionOther  = "other"
)

// Outcomes (tokenaudit.outcome).
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
	OutcomeError   = "error"
)

// Stateless findings (tokenaudit.violations).
const (
	ViolationExpired            = "expired_token"
	ViolationNotYetValid        = "not_yet_valid_token"
	ViolationRevoked            = "revoked_token"
	ViolationMalformed          = "malformed_token"
	ViolationInvalidSignature   = "invalid_signature"
	ViolationUnknown            = "unknown_token"
	ViolationScope              = "scope_violation"
	ViolationRestrictedResource = "restricted_resource"
	ViolationOffHours           = "off_hours"
	ViolationDisallowedNetwork  = "disallowed_network"
	// ViolationExposedCredential: a credential found outside an
	// authentication header (URL, log body, exception, resource attribute)
	// has leaked into telemetry; the owner should rotate it.
	ViolationExposedCredential = "exposed_credential"
)
