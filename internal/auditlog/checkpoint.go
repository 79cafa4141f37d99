package auditlog

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, its
// size and root hash, and (as an extension line) when it was signed.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

const timeExtension = "timestamp "

// Text is the checkpoint body that is signed.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s%d\n", c.Origin, c.Size,
		base64.StdEncoding.EncodeToString(c.Root[:]), timeExtension, c.Time.UnixMilli())
}

// ParseCheckpoint reads a checkpoint body (the text of an opened note).
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return c, errors.New("checkpoint must be origin, size and root lines, each ending in a newline")
	}
	c.Origin = lines[0]
	if c.Origin == "" {
		return c, errors.New("checkpoint origin is empty")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return c, fmt.Errorf("checkpoint size %q is not a decimal count", lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(c.Root[:], root)
	for _, ext := range lines[3 : len(lines)-1] {
		if ms, ok := strings.CutPrefix(ext, timeExtension); ok {
			v, err := strconv.ParseInt(ms, 10, 64)
			if err != nil {
				return c, fmt.Errorf("checkpoint timestamp %q is not milliseconds", ms)
			}
			c.Time = time.UnixMilli(v).UTC()
		}
	}
	return c, nil
}

// SignCheckpoint returns the signed note for c.
func SignCheckpoint(c Checkpoint, signer note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint of size %d: %w", c.Size, err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint note against the known keys
// and parses it. Its errors say which of signature, key or format failed.
func OpenCheckpoint(msg []byte, keys *Keys) (Checkpoint, error) {
	if err := canonicalSignatures(msg); err != nil {
		return Checkpoint{}, &CheckpointError{Kind: ProblemBadSignature, Err: err}
	}
	n, err := note.Open(msg, keys)
	if err != nil {
		return Checkpoint{}, &CheckpointError{Kind: classifyNoteError(err, keys), Err: err}
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return c, &CheckpointError{Kind: ProblemMalformedCheckpoint, Err: err}
	}
	return c, nil
}

// canonicalSignatures rejects signature lines whose base64 has non-zero
// padding bits: note.Open accepts them, so such an edit would go unseen.
func canonicalSignatures(msg []byte) error {
	_, sigs, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return nil // note.Open reports it
	}
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(line[i+1:]); err != nil {
			return fmt.Errorf("signature line is not canonical base64: %w", err)
		}
	}
	return nil
}

// classifyNoteError tells an unknown signer from a damaged signature. A
// signature whose key hash was altered names a known key with the wrong
// hash: that is damage, not a stranger.
func classifyNoteError(err error, keys *Keys) ProblemKind {
	var bad *note.InvalidSignatureError
	if errors.As(err, &bad) {
		return ProblemBadSignature
	}
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return ProblemMalformedCheckpoint
	}
	for _, sig := range unverified.Note.UnverifiedSigs {
		if _, kerr := keys.Verifier(sig.Name, sig.Hash); kerr == nil {
			return ProblemBadSignature
		}
		if keys.names[sig.Name] {
			return ProblemBadSignature
		}
	}
	return ProblemUnknownKey
}

// CheckpointError says why a checkpoint could not be trusted.
type CheckpointError struct {
	Kind ProblemKind
	Err  error
}

func (e *CheckpointError) Error() string { return string(e.Kind) + ": " + e.Err.Error() }
func (e *CheckpointError) Unwrap() error { return e.Err }

// Keys are the verification keys a reader trusts.
type Keys struct {
	list  note.Verifiers
	names map[string]bool
}

// Verifier implements note.Verifiers.
func (k *Keys) Verifier(name string, hash uint32) (note.Verifier, error) {
	return k.list.Verifier(name, hash)
}

// NewKeys parses verification keys ("name+hash+base64key", as auditctl
// keygen writes them).
func NewKeys(vkeys ...string) (*Keys, error) {
	k := &Keys{names: map[string]bool{}}
	list := make([]note.Verifier, 0, len(vkeys))
	for _, s := range vkeys {
		v, err := note.NewVerifier(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("verification key: %w", err)
		}
		list = append(list, v)
		k.names[v.Name()] = true
	}
	k.list = note.VerifierList(list...)
	return k, nil
}
