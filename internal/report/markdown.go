package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// mdEscaper makes attacker-influenced text inert in Markdown: no HTML, no
// table breaks, no links or emphasis, one line.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "`", "\\`", "*", "\\*",
	"[", "\\[", "]", "\\]", "#", "\\#", "\n", " ", "\r", " ", "\\", "\\\\",
)

func md(s string) string { return mdEscaper.Replace(s) }

func renderMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("# Token audit report\n\n**%s**\n\n", md(r.verdict()))
	for _, pr := range r.Integrity.Problems {
		p("- UNVERIFIED: %s\n", md(pr))
	}
	if len(r.Integrity.Problems) > 0 {
		p("\n")
	}
	p("Log %s; period %s to %s; generated %s; reference time %s.", md(r.Directory), periodEnd(r.From, "start of log"), periodEnd(r.To, "end of log"),
		fmtTime(r.Generated), fmtTime(r.ReferenceTime))
	if r.Pseudonymized {
		p(" Principal ids are pseudonymised (`usr_…`).")
	}
	p("\n\n## Integrity\n\n| tree size | records | signed checkpoints | last signed checkpoint | records under it | unsigned tail | segments |\n|---|---|---|---|---|---|---|\n")
	in := r.Integrity
	p("| %d | %d | %d | %s | %d | %d | %d |\n\n", in.TreeSize, in.Records, in.Checkpoints, fmtTime(in.LastCheckpoint), in.SignedRecords, in.Unsigned, in.Segments)
	t := r.Totals
	p("## Totals\n\n| records | API activity | findings | lifecycle | other | unreadable | out of period |\n|---|---|---|---|---|---|---|\n| %d | %d | %d | %d | %d | %d | %d |\n\n",
		t.Records, t.APIActivity, t.Findings, t.Lifecycle, t.OtherClass, t.Unreadable, t.OutOfPeriod)
	o := r.Activity.Outcomes
	p("Outcomes: %d success, %d failure, %d denied, %d error, %d unknown.\n\n", o.Success, o.Failure, o.Denied, o.Error, o.Unknown)

	p("## Tokens\n\n| token | requests | success | failed | first seen | last seen | expires | principals | scopes granted | scopes needed | unused |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, tk := range r.Tokens {
		needed := "(no policy)"
		if tk.Scopes.Analysed {
			needed = md(strings.Join(tk.Scopes.Needed, " "))
		}
		p("| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", md(tk.ID), tk.Requests, tk.Outcomes.Success, tk.Outcomes.Failed(),
			fmtTime(tk.FirstSeen), fmtTime(tk.LastSeen), fmtTimePtr(tk.ExpiresAt), md(joinCounts(tk.Principals)),
			md(strings.Join(tk.Scopes.Granted, " ")), needed, md(strings.Join(tk.Scopes.Unused, " ")))
	}
	if r.OtherTokens.Keys > 0 {
		p("\n%d more tokens with %d requests are not listed.\n", r.OtherTokens.Keys, r.OtherTokens.Requests)
	}
	for _, tk := range r.Tokens {
		if len(tk.Resources) == 0 {
			continue
		}
		p("\n### Token %s\n\nClient addresses: %s. Violations: %s.\n\n| resource | success | failure | denied | error | unknown |\n|---|---|---|---|---|---|\n",
			md(tk.ID), md(joinCounts(tk.ClientAddresses)), md(joinCounts(tk.Violations)))
		for _, ru := range tk.Resources {
			p("| %s | %d | %d | %d | %d | %d |\n", md(ru.Resource), ru.Outcomes.Success, ru.Outcomes.Failure, ru.Outcomes.Denied, ru.Outcomes.Error, ru.Outcomes.Unknown)
		}
	}

	p("\n## Principals\n\n| principal | requests | success | failed | first seen | last seen | tokens | client addresses |\n|---|---|---|---|---|---|---|---|\n")
	for _, pr := range r.Principals {
		p("| %s | %d | %d | %d | %s | %s | %s | %s |\n", md(pr.ID), pr.Requests, pr.Outcomes.Success, pr.Outcomes.Failed(),
			fmtTime(pr.FirstSeen), fmtTime(pr.LastSeen), md(joinCounts(pr.Tokens)), md(joinCounts(pr.ClientAddresses)))
	}

	h := r.Hygiene
	p("\n## Token hygiene\n\n")
	for _, sec := range []struct {
		name  string
		notes []TokenNote
	}{{"Stale registered tokens", h.Stale}, {"Expiring soon while in use", h.ExpiringSoon}, {"Without expiry", h.NoExpiry},
		{"Excessive lifetime", h.ExcessiveLifetime}, {"Over-permissioned", h.OverPermissioned}} {
		p("### %s (%d)\n\n", sec.name, len(sec.notes))
		for _, n := range sec.notes {
			p("- %s %s %s: %s\n", md(n.ID), md(n.Name), md(n.Owner), md(n.Detail))
		}
		p("\n")
	}

	p("## Failed and denied access\n\n| token | principal | resource | outcome | count | first | last | last client |\n|---|---|---|---|---|---|---|---|\n")
	for _, f := range r.Failures {
		p("| %s | %s | %s | %s | %d | %s | %s | %s |\n", md(f.Token), md(f.Principal), md(f.Resource), md(f.Outcome), f.Count, fmtTime(f.First), fmtTime(f.Last), md(f.LastClient))
	}

	fs := r.Findings
	p("\n## Findings (%d)\n\nBy type: %s. By severity: %s.\n\n| time | type | severity | token | principal | resource | evidence | title |\n|---|---|---|---|---|---|---|---|\n",
		fs.Total, md(joinCounts(fs.ByType)), md(joinCounts(fs.BySeverity)))
	for _, f := range fs.List {
		p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", fmtTime(f.Time), md(f.Type), md(f.Severity), md(f.Token), md(f.Principal), md(f.Resource), md(f.Evidence.String()), md(f.Title))
	}
	if fs.Omitted > 0 {
		p("\n%d more findings are not listed.\n", fs.Omitted)
	}

	p("\n## PCI DSS 10.2.2 coverage\n\n%s\n\n| element | OCSF field | records carrying it |\n|---|---|---|\n", md(r.pciStatement()))
	for _, c := range r.Compliance {
		p("| %s | `%s` | %d of %d |\n", c.Element, c.Field, c.Present, c.Of)
	}
	p("\n## Audit log lifecycle\n\n| time | activity | event | message |\n|---|---|---|---|\n")
	for _, l := range r.Lifecycle {
		p("| %s | %s | %s | %s |\n", fmtTime(l.Time), md(l.Activity), md(l.Event), md(l.Message))
	}
	if len(r.Notes) > 0 {
		p("\n## Notes\n\n")
		for _, n := range r.Notes {
			p("- %s\n", md(n))
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

func periodEnd(t *time.Time, open string) string {
	if t == nil {
		return open
	}
	return fmtTime(*t)
}

// String is the evidence in one line.
func (e Evidence) String() string {
	var parts []string
	if e.Observed != nil {
		parts = append(parts, fmt.Sprintf("observed %g", *e.Observed))
	}
	if e.Baseline != nil {
		parts = append(parts, fmt.Sprintf("baseline %g", *e.Baseline))
	}
	if e.Threshold != nil {
		parts = append(parts, fmt.Sprintf("threshold %g", *e.Threshold))
	}
	if e.WindowS != nil {
		parts = append(parts, fmt.Sprintf("window %ds", *e.WindowS))
	}
	if e.Values != "" {
		parts = append(parts, "values "+e.Values)
	}
	return strings.Join(parts, ", ")
}

// pciStatement says whether the API Activity records carry every 10.2.2
// element, and what else the log covers.
func (r *Report) pciStatement() string {
	complete := true
	for _, c := range r.Compliance {
		complete = complete && c.Complete
	}
	var s string
	switch {
	case r.Totals.APIActivity == 0:
		s = "No API Activity records in the period: 10.2.2 coverage cannot be shown."
	case complete:
		s = fmt.Sprintf("All %d API Activity records carry every PCI DSS 10.2.2 element.", r.Totals.APIActivity)
	default:
		s = fmt.Sprintf("Some of the %d API Activity records lack a PCI DSS 10.2.2 element (see the table: usually no client address or an unidentified principal in the source telemetry).", r.Totals.APIActivity)
	}
	s += fmt.Sprintf(" 10.2.1.6 (start and stop of the audit log): %d Application Lifecycle records. 10.3.4 (change detection): ", r.Totals.Lifecycle)
	if r.Integrity.Verified {
		s += "the log verified against its signed checkpoints."
	} else {
		s += "the log FAILED verification."
	}
	return s
}
