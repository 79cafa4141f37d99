package auditlog

import (
	"bytes"
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
		got, err := s.add(data, nil, 0)
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
// size of a span-derived API Activity record), under its lock: its leaf
// hash and the subtree hashes it completes. whole hashes the line;
// prefixed finishes the leaf from the state after the record's body (log
// format 2: the last 250 bytes, the metadata, are left).
func BenchmarkHashStoreAdd(b *testing.B) {
	data := make([]byte, 1900)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	head := len(data) - 250
	state := leafState(data[:head])
	for _, bc := range []struct {
		name  string
		state []byte
	}{{"whole", nil}, {"prefixed", state}} {
		b.Run(bc.name, func(b *testing.B) {
			var s hashStore
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := s.add(data, bc.state, head); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLeafHasherFromPrefix: a leaf hash finished from the state after a
// line's first bytes is tlog's hash of the whole line; a state that cannot
// be used gives the whole line's hash too.
func TestLeafHasherFromPrefix(t *testing.T) {
	line := []byte(`{"message":"a body hashed once","metadata":{"uid":"u","sequence":7}}`)
	head := bytes.Index(line, []byte(`,"metadata"`))
	state := leafState(line[:head])
	want := tlog.RecordHash(line)
	var h LeafHasher
	for _, tc := range []struct {
		name  string
		state []byte
		n     int
	}{
		{"prefix", state, head},
		{"no state", nil, 0},
		{"n beyond the line", state, len(line) + 1},
		{"negative n", state, -1},
		{"bad state", []byte("not a state"), head},
	} {
		if got := h.HashFrom(tc.state, tc.n, line); got != want {
			t.Errorf("%s: %x, want %x", tc.name, got, want)
		}
	}
	// A state that is not of line[:n] gives another hash: the log trusts it.
	if h.HashFrom(state, head-1, line) == want {
		t.Error("a state over other bytes gave the line's hash")
	}
}
