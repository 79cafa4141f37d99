package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// open finds the end of the log and repairs what a crash can leave: a torn
// final record, tree hashes behind the records, a torn checkpoint line.
// What it repairs it records as an event.
func (l *Log) open() error {
	dir := l.opts.Dir
	segs, err := listSegments(dir)
	if err != nil {
		return err
	}
	var events []Event
	var active []byte // the active segment's whole records
	switch {
	case len(segs) == 0:
		if err := l.createSegment(0); err != nil {
			return err
		}
	case segs[len(segs)-1].compressed:
		// Sealed and compressed, but its successor was never created.
		last := segs[len(segs)-1]
		n, err := countRecords(dir, last)
		if err != nil {
			return err
		}
		if err := l.createSegment(last.first + n); err != nil {
			return err
		}
	default:
		last := segs[len(segs)-1]
		data, ev, err := l.openActive(last)
		if err != nil {
			return err
		}
		active = data
		if ev != nil {
			events = append(events, *ev)
		}
	}
	records := l.segFirst + int64(bytes.Count(active, []byte{'\n'}))

	rebuilt, err := l.openHashes(records)
	if err != nil {
		return err
	}
	if rebuilt > 0 {
		events = append(events, Event{Kind: EventRecovered, First: records - rebuilt, Count: rebuilt,
			Detail: fmt.Sprintf("rebuilt tree hashes for %d records written before a crash", rebuilt)})
	}
	if err := l.openCheckpoints(records); err != nil {
		return err
	}
	l.loadRecent(segs, active)
	// Files this start created (tree hashes, checkpoints) must survive a
	// power cut too.
	if err := syncDir(dir); err != nil {
		return err
	}
	for _, ev := range events {
		if err := l.appendEvent(ev); err != nil {
			return err
		}
	}
	return nil
}

// openActive opens the newest segment for appending and cuts a torn tail.
func (l *Log) openActive(s segment) ([]byte, *Event, error) {
	path := s.path(l.opts.Dir)
	f, err := l.openFile(path, os.O_RDWR)
	if err != nil {
		return nil, nil, fmt.Errorf("open active segment: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read active segment: %w", err)
	}
	whole := bytes.LastIndexByte(data, '\n') + 1
	var ev *Event
	if whole < len(data) {
		if err := f.Truncate(int64(whole)); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("cut the torn final record of %s: %w", s.name, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("fsync %s: %w", s.name, err)
		}
		lines := int64(bytes.Count(data[:whole], []byte{'\n'}))
		ev = &Event{Kind: EventRecovered, Segment: s.name, First: s.first + lines,
			Detail: fmt.Sprintf("removed %d bytes of a torn final record", len(data)-whole)}
	}
	l.seg, l.segFirst, l.segSize = f, s.first, int64(whole)
	l.segOpened = l.opts.Now()
	if i := bytes.IndexByte(data, '\n'); i > 0 {
		if m, err := parseMeta(data[:i]); err == nil && m.Metadata.LoggedTime > 0 {
			l.segOpened = time.UnixMilli(m.Metadata.LoggedTime)
		}
	}
	return data[:whole], ev, nil
}

func (l *Log) createSegment(first int64) error {
	name := segmentName(first)
	f, err := l.openFile(filepath.Join(l.opts.Dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if err := syncDir(l.opts.Dir); err != nil {
		f.Close()
		return err
	}
	l.seg, l.segFirst, l.segSize, l.segOpened = f, first, 0, l.opts.Now()
	return nil
}

// openHashes opens the tree hashes and brings them level with the records:
// hashes past the records are cut, missing ones recomputed from the
// records. It returns how many records it had to hash again.
func (l *Log) openHashes(records int64) (int64, error) {
	path := filepath.Join(l.opts.Dir, hashesName)
	f, err := l.openFile(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return 0, fmt.Errorf("open tree hashes: %w", err)
	}
	l.hashes = hashStore{f: f, pending: l.hashes.pending[:0]}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("size of tree hashes: %w", err)
	}
	stored := size / tlog.HashSize
	// The largest tree whose hashes are all on disk.
	have := int64(sort.Search(int(records)+1, func(n int) bool {
		return tlog.StoredHashCount(int64(n)) > stored
	})) - 1
	if have < 0 {
		have = 0
	}
	if want := tlog.StoredHashCount(have) * tlog.HashSize; size != want {
		if err := f.Truncate(want); err != nil {
			return 0, fmt.Errorf("cut tree hashes to %d records: %w", have, err)
		}
	}
	l.hashes.records = have
	if err := l.hashes.loadFrontier(); err != nil {
		return 0, err
	}
	if have == records {
		return 0, f.Sync()
	}
	segs, err := listSegments(l.opts.Dir)
	if err != nil {
		return 0, err
	}
	if err := forEachRecord(l.opts.Dir, segs, have, func(_ int64, line []byte) error {
		_, err := l.hashes.add(line, nil, 0)
		return err
	}); err != nil {
		return 0, fmt.Errorf("rebuild tree hashes: %w", err)
	}
	if l.hashes.records != records {
		return 0, fmt.Errorf("rebuild tree hashes: found %d records, expected %d", l.hashes.records, records)
	}
	if err := l.hashes.flush(); err != nil {
		return 0, err
	}
	return records - have, f.Sync()
}

// forEachRecord calls fn for every record from index from on.
func forEachRecord(dir string, segs []segment, from int64, fn func(idx int64, line []byte) error) error {
	for i, s := range segs {
		if i+1 < len(segs) && segs[i+1].first <= from {
			continue
		}
		r, err := openSegment(dir, s)
		if err != nil {
			return err
		}
		idx := s.first
		_, err = scanLines(r, func(line []byte) error {
			defer func() { idx++ }()
			if idx < from {
				return nil
			}
			return fn(idx, line)
		})
		r.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", s.name, err)
		}
	}
	return nil
}

func countRecords(dir string, s segment) (int64, error) {
	r, err := openSegment(dir, s)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	_, err = scanLines(r, func([]byte) error { n++; return nil })
	if err != nil {
		return 0, fmt.Errorf("count records of %s: %w", s.name, err)
	}
	return n, nil
}

// checkpointLine is one line of checkpoints.jsonl.
type checkpointLine struct {
	Size int64  `json:"size"`
	Note string `json:"note"`
}

// openCheckpoints finds the last checkpoint. A log shorter than its last
// checkpoint lost records that were signed: that is not something to
// repair silently, so the log refuses to open.
func (l *Log) openCheckpoints(records int64) error {
	path := filepath.Join(l.opts.Dir, checkpointsName)
	f, err := l.openFile(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return fmt.Errorf("open checkpoints: %w", err)
	}
	l.checkpoints = f
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	whole := bytes.LastIndexByte(data, '\n') + 1
	if whole < len(data) {
		if err := f.Truncate(int64(whole)); err != nil {
			return fmt.Errorf("cut a torn checkpoint line: %w", err)
		}
	}
	l.lastCheckpoint, l.lastCheckTime, l.ck.written, l.ck.latest, l.ck.note = 0, l.opts.Now(), 0, 0, nil
	if whole == 0 {
		return nil
	}
	lastLine := data[bytes.LastIndexByte(data[:whole-1], '\n')+1 : whole-1]
	var cl checkpointLine
	if err := json.Unmarshal(lastLine, &cl); err != nil {
		return fmt.Errorf("read the last checkpoint: %w", err)
	}
	if cl.Size > records {
		return fmt.Errorf("audit log %s holds %d records but its last checkpoint signed %d: records were removed; run `auditctl verify`",
			l.opts.Dir, records, cl.Size)
	}
	// The latest file is taken to match the last line; if a crash left it
	// behind, the next checkpoint writes it again.
	l.lastCheckpoint, l.ck.written, l.ck.latest, l.ck.note = cl.Size, cl.Size, cl.Size, []byte(cl.Note)
	return nil
}

// loadRecent fills the replay window from the newest records: the active
// segment, then sealed ones newest first until the window is full. A
// replay after a crash can reach back several segments when segments are
// small (one queue batch can fill one), so one segment back is not enough.
func (l *Log) loadRecent(segs []segment, active []byte) {
	want := len(l.recent.ring)
	if want == 0 {
		return
	}
	newest := uidsOf(active)
	var older [][]string // newest segment first
	have := len(newest)
	for i := len(segs) - 1; i >= 0 && have < want; i-- {
		if segs[i].first >= l.segFirst {
			continue
		}
		r, err := openSegment(l.opts.Dir, segs[i])
		if err != nil {
			continue // verify reports an unreadable segment; replays from it are not caught
		}
		var ids []string
		_, _ = scanLines(r, func(line []byte) error {
			if m, err := parseMeta(line); err == nil {
				ids = append(ids, m.Metadata.UID)
			}
			return nil
		})
		r.Close()
		older = append(older, ids)
		have += len(ids)
	}
	uids := make([]string, 0, have)
	for i := len(older) - 1; i >= 0; i-- {
		uids = append(uids, older[i]...)
	}
	uids = append(uids, newest...)
	if len(uids) > want {
		uids = uids[len(uids)-want:]
	}
	for _, id := range uids {
		l.recent.add(id)
	}
}

// uidsOf returns the record ids of a segment's bytes, in order.
func uidsOf(data []byte) []string {
	var uids []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data)
		}
		if m, err := parseMeta(data[:i]); err == nil {
			uids = append(uids, m.Metadata.UID)
		}
		data = data[min(i+1, len(data)):]
	}
	return uids
}

var errNoEvents = errors.New("audit log: events need Options.NewEvent")

// appendEvent records something the log did.
func (l *Log) appendEvent(ev Event) error {
	if l.opts.NewEvent == nil {
		return errNoEvents
	}
	if ev.Time.IsZero() {
		ev.Time = l.opts.Now()
	}
	_, err := l.appendLocked([]Entry{l.opts.NewEvent(ev)})
	return err
}
