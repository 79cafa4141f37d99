package credential

import "strings"

// Every finding of ScanText starts from a few bytes: a header keyword
// before ':' or '=', a query parameter name before '=', "eyJ" (a JWT), a
// key family's prefix at the start of a word, "hooks" (a webhook URL).
// MayHoldText looks for those in one pass, so a value without any (most of
// an audit record) costs one walk instead of every scanner's.

// Bytes where MayHoldText looks closer: a separator (a header or a
// parameter name may stand before it) or the first byte of a key family's
// prefix. "eyJ" and "hooks" are searched for whole.
const (
	triggerSeparator = 1 << iota
	triggerFamily
)

var textTriggers = func() (t [256]uint8) {
	t[':'] |= triggerSeparator
	t['='] |= triggerSeparator
	for c := range familiesByFirst {
		if familiesByFirst[c] != nil {
			t[c] |= triggerFamily
		}
	}
	return t
}()

// MayHoldText reports whether ScanText(s, params, nil, fn) may find
// something in s. When it is false, ScanText finds nothing: it is a
// superset of every scanner's starting condition, never a guess.
func (r *Rules) MayHoldText(s string, params []string) bool {
	if len(s) < 8 {
		return false
	}
	// A user pattern may start anywhere.
	if len(r.custom) > 0 || strings.Contains(s, "eyJ") || strings.Contains(s, "hooks") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch textTriggers[s[i]] {
		case 0:
		case triggerSeparator:
			if headerNameBefore(s, i) || s[i] == '=' && paramNameBefore(s, i, params) {
				return true
			}
		default:
			if i > 0 && isWordByte(s[i-1]) {
				continue
			}
			if n, _ := familyAt(s[i:]); n > 0 {
				return true
			}
		}
	}
	return false
}

// headerNameBefore reports whether a header keyword ends before the
// separator at sep, as headerPrefixAt reads it: the keyword, an optional
// quote, at most 8 blanks.
func headerNameBefore(s string, sep int) bool {
	j := sep
	for blanks := 0; blanks < 8 && j > 0 && (s[j-1] == ' ' || s[j-1] == '\t'); blanks++ {
		j--
	}
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		j--
	}
	for _, kw := range headerKeywords {
		if j >= len(kw) && strings.EqualFold(s[j-len(kw):j], kw) {
			return true
		}
	}
	return false
}

// paramNameBefore reports whether the name scanParams reads before the
// '=' at eq is one of params.
func paramNameBefore(s string, eq int, params []string) bool {
	ks := eq
	for ks > 0 && eq-ks < 64 && isParamNameByte(s[ks-1]) {
		ks--
	}
	if ks == eq {
		return false
	}
	name := flagName(s[ks:eq])
	for _, p := range params {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}
