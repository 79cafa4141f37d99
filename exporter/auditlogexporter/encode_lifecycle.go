package auditlogexporter

import (
	"encoding/json"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// The exporter's own lifecycle events, besides the log's (recovered,
// segment_sealed, segment_deleted).
const (
	eventStart  auditlog.EventKind = "start"
	eventStop   auditlog.EventKind = "stop"
	eventConfig auditlog.EventKind = "configuration"
	eventKey    auditlog.EventKind = "signing_key"
)

// lifecycleEvent is an auditlog.Event with the exporter's extra facts.
type lifecycleEvent struct {
	auditlog.Event
	Message string
	Extra   map[string]any
}

func lifecycleActivity(kind auditlog.EventKind) (int64, string, int64) {
	switch kind {
	case eventStart:
		return 3, "Start", 1
	case eventStop:
		return 4, "Stop", 1
	case eventConfig:
		return 8, "Update", 1
	case eventKey:
		return 6, "Enable", 1
	case auditlog.EventRecovered:
		return 99, "Recover", 3
	case auditlog.EventSegmentSealed:
		return 99, "Rotate", 1
	case auditlog.EventSegmentDeleted:
		return 99, "Retention Delete", 1
	}
	return 99, string(kind), 1
}

var severityNames = map[int64]string{1: "Informational", 3: "Medium"}

// lifecycle encodes an event as Application Lifecycle. The event itself
// goes under unmapped.tokenaudit_log, where auditctl verify reads it.
func (e *encoder) lifecycle(ev lifecycleEvent, now time.Time) *record {
	rb := &recordBatch{}
	w := &e.w
	body := rb.begin(e.version, now.UnixMilli(), false, pcommon.TraceID{})
	e.startRecord(rb)
	act, actName, sev := lifecycleActivity(ev.Kind)
	t := ev.Time
	if t.IsZero() {
		t = now
	}
	e.classification(&applicationLifecycleClass, act, actName, sev, severityNames[sev], t)
	w.str("message", ev.Message)
	w.int("timezone_offset", 0)
	w.int("status_id", 1) // the log did what the record says
	w.trusted("status", "Success")
	w.open("app")
	w.trusted("name", "tokenaudit audit_log")
	w.trusted("vendor_name", "tokenaudit")
	w.trusted("version", e.version)
	w.close()
	w.open("unmapped")
	w.key("tokenaudit_log")
	m := map[string]any{"event": ev.Kind, "first": ev.First, "count": ev.Count}
	if ev.Segment != "" {
		m["segment"] = ev.Segment
	}
	if ev.Detail != "" {
		m["detail"] = ev.Detail
	}
	for k, v := range ev.Extra {
		m[k] = v
	}
	// encoding/json sorts map keys: the same event, the same bytes.
	b, err := json.Marshal(m)
	if err != nil {
		b = []byte(`{"event":"unencodable"}`)
	}
	w.buf = append(w.buf, b...)
	w.close()
	rb.buf = w.buf
	rb.end("application_lifecycle", body)
	r := rb.records()[0].(*record)
	r.own = true // the log's own events are never deduplicated
	return r
}
