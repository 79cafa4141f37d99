package credential

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// maxMatches bounds the findings of one pattern in one text.
const maxMatches = 256

// Built-in text patterns. All are RE2: linear in the text.
var (
	// headerInText: "Authorization: Bearer x", `authorization="Basic x"`, "X-Api-Key: x".
	headerInText = regexp.MustCompile(`(?i)\b(?:proxy-)?(?:authorization|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token|x-goog-api-key)["']?\s*[:=]\s*["']?(?:(bearer|basic|token)\s+)?([A-Za-z0-9\-._~+/=:]{8,})`)
	// paramInText: key=value pairs, as in URLs and form bodies.
	paramInText = regexp.MustCompile(`([A-Za-z0-9_.\-]{1,64})=([^&\s"'#,;<>]{1,1000})`)
	jwtInText   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
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
	if len(s) > maxScan {
		s = s[:maxScan]
	}
	if len(s) < 8 {
		return
	}
	var found []Credential
	for _, m := range headerInText.FindAllStringSubmatchIndex(s, maxMatches) {
		tokStart, tokEnd := m[4], m[5]
		var c Credential
		if m[2] >= 0 && strings.EqualFold(s[m[2]:m[3]], "basic") {
			c = r.basic(s[tokStart:tokEnd])
		} else {
			c = r.Classify(s[tokStart:tokEnd], auditattr.TypeBearer)
		}
		found = append(found, r.at(c, tokStart, tokEnd))
	}
	if len(params) > 0 && strings.IndexByte(s, '=') >= 0 {
		for _, m := range paramInText.FindAllStringSubmatchIndex(s, maxMatches) {
			if c, ok := r.param(s[m[2]:m[3]], s[m[4]:m[5]], params); ok {
				found = append(found, r.at(c, m[4], m[5]))
			}
		}
	}
	if strings.Contains(s, "eyJ") {
		for _, m := range jwtInText.FindAllStringIndex(s, maxMatches) {
			found = append(found, r.at(r.Classify(s[m[0]:m[1]], auditattr.TypeBearer), m[0], m[1]))
		}
	}
	for _, m := range familyPattern.FindAllStringIndex(s, maxMatches) {
		found = append(found, r.at(r.Classify(s[m[0]:m[1]], auditattr.TypeAPIKey), m[0], m[1]))
	}
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
