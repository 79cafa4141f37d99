package ocsf

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const schemaDir = "../../../shared/ocsf-schema-1.8.0"

func loadTest(t testing.TB) *Schema {
	t.Helper()
	s, err := Load(schemaDir)
	require.NoError(t, err, "the OCSF 1.8.0 schema must be at %s", schemaDir)
	return s
}

func golden(t testing.TB) []byte {
	data, err := os.ReadFile("testdata/api_activity.json")
	require.NoError(t, err)
	return data
}

// edit applies fn to a decoded copy of the golden event.
func edit(t *testing.T, fn func(ev map[string]any)) []byte {
	var ev map[string]any
	require.NoError(t, json.Unmarshal(golden(t), &ev))
	fn(ev)
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

func sub(ev map[string]any, path ...string) map[string]any {
	m := ev
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

func TestGoldenIsValid(t *testing.T) {
	s := loadTest(t)
	assert.Empty(t, s.ValidateJSON(golden(t)))
}

func TestEachKindOfErrorIsFound(t *testing.T) {
	s := loadTest(t)
	cases := []struct {
		name string
		fn   func(ev map[string]any)
		want string
	}{
		{"missing required", func(ev map[string]any) { delete(ev, "actor") }, "actor: required"},
		{"missing nested required", func(ev map[string]any) { delete(sub(ev, "api"), "operation") }, "api.operation: required"},
		{"unknown top-level", func(ev map[string]any) { ev["token_secret"] = "x" }, "token_secret: is not an attribute"},
		{"unknown nested", func(ev map[string]any) { sub(ev, "api", "token")["raw"] = "x" }, "api.token.raw: is not an attribute"},
		{"wrong type", func(ev map[string]any) { ev["severity_id"] = "1" }, "severity_id: must be an integer"},
		{"bad enum", func(ev map[string]any) { ev["severity_id"] = 42 }, "severity_id: 42 is not one of"},
		{"bad nested enum", func(ev map[string]any) { sub(ev, "api", "token")["type_id"] = 8 }, "api.token.type_id: 8 is not one of"},
		{"type_uid arithmetic", func(ev map[string]any) { ev["type_uid"] = 600303 }, "type_uid: must be"},
		{"wrong category", func(ev map[string]any) { ev["category_uid"] = 2 }, "category_uid: must be 6"},
		{"unknown class", func(ev map[string]any) { ev["class_uid"] = 6999 }, "class_uid: 6999 is not a class"},
		{"bad ip", func(ev map[string]any) { sub(ev, "src_endpoint")["ip"] = "999.1.1.1" }, "src_endpoint.ip:"},
		{"timestamp as string", func(ev map[string]any) { ev["time"] = "2026-11-22" }, "time: must be an integer"},
		{"port out of range", func(ev map[string]any) { sub(ev, "src_endpoint")["port"] = 70000 }, "src_endpoint.port: 70000 is outside"},
		{"array expected", func(ev map[string]any) { ev["resources"] = map[string]any{"name": "x"} }, "resources: must be an array"},
		{"object expected", func(ev map[string]any) { ev["actor"] = "alice" }, "actor: must be a actor object"},
		{"at_least_one", func(ev map[string]any) { ev["src_endpoint"] = map[string]any{} }, "src_endpoint: network_endpoint needs at least one of"},
		{"profile not listed", func(ev map[string]any) { sub(ev, "metadata")["profiles"] = []any{} }, `trace: belongs to profile "trace"`},
		{"version", func(ev map[string]any) { sub(ev, "metadata")["version"] = "1.7.0" }, "metadata.version:"},
		{"integer expected", func(ev map[string]any) { ev["time"] = 1.5 }, "time: must be an integer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := s.ValidateJSON(edit(t, tc.fn))
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			require.NotEmpty(t, errs, "an invalid event passed")
			assert.True(t, strings.Contains(strings.Join(msgs, "\n"), tc.want), "want %q in %v", tc.want, msgs)
		})
	}
}

func TestProfileListedAllowsItsAttributes(t *testing.T) {
	s := loadTest(t)
	// The host profile brings device; listed, it is allowed.
	ev := edit(t, func(ev map[string]any) {
		ev["device"] = map[string]any{"hostname": "web-1", "type_id": 1}
		sub(ev, "metadata")["profiles"] = []any{"trace", "host"}
	})
	assert.Empty(t, s.ValidateJSON(ev))
	ev = edit(t, func(ev map[string]any) { ev["device"] = map[string]any{"hostname": "web-1", "type_id": 1} })
	assert.NotEmpty(t, s.ValidateJSON(ev))
}

func FuzzValidateJSON(f *testing.F) {
	s := loadTest(f)
	f.Add(golden(f))
	f.Add([]byte(`{"class_uid":2004,"metadata":{"version":"1.8.0"}}`))
	f.Add([]byte(`{"class_uid":6002,"app":{"name":1},"metadata":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = s.ValidateJSON(data) // must not panic or hang
	})
}
