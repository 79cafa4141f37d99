package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVColumns are the CSV report's columns: one row per token.
var CSVColumns = []string{
	"token_id", "type", "status", "requests", "success", "failure", "denied", "error", "unknown",
	"first_seen", "last_seen", "issued_at", "expires_at", "principals", "client_addresses",
	"resources", "findings", "violations", "scopes_granted", "scopes_needed", "scopes_unused",
	"over_permissioned", "log_verified",
}

func renderCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVColumns)
	for _, t := range r.Tokens {
		cw.Write([]string{
			csvSafe(t.ID), csvSafe(t.Type), csvSafe(t.Status), itoa(t.Requests),
			itoa(t.Outcomes.Success), itoa(t.Outcomes.Failure), itoa(t.Outcomes.Denied), itoa(t.Outcomes.Error), itoa(t.Outcomes.Unknown),
			fmtTime(t.FirstSeen), fmtTime(t.LastSeen), fmtTimePtr(t.IssuedAt), fmtTimePtr(t.ExpiresAt),
			csvSafe(joinCounts(t.Principals)), csvSafe(joinCounts(t.ClientAddresses)),
			csvSafe(joinResources(t.Resources)), itoa(t.Findings), csvSafe(joinCounts(t.Violations)),
			csvSafe(strings.Join(t.Scopes.Granted, " ")), csvSafe(strings.Join(t.Scopes.Needed, " ")),
			csvSafe(strings.Join(t.Scopes.Unused, " ")), strconv.FormatBool(t.Scopes.OverPermissioned),
			strconv.FormatBool(r.Integrity.Verified),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

// csvSafe defuses spreadsheet formulas: a cell starting with = + - @ or a
// control character is prefixed with a quote (OWASP CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return fmtTime(*t)
}

func joinCounts(c Counts) string {
	parts := make([]string, 0, len(c.Top)+1)
	for _, kv := range c.Top {
		parts = append(parts, fmt.Sprintf("%s=%d", kv.Key, kv.Count))
	}
	if c.OtherKeys > 0 {
		parts = append(parts, fmt.Sprintf("(%d others)=%d", c.OtherKeys, c.OtherCount))
	}
	return strings.Join(parts, " ")
}

func joinResources(rs []ResourceUse) string {
	parts := make([]string, 0, len(rs))
	for _, x := range rs {
		parts = append(parts, fmt.Sprintf("%s=%d", x.Resource, x.Outcomes.Total()))
	}
	return strings.Join(parts, "; ")
}
