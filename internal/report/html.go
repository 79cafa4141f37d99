package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var htmlTemplate string

// htmlPage is what the template sees: the report and its charts.
type htmlPage struct {
	*Report
	Verdict     string
	PCI         string
	Activity    template.HTML
	Outcomes    template.HTML
	FindingsTS  template.HTML
	TokensTS    template.HTML
	PrincipalTS template.HTML
	Matrix      template.HTML
}

func renderHTML(w io.Writer, r *Report) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"time":      fmtTime,
		"timep":     fmtTimePtr,
		"counts":    joinCounts,
		"join":      func(s []string) string { return strings.Join(s, " ") },
		"bucket":    fmtBucket,
		"evidence":  func(e Evidence) string { return e.String() },
		"hasIssues": func(n []TokenNote) bool { return len(n) > 0 },
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("parse html template: %w", err)
	}
	p := htmlPage{Report: r, Verdict: r.verdict(), PCI: r.pciStatement()}
	p.Activity = lineChart("Requests over time", r.Timeline, []string{"requests", "failed, denied or error"}, [][]int64{r.Activity.Requests, r.Activity.Failed})
	p.Outcomes = outcomeBar(r.Activity.Outcomes)
	p.FindingsTS = lineChart("Findings over time", r.Timeline, []string{"findings"}, [][]int64{r.Activity.Findings})
	var names []string
	var data [][]int64
	for _, t := range r.Tokens {
		if t.Series != nil && len(names) < 8 {
			names, data = append(names, t.ID), append(data, t.Series)
		}
	}
	p.TokensTS = lineChart("Requests per token (top)", r.Timeline, names, data)
	names, data = nil, nil
	for _, pr := range r.Principals {
		if pr.Series != nil && len(names) < 8 {
			names, data = append(names, pr.ID), append(data, pr.Series)
		}
	}
	p.PrincipalTS = lineChart("Requests per principal (top)", r.Timeline, names, data)
	p.Matrix = matrix(r.Tokens, 15, 15)
	if err := t.Execute(w, p); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}
