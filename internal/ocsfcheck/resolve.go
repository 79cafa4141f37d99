package ocsfcheck

import (
	"fmt"
	"sort"
	"strconv"
)

// definition is a fully resolved class or object: its own attributes after
// extends, $include and dictionary enrichment. Object-typed attributes refer
// to other definitions by name, so recursive objects (process.parent_process)
// are never expanded ahead of the data.
type definition struct {
	name        string
	isClass     bool
	classUID    int64
	categoryUID int64
	attrs       map[string]*attribute
	atLeastOne  [][]string // one group of member names per constraint; names may be dotted paths
	justOne     [][]string
	deprecated  string
}

type attribute struct {
	name        string
	requirement string // "required", "recommended" or "optional"
	typeName    string // dictionary type or object name
	object      string // object name when the attribute is an object
	isArray     bool
	enum        map[string]enumValue
	sibling     string
	profile     string // "" when always on
	deprecated  string
}

type enumValue struct {
	caption    string
	deprecated string
}

func (r *rawSchema) resolve(version string) (*Schema, error) {
	types, err := buildTypes(r.types)
	if err != nil {
		return nil, err
	}
	s := &Schema{
		version:  version,
		classes:  map[int64]*definition{},
		objects:  map[string]*definition{},
		types:    types,
		profiles: r.profiles,
	}
	memo, visiting := map[string]map[string]any{}, map[string]bool{}
	for _, name := range sortedKeys(r.objects) {
		raw, err := extend(r.objects, name, memo, visiting)
		if err != nil {
			return nil, fmt.Errorf("object %s: %w", name, err)
		}
		def, err := r.define(name, raw, types)
		if err != nil {
			return nil, fmt.Errorf("object %s: %w", name, err)
		}
		s.objects[name] = def
	}
	memo = map[string]map[string]any{}
	for _, name := range sortedKeys(r.classes) {
		raw, err := extend(r.classes, name, memo, visiting)
		if err != nil {
			return nil, fmt.Errorf("class %s: %w", name, err)
		}
		// Intermediate classes (e.g. "application") have no uid and cannot
		// be instantiated; base_event is the one exception.
		if _, ok := raw["uid"]; !ok && name != "base_event" {
			continue
		}
		def, err := r.define(name, raw, types)
		if err != nil {
			return nil, fmt.Errorf("class %s: %w", name, err)
		}
		if err := r.classify(def, raw); err != nil {
			return nil, fmt.Errorf("class %s: %w", name, err)
		}
		if prev, dup := s.classes[def.classUID]; dup {
			return nil, fmt.Errorf("class %s: class_uid %d already used by %s", name, def.classUID, prev.name)
		}
		s.classes[def.classUID] = def
	}
	if err := r.addObservableTypes(s); err != nil {
		return nil, err
	}
	if _, ok := s.objects["object"]; !ok {
		return nil, fmt.Errorf("generic object definition objects/object.json is missing")
	}
	for _, d := range s.objects {
		if err := s.checkRefs(d); err != nil {
			return nil, err
		}
	}
	for _, d := range s.classes {
		if err := s.checkRefs(d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// define turns a resolved raw item into a definition, enriching every
// attribute with its dictionary entry (the item's keys win, enums merge).
func (r *rawSchema) define(name string, raw map[string]any, types map[string]*dataType) (*definition, error) {
	rawAttrs, _ := raw["attributes"].(map[string]any)
	def := &definition{name: name, attrs: make(map[string]*attribute, len(rawAttrs))}
	def.deprecated = deprecation(raw["@deprecated"])
	for an, av := range rawAttrs {
		am, ok := av.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("attribute %s is %T, want object", an, av)
		}
		dict, ok := r.dictionary[an]
		if !ok {
			return nil, fmt.Errorf("attribute %s is not in dictionary.json", an)
		}
		a, err := newAttribute(an, deepMerge(dict, am), types, r.objects)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", an, err)
		}
		def.attrs[an] = a
	}
	addDatetime(def, r.dictionary)
	if err := def.setConstraints(raw["constraints"]); err != nil {
		return nil, err
	}
	return def, nil
}

func newAttribute(name string, m map[string]any, types map[string]*dataType, objects map[string]map[string]any) (*attribute, error) {
	a := &attribute{name: name, requirement: "optional"}
	if req, ok := m["requirement"].(string); ok {
		a.requirement = req
	}
	a.typeName, _ = m["type"].(string)
	switch {
	case a.typeName == "":
		return nil, fmt.Errorf("no type")
	case types[a.typeName] != nil:
	case objects[a.typeName] != nil:
		a.object = a.typeName
	default:
		return nil, fmt.Errorf("type %q is neither a data type nor an object", a.typeName)
	}
	a.isArray, _ = m["is_array"].(bool)
	a.sibling, _ = m["sibling"].(string)
	a.profile, _ = m["profile"].(string)
	a.deprecated = deprecation(m["@deprecated"])
	if e, ok := m["enum"].(map[string]any); ok {
		a.enum = make(map[string]enumValue, len(e))
		for k, v := range e {
			ev, _ := v.(map[string]any)
			caption, _ := ev["caption"].(string)
			a.enum[k] = enumValue{caption: caption, deprecated: deprecation(ev["@deprecated"])}
		}
	}
	return a, nil
}

// addDatetime adds the synthetic "<name>_dt" attribute of the datetime
// profile for every timestamp_t attribute, as the OCSF compiler does.
func addDatetime(def *definition, dict map[string]map[string]any) {
	for _, name := range sortedKeys(def.attrs) {
		a := def.attrs[name]
		if t, _ := dict[name]["type"].(string); t != "timestamp_t" {
			continue
		}
		dt := name + "_dt"
		def.attrs[dt] = &attribute{
			name:        dt,
			requirement: "optional",
			typeName:    "datetime_t",
			isArray:     a.isArray,
			profile:     "datetime",
		}
	}
}

func (def *definition) setConstraints(v any) error {
	if v == nil {
		return nil
	}
	c, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("constraints is %T, want object", v)
	}
	for kind, members := range c {
		list, err := constraintMembers(members)
		if err != nil {
			return fmt.Errorf("constraint %s: %w", kind, err)
		}
		switch kind {
		case "at_least_one":
			def.atLeastOne = append(def.atLeastOne, list...)
		case "just_one":
			def.justOne = append(def.justOne, list...)
		default:
			return fmt.Errorf("unsupported constraint %q", kind)
		}
	}
	return nil
}

// constraintMembers returns a single group (one constraint) of split paths.
func constraintMembers(v any) ([][]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("members are %T, want array", v)
	}
	group := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("member %v is not a name", e)
		}
		group = append(group, s)
	}
	return [][]string{group}, nil
}

// classify computes class_uid = category_uid*1000 + uid and pins the enums
// of class_uid, category_uid and type_uid to this class, like the compiler.
func (r *rawSchema) classify(def *definition, raw map[string]any) error {
	def.isClass = true
	var uid int64 // base_event has no uid: class_uid 0
	if raw["uid"] != nil {
		var err error
		if uid, err = intOf(raw["uid"]); err != nil {
			return fmt.Errorf("uid: %w", err)
		}
	}
	caption, _ := raw["caption"].(string)
	catName, _ := raw["category"].(string)
	cat, known := r.categories[catName]
	def.categoryUID = cat.uid
	def.classUID = cat.uid*1000 + uid
	if a := def.attrs["class_uid"]; a != nil {
		a.enum = map[string]enumValue{itoa(def.classUID): {caption: caption}}
	}
	if a := def.attrs["category_uid"]; a != nil && known {
		a.enum = map[string]enumValue{itoa(cat.uid): {caption: cat.caption}}
	}
	if a := def.attrs["type_uid"]; a != nil {
		a.enum = map[string]enumValue{itoa(def.classUID * 100): {caption: caption + ": Unknown"}}
		if act := def.attrs["activity_id"]; act != nil {
			for k, v := range act.enum {
				id, err := strconv.ParseInt(k, 10, 64)
				if err != nil {
					return fmt.Errorf("activity_id enum key %q: %w", k, err)
				}
				a.enum[itoa(def.classUID*100+id)] = enumValue{caption: caption + ": " + v.caption}
			}
		}
	}
	return nil
}

func (s *Schema) checkRefs(d *definition) error {
	for _, a := range d.attrs {
		if a.object != "" && s.objects[a.object] == nil {
			return fmt.Errorf("%s.%s: unknown object %q", d.name, a.name, a.object)
		}
		if a.object == "" && s.types[a.typeName] == nil {
			return fmt.Errorf("%s.%s: unknown type %q", d.name, a.name, a.typeName)
		}
	}
	return nil
}

func deprecation(v any) string {
	if v == nil {
		return ""
	}
	m, _ := v.(map[string]any)
	msg, _ := m["message"].(string)
	if since, _ := m["since"].(string); since != "" {
		msg = fmt.Sprintf("deprecated since %s. %s", since, msg)
	}
	if msg == "" {
		msg = "deprecated"
	}
	return msg
}

func intOf(v any) (int64, error) {
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) {
		return 0, fmt.Errorf("%v is not an integer", v)
	}
	return int64(f), nil
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
