package tokenanomalyconnector

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/scenario"
)

// score is one detector's result over the seeds.
type score struct {
	alerts, truePositives int
	labels, found         int
	ttd                   []time.Duration
}

// TestDetectionQuality feeds seeded scenarios (normal diurnal traffic of
// 1,600 tokens plus labelled injections of every finding type) through the
// connector and scores each finding type: precision over alert records,
// recall over injections, and time to detect in event time. The README
// shows its table (go test -run TestDetectionQuality -v).
func TestDetectionQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("the quality test feeds about 2 million items")
	}
	seeds := []int64{1, 2, 3}
	scores := map[string]*score{}
	for _, seed := range seeds {
		runScenario(t, seed, scores)
	}
	types := make([]string, 0, len(scores))
	for typ := range scores {
		types = append(types, typ)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| finding | injections | found | recall | alerts | precision | median TTD | max TTD |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, typ := range types {
		s := scores[typ]
		slices.Sort(s.ttd)
		med, worst := time.Duration(0), time.Duration(0)
		if len(s.ttd) > 0 {
			med, worst = s.ttd[len(s.ttd)/2], s.ttd[len(s.ttd)-1]
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %.3f | %d | %.3f | %s | %s |\n", typ, s.labels, s.found, ratio(s.found, s.labels),
			s.alerts, ratio(s.truePositives, s.alerts), med.Round(time.Second), worst.Round(time.Second))
	}
	t.Log(b.String())
	for _, typ := range types {
		s := scores[typ]
		assert.GreaterOrEqual(t, ratio(s.found, s.labels), 0.95, "recall of %s", typ)
		assert.GreaterOrEqual(t, ratio(s.truePositives, s.alerts), 0.95, "precision of %s", typ)
	}
	for _, typ := range findingTypes() {
		if notInScenario[typ] {
			continue
		}
		require.Contains(t, scores, typ, "%s is injected", typ)
		assert.Positive(t, scores[typ].labels, "%s is injected", typ)
	}
}

// notInScenario are the findings the scenario generator does not inject;
// the connector's own tests cover them (TestDeniedAccess,
// TestExposedCredential).
var notInScenario = map[string]bool{auditattr.FindingDeniedAccess: true, auditattr.ViolationExposedCredential: true}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func runScenario(t *testing.T, seed int64, scores map[string]*score) {
	s := scenario.Generate(scenario.Config{Seed: seed})
	path := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(s.Policy), 0o600))
	cfg := testConfig()
	cfg.PolicyFile = path
	cfg.Detectors.StaleToken.IdleAfter = s.Config.StaleAfter
	cfg.Detectors.ResurrectedToken.IdleAfter = s.Config.DormantAfter
	cfg.Detectors.UnusedScopes.TrackingPeriod = s.Config.TrackingPeriod
	cfg.Detectors.ExpiringSoon.Within = s.Config.ExpiringWithin
	cfg.Detectors.ExcessiveLifetime.MaxLifetime = s.Config.MaxLifetime
	cfg.MaxTokens = 100_000
	h := newHarness(t, cfg)

	const batch = 1000
	for i := 0; i < len(s.Events); i += batch {
		part := s.Events[i:min(i+batch, len(s.Events))]
		if (i/batch)%3 == 2 {
			h.sendLogsBatch(scenario.Logs(part))
		} else {
			h.sendBatch(scenario.Traces(part))
		}
	}

	for _, l := range s.Labels {
		for _, typ := range l.Types {
			sc := scoreOf(scores, typ)
			sc.labels++
		}
	}
	found := map[[2]int]bool{} // (label, type index) detected
	for _, lr := range h.records() {
		typ := str(lr, auditattr.FindingType)
		key := str(lr, auditattr.TokenID)
		if key == "" {
			key = str(lr, auditattr.ClientAddress)
		}
		at := time.Unix(0, int64(lr.Timestamp()))
		sc := scoreOf(scores, typ)
		sc.alerts++
		hit := false
		for li, l := range s.Labels {
			ti := slices.Index(l.Types, typ)
			if ti < 0 || l.Key() != key || at.Before(l.Start.Add(-time.Minute)) || at.After(l.End) {
				continue
			}
			hit = true
			if !found[[2]int{li, ti}] {
				found[[2]int{li, ti}] = true
				sc.found++
				sc.ttd = append(sc.ttd, max(0, at.Sub(l.Start)))
			}
		}
		if hit {
			sc.truePositives++
		} else if testing.Verbose() {
			t.Logf("seed %d: unlabelled %s on %s at %s: %s", seed, typ, key, at.Format(time.RFC3339), lr.Body().Str())
		}
	}
	if testing.Verbose() {
		for li, l := range s.Labels {
			for ti, typ := range l.Types {
				if !found[[2]int{li, ti}] {
					t.Logf("seed %d: missed %s (%s)", seed, typ, l.String())
				}
			}
		}
	}
}

func scoreOf(scores map[string]*score, typ string) *score {
	if scores[typ] == nil {
		scores[typ] = &score{}
	}
	return scores[typ]
}
