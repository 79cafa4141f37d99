package auditlogexporter

import (
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// The encoder calls the stage benchmarks and the golden test make.

// stageBuf is what an encoder writes into.
type stageBuf = recordBatch

// stageEncode encodes one record into b, emptied first, and returns its
// bytes after the sequence number.
func stageEncode(enc *encoder, b *stageBuf, it *item, logged int64) []byte {
	b.reset()
	enc.apiActivity(b, it, logged)
	return b.buf
}

// stageEntries are the records encoded into b.
func stageEntries(b *stageBuf) []auditlog.Entry { return b.records() }

func stageRecord(enc *encoder, it *item, logged int64) auditlog.Entry {
	b := &recordBatch{}
	enc.apiActivity(b, it, logged)
	return b.records()[0]
}

func stageFinding(enc *encoder, it *item, sev plog.SeverityNumber, logged int64) auditlog.Entry {
	b := &recordBatch{}
	enc.detectionFinding(b, it, sev, logged)
	return b.records()[0]
}

// stageHash is all the hashing of one record: the record id and the
// leaf's beginning over its head, in one pass, then the log's leaf hash
// finished over the rest of the line.
func stageHash(b *stageBuf, h *auditlog.LeafHasher, head, line []byte) {
	b.uids, b.states = b.uids[:0], b.states[:0]
	b.hashHead(head)
	_ = h.HashFrom(b.states, len(head), line)
}
