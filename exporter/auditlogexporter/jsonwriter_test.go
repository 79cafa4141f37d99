package auditlogexporter

import (
	"encoding/binary"
	"encoding/json"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
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
