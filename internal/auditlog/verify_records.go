package auditlog

import (
	"bytes"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// pendingLine is a record that matched no stored leaf: modified in place,
// or inserted, which is known only once the whole log is read.
type pendingLine struct {
	expect int64
	file   string
}

// scanRecords reads every segment and matches each record to a stored leaf.
func (v *verifier) scanRecords() {
	segs, err := listSegments(v.dir)
	if err != nil {
		v.r.add(ProblemUnreadable, -1, "", "%v", err)
		return
	}
	var pending []pendingLine
	prev := int64(-1) // the leaf the previous record matched
	for si, s := range segs {
		v.r.Segments = append(v.r.Segments, s.name)
		rc, err := openSegment(v.dir, s)
		if err != nil {
			v.r.add(ProblemUnreadable, -1, s.name, "%v", err)
			continue
		}
		pos := s.first
		torn, err := scanLines(rc, func(line []byte) error {
			v.r.Records++
			if p, ok := v.match(line, pos, &prev, s.name); !ok {
				pending = append(pending, p)
			}
			pos++
			return nil
		})
		rc.Close()
		if err != nil {
			v.r.add(ProblemUnreadable, -1, s.name, "%v", err)
		}
		if len(torn) > 0 {
			if si == len(segs)-1 {
				v.r.add(ProblemTruncated, pos, s.name, "the last record is torn (%d bytes without a newline): a crash while writing; the exporter removes it when it starts", len(torn))
			} else {
				v.r.add(ProblemModifiedRecord, pos, s.name, "the file ends inside a record")
			}
		}
		v.segFirst = append(v.segFirst, s.first)
		v.segEnd = append(v.segEnd, pos)
		v.segNames = append(v.segNames, s.name)
	}
	for _, p := range pending {
		if p.expect < v.leaves && !v.isSeen(p.expect) {
			v.markSeen(p.expect)
			v.r.add(ProblemModifiedRecord, p.expect, p.file, "its hash is not the one the tree holds for it")
		} else {
			v.r.add(ProblemInsertedRecord, p.expect, p.file, "a record that is not in the tree appears before record %d", p.expect)
		}
	}
}

// match finds the stored leaf of one record. The fast path is the leaf
// after the previous match, then the one its file position names.
func (v *verifier) match(line []byte, pos int64, prev *int64, file string) (pendingLine, bool) {
	h := tlog.RecordHash(line)
	if bytes.Contains(line, []byte(eventMarker)) {
		v.noteEvent(line)
	}
	for _, want := range [2]int64{*prev + 1, pos} {
		if want >= 0 && want < v.leaves && !v.isSeen(want) && v.leaf(want) == h {
			v.markSeen(want)
			*prev = want
			return pendingLine{}, true
		}
	}
	expect := *prev + 1
	if expect >= v.leaves {
		// Past the tree hashes: written but not yet hashed, as after a
		// crash before the exporter restarted. Not signed; counted.
		*prev = expect
		v.r.Unhashed++
		return pendingLine{}, true
	}
	if j, ok := v.index()[h]; ok {
		switch {
		case v.isSeen(j):
			v.r.add(ProblemDuplicateRecord, j, file, "record %d appears again", j)
		case j < *prev:
			v.markSeen(j)
			v.r.add(ProblemReorderedRecord, j, file, "record %d appears after record %d", j, *prev)
		default:
			v.markSeen(j)
			*prev = j
		}
		return pendingLine{}, true
	}
	if !v.isSeen(expect) && v.consistentWithParent(expect, h) {
		// The record fits the tree above it: its stored leaf was altered.
		v.markSeen(expect)
		v.hashFlips[expect] = true
		v.r.add(ProblemModifiedHash, expect, hashesName, "the stored hash of record %d was altered; the record itself is intact", expect)
		*prev = expect
		return pendingLine{}, true
	}
	*prev = expect
	return pendingLine{expect: expect, file: file}, false
}

// consistentWithParent tells whether leaf hash h at index i, with its
// stored sibling, gives the stored level-1 hash above them.
func (v *verifier) consistentWithParent(i int64, h tlog.Hash) bool {
	if i|1 >= v.leaves {
		return false
	}
	sib := v.leaf(i ^ 1)
	parent := tlog.NodeHash(h, sib)
	if i&1 == 1 {
		parent = tlog.NodeHash(sib, h)
	}
	return parent == v.stored(tlog.StoredHashIndex(1, i>>1))
}

// index maps every stored leaf hash to its index; it is built only when a
// record is out of place.
func (v *verifier) index() map[tlog.Hash]int64 {
	if v.byHash == nil {
		v.byHash = make(map[tlog.Hash]int64, v.leaves)
		for i := int64(0); i < v.leaves; i++ {
			v.byHash[v.leaf(i)] = i
		}
	}
	return v.byHash
}

func (v *verifier) isSeen(i int64) bool { return v.seen[i/64]&(1<<(i%64)) != 0 }
func (v *verifier) markSeen(i int64)    { v.seen[i/64] |= 1 << (i % 64) }

// noteEvent keeps the log's own seal and retention events.
func (v *verifier) noteEvent(line []byte) {
	m, err := parseMeta(line)
	if err != nil || m.Unmapped.Log == nil {
		return
	}
	switch ev := *m.Unmapped.Log; ev.Kind {
	case EventSegmentDeleted:
		v.r.Retained = append(v.r.Retained, ev)
	case EventSegmentSealed:
		v.sealed = append(v.sealed, ev)
	}
}

// judgeGaps names every stretch of leaves that no record matched: deleted
// by retention (fine), a missing file, deleted records, or a cut tail.
func (v *verifier) judgeGaps() {
	last := int64(-1) // the highest leaf a record matched
	for i := v.leaves - 1; i >= 0; i-- {
		if v.isSeen(i) {
			last = i
			break
		}
	}
	for a := int64(0); a < v.leaves; {
		if v.isSeen(a) {
			a++
			continue
		}
		b := a
		for b < v.leaves && !v.isSeen(b) {
			b++
		}
		v.judgeGap(a, b, last)
		a = b
	}
	for _, c := range v.checkpoints {
		if c.Size > v.leaves {
			v.r.add(ProblemTruncated, v.leaves, hashesName, "a checkpoint signs %d records but the tree hashes hold %d: the tail of the log was deleted", c.Size, v.leaves)
			break
		}
	}
}

func (v *verifier) judgeGap(a, b, last int64) {
	if v.retained(a, b) {
		return
	}
	if a > last {
		v.r.add(ProblemTruncated, a, "", "records %d to %d are missing from the end of the log", a, b-1)
		return
	}
	for _, ev := range v.sealed {
		if ev.First == a && ev.First+ev.Count == b {
			v.r.add(ProblemMissingFile, a, ev.Segment, "the sealed segment holding records %d to %d is gone", a, b-1)
			return
		}
	}
	for k := 0; k+1 < len(v.segFirst); k++ {
		if v.segEnd[k] <= a && b <= v.segFirst[k+1] {
			v.r.add(ProblemMissingFile, a, segmentName(a), "no file holds records %d to %d, between %s and %s", a, b-1, v.segNames[k], v.segNames[k+1])
			return
		}
	}
	if len(v.segFirst) > 0 && b <= v.segFirst[0] {
		v.r.add(ProblemMissingFile, a, segmentName(a), "no file holds records %d to %d, before %s", a, b-1, v.segNames[0])
		return
	}
	what := fmt.Sprintf("record %d was deleted", a)
	if b-a > 1 {
		what = fmt.Sprintf("records %d to %d were deleted", a, b-1)
	}
	v.r.add(ProblemDeletedRecord, a, "", "%s", what)
}

// retained tells whether retention accounts for [a, b). Retention deletes
// the oldest sealed segments first, so its newest deletion event vouches
// for everything before the end of the segment it names; the events of
// earlier deletions may have gone with the segments that held them.
func (v *verifier) retained(a, b int64) bool {
	end := int64(0)
	for _, ev := range v.r.Retained {
		end = max(end, ev.First+ev.Count)
	}
	return b <= end
}
