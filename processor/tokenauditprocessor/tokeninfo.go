package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"bytes"
	"strings"
	"sync/atomic"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/jwtverify"
)

// tokenInfo is everything one credential shows by itself. It is computed
// once per token (and key-set generation), cached, and never mutated (but
// for rememberedAt, atomic: presented.go); the per-item verdicts that
// depend on time, policy or request are not here.
type tokenInfo struct {
	id, typ, provider, hint string
	keyID                   string // non-secret natural id (AWS access key id)

	malformed bool

	issuer, subject, jti string
	audience, scopes     []string
	issuedAt, expiresAt  int64
	notBefore            int64
	hasIat, hasExp       bool
	hasNbf               bool

	verified, badSignature bool
	keyGeneration          uint64 // verifier generation the result belongs to
	fpGeneration           uint64 // fingerprint key generation of id

	principalID, principalType string
	claims                     []claimValue // allow-listed extra claims

	// presentedKey: the credential's key as a presented one in the token
	// cache, zero when it is none scanPresented could find, and its length;
	// rememberedAt: when it was last put there (unix ns, presented.go).
	presentedKey cacheKey
	presentedLen int32
	rememberedAt atomic.Int64
}

type claimValue struct{ name, value string }

// buildTokenInfo fingerprints and, for JWTs, reads and verifies the claims.
func (p *tokenAudit) buildTokenInfo(c *credential.Credential) *tokenInfo {
	fpGen := p.fpGen.Load()
	fp := p.fingerprinter()
	info := &tokenInfo{
		id:           fp.TokenID(c.Secret),
		fpGeneration: fpGen,
		typ:          c.Type,
		provider:     c.Provider,
		hint:         c.Hint,
		malformed:    c.Malformed,
	}
	if c.Type == auditattr.TypeAWSAccessKey && !c.Malformed {
		info.keyID = c.Secret // AWS documents the access key id as non-secret
	}
	switch {
	case c.User != "":
		info.principalID, info.principalType = c.User, auditattr.PrincipalUser
	case c.JWT != nil:
		p.readClaims(info, c.JWT)
	}
	if info.principalID != "" && p.cfg.Scrub.PseudonymizePrincipal {
		info.principalID = fp.PrincipalID(info.principalID)
	}
	return info
}

func (p *tokenAudit) readClaims(info *tokenInfo, j *credential.JWT) {
	cl := &j.Claims
	info.issuer, info.subject, info.jti = cl.Issuer, cl.Subject, cl.JTI
	info.audience, info.scopes = cl.Audience, cl.Scopes
	info.issuedAt, info.hasIat = cl.IssuedAt, cl.HasIat
	info.expiresAt, info.hasExp = cl.ExpiresAt, cl.HasExp
	info.notBefore, info.hasNbf = cl.NotBefore, cl.HasNbf

	// A token whose subject is its own client is a service (client
	// credentials grant); one with a distinct subject acts for a user,
	// unless its issuer marks it app-only in its own way.
	client := cl.ClientID
	if client == "" {
		client = cl.AuthorizedParty
	}
	switch {
	case cl.Subject != "" && cl.Subject != client && !appOnly(j):
		info.principalID, info.principalType = cl.Subject, auditattr.PrincipalUser
	case client != "":
		info.principalID, info.principalType = client, auditattr.PrincipalService
	case cl.Subject != "":
		info.principalID, info.principalType = cl.Subject, auditattr.PrincipalService
	}

	for _, name := range p.cfg.Scrub.Claims {
		if v, ok := j.Claim(name); ok {
			info.claims = append(info.claims, claimValue{name: name, value: truncate(v, 256)})
		}
	}
	p.verify(info, j)
}

func (p *tokenAudit) verify(info *tokenInfo, j *credential.JWT) {
	v := p.verifier
	if v == nil {
		return
	}
	info.keyGeneration = v.Generation()
	if j.Header.Crit {
		// go-jose refuses critical extensions it does not know, and so does
		// the HMAC path: a verdict must not ignore what the issuer marked
		// as must-understand.
		info.badSignature = true
		return
	}
	res, _ := v.VerifyFor(j.Header.Alg, j.Header.Kid, j.Claims.Issuer, j.SigningInput, j.Signature)
	info.verified = res == jwtverify.Verified
	info.badSignature = !info.verified
}

// truncate bounds a value copied from a token, on a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// appOnly reports whether an issuer marks j as a machine's own token
// although its subject is not its client: Auth0's client-credentials
// tokens (`sub` "<client>@clients", `gty` "client-credentials"),
// Microsoft Entra ID's app-only tokens (`idtyp` "app") and Keycloak's
// service accounts (`preferred_username` "service-account-<client>").
// The payload is searched first so that the claims are decoded again
// only for tokens that may carry them.
func appOnly(j *credential.JWT) bool {
	if strings.HasSuffix(j.Claims.Subject, "@clients") {
		return true
	}
	return claim(j, "gty") == "client-credentials" || claim(j, "idtyp") == "app" ||
		bytes.Contains(j.Payload, []byte("service-account-")) && strings.HasPrefix(claim(j, "preferred_username"), "service-account-")
}

// claim is j's claim name ("" when absent), decoded only when the
// payload holds its name.
func claim(j *credential.JWT, name string) string {
	if !bytes.Contains(j.Payload, []byte(name)) {
		return ""
	}
	v, _ := j.Claim(name)
	return v
}
