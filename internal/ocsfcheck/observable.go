package ocsfcheck

import (
	"fmt"
	"math"
)

// addObservableTypes fills the observable.type_id enum the way the OCSF
// compiler does: the source files only list 0 and 99, the real ids are the
// "observable" numbers spread over data types, dictionary attributes,
// objects and class/object attributes.
func (r *rawSchema) addObservableTypes(s *Schema) error {
	obs := s.objects["observable"]
	if obs == nil || obs.attrs["type_id"] == nil {
		return nil // nothing to enrich in a schema without observables
	}
	enum := obs.attrs["type_id"].enum
	if enum == nil {
		enum = map[string]enumValue{}
		obs.attrs["type_id"].enum = enum
	}
	add := func(v any, caption string) error {
		if v == nil {
			return nil
		}
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			return fmt.Errorf("observable id %v of %s is not an integer", v, caption)
		}
		key := itoa(int64(f))
		if _, dup := enum[key]; !dup {
			enum[key] = enumValue{caption: caption}
		}
		return nil
	}
	for _, set := range []map[string]map[string]any{r.types, r.dictionary} {
		for _, name := range sortedKeys(set) {
			caption, _ := set[name]["caption"].(string)
			if err := add(set[name]["observable"], caption); err != nil {
				return err
			}
		}
	}
	for _, items := range []map[string]map[string]any{r.objects, r.classes} {
		for _, name := range sortedKeys(items) {
			item := items[name]
			caption, _ := item["caption"].(string)
			if err := add(item["observable"], caption); err != nil {
				return err
			}
			attrs, _ := item["attributes"].(map[string]any)
			for _, an := range sortedKeys(attrs) {
				am, _ := attrs[an].(map[string]any)
				if err := add(am["observable"], caption+": "+an); err != nil {
					return err
				}
			}
			paths, _ := item["observables"].(map[string]any)
			for _, p := range sortedKeys(paths) {
				if err := add(paths[p], caption+": "+p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
