package credential

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// maxMatches is "all": every scanner is linear and each match consumes
// input, so a cap would bound nothing but would let the 257th credential
// of a text through unscrubbed.
const maxMatches = -1

// Built-in text patterns. All are RE2: linear in the text.
var (
	// headerPrefixAt matches where a header keyword stands, up to its value:
	// the name, a closing quote, ':' or '=', an opening '[' or quote (JSON
	// arrays of header values). Anchored and bounded: a few bytes a keyword.
	headerPrefixAt = regexp.MustCompile(`^(?i)(?:authorization|api-key|apikey|auth-token|access-token|private-token)["']?[ \t]{0,8}[:=][ \t]{0,8}\[?[ \t]{0,8}["']?`)
	// jwtInText also matches a JWT cut after its payload, and a payload
	// re-encoded with standard base64 ('+', '/', '=' padding), so that all
	// of it is scrubbed and reported malformed. The signature keeps the
	// URL-safe alphabet: a '/' after a JWT in a path is the path's.
	jwtInText = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_+/=-]{8,}(?:\.[A-Za-z0-9_-]*)?`)
)

// Patterns are compiled user patterns for free text.
type Patterns struct {
	res []*regexp.Regexp
	grp []int // the capture group holding the credential
}

// CompilePatterns compiles user patterns; each needs a capture group (group
// 1, or the group named "token").
func CompilePatterns(exprs []string) (*Patterns, error) {
	p := &Patterns{}
	var errs []error
	for i, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("[%d]: %w", i, err))
			continue
		}
		g := re.SubexpIndex("token")
		if g < 0 {
			if re.NumSubexp() < 1 {
				errs = append(errs, fmt.Errorf("[%d] %q: needs a capture group around the credential, e.g. key=(\\S+)", i, e))
				continue
			}
			g = 1
		}
		p.res = append(p.res, re)
		p.grp = append(p.grp, g)
	}
	return p, errors.Join(errs...)
}

// ScanText finds credentials in free text. Findings do not overlap (the
// leftmost wins, then the longest) and fn gets them in order.
func (r *Rules) ScanText(s string, params []string, extra *Patterns, fn func(Credential)) {
	if len(s) < 8 {
		return
	}
	var found []Credential
	add := func(c Credential) { found = append(found, c) }
	// weak: what a name alone gives away (scanSecretAssignments); it gives
	// way to any finding of a scanner that knows the value's form (a key
	// family, a header, a JWT) it overlaps.
	var weak []Credential
	// First: a userinfo's key wins the tie with x-access-token:… read as
	// a header (the same span), and a clone URL in prose is no request's
	// authentication (AsAuth false).
	r.scanTextUserinfo(s, add)
	r.scanHeaders(s, add)
	if len(params) > 0 {
		scanParams(s, func(kStart, kEnd, vStart, vEnd int) {
			if isVariableRef(s[vStart:vEnd]) {
				return
			}
			if c, ok := r.param(flagName(s[kStart:kEnd]), s[vStart:vEnd], params); ok {
				c.AsAuth = true
				add(r.at(c, vStart, vEnd))
			}
		})
	}
	// Scrubbed, not reported: values their names give away (secretname.go).
	scanSecretAssignments(s, params, func(vStart, vEnd int) {
		weak = append(weak, Credential{Start: vStart, End: vEnd})
	})
	if strings.Contains(s, "eyJ") {
		for _, m := range jwtInText.FindAllStringIndex(s, maxMatches) {
			found = append(found, r.at(r.Classify(s[m[0]:m[1]], auditattr.TypeBearer), m[0], m[1]))
		}
	}
	r.scanFamilies(s, add)
	r.scanWebhooks(s, add)
	for _, cr := range r.custom {
		for _, m := range cr.anywhere.FindAllStringIndex(s, maxMatches) {
			if m[1] > m[0] {
				found = append(found, r.at(r.Classify(s[m[0]:m[1]], cr.typ), m[0], m[1]))
			}
		}
	}
	if extra != nil {
		for i, re := range extra.res {
			g := extra.grp[i]
			for _, m := range re.FindAllStringSubmatchIndex(s, maxMatches) {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					st, en := m[2*g], m[2*g+1]
					found = append(found, r.at(r.Classify(s[st:en], auditattr.TypeAPIKey), st, en))
				}
			}
		}
	}
	found = appendUncovered(found, weak)
	emitOrdered(found, fn)
}

// flagName is a parameter name in free text without the dashes of a
// command-line flag: --token=x and -password=x name their values as
// token=x and password=x do.
func flagName(name string) string { return strings.TrimLeft(name, "-") }

// isVariableRef reports whether a parameter value in free text is a shell
// or template variable (--token=$TOKEN, token=${API_TOKEN}, $(cat f)): a
// command line's placeholder, not a credential. A bcrypt hash ($2b$…)
// starts with a digit and is still scrubbed.
func isVariableRef(v string) bool {
	return len(v) > 1 && v[0] == '$' && (v[1] == '{' || v[1] == '(' || v[1] == '_' ||
		v[1] >= 'A' && v[1] <= 'Z' || v[1] >= 'a' && v[1] <= 'z')
}

// emitOrdered gives fn the findings in order without overlaps: the
// leftmost wins, then the longest.
func emitOrdered(found []Credential, fn func(Credential)) {
	slices.SortStableFunc(found, func(a, b Credential) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	last := -1
	for _, c := range found {
		if c.Start < last {
			continue
		}
		fn(c)
		last = c.End
	}
}
