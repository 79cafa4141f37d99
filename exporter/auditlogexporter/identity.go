package auditlogexporter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"iter"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
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

func filePositionOf(attrs pcommon.Map) (filePosition, bool) {
	file := str(attrs, attrFilePath)
	if file == "" {
		file = str(attrs, attrFileName)
	}
	if file == "" {
		return filePosition{}, false
	}
	for _, key := range []string{attrRecordOffset, attrRecordNumber} {
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
	need := false
	for lr := range logRecords(ld) {
		if needsEventID(lr) {
			need = true
			break
		}
	}
	if !need {
		return ld
	}
	out := plog.NewLogs()
	ld.CopyTo(out)
	for lr := range logRecords(out) {
		if needsEventID(lr) {
			lr.Attributes().PutStr(auditattr.EventID, newEventID())
		}
	}
	return out
}

// newEventID returns "evt_" and 128 random bits in hex.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "evt_" + hex.EncodeToString(b[:])
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
// sending queue, so that a batch the queue replays carries the ids it had.
type eventIDStamper struct {
	exporter.Logs
}

func (s eventIDStamper) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	return s.Logs.ConsumeLogs(ctx, withEventIDs(ld))
}
