package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/policy"
	"github.com/tokenaudit/tokenaudit/internal/report"
)

// reportCmd exits 0 for a report of a verified log, 1 when the report was
// written but the log failed verification, 2 when no report was written.
func reportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keys, known listFlag
	fs.Var(&keys, "key", "verification key file (repeatable)")
	fs.Var(&known, "checkpoint", "a signed checkpoint kept outside the log (repeatable)")
	origin := fs.String("origin", "", "the log's origin; default: the first checkpoint's")
	from := fs.String("from", "", "report on events at or after this RFC 3339 time")
	to := fs.String("to", "", "report on events before this RFC 3339 time; also the reference time for staleness and expiry")
	format := fs.String("format", "html", "html, md, csv or json")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	policyFile := fs.String("policy", "", "policy file: scope map (scopes needed vs granted) and token registry (stale tokens)")
	pseudoKey := fs.String("pseudonymize-key", "", "key file (as auditctl keygen writes): replace principal ids with keyed usr_ pseudonyms")
	staleAfter := fs.Duration("stale-after", 720*time.Hour, "a registered token unused this long is stale")
	expiring := fs.Duration("expiring-within", 168*time.Hour, "list tokens in use that expire within this")
	maxLifetime := fs.Duration("max-lifetime", 90*24*time.Hour, "list tokens valid for longer than this")
	dir, err := splitPositional(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl report: %v\n", err)
		return 2
	}
	opts, err := reportOptions(keys, known, *origin, *from, *to, *policyFile, *pseudoKey)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl report: %v\n", err)
		return 2
	}
	if !slices.Contains(report.Formats, *format) {
		fmt.Fprintf(stderr, "auditctl report: -format %q: use html, md, csv or json\n", *format)
		return 2
	}
	opts.StaleAfter, opts.ExpiringWithin, opts.MaxLifetime = *staleAfter, *expiring, *maxLifetime
	r, err := report.Build(dir, opts)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl report: %v\n", err)
		return 2
	}
	if err := writeReport(r, *format, *out, stdout); err != nil {
		fmt.Fprintf(stderr, "auditctl report: %v\n", err)
		return 2
	}
	if !r.Integrity.Verified {
		fmt.Fprintf(stderr, "auditctl report: UNVERIFIED: the log failed verification with %d problems (listed at the top of the report)\n", len(r.Integrity.Problems))
		return 1
	}
	return 0
}

func reportOptions(keys, known []string, origin, from, to, policyFile, pseudoKey string) (report.Options, error) {
	var opts report.Options
	k, err := readKeys(keys)
	if err != nil {
		return opts, err
	}
	opts.Verify = auditlog.VerifyOptions{Keys: k, Origin: origin}
	for _, p := range known {
		data, err := os.ReadFile(p)
		if err != nil {
			return opts, fmt.Errorf("-checkpoint: %w", err)
		}
		opts.Verify.Known = append(opts.Verify.Known, data)
	}
	if opts.From, err = parseTime("-from", from); err != nil {
		return opts, err
	}
	if opts.To, err = parseTime("-to", to); err != nil {
		return opts, err
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && !opts.From.Before(opts.To) {
		return opts, errors.New("-from must be before -to")
	}
	if policyFile != "" {
		data, err := os.ReadFile(policyFile)
		if err != nil {
			return opts, fmt.Errorf("-policy: %w", err)
		}
		if opts.Policy, err = policy.Parse(data); err != nil {
			return opts, fmt.Errorf("-policy %s: %w", policyFile, err)
		}
	}
	if pseudoKey != "" {
		key, err := fingerprint.ReadKeyFile(pseudoKey)
		if err != nil {
			return opts, fmt.Errorf("-pseudonymize-key: %w", err)
		}
		fp, err := fingerprint.New(key, "tok_")
		if err != nil {
			return opts, fmt.Errorf("-pseudonymize-key: %w", err)
		}
		opts.Pseudonymize = fp.PrincipalID
	}
	return opts, nil
}

func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%s: %w", flag, err)
	}
	return t, nil
}

// writeReport writes to a new file (0600: it names people) or stdout.
func writeReport(r *report.Report, format, out string, stdout io.Writer) error {
	if out == "" {
		bw := bufio.NewWriter(stdout)
		if err := report.Render(bw, r, format); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	bw := bufio.NewWriter(f)
	if err := report.Render(bw, r, format); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("-out: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	return nil
}
