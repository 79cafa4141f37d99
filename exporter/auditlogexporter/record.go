package auditlogexporter

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// record is one encoded audit record, split where its sequence number
// goes: the log numbers records as it appends them.
type record struct {
	uid   string
	class string // for the records metric
	head  []byte // `{"metadata":{"uid":"…","sequence":`
	tail  []byte // the rest of the object
	dup   bool   // the log already held it
}

func (r *record) MarkDuplicate() { r.dup = true }

func (r *record) UID() string { return r.uid }

func (r *record) AppendJSON(dst []byte, seq int64) []byte {
	dst = append(dst, r.head...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, r.tail...)
}

// recordID names an event by its content, not by when it was logged, so a
// replay of the same span or log record has the same id.
func recordID(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

// metadataTail is what follows the sequence number in every record.
func (e *encoder) metadataTail(dst []byte, loggedMillis int64, profiles bool, correlation string) []byte {
	if correlation != "" {
		dst = append(dst, `,"correlation_uid":`...)
		dst = appendString(dst, correlation)
	}
	dst = append(dst, `,"logged_time":`...)
	dst = strconv.AppendInt(dst, loggedMillis, 10)
	dst = append(dst, `,"version":"1.8.0","log_name":"tokenaudit","product":{"name":"tokenaudit","vendor_name":"tokenaudit","version":`...)
	dst = appendString(dst, e.version)
	dst = append(dst, '}')
	if profiles {
		dst = append(dst, `,"profiles":["trace"]`...)
	}
	return append(dst, '}', ',')
}

// finish turns an encoded body (the members after metadata, without
// braces) into a record. trace lists the trace profile; correlation, when
// set, is metadata.correlation_uid.
func (e *encoder) finish(class string, body []byte, loggedMillis int64, trace bool, correlation string) *record {
	uid := recordID(body)
	head := make([]byte, 0, 64)
	head = append(head, `{"metadata":{"uid":"`...)
	head = append(head, uid...)
	head = append(head, `","sequence":`...)
	tail := make([]byte, 0, len(body)+200)
	tail = e.metadataTail(tail, loggedMillis, trace, correlation)
	tail = append(tail, body...)
	tail = append(tail, '}')
	return &record{uid: uid, class: class, head: head, tail: tail}
}
