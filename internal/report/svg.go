package report

import (
	"fmt"
	"html/template"
	"strings"
)

// The charts are SVG drawn here, so the HTML report needs nothing outside
// itself. Every label goes through esc: it is attacker-influenced text.

func esc(s string) string { return template.HTMLEscapeString(s) }

// palette is colour-blind friendly (Okabe–Ito).
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"}

// lineChart draws named series over the timeline.
func lineChart(title string, tl Timeline, names []string, data [][]int64) template.HTML {
	const w, h, left, bottom, top = 720.0, 220.0, 48.0, 28.0, 24.0
	var peak int64 = 1
	n := 0
	for _, d := range data {
		n = max(n, len(d))
		for _, v := range d {
			peak = max(peak, v)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %g %g" width="%g" height="%g"><title>%s</title>`, w, h+40, w, h+40, esc(title))
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#888"/>`, left, h-bottom, w-8, h-bottom)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#888"/>`, left, top, left, h-bottom)
	fmt.Fprintf(&b, `<text x="4" y="%g" font-size="11">%d</text><text x="4" y="%g" font-size="11">0</text>`, top+4, peak, h-bottom)
	if n > 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="11">%s</text>`, left, h-8, esc(fmtTime(tl.Start)))
		fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="11" text-anchor="end">%s bucket</text>`, w-8, h-8, esc(fmtBucket(tl.BucketSeconds)))
	}
	step := (w - left - 8) / float64(max(n-1, 1))
	for i, d := range data {
		var pts strings.Builder
		for j, v := range d {
			x := left + float64(j)*step
			y := h - bottom - float64(v)/float64(peak)*(h-bottom-top)
			fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
		}
		col := palette[i%len(palette)]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, col, strings.TrimSpace(pts.String()))
		if len(d) == 1 {
			fmt.Fprintf(&b, `<circle cx="%g" cy="%.1f" r="3" fill="%s"/>`, left, h-bottom-float64(d[0])/float64(peak)*(h-bottom-top), col)
		}
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="10" height="10" fill="%s"/><text x="%g" y="%g" font-size="11">%s</text>`,
			left+float64(i%4)*170, h+6+float64(i/4)*14, col, left+14+float64(i%4)*170, h+15+float64(i/4)*14, esc(short(names[i], 26)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped labels and numbers
}

// outcomeBar draws the outcomes as one stacked bar.
func outcomeBar(o Outcomes) template.HTML {
	parts := []struct {
		name string
		n    int64
		col  string
	}{{"success", o.Success, "#009E73"}, {"failure", o.Failure, "#D55E00"}, {"denied", o.Denied, "#CC79A7"}, {"error", o.Error, "#E69F00"}, {"unknown", o.Unknown, "#999999"}}
	total := max(o.Total(), 1)
	const w = 720.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %g 60" width="%g" height="60"><title>Outcomes</title>`, w, w)
	x := 0.0
	for i, p := range parts {
		pw := float64(p.n) / float64(total) * w
		if pw > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="%.1f" height="24" fill="%s"><title>%s: %d</title></rect>`, x, pw, p.col, p.name, p.n)
		}
		x += pw
		fmt.Fprintf(&b, `<rect x="%d" y="34" width="10" height="10" fill="%s"/><text x="%d" y="43" font-size="11">%s %d</text>`, i*140, p.col, i*140+14, p.name, p.n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and fixed names only
}

// matrix draws requests of the top tokens (rows) on the top resources
// (columns) as a heat map.
func matrix(rows []Token, maxRows, maxCols int) template.HTML {
	rows = rows[:min(len(rows), maxRows)]
	totals := map[string]int64{}
	for _, t := range rows {
		for _, r := range t.Resources {
			totals[r.Resource] += r.Outcomes.Total()
		}
	}
	cols := make([]string, 0, len(totals))
	for k := range totals {
		cols = append(cols, k)
	}
	sortByCount(cols, totals)
	cols = cols[:min(len(cols), maxCols)]
	if len(rows) == 0 || len(cols) == 0 {
		return ""
	}
	const cell, left, top = 28.0, 190.0, 150.0
	var peak int64 = 1
	for _, t := range rows {
		for _, r := range t.Resources {
			peak = max(peak, r.Outcomes.Total())
		}
	}
	w, h := left+cell*float64(len(cols))+8, top+cell*float64(len(rows))+8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %g %g" width="%g" height="%g"><title>Token by resource</title>`, w, h, w, h)
	for j, c := range cols {
		x := left + cell*float64(j) + cell/2
		fmt.Fprintf(&b, `<text font-size="10" transform="translate(%.1f,%g) rotate(-50)">%s</text>`, x, top-4, esc(short(c, 28)))
	}
	for i, t := range rows {
		y := top + cell*float64(i)
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="10">%s</text>`, y+cell*0.65, esc(short(t.ID, 30)))
		byRes := map[string]ResourceUse{}
		for _, r := range t.Resources {
			byRes[r.Resource] = r
		}
		for j, c := range cols {
			r := byRes[c]
			n := r.Outcomes.Total()
			op := 0.0
			if n > 0 {
				op = 0.15 + 0.85*float64(n)/float64(peak)
			}
			fill := "#0072B2"
			if r.Outcomes.Failed() > r.Outcomes.Success {
				fill = "#D55E00"
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%g" height="%g" fill="%s" fill-opacity="%.2f" stroke="#ddd"><title>%s × %s: %d (%d failed)</title></rect>`,
				left+cell*float64(j), y, cell, cell, fill, op, esc(t.ID), esc(c), n, r.Outcomes.Failed())
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped labels and numbers
}

// short trims a label for a chart; the full text is in the tables.
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func fmtBucket(sec int64) string {
	switch {
	case sec%86400 == 0:
		return fmt.Sprintf("%dd", sec/86400)
	case sec%3600 == 0:
		return fmt.Sprintf("%dh", sec/3600)
	}
	return fmt.Sprintf("%dm", sec/60)
}
