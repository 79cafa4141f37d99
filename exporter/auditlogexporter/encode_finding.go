package auditlogexporter

import (
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// ocsfSeverity maps an OpenTelemetry severity number to OCSF's scale.
func ocsfSeverity(n plog.SeverityNumber) (int64, string) {
	switch {
	case n >= plog.SeverityNumberFatal:
		return 5, "Critical"
	case n >= plog.SeverityNumberError:
		return 4, "High"
	case n >= plog.SeverityNumberWarn:
		return 3, "Medium"
	case n >= plog.SeverityNumberInfo:
		return 2, "Low"
	case n == plog.SeverityNumberUnspecified:
		return 0, "Unknown"
	}
	return 1, "Informational"
}

// detectionFinding encodes an alert as a Detection Finding into b. A
// repeat of a finding (count above one) is an Update of it. Detection
// Finding has no trace profile in OCSF 1.8.0: the trace id correlates
// (metadata.correlation_uid) and both ids are kept in unmapped.trace.
func (e *encoder) detectionFinding(b *recordBatch, it *item, sevNum plog.SeverityNumber, loggedMillis int64) {
	a := &e.attrs
	a.load(it.attrs)
	w := &e.w
	body := b.begin(e.version, loggedMillis, false, it.traceID)
	e.startRecord(b)

	act, actName := int64(1), "Create"
	if n, ok := integer(a, auditattr.FindingCount); ok && n > 1 {
		act, actName = 2, "Update"
	}
	sev, sevName := ocsfSeverity(sevNum)
	typ := str(a, auditattr.FindingType)
	title := ""
	if it.body.Type() != 0 {
		title = it.body.AsString()
	}
	if title == "" {
		title = "token anomaly: " + typ
	}
	e.classification(&detectionFindingClass, act, actName, sev, sevName, it.time)
	w.str("message", title)
	w.int("timezone_offset", 0)
	w.bool("is_alert", true)

	w.open("finding_info")
	uid := str(a, auditattr.FindingID)
	if uid == "" {
		uid = "unidentified"
	}
	w.str("uid", uid)
	w.str("title", title)
	w.strs("types", []string{typ})
	if n, ok := integer(a, auditattr.FindingFirstSeen); ok {
		w.int("first_seen_time", n)
	}
	if n, ok := integer(a, auditattr.FindingLastSeen); ok {
		w.int("last_seen_time", n)
	}
	w.open("analytic")
	w.str("name", typ)
	w.int("type_id", 2)
	w.trusted("type", "Behavioral")
	w.close()
	w.close()

	e.writeResource(str(a, auditattr.Resource))
	e.writeUnmapped(it, true)
	a.reset()
	b.buf = w.buf
	b.end("detection_finding", body)
}
