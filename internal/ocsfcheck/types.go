package ocsfcheck

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Primitive roots of the dictionary's data types; every other type reaches
// one of these through its "type" chain (timestamp_t -> long_t, ...).
const (
	primString  = "string_t"
	primInteger = "integer_t"
	primLong    = "long_t"
	primFloat   = "float_t"
	primBoolean = "boolean_t"
	primJSON    = "json_t"
)

// dataType is a dictionary type with the constraints of its whole chain,
// most specific first.
type dataType struct {
	name   string
	prim   string
	limits []typeLimit
}

type typeLimit struct {
	owner  string
	re     *regexp.Regexp
	maxLen int // 0 = none
	rng    *[2]float64
	values []any
}

func buildTypes(raw map[string]map[string]any) (map[string]*dataType, error) {
	out := make(map[string]*dataType, len(raw))
	for name := range raw {
		t := &dataType{name: name}
		seen := map[string]bool{}
		for cur := name; cur != ""; {
			if seen[cur] {
				return nil, fmt.Errorf("type %s: cycle through %s", name, cur)
			}
			seen[cur] = true
			def, ok := raw[cur]
			if !ok {
				return nil, fmt.Errorf("type %s: undefined base type %s", name, cur)
			}
			lim, err := newLimit(cur, def)
			if err != nil {
				return nil, fmt.Errorf("type %s: %w", name, err)
			}
			if lim != nil {
				t.limits = append(t.limits, *lim)
			}
			next, _ := def["type"].(string)
			if next == "" {
				t.prim = cur
			}
			cur = next
		}
		switch t.prim {
		case primString, primInteger, primLong, primFloat, primBoolean, primJSON:
		default:
			return nil, fmt.Errorf("type %s: unsupported primitive %s", name, t.prim)
		}
		out[name] = t
	}
	return out, nil
}

func newLimit(name string, def map[string]any) (*typeLimit, error) {
	lim := typeLimit{owner: name}
	used := false
	if r, ok := def["regex"].(string); ok {
		re, err := regexp.Compile(r)
		if err != nil {
			return nil, fmt.Errorf("regex of %s: %w", name, err)
		}
		lim.re, used = re, true
	}
	if n, ok := def["max_len"].(float64); ok {
		lim.maxLen, used = int(n), true
	}
	if r, ok := def["range"].([]any); ok {
		if len(r) != 2 {
			return nil, fmt.Errorf("range of %s: want [low, high]", name)
		}
		lo, lok := r[0].(float64)
		hi, hok := r[1].(float64)
		if !lok || !hok {
			return nil, fmt.Errorf("range of %s: want numbers", name)
		}
		lim.rng, used = &[2]float64{lo, hi}, true
	}
	if v, ok := def["values"].([]any); ok {
		lim.values, used = v, true
	}
	if !used {
		return nil, nil
	}
	return &lim, nil
}

// check returns what is wrong with v for this type; an empty kind means v
// fits. KindType means the JSON type itself is wrong.
func (t *dataType) check(v any) (kind Kind, msg string) {
	var num float64
	switch t.prim {
	case primJSON:
		return "", ""
	case primString:
		s, ok := v.(string)
		if !ok {
			return KindType, t.wrongType(v)
		}
		return t.checkString(s)
	case primBoolean:
		if _, ok := v.(bool); !ok {
			return KindType, t.wrongType(v)
		}
	case primInteger, primLong:
		bits := 64
		if t.prim == primInteger {
			bits = 32
		}
		i, ok := asInt(v, bits)
		if !ok {
			return KindType, t.wrongType(v)
		}
		num = float64(i)
	case primFloat:
		f, ok := asFloat(v)
		if !ok {
			return KindType, t.wrongType(v)
		}
		num = f
	}
	for _, l := range t.limits {
		if l.rng != nil && (num < l.rng[0] || num > l.rng[1]) {
			return KindFormat, fmt.Sprintf("value %v is outside the %s range %v..%v", v, l.owner, l.rng[0], l.rng[1])
		}
		if l.values != nil && !inValues(v, l.values) {
			return KindFormat, fmt.Sprintf("value %v is not one of the %s values %v", v, l.owner, l.values)
		}
	}
	return "", ""
}

func (t *dataType) checkString(s string) (Kind, string) {
	for _, l := range t.limits {
		if l.maxLen > 0 && utf8.RuneCountInString(s) > l.maxLen {
			return KindFormat, fmt.Sprintf("length %d exceeds %s max_len %d", utf8.RuneCountInString(s), l.owner, l.maxLen)
		}
		if l.re != nil && !l.re.MatchString(s) {
			return KindFormat, fmt.Sprintf("value %q does not match the %s pattern", truncate(s), l.owner)
		}
		if l.values != nil && !inValues(s, l.values) {
			return KindFormat, fmt.Sprintf("value %q is not one of the %s values %v", truncate(s), l.owner, l.values)
		}
	}
	return "", ""
}

func (t *dataType) wrongType(v any) string {
	want := t.name
	if t.prim != t.name {
		want = fmt.Sprintf("%s (%s)", t.name, t.prim)
	}
	return fmt.Sprintf("expected %s, got %s", want, jsonKind(v))
}

// asInt accepts an integral JSON number: a json.Number integer literal (no
// fraction or exponent), an integral float64, or a Go integer, within bits.
func asInt(v any, bits int) (int64, bool) {
	var i int64
	switch n := v.(type) {
	case json.Number:
		p, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, false
		}
		i = p
	case float64:
		if n != math.Trunc(n) || n < -(1<<63) || n >= 1<<63 {
			return 0, false
		}
		i = int64(n)
	case float32:
		return asInt(float64(n), bits)
	case int:
		i = int64(n)
	case int32:
		i = int64(n)
	case int64:
		i = n
	case uint32:
		i = int64(n)
	default:
		return 0, false
	}
	if bits == 32 && (i < math.MinInt32 || i > math.MaxInt32) {
		return 0, false
	}
	return i, true
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil && !math.IsInf(f, 0)
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32:
		return asFloat(float64(n))
	}
	if i, ok := asInt(v, 64); ok {
		return float64(i), true
	}
	return 0, false
}

func inValues(v any, values []any) bool {
	for _, want := range values {
		switch w := want.(type) {
		case float64:
			if f, ok := asFloat(v); ok && f == w {
				return true
			}
		default:
			if v == want {
				return true
			}
		}
	}
	return false
}

// jsonKind names the JSON type of a decoded value for error messages.
func jsonKind(v any) string {
	switch n := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case json.Number:
		if strings.ContainsAny(string(n), ".eE") {
			return "number " + string(n)
		}
		return "integer " + string(n)
	case float64, float32, int, int32, int64, uint32:
		return fmt.Sprintf("number %v", n)
	default:
		return fmt.Sprintf("%T", v)
	}
}

func truncate(s string) string {
	const limit = 64
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "..."
}
