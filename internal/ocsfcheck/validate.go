package ocsfcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// maxDepth bounds object nesting in an event (process.parent_process...), so
// hostile input cannot exhaust the stack; real events stay far below it.
const maxDepth = 64

// Validate returns every error found in event, each an *Error naming the JSON
// path. An empty result means the event is valid. Numbers may be json.Number
// (json.Decoder.UseNumber) or float64.
func (s *Schema) Validate(event map[string]any) []error {
	errs, _ := s.Check(event)
	return errs
}

// Warnings returns the non-fatal findings: missing recommended attributes,
// deprecated items, and enum sibling (caption) mismatches.
func (s *Schema) Warnings(event map[string]any) []error {
	_, warns := s.Check(event)
	return warns
}

// ValidateJSON decodes one JSON object (numbers as json.Number) and validates it.
func (s *Schema) ValidateJSON(line []byte) []error {
	event, err := decodeEvent(line)
	if err != nil {
		return []error{&Error{Kind: KindJSON, Msg: err.Error()}}
	}
	return s.Validate(event)
}

// Check returns both the errors and the warnings of one event.
func (s *Schema) Check(event map[string]any) (errs, warnings []error) {
	c := &checker{s: s, profiles: map[string]bool{}}
	if event == nil {
		c.fail("", KindJSON, "event is null")
		return c.errs, c.warns
	}
	class := c.class(event)
	if class == nil {
		return c.errs, c.warns
	}
	if class.deprecated != "" {
		c.warn("", KindDeprecated, "class %s is %s", class.name, class.deprecated)
	}
	c.readProfiles(event)
	c.object("", event, class, 0)
	c.version(event)
	c.typeUID(event)
	c.observables(event, class)
	return c.errs, c.warns
}

func decodeEvent(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode event: trailing data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("decode event: expected a JSON object, got %s", jsonKind(v))
	}
	return m, nil
}

// checker accumulates the findings of one event walk.
type checker struct {
	s        *Schema
	profiles map[string]bool // from metadata.profiles
	errs     []error
	warns    []error
}

func (c *checker) fail(path string, k Kind, format string, args ...any) {
	c.errs = append(c.errs, &Error{Path: path, Kind: k, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(path string, k Kind, format string, args ...any) {
	c.warns = append(c.warns, &Error{Path: path, Kind: k, Msg: fmt.Sprintf(format, args...)})
}

// active reports whether an attribute is usable: always-on, or its profile
// is listed in metadata.profiles.
func (c *checker) active(a *attribute) bool {
	return a.profile == "" || c.profiles[a.profile]
}

func (c *checker) class(event map[string]any) *definition {
	v := event["class_uid"]
	if v == nil {
		c.fail("class_uid", KindRequired, "required attribute class_uid is missing; cannot select a class")
		return nil
	}
	uid, ok := asInt(v, 32)
	if !ok {
		c.fail("class_uid", KindType, "expected integer_t, got %s", jsonKind(v))
		return nil
	}
	def := c.s.classes[uid]
	if def == nil {
		c.fail("class_uid", KindClass, "no OCSF %s class has class_uid %d", c.s.version, uid)
	}
	return def
}

// readProfiles enables the profiles listed in metadata.profiles; unknown
// names are errors, wrong types are reported by the normal attribute walk.
func (c *checker) readProfiles(event map[string]any) {
	md, _ := event["metadata"].(map[string]any)
	list, _ := md["profiles"].([]any)
	for i, p := range list {
		name, ok := p.(string)
		if !ok {
			continue
		}
		if !c.s.profiles[name] {
			c.fail(fmt.Sprintf("metadata.profiles[%d]", i), KindProfile, "unknown profile %q", name)
			continue
		}
		c.profiles[name] = true
	}
}

func (c *checker) object(path string, val map[string]any, def *definition, depth int) {
	if depth > maxDepth {
		c.fail(path, KindDepth, "objects nested deeper than %d levels", maxDepth)
		return
	}
	for _, name := range sortedKeys(def.attrs) {
		a := def.attrs[name]
		if !c.active(a) {
			continue
		}
		p := joinPath(path, name)
		v := val[name]
		if v == nil {
			c.missing(p, a, def)
			continue
		}
		if key, ok := c.value(p, v, a, depth); ok {
			c.sibling(path, val, def, a, key)
		}
	}
	// An object with no attributes at all (objects/object.json, used by
	// "unmapped") is free-form by definition.
	if len(def.attrs) > 0 {
		for _, key := range sortedKeys(val) {
			a, ok := def.attrs[key]
			switch {
			case ok && c.active(a):
			case ok:
				c.fail(joinPath(path, key), KindProfile, "attribute %s comes from profile %q, which metadata.profiles does not list", key, a.profile)
			default:
				c.fail(joinPath(path, key), KindUnknown, "attribute %s is not defined in %s", key, describe(def))
			}
		}
	}
	c.constraints(path, val, def)
}

func (c *checker) missing(path string, a *attribute, def *definition) {
	switch a.requirement {
	case "required":
		c.fail(path, KindRequired, "required attribute %s of %s is missing", a.name, describe(def))
	case "recommended":
		c.warn(path, KindRecommended, "recommended attribute %s of %s is missing", a.name, describe(def))
	}
}

// value checks one present attribute. For a scalar enum attribute it returns
// the enum key found, so the caller can check the sibling.
func (c *checker) value(path string, v any, a *attribute, depth int) (string, bool) {
	if a.deprecated != "" {
		c.warn(path, KindDeprecated, "attribute %s is %s", a.name, a.deprecated)
	}
	if a.isArray {
		arr, ok := v.([]any)
		if !ok {
			c.fail(path, KindType, "expected an array of %s, got %s", a.typeName, jsonKind(v))
			return "", false
		}
		for i, e := range arr {
			c.scalar(fmt.Sprintf("%s[%d]", path, i), e, a, depth)
		}
		return "", false
	}
	if _, ok := v.([]any); ok && !c.freeForm(a) {
		c.fail(path, KindType, "expected %s, got array", a.typeName)
		return "", false
	}
	return c.scalar(path, v, a, depth)
}

// freeForm reports whether a scalar attribute accepts any JSON value,
// arrays included (json_t and its subtypes).
func (c *checker) freeForm(a *attribute) bool {
	return a.object == "" && c.s.types[a.typeName].prim == primJSON
}

func (c *checker) scalar(path string, v any, a *attribute, depth int) (string, bool) {
	if a.object != "" {
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, KindType, "expected object %s, got %s", a.object, jsonKind(v))
			return "", false
		}
		def := c.s.objects[a.object]
		if def.deprecated != "" {
			c.warn(path, KindDeprecated, "object %s is %s", def.name, def.deprecated)
		}
		c.object(path, m, def, depth+1)
		return "", false
	}
	kind, msg := c.s.types[a.typeName].check(v)
	if kind != "" {
		c.fail(path, kind, "%s", msg)
		if kind == KindType {
			return "", false
		}
	}
	if a.enum == nil {
		return "", false
	}
	return c.enum(path, v, a)
}

func (c *checker) enum(path string, v any, a *attribute) (string, bool) {
	key, ok := enumKey(v)
	if !ok {
		return "", false
	}
	ev, ok := a.enum[key]
	if !ok {
		c.fail(path, KindEnum, "value %s is not defined for enum %s (allowed: %s)", key, a.name, enumKeys(a.enum))
		return "", false
	}
	if ev.deprecated != "" {
		c.warn(path, KindDeprecated, "enum value %s of %s is %s", key, a.name, ev.deprecated)
	}
	return key, true
}

// sibling applies the OCSF server's caption rules as warnings (see doc.go).
func (c *checker) sibling(path string, val map[string]any, def *definition, a *attribute, key string) {
	sa := def.attrs[a.sibling]
	if a.sibling == "" || sa == nil || !c.active(sa) {
		return
	}
	p := joinPath(path, a.sibling)
	caption := a.enum[key].caption
	sv, present := val[a.sibling].(string)
	switch {
	case key == "99" && val[a.sibling] == nil:
		c.warn(p, KindSibling, "%s is 99 (Other) but %s, which should carry the source-specific value, is missing", a.name, a.sibling)
	case key == "99" && present && sv == caption:
		c.warn(p, KindSibling, "%s is %q, the caption of 99 itself; it should carry the source-specific value", a.sibling, sv)
	case key != "99" && present && sv != caption:
		c.warn(p, KindSibling, "%s is %q but %s %s means %q", a.sibling, sv, a.name, key, caption)
	}
}

func (c *checker) constraints(path string, val map[string]any, def *definition) {
	for _, group := range def.atLeastOne {
		if countPresent(val, group) == 0 {
			c.fail(path, KindConstraint, "%s needs at least one of %s", describe(def), strings.Join(group, ", "))
		}
	}
	for _, group := range def.justOne {
		if n := countPresent(val, group); n != 1 {
			c.fail(path, KindConstraint, "%s needs exactly one of %s, got %d", describe(def), strings.Join(group, ", "), n)
		}
	}
}

func (c *checker) version(event map[string]any) {
	md, _ := event["metadata"].(map[string]any)
	if v, ok := md["version"].(string); ok && v != c.s.version {
		c.fail("metadata.version", KindVersion, "version %q does not match schema version %q", v, c.s.version)
	}
}

func (c *checker) typeUID(event map[string]any) {
	classUID, ok1 := asInt(event["class_uid"], 64)
	activity, ok2 := asInt(event["activity_id"], 64)
	typeUID, ok3 := asInt(event["type_uid"], 64)
	if !ok1 || !ok2 || !ok3 {
		return // missing or mistyped values are reported elsewhere
	}
	if want := classUID*100 + activity; typeUID != want {
		c.fail("type_uid", KindTypeUID, "type_uid %d != class_uid %d * 100 + activity_id %d = %d", typeUID, classUID, activity, want)
	}
}

// observables checks that each observables[].name is an attribute path of
// the class (e.g. "actor.user.name"), as the OCSF server does.
func (c *checker) observables(event map[string]any, class *definition) {
	list, _ := event["observables"].([]any)
	for i, o := range list {
		m, _ := o.(map[string]any)
		name, ok := m["name"].(string)
		if !ok {
			continue
		}
		if !c.refersToAttribute(class, name) {
			c.fail(fmt.Sprintf("observables[%d].name", i), KindObservable, "%q is not an attribute path of %s", name, describe(class))
		}
	}
}

func (c *checker) refersToAttribute(def *definition, name string) bool {
	parts := strings.Split(name, ".")
	for i, part := range parts {
		part, _, _ = strings.Cut(part, "[") // tolerate "resources[0].uid" / "resources[].uid"
		a := def.attrs[part]
		if a == nil || !c.active(a) {
			return false
		}
		if i == len(parts)-1 {
			return true
		}
		if a.object == "" {
			return false
		}
		def = c.s.objects[a.object]
	}
	return false
}

// countPresent counts the non-null members of a constraint group; a member
// may be a dotted path into nested objects.
func countPresent(val map[string]any, group []string) int {
	n := 0
	for _, member := range group {
		var cur any = val
		for _, part := range strings.Split(member, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[part]
		}
		if cur != nil {
			n++
		}
	}
	return n
}

func enumKey(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	if i, ok := asInt(v, 64); ok {
		return strconv.FormatInt(i, 10), true
	}
	return "", false
}

// enumKeys lists enum keys in numeric order when they are numbers.
func enumKeys(e map[string]enumValue) string {
	keys := sortedKeys(e)
	sort.SliceStable(keys, func(i, j int) bool {
		a, errA := strconv.ParseInt(keys[i], 10, 64)
		b, errB := strconv.ParseInt(keys[j], 10, 64)
		if errA != nil || errB != nil {
			return keys[i] < keys[j]
		}
		return a < b
	})
	return strings.Join(keys, ", ")
}

func describe(def *definition) string {
	if def.isClass {
		return fmt.Sprintf("class %s (%d)", def.name, def.classUID)
	}
	return "object " + def.name
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}
