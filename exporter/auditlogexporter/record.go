package auditlogexporter

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// record is one encoded audit record. The log numbers records as it
// appends them, so the record is kept without its sequence number: its id
// and tail, the members after the sequence.
type record struct {
	uid   string // metadata.uid, the hex of 16 bytes
	class string // for the records metric
	tail  []byte // `,"logged_time":…}` and the rest of the object
	own   bool   // the log's own event: never deduplicated
	dup   bool   // the log already held it
	start int    // where tail starts in its batch's buffer
}

func (r *record) MarkDuplicate() { r.dup = true }

func (r *record) UID() string {
	if r.own {
		return ""
	}
	return r.uid
}

func (r *record) AppendJSON(dst []byte, seq int64) []byte {
	dst = append(dst, `{"metadata":{"uid":"`...)
	dst = append(dst, r.uid...)
	dst = append(dst, `","sequence":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, r.tail...)
}

// uidLen is the length of a record id: 16 bytes of SHA-256, in hex.
const uidLen = 2 * 16

// recordBatch holds the records of a batch in one buffer: once its buffers
// have grown, encoding a record into it allocates nothing. Reset it to
// reuse it for the next batch, once the log has taken the records.
type recordBatch struct {
	buf     []byte // the records' tails, one after another
	uids    []byte // the records' ids, one after another
	recs    []record
	entries []auditlog.Entry
}

func (b *recordBatch) reset() {
	b.buf, b.uids, b.recs = b.buf[:0], b.uids[:0], b.recs[:0]
	clear(b.entries)
	b.entries = b.entries[:0]
}

// begin starts a record: the metadata members that follow the sequence
// number, which do not depend on the body. It returns where the body
// starts.
func (b *recordBatch) begin(version string, loggedMillis int64, profiles bool, correlation pcommon.TraceID) int {
	b.recs = append(b.recs, record{start: len(b.buf)})
	b.buf = appendMetadataTail(b.buf, version, loggedMillis, profiles, correlation)
	return len(b.buf)
}

// end closes the record begun last, whose body (the members after
// metadata, without braces) is b.buf[body:]. Its id hashes the body.
func (b *recordBatch) end(class string, body int) {
	b.uids = appendRecordID(b.uids, b.buf[body:])
	b.buf = append(b.buf, '}')
	b.recs[len(b.recs)-1].class = class
}

// appendRecordID names an event by its content, not by when it was
// logged, so a replay of the same span or log record has the same id.
func appendRecordID(dst, body []byte) []byte {
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:uidLen/2])
}

// records returns the batch's records as log entries. Their ids share one
// string: the log keeps them, never the batch's buffers.
func (b *recordBatch) records() []auditlog.Entry {
	uids := string(b.uids)
	b.entries = b.entries[:0]
	for i := range b.recs {
		r := &b.recs[i]
		r.uid = uids[i*uidLen : (i+1)*uidLen]
		end := len(b.buf)
		if i+1 < len(b.recs) {
			end = b.recs[i+1].start
		}
		r.tail = b.buf[r.start:end]
		b.entries = append(b.entries, r)
	}
	return b.entries
}

// appendMetadataTail appends what follows the sequence number in every
// record. profiles lists the trace profile; correlation, when set, is
// metadata.correlation_uid.
func appendMetadataTail(dst []byte, version string, loggedMillis int64, profiles bool, correlation pcommon.TraceID) []byte {
	if !correlation.IsEmpty() {
		dst = append(dst, `,"correlation_uid":"`...)
		dst = hex.AppendEncode(dst, correlation[:])
		dst = append(dst, '"')
	}
	dst = append(dst, `,"logged_time":`...)
	dst = strconv.AppendInt(dst, loggedMillis, 10)
	dst = append(dst, `,"version":"1.8.0","log_name":"tokenaudit","product":{"name":"tokenaudit","vendor_name":"tokenaudit","version":`...)
	dst = appendString(dst, version)
	dst = append(dst, '}')
	if profiles {
		dst = append(dst, `,"profiles":["trace"]`...)
	}
	return append(dst, '}', ',')
}
