package auditeventsconnector // import "github.com/tokenaudit/tokenaudit/connector/auditeventsconnector"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/connector/auditeventsconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// eventsConnector turns spans into audit event log records. It keeps no
// state: each batch becomes one logs batch with the same resources and
// scopes, and the next consumer's error is returned so that nothing is
// acknowledged that was not taken.
type eventsConnector struct {
	component.StartFunc
	cfg       *Config
	next      consumer.Logs
	telemetry *metadata.TelemetryBuilder
}

func (*eventsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *eventsConnector) Shutdown(context.Context) error {
	c.telemetry.Shutdown()
	return nil
}

func (c *eventsConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	ld, emitted, skipped := c.convert(td)
	if skipped > 0 {
		c.telemetry.AuditEventsSkipped.Add(ctx, skipped)
	}
	if emitted == 0 {
		return nil
	}
	if err := c.next.ConsumeLogs(ctx, ld); err != nil {
		return fmt.Errorf("audit_events: next consumer refused %d events: %w", emitted, err)
	}
	c.telemetry.AuditEventsEmitted.Add(ctx, emitted)
	return nil
}

// convert builds the logs batch; resources and scopes without a
// forwarded span are left out.
func (c *eventsConnector) convert(td ptrace.Traces) (plog.Logs, int64, int64) {
	ld := plog.NewLogs()
	var emitted, skipped int64
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var rl plog.ResourceLogs
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			var sl plog.ScopeLogs
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				if c.cfg.OnlyAudited && !auditattr.Audited(span.Attributes()) {
					skipped++
					continue
				}
				if sl == (plog.ScopeLogs{}) {
					if rl == (plog.ResourceLogs{}) {
						rl = ld.ResourceLogs().AppendEmpty()
						rs.Resource().CopyTo(rl.Resource())
						rl.SetSchemaUrl(rs.SchemaUrl())
					}
					sl = rl.ScopeLogs().AppendEmpty()
					ss.Scope().CopyTo(sl.Scope())
					sl.SetSchemaUrl(ss.SchemaUrl())
				}
				toEvent(span, sl.LogRecords().AppendEmpty())
				emitted++
			}
		}
	}
	return ld, emitted, skipped
}

// toEvent writes span as an audit event (auditattr.EventSpan).
func toEvent(span ptrace.Span, lr plog.LogRecord) {
	lr.SetEventName(auditattr.EventSpan)
	lr.SetTimestamp(span.StartTimestamp())
	lr.SetObservedTimestamp(span.EndTimestamp())
	lr.SetTraceID(span.TraceID())
	lr.SetSpanID(span.SpanID())
	lr.SetFlags(plog.LogRecordFlags(span.Flags() & 0xff))
	if span.Status().Code() == ptrace.StatusCodeError {
		lr.SetSeverityNumber(plog.SeverityNumberError)
	} else {
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
	}
	span.Attributes().CopyTo(lr.Attributes())
	body := lr.Body().SetEmptyMap()
	body.EnsureCapacity(4)
	body.PutStr(auditattr.SpanBodyName, span.Name())
	body.PutStr(auditattr.SpanBodyKind, span.Kind().String())
	body.PutInt(auditattr.SpanBodyEnd, int64(span.EndTimestamp()))
	body.PutStr(auditattr.SpanBodyStatusCode, span.Status().Code().String())
}
