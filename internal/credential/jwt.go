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
type JWTHeader struct{ Alg, Kid, Typ string }

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

// LooksLikeJWT is a cheap shape check: it starts with "eyJ" and has at least
// two dots.
func LooksLikeJWT(s string) bool {
	if !strings.HasPrefix(s, "eyJ") {
		return false
	}
	i := strings.IndexByte(s, '.')
	return i > 0 && strings.IndexByte(s[i+1:], '.') >= 0
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

func decodeSegment(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errBase64
	}
	return b, nil
}

// parseHeader reads alg (required, a string), kid and typ.
func parseHeader(b []byte, h *JWTHeader) error {
	sc := scanner{b: b}
	hasAlg := false
	err := sc.members(func(key []byte) error {
		var dst *string
		switch string(key) {
		case "alg":
			dst, hasAlg = &h.Alg, true
		case "kid":
			dst = &h.Kid
		case "typ":
			dst = &h.Typ
		default:
			return sc.skip()
		}
		v, ok, err := sc.str()
		if err != nil {
			return err
		}
		if !ok {
			return errHeader
		}
		*dst = v
		return nil
	})
	if err != nil || !hasAlg {
		return errHeader
	}
	return nil
}

// parseClaims reads the registered and common claims. A registered claim
// of the wrong type makes the token malformed; other claims are skipped.
func parseClaims(b []byte, c *Claims) error {
	sc := scanner{b: b}
	err := sc.members(func(key []byte) error {
		if sc.isNull() {
			return nil
		}
		switch string(key) {
		case "iss", "sub", "jti", "client_id", "azp":
			v, ok, err := sc.str()
			if err != nil {
				return err
			}
			if !ok {
				return errClaimType
			}
			switch string(key) {
			case "iss":
				c.Issuer = v
			case "sub":
				c.Subject = v
			case "jti":
				c.JTI = v
			case "client_id":
				c.ClientID = v
			case "azp":
				c.AuthorizedParty = v
			}
		case "aud":
			v, ok, err := sc.strings()
			if err != nil {
				return err
			}
			if !ok {
				return errClaimType
			}
			c.Audience = nonEmpty(v)
		case "scope", "scp":
			v, ok, err := sc.strings()
			if err != nil {
				return err
			}
			if !ok {
				return errClaimType
			}
			for _, s := range v {
				c.Scopes = append(c.Scopes, strings.Fields(s)...)
			}
		case "exp", "nbf", "iat":
			f, ok, err := sc.number()
			if err != nil {
				return err
			}
			if !ok || math.IsNaN(f) || f > math.MaxInt64/2 || f < -math.MaxInt64/2 {
				return errClaimType
			}
			switch string(key) {
			case "exp":
				c.ExpiresAt, c.HasExp = int64(f), true
			case "nbf":
				c.NotBefore, c.HasNbf = int64(f), true
			case "iat":
				c.IssuedAt, c.HasIat = int64(f), true
			}
		default:
			return sc.skip()
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, errClaimType) {
			return errClaimType
		}
		return errPayload
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
