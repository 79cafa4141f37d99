package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// alertWatcher follows an audit log directory and prints each Detection
// Finding (an alert) as audit_log records it. It reads the plain
// segments only, from where they ended when it started; a segment that
// is compressed meanwhile was read before, up to its last poll.
type alertWatcher struct {
	dir     string
	out     io.Writer
	offsets map[string]int64
	byType  map[string]int
	total   int
}

func newAlertWatcher(dir string, out io.Writer) *alertWatcher {
	w := &alertWatcher{dir: dir, out: out, offsets: map[string]int64{}, byType: map[string]int{}}
	files, _ := filepath.Glob(filepath.Join(dir, "audit-*.jsonl"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			w.offsets[f] = st.Size()
		}
	}
	return w
}

// finding is what the watcher prints of a Detection Finding record.
type finding struct {
	ClassUID int    `json:"class_uid"`
	Time     int64  `json:"time"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Info     struct {
		Types []string `json:"types"`
	} `json:"finding_info"`
	ActivityName string `json:"activity_name"`
}

func (w *alertWatcher) poll() {
	files, _ := filepath.Glob(filepath.Join(w.dir, "audit-*.jsonl"))
	for _, f := range files {
		w.read(f)
	}
}

func (w *alertWatcher) read(path string) {
	fh, err := os.Open(path)
	if err != nil {
		return
	}
	defer fh.Close()
	off := w.offsets[path]
	if _, err := fh.Seek(off, io.SeekStart); err != nil {
		return
	}
	r := bufio.NewReaderSize(fh, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return // a partial last line is read again next time
		}
		off += int64(len(line))
		w.offsets[path] = off
		if !bytes.Contains(line, []byte(`"class_uid":2004`)) {
			continue
		}
		var f finding
		if json.Unmarshal(line, &f) != nil || f.ClassUID != 2004 {
			continue
		}
		typ := "unknown"
		if len(f.Info.Types) > 0 {
			typ = f.Info.Types[0]
		}
		w.byType[typ]++
		w.total++
		repeat := ""
		if f.ActivityName == "Update" {
			repeat = " (again)"
		}
		fmt.Fprintf(w.out, "ALERT %s %-8s %-20s %s%s\n", time.UnixMilli(f.Time).UTC().Format("Jan 02 15:04"),
			strings.ToUpper(f.Severity), typ, f.Message, repeat)
	}
}

func (w *alertWatcher) summary() {
	fmt.Fprintf(w.out, "%d alerts recorded: %s\n", w.total, strings.Join(sortedCounts(w.byType), ", "))
}
