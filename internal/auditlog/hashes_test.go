package auditlog

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestHashStoreMatchesTlog: the leaf hash and the stored hashes the store
// computes from its frontier are tlog's, for every tree size up to 2,100
// (all carry patterns below 2^11), and so is the root.
func TestHashStoreMatchesTlog(t *testing.T) {
	var s hashStore
	for n := int64(0); n < 2100; n++ {
		data := fmt.Appendf(nil, `{"metadata":{"sequence":%d}}`, n)
		leaf := tlog.RecordHash(data)
		want, err := tlog.StoredHashesForRecordHash(n, leaf, &s)
		if err != nil {
			t.Fatal(err)
		}
		pending := len(s.pending)
		got, err := s.add(data)
		if err != nil {
			t.Fatal(err)
		}
		if got != leaf {
			t.Fatalf("record %d: leaf hash %x, want %x", n, got, leaf)
		}
		if len(s.pending)-pending != len(want)*tlog.HashSize {
			t.Fatalf("record %d: %d stored hashes, want %d", n, (len(s.pending)-pending)/tlog.HashSize, len(want))
		}
		for i, h := range want {
			if tlog.Hash(s.pending[pending+i*tlog.HashSize:]) != h {
				t.Fatalf("record %d: stored hash %d differs", n, i)
			}
		}
	}
	root, err := s.root()
	if err != nil {
		t.Fatal(err)
	}
	var ref hashStore
	for n := int64(0); n < 2100; n++ {
		if err := ref.addHashRead(tlog.RecordHash(fmt.Appendf(nil, `{"metadata":{"sequence":%d}}`, n))); err != nil {
			t.Fatal(err)
		}
	}
	if want, _ := ref.root(); root != want {
		t.Fatalf("root %x, want %x", root, want)
	}
}

// BenchmarkHashStoreAdd: the log's hashing of one record of 1.9 KB (the
// size of a span-derived API Activity record): its leaf hash and the
// subtree hashes it completes.
func BenchmarkHashStoreAdd(b *testing.B) {
	data := make([]byte, 1900)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	var s hashStore
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := s.add(data); err != nil {
			b.Fatal(err)
		}
	}
}
