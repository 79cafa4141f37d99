package auditlog

import "time"

// Entry is one record to append.
type Entry interface {
	// UID identifies the record, so that one replayed after a crash is
	// written once. Empty means never deduplicated.
	UID() string
	// AppendJSON appends the record as one line of JSON (no newline) that
	// carries seq, its index in the log.
	AppendJSON(dst []byte, seq int64) []byte
}

// LeafPrefixer is an Entry whose lines all begin with the same bytes,
// hashed already: LeafPrefix returns the SHA-256 state after 0x00 and the
// line's first n bytes (as the state's MarshalBinary gives it). The log
// finishes the leaf hash from there instead of hashing the whole line
// again; the leaf is the same RFC 6962 hash of the whole line either way.
type LeafPrefixer interface {
	LeafPrefix() (state []byte, n int)
}

// duplicateMarker is implemented by entries that want to know they were
// not written because the log already holds them.
type duplicateMarker interface{ MarkDuplicate() }

// Event is something the log itself did that belongs in the log: a
// recovery, a rotation, a deletion by retention. Options.NewEvent turns it
// into a record; the record must carry the event under
// "unmapped": {"tokenaudit_log": {...}} with these JSON names, because the
// verifier reads deletions from there.
type Event struct {
	Kind    EventKind `json:"event"`
	Segment string    `json:"segment,omitempty"`
	First   int64     `json:"first"`
	Count   int64     `json:"count"`
	Detail  string    `json:"detail,omitempty"`
	Time    time.Time `json:"-"`
}

// EventKind names what the log did.
type EventKind string

const (
	EventRecovered      EventKind = "recovered"
	EventSegmentSealed  EventKind = "segment_sealed"
	EventSegmentDeleted EventKind = "segment_deleted"
)

// eventMarker is how the verifier finds log events without parsing every
// record.
const eventMarker = `"tokenaudit_log":`
