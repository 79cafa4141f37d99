package ocsfcheck

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Fatal("Load of a missing directory succeeded")
	}
}

func TestLoadReadsVersion(t *testing.T) {
	if v := testSchema(t).Version(); v != "1.8.0" {
		t.Fatalf("Version() = %q, want 1.8.0", v)
	}
}

// miniSchema is a tiny schema tree exercising the merge rules in isolation.
func miniSchema() map[string]string {
	return map[string]string{
		"version.json":    `{"version": "9.9.9"}`,
		"categories.json": `{"attributes": {"test": {"uid": 9, "caption": "Test"}}}`,
		"dictionary.json": `{
			"attributes": {
				"activity_id": {"type": "integer_t", "sibling": "activity_name", "enum": {"0": {"caption": "Unknown"}, "99": {"caption": "Other"}}},
				"activity_name": {"type": "string_t"},
				"category_uid": {"type": "integer_t"},
				"class_uid": {"type": "integer_t"},
				"type_uid": {"type": "long_t"},
				"metadata": {"type": "metadata"},
				"version": {"type": "string_t"},
				"profiles": {"type": "string_t", "is_array": true},
				"note": {"type": "string_t"},
				"gone": {"type": "string_t"},
				"extra": {"type": "string_t"},
				"time": {"type": "timestamp_t"}
			},
			"types": {"attributes": {
				"string_t": {}, "integer_t": {}, "long_t": {},
				"timestamp_t": {"type": "long_t"}, "datetime_t": {"type": "string_t"}
			}}
		}`,
		"profiles/p.json":       `{"name": "p", "meta": "profile", "attributes": {"extra": {"requirement": "required"}, "note": {"requirement": "optional"}}}`,
		"includes/more.json":    `{"attributes": {"note": {"requirement": "required"}}}`,
		"objects/object.json":   `{"name": "object", "attributes": {}}`,
		"objects/metadata.json": `{"name": "metadata", "extends": "object", "attributes": {"version": {"requirement": "required"}, "profiles": {"requirement": "optional"}}}`,
		"events/base_event.json": `{"name": "base_event", "category": "other", "attributes": {
			"activity_id": {"requirement": "required"}, "category_uid": {"requirement": "required"},
			"class_uid": {"requirement": "required"}, "type_uid": {"requirement": "required"},
			"metadata": {"requirement": "required"}, "gone": {"requirement": "optional"}, "time": {"requirement": "required"}}}`,
		"events/test/t.json": `{"name": "t", "uid": 1, "extends": "base_event", "category": "test", "attributes": {
			"$include": ["profiles/p.json", "includes/more.json"],
			"activity_id": {"enum": {"1": {"caption": "Do"}}},
			"note": {"profile": null},
			"gone": null}}`,
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMergeRules(t *testing.T) {
	s, err := Load(writeTree(t, miniSchema()))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	def := s.classes[9001]
	if def == nil {
		t.Fatal("class_uid 9001 = category 9 * 1000 + uid 1 not found")
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"child enum merges with parent's", len(def.attrs["activity_id"].enum) == 3},
		{"profile: null makes an included attribute always on", def.attrs["note"].profile == ""},
		{"earlier include wins over later include", def.attrs["note"].requirement == "optional"},
		{"profile attributes are tagged", def.attrs["extra"].profile == "p"},
		{"a null attribute removes the parent's", def.attrs["gone"] == nil},
		{"timestamp gets a datetime _dt twin", def.attrs["time_dt"] != nil && def.attrs["time_dt"].profile == "datetime"},
		{"base_event is class 0", s.classes[0] != nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: failed", c.what)
		}
	}
	ev := `{"activity_id": 1, "category_uid": 9, "class_uid": 9001, "type_uid": 900101, "time": 1, "metadata": {"version": "9.9.9"}}`
	if errs := s.ValidateJSON([]byte(ev)); len(errs) != 0 {
		t.Fatalf("mini event: %s", joinErrs(errs))
	}
	withProfile := strings.Replace(ev, `"version"`, `"profiles": ["p"], "version"`, 1)
	if errs := s.ValidateJSON([]byte(withProfile)); !hasProblem(errs, "extra", KindRequired) {
		t.Fatalf("profile p lists extra as required, got: %s", joinErrs(errs))
	}
}

func TestLoadRejectsBrokenSchemas(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"extends cycle", "objects/a.json", `{"name": "a", "extends": "b", "attributes": {}}`, "cycle"},
		{"undefined parent", "objects/c.json", `{"name": "c", "extends": "nope", "attributes": {}}`, "undefined"},
		{"attribute not in dictionary", "objects/d.json", `{"name": "d", "extends": "object", "attributes": {"zzz": {}}}`, "dictionary"},
		{"include outside root", "objects/e.json", `{"name": "e", "attributes": {"$include": "../x.json"}}`, "$include"},
		{"bad regex", "dictionary.json", `{"attributes": {"x": {"type": "string_t"}}, "types": {"attributes": {"string_t": {"regex": "("}}}}`, "regex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := miniSchema()
			files["objects/b.json"] = `{"name": "b", "extends": "a", "attributes": {}}`
			if tc.name != "extends cycle" {
				delete(files, "objects/b.json")
			}
			files[tc.file] = tc.body
			_, err := Load(writeTree(t, files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentValidate guards the promise that a Schema is read-only
// after Load (run with -race).
func TestConcurrentValidate(t *testing.T) {
	s := testSchema(t)
	ev := golden(t, "detection_finding.json")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if errs := s.Validate(ev); len(errs) != 0 {
					t.Error(joinErrs(errs))
				}
			}
		})
	}
	wg.Wait()
}
