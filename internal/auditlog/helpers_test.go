package auditlog

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "audit.test/log"

type testKeys struct {
	signer note.Signer
	keys   *Keys
	vkey   string
}

func newTestKeys(t testing.TB, name string) testKeys {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := NewKeys(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{signer, keys, vkey}
}

// rec is a minimal record: what the log needs (metadata.uid, .sequence).
type rec struct {
	uid  string
	body string
}

func (r rec) UID() string { return r.uid }
func (r rec) AppendJSON(dst []byte, seq int64) []byte {
	return fmt.Appendf(dst, `{"metadata":{"uid":%q,"sequence":%d,"logged_time":1700000000000},"message":%q}`, r.uid, seq, r.body)
}

// prefixedRec is a record in log format 2: the body first, hashed in
// advance (LeafPrefixer), the metadata last.
type prefixedRec struct {
	uid   string
	head  []byte
	state []byte
}

func newPrefixedRec(uid, body string) prefixedRec {
	head := fmt.Appendf(nil, `{"message":%q`, body)
	return prefixedRec{uid, head, leafState(head)}
}

// leafState is the SHA-256 state after 0x00 and head, marshalled, as a
// LeafPrefixer gives it.
func leafState(head []byte) []byte {
	sha := sha256.New()
	sha.Write([]byte{0})
	sha.Write(head)
	state, err := sha.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err) // crypto/sha256 always marshals
	}
	return state
}

func (r prefixedRec) UID() string               { return r.uid }
func (r prefixedRec) LeafPrefix() ([]byte, int) { return r.state, len(r.head) }
func (r prefixedRec) AppendJSON(dst []byte, seq int64) []byte {
	dst = append(dst, r.head...)
	return fmt.Appendf(dst, `,"metadata":{"uid":%q,"sequence":%d,"logged_time":1700000000000}}`, r.uid, seq)
}

type eventRec struct{ ev Event }

func (e eventRec) UID() string { return "" }
func (e eventRec) AppendJSON(dst []byte, seq int64) []byte {
	b, _ := json.Marshal(e.ev)
	return fmt.Appendf(dst, `{"metadata":{"sequence":%d},"unmapped":{"tokenaudit_log":%s}}`, seq, b)
}

func testOptions(dir string, k testKeys) Options {
	return Options{
		Dir: dir, Signer: k.signer, Origin: testOrigin,
		CheckpointEvery: 10, DedupWindow: 1000,
		NewEvent: func(ev Event) Entry { return eventRec{ev} },
		Now:      func() time.Time { return time.UnixMilli(1_700_000_000_000) },
	}
}

func records(from, n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		out[i] = rec{uid: fmt.Sprintf("uid-%06d", from+i), body: fmt.Sprintf("record %d", from+i)}
	}
	return out
}

// writeLog makes a log of n records in batches of batch and closes it.
func writeLog(t testing.TB, opts Options, n, batch int) {
	t.Helper()
	l, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += batch {
		if _, err := l.Append(records(i, min(batch, n-i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustVerify(t testing.TB, dir string, opts VerifyOptions) *Report {
	t.Helper()
	r, err := Verify(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func kinds(r *Report) []ProblemKind {
	var out []ProblemKind
	for _, p := range r.Problems {
		out = append(out, p.Kind)
	}
	return out
}
