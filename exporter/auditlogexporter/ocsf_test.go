package auditlogexporter

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/ocsfcheck"
)

func loadSchema(t *testing.T) *ocsfcheck.Schema {
	t.Helper()
	s, err := ocsfcheck.LoadOCSF180()
	require.NoError(t, err)
	return s
}

// TestEveryRecordKindIsValidOCSF writes every kind of record the exporter
// makes — requests with and without violations, a finding and a repeat,
// every lifecycle event including rotation, retention and recovery — and
// validates each line against the official schema.
func TestEveryRecordKindIsValidOCSF(t *testing.T) {
	schema := loadSchema(t)
	cfg := testConfig(t)
	cfg.Rotation.MaxMegabytes = 1
	cfg.Rotation.Compression = "none"
	cfg.Retention.MaxSegments = 1
	h := startHarness(t, cfg)
	td := ptrace.NewTraces()
	auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
	auditedSpan(td, "DELETE /admin/users/{id}", auditattr.OutcomeDenied, auditattr.ViolationScope)
	s := auditedSpan(td, "POST /users", auditattr.OutcomeSuccess, auditattr.ViolationOffHours)
	s.Attributes().PutStr(auditattr.Action, auditattr.ActionCreate)
	s.Attributes().PutStr(auditattr.ClientAddress, "not-an-ip")
	for _, outcome := range []string{auditattr.OutcomeFailure, auditattr.OutcomeError, ""} {
		x := auditedSpan(td, "PATCH /users/{id}", outcome)
		x.Attributes().PutStr(auditattr.Action, auditattr.ActionOther)
		x.Attributes().PutStr(auditattr.PrincipalType, auditattr.PrincipalService)
		x.SetSpanID([8]byte{7, 7, byte(len(outcome))})
	}
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	alerts := alertLogs()
	repeat := alerts.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	alerts.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).CopyTo(repeat)
	repeat.Attributes().PutInt(auditattr.FindingCount, 3)
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), alerts))
	h.stop(t)
	seen := map[string]bool{}
	validateAll(t, schema, cfg.Directory, seen)

	// Enough to rotate twice, so that retention deletes a segment.
	h = startHarness(t, cfg)
	for i := 0; i < 6; i++ {
		big := ptrace.NewTraces()
		for j := 0; j < 400; j++ {
			sp := auditedSpan(big, "GET /users/{id}", auditattr.OutcomeSuccess)
			sp.SetSpanID([8]byte{byte(i), byte(j >> 8), byte(j), 9, 9, 9, 9, 9})
		}
		require.NoError(t, h.traces.ConsumeTraces(context.Background(), big))
	}
	h.stop(t)
	// A torn line makes the next start record a recovery.
	segs, _ := filepath.Glob(filepath.Join(cfg.Directory, "audit-*.jsonl"))
	f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, _ = f.WriteString(`{"metadata":`)
	f.Close()
	h = startHarness(t, cfg)
	h.stop(t)

	validateAll(t, schema, cfg.Directory, seen)
	for _, want := range []string{"API Activity/Read", "API Activity/Create", "API Activity/Other",
		"Detection Finding/Create", "Detection Finding/Update",
		"Application Lifecycle/Start", "Application Lifecycle/Stop", "Application Lifecycle/Update",
		"Application Lifecycle/Enable", "Application Lifecycle/Rotate", "Application Lifecycle/Retention Delete",
		"Application Lifecycle/Recover"} {
		require.True(t, seen[want], "no %s record was validated (seen %v)", want, seen)
	}
}

// validateAll validates every line of every plain segment and notes the
// class and activity of each.
func validateAll(t *testing.T, schema *ocsfcheck.Schema, dir string, seen map[string]bool) {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(dir, "audit-*.jsonl"))
	for _, seg := range segs {
		f, err := os.Open(seg)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for n := 0; sc.Scan(); n++ {
			errs := schema.ValidateJSON(sc.Bytes())
			require.Empty(t, errs, "%s line %d: %s", filepath.Base(seg), n, sc.Text())
			var rec map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
			seen[rec["class_name"].(string)+"/"+rec["activity_name"].(string)] = true
		}
		f.Close()
	}
}
