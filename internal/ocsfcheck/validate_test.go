package ocsfcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoldenEventsAreValid(t *testing.T) {
	s := testSchema(t)
	for _, name := range []string{"api_activity.json", "detection_finding.json", "application_lifecycle.json"} {
		t.Run(name, func(t *testing.T) {
			if errs := s.Validate(golden(t, name)); len(errs) != 0 {
				t.Fatalf("golden event has errors:\n%s", joinErrs(errs))
			}
			// Decoding without UseNumber yields float64 numbers; same verdict.
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			var ev map[string]any
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			if errs := s.Validate(ev); len(errs) != 0 {
				t.Fatalf("float64-decoded golden event has errors:\n%s", joinErrs(errs))
			}
			if errs := s.ValidateJSON(b); len(errs) != 0 {
				t.Fatalf("ValidateJSON: %s", joinErrs(errs))
			}
		})
	}
}

// TestInvalidAPIActivity mutates the valid API Activity golden event to
// produce one kind of problem per case and expects it at an exact path.
func TestInvalidAPIActivity(t *testing.T) {
	s := testSchema(t)
	processChain := func(depth int) map[string]any {
		p := map[string]any{"pid": num("1")}
		for i := 0; i < depth; i++ {
			p = map[string]any{"pid": num("2"), "parent_process": p}
		}
		return p
	}
	tests := []struct {
		name     string
		mutate   func(ev map[string]any)
		path     string
		kind     Kind
		wantOnly bool // the expected problem must be the only error
	}{
		{"missing required top-level", func(ev map[string]any) { del(ev, "api") }, "api", KindRequired, true},
		{"missing required nested", func(ev map[string]any) { del(ev, "api.operation") }, "api.operation", KindRequired, true},
		{"null counts as missing", func(ev map[string]any) { set(ev, "api.operation", nil) }, "api.operation", KindRequired, true},
		{"missing metadata.version", func(ev map[string]any) { del(ev, "metadata.version") }, "metadata.version", KindRequired, true},
		{"missing class_uid", func(ev map[string]any) { del(ev, "class_uid") }, "class_uid", KindRequired, true},
		{"unknown top-level attribute", func(ev map[string]any) { ev["token_hash"] = "x" }, "token_hash", KindUnknown, true},
		{"unknown nested attribute", func(ev map[string]any) { set(ev, "api.method", "GET") }, "api.method", KindUnknown, true},
		{"unknown deeply nested attribute", func(ev map[string]any) { set(ev, "actor.user.nickname", "al") }, "actor.user.nickname", KindUnknown, true},
		{"wrong type string", func(ev map[string]any) { set(ev, "api.operation", num("42")) }, "api.operation", KindType, true},
		{"wrong type integer", func(ev map[string]any) { ev["severity_id"] = "1" }, "severity_id", KindType, true},
		{"non-integral integer", func(ev map[string]any) { ev["severity_id"] = num("1.5") }, "severity_id", KindType, true},
		{"integer_t overflow", func(ev map[string]any) { ev["severity_id"] = num("3000000000") }, "severity_id", KindType, true},
		{"object expected", func(ev map[string]any) { ev["api"] = "GetObject" }, "api", KindType, true},
		{"bad enum value", func(ev map[string]any) { ev["severity_id"] = num("7") }, "severity_id", KindEnum, true},
		{"bad activity enum", func(ev map[string]any) { ev["activity_id"] = num("5"); ev["type_uid"] = num("600305") }, "activity_id", KindEnum, false},
		{"wrong type_uid", func(ev map[string]any) { ev["type_uid"] = num("600303") }, "type_uid", KindTypeUID, true},
		{"wrong category", func(ev map[string]any) { ev["category_uid"] = num("3") }, "category_uid", KindEnum, true},
		{"unknown class", func(ev map[string]any) { ev["class_uid"] = num("6099") }, "class_uid", KindClass, true},
		{"class_uid not integer", func(ev map[string]any) { ev["class_uid"] = "6003" }, "class_uid", KindType, true},
		{"bad ip", func(ev map[string]any) { set(ev, "src_endpoint.ip", "999.0.2.10") }, "src_endpoint.ip", KindFormat, true},
		{"ip too long", func(ev map[string]any) { set(ev, "src_endpoint.ip", strings.Repeat("1", 41)) }, "src_endpoint.ip", KindFormat, false},
		{"port out of range", func(ev map[string]any) { set(ev, "src_endpoint.port", num("70000")) }, "src_endpoint.port", KindFormat, true},
		{"timestamp as string", func(ev map[string]any) { ev["time"] = "2026-01-01T00:00:00Z" }, "time", KindType, true},
		{"timestamp fractional", func(ev map[string]any) { ev["time"] = num("1767225600000.5") }, "time", KindType, true},
		{"array expected", func(ev map[string]any) { ev["resources"] = map[string]any{"uid": "bucket-1"} }, "resources", KindType, true},
		{"array element checked", func(ev map[string]any) {
			ev["resources"] = []any{map[string]any{"uid": "bucket-1"}, map[string]any{"uid": num("5")}}
		}, "resources[1].uid", KindType, true},
		{"scalar expected", func(ev map[string]any) { set(ev, "api.operation", []any{"GetObject"}) }, "api.operation", KindType, true},
		{"at_least_one violated on actor", func(ev map[string]any) { ev["actor"] = map[string]any{} }, "actor", KindConstraint, true},
		{"at_least_one violated on endpoint", func(ev map[string]any) {
			ev["src_endpoint"] = map[string]any{"port": num("443")}
		}, "src_endpoint", KindConstraint, true},
		{"at_least_one violated on product", func(ev map[string]any) {
			set(ev, "metadata.product", map[string]any{"vendor_name": "tokenaudit"})
		}, "metadata.product", KindConstraint, true},
		{"profile attribute without profile", func(ev map[string]any) { ev["cloud"] = map[string]any{"provider": "AWS"} }, "cloud", KindProfile, true},
		{"datetime attribute without profile", func(ev map[string]any) { ev["time_dt"] = "2026-01-01T00:00:00Z" }, "time_dt", KindProfile, true},
		{"profile listed makes its required attribute required", func(ev map[string]any) {
			set(ev, "metadata.profiles", []any{"cloud"})
		}, "cloud", KindRequired, true},
		{"unknown profile", func(ev map[string]any) { set(ev, "metadata.profiles", []any{"quantum"}) }, "metadata.profiles[0]", KindProfile, true},
		{"bad datetime with profile", func(ev map[string]any) {
			set(ev, "metadata.profiles", []any{"datetime"})
			ev["time_dt"] = "yesterday"
		}, "time_dt", KindFormat, true},
		{"version mismatch", func(ev map[string]any) { set(ev, "metadata.version", "1.7.0") }, "metadata.version", KindVersion, true},
		{"observable name not an attribute", func(ev map[string]any) {
			ev["observables"] = []any{map[string]any{"name": "actor.user.shoe_size", "type_id": num("4")}}
		}, "observables[0].name", KindObservable, true},
		{"recursion guard", func(ev map[string]any) { set(ev, "actor.process", processChain(maxDepth+5)) }, "", KindDepth, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := golden(t, "api_activity.json")
			tc.mutate(ev)
			errs := s.Validate(ev)
			if tc.kind == KindDepth {
				for _, err := range errs {
					if e, ok := err.(*Error); ok && e.Kind == KindDepth {
						return
					}
				}
				t.Fatalf("want a depth error, got:\n%s", joinErrs(errs))
			}
			if !hasProblem(errs, tc.path, tc.kind) {
				t.Fatalf("want %s error at %q, got:\n%s", tc.kind, tc.path, joinErrs(errs))
			}
			if tc.wantOnly && len(errs) != 1 {
				t.Fatalf("want exactly one error, got:\n%s", joinErrs(errs))
			}
		})
	}
}

// TestValidVariants are mutations that must stay valid.
func TestValidVariants(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		name   string
		file   string
		mutate func(ev map[string]any)
	}{
		{"profile attribute with profile listed", "api_activity.json", func(ev map[string]any) {
			set(ev, "metadata.profiles", []any{"cloud"})
			ev["cloud"] = map[string]any{"provider": "AWS", "region": "eu-west-1"}
		}},
		{"datetime profile", "api_activity.json", func(ev map[string]any) {
			set(ev, "metadata.profiles", []any{"datetime"})
			ev["time_dt"] = "2026-01-01T00:00:00.000Z"
		}},
		{"free-form unmapped", "api_activity.json", func(ev map[string]any) {
			ev["unmapped"] = map[string]any{"anything": map[string]any{"goes": []any{num("1"), "two", nil}}}
		}},
		{"recommended and optional attributes", "api_activity.json", func(ev map[string]any) {
			ev["activity_name"] = "Read"
			ev["status_id"] = num("1")
			ev["status"] = "Success"
			ev["message"] = "read object"
			ev["resources"] = []any{map[string]any{"uid": "bucket-1", "type": "s3"}}
			set(ev, "api.request.uid", "req-1")
			set(ev, "src_endpoint.port", num("443"))
			set(ev, "metadata.uid", "9b0a7c2e-3f41-4b8e-9d55-0c1d2e3f4a5b")
			set(ev, "metadata.logged_time", num("1767225600001"))
			ev["observables"] = []any{map[string]any{"name": "actor.user.name", "type_id": num("4"), "value": "alice"}}
		}},
		{"activity Other with name", "api_activity.json", func(ev map[string]any) {
			ev["activity_id"] = num("99")
			ev["activity_name"] = "Presign"
			ev["type_uid"] = num("600399")
		}},
		{"recursive process within the guard", "api_activity.json", func(ev map[string]any) {
			set(ev, "actor.process", map[string]any{"pid": num("10"), "parent_process": map[string]any{"pid": num("1")}})
		}},
		{"IPv6 endpoint", "api_activity.json", func(ev map[string]any) { set(ev, "src_endpoint.ip", "2001:db8::1") }},
		{"json_t accepts any JSON value", "detection_finding.json", func(ev map[string]any) {
			ev["evidences"] = []any{
				map[string]any{"data": []any{"a", map[string]any{"b": num("1")}}},
				map[string]any{"data": "plain"},
			}
		}},
		{"finding with resources", "detection_finding.json", func(ev map[string]any) {
			ev["resources"] = []any{map[string]any{"name": "svc-account"}}
			set(ev, "finding_info.analytic", map[string]any{"type_id": num("1"), "name": "replay"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := golden(t, tc.file)
			tc.mutate(ev)
			if errs := s.Validate(ev); len(errs) != 0 {
				t.Fatalf("want valid, got:\n%s", joinErrs(errs))
			}
		})
	}
}

func TestOtherClassesRequire(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		file, path string
		kind       Kind
		mutate     func(ev map[string]any)
	}{
		{"detection_finding.json", "finding_info", KindRequired, func(ev map[string]any) { del(ev, "finding_info") }},
		{"detection_finding.json", "finding_info.uid", KindRequired, func(ev map[string]any) { del(ev, "finding_info.uid") }},
		{"detection_finding.json", "type_uid", KindTypeUID, func(ev map[string]any) { ev["type_uid"] = num("200402") }},
		{"detection_finding.json", "vulnerabilities[0]", KindConstraint, func(ev map[string]any) {
			ev["vulnerabilities"] = []any{map[string]any{
				"cve": map[string]any{"uid": "CVE-2024-0001"},
				"cwe": map[string]any{"uid": "CWE-79"},
			}}
		}},
		{"application_lifecycle.json", "app", KindRequired, func(ev map[string]any) { del(ev, "app") }},
		{"application_lifecycle.json", "app", KindConstraint, func(ev map[string]any) { del(ev, "app.name") }},
		{"application_lifecycle.json", "activity_id", KindEnum, func(ev map[string]any) { ev["activity_id"] = num("9") }},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.path+"/"+string(tc.kind), func(t *testing.T) {
			ev := golden(t, tc.file)
			tc.mutate(ev)
			if errs := s.Validate(ev); !hasProblem(errs, tc.path, tc.kind) {
				t.Fatalf("want %s at %q, got:\n%s", tc.kind, tc.path, joinErrs(errs))
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		name   string
		mutate func(ev map[string]any)
		path   string
		kind   Kind
	}{
		{"recommended missing", func(map[string]any) {}, "http_request", KindRecommended},
		{"Other without sibling", func(ev map[string]any) {
			ev["activity_id"] = num("99")
			ev["type_uid"] = num("600399")
		}, "activity_name", KindSibling},
		{"sibling caption mismatch", func(ev map[string]any) { ev["activity_name"] = "Write" }, "activity_name", KindSibling},
		{"deprecated attribute", func(ev map[string]any) { set(ev, "actor.invoked_by", "svc") }, "actor.invoked_by", KindDeprecated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := golden(t, "api_activity.json")
			tc.mutate(ev)
			errs, warns := s.Check(ev)
			if len(errs) != 0 {
				t.Fatalf("warnings must not be errors, got:\n%s", joinErrs(errs))
			}
			if !hasProblem(warns, tc.path, tc.kind) {
				t.Fatalf("want %s warning at %q, got:\n%s", tc.kind, tc.path, joinErrs(warns))
			}
			if !hasProblem(s.Warnings(ev), tc.path, tc.kind) {
				t.Fatal("Warnings disagrees with Check")
			}
		})
	}
	if warns := s.Warnings(golden(t, "api_activity.json")); hasProblem(warns, "activity_name", KindSibling) {
		t.Fatal("a matching or absent sibling must not warn")
	}
}

func TestValidateJSONRejectsNonEvents(t *testing.T) {
	s := testSchema(t)
	for _, in := range []string{``, `[]`, `null`, `"x"`, `{"class_uid": 6003`, `{} {}`, `{"a":1} x`} {
		errs := s.ValidateJSON([]byte(in))
		if !hasProblem(errs, "", KindJSON) {
			t.Errorf("ValidateJSON(%q) = %v, want a json error", in, errs)
		}
	}
	if errs := s.Validate(nil); !hasProblem(errs, "", KindJSON) {
		t.Errorf("Validate(nil) = %v, want a json error", errs)
	}
}

func TestErrorMessageNamesPath(t *testing.T) {
	s := testSchema(t)
	ev := golden(t, "api_activity.json")
	del(ev, "api.operation")
	errs := s.Validate(ev)
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "api.operation: required:") {
		t.Fatalf("unexpected errors: %v", errs)
	}
}
