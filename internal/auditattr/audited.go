package auditattr

import "go.opentelemetry.io/collector/pdata/pcommon"

// Audited tells whether token_audit (or a gateway writing the contract)
// audited an item: it carries a token id or an outcome. Components that
// act only on audited items ask this one question.
func Audited(attrs pcommon.Map) bool {
	_, tok := attrs.Get(TokenID)
	_, out := attrs.Get(Outcome)
	return tok || out
}
