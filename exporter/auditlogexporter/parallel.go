package auditlogexporter

import (
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/split"
)

// minRecordsPerPart is the smallest slice of a request encoded on a
// goroutine of its own. A large request (the realistic one is 1,000
// spans, about 5 ms of encoding) is split so that its encoding uses every
// core instead of one, which is most of its latency before the fsync;
// below this size the split would cost more than it saves.
const minRecordsPerPart = 200

// encodePart encodes items [from, to) of a request into b with enc and
// returns how many it ignored.
type encodePart func(enc *encoder, b *recordBatch, from, to int) (ignored int64)

// encodeParts encodes a request of n items in contiguous parts, at once,
// at most one per core (GOMAXPROCS), the first on the caller's goroutine.
// It returns once every part is encoded: no goroutine outlives the call.
// The parts' batches are in request order; release each with its encoder.
func (e *auditExporter) encodeParts(n int, encode encodePart) ([]*encoder, []*recordBatch, int64) {
	parts := split.Parts(n, minRecordsPerPart)
	encs := make([]*encoder, parts)
	batches := make([]*recordBatch, parts)
	ignored := make([]int64, parts)
	for p := range parts {
		encs[p], batches[p] = e.encoder()
	}
	split.Run(n, parts, func(p, from, to int) {
		ignored[p] = encode(encs[p], batches[p], from, to)
	})
	var total int64
	for _, n := range ignored {
		total += n
	}
	return encs, batches, total
}

// spansIn calls fn on spans [from, to) of td, counted across its resources
// and scopes in order.
func spansIn(td ptrace.Traces, from, to int, fn func(rs ptrace.ResourceSpans, s ptrace.Span)) {
	i := 0
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			spans := ss.Spans()
			n := spans.Len()
			if i+n <= from {
				i += n
				continue
			}
			for k := max(from-i, 0); k < n && i+k < to; k++ {
				fn(rs, spans.At(k))
			}
			i += n
			if i >= to {
				return
			}
		}
	}
}
