package auditlogexporter

import (
	"encoding/binary"
	"encoding/json"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestPlain8IsTheTable: the 8-byte test agrees with jsonPlain for every
// byte value at every position, among plain bytes and among random ones.
func TestPlain8IsTheTable(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(3, 4))
	tablePlain := func(s string) bool {
		for i := range len(s) {
			if !jsonPlain[s[i]] {
				return false
			}
		}
		return true
	}
	for _, fill := range []func() byte{
		func() byte { return 'a' },
		func() byte { return byte(0x20 + rnd.IntN(0x60)) },
		func() byte { return byte(rnd.IntN(256)) },
	} {
		for pos := range 8 {
			for c := range 256 {
				var b [8]byte
				for i := range b {
					b[i] = fill()
				}
				b[pos] = byte(c)
				if got, want := plain8(binary.LittleEndian.Uint64(b[:])), tablePlain(string(b[:])); got != want {
					t.Fatalf("%q: plain8 %v, table %v", b, got, want)
				}
			}
		}
	}
}

// TestAppendStringIsValidJSON: appendString writes a JSON string that
// decodes to s (invalid UTF-8 as U+FFFD), with U+2028/9 escaped, for
// strings with specials at every offset of the 8-byte fast path.
func TestAppendStringIsValidJSON(t *testing.T) {
	specials := []string{`"`, `\`, "\n", "\x01", "\x7f", "é", "\u2028", "\u2029", "\xff", "\xe2\x80"}
	for _, sp := range specials {
		for pre := range 17 {
			s := strings.Repeat("a", pre) + sp + strings.Repeat("b", 9)
			out := appendString(nil, s)
			var back string
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("%q: %s is not JSON: %v", s, out, err)
			}
			if want := strings.ToValidUTF8(s, "\ufffd"); back != want && !(sp == "\xe2\x80" && back == strings.Repeat("a", pre)+"\ufffd\ufffd"+strings.Repeat("b", 9)) {
				t.Fatalf("%q: decodes to %q", s, back)
			}
			if strings.ContainsRune(string(out), '\u2028') || strings.ContainsRune(string(out), '\u2029') || !utf8.Valid(out) {
				t.Fatalf("%q: %q keeps a raw line separator or invalid UTF-8", s, out)
			}
		}
	}
}

// FuzzAppendString: appendString writes exactly what the byte-at-a-time
// form writes, for any string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "abcdefgh", "abcdefghi", `"quoted"`, "tab\there", "é", "\u2028", "\xff\xfe", "0123456789abcdef\x01", "tok_0123456789abcdef0123456789abcdef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendString([]byte("x"), s), appendStringByteWise([]byte("x"), s); string(got) != string(want) {
			t.Fatalf("%q: %q, byte-wise %q", s, got, want)
		}
	})
}

// appendStringByteWise is appendString without plainLen: the whole string
// through appendEscaped's walk, as appendString was before plainLen; the
// reference FuzzAppendString compares with.
func appendStringByteWise(dst []byte, s string) []byte {
	dst = appendEscaped(append(dst, '"'), s)
	return append(dst, '"')
}

// TestDeepValueIsValidJSON: an attribute value nested deeper than
// maxValueDepth, written where a record writes it (under
// unmapped.tokenaudit), gives valid JSON cut at maxValueDepth: the writer's
// commas hold at every level it can reach.
func TestDeepValueIsValidJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		nest func(v pcommon.Value) pcommon.Value
	}{
		{"maps", func(v pcommon.Value) pcommon.Value {
			m := v.SetEmptyMap()
			m.PutStr("a", "x")
			return m.PutEmpty("b")
		}},
		{"slices", func(v pcommon.Value) pcommon.Value {
			s := v.SetEmptySlice()
			s.AppendEmpty().SetStr("x")
			return s.AppendEmpty()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := pcommon.NewValueEmpty()
			v := root
			for range 3 * maxValueDepth {
				v = tc.nest(v)
			}
			v.SetStr("leaf")
			w := jsonWriter{clean: func(s string) string { return s }}
			w.push()
			w.int("first", 1)
			w.open("unmapped")
			w.open("tokenaudit")
			w.value("deep", root, 0)
			w.value("after", pcommon.NewValueStr("y"), 0)
			w.close()
			w.close()
			w.int("last", 2)
			out := append([]byte{'{'}, w.buf...)
			out = append(out, '}')
			if !json.Valid(out) {
				t.Fatalf("not JSON: %s", out)
			}
			if !strings.Contains(string(out), "[nested too deep]") || strings.Contains(string(out), "leaf") {
				t.Fatalf("not cut at maxValueDepth: %s", out)
			}
		})
	}
}
