package credential

import (
	"net/url"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// userinfo is the credential of "user:password" standing at start. A
// password that is a key of its own (a provider family, a custom rule, a
// JWT: git's https://x-access-token:ghp_…@github.com, GitLab's
// oauth2:glpat-…) is reported alone, so the same key gets the same id in
// any URL, a header or prose; any other password is Basic user:password.
func (r *Rules) userinfo(ui string, start int) (Credential, bool) {
	user, pass, ok := strings.Cut(ui, ":")
	if !ok || pass == "" {
		return Credential{}, false
	}
	p, err := url.PathUnescape(pass)
	if err != nil {
		p = pass
	}
	pStart := start + len(user) + 1
	if c := r.Classify(p, auditattr.TypeBearer); c.Provider != "" || c.Type == auditattr.TypeJWT {
		return r.at(c, pStart, pStart+len(pass)), true
	}
	u, err := url.PathUnescape(user)
	if err != nil {
		u = user
	}
	return Credential{Secret: u + ":" + p, Type: auditattr.TypeBasic, User: u, Start: start, End: start + len(ui)}, true
}

// maxUserinfo bounds how far back from an '@' a userinfo is looked for.
const maxUserinfo = 1024

// scanTextUserinfo finds scheme://user:password@host in free text (a
// clone URL in a log line). A lone user part is left alone in prose: it
// is a user name far more often than a token, and a key-shaped one is a
// family's anyway.
func (r *Rules) scanTextUserinfo(s string, add func(Credential)) {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], '@')
		if i < 0 {
			return
		}
		at := off + i
		off = at + 1
		if start, ok := userinfoStart(s, at); ok {
			if c, ok := r.userinfo(s[start:at], start); ok {
				add(c)
			}
		}
	}
}

// userinfoStart is where the userinfo that ends at the '@' at s[at]
// starts, when "://" and a user:password stand before it. The walk back
// stops at the previous '@', so each byte is walked once.
func userinfoStart(s string, at int) (int, bool) {
	j, colon := at, false
	for j > 0 && at-j < maxUserinfo {
		c := s[j-1]
		if c == '/' || c == '?' || c == '#' || c == '@' || isValueStop(c) {
			break
		}
		colon = colon || c == ':'
		j--
	}
	return j, colon && j >= 3 && s[j-3:j] == "://"
}

// userinfoAt reports whether scanTextUserinfo reads a userinfo before the
// '@' at s[at], for MayHoldText.
func userinfoAt(s string, at int) bool {
	start, ok := userinfoStart(s, at)
	if !ok {
		return false
	}
	_, pass, _ := strings.Cut(s[start:at], ":")
	return pass != ""
}
