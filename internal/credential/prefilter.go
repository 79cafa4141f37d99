package credential

import "strings"

// Every finding of ScanText starts from a few bytes: a header keyword
// before ':' or '=', a query parameter name before '=', "eyJ" (a JWT), a
// key family's prefix at the start of a word, "hooks" (a webhook URL),
// "://user:password@" (a URL's userinfo).
// MayHoldText looks for those in one pass, so a value without any (most of
// an audit record) costs one walk instead of every scanner's.

// Bytes where MayHoldText looks closer: a separator (a header or a
// parameter name may stand before it), the first byte of a key family's
// prefix at a word start, an '@' (a URL's user:password before it), or
// the rarest byte of "eyJ" ('J') or "hooks"
// ('k'), which may stand anywhere. textTriggers[1] is for a byte that
// follows a word byte, where no family starts: letters such as 's' and
// 'r' start families but mostly stand inside words.
const (
	triggerSeparator = 1 << iota
	triggerFamily
	triggerAnywhere
	triggerUserinfo
)

var textTriggers = func() (t [2][256]uint8) {
	for after := range t {
		t[after][':'] |= triggerSeparator
		t[after]['='] |= triggerSeparator
		t[after]['J'] |= triggerAnywhere
		t[after]['k'] |= triggerAnywhere
		t[after]['@'] |= triggerUserinfo
	}
	for c := range familiesByFirst {
		if familiesByFirst[c] != nil {
			t[0][c] |= triggerFamily
		}
	}
	return t
}()

// wordBytes is isWordByte as a table, 1 for a word byte.
var wordBytes = func() (t [256]uint8) {
	for c := range t {
		if isWordByte(byte(c)) {
			t[c] = 1
		}
	}
	return t
}()

// familySeconds holds, per first byte of a family prefix, the set of its
// second bytes, so most words that start with a prefix's first byte are
// cleared without comparing every prefix of that byte.
var familySeconds = func() (t [256][4]uint64) {
	for c := range familiesByFirst {
		for _, f := range familiesByFirst[c] {
			t[c][f.prefix[1]/64] |= 1 << (f.prefix[1] % 64)
		}
	}
	return t
}()

// MayHoldText reports whether ScanText(s, params, nil, fn) may find
// something in s. When it is false, ScanText finds nothing: it is a
// superset of every scanner's starting condition, never a guess.
//
// It is hand-written for speed: the exporter's guard runs it on every
// value of every record (BenchmarkRecordStages/guard); FuzzMayHoldText
// checks it against the full scan and against its plain two-pass form.
func (r *Rules) MayHoldText(s string, params []string) bool {
	if len(s) < 8 {
		return false
	}
	// A user pattern may start anywhere.
	if len(r.custom) > 0 {
		return true
	}
	after := uint8(0) // 1 when s[i-1] is a word byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		t := textTriggers[after][c]
		after = wordBytes[c]
		if t == 0 {
			continue
		}
		if t&triggerAnywhere != 0 && (i >= 2 && c == 'J' && s[i-2:i] == "ey" || i >= 3 && c == 'k' && strings.HasPrefix(s[i-3:], "hooks")) {
			return true
		}
		if t&triggerSeparator != 0 && (headerNameBefore(s, i) || assignmentBefore(s, i, params)) {
			return true
		}
		if t&triggerUserinfo != 0 && userinfoAt(s, i) {
			return true
		}
		if t&triggerFamily != 0 && i+1 < len(s) && familySeconds[c][s[i+1]/64]&(1<<(s[i+1]%64)) != 0 {
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
