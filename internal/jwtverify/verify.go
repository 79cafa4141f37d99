package jwtverify

import (
	"encoding/base64"
	"strconv"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenaudit/tokenaudit/internal/unsafestr"
)

// maxCandidates bounds the keys tried for one token, so that a token
// without a kid cannot make a large key set cost one verification per key.
const maxCandidates = 16

// Result of a verification.
type Result int

const (
	// Verified: a configured key and an allowed algorithm accept the signature.
	Verified Result = iota
	// InvalidSignature: anything else.
	InvalidSignature
)

func (r Result) String() string {
	switch r {
	case Verified:
		return "Verified"
	case InvalidSignature:
		return "InvalidSignature"
	}
	return "Result(" + strconv.Itoa(int(r)) + ")"
}

// Verify checks a JWT signature. alg and kid come from the JWT header,
// signingInput is "<b64 header>.<b64 payload>" and sig the decoded
// signature. The token's alg only selects among the allowed algorithms; a
// key then verifies it only if the alg suits the key's type, curve and
// pinned alg. reason explains a failure and never shows key material. It
// is VerifyFor a token that names no issuer.
func (v *Verifier) Verify(alg, kid, signingInput string, sig []byte) (res Result, reason string) {
	return v.VerifyFor(alg, kid, "", signingInput, sig)
}

// VerifyFor is Verify for a token whose iss claim is iss: a key bound to an
// issuer verifies only that issuer's tokens, so a token signed with one
// issuer's key but naming another is not verified (whoever holds a shared
// secret could otherwise mint tokens in any issuer's name).
func (v *Verifier) VerifyFor(alg, kid, iss, signingInput string, sig []byte) (res Result, reason string) {
	if v == nil {
		return InvalidSignature, "no verifier"
	}
	if alg == "" || strings.EqualFold(alg, "none") {
		return InvalidSignature, "alg none"
	}
	a := algorithms[alg]
	if a == nil {
		return InvalidSignature, "unsupported alg " + quote(alg)
	}
	if !v.allowed[alg] {
		return InvalidSignature, "alg " + alg + " not allowed"
	}
	// Lengths are public, so this early exit leaks nothing; for ECDSA it
	// also refuses ASN.1 signatures, which JWS does not use.
	if a.sigSize != 0 && len(sig) != a.sigSize {
		return InvalidSignature, "signature of " + strconv.Itoa(len(sig)) + " bytes, " + alg + " needs " + strconv.Itoa(a.sigSize)
	}

	ks := v.keys.Load()
	msg := unsafestr.Bytes(signingInput)
	var jws *jose.JSONWebSignature // parsed once, for the first public key tried
	tried, kidFound, mismatch, otherIssuer := 0, false, "", false
	for i := range ks.keys {
		k := &ks.keys[i]
		if kid != "" && k.kid != kid {
			continue
		}
		kidFound = true
		if k.issuer != "" && k.issuer != iss {
			otherIssuer = true
			continue
		}
		if why := k.mismatch(a); why != "" {
			if mismatch == "" {
				mismatch = why
			}
			continue
		}
		if tried == maxCandidates {
			break
		}
		tried++
		if k.kind == kindHMAC {
			if k.hmac.verify(a, msg, sig) {
				return Verified, ""
			}
			continue
		}
		if jws == nil {
			var err error
			jws, err = jose.ParseSignedCompact(signingInput+"."+base64.RawURLEncoding.EncodeToString(sig), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(a.name)})
			if err != nil {
				return InvalidSignature, "not a JWS go-jose accepts"
			}
		}
		if k.verifyPublic(a, jws, msg, sig) {
			return Verified, ""
		}
	}
	switch {
	case tried > 0:
		return InvalidSignature, "signature mismatch"
	case otherIssuer && mismatch == "":
		return InvalidSignature, "the key is bound to another issuer than the token's iss"
	case kid != "" && !kidFound:
		if why, ok := ks.skipped[kid]; ok {
			return InvalidSignature, "kid " + quote(kid) + " is not usable: " + why
		}
		return InvalidSignature, "unknown kid " + quote(kid)
	case kid != "":
		return InvalidSignature, mismatch
	}
	return InvalidSignature, "no key for alg " + alg
}
