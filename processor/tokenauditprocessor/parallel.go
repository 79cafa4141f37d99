package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import "github.com/tokenaudit/tokenaudit/internal/split"

// minItemsPerPart is the smallest slice of a scope's spans or log records
// audited on a goroutine of its own. A realistic request is one scope of
// 1,000 spans, a few milliseconds of one core; split, it uses every core
// instead of one, which is the request's latency on a half-loaded
// collector. Below this size the split would cost more than it saves.
const minItemsPerPart = 200

// auditItems audits items [0, n) of one scope with audit, in contiguous
// parts at once when the scope is large, at most one per core
// (GOMAXPROCS), the first on the caller's goroutine with sc. Every other
// part has a scratch of its own that starts from sc's verdict context
// (policy, request, resource and scope findings) and adds its counts to
// sc's at the end. It returns once every part is done: no goroutine
// outlives the call. Items are independent: each part changes only its
// own items' attributes.
func (p *tokenAudit) auditItems(n int, sc *scratch, audit func(i int, sc *scratch)) {
	parts := split.Parts(n, minItemsPerPart)
	if parts == 1 {
		for i := range n {
			audit(i, sc)
		}
		return
	}
	scratches := make([]*scratch, parts)
	scratches[0] = sc
	for part := 1; part < parts; part++ {
		scratches[part] = p.partScratch(sc)
	}
	split.Run(n, parts, func(part, from, to int) {
		for i := from; i < to; i++ {
			audit(i, scratches[part])
		}
	})
	for _, hs := range scratches[1:] {
		sc.stats.add(&hs.stats)
		hs.policy = nil
		p.scratch.Put(hs)
	}
}

func (p *tokenAudit) partScratch(sc *scratch) *scratch {
	hs := p.scratch.Get().(*scratch)
	hs.stats = batchStats{}
	hs.policy = sc.policy
	hs.batchFindings = append(hs.batchFindings[:0], sc.batchFindings...)
	hs.resFindings = append(hs.resFindings[:0], sc.resFindings...)
	hs.scopeFindings = append(hs.scopeFindings[:0], sc.scopeFindings...)
	return hs
}

// add adds a part's counts to its batch's.
func (s *batchStats) add(o *batchStats) {
	s.items += o.items
	s.malformed += o.malformed
	s.hits += o.hits
	s.misses += o.misses
	s.evictions += o.evictions
	s.unscanned += o.unscanned
	for i := range s.credentials {
		s.credentials[i] += o.credentials[i]
	}
	for i := range s.violations {
		s.violations[i] += o.violations[i]
	}
}
