// Package auditlog is the tamper-evident, durable store behind the audit_log
// exporter and auditctl.
//
// A log is one directory:
//
//	audit-000000000000.jsonl        segments: one JSON record per line, named by
//	audit-000000012345.jsonl.gz     the index of their first record; sealed ones
//	                                may be gzip-compressed
//	tree.hashes                     the RFC 6962 tree: 32-byte stored hashes in
//	                                golang.org/x/mod/sumdb/tlog order
//	checkpoints.jsonl               every signed checkpoint, one JSON line each
//	checkpoint                      the latest signed checkpoint, as a note
//
// Every record is a leaf of one Merkle tree that spans all segments. A
// checkpoint is a C2SP tlog-checkpoint (origin, size, base64 root, and a
// timestamp extension line) signed as a golang.org/x/mod/sumdb/note with
// Ed25519. A batch is acknowledged only after its records and hashes are
// fsynced; a crash leaves at most a torn final line, which Open removes.
//
// Checkpoints are off the append path: the append (or Maintain) that makes
// one due only takes the tree head, and one writer goroutine, from Open to
// Close, signs it and writes checkpoints.jsonl, checkpoint and the mirror;
// heads that queue meanwhile coalesce to the newest. Rotation, a key
// change and Close sign at once. A checkpoint covers only fsynced records
// and checkpoints only grow; Close signs everything appended. A background
// checkpoint's failure is returned once, by the next Append, Maintain,
// Checkpoint or Close (an Append's records are written all the same, as
// when the checkpoint failed in line; a retry finds them as replays).
package auditlog
