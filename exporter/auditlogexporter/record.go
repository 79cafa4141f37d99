package auditlogexporter

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"hash"
	"strconv"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// record is one encoded audit record. The log numbers records as it
// appends them, so the record is kept in two parts around its sequence
// number: the head, `{` and the body (every member but metadata), and the
// tail, the metadata members after the sequence number.
//
// The body comes first so that it is hashed once (log format 2): the
// SHA-256 state after 0x00 and the head is both the record id's source
// and the beginning of the log's leaf hash, which the log finishes over
// the metadata (see auditlog.LeafPrefixer).
type record struct {
	uid   string // metadata.uid, the hex of 16 bytes
	class string // for the records metric
	head  []byte // `{` and the body
	tail  []byte // `,"logged_time":…}}`, the members after the sequence
	state []byte // SHA-256 after 0x00 and head, marshalled
	own   bool   // the log's own event: never deduplicated
	dup   bool   // the log already held it
	start int    // where head starts in its batch's buffer
	mid   int    // where tail starts
}

func (r *record) MarkDuplicate() { r.dup = true }

func (r *record) UID() string {
	if r.own {
		return ""
	}
	return r.uid
}

func (r *record) AppendJSON(dst []byte, seq int64) []byte {
	dst = append(dst, r.head...)
	dst = append(dst, `,"metadata":{"uid":"`...)
	dst = append(dst, r.uid...)
	dst = append(dst, `","sequence":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, r.tail...)
}

// LeafPrefix gives the log the leaf hash's state after the head, which
// every line of the record starts with.
func (r *record) LeafPrefix() ([]byte, int) { return r.state, len(r.head) }

// uidLen is the length of a record id: 16 bytes of SHA-256, in hex.
const uidLen = 2 * 16

// recordBatch holds the records of a batch in one buffer: once its buffers
// have grown, encoding a record into it allocates nothing. Reset it to
// reuse it for the next batch, once the log has taken the records.
type recordBatch struct {
	buf     []byte // the records' heads and tails, one after another
	uids    []byte // the records' ids, one after another
	states  []byte // the records' marshalled hash states, one after another
	recs    []record
	entries []auditlog.Entry

	meta metadataTail // of the record begun last
	sha  hash.Hash    // reused record to record
	sum  []byte
	ids  idBlocks // the strings of the batches' ids
}

// idBlocks gives the record ids of small batches their string from a
// larger block, so that a request of a few records does not allocate one
// (BenchmarkRecordStages/record, one record a request, allocated a string
// per record). A block's bytes are written once, when a batch's ids are
// copied in, and never again: the strings that point into it are
// immutable, as strings must be. The log's replay window keeps ids, and
// so their blocks: at most one block's worth more than the ids it keeps.
type idBlocks struct {
	block []byte // the block being filled; its bytes before len are taken
}

// idBlockSize holds 128 ids; a batch with more ids than half a block gets
// a string of its own, as before.
const idBlockSize = 128 * uidLen

// intern returns ids as a string that shares no bytes with ids.
func (x *idBlocks) intern(ids []byte) string {
	if len(ids) == 0 {
		return ""
	}
	if len(ids) > idBlockSize/2 {
		return string(ids)
	}
	if cap(x.block)-len(x.block) < len(ids) {
		// Small at first (a batch used once, a lifecycle record), then
		// doubling up to idBlockSize for a pooled batch.
		x.block = make([]byte, 0, min(idBlockSize, max(2*cap(x.block), 4*len(ids))))
	}
	start := len(x.block)
	x.block = append(x.block, ids...)
	return unsafe.String(&x.block[start], len(ids))
}

// metadataTail is what a record's metadata holds besides its id and
// sequence number.
type metadataTail struct {
	version      string
	loggedMillis int64
	profiles     bool            // lists the trace profile
	correlation  pcommon.TraceID // metadata.correlation_uid, when set
}

func (b *recordBatch) reset() {
	b.buf, b.uids, b.states, b.recs = b.buf[:0], b.uids[:0], b.states[:0], b.recs[:0]
	clear(b.entries)
	b.entries = b.entries[:0]
}

// begin starts a record and returns where its body starts; the body is
// the members before metadata, without braces.
func (b *recordBatch) begin(version string, loggedMillis int64, profiles bool, correlation pcommon.TraceID) int {
	b.recs = append(b.recs, record{start: len(b.buf)})
	b.meta = metadataTail{version, loggedMillis, profiles, correlation}
	b.buf = append(b.buf, '{')
	return len(b.buf)
}

// end closes the record begun last, whose body is b.buf[body:]. Its id
// and its leaf hash's beginning come from one pass over the head.
func (b *recordBatch) end(class string, body int) {
	r := &b.recs[len(b.recs)-1]
	b.hashHead(b.buf[r.start:])
	r.mid = len(b.buf)
	b.buf = appendMetadataTail(b.buf, b.meta)
	r.class = class
}

// hashHead hashes 0x00 and a record's head once, and appends to the batch
// the record id, the first 16 bytes of that hash, and the state, which
// the log's leaf hash continues from. The id names an event by its
// content, not by when it was logged, so a replay of the same span or log
// record has the same id.
func (b *recordBatch) hashHead(head []byte) {
	if b.sha == nil {
		b.sha = sha256.New()
	}
	b.sha.Reset()
	b.sha.Write(leafPrefix[:])
	b.sha.Write(head)
	b.sum = b.sha.Sum(b.sum[:0])
	b.uids = hex.AppendEncode(b.uids, b.sum[:uidLen/2])
	b.states, _ = b.sha.(encoding.BinaryAppender).AppendBinary(b.states)
}

// leafPrefix is RFC 6962's leaf prefix, which the hashed head follows.
var leafPrefix = [1]byte{0}

// records returns the batch's records as log entries. Their ids share one
// string: the log keeps them, never the batch's buffers.
func (b *recordBatch) records() []auditlog.Entry {
	uids := b.ids.intern(b.uids)
	b.entries = b.entries[:0]
	stateLen := 0
	if len(b.recs) > 0 {
		stateLen = len(b.states) / len(b.recs)
	}
	for i := range b.recs {
		r := &b.recs[i]
		r.uid = uids[i*uidLen : (i+1)*uidLen]
		end := len(b.buf)
		if i+1 < len(b.recs) {
			end = b.recs[i+1].start
		}
		r.head, r.tail = b.buf[r.start:r.mid], b.buf[r.mid:end]
		r.state = b.states[i*stateLen : (i+1)*stateLen]
		b.entries = append(b.entries, r)
	}
	return b.entries
}

// appendMetadataTail appends what follows the sequence number in every
// record, and closes the record.
func appendMetadataTail(dst []byte, m metadataTail) []byte {
	if !m.correlation.IsEmpty() {
		dst = append(dst, `,"correlation_uid":"`...)
		dst = hex.AppendEncode(dst, m.correlation[:])
		dst = append(dst, '"')
	}
	dst = append(dst, `,"logged_time":`...)
	dst = strconv.AppendInt(dst, m.loggedMillis, 10)
	dst = append(dst, `,"log_version":"2","version":"1.8.0","log_name":"tokenaudit","product":{"name":"tokenaudit","vendor_name":"tokenaudit","version":`...)
	dst = appendString(dst, m.version)
	dst = append(dst, '}')
	if m.profiles {
		dst = append(dst, `,"profiles":["trace"]`...)
	}
	return append(dst, '}', '}')
}
