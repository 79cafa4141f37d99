package auditlogexporter

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// jsonWriter appends one JSON object member by member, in a fixed order,
// so the same event always gives the same bytes (the record id hashes
// them). Every string value from the data passes through clean (or
// cleanScratch), the last credential guard, once.
type jsonWriter struct {
	buf []byte
	// depth is how many objects and arrays are open; bit d-1 of more is
	// set once the one at depth d holds a member (a comma goes before the
	// next). A bit set instead of a stack of flags: this is done for every
	// member (BenchmarkRecordStages/encode).
	more         uint64
	depth        uint
	clean        func(string) string
	cleanScratch func([]byte) string
}

// The deepest a record nests: its own objects and maxValueDepth levels of
// an attribute's value under unmapped. It must fit in more's 64 bits.
const maxDepth = maxValueDepth + 8

var _ = [64 - maxDepth]struct{}{} // does not compile when maxDepth > 64

func (w *jsonWriter) reset(dst []byte) {
	w.buf, w.more, w.depth = dst, 0, 0
}

// push opens a level (an object or an array) with no member yet.
func (w *jsonWriter) push() {
	w.depth++
	w.more &^= 1 << (w.depth - 1)
}

// key starts a member whose name the encoder chose: plain ASCII, written
// as it is. An empty name starts an array element.
func (w *jsonWriter) key(k string) {
	w.separate()
	if k != "" {
		w.buf = append(w.buf, '"')
		w.buf = append(w.buf, k...)
		w.buf = append(w.buf, '"', ':')
	}
}

// members writes members the encoder composed in advance: names and
// values it chose, as JSON.
func (w *jsonWriter) members(m string) {
	w.separate()
	w.buf = append(w.buf, m...)
}

// dataKey starts a member whose name comes from the data, escaped.
func (w *jsonWriter) dataKey(k string) {
	w.separate()
	if k != "" {
		w.buf = appendString(w.buf, k)
		w.buf = append(w.buf, ':')
	}
}

func (w *jsonWriter) separate() {
	if w.depth == 0 {
		return
	}
	bit := uint64(1) << (w.depth - 1)
	if w.more&bit != 0 {
		w.buf = append(w.buf, ',')
	}
	w.more |= bit
}

func (w *jsonWriter) open(k string)      { w.begin(k, '{') }
func (w *jsonWriter) close()             { w.end('}') }
func (w *jsonWriter) openArray(k string) { w.begin(k, '[') }
func (w *jsonWriter) closeArray()        { w.end(']') }

// begin opens an object or array member; end closes the innermost one.
func (w *jsonWriter) begin(k string, c byte) {
	w.key(k)
	w.buf = append(w.buf, c)
	w.push()
}

func (w *jsonWriter) end(c byte) {
	w.buf = append(w.buf, c)
	w.depth--
}

// str writes a non-empty string member.
func (w *jsonWriter) str(k, v string) {
	if v == "" {
		return
	}
	w.key(k)
	w.buf = appendString(w.buf, w.clean(v))
}

// scratch writes a non-empty string member composed in scratch bytes,
// which the next record overwrites.
func (w *jsonWriter) scratch(k string, v []byte) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.buf = appendString(w.buf, w.cleanScratch(v))
}

// trusted writes a string the exporter made itself (ids, enum names).
func (w *jsonWriter) trusted(k, v string) {
	if v == "" {
		return
	}
	w.key(k)
	w.buf = appendString(w.buf, v)
}

// hex writes bytes as a lower-case hex string (trace and span ids).
func (w *jsonWriter) hex(k string, b []byte) {
	w.key(k)
	w.buf = append(w.buf, '"')
	w.buf = hex.AppendEncode(w.buf, b)
	w.buf = append(w.buf, '"')
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, v, 10)
}

func (w *jsonWriter) appendFloat(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = strconv.AppendFloat(w.buf, v, 'g', -1, 64)
}

func (w *jsonWriter) bool(k string, v bool) {
	w.key(k)
	w.buf = strconv.AppendBool(w.buf, v)
}

func (w *jsonWriter) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	w.openArray(k)
	for _, v := range vs {
		w.key("")
		w.buf = appendString(w.buf, w.clean(v))
	}
	w.closeArray()
}

// maxValueDepth bounds nesting of copied attribute values.
const maxValueDepth = 16

// value copies an attribute value; k is the attribute's name.
func (w *jsonWriter) value(k string, v pcommon.Value, depth int) {
	t := v.Type()
	if depth >= maxValueDepth && (t == pcommon.ValueTypeMap || t == pcommon.ValueTypeSlice) {
		w.dataKey(k)
		w.buf = appendString(w.buf, "[nested too deep]")
		return
	}
	w.dataKey(k)
	switch t {
	case pcommon.ValueTypeStr:
		w.buf = appendString(w.buf, w.clean(v.Str()))
	case pcommon.ValueTypeInt:
		w.buf = strconv.AppendInt(w.buf, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		w.appendFloat(v.Double())
	case pcommon.ValueTypeBool:
		w.buf = strconv.AppendBool(w.buf, v.Bool())
	case pcommon.ValueTypeBytes:
		w.buf = appendString(w.buf, w.clean(base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())))
	case pcommon.ValueTypeMap:
		w.buf = append(w.buf, '{')
		w.push()
		v.Map().Range(func(mk string, mv pcommon.Value) bool {
			w.value(w.clean(mk), mv, depth+1)
			return true
		})
		w.close()
	case pcommon.ValueTypeSlice:
		w.buf = append(w.buf, '[')
		w.push()
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			w.value("", s.At(i), depth+1)
		}
		w.closeArray()
	default:
		w.buf = append(w.buf, "null"...)
	}
}

// jsonPlain marks the bytes a JSON string holds as they are: ASCII but
// control characters, quotes and backslashes.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 tells whether the 8 bytes of x (little-endian) are all plain
// (jsonPlain), testing them at once: no byte below 0x20, none at or above
// 0x80, no quote, no backslash (the exact tests of "Bit Twiddling Hacks").
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) & ^x & highs
	q, bs := x^'"'*ones, x^'\\'*ones
	return (x&highs | below | (q-ones)&^q&highs | (bs-ones)&^bs&highs) == 0
}

// appendString appends s as a JSON string: control characters, quotes and
// backslashes escaped, invalid UTF-8 replaced, U+2028/9 escaped.
//
// Most strings of a record need no escape: their plain prefix (plainLen)
// is the whole string and is copied at once. A fast path written by hand
// because appendString was the encoder's largest cost after hashing
// (BenchmarkRecordStages/encode); FuzzAppendString checks it against the
// byte-at-a-time form.
func appendString(dst []byte, s string) []byte {
	n := plainLen(s)
	dst = append(dst, '"')
	dst = append(dst, s[:n]...)
	if n < len(s) {
		dst = appendEscaped(dst, s[n:])
	}
	return append(dst, '"')
}

// plainLen is the length of s's longest prefix of plain bytes (jsonPlain),
// read 8 bytes at a time; the last bytes of a string of 8 or more are
// read as its last 8.
func plainLen(s string) int {
	raw := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	i := 0
	for ; i+8 <= len(raw); i += 8 {
		if !plain8(binary.LittleEndian.Uint64(raw[i:])) {
			break
		}
	}
	if i < len(raw) && len(raw) >= 8 && i+8 > len(raw) && plain8(binary.LittleEndian.Uint64(raw[len(raw)-8:])) {
		return len(raw)
	}
	for i < len(raw) && jsonPlain[raw[i]] {
		i++
	}
	return i
}

// appendEscaped appends s, escaped as in appendString, without quotes.
func appendEscaped(dst []byte, s string) []byte {
	const digits = "0123456789abcdef"
	start := 0
	raw := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(binary.LittleEndian.Uint64(raw[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', digits[c>>4], digits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', digits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
