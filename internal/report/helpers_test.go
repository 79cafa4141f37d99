package report

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// baseTime is when the test traffic happens.
var baseTime = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// req is one audited request of a test log.
type req struct {
	token, principal, resource, action, outcome, client string
	scopes                                              []string
	at                                                  time.Duration // after baseTime
	expires                                             time.Duration // after baseTime; 0: no expiry
	violations                                          []string
}

// finding is one anomaly alert of a test log.
type finding struct {
	typ, id, token, principal, resource string
	sev                                 plog.SeverityNumber
	observed, threshold                 float64
	at                                  time.Duration
}

// writeLog runs the audit_log exporter (through its factory, as the
// collector does) over reqs and findings, and returns the log directory and
// its verification key file.
func writeLog(t testing.TB, reqs []req, findings []finding) (dir, pub string) {
	t.Helper()
	root := t.TempDir()
	f := auditlogexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*auditlogexporter.Config)
	cfg.Directory = filepath.Join(root, "audit")
	cfg.Signing = auditlogexporter.SigningConfig{KeyFile: filepath.Join(root, "keys", "audit.key"), CreateKeyFile: true, KeyName: "audit.test/report"}
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	set := exportertest.NewNopSettings(component.MustNewType("audit_log"))
	set.TelemetrySettings = componenttest.NewNopTelemetrySettings()
	ctx := context.Background()
	tr, err := f.CreateTraces(ctx, set, cfg)
	require.NoError(t, err)
	lg, err := f.CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	require.NoError(t, tr.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, lg.Start(ctx, componenttest.NewNopHost()))

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "users-api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i, r := range reqs {
		s := spans.AppendEmpty()
		at := baseTime.Add(r.at)
		s.SetName(r.resource)
		s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
		a := s.Attributes()
		a.PutStr(auditattr.TokenID, r.token)
		a.PutStr(auditattr.TokenType, auditattr.TypeJWT)
		a.PutStr(auditattr.TokenStatus, auditattr.StatusActive)
		a.PutInt(auditattr.TokenIssuedAt, baseTime.Add(-24*time.Hour).Unix())
		if r.expires != 0 {
			a.PutInt(auditattr.TokenExpiresAt, baseTime.Add(r.expires).Unix())
		}
		sc := a.PutEmptySlice(auditattr.TokenScopes)
		for _, x := range r.scopes {
			sc.AppendEmpty().SetStr(x)
		}
		a.PutStr(auditattr.PrincipalID, r.principal)
		a.PutStr(auditattr.PrincipalType, auditattr.PrincipalUser)
		a.PutStr(auditattr.Resource, r.resource)
		a.PutStr(auditattr.Action, r.action)
		a.PutStr(auditattr.Outcome, r.outcome)
		a.PutStr(auditattr.ClientAddress, r.client)
		v := a.PutEmptySlice(auditattr.Violations)
		for _, x := range r.violations {
			v.AppendEmpty().SetStr(x)
		}
	}
	if len(reqs) > 0 {
		require.NoError(t, tr.ConsumeTraces(ctx, td))
	}
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, fd := range findings {
		lr := lrs.AppendEmpty()
		lr.SetEventName(auditattr.EventAnomaly)
		lr.SetTimestamp(pcommon.NewTimestampFromTime(baseTime.Add(fd.at)))
		lr.SetSeverityNumber(fd.sev)
		lr.Body().SetStr("Token " + fd.token + " of " + fd.principal + ": " + fd.typ)
		a := lr.Attributes()
		a.PutStr(auditattr.FindingType, fd.typ)
		a.PutStr(auditattr.FindingID, fd.id)
		a.PutInt(auditattr.FindingCount, 1)
		a.PutStr(auditattr.FindingSeverity, auditattr.SeverityHigh)
		a.PutStr(auditattr.TokenID, fd.token)
		a.PutStr(auditattr.PrincipalID, fd.principal)
		a.PutStr(auditattr.Resource, fd.resource)
		a.PutDouble(auditattr.EvidenceObserved, fd.observed)
		a.PutDouble(auditattr.EvidenceThreshold, fd.threshold)
		a.PutInt(auditattr.EvidenceWindow, 60)
	}
	if len(findings) > 0 {
		require.NoError(t, lg.ConsumeLogs(ctx, ld))
	}
	require.NoError(t, tr.Shutdown(ctx))
	require.NoError(t, lg.Shutdown(ctx))
	return cfg.Directory, cfg.Signing.KeyFile + ".pub"
}
