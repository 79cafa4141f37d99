package tokenanomalyconnector

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// cleanTokens is the population of TestCleanPopulationFalseAlerts:
// TOKENAUDIT_CLEAN_TOKENS overrides it (make quality-clean sets 10,000).
func cleanTokens(t *testing.T) int {
	if v := os.Getenv("TOKENAUDIT_CLEAN_TOKENS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TOKENAUDIT_CLEAN_TOKENS=%q is not a positive number", v)
		}
		return n
	}
	if testing.Short() {
		return 300
	}
	return 1000
}

// maxFalsePer1000TokenDays is the target of issue 13 for each detector.
const maxFalsePer1000TokenDays = 1.0

// TestCleanPopulationFalseAlerts replays a week of clean traffic (see
// population) in shuffled multi-service requests through the connector
// with its default configuration, and reports the false alerts per
// 1,000 token-days of each detector. The README shows its table
// (make quality-clean: 10,000 tokens).
func TestCleanPopulationFalseAlerts(t *testing.T) {
	tokens, days := cleanTokens(t), 7
	p := newPopulation(42, tokens)
	h := newHarness(t, testConfig())
	r := rand.New(rand.NewPCG(5, 6))
	s := shape{size: 300, shuffle: 2 * time.Minute}
	items := 0
	for hr := range days * 24 {
		hour := p.hour(hr)
		items += len(hour)
		for _, req := range s.cut(hour, r) {
			h.sendBatch(request(req))
		}
	}
	h.settle()
	tokenDays := float64(tokens*days) / 1000
	byType := map[string]int{}
	tokensOf := map[string]map[string]bool{}
	for _, lr := range h.records() {
		typ := str(lr, auditattr.FindingType)
		byType[typ]++
		if tokensOf[typ] == nil {
			tokensOf[typ] = map[string]bool{}
		}
		tokensOf[typ][str(lr, auditattr.TokenID)] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d clean tokens × %d days, %d items\n| detector | false alerts | tokens | per 1,000 token-days |\n|---|---:|---:|---:|\n", tokens, days, items)
	types := slices.Sorted(func(yield func(string) bool) {
		for _, typ := range findingTypes() {
			if !yield(typ) {
				return
			}
		}
	})
	sort.Strings(types)
	for _, typ := range types {
		fmt.Fprintf(&b, "| `%s` | %d | %d | %.2f |\n", typ, byType[typ], len(tokensOf[typ]), float64(byType[typ])/tokenDays)
	}
	t.Log(b.String())
	for _, typ := range types {
		assert.LessOrEqual(t, float64(byType[typ])/tokenDays, maxFalsePer1000TokenDays, "false alerts of %s per 1,000 token-days", typ)
	}
}
