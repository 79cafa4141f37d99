package ocsf

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// attrSpec is an attribute of a resolved class or object.
type attrSpec struct {
	requirement string
	enum        map[string]bool // keys; nil when not an enum
	// profile gates the attribute: it is allowed only when this profile is
	// in metadata.profiles. Empty means always on.
	profile string
}

// def is a class or object with its extends chain and includes merged.
type def struct {
	name        string
	uid         int64
	category    string
	attrs       map[string]attrSpec
	constraints map[string][]string
}

type rawSpec struct {
	Requirement string                     `json:"requirement"`
	Enum        map[string]json.RawMessage `json:"enum"`
	Profile     *string                    `json:"profile"`
}

func (s *Schema) resolveEvent(name string) (*def, error) {
	return s.resolve("event:"+name, name, s.events)
}

func (s *Schema) resolveObject(name string) (*def, error) {
	return s.resolve("object:"+name, name, s.objects)
}

// resolve merges a definition over its parents: a child's attribute entry
// refines the parent's (requirement, profile), enums are the union, as
// the OCSF compiler does.
func (s *Schema) resolve(key, name string, defs map[string]*rawDef) (*def, error) {
	if d, ok := s.resolved[key]; ok {
		return d, nil
	}
	raw, ok := defs[name]
	if !ok {
		return nil, fmt.Errorf("ocsf schema: no definition %q", name)
	}
	d := &def{name: name, uid: raw.UID, category: raw.Category, attrs: map[string]attrSpec{}, constraints: raw.Constraints}
	if raw.Extends != "" && raw.Extends != "object" {
		parent, err := s.resolve(strings.SplitN(key, ":", 2)[0]+":"+raw.Extends, raw.Extends, defs)
		if err != nil {
			return nil, err
		}
		for k, v := range parent.attrs {
			d.attrs[k] = v
		}
		if d.category == "" {
			d.category = parent.category
		}
		if d.constraints == nil {
			d.constraints = parent.constraints
		}
	}
	if err := s.mergeAttrs(d, raw.Attributes, ""); err != nil {
		return nil, fmt.Errorf("ocsf schema %s: %w", name, err)
	}
	s.resolved[key] = d
	return d, nil
}

// mergeAttrs applies one attributes block; profile is set when the block
// comes from a profile file.
func (s *Schema) mergeAttrs(d *def, attrs map[string]json.RawMessage, profile string) error {
	if inc, ok := attrs["$include"]; ok {
		var files []string
		if err := json.Unmarshal(inc, &files); err != nil {
			var one string
			if err := json.Unmarshal(inc, &one); err != nil {
				return fmt.Errorf("$include: %w", err)
			}
			files = []string{one}
		}
		for _, f := range files {
			var r rawDef
			if err := readJSON(filepath.Join(s.root, f), &r); err != nil {
				return err
			}
			p := profile
			if r.Meta == "profile" || strings.HasPrefix(f, "profiles/") {
				p = r.Name
			}
			if err := s.mergeAttrs(d, r.Attributes, p); err != nil {
				return err
			}
		}
	}
	for name, rawMsg := range attrs {
		if name == "$include" {
			continue
		}
		var rs rawSpec
		if err := json.Unmarshal(rawMsg, &rs); err != nil {
			return fmt.Errorf("attribute %s: %w", name, err)
		}
		spec := d.attrs[name]
		// An attribute a class or object states itself is its own, even
		// when a profile it includes (host adds actor) also brings it.
		spec.profile = profile
		if rs.Requirement != "" {
			spec.requirement = rs.Requirement
		}
		if rs.Profile != nil {
			spec.profile = *rs.Profile // null: always on
		}
		if rs.Enum != nil {
			if spec.enum == nil {
				spec.enum = map[string]bool{}
			} else {
				spec.enum = cloneSet(spec.enum)
			}
			for k := range rs.Enum {
				spec.enum[k] = true
			}
		}
		d.attrs[name] = spec
	}
	return nil
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
