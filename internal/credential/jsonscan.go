package credential

import (
	"encoding/json"
	"errors"
	"strconv"
)

// A small JSON scanner for JWT headers and claims. encoding/json costs
// several microseconds per token through reflection; this reads only the
// top-level members we need, skips the rest iteratively (deep nesting costs
// a linear pass, never recursion), and allocates only the values it keeps.

var errJSON = errors.New("jwt: invalid JSON")

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

// members calls fn for each member of the top-level object; fn must consume
// the value (via str, number, strings or skip).
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
		key, esc, err := s.rawString()
		if err != nil {
			return err
		}
		if esc { // escaped keys never name a claim we read
			key = nil
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

// rawString returns a string's bytes without quotes, and whether it holds
// escapes.
func (s *scanner) rawString() ([]byte, bool, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, errJSON
	}
	start := s.i + 1
	esc := false
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '\\':
			esc = true
			j++
		case c == '"':
			s.i = j + 1
			return s.b[start:j], esc, nil
		case c < 0x20:
			return nil, false, errJSON
		}
	}
	return nil, false, errJSON
}

// str reads a string value; ok=false when the value is not a string (it is
// then not consumed).
func (s *scanner) str() (string, bool, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false, nil
	}
	start := s.i
	raw, esc, err := s.rawString()
	if err != nil {
		return "", false, err
	}
	if !esc {
		return string(raw), true, nil
	}
	var v string
	if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
		return "", false, errJSON
	}
	return v, true, nil
}

// number reads a number value; ok=false when the value is not a number.
func (s *scanner) number() (float64, bool, error) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil {
		return 0, false, errJSON
	}
	return f, true, nil
}

// strings reads a string or an array of strings; ok=false for other types.
func (s *scanner) strings() ([]string, bool, error) {
	if v, ok, err := s.str(); ok || err != nil {
		return []string{v}, ok, err
	}
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return nil, false, nil
	}
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
			return nil, false, errClaimType
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

// skip consumes any value: scalars directly, containers by counting
// brackets outside strings.
func (s *scanner) skip() error {
	if s.i >= len(s.b) {
		return errJSON
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, err := s.rawString()
		return err
	case c == '{' || c == '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.rawString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errJSON
	default:
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			s.i++
		}
		if s.i == start {
			return errJSON
		}
		return nil
	}
}
