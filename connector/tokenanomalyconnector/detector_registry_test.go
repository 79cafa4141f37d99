package tokenanomalyconnector

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// typeBurst is the finding of a detector that exists only in this test: it
// is registered in one place (burstSpec) and gets everything else from the
// registry.
const typeBurst = "test_burst"

type burstConfig struct {
	DetectorConfig `mapstructure:",squash"`
	Threshold      int `mapstructure:"threshold"`
}

// burstSpec alerts when a token made threshold requests.
func burstSpec() detectorSpec {
	return detectorSpec{
		name:     typeBurst,
		findings: []findingSeverity{{typeBurst, sevHigh}},
		defaults: func() detectorSettings {
			return &burstConfig{DetectorConfig: DetectorConfig{Enabled: true}, Threshold: 3}
		},
		validate: func(s detectorSettings, v *validator) {
			if c := s.(*burstConfig); c.Threshold < 2 {
				v.add("detectors.%s.threshold: %d must be at least 2", typeBurst, c.Threshold)
			}
		},
		compile: func(_ *model, d *detector, _ detectorSettings) error {
			d.state = map[uint64]int{}
			return nil
		},
		stage: stageToken,
		observe: func(m *model, d *detector, ev *event, st *tokenState) {
			if !d.applies(ev) {
				return
			}
			counts := d.state.(map[uint64]int)
			counts[ev.key]++
			if counts[ev.key] != m.cfg.Detectors.sections[typeBurst].(*burstConfig).Threshold {
				return
			}
			f := newFinding(typeBurst, d, ev)
			f.body = tokenTitle(ev.tokenID) + " made a burst."
			m.raise(f, st)
		},
	}
}

func burstConfigFrom(t *testing.T, yaml map[string]any) (*Config, error) {
	t.Helper()
	cfg := defaultConfig(builtinRegistry.withDetectors(burstSpec()))
	cfg.Metrics.FlushInterval = time.Hour
	cfg.MaxReorderWait = cfg.AllowedLateness
	if err := confmap.NewFromStringMap(map[string]any{"detectors": yaml}).Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func TestRegisteredDetectorConfig(t *testing.T) {
	tests := []struct {
		name       string
		yaml       map[string]any
		want       burstConfig
		decodeErr  string
		invalidErr string
	}{
		{name: "defaults", yaml: map[string]any{}, want: burstConfig{DetectorConfig: DetectorConfig{Enabled: true}, Threshold: 3}},
		{
			name: "decoded beside a built-in section",
			yaml: map[string]any{
				typeBurst:    map[string]any{"threshold": 5, "dry_run": true, "exclude": map[string]any{"tokens": []any{"tok_x"}}},
				"rate_surge": map[string]any{"min_requests": 50},
			},
			want: burstConfig{DetectorConfig: DetectorConfig{Enabled: true, DryRun: true, Exclude: ExcludeConfig{Tokens: []string{"tok_x"}}}, Threshold: 5},
		},
		{name: "own key validated", yaml: map[string]any{typeBurst: map[string]any{"threshold": 1}}, invalidErr: "detectors.test_burst.threshold: 1 must be at least 2"},
		{
			name:       "common keys validated",
			yaml:       map[string]any{typeBurst: map[string]any{"exclude": map[string]any{"networks": []any{"not-a-network"}}}},
			invalidErr: "detectors.test_burst.exclude.networks",
		},
		{name: "unknown key refused", yaml: map[string]any{typeBurst: map[string]any{"treshold": 5}}, decodeErr: "treshold"},
		{name: "unknown detector refused", yaml: map[string]any{"no_such_detector": map[string]any{}}, decodeErr: "no_such_detector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := burstConfigFrom(t, tt.yaml)
			if tt.decodeErr != "" {
				require.ErrorContains(t, err, tt.decodeErr)
				return
			}
			require.NoError(t, err)
			if tt.invalidErr != "" {
				require.ErrorContains(t, cfg.Validate(), tt.invalidErr)
				return
			}
			require.NoError(t, cfg.Validate())
			assert.Equal(t, &tt.want, cfg.Detectors.sections[typeBurst])
			if _, ok := tt.yaml["rate_surge"]; ok {
				assert.Equal(t, 50, cfg.Detectors.RateSurge.MinRequests, "built-in sections still decode")
			}
		})
	}
}

func TestRegisteredDetectorVocabulary(t *testing.T) {
	cfg, err := burstConfigFrom(t, map[string]any{})
	require.NoError(t, err)
	assert.Contains(t, cfg.Detectors.detectors().findingTypes(), typeBurst)
	assert.NotContains(t, findingTypes(), typeBurst, "the built-in registry is left alone")
	cfg.Alerts.Escalation.WeakTypes = []string{typeBurst}
	assert.NoError(t, cfg.Validate(), "a registered finding can be weak")
	plain := testConfig()
	plain.Alerts.Escalation.WeakTypes = []string{typeBurst}
	assert.ErrorContains(t, plain.Validate(), `alerts.escalation.weak_types[0]: "test_burst" is not a finding type`)
}

func TestRegisteredDetectorAlerts(t *testing.T) {
	tests := []struct {
		name       string
		yaml       map[string]any
		wantAlerts int
		wantCount  string // dry_run attribute of the anomalies metric; "" when not counted
	}{
		{name: "enabled", yaml: map[string]any{}, wantAlerts: 1, wantCount: "false"},
		{name: "disabled", yaml: map[string]any{typeBurst: map[string]any{"enabled": false}}},
		{name: "dry run", yaml: map[string]any{typeBurst: map[string]any{"dry_run": true}}, wantCount: "true"},
		{name: "excluded token", yaml: map[string]any{typeBurst: map[string]any{"exclude": map[string]any{"tokens": []any{"tok_a"}}}}},
		{name: "own threshold", yaml: map[string]any{typeBurst: map[string]any{"threshold": 4}}, wantAlerts: 1, wantCount: "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := burstConfigFrom(t, tt.yaml)
			require.NoError(t, err)
			h := newHarness(t, cfg)
			threshold := cfg.Detectors.sections[typeBurst].(*burstConfig).Threshold
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Second, threshold-1)...)
			assert.Empty(t, h.alertsOf(typeBurst), "below the threshold")
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(time.Minute), time.Second, 1)...)
			got := h.alertsOf(typeBurst)
			require.Len(t, got, tt.wantAlerts)
			if tt.wantAlerts > 0 {
				assert.Equal(t, auditattr.SeverityHigh, str(got[0], auditattr.FindingSeverity), "severity from the registry")
				assert.Equal(t, "tok_a", str(got[0], auditattr.TokenID))
			}
			h.model.flush(t.Context())
			var counted []string
			for _, p := range metricPoints(t, h, metricAnomalies) {
				if p.attrs[auditattr.FindingType] == typeBurst {
					counted = append(counted, p.attrs[auditattr.FindingDryRun])
				}
			}
			if tt.wantCount == "" {
				assert.Empty(t, counted)
			} else {
				assert.Equal(t, []string{tt.wantCount}, counted)
			}
		})
	}
}

// TestVocabularyHasRegistryEntries: every finding type of the vocabulary
// (internal/auditattr) is raised by a registered detector with a severity,
// the same wherever two detectors raise it.
func TestVocabularyHasRegistryEntries(t *testing.T) {
	sev := map[string]severity{}
	for _, s := range builtinRegistry.specs {
		for _, f := range s.findings {
			require.NotZero(t, f.sev, "%s: severity of %s", s.name, f.typ)
			if prev, ok := sev[f.typ]; ok {
				assert.Equal(t, prev, f.sev, "%s is raised with two severities", f.typ)
			}
			sev[f.typ] = f.sev
		}
	}
	vocabulary := auditattrFindingTypes(t)
	require.Contains(t, vocabulary, auditattr.FindingRateSurge, "the vocabulary was read")
	for _, typ := range vocabulary {
		if typ == auditattr.FindingCombined {
			continue // the escalation's, its severity rises with the findings it combines
		}
		assert.Contains(t, sev, typ, "%s has no registered detector", typ)
	}
	for typ := range sev {
		assert.Contains(t, vocabulary, typ, "%s is not in the vocabulary (internal/auditattr, README contract)", typ)
	}
}

// auditattrFindingTypes reads the values of the Violation* and Finding*
// constants of internal/auditattr that name finding types.
func auditattrFindingTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "internal", "auditattr", "*.go"))
	require.NoError(t, err)
	consts := map[string]string{}
	var order []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						consts[id.Name] = constValue(vs.Values[i])
						order = append(order, id.Name)
					}
				}
			}
		}
	}
	var out []string
	for _, name := range order {
		v := consts[name]
		if ref, ok := consts[v]; ok { // FindingOffHours = ViolationOffHours
			v = ref
		}
		isType := strings.HasPrefix(name, "Violation") && name != "Violations" ||
			strings.HasPrefix(name, "Finding")
		if isType && v != "" && !strings.HasPrefix(v, attrPrefix) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// constValue is a string literal's value, or the name a constant refers to.
func constValue(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(x.Value); err == nil {
			return s
		}
	case *ast.Ident:
		return x.Name
	}
	return ""
}

// TestEveryDetectorSectionIsRegistered: a section of DetectorsConfig that
// no registered detector owns would be decoded and never validated nor run.
func TestEveryDetectorSectionIsRegistered(t *testing.T) {
	var names []string
	for _, s := range builtinRegistry.specs {
		assert.NotContains(t, names, s.name, "registered twice")
		names = append(names, s.name)
		assert.True(t, (s.field == nil) != (s.defaults == nil), "%s: a section is a field or has defaults", s.name)
		assert.NotEmpty(t, s.findings, "%s raises no finding", s.name)
	}
	typ := reflect.TypeFor[DetectorsConfig]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.IsExported() {
			assert.Contains(t, names, f.Tag.Get("mapstructure"), "field %s", f.Name)
		}
	}
}
