package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const (
	segmentPrefix   = "audit-"
	segmentSuffix   = ".jsonl"
	gzipSuffix      = ".gz"
	hashesName      = "tree.hashes"
	checkpointsName = "checkpoints.jsonl"
	latestName      = "checkpoint"

	fileMode = 0o600
	dirMode  = 0o700
)

// segment is one file of the log, named by the index of its first record.
type segment struct {
	name       string // base name
	first      int64
	compressed bool
}

func segmentName(first int64) string {
	return fmt.Sprintf("%s%012d%s", segmentPrefix, first, segmentSuffix)
}

// parseSegmentName reads "audit-<first>.jsonl[.gz]"; ok is false for any
// other file.
func parseSegmentName(name string) (segment, bool) {
	s := segment{name: name}
	rest, found := strings.CutPrefix(name, segmentPrefix)
	if !found {
		return s, false
	}
	if r, gz := strings.CutSuffix(rest, gzipSuffix); gz {
		rest, s.compressed = r, true
	}
	digits, found := strings.CutSuffix(rest, segmentSuffix)
	if !found || digits == "" {
		return s, false
	}
	first, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || first < 0 {
		return s, false
	}
	s.first = first
	return s, true
}

// listSegments returns the segments of dir in record order. A segment that
// exists both plain and compressed (a crash during compression) is listed
// once, plain, since the plain file is the one that was fully written.
func listSegments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list audit log %s: %w", dir, err)
	}
	byFirst := map[int64]segment{}
	for _, e := range entries {
		s, ok := parseSegmentName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if prev, dup := byFirst[s.first]; dup && !prev.compressed {
			continue
		}
		byFirst[s.first] = s
	}
	segs := make([]segment, 0, len(byFirst))
	for _, s := range byFirst {
		segs = append(segs, s)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].first < segs[j].first })
	return segs, nil
}

func (s segment) path(dir string) string { return filepath.Join(dir, s.name) }
