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
// named parameters (any case) and a userinfo password. A finding with
// Type "" is to be scrubbed but not fingerprinted. fn gets them in order.
func (r *Rules) ScanURL(s string, params []string, fn func(Credential)) {
	query := s
	qStart := 0
	if i := strings.IndexByte(s, '?'); i >= 0 {
		r.scanUserinfo(s[:i], fn)
		query, qStart = s[i+1:], i+1
	} else if strings.Contains(s, "://") {
		r.scanUserinfo(s, fn)
		return
	} else if !strings.Contains(s, "=") {
		return
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	off := qStart
	for query != "" {
		pair, rest, _ := strings.Cut(query, "&")
		k, v, hasValue := strings.Cut(pair, "=")
		if hasValue && v != "" {
			if c, ok := r.param(k, v, params); ok {
				vStart := off + len(k) + 1
				c.Start, c.End = vStart, vStart+len(v)
				fn(c)
			}
		}
		off += len(pair) + 1
		query = rest
	}
}

// param classifies one query parameter's value.
func (r *Rules) param(k, v string, params []string) (Credential, bool) {
	name, err := url.QueryUnescape(k)
	if err != nil {
		name = k
	}
	name = strings.ToLower(name)
	wanted := false
	for _, p := range params {
		if strings.EqualFold(p, name) {
			wanted = true
			break
		}
	}
	if !wanted {
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
		return Credential{Secret: id, Type: auditattr.TypeAWSAccessKey, Provider: "aws", Hint: id}, id != ""
	}
	return r.Classify(val, auditattr.TypeBearer), true
}

// scanUserinfo reports "user:password" in scheme://user:password@host.
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
	userinfo := auth[:at]
	user, pass, ok := strings.Cut(userinfo, ":")
	if !ok || pass == "" {
		return
	}
	u, err := url.PathUnescape(user)
	if err != nil {
		u = user
	}
	p, err := url.PathUnescape(pass)
	if err != nil {
		p = pass
	}
	fn(Credential{Secret: u + ":" + p, Type: auditattr.TypeBasic, User: u, Start: authStart, End: authStart + at})
}
