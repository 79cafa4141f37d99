package auditlog

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkpointLocked signs the tree at once if it grew since the last
// checkpoint written: for rotation, a key change and Close.
func (l *Log) checkpointLocked() error {
	c := &l.ck
	c.fileMu.Lock()
	defer c.fileMu.Unlock()
	if l.hashes.records == c.written && c.written > 0 && c.latest == c.written {
		return nil
	}
	h, err := l.headLocked()
	if err != nil {
		return err
	}
	broken, err := l.writeCheckpoint(h)
	if err != nil {
		if broken {
			l.broken = err
		}
		return err
	}
	l.lastCheckpoint, l.lastCheckTime = h.size, h.time
	return nil
}

// writeCheckpoint signs h, appends it to checkpoints.jsonl, and replaces
// the latest checkpoint file (and its mirror), under ck.fileMu. A head no
// newer than the last one appended is not appended: checkpoints only grow.
// Once its line is synced a head counts as written, whatever happens to
// the latest file after it: a head taken before it and signed later (the
// background writer's, while rotation or Close signed a newer one) must
// not follow it there, or the log no longer verifies (a directory turned
// read-only failed the latest file after the line had landed). A latest
// file left behind is written again with the next call. broken says
// checkpoints.jsonl may hold a partial line.
func (l *Log) writeCheckpoint(h head) (broken bool, err error) {
	c := &l.ck
	if c.written == 0 || h.size > c.written {
		msg, broken, err := l.appendCheckpoint(h)
		if err != nil {
			return broken, err
		}
		c.written, c.note = h.size, msg
		c.done.Add(1)
	}
	if c.latest == c.written {
		return false, nil
	}
	if err := writeFileAtomic(filepath.Join(l.opts.Dir, latestName), c.note); err != nil {
		return false, fmt.Errorf("audit log: %w", err)
	}
	if l.opts.MirrorDir != "" {
		if err := os.MkdirAll(l.opts.MirrorDir, dirMode); err != nil {
			return false, fmt.Errorf("audit log: checkpoint mirror: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(l.opts.MirrorDir, latestName), c.note); err != nil {
			return false, fmt.Errorf("audit log: checkpoint mirror: %w", err)
		}
	}
	c.latest = c.written
	return false, nil
}

// appendCheckpoint signs h and appends it to checkpoints.jsonl, synced;
// on failure it cuts a partial line, and broken says it may not have.
func (l *Log) appendCheckpoint(h head) (msg []byte, broken bool, err error) {
	msg, err = SignCheckpoint(Checkpoint{Origin: h.origin, Size: h.size, Root: h.root, Time: h.time}, h.signer)
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	line, err := json.Marshal(checkpointLine{Size: h.size, Note: string(msg)})
	if err != nil {
		return nil, false, fmt.Errorf("audit log: encode checkpoint: %w", err)
	}
	line = append(line, '\n')
	end, err := l.checkpoints.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = l.checkpoints.Write(line)
	}
	if err == nil {
		err = l.checkpoints.Sync()
	}
	if err != nil {
		if end > 0 {
			l.checkpoints.Truncate(end)
		}
		return nil, true, fmt.Errorf("audit log: write checkpoint: %w", err)
	}
	return msg, false, nil
}

// rotateLocked seals the active segment under a checkpoint, opens the next
// one, records the seal in it, then applies retention.
func (l *Log) rotateLocked() error {
	if l.segSize == 0 {
		return nil
	}
	if err := l.checkpointLocked(); err != nil {
		return err
	}
	sealed := segment{name: segmentName(l.segFirst), first: l.segFirst}
	count := l.hashes.records - l.segFirst
	if err := l.seg.Close(); err != nil {
		l.seg = nil
		l.broken = fmt.Errorf("audit log: close %s: %w", sealed.name, err)
		return l.broken
	}
	l.seg = nil
	// Sealed segments are never written again.
	if err := os.Chmod(sealed.path(l.opts.Dir), 0o400); err != nil {
		l.broken = fmt.Errorf("audit log: seal %s: %w", sealed.name, err)
		return l.broken
	}
	if err := l.createSegment(l.hashes.records); err != nil {
		l.broken = fmt.Errorf("audit log: %w", err)
		return l.broken
	}
	l.stats.Rotations++
	name := sealed.name
	if l.opts.Compress {
		if err := compressSegment(l.opts.Dir, sealed); err != nil {
			// The plain segment is intact; compression is retried never, and
			// the log is as valid as before.
			return fmt.Errorf("audit log: %w", err)
		}
		name += gzipSuffix
	}
	if err := l.appendEvent(Event{Kind: EventSegmentSealed, Segment: name, First: sealed.first, Count: count}); err != nil {
		return err
	}
	return l.retainLocked()
}

// compressSegment writes s.gz next to s, makes it durable, then removes s.
// A crash in between leaves both; listSegments then prefers the plain one.
func compressSegment(dir string, s segment) error {
	src, err := os.Open(s.path(dir))
	if err != nil {
		return fmt.Errorf("compress %s: %w", s.name, err)
	}
	defer src.Close()
	dst := s.path(dir) + gzipSuffix
	tmp := dst + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return fmt.Errorf("compress %s: %w", s.name, err)
	}
	zw := gzip.NewWriter(f)
	_, err = io.Copy(zw, src)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o400)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compress %s: %w", s.name, err)
	}
	if err := os.Remove(s.path(dir)); err != nil {
		return fmt.Errorf("remove %s after compressing it: %w", s.name, err)
	}
	return syncDir(dir)
}

// retainLocked deletes the sealed segments that retention no longer keeps,
// oldest first. Each deletion is recorded (and fsynced) before the file
// goes, so the verifier knows a missing file was deleted on purpose: the
// newest deletion event vouches for every record before the end of its
// segment.
func (l *Log) retainLocked() error {
	if l.opts.RetentionMaxAge <= 0 && l.opts.RetentionMaxSegments <= 0 {
		return nil
	}
	segs, err := listSegments(l.opts.Dir)
	if err != nil {
		return err
	}
	var sealed []segment
	for _, s := range segs {
		if s.first < l.segFirst {
			sealed = append(sealed, s)
		}
	}
	now := l.opts.Now()
	for i, s := range sealed {
		tooMany := l.opts.RetentionMaxSegments > 0 && len(sealed)-i > l.opts.RetentionMaxSegments
		tooOld := false
		if l.opts.RetentionMaxAge > 0 {
			info, err := os.Stat(s.path(l.opts.Dir))
			if err != nil {
				return fmt.Errorf("audit log: retention: %w", err)
			}
			tooOld = now.Sub(info.ModTime()) > l.opts.RetentionMaxAge
		}
		if !tooMany && !tooOld {
			continue
		}
		next := l.segFirst
		if i+1 < len(sealed) {
			next = sealed[i+1].first
		}
		reason := "older than retention.max_age"
		if tooMany {
			reason = "beyond retention.max_segments"
		}
		if err := l.appendEvent(Event{Kind: EventSegmentDeleted, Segment: s.name, First: s.first, Count: next - s.first,
			Detail: "deleted by retention: " + reason}); err != nil {
			return err
		}
		if err := os.Remove(s.path(l.opts.Dir)); err != nil {
			return fmt.Errorf("audit log: retention: %w", err)
		}
		if err := syncDir(l.opts.Dir); err != nil {
			return err
		}
		l.stats.Deleted++
	}
	return nil
}
