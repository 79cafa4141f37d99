package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// Formats the report renders to.
var Formats = []string{"html", "md", "csv", "json"}

// Render writes the report in format.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write json report: %w", err)
		}
		return nil
	case "md":
		return renderMarkdown(w, r)
	case "csv":
		return renderCSV(w, r)
	case "html":
		return renderHTML(w, r)
	}
	return fmt.Errorf("unknown report format %q (use html, md, csv or json)", format)
}

// verdict is the line every format starts with.
func (r *Report) verdict() string {
	if r.Integrity.Verified {
		return fmt.Sprintf("VERIFIED: log %q, %d records, tree size %d, %d signed checkpoints, last signed %s",
			r.Integrity.Origin, r.Integrity.Records, r.Integrity.TreeSize, r.Integrity.Checkpoints, fmtTime(r.Integrity.LastCheckpoint))
	}
	return fmt.Sprintf("UNVERIFIED: the audit log failed verification with %d problems; the figures below may not be trustworthy", len(r.Integrity.Problems))
}
