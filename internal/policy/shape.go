package policy

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkShape walks the YAML beside the Go type it will decode into and
// reports the first unknown key or wrong kind of value by its YAML path
// (registry.tokens[2].expires_at); yaml's own errors give only a line and
// the Go type's name. It descends only as deep as the type, so its cost is
// bounded by the document's size whatever its nesting.
func checkShape(n *yaml.Node, t reflect.Type, path string) error {
	switch {
	case n == nil || n.Kind == 0:
		return nil
	case n.Kind == yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return checkShape(n.Content[0], t, path)
	case n.Kind == yaml.AliasNode:
		// Only the kind of what it names: descending would walk a shared
		// subtree once per reference. The decoder checks the rest and bounds
		// alias expansion.
		if n.Alias == nil {
			return nil
		}
		target := *n.Alias
		target.Line = n.Line // point at the reference, not the anchor
		return checkKind(&target, t, path)
	}
	if err := checkKind(n, t, path); err != nil || isNull(n) {
		return err
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // a merge key: its mappings belong here
				if err := checkMerge(v, t, path); err != nil {
					return err
				}
				continue
			}
			p := join(path, k.Value)
			f, ok := fieldByKey(t, k.Value)
			if !ok {
				return fmt.Errorf("%s: unknown key (line %d): use one of %s", p, k.Line, strings.Join(keys(t), ", "))
			}
			if err := checkShape(v, f.Type, p); err != nil {
				return err
			}
		}
	case reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i, c := range n.Content {
			if err := checkShape(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMerge checks the value of a merge key: a mapping or a list of them.
func checkMerge(v *yaml.Node, t reflect.Type, path string) error {
	if v.Kind != yaml.SequenceNode {
		return checkShape(v, t, path)
	}
	for _, c := range v.Content {
		if err := checkShape(c, t, path); err != nil {
			return err
		}
	}
	return nil
}

// checkKind checks that n is the kind of node t decodes from, without
// looking inside it.
func checkKind(n *yaml.Node, t reflect.Type, path string) error {
	if n == nil || isNull(n) {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if n.Kind != yaml.MappingNode {
			return kindError(n, path, "a mapping of keys")
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return kindError(n, path, "a list")
		}
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			return fmt.Errorf("%s: want true or false (line %d)", where(path), n.Line)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return kindError(n, path, "a single value")
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindError(n *yaml.Node, path, want string) error {
	got := "a single value"
	switch n.Kind {
	case yaml.MappingNode:
		got = "a mapping of keys"
	case yaml.SequenceNode:
		got = "a list"
	}
	return fmt.Errorf("%s: want %s, not %s (line %d)", where(path), want, got, n.Line)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func where(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("yaml") == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func keys(t reflect.Type) []string {
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, t.Field(i).Tag.Get("yaml"))
	}
	return out
}
