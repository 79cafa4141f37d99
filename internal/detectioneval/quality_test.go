package detectioneval

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

var seedFlag = flag.Uint64("quality.seed", 0, "fieldsim seed (default: TOKENAUDIT_QUALITY_SEED, else 1)")

// qualityConfig: the short run by default (make test); the full
// population with TOKENAUDIT_QUALITY_FULL=1 (make quality).
func qualityConfig(t *testing.T) fieldsim.Config {
	cfg := fieldsim.Config{Seed: 1, Tokens: 1000, Days: 7, InjectionsPerType: 3}
	if os.Getenv("TOKENAUDIT_QUALITY_FULL") == "1" {
		cfg.Tokens, cfg.InjectionsPerType = 10_000, 10
	}
	if s := os.Getenv("TOKENAUDIT_QUALITY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TOKENAUDIT_QUALITY_SEED=%q: want an unsigned integer", s)
		}
		cfg.Seed = n
	}
	if *seedFlag != 0 {
		cfg.Seed = *seedFlag
	}
	return cfg
}

// TestFieldQuality scores token_audit → token_anomaly, at their defaults
// with the simulated org's policy, on traffic the project did not write
// (internal/fieldsim). It logs the table and writes it to
// TOKENAUDIT_QUALITY_REPORT when set; with TOKENAUDIT_QUALITY_ENFORCE=1 it
// also fails when a target of issue 13 is missed.
func TestFieldQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("the quality run takes a minute; it runs without -short")
	}
	cfg := qualityConfig(t)
	res, err := Evaluate(context.Background(), t.TempDir(), cfg)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	st := res.Stats
	out := fmt.Sprintf("fieldsim seed %d: %d clean tokens, %d days, %d injections per type; %d requests (%d spans, %d access-log records) in %d export requests, widest %s of event time in one request, %d items behind a newer one (%d by more than a minute); %s\n\n%s",
		cfg.Seed, cfg.Tokens, cfg.Days, cfg.InjectionsPerType, st.Requests, st.Spans, st.Logs, st.Batches,
		st.MaxSpread.Round(1e9), st.OutOfOrder, st.LateMinute, res.Elapsed.Round(1e9), res.Report.Table())
	t.Log("\n" + out)
	if path := os.Getenv("TOKENAUDIT_QUALITY_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
	}
	if os.Getenv("TOKENAUDIT_QUALITY_ENFORCE") == "1" {
		for _, err := range res.Report.Targets() {
			t.Error(err)
		}
	}
	// Until issue 13's targets hold, this floor is the ratchet: below the
	// figures main reached (short run: macro recall 0.952, micro precision
	// 0.966), with a margin for the reorder buffer's wall-clock releases,
	// which depend on the machine's speed.
	// The full run has ten times the clean tokens per injection, so its
	// micro precision has a floor of its own (measured 0.866).
	recallFloor, precisionFloor := ratchetMacroRecall, ratchetMicroPrecision
	if os.Getenv("TOKENAUDIT_QUALITY_FULL") == "1" {
		precisionFloor = ratchetFullMicroPrecision
	}
	if r := res.Report; r.MacroRecall() < recallFloor || r.MicroPrecision() < precisionFloor {
		t.Errorf("detection regressed below the ratchet: macro recall %.3f (floor %.2f), micro precision %.3f (floor %.2f)",
			r.MacroRecall(), recallFloor, r.MicroPrecision(), precisionFloor)
	}
}

// The ratchet's floors; raise them as detection improves.
const (
	ratchetMacroRecall        = 0.95
	ratchetMicroPrecision     = 0.95
	ratchetFullMicroPrecision = 0.95
)
