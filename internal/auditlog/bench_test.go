package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigRec is about the size of a real API Activity record (~1 KB).
type bigRec struct{ i int }

var padding = strings.Repeat("x", 900)

func (r bigRec) UID() string { return fmt.Sprintf("uid-%d", r.i) }
func (r bigRec) AppendJSON(dst []byte, seq int64) []byte {
	return fmt.Appendf(dst, `{"metadata":{"uid":"uid-%d","sequence":%d},"class_uid":6003,"message":"%s"}`, r.i, seq, padding)
}

func benchLog(b *testing.B, n int) (string, *Keys, int64) {
	k := newTestKeys(b, "audit.bench")
	dir := b.TempDir()
	opts := testOptions(dir, k)
	opts.CheckpointEvery = 10000
	opts.MaxSegmentBytes = 64 << 20
	l, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]Entry, 1000)
	for i := 0; i < n; i += len(batch) {
		for j := range batch {
			batch[j] = bigRec{i + j}
		}
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	var size int64
	segs, _ := filepath.Glob(filepath.Join(dir, "audit-*"))
	for _, s := range segs {
		st, _ := os.Stat(s)
		size += st.Size()
	}
	return dir, k.keys, size
}

// BenchmarkVerify reports how fast auditctl verify reads a log (MB/s of
// records).
func BenchmarkVerify(b *testing.B) {
	dir, keys, size := benchLog(b, 100_000)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		r, err := Verify(dir, VerifyOptions{Keys: keys})
		if err != nil || !r.OK() {
			b.Fatal(err, r.Problems)
		}
	}
}

// BenchmarkAppend is the log's cost per record, fsync per batch of 1000
// and a checkpoint every 10,000.
func BenchmarkAppend(b *testing.B) {
	k := newTestKeys(b, "audit.bench")
	opts := testOptions(b.TempDir(), k)
	opts.CheckpointEvery = 10000
	opts.MaxSegmentBytes = 64 << 20
	l, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := make([]Entry, 1000)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for j := range batch {
			batch[j] = bigRec{n}
			n++
		}
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
}
