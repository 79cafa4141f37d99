package detectioneval

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

// Population says which tokens are clean (no injected misuse) and active,
// and over how many days, for false alerts per 1,000 clean token-days.
type Population struct {
	// Clean are the clean tokens that sent at least one request.
	Clean map[string]bool
	// Idle are clean tokens that sent nothing: an alert on one is neither
	// right nor wrong (nobody knows whether it was in use before), so it is
	// left out of the scores and counted apart.
	Idle map[string]bool
	Days int
	// Kinds names how each clean token is used, for the breakdown of
	// false alerts (optional).
	Kinds map[string]string
}

// TokenDays is the clean token-days the false-alert rate divides by.
func (p Population) TokenDays() float64 { return float64(len(p.Clean) * p.Days) }

// Row is one finding type's scores.
type Row struct {
	Type string
	// Injected primary labels and how many of them an alert found.
	Injected, Found int
	// Alerts of this type, how many match a label, and how many of the
	// others are on clean tokens (or, for credential_stuffing, on any
	// address without a label).
	Alerts, True, CleanFalse int
	// Delays are, per found injection, the event time from the misuse's
	// start to the first matching alert (0 when it came before).
	Delays []time.Duration
}

// MedianDelay is the median time to detect in event time.
func (r Row) MedianDelay() time.Duration {
	if len(r.Delays) == 0 {
		return 0
	}
	d := slices.Clone(r.Delays)
	slices.Sort(d)
	return d[len(d)/2]
}

// Recall is found / injected (NaN-free: 1 when nothing was injected).
func (r Row) Recall() float64 { return ratio(r.Found, r.Injected) }

// Precision is true / alerts (1 without alerts).
func (r Row) Precision() float64 { return ratio(r.True, r.Alerts) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Report is the scores of a run.
type Report struct {
	Rows []Row
	// Alerts and True over all types (micro precision).
	Alerts, True int
	// Unscored alerts are on idle clean tokens.
	Unscored int
	Pop      Population
	Slack    time.Duration
	// Missed are the primary labels no alert found, with what was alerted
	// on their subject instead.
	Missed []Miss
	// Wrong are false alerts on injected (not clean) tokens and addresses.
	Wrong []Alert
	// CleanByKind counts false alerts on clean tokens by type, then by the
	// token's kind.
	CleanByKind map[string]map[string]int
}

// Miss is a primary label that no alert matched.
type Miss struct {
	Label fieldsim.Label
	// Others are the alerts on the same token or address ("type@time").
	Others []string
}

// MicroPrecision is true alerts over all scored alerts.
func (r Report) MicroPrecision() float64 { return ratio(r.True, r.Alerts) }

// MacroRecall is the mean recall over the injected types.
func (r Report) MacroRecall() float64 {
	sum, n := 0.0, 0
	for _, row := range r.Rows {
		if row.Injected > 0 {
			sum += row.Recall()
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

// FalsePer1k is a row's false alerts on clean traffic per 1,000 clean token-days.
func (r Report) FalsePer1k(row Row) float64 {
	if r.Pop.TokenDays() == 0 {
		return 0
	}
	return float64(row.CleanFalse) * 1000 / r.Pop.TokenDays()
}

// types is what an alert stands for: its own type, or for
// combined_findings (README: several weak findings escalated as one) the
// types it combines as well.
func types(a Alert) []string {
	if a.Type == auditattr.FindingCombined {
		return append([]string{a.Type}, a.Related...)
	}
	return []string{a.Type}
}

// matches says whether alert a, standing for type typ, is the finding of
// label l: same type, same token (or client address for
// credential_stuffing, which is about the address), at an event time within
// the misuse's interval widened by slack.
func matches(a Alert, typ string, l fieldsim.Label, slack time.Duration) bool {
	if typ != l.Type {
		return false
	}
	if l.Type == auditattr.FindingCredentialStuffing {
		if a.Client != l.Client {
			return false
		}
	} else if a.TokenID == "" || a.TokenID != l.TokenID {
		return false
	}
	return !a.At.Before(l.Start.Add(-slack)) && !a.At.After(l.End.Add(slack))
}

// Score matches alerts to labels.
func Score(labels []fieldsim.Label, alerts []Alert, pop Population, slack time.Duration) Report {
	rep := Report{Pop: pop, Slack: slack}
	rows := map[string]*Row{}
	row := func(typ string) *Row {
		if rows[typ] == nil {
			rows[typ] = &Row{Type: typ}
		}
		return rows[typ]
	}
	// Index labels by subject so each alert checks only its own.
	bySubject := map[string][]int{}
	for i, l := range labels {
		k := l.TokenID
		if l.Type == auditattr.FindingCredentialStuffing {
			k = "client:" + l.Client
		}
		bySubject[k] = append(bySubject[k], i)
		if l.Primary {
			row(l.Type).Injected++
		}
	}
	found := make([]bool, len(labels))
	first := make([]time.Time, len(labels))
	for _, a := range alerts {
		if pop.Idle[a.TokenID] {
			rep.Unscored++
			continue
		}
		r := row(a.Type)
		r.Alerts++
		rep.Alerts++
		ok := false
		for _, typ := range types(a) {
			cands := bySubject[a.TokenID]
			if typ == auditattr.FindingCredentialStuffing {
				cands = bySubject["client:"+a.Client]
			}
			for _, i := range cands {
				if matches(a, typ, labels[i], slack) {
					ok = true
					found[i] = true
					if first[i].IsZero() || a.At.Before(first[i]) {
						first[i] = a.At
					}
				}
			}
		}
		switch {
		case ok:
			r.True++
			rep.True++
		case pop.Clean[a.TokenID], a.Type == auditattr.FindingCredentialStuffing:
			r.CleanFalse++
			if k := pop.Kinds[a.TokenID]; k != "" {
				if rep.CleanByKind == nil {
					rep.CleanByKind = map[string]map[string]int{}
				}
				if rep.CleanByKind[a.Type] == nil {
					rep.CleanByKind[a.Type] = map[string]int{}
				}
				rep.CleanByKind[a.Type][k]++
			}
		default:
			rep.Wrong = append(rep.Wrong, a)
		}
	}
	onSubject := map[string][]string{}
	for _, a := range alerts {
		k := a.TokenID
		if a.Type == auditattr.FindingCredentialStuffing {
			k = "client:" + a.Client
		}
		if len(bySubject[k]) > 0 && len(onSubject[k]) < 8 {
			onSubject[k] = append(onSubject[k], a.Type+"@"+a.At.UTC().Format("Mon 15:04:05"))
		}
	}
	for i, l := range labels {
		switch {
		case l.Primary && found[i]:
			r := row(l.Type)
			r.Found++
			r.Delays = append(r.Delays, max(0, first[i].Sub(l.Start)))
		case l.Primary:
			k := l.TokenID
			if l.Type == auditattr.FindingCredentialStuffing {
				k = "client:" + l.Client
			}
			rep.Missed = append(rep.Missed, Miss{Label: l, Others: onSubject[k]})
		}
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	slices.SortFunc(rep.Rows, func(a, b Row) int { return strings.Compare(a.Type, b.Type) })
	return rep
}

// Table renders the report as Markdown.
func (r Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| finding | injected | found | recall | alerts | true | precision | false on clean | per 1,000 clean token-days | median time to detect |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.Rows {
		ttd := "—"
		if len(row.Delays) > 0 {
			ttd = row.MedianDelay().Round(time.Second).String()
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %s | %d | %d | %s | %d | %.2f | %s |\n", row.Type, row.Injected, row.Found,
			fmtRatio(row.Found, row.Injected), row.Alerts, row.True, fmtRatio(row.True, row.Alerts), row.CleanFalse, r.FalsePer1k(row), ttd)
	}
	fmt.Fprintf(&b, "\nmacro recall %.3f, micro precision %.3f (%d of %d alerts), %d clean tokens × %d days = %.0f clean token-days, match slack %s, %d alerts on idle clean tokens not scored\n",
		r.MacroRecall(), r.MicroPrecision(), r.True, r.Alerts, len(r.Pop.Clean), r.Pop.Days, r.Pop.TokenDays(), r.Slack, r.Unscored)
	if len(r.CleanByKind) > 0 {
		fmt.Fprintf(&b, "\nFalse alerts on clean tokens by how the token is used:\n")
		for _, row := range r.Rows {
			if by := r.CleanByKind[row.Type]; len(by) > 0 {
				kinds := make([]string, 0, len(by))
				for k := range by {
					kinds = append(kinds, k)
				}
				slices.SortFunc(kinds, func(a, b string) int { return by[b] - by[a] })
				var parts []string
				for _, k := range kinds {
					parts = append(parts, fmt.Sprintf("%s %d", k, by[k]))
				}
				fmt.Fprintf(&b, "- %s: %s\n", row.Type, strings.Join(parts, ", "))
			}
		}
	}
	if len(r.Missed) > 0 {
		fmt.Fprintf(&b, "\nMissed injections (type, subject, event time, what; alerts on the same subject):\n")
		for _, m := range r.Missed {
			l := m.Label
			subject := l.TokenID
			if subject == "" {
				subject = l.Client
			}
			fmt.Fprintf(&b, "- %s %s %s..%s %s; %v\n", l.Type, subject, l.Start.UTC().Format("Mon 15:04"), l.End.UTC().Format("Mon 15:04"), l.What, m.Others)
		}
	}
	if len(r.Wrong) > 0 {
		fmt.Fprintf(&b, "\nFalse alerts on injected tokens (type, token, event time), the first 40 of %d:\n", len(r.Wrong))
		for _, a := range r.Wrong[:min(40, len(r.Wrong))] {
			fmt.Fprintf(&b, "- %s %s %s\n", a.Type, a.TokenID, a.At.UTC().Format("Mon 15:04:05"))
		}
	}
	return b.String()
}

func fmtRatio(a, b int) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}

// Targets are issue 13's: per type recall and precision at least 0.9, micro
// precision at least 0.9, at most one false alert per 1,000 clean
// token-days per detector.
func (r Report) Targets() []error {
	var errs []error
	for _, row := range r.Rows {
		if row.Injected > 0 && row.Recall() < 0.9 {
			errs = append(errs, fmt.Errorf("%s: recall %.3f < 0.9 (%d of %d)", row.Type, row.Recall(), row.Found, row.Injected))
		}
		if row.Alerts > 0 && row.Precision() < 0.9 {
			errs = append(errs, fmt.Errorf("%s: precision %.3f < 0.9 (%d of %d)", row.Type, row.Precision(), row.True, row.Alerts))
		}
		if f := r.FalsePer1k(row); f > 1 {
			errs = append(errs, fmt.Errorf("%s: %.2f false alerts per 1,000 clean token-days > 1", row.Type, f))
		}
	}
	if r.MicroPrecision() < 0.9 {
		errs = append(errs, fmt.Errorf("micro precision %.3f < 0.9", r.MicroPrecision()))
	}
	return errs
}
