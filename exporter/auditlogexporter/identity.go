package auditlogexporter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"iter"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// A record's id must tell a replay of one event (the persistent queue
// after a crash, a retried export, file_log reading a line again after a
// crash) from a second event with the same content (two identical
// requests within a millisecond). The id hashes the record, so the record
// must carry what makes an event distinct: a span its span id, an alert
// its finding id and count, a log record read by file_log its file and
// position there, and any other log record an event id given on entry.

// Attributes file_log sets with include_file_path / include_file_name and
// include_file_record_offset / include_file_record_number.
const (
	attrFilePath     = "log.file.path"
	attrFileName     = "log.file.name"
	attrRecordOffset = "log.file.record_offset"
	attrRecordNumber = "log.file.record_number"
)

// filePosition is where file_log read a record: the same line read again
// has the same position.
type filePosition struct {
	file   string
	key    string // attrRecordOffset or attrRecordNumber
	offset int64
}

func filePositionOf[M attrGetter](attrs M) (filePosition, bool) {
	file := str(attrs, attrFilePath)
	if file == "" {
		file = str(attrs, attrFileName)
	}
	if file == "" {
		return filePosition{}, false
	}
	for _, key := range [...]string{attrRecordOffset, attrRecordNumber} {
		if n, ok := integer(attrs, key); ok {
			return filePosition{file: file, key: key, offset: n}, true
		}
	}
	return filePosition{}, false
}

// needsEventID reports whether nothing in lr tells it apart from another
// event with the same content.
func needsEventID(lr plog.LogRecord) bool {
	if name := lr.EventName(); name == auditattr.EventAnomaly || name == auditattr.EventSpan {
		return false
	}
	attrs := lr.Attributes()
	if !auditattr.Audited(attrs) {
		return false
	}
	if _, ok := attrs.Get(auditattr.EventID); ok {
		return false
	}
	_, inFile := filePositionOf(attrs)
	return !inFile
}

// withEventIDs returns ld with an event id on every record that needs
// one. It stamps a copy: audit_log does not mutate what it is given, and
// most batches (spans, file_log records) need nothing.
func withEventIDs(ld plog.Logs) plog.Logs {
	n := countNeedingEventIDs(ld)
	if n == 0 {
		return ld
	}
	return stampedCopy(ld, newEventIDs(n))
}

// stampedCopy is a copy of ld with ids on the records that need one.
func stampedCopy(ld plog.Logs, ids *eventIDs) plog.Logs {
	out := plog.NewLogs()
	ld.CopyTo(out)
	for lr := range logRecords(out) {
		if needsEventID(lr) {
			lr.Attributes().PutStr(auditattr.EventID, ids.next())
		}
	}
	return out
}

func countNeedingEventIDs(ld plog.Logs) int {
	n := 0
	for lr := range logRecords(ld) {
		if needsEventID(lr) {
			n++
		}
	}
	return n
}

// eventIDs are the ids given on entry to the records of a batch that need
// one, in the order logRecords yields those records. Each is "evt_" and
// 128 random bits in hex; all share one string.
type eventIDs struct {
	all  string
	used int
}

const eventIDLen = len("evt_") + 32

func newEventIDs(n int) *eventIDs {
	random := make([]byte, 16*n)
	_, _ = rand.Read(random) // crypto/rand.Read never fails
	b := make([]byte, 0, n*eventIDLen)
	for i := range n {
		b = append(b, "evt_"...)
		b = hex.AppendEncode(b, random[16*i:16*(i+1)])
	}
	return &eventIDs{all: string(b)}
}

// next is the id of the next record that needs one; "" once all are given.
func (ids *eventIDs) next() string {
	if ids == nil || ids.used+eventIDLen > len(ids.all) {
		return ""
	}
	id := ids.all[ids.used : ids.used+eventIDLen]
	ids.used += eventIDLen
	return id
}

// eventIDsKey carries a batch's eventIDs in the context from the stamper
// to pushLogs, when the batch reaches pushLogs as it entered.
type eventIDsKey struct{}

func eventIDsFrom(ctx context.Context) *eventIDs {
	ids, _ := ctx.Value(eventIDsKey{}).(*eventIDs)
	if ids == nil {
		return nil
	}
	return &eventIDs{all: ids.all} // a retry of the batch gets the same ids
}

// logRecords yields every log record of ld.
func logRecords(ld plog.Logs) iter.Seq[plog.LogRecord] {
	return func(yield func(plog.LogRecord) bool) {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					if !yield(lrs.At(k)) {
						return
					}
				}
			}
		}
	}
}

// eventIDStamper gives log records their event id on entry, before the
// sending queue, so that a batch the queue replays or a retry carries the
// ids it had. When the queue keeps the batch as it is (in memory, not
// re-batched) or there is none, the ids ride in the context and pushLogs
// writes them as if they were attributes: nothing is copied. When the
// queue persists or re-batches, only attributes survive it, so the ids are
// put on a copy.
type eventIDStamper struct {
	exporter.Logs
	inContext bool
}

func newEventIDStamper(exp exporter.Logs, cfg *Config) eventIDStamper {
	q := cfg.QueueConfig.Get()
	inContext := !cfg.QueueConfig.HasValue() || q == nil || q.StorageID == nil && !q.Batch.HasValue()
	return eventIDStamper{Logs: exp, inContext: inContext}
}

func (s eventIDStamper) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	n := countNeedingEventIDs(ld)
	switch {
	case n == 0:
		return s.Logs.ConsumeLogs(ctx, ld)
	case s.inContext:
		return s.Logs.ConsumeLogs(context.WithValue(ctx, eventIDsKey{}, newEventIDs(n)), ld)
	}
	return s.Logs.ConsumeLogs(ctx, stampedCopy(ld, newEventIDs(n)))
}
