package detectioneval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

// TestStaleObservationSweep measures stale_token's observation_period (a
// registered token without last_used_at is judged once the connector has
// watched it unseen that long) against the traffic: recall and false
// alerts per 1,000 clean token-days for 2..7 days. One run at the
// shortest period gives every token it alerts on; a longer period alerts
// on the same tokens less those first seen before it ends, which the run
// reads from the items the processor annotated. A measurement for the
// README's table (make quality-stale), not part of make test.
func TestStaleObservationSweep(t *testing.T) {
	if os.Getenv("TOKENAUDIT_STALE_SWEEP") != "1" {
		t.Skip("a measurement of several minutes: TOKENAUDIT_STALE_SWEEP=1 (make quality-stale)")
	}
	cfg := qualityConfig(t)
	ctx := context.Background()
	sim, err := fieldsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const shortest = 2
	p, err := newPipeline(ctx, t.TempDir(), sim, map[string]any{
		"detectors": map[string]any{"stale_token": map[string]any{"observation_period": fmt.Sprintf("%dh", 24*shortest), "min_observation_period": "0s"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]time.Time{}
	_, runErr := sim.Run(func(b *fieldsim.Batch) error {
		err := p.Consume(ctx, b)
		firstSeen(b, first)
		return err
	})
	if err := errors.Join(runErr, p.Shutdown(ctx)); err != nil {
		t.Fatal(err)
	}
	var stale []Alert
	for _, a := range p.Alerts() {
		if a.Type == auditattr.FindingStaleToken {
			stale = append(stale, a)
		}
	}
	byJTI := sim.TokenIDsByJTI()
	pop := population(sim)
	var out strings.Builder
	fmt.Fprintf(&out, "fieldsim seed %d, %d clean tokens × %d days: stale_token by observation_period\n\n", cfg.Seed, cfg.Tokens, cfg.Days)
	out.WriteString("| observation_period | injected | found | recall | alerts | false on clean | per 1,000 clean token-days | false on other injected tokens | on idle clean tokens |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for days := shortest; days <= cfg.Days; days++ {
		judged := sim.Start().Add(time.Duration(days) * 24 * time.Hour)
		var alerts []Alert
		for _, a := range stale {
			if a.TokenID == "" {
				a.TokenID = byJTI[a.JTI]
			}
			if f, ok := first[a.TokenID]; ok && f.Before(judged) {
				continue // seen before this period ended: not judged stale
			}
			a.At = judged
			alerts = append(alerts, a)
		}
		r := Score(sim.Labels, alerts, pop, Slack)
		row := Row{Type: auditattr.FindingStaleToken}
		for _, x := range r.Rows {
			if x.Type == auditattr.FindingStaleToken {
				row = x
			}
		}
		fmt.Fprintf(&out, "| %d days | %d | %d | %.2f | %d | %d | %.2f | %d | %d |\n", days, row.Injected, row.Found, row.Recall(),
			row.Alerts, row.CleanFalse, r.FalsePer1k(row), len(r.Wrong), r.Unscored)
	}
	t.Log("\n" + out.String())
	if path := os.Getenv("TOKENAUDIT_QUALITY_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstSeen records the earliest event time of each token id the
// processor wrote on the batch's items.
func firstSeen(b *fieldsim.Batch, first map[string]time.Time) {
	note := func(attrs pcommon.Map, ts pcommon.Timestamp) {
		v, ok := attrs.Get(auditattr.TokenID)
		if !ok {
			return
		}
		at := ts.AsTime()
		if f, ok := first[v.Str()]; !ok || at.Before(f) {
			first[v.Str()] = at
		}
	}
	for _, rs := range b.Traces.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				note(sp.Attributes(), sp.StartTimestamp())
			}
		}
	}
	for _, rl := range b.Logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				note(lr.Attributes(), lr.Timestamp())
			}
		}
	}
}
