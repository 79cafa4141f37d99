package credential

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Rule is a user-defined key format: a token matching Regex gets
// Provider=Name and Type (default api_key).
type Rule struct {
	Name  string
	Regex string
	Type  string
}

type compiledRule struct {
	name, typ string
	whole     *regexp.Regexp // anchored, to classify a token
	anywhere  *regexp.Regexp // unanchored, to find it in text
}

// Rules recognises credentials. It is immutable and safe for concurrent use.
type Rules struct {
	limits Limits
	custom []compiledRule
}

var validTypes = map[string]bool{
	auditattr.TypeJWT: true, auditattr.TypeBearer: true, auditattr.TypeAPIKey: true,
	auditattr.TypeBasic: true, auditattr.TypeAWSAccessKey: true,
}

// NewRules compiles the user rules; errors name the rule.
func NewRules(custom []Rule, limits Limits) (*Rules, error) {
	if limits.MaxTokenBytes <= 0 {
		limits = DefaultLimits()
	}
	r := &Rules{limits: limits}
	var errs []error
	for i, c := range custom {
		if c.Name == "" {
			errs = append(errs, fmt.Errorf("[%d]: name is empty", i))
			continue
		}
		typ := c.Type
		if typ == "" {
			typ = auditattr.TypeAPIKey
		}
		if !validTypes[typ] {
			errs = append(errs, fmt.Errorf("[%d] %s: type %q is not one of jwt, bearer, api_key, basic, aws_access_key", i, c.Name, c.Type))
			continue
		}
		expr := strings.TrimSuffix(strings.TrimPrefix(c.Regex, "^"), "$")
		if expr == "" {
			errs = append(errs, fmt.Errorf("[%d] %s: regex is empty", i, c.Name))
			continue
		}
		whole, err := regexp.Compile(`^(?:` + expr + `)$`)
		if err != nil {
			errs = append(errs, fmt.Errorf("[%d] %s: regex: %w", i, c.Name, err))
			continue
		}
		r.custom = append(r.custom, compiledRule{name: c.Name, typ: typ, whole: whole, anywhere: regexp.MustCompile(expr)})
	}
	return r, errors.Join(errs...)
}

// ParseAuthorization parses an Authorization-style value: "Bearer t",
// "Basic b64", "token t", AWS SigV4, or a bare token. Digest (a per-request
// response, not a reusable credential) and empty values give ok=false.
func (r *Rules) ParseAuthorization(v string) (Credential, bool) {
	start, end := trimSpan(v)
	if start == end {
		return Credential{}, false
	}
	s := v[start:end]
	scheme, rest, hasRest := strings.Cut(s, " ")
	if hasRest {
		rest = strings.TrimLeft(rest, " \t")
		off := start + len(s) - len(rest)
		switch {
		case strings.EqualFold(scheme, "bearer"), strings.EqualFold(scheme, "token"),
			strings.EqualFold(scheme, "apikey"), strings.EqualFold(scheme, "api-key"),
			strings.EqualFold(scheme, "key"), strings.EqualFold(scheme, "dpop"):
			return r.at(r.Classify(rest, auditattr.TypeBearer), off, off+len(rest)), true
		case strings.EqualFold(scheme, "basic"):
			return r.at(r.basic(rest), off, off+len(rest)), true
		case strings.EqualFold(scheme, "aws4-hmac-sha256"):
			return r.at(sigV4(rest), start, end), true
		case strings.EqualFold(scheme, "digest"):
			return Credential{}, false
		}
		// An unknown scheme: the whole value may be secret (Negotiate,
		// custom schemes); the caller redacts it.
		return Credential{}, false
	}
	switch strings.ToLower(s) {
	case "bearer", "basic", "token":
		return Credential{Secret: s, Type: auditattr.TypeBearer, Malformed: true, Reason: "scheme without credentials", Start: start, End: end}, true
	}
	return r.at(r.Classify(s, auditattr.TypeBearer), start, end), true
}

// ParseKey parses an API-key header value: the whole trimmed value.
func (r *Rules) ParseKey(v string) (Credential, bool) {
	start, end := trimSpan(v)
	if start == end {
		return Credential{}, false
	}
	return r.at(r.Classify(v[start:end], auditattr.TypeAPIKey), start, end), true
}

func (r *Rules) at(c Credential, start, end int) Credential {
	c.Start, c.End = start, end
	return c
}

func trimSpan(v string) (int, int) {
	start, end := 0, len(v)
	for start < end && isSpace(v[start]) {
		start++
	}
	for end > start && isSpace(v[end-1]) {
		end--
	}
	return start, end
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Classify recognises a bare token; fallbackType is used when nothing
// more specific matches.
func (r *Rules) Classify(tok string, fallbackType string) Credential {
	c := Credential{Secret: tok, Type: fallbackType}
	if len(tok) > r.limits.MaxTokenBytes {
		c.Malformed, c.Reason = true, "too long"
		return c
	}
	if !printableToken(tok) {
		c.Malformed, c.Reason = true, "invalid characters"
		return c
	}
	if jwtShaped(tok) {
		c.Type = auditattr.TypeJWT
		j, err := ParseJWT(tok, r.limits)
		if err != nil {
			c.Malformed, c.Reason = true, err.Error()
			return c
		}
		c.JWT = j
		return c
	}
	for _, cr := range r.custom {
		if cr.whole.MatchString(tok) {
			c.Type, c.Provider = cr.typ, cr.name
			c.Hint = hint(literalPrefix(cr.whole), tok)
			return c
		}
	}
	if strings.Contains(tok, "hooks") {
		if w, ok := wholeWebhook(tok); ok {
			return w
		}
	}
	if f, ok := matchFamily(tok); ok {
		c.Type, c.Provider = f.typ, f.provider
		c.Hint = hint(f.prefix, tok)
		return c
	}
	if len(tok) >= 24 {
		c.Hint = "…" + tok[len(tok)-4:]
	}
	return c
}

// literalPrefix is the fixed start of a rule's regexp, for its hint.
func literalPrefix(re *regexp.Regexp) string {
	p, _ := re.LiteralPrefix()
	if len(p) > 12 {
		p = p[:12]
	}
	return p
}

// printableToken accepts the RFC 6750 b64token characters and what common
// API keys use: printable ASCII without spaces, quotes or backslashes.
func printableToken(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// basic decodes "Basic <base64(user:password)>".
func (r *Rules) basic(b64 string) Credential {
	c := Credential{Secret: b64, Type: auditattr.TypeBasic}
	if len(b64) > r.limits.MaxTokenBytes {
		c.Malformed, c.Reason = true, "too long"
		return c
	}
	dec, err := decodeStdLenient(b64)
	if err != nil {
		c.Malformed, c.Reason = true, "basic: invalid base64"
		return c
	}
	user, _, ok := strings.Cut(string(dec), ":")
	if !ok {
		c.Malformed, c.Reason = true, "basic: no colon"
		return c
	}
	if !utf8.ValidString(user) || len(user) > 256 {
		c.Malformed, c.Reason = true, "basic: invalid user"
		return c
	}
	c.Secret, c.User = string(dec), user
	return c
}

// sigV4 reads the access key id from an AWS Signature Version 4 header:
// "Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…".
func sigV4(params string) Credential {
	c := Credential{Type: auditattr.TypeAWSAccessKey, Provider: "aws"}
	for _, part := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, "credential") {
			id, _, _ := strings.Cut(v, "/")
			if len(id) >= 16 && len(id) <= 128 && printableToken(id) {
				c.Secret, c.Hint = id, awsHint(id)
				return c
			}
		}
	}
	c.Secret, c.Malformed, c.Reason = params, true, "aws sigv4: no credential"
	return c
}
