package credential

import (
	"net/url"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// scrubOnly are request-signing parameters: secret-bearing, but per request,
// so they are scrubbed and not fingerprinted (Type "").
var scrubOnly = map[string]bool{"x-amz-signature": true, "x-amz-security-token": true, "x-goog-signature": true, "sig": true}

// ScanURL finds credentials in a URL or query string: the values of the
// named parameters (any case), a userinfo password, and wherever they stand
// (path segment, any parameter, fragment) keys of the built-in families and
// secret webhook URLs. A finding with Type "" is to be scrubbed but not
// fingerprinted. fn gets them in order, without overlaps.
func (r *Rules) ScanURL(s string, params []string, fn func(Credential)) {
	var found []Credential
	add := func(c Credential) { found = append(found, c) }
	r.scanURLParts(s, params, add)
	r.scanFamilies(s, add)
	r.scanWebhooks(s, add)
	emitOrdered(found, fn)
}

// scanURLParts reads the parameters and the userinfo.
func (r *Rules) scanURLParts(s string, params []string, fn func(Credential)) {
	off := 0
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		r.scanUserinfo(s[:i], fn)
		off = i + 1
	} else if strings.Contains(s, "://") {
		r.scanUserinfo(s, fn)
		return
	} else if !strings.Contains(s, "=") {
		return
	}
	// Pairs end at '&' or '#': the fragment is read like the query, since
	// OAuth's implicit flow returns access_token=… there.
	for off <= len(s) {
		end := len(s)
		if i := strings.IndexAny(s[off:], "&#"); i >= 0 {
			end = off + i
		}
		r.scanPair(s[off:end], off, params, fn)
		off = end + 1
	}
}

// scanPair reports one name=value pair that starts at off.
func (r *Rules) scanPair(pair string, off int, params []string, fn func(Credential)) {
	k, v, hasValue := strings.Cut(pair, "=")
	if !hasValue || v == "" {
		return
	}
	if c, ok := r.param(k, v, params); ok {
		vStart := off + len(k) + 1
		c.Start, c.End, c.AsAuth = vStart, vStart+len(v), true
		fn(c)
	}
}

// param classifies one query parameter's value.
func (r *Rules) param(k, v string, params []string) (Credential, bool) {
	name, err := url.QueryUnescape(k)
	if err != nil {
		name = k
	}
	name = strings.ToLower(name)
	if !inParams(name, params) {
		return Credential{}, false
	}
	val, err := url.QueryUnescape(v)
	if err != nil {
		val = v
	}
	if scrubOnly[name] {
		return Credential{}, true
	}
	if name == "x-amz-credential" {
		id, _, _ := strings.Cut(val, "/")
		return Credential{Secret: id, Type: auditattr.TypeAWSAccessKey, Provider: "aws", Hint: awsHint(id)}, id != ""
	}
	typ := auditattr.TypeBearer
	if keyParams[name] {
		typ = auditattr.TypeAPIKey
	}
	return r.Classify(val, typ), true
}

// keyParams are the parameters whose value is an API key by their own
// name, as an API-key header's is: an opaque value in ?api_key= is the
// same api_key as in X-API-Key (a provider prefix still decides first).
var keyParams = map[string]bool{"api_key": true, "apikey": true, "api-key": true, "key": true}

// scanUserinfo reports the credential of scheme://user:password@host.
func (r *Rules) scanUserinfo(s string, fn func(Credential)) {
	i := strings.Index(s, "://")
	if i < 0 {
		return
	}
	authStart := i + 3
	auth := s[authStart:]
	if j := strings.IndexAny(auth, "/?#"); j >= 0 {
		auth = auth[:j]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return
	}
	user, _, ok := strings.Cut(auth[:at], ":")
	if !ok {
		// A lone user part is how tokens ride in git and API URLs
		// (https://TOKEN@host): scrub it as a bearer token.
		if u, err := url.PathUnescape(user); err == nil && u != "" {
			c := r.Classify(u, auditattr.TypeBearer)
			c.Start, c.End, c.AsAuth = authStart, authStart+len(user), true
			fn(c)
		}
		return
	}
	if c, ok := r.userinfo(auth[:at], authStart); ok {
		c.AsAuth = true
		fn(c)
	}
}
