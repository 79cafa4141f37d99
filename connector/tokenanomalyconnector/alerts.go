package tokenanomalyconnector

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// emitAlert appends the alert record of f to the pending batch, which is
// sent when the current Consume call releases the lock: alerts leave with
// the batch that raised them, whatever the metrics flush interval.
func (m *model) emitAlert(f *finding, rec *findingRecord) {
	m.tel.alerted(f.typ)
	if m.pendingN == 0 {
		m.pending = plog.NewLogs()
	}
	m.pendingN++
	res := int32(-1)
	if f.ev != nil {
		res = f.ev.res
	}
	sl := m.pendingScope(res)
	lr := sl.LogRecords().AppendEmpty()
	lr.SetEventName(auditattr.EventAnomaly)
	lr.SetTimestamp(pcommon.Timestamp(f.at * 1e6))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.SetSeverityNumber(f.sev.number())
	lr.SetSeverityText(f.sev.String())
	lr.Body().SetStr(f.body)
	traceID, spanID := f.traceIDs()
	lr.SetTraceID(traceID)
	lr.SetSpanID(spanID)

	a := lr.Attributes()
	a.EnsureCapacity(20)
	a.PutStr(auditattr.FindingType, f.typ)
	a.PutStr(auditattr.FindingID, rec.id)
	a.PutInt(auditattr.FindingCount, rec.count)
	a.PutInt(auditattr.FindingFirstSeen, rec.first)
	a.PutInt(auditattr.FindingLastSeen, rec.last)
	a.PutStr(auditattr.FindingSeverity, f.sev.String())
	putIf(a, auditattr.TokenID, f.tokenID)
	if f.ev != nil && !f.byClient {
		putIf(a, auditattr.TokenType, f.ev.tokenType)
		putIf(a, auditattr.PrincipalType, f.ev.principalType)
		putIf(a, auditattr.Outcome, f.ev.outcome)
	}
	putIf(a, auditattr.PrincipalID, f.principal)
	putIf(a, auditattr.Resource, f.resourceName)
	putIf(a, auditattr.ClientAddress, f.client)
	if f.hasEvidence {
		a.PutDouble(auditattr.EvidenceObserved, f.observed)
		a.PutDouble(auditattr.EvidenceBaseline, f.baseline)
		a.PutDouble(auditattr.EvidenceThreshold, f.threshold)
		a.PutInt(auditattr.EvidenceWindow, int64(f.window/time.Second))
		a.PutBool(auditattr.EvidenceLearned, f.learned)
	}
	putStrs(a, auditattr.EvidenceValues, f.values)
	putStrs(a, auditattr.FindingRelated, f.related)
}

// pendingScope returns the scope of the pending batch for an output
// resource, creating it on first use.
func (m *model) pendingScope(res int32) plog.ScopeLogs {
	if sl, ok := m.pendingScopes[res]; ok {
		return sl
	}
	rl := m.pending.ResourceLogs().AppendEmpty()
	m.met.fillResource(rl.Resource(), res)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	m.pendingScopes[res] = sl
	return sl
}

func putIf(a pcommon.Map, k, v string) {
	if v != "" {
		a.PutStr(k, v)
	}
}

func putStrs(a pcommon.Map, k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	s := a.PutEmptySlice(k)
	s.EnsureCapacity(len(vs))
	for _, v := range vs {
		s.AppendEmpty().SetStr(v)
	}
}
