package auditlog

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// Proof shows one record is in a log whose signed checkpoint an auditor
// can check, without the rest of the log.
type Proof struct {
	Origin     string   `json:"origin"`
	Index      int64    `json:"index"`
	Record     string   `json:"record"` // the record line exactly as logged
	TreeSize   int64    `json:"tree_size"`
	Hashes     []string `json:"inclusion_proof"` // base64 RFC 6962 audit path
	Checkpoint string   `json:"checkpoint"`      // the signed note
}

// Prove builds the inclusion proof of record index under the newest
// checkpoint that covers it.
func Prove(dir string, index int64) (*Proof, error) {
	if index < 0 {
		return nil, errors.New("prove: the record index must be 0 or more")
	}
	note, size, err := newestCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if index >= size {
		return nil, fmt.Errorf("prove: record %d is not yet under a checkpoint (the newest signs %d records)", index, size)
	}
	f, err := os.Open(filepath.Join(dir, hashesName))
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	defer f.Close()
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			if _, err := f.ReadAt(out[i][:], idx*tlog.HashSize); err != nil {
				return nil, fmt.Errorf("read stored hash %d: %w", idx, err)
			}
		}
		return out, nil
	})
	rp, err := tlog.ProveRecord(size, index, reader)
	if err != nil {
		return nil, fmt.Errorf("prove record %d: %w", index, err)
	}
	record, err := readRecord(dir, index)
	if err != nil {
		return nil, err
	}
	p := &Proof{Index: index, Record: string(record), TreeSize: size, Checkpoint: string(note)}
	if c, err := parseUnverified(note); err == nil {
		p.Origin = c.Origin
	}
	for _, h := range rp {
		p.Hashes = append(p.Hashes, base64.StdEncoding.EncodeToString(h[:]))
	}
	return p, nil
}

// CheckProof verifies a proof against the trusted keys: the checkpoint's
// signature, then the record's path to the signed root.
func CheckProof(p *Proof, keys *Keys) (Checkpoint, error) {
	c, err := OpenCheckpoint([]byte(p.Checkpoint), keys)
	if err != nil {
		return c, fmt.Errorf("proof checkpoint: %w", err)
	}
	if c.Size != p.TreeSize {
		return c, fmt.Errorf("proof is for a tree of %d records but its checkpoint signs %d", p.TreeSize, c.Size)
	}
	if p.Origin != "" && p.Origin != c.Origin {
		return c, fmt.Errorf("proof names log %q but its checkpoint is for %q", p.Origin, c.Origin)
	}
	rp := make(tlog.RecordProof, len(p.Hashes))
	for i, s := range p.Hashes {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return c, fmt.Errorf("proof hash %d is not a base64 SHA-256 hash", i)
		}
		copy(rp[i][:], b)
	}
	if err := tlog.CheckRecord(rp, c.Size, c.Root, p.Index, tlog.RecordHash([]byte(p.Record))); err != nil {
		return c, fmt.Errorf("record %d is not in the signed tree: %w", p.Index, err)
	}
	return c, nil
}

// newestCheckpoint reads the last line of checkpoints.jsonl.
func newestCheckpoint(dir string) ([]byte, int64, error) {
	data, err := os.ReadFile(filepath.Join(dir, checkpointsName))
	if err != nil {
		return nil, 0, fmt.Errorf("read checkpoints: %w", err)
	}
	data = bytes.TrimRight(data, "\n")
	if len(data) == 0 {
		return nil, 0, errors.New("the log has no checkpoint yet")
	}
	var cl checkpointLine
	if err := json.Unmarshal(data[bytes.LastIndexByte(data, '\n')+1:], &cl); err != nil {
		return nil, 0, fmt.Errorf("read the newest checkpoint: %w", err)
	}
	return []byte(cl.Note), cl.Size, nil
}

// parseUnverified reads a note's checkpoint without checking it (for
// display only; CheckProof checks).
func parseUnverified(msg []byte) (Checkpoint, error) {
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, errors.New("not a signed note")
	}
	return ParseCheckpoint(string(text) + "\n")
}

func readRecord(dir string, index int64) ([]byte, error) {
	segs, err := listSegments(dir)
	if err != nil {
		return nil, err
	}
	var found []byte
	errFound := errors.New("found")
	err = forEachRecord(dir, segs, index, func(_ int64, line []byte) error {
		found = append([]byte(nil), line...)
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, fmt.Errorf("read record %d: %w", index, err)
	}
	if found == nil {
		return nil, fmt.Errorf("record %d is not in the log's files", index)
	}
	return found, nil
}
