package auditlogexporter

import (
	"strings"
	"sync/atomic"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
)

// guard is the last line of defence: a value about to be written that
// still holds a credential (the processor missed it, or was bypassed) is
// redacted and counted. It is safe for concurrent use.
type guard struct {
	rules      *credential.Rules
	params     []string
	redactions atomic.Int64
}

func newGuard() (*guard, error) {
	rules, err := credential.NewRules(nil, credential.DefaultLimits())
	if err != nil {
		return nil, err
	}
	return &guard{rules: rules, params: credential.DefaultQueryParams()}, nil
}

// clean returns s with every credential in it redacted, and counts them.
func (g *guard) clean(s string) string {
	c, n := g.scan(s)
	if n > 0 {
		g.redactions.Add(int64(n))
	}
	return c
}

// mayHold is the pre-filter: false means the full scan finds nothing in s.
func (g *guard) mayHold(s string) bool {
	return g.rules.MayHoldText(s, g.params)
}

// scan returns s with every credential in it redacted, and how many. Most
// values cannot hold one (the pre-filter says so in one pass); only the
// others get the full scan.
func (g *guard) scan(s string) (string, int) {
	if !g.mayHold(s) {
		return s, 0
	}
	return g.scanFull(s)
}

// scanFull is scan without the pre-filter.
func (g *guard) scanFull(s string) (string, int) {
	if len(s) < 8 {
		return s, 0
	}
	var spans [][2]int
	g.rules.ScanText(s, g.params, nil, func(c credential.Credential) {
		if c.End > c.Start && !auditattr.IsTokenID(s[c.Start:c.End]) && !strings.HasPrefix(s[c.Start:c.End], auditattr.Redacted) {
			spans = append(spans, [2]int{c.Start, c.End})
		}
	})
	if len(spans) == 0 {
		return s, 0
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(auditattr.Redacted)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String(), len(spans)
}
