package scenario

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// LabelAttribute marks injected items with their label index (not a
// contract attribute: the connector ignores it).
const LabelAttribute = "scenario.label"

// Traces renders events as server spans of one service.
func Traces(events []Event) ptrace.Traces {
	return renderSpans(events, nil, func(e *Event, a pcommon.Map) { e.Fill(a) })
}

// renderSpans renders the events keep accepts (all when keep is nil) as
// server spans of one service; fill writes each span's attributes.
func renderSpans(events []Event, keep func(*Event) bool, fill func(*Event, pcommon.Map)) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "api")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	spans.EnsureCapacity(len(events))
	for i := range events {
		e := &events[i]
		if keep != nil && !keep(e) {
			continue
		}
		sp := spans.AppendEmpty()
		sp.SetName(e.Resource)
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(e.At))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(e.At.Add(5 * time.Millisecond)))
		sp.SetTraceID(traceID(e))
		sp.SetSpanID(spanID(e))
		fill(e, sp.Attributes())
	}
	return td
}

// Logs renders events as access-log records of one gateway.
func Logs(events []Event) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "gateway")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	recs.EnsureCapacity(len(events))
	for i := range events {
		e := &events[i]
		lr := recs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(e.At))
		lr.SetTraceID(traceID(e))
		lr.SetSpanID(spanID(e))
		lr.Body().SetStr(e.Resource + " " + e.Outcome)
		e.Fill(lr.Attributes())
	}
	return ld
}

// Fill writes the event's contract attributes.
func (e *Event) Fill(a pcommon.Map) {
	a.EnsureCapacity(14)
	put := func(k, v string) {
		if v != "" {
			a.PutStr(k, v)
		}
	}
	put(auditattr.TokenID, e.TokenID)
	put(auditattr.TokenType, e.TokenType)
	put(auditattr.TokenJTI, e.JTI)
	put(auditattr.PrincipalID, e.Principal)
	put(auditattr.PrincipalType, e.PrincipalType)
	put(auditattr.Resource, e.Resource)
	put(auditattr.Action, e.Action)
	put(auditattr.Outcome, e.Outcome)
	put(auditattr.ClientAddress, e.Client)
	putStrs(a, auditattr.TokenScopes, e.Scopes)
	putStrs(a, auditattr.Violations, e.Violations)
	if e.IssuedAt != 0 {
		a.PutInt(auditattr.TokenIssuedAt, e.IssuedAt)
	}
	if e.ExpiresAt != 0 {
		a.PutInt(auditattr.TokenExpiresAt, e.ExpiresAt)
	}
	if e.Label >= 0 {
		a.PutInt(LabelAttribute, int64(e.Label))
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

// traceID is derived from the event so that replays give the same ids.
func traceID(e *Event) pcommon.TraceID {
	n := e.At.UnixNano()
	var id pcommon.TraceID
	for i := range 8 {
		id[i] = byte(n >> (8 * i))
	}
	id[8] = 0x7a
	for i := 0; i < len(e.TokenID) && i < 7; i++ {
		id[9+i] = e.TokenID[len(e.TokenID)-1-i]
	}
	return id
}

func spanID(e *Event) pcommon.SpanID {
	t := traceID(e)
	var id pcommon.SpanID
	copy(id[:], t[8:])
	return id
}
