package auditlog

import "fmt"

// ProblemKind names one way a log can fail verification. The names are
// stable: auditctl prints them and scripts may match on them.
type ProblemKind string

const (
	ProblemModifiedRecord      ProblemKind = "modified_record"
	ProblemInsertedRecord      ProblemKind = "inserted_record"
	ProblemDeletedRecord       ProblemKind = "deleted_record"
	ProblemReorderedRecord     ProblemKind = "reordered_record"
	ProblemDuplicateRecord     ProblemKind = "duplicate_record"
	ProblemTruncated           ProblemKind = "truncated_after_checkpoint"
	ProblemMissingFile         ProblemKind = "missing_file"
	ProblemModifiedHash        ProblemKind = "modified_hash"
	ProblemRootMismatch        ProblemKind = "root_mismatch"
	ProblemBadSignature        ProblemKind = "bad_signature"
	ProblemUnknownKey          ProblemKind = "unknown_key"
	ProblemMalformedCheckpoint ProblemKind = "malformed_checkpoint"
	ProblemWrongOrigin         ProblemKind = "wrong_origin"
	ProblemRolledBack          ProblemKind = "rolled_back"
	ProblemReplacedLog         ProblemKind = "replaced_log"
	ProblemUncheckpointed      ProblemKind = "uncheckpointed_tail"
	ProblemUnreadable          ProblemKind = "unreadable"
	ProblemNoCheckpoint        ProblemKind = "no_checkpoint"
)

// Problem is one finding of Verify, with where it is.
type Problem struct {
	Kind   ProblemKind
	Index  int64  // record index, -1 when not about one record
	File   string // file name inside the log directory, when known
	Detail string
}

func (p Problem) String() string {
	where := ""
	if p.Index >= 0 {
		where = fmt.Sprintf(" record %d", p.Index)
	}
	if p.File != "" {
		where += " in " + p.File
	}
	return fmt.Sprintf("%s:%s: %s", p.Kind, where, p.Detail)
}
