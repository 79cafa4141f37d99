package ocsfcheck

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzValidateJSON checks that no input panics the validator. The seeds
// (golden events and near misses) also run in a plain `go test`.
func FuzzValidateJSON(f *testing.F) {
	s := testSchema(f)
	for _, name := range []string{"api_activity.json", "detection_finding.json", "application_lifecycle.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		``, `{}`, `[]`, `null`,
		`{"class_uid": 6003, "metadata": {"profiles": [1, "cloud", null], "version": 1}}`,
		`{"class_uid": 6003, "actor": {"process": {"parent_process": {"parent_process": {"pid": "x"}}}}}`,
		`{"class_uid": 6003, "observables": [{"name": "a..b"}, {"name": ""}, 3]}`,
		`{"class_uid": 2004, "type_uid": 1e400, "activity_id": -0, "time": 9223372036854775808}`,
		`{"class_uid": 0, "unmapped": [1], "resources": [null, [], {"uid": {}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		errs := s.ValidateJSON(b)
		for _, err := range errs {
			if err == nil || err.Error() == "" {
				t.Fatalf("empty error in %v", errs)
			}
		}
		if ev, err := decodeEvent(b); err == nil {
			s.Check(ev)
		}
	})
}
