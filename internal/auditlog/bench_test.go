package auditlog

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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
// and a checkpoint every 10,000 (with a mirror). The -us metrics are the
// latencies of single Append calls: the tenth that make a checkpoint due,
// the ones right after them, the others, all. gap is an idle time after
// each call: a log at half its capacity has such gaps (ns/op counts it).
func BenchmarkAppend(b *testing.B) {
	for _, gap := range []time.Duration{0, 50 * time.Millisecond} {
		b.Run(fmt.Sprintf("gap=%v", gap), func(b *testing.B) { benchAppend(b, gap) })
	}
}

func benchAppend(b *testing.B, gap time.Duration) {
	k := newTestKeys(b, "audit.bench")
	opts := testOptions(b.TempDir(), k)
	opts.CheckpointEvery = 10000
	opts.MaxSegmentBytes = 64 << 20
	opts.MirrorDir = filepath.Join(b.TempDir(), "mirror")
	l, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := make([]Entry, 1000)
	n := 0
	// took[0]: the appends that make a checkpoint due (every tenth: the log
	// starts empty), took[1]: the ones right after, took[2]: the others.
	var took [3][]time.Duration
	b.ResetTimer()
	for b.Loop() {
		for j := range batch {
			batch[j] = bigRec{n}
			n++
		}
		start := time.Now()
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		switch n / len(batch) % 10 {
		case 0:
			took[0] = append(took[0], d)
		case 1:
			took[1] = append(took[1], d)
		default:
			took[2] = append(took[2], d)
		}
		time.Sleep(gap)
	}
	all := slices.Concat(took[:]...)
	for i, name := range []string{"due", "next", "other", "all"} {
		if i < 3 {
			reportMedian(b, took[i], name+"-p50-us")
		} else {
			reportMedian(b, all, name+"-p50-us")
			slices.Sort(all)
			b.ReportMetric(float64(all[len(all)*95/100].Microseconds()), "all-p95-us")
		}
	}
}

func reportMedian(b *testing.B, d []time.Duration, unit string) {
	if len(d) == 0 {
		return
	}
	d = slices.Clone(d)
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), unit)
}
