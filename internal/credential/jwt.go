package credential

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// JWTHeader holds the JOSE header fields the auditor needs.
type JWTHeader struct {
	Alg, Kid, Typ string
	// Crit: the header names critical extensions ("crit", RFC 7515
	// §4.1.11). None is understood here, so such a token cannot verify.
	Crit bool
}

// Claims are the registered and common access-token claims.
type Claims struct {
	Issuer, Subject, JTI, ClientID, AuthorizedParty string
	Audience                                        []string
	Scopes                                          []string
	ExpiresAt, NotBefore, IssuedAt                  int64
	HasExp, HasNbf, HasIat                          bool
}

// JWT is a parsed, unverified JSON Web Token.
type JWT struct {
	Header       JWTHeader
	Claims       Claims
	SigningInput string // "<header>.<payload>", for verification
	Signature    []byte
	Payload      []byte // the decoded JSON payload
}

// Errors carry no token text.
var (
	errTooLong   = errors.New("jwt: too long")
	errSegments  = errors.New("jwt: not 3 segments")
	errBase64    = errors.New("jwt: invalid base64url")
	errHeader    = errors.New("jwt: header is not a JSON object with a string alg")
	errPayload   = errors.New("jwt: payload is not a JSON object")
	errClaimType = errors.New("jwt: a registered claim has the wrong type")
	errJWE       = errors.New("jwt: encrypted (JWE) tokens are not supported")
	errEmptySeg  = errors.New("jwt: empty header or payload")
)

// jwtShaped says whether tok is, or was cut from, a JWT: it starts with
// "eyJ" (base64url of `{"`) and has a dot, or is not base64url at all
// (broken base64), or decodes to a JOSE header alone. Such a token that
// does not parse is a malformed JWT, never an opaque bearer token; an
// "eyJ" token that decodes to other JSON stays opaque.
func jwtShaped(tok string) bool {
	if !strings.HasPrefix(tok, "eyJ") {
		return false
	}
	if strings.IndexByte(tok, '.') >= 0 {
		return true
	}
	b, err := decodeSegment(tok)
	if err != nil {
		return true
	}
	var h JWTHeader
	return parseHeader(b, &h) == nil
}

// ParseJWT parses tok without verifying it. Size and segment count are
// checked before anything is decoded.
func ParseJWT(tok string, limits Limits) (*JWT, error) {
	if len(tok) > limits.MaxTokenBytes {
		return nil, errTooLong
	}
	switch strings.Count(tok, ".") {
	case 2:
	case 4:
		return nil, errJWE
	default:
		return nil, errSegments
	}
	h, rest, _ := strings.Cut(tok, ".")
	p, sig, _ := strings.Cut(rest, ".")
	if h == "" || p == "" {
		return nil, errEmptySeg
	}
	hb, err := decodeSegment(h)
	if err != nil {
		return nil, err
	}
	pb, err := decodeSegment(p)
	if err != nil {
		return nil, err
	}
	sb, err := decodeSegment(sig)
	if err != nil {
		return nil, err
	}
	j := &JWT{SigningInput: tok[:len(h)+1+len(p)], Signature: sb, Payload: pb}
	if err := parseHeader(hb, &j.Header); err != nil {
		return nil, err
	}
	if err := parseClaims(pb, &j.Claims); err != nil {
		return nil, err
	}
	return j, nil
}

// decodeSegment decodes one JWS segment: base64url without padding (RFC
// 7515, section 2), as go-jose reads it. A segment re-encoded with standard
// base64, padding included, is a broken token, not a lenient spelling.
func decodeSegment(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errBase64
	}
	return b, nil
}

// parseHeader reads alg (required, a string), kid and typ; a repeated
// member counts by its last value, as in encoding/json.
func parseHeader(b []byte, h *JWTHeader) error {
	sc := scanner{b: b}
	var bad bool
	hasAlg := false
	err := sc.members(func(key []byte) error {
		var dst *string
		switch string(key) {
		case "alg":
			dst = &h.Alg
		case "kid":
			dst = &h.Kid
		case "typ":
			dst = &h.Typ
		case "crit":
			h.Crit = !sc.isNull()
			if h.Crit {
				return sc.skip()
			}
			return nil
		default:
			return sc.skip()
		}
		v, ok, err := sc.str()
		if err != nil {
			return err
		}
		if string(key) == "alg" {
			hasAlg, bad = ok, !ok
		} else if !ok {
			bad = true
		}
		if !ok {
			return sc.skip()
		}
		*dst = v
		return nil
	})
	if err != nil || bad || !hasAlg {
		return errHeader
	}
	return nil
}

// claimBit names a claim parseClaims reads, for its wrong-type set.
type claimBit uint16

const (
	bitIss claimBit = 1 << iota
	bitSub
	bitJTI
	bitClientID
	bitAzp
	bitAud
	bitScope
	bitScp
	bitExp
	bitNbf
	bitIat
)

// parseClaims reads the registered and common claims as encoding/json
// reads the object into a map: a repeated claim counts by its last value,
// null is absent. A registered claim of the wrong type makes the token
// malformed; other claims are validated and skipped.
func parseClaims(b []byte, c *Claims) error {
	sc := scanner{b: b}
	var wrong claimBit // claims whose last value has the wrong type
	var scope, scp []string
	err := sc.members(func(key []byte) error {
		var bit claimBit
		var dstStr *string
		var dstList *[]string
		var dstTime *int64
		var has *bool
		switch string(key) {
		case "iss":
			bit, dstStr = bitIss, &c.Issuer
		case "sub":
			bit, dstStr = bitSub, &c.Subject
		case "jti":
			bit, dstStr = bitJTI, &c.JTI
		case "client_id":
			bit, dstStr = bitClientID, &c.ClientID
		case "azp":
			bit, dstStr = bitAzp, &c.AuthorizedParty
		case "aud":
			bit, dstList = bitAud, &c.Audience
		case "scope":
			bit, dstList = bitScope, &scope
		case "scp":
			bit, dstList = bitScp, &scp
		case "exp":
			bit, dstTime, has = bitExp, &c.ExpiresAt, &c.HasExp
		case "nbf":
			bit, dstTime, has = bitNbf, &c.NotBefore, &c.HasNbf
		case "iat":
			bit, dstTime, has = bitIat, &c.IssuedAt, &c.HasIat
		default:
			return sc.skip()
		}
		wrong &^= bit
		switch {
		case sc.isNull():
			if dstStr != nil {
				*dstStr = ""
			}
			if dstList != nil {
				*dstList = nil
			}
			if dstTime != nil {
				*dstTime, *has = 0, false
			}
			return nil
		case dstStr != nil:
			v, ok, err := sc.str()
			if err != nil || ok {
				*dstStr = v
				return err
			}
			*dstStr = ""
		case dstList != nil:
			v, ok, err := sc.strings()
			if err != nil || ok {
				*dstList = v
				return err
			}
			*dstList = nil
		default:
			f, ok, err := sc.number()
			*dstTime, *has = 0, false
			if errors.Is(err, errClaimType) || ok && (math.IsNaN(f) || f > math.MaxInt64/2 || f < -math.MaxInt64/2) {
				wrong |= bit
				return nil
			}
			if err != nil || ok {
				*dstTime, *has = int64(f), err == nil
				return err
			}
		}
		wrong |= bit
		return sc.skip()
	})
	if err != nil {
		return errPayload
	}
	if wrong != 0 {
		return errClaimType
	}
	c.Audience = nonEmpty(c.Audience)
	for _, s := range append(scope, scp...) {
		c.Scopes = append(c.Scopes, strings.Fields(s)...)
	}
	if len(c.Scopes) > maxListItems {
		c.Scopes = c.Scopes[:maxListItems]
	}
	c.Scopes = dedupe(c.Scopes)
	return nil
}

func nonEmpty(v []string) []string {
	out := v[:0]
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func dedupe(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := in[:0]
	for _, s := range in {
		dup := false
		for _, o := range out {
			if o == s {
				dup = true
				break
			}
		}
		if !dup && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Claim returns a top-level claim rendered as a string: strings as they
// are, anything else as compact JSON.
func (j *JWT) Claim(name string) (string, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(j.Payload, &m); err != nil {
		return "", false
	}
	raw, ok := m[name]
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", false
	}
	return buf.String(), true
}

// String never shows the token.
func (j *JWT) String() string {
	return fmt.Sprintf("JWT{alg=%s kid=%s}", j.Header.Alg, j.Header.Kid)
}
