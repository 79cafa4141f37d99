package ocsf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// maxDepth bounds recursion into nested objects (process.parent_process…).
const maxDepth = 32

// ValidateJSON decodes one JSON object and validates it.
func (s *Schema) ValidateJSON(line []byte) []error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return []error{fmt.Errorf("not a JSON object: %w", err)}
	}
	if dec.More() {
		return []error{fmt.Errorf("more than one JSON value")}
	}
	return s.Validate(ev)
}

// Validate returns every problem of one event, each naming its JSON path.
func (s *Schema) Validate(ev map[string]any) []error {
	v := &validation{s: s}
	classUID, ok := intOf(ev["class_uid"])
	if !ok {
		return []error{fmt.Errorf("class_uid: missing or not an integer")}
	}
	name, ok := s.classes[classUID]
	if !ok {
		return []error{fmt.Errorf("class_uid: %d is not a class of OCSF %s", classUID, s.version)}
	}
	class, err := s.resolveEvent(name)
	if err != nil {
		return []error{err}
	}
	if md, ok := ev["metadata"].(map[string]any); ok {
		if ver, _ := md["version"].(string); ver != s.version {
			v.errf("metadata.version", "is %q, want %q", ver, s.version)
		}
		if ps, ok := md["profiles"].([]any); ok {
			v.profiles = map[string]bool{}
			for _, p := range ps {
				if p, ok := p.(string); ok {
					v.profiles[p] = true
				}
			}
		}
	}
	if cat, ok := intOf(ev["category_uid"]); !ok || cat != s.categories[class.category] {
		v.errf("category_uid", "must be %d for class %s", s.categories[class.category], name)
	}
	act, okAct := intOf(ev["activity_id"])
	if typ, ok := intOf(ev["type_uid"]); okAct && (!ok || typ != classUID*100+act) {
		v.errf("type_uid", "must be class_uid × 100 + activity_id = %d", classUID*100+act)
	}
	v.object("", ev, class, 0)
	sort.Slice(v.errs, func(i, j int) bool { return v.errs[i].Error() < v.errs[j].Error() })
	return v.errs
}

type validation struct {
	s        *Schema
	profiles map[string]bool
	errs     []error
}

func (v *validation) errf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object checks one object's members against its definition.
func (v *validation) object(path string, obj map[string]any, d *def, depth int) {
	if depth > maxDepth {
		v.errf(path, "nested deeper than %d", maxDepth)
		return
	}
	for name, spec := range d.attrs {
		if spec.requirement != "required" || (spec.profile != "" && !v.profiles[spec.profile]) {
			continue
		}
		if _, ok := obj[name]; !ok {
			v.errf(join(path, name), "required by %s", d.name)
		}
	}
	for key, val := range obj {
		p := join(path, key)
		spec, ok := d.attrs[key]
		if !ok {
			v.errf(p, "is not an attribute of %s", d.name)
			continue
		}
		if spec.profile != "" && !v.profiles[spec.profile] {
			v.errf(p, "belongs to profile %q, which metadata.profiles does not list", spec.profile)
			continue
		}
		if depth == 0 && (key == "category_uid" || key == "class_uid") {
			// The source files give these a placeholder enum that the
			// schema compiler replaces with the class's own ids; Validate
			// has already checked them against the class.
			spec.enum = nil
			if _, ok := intOf(val); !ok {
				v.errf(p, "must be an integer")
			}
			continue
		}
		v.value(p, key, val, spec, depth)
	}
	for kind, names := range d.constraints {
		n := 0
		for _, name := range names {
			if _, ok := obj[name]; ok {
				n++
			}
		}
		switch {
		case kind == "at_least_one" && n == 0:
			v.errf(path, "%s needs at least one of %v", d.name, names)
		case kind == "just_one" && n != 1:
			v.errf(path, "%s needs exactly one of %v", d.name, names)
		}
	}
}

// value checks one attribute value by its dictionary type.
func (v *validation) value(path, name string, val any, spec attrSpec, depth int) {
	da, ok := v.s.dict[name]
	if !ok {
		v.errf(path, "is not in the dictionary")
		return
	}
	if da.IsArray {
		arr, ok := val.([]any)
		if !ok {
			v.errf(path, "must be an array")
			return
		}
		for i, e := range arr {
			v.single(fmt.Sprintf("%s[%d]", path, i), e, da, spec, depth)
		}
		return
	}
	v.single(path, val, da, spec, depth)
}

func (v *validation) single(path string, val any, da dictAttr, spec attrSpec, depth int) {
	enum := spec.enum
	if enum == nil && da.Enum != nil {
		enum = map[string]bool{}
		for k := range da.Enum {
			enum[k] = true
		}
	}
	if enum != nil {
		if key := enumKey(val); !enum[key] {
			v.errf(path, "%v is not one of the enum's values", val)
		}
	}
	switch da.Type {
	case "object":
		if _, ok := val.(map[string]any); !ok {
			v.errf(path, "must be an object")
		}
		return
	case "json_t":
		return
	}
	if _, primitive := v.s.types[da.Type]; primitive {
		v.primitive(path, val, da.Type)
		return
	}
	obj, ok := val.(map[string]any)
	if !ok {
		v.errf(path, "must be a %s object", da.Type)
		return
	}
	d, err := v.s.resolveObject(da.Type)
	if err != nil {
		v.errf(path, "%v", err)
		return
	}
	v.object(path, obj, d, depth+1)
}

func enumKey(val any) string {
	switch x := val.(type) {
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(val)
}

// primitive checks a value against a primitive type and the types it
// refines (timestamp_t is a long_t; ip_t a string_t with a pattern).
func (v *validation) primitive(path string, val any, typ string) {
	for t := typ; t != ""; t = v.s.types[t].Type {
		td := v.s.types[t]
		switch t {
		case "string_t":
			if _, ok := val.(string); !ok {
				v.errf(path, "must be a string (%s)", typ)
				return
			}
		case "integer_t", "long_t":
			if _, ok := intOf(val); !ok {
				v.errf(path, "must be an integer (%s)", typ)
				return
			}
		case "float_t":
			if _, ok := floatOf(val); !ok {
				v.errf(path, "must be a number (%s)", typ)
				return
			}
		case "boolean_t":
			if _, ok := val.(bool); !ok {
				v.errf(path, "must be a boolean (%s)", typ)
				return
			}
		}
		if str, ok := val.(string); ok {
			if td.MaxLen > 0 && len(str) > td.MaxLen {
				v.errf(path, "is longer than %d (%s)", td.MaxLen, t)
			}
			if re := v.s.regex(td.Regex); re != nil && !re.MatchString(str) {
				v.errf(path, "%q does not match %s", str, t)
			}
		}
		if f, ok := floatOf(val); ok && len(td.Range) == 2 && (f < td.Range[0] || f > td.Range[1]) {
			v.errf(path, "%v is outside %v (%s)", val, td.Range, t)
		}
		if t == td.Type {
			break
		}
	}
}

// regex compiles a schema pattern; one Go's RE2 cannot compile is not
// checked (and not reported as the record's fault).
func (s *Schema) regex(expr string) *regexp.Regexp {
	if expr == "" {
		return nil
	}
	if re, ok := s.regexes.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		re = nil
	}
	s.regexes.Store(expr, re)
	return re
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

func floatOf(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}
