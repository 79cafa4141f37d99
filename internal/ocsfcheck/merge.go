package ocsfcheck

import (
	"fmt"
	"maps"
	"slices"
)

// deepMerge returns a fresh copy of base with over merged on top: nested
// objects merge key by key, anything else in over (null included) replaces
// the base value. This is the OCSF compiler's merge for $include, extends and
// dictionary enrichment, and is how "profile": null clears a profile tag.
// Results never alias their inputs, so cached include files stay pristine.
func deepMerge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = cloneValue(v)
	}
	for k, v := range over {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = deepMerge(bm, om)
			continue
		}
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepMerge(nil, t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

// expandIncludes applies the attributes-level "$include" of a class or object
// file, and attribute-level "$include" (enum fragments). The file's own
// attributes win over included ones, and earlier includes over later ones,
// matching the OCSF server's reader.
func (r *rawSchema) expandIncludes(item map[string]any) error {
	attrs, ok := item["attributes"].(map[string]any)
	if !ok {
		if item["attributes"] != nil {
			return fmt.Errorf("attributes is %T, want object", item["attributes"])
		}
		item["attributes"] = map[string]any{}
		return nil
	}
	files, err := includeList(attrs["$include"])
	if err != nil {
		return err
	}
	own := maps.Clone(attrs)
	delete(own, "$include")
	for _, f := range files {
		inc, err := r.include(f)
		if err != nil {
			return err
		}
		incAttrs, _ := inc["attributes"].(map[string]any)
		own = deepMerge(incAttrs, own)
	}
	for name, a := range own {
		am, ok := a.(map[string]any)
		if !ok || am["$include"] == nil {
			continue
		}
		f, ok := am["$include"].(string)
		if !ok {
			return fmt.Errorf("attribute %s: $include must be a string", name)
		}
		inc, err := r.include(f)
		if err != nil {
			return fmt.Errorf("attribute %s: %w", name, err)
		}
		rest := maps.Clone(am)
		delete(rest, "$include")
		own[name] = deepMerge(inc, rest)
	}
	item["attributes"] = own
	return nil
}

func includeList(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("$include entry %v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("$include is %T, want string or array", v)
	}
}

// include reads an included file once. Attributes of a profile file are
// tagged with the profile name (and its annotations) so they can be gated on
// metadata.profiles later.
func (r *rawSchema) include(p string) (map[string]any, error) {
	clean, err := includePath(p)
	if err != nil {
		return nil, err
	}
	if c, ok := r.includes[clean]; ok {
		return c, nil
	}
	var data map[string]any
	if err := readJSON(r.root, clean, &data); err != nil {
		return nil, fmt.Errorf("$include: %w", err)
	}
	if meta, _ := data["meta"].(string); meta == "profile" {
		name, _ := data["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("$include %s: profile without name", clean)
		}
		ann, _ := data["annotations"].(map[string]any)
		attrs, _ := data["attributes"].(map[string]any)
		tagged := make(map[string]any, len(attrs))
		for an, av := range attrs {
			am, ok := av.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("$include %s: attribute %s is not an object", clean, an)
			}
			am = deepMerge(am, map[string]any{"profile": name})
			tagged[an] = deepMerge(ann, am)
		}
		data["attributes"] = tagged
	}
	r.includes[clean] = data
	return data, nil
}

// extend resolves the extends chain of one class or object: the child's
// attributes deep-merge over the parent's (a null attribute removes it),
// "profiles" lists concatenate, and every other top-level key (category,
// uid, constraints, @deprecated) is inherited unless the child sets it.
func extend(items map[string]map[string]any, name string, memo map[string]map[string]any, visiting map[string]bool) (map[string]any, error) {
	if m, ok := memo[name]; ok {
		return m, nil
	}
	item, ok := items[name]
	if !ok {
		return nil, fmt.Errorf("undefined %q", name)
	}
	if visiting[name] {
		return nil, fmt.Errorf("extends cycle through %q", name)
	}
	visiting[name] = true
	defer delete(visiting, name)

	out := item
	if parentName, _ := item["extends"].(string); parentName != "" {
		parent, err := extend(items, parentName, memo, visiting)
		if err != nil {
			return nil, fmt.Errorf("%s extends: %w", name, err)
		}
		out = maps.Clone(parent)
		for k, v := range item {
			switch k {
			case "attributes":
				pa, _ := parent["attributes"].(map[string]any)
				ca, _ := v.(map[string]any)
				out[k] = deepMerge(pa, ca)
			case "profiles":
				pp, _ := parent["profiles"].([]any)
				cp, _ := v.([]any)
				out[k] = slices.Concat(pp, cp)
			default:
				out[k] = v
			}
		}
	}
	if attrs, ok := out["attributes"].(map[string]any); ok {
		maps.DeleteFunc(attrs, func(_ string, v any) bool { return v == nil })
	}
	memo[name] = out
	return out, nil
}
