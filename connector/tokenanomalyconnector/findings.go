package tokenanomalyconnector

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

type severity uint8

const (
	sevLow severity = iota + 1
	sevMedium
	sevHigh
	sevCritical
)

func (s severity) String() string {
	switch s {
	case sevLow:
		return auditattr.SeverityLow
	case sevMedium:
		return auditattr.SeverityMedium
	case sevHigh:
		return auditattr.SeverityHigh
	}
	return auditattr.SeverityCritical
}

// number maps to OpenTelemetry severity numbers as audit_log reads them
// back into OCSF (Info=Low, Warn=Medium, Error=High, Fatal=Critical).
func (s severity) number() plog.SeverityNumber {
	switch s {
	case sevLow:
		return plog.SeverityNumberInfo
	case sevMedium:
		return plog.SeverityNumberWarn
	case sevHigh:
		return plog.SeverityNumberError
	}
	return plog.SeverityNumberFatal
}

// parseSeverity reads back severity.String.
func parseSeverity(s string) severity {
	for v := sevLow; v < sevCritical; v++ {
		if v.String() == s {
			return v
		}
	}
	return sevCritical
}

func (s severity) raise(by int) severity { return min(sevCritical, s+severity(by)) }

// finding is one detection, before suppression.
type finding struct {
	typ           string
	sev           severity
	discriminator string // with token and type, names the finding
	body          string
	dryRun        bool

	ev *event // the triggering item; nil for findings of elapsed time
	at int64  // event time, unix ms

	tokenID, principal, resourceName, client string
	byClient                                 bool // about a client address, not one token

	observed, baseline, threshold float64
	window                        time.Duration
	hasEvidence, learned          bool
	hourScale                     bool // a rate_surge judged on its hour scale alone: it joins its kind's cohort too (cohort_kind.go)
	values                        []string
	related                       []string
}

// findingID is stable across restarts and collectors: the same token,
// type and discriminator always give the same id.
func findingID(token, typ, discriminator string) string {
	h := sha256.New()
	h.Write([]byte(token))
	h.Write([]byte{0})
	h.Write([]byte(typ))
	h.Write([]byte{0})
	h.Write([]byte(discriminator))
	var sum [sha256.Size]byte
	return "fnd_" + hex.EncodeToString(h.Sum(sum[:0])[:12])
}

// findingRecord is what the connector remembers of a finding.
type findingRecord struct {
	id                 string
	first, last, alert int64 // unix ms: first and last seen, last alerted
	count              int64
	sev                severity // severity last alerted
}

func findingAge(r *findingRecord) int64 { return r.last }

// record updates the finding's record and reports whether to alert: the
// first time, after the suppression window, or when the severity rose.
func (m *model) record(f *finding) (rec *findingRecord, alert bool) {
	id := findingID(f.tokenID, f.typ, f.discriminator)
	rec, created, _, evicted := m.findings.put(hashString(0, id))
	if evicted {
		m.tel.evicted(tableFindings)
	}
	if created {
		*rec = findingRecord{id: id, first: f.at, last: f.at, count: 1, alert: f.at, sev: f.sev}
		return rec, true
	}
	rec.count++
	rec.first = min(rec.first, f.at)
	rec.last = max(rec.last, f.at)
	if f.sev > rec.sev || f.at-rec.alert >= m.cfg.Alerts.SuppressionWindow.Milliseconds() {
		rec.alert, rec.sev = f.at, f.sev
		return rec, true
	}
	return rec, false
}

// restoreFindings merges into the table the findings that stored alerts
// carry: after a crash, a saved state older than an alert must not let its
// finding alert again as new.
func (m *model) restoreFindings(ld plog.Logs) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				r, ok := alertedRecord(lr)
				if !ok {
					continue
				}
				rec, created, _, evicted := m.findings.put(hashString(0, r.id))
				if evicted {
					m.tel.evicted(tableFindings)
				}
				if created {
					*rec = r
					continue
				}
				rec.merge(&r)
			}
		}
	}
}

// alertedRecord is the record of a finding as its alert left it.
func alertedRecord(lr plog.LogRecord) (findingRecord, bool) {
	a := lr.Attributes()
	id, ok := a.Get(auditattr.FindingID)
	if !ok || id.Str() == "" {
		return findingRecord{}, false
	}
	r := findingRecord{id: id.Str(), alert: int64(lr.Timestamp()) / 1e6, sev: parseSeverity(lr.SeverityText())}
	if v, ok := a.Get(auditattr.FindingCount); ok {
		r.count = v.Int()
	}
	if v, ok := a.Get(auditattr.FindingFirstSeen); ok {
		r.first = v.Int()
	}
	if v, ok := a.Get(auditattr.FindingLastSeen); ok {
		r.last = v.Int()
	}
	return r, true
}

// merge keeps the newer of two records of one finding: the later alert
// decides the alert time and severity; counts and times only grow.
func (r *findingRecord) merge(o *findingRecord) {
	if o.alert > r.alert || (o.alert == r.alert && o.count > r.count) {
		r.alert, r.sev = o.alert, o.sev
	}
	r.count = max(r.count, o.count)
	r.first = min(r.first, o.first)
	r.last = max(r.last, o.last)
}

// raise counts a finding, records it and, unless in dry-run or
// suppressed, turns it into an alert. Weak findings may escalate.
func (m *model) raise(f *finding, st *tokenState) {
	m.met.anomaly(f)
	if f.dryRun {
		return
	}
	rec, alert := m.record(f)
	if alert {
		m.emitAlert(f, rec)
	}
	if st != nil && m.weak[f.typ] {
		m.escalate(f, rec, st)
	}
}

// escalate combines distinct weak findings on one token within the window
// into one finding whose severity rises with their number.
func (m *model) escalate(f *finding, rec *findingRecord, st *tokenState) {
	esc := m.cfg.Alerts.Escalation
	x := m.extras.get(st)
	cutoff := f.at - esc.Window.Milliseconds()
	x.weak = slices.DeleteFunc(x.weak, func(w weakHit) bool { return w.at < cutoff || w.typ == f.typ })
	x.weak = append(x.weak, weakHit{typ: f.typ, id: rec.id, sev: f.sev, at: f.at})
	if len(x.weak) < esc.MinTypes {
		return
	}
	top := sevLow
	related := make([]string, 0, len(x.weak))
	types := make([]string, 0, len(x.weak))
	for _, w := range x.weak {
		top = max(top, w.sev)
		related = append(related, w.typ+":"+w.id)
		types = append(types, w.typ)
	}
	slices.Sort(types)
	c := *f
	c.typ = auditattr.FindingCombined
	c.sev = top.raise(len(x.weak) - 1)
	c.discriminator = ""
	c.related = related
	c.values = types
	c.hasEvidence = true
	c.observed, c.threshold, c.window = float64(len(x.weak)), float64(esc.MinTypes), esc.Window
	c.body = "Token " + f.tokenID + " drew " + strconv.Itoa(len(types)) + " weak findings within " + esc.Window.String() +
		": " + strings.Join(types, ", ") + "."
	m.met.anomaly(&c)
	if crec, alert := m.record(&c); alert {
		m.emitAlert(&c, crec)
	}
}

// traceIDs returns the trigger's trace and span ids (empty without one).
func (f *finding) traceIDs() (pcommon.TraceID, pcommon.SpanID) {
	if f.ev == nil {
		return pcommon.NewTraceIDEmpty(), pcommon.NewSpanIDEmpty()
	}
	return f.ev.traceID, f.ev.spanID
}
