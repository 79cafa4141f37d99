package credential

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// A small JSON reader for JWT headers and claims. encoding/json costs
// several times as long per token through reflection (BenchmarkClaims);
// this reads only the top-level members
// we need and validates the rest without keeping it. It accepts exactly
// what encoding/json accepts, decodes keys and strings as it does (escapes,
// invalid UTF-8 as U+FFFD) and leaves duplicate keys to the last one;
// FuzzClaimsMatchStdlib holds it to that. Deep nesting costs a linear pass,
// never recursion.

var errJSON = errors.New("jwt: invalid JSON")

// maxDepth is encoding/json's nesting limit: a deeper document is invalid.
const maxDepth = 10000

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// members calls fn for each member of the top-level object with the
// decoded key; fn must consume the value (via str, number, strings, isNull
// or skip).
func (s *scanner) members(fn func(key []byte) error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errJSON
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return s.end()
	}
	for {
		s.ws()
		key, err := s.key()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errJSON
		}
		s.i++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return errJSON
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return s.end()
		default:
			return errJSON
		}
	}
}

func (s *scanner) end() error {
	s.ws()
	if s.i != len(s.b) {
		return errJSON
	}
	return nil
}

// key reads an object key, decoded.
func (s *scanner) key() ([]byte, error) {
	start := s.i
	raw, plain, err := s.rawString()
	if err != nil {
		return nil, err
	}
	if plain {
		return raw, nil
	}
	v, err := unquote(s.b[start:s.i])
	return []byte(v), err
}

// rawString consumes a valid JSON string and returns its bytes without
// quotes, and whether they are its value as is (no escapes, valid UTF-8).
func (s *scanner) rawString() ([]byte, bool, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, errJSON
	}
	start := s.i + 1
	plain, ascii := true, true
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			raw := s.b[start:j]
			return raw, plain && (ascii || utf8.Valid(raw)), nil
		case c >= 0x80:
			ascii = false
		case c == '\\':
			plain = false
			n := escapeLen(s.b[j+1:])
			if n == 0 {
				return nil, false, errJSON
			}
			j += n
		case c < 0x20:
			return nil, false, errJSON
		}
	}
	return nil, false, errJSON
}

// escapeLen is the length of a valid escape body after the backslash, or 0.
func escapeLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(b) < 5 {
			return 0
		}
		for _, c := range b[1:5] {
			if !isHex(c) {
				return 0
			}
		}
		return 5
	}
	return 0
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// unquote decodes a quoted JSON string with escapes or invalid UTF-8
// exactly as encoding/json does; only such strings take this path.
func unquote(quoted []byte) (string, error) {
	var v string
	if err := json.Unmarshal(quoted, &v); err != nil {
		return "", errJSON
	}
	return v, nil
}

// str reads a string value; ok=false when the value is not a string (it is
// then not consumed).
func (s *scanner) str() (string, bool, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false, nil
	}
	start := s.i
	raw, plain, err := s.rawString()
	if err != nil {
		return "", false, err
	}
	if plain {
		return string(raw), true, nil
	}
	v, err := unquote(s.b[start:s.i])
	return v, err == nil, err
}

// numberEnd returns the end of the JSON number at i, or -1 if there is
// none: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) numberEnd() int {
	b, i := s.b, s.i
	digits := func() bool {
		st := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > st
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return -1
		}
	}
	return i
}

// number reads a number value; ok=false when the value is not a number (it
// is then not consumed). A number beyond float64 is a number of the wrong
// type: errClaimType.
func (s *scanner) number() (float64, bool, error) {
	end := s.numberEnd()
	if end < 0 {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(string(s.b[s.i:end]), 64)
	s.i = end
	if err != nil {
		return 0, true, errClaimType
	}
	return f, true, nil
}

// strings reads a string or an array of strings, keeping at most
// maxListItems; ok=false for other types, and then nothing is consumed.
func (s *scanner) strings() ([]string, bool, error) {
	if v, ok, err := s.str(); ok || err != nil {
		return []string{v}, ok, err
	}
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return nil, false, nil
	}
	start := s.i
	s.i++
	var out []string
	for n := 0; ; n++ {
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' && n == 0 {
			s.i++
			return out, true, nil
		}
		v, ok, err := s.str()
		if err != nil {
			return nil, false, err
		}
		if !ok {
			s.i = start
			return nil, false, nil
		}
		if len(out) < maxListItems {
			out = append(out, v)
		}
		s.ws()
		if s.i >= len(s.b) {
			return nil, false, errJSON
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return out, true, nil
		default:
			return nil, false, errJSON
		}
	}
}

// maxListItems bounds the audiences and scopes kept from one token.
const maxListItems = 64

// isNull consumes a JSON null.
func (s *scanner) isNull() bool {
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// literal consumes true, false or null.
func (s *scanner) literal() error {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return nil
		}
	}
	return errJSON
}

// skip consumes and validates any value of a top-level member. Containers
// are walked with an explicit stack of their open brackets.
func (s *scanner) skip() error {
	var open []byte
	for {
		// A value is expected.
		s.ws()
		if s.i >= len(s.b) {
			return errJSON
		}
		switch c := s.b[s.i]; c {
		case '{', '[':
			if len(open)+1 >= maxDepth { // the top-level object is one level
				return errJSON
			}
			open = append(open, c)
			s.i++
			s.ws()
			if s.i < len(s.b) && (c == '{' && s.b[s.i] == '}' || c == '[' && s.b[s.i] == ']') {
				s.i++
				open = open[:len(open)-1]
				break
			}
			if c == '{' {
				if err := s.memberName(); err != nil {
					return err
				}
			}
			continue
		case '"':
			if _, _, err := s.rawString(); err != nil {
				return err
			}
		case 't', 'f', 'n':
			if err := s.literal(); err != nil {
				return err
			}
		default:
			end := s.numberEnd()
			if end < 0 {
				return errJSON
			}
			s.i = end
		}
		// A value ended: close containers until one expects another value.
		for {
			if len(open) == 0 {
				return nil
			}
			s.ws()
			if s.i >= len(s.b) {
				return errJSON
			}
			top, c := open[len(open)-1], s.b[s.i]
			if c == ',' {
				s.i++
				if top == '{' {
					s.ws()
					if err := s.memberName(); err != nil {
						return err
					}
				}
				break
			}
			if top == '{' && c == '}' || top == '[' && c == ']' {
				s.i++
				open = open[:len(open)-1]
				continue
			}
			return errJSON
		}
	}
}

// memberName consumes `"name" :` inside an object being skipped.
func (s *scanner) memberName() error {
	s.ws()
	if _, _, err := s.rawString(); err != nil {
		return err
	}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return errJSON
	}
	s.i++
	return nil
}
