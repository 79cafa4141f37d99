package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// splitPositional lets the directory or file come before or after the
// flags: `verify DIR -key K` and `verify -key K DIR` both work.
func splitPositional(fs *flag.FlagSet, args []string) (string, error) {
	var pos string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if pos == "" && fs.NArg() > 0 {
		pos = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if pos == "" {
		return "", errors.New("missing the audit log directory or proof file")
	}
	return pos, nil
}

// readKeys reads verification keys from files (or takes them inline).
func readKeys(paths []string) (*auditlog.Keys, error) {
	if len(paths) == 0 {
		return nil, errors.New("-key: give the verification key (the .pub file written with the signing key)")
	}
	var vkeys []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("-key: %w", err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				if strings.HasPrefix(line, "PRIVATE+KEY+") {
					return nil, fmt.Errorf("-key %s is a signing key; give its .pub verification key (and keep the signing key off this machine)", p)
				}
				vkeys = append(vkeys, line)
			}
		}
	}
	return auditlog.NewKeys(vkeys...)
}

// verifyCmd exits 0 only when every check holds, 1 when the log fails
// verification, 2 when it could not run.
func verifyCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keys, known listFlag
	fs.Var(&keys, "key", "verification key file (repeatable)")
	fs.Var(&known, "checkpoint", "a signed checkpoint kept outside the log, e.g. from checkpoint.mirror_directory (repeatable)")
	origin := fs.String("origin", "", "the log's origin; default: the first checkpoint's")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dir, err := splitPositional(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl verify: %v\n", err)
		return 2
	}
	k, err := readKeys(keys)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl verify: %v\n", err)
		return 2
	}
	opts := auditlog.VerifyOptions{Keys: k, Origin: *origin}
	for _, p := range known {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "auditctl verify: -checkpoint: %v\n", err)
			return 2
		}
		opts.Known = append(opts.Known, data)
	}
	r, err := auditlog.Verify(dir, opts)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl verify: %v\n", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	} else {
		printReport(stdout, dir, r)
	}
	if !r.OK() {
		return 1
	}
	return 0
}

func printReport(w io.Writer, dir string, r *auditlog.Report) {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "INVALID %s\n", p)
	}
	for _, ev := range r.Retained {
		fmt.Fprintf(w, "retained: %s (records %d to %d) %s\n", ev.Segment, ev.First, ev.First+ev.Count-1, ev.Detail)
	}
	if r.Unsigned > 0 {
		fmt.Fprintf(w, "note: the last %d records are not yet under a signed checkpoint\n", r.Unsigned)
	}
	if r.Unhashed > 0 {
		fmt.Fprintf(w, "note: %d records were written just before a crash and are not yet hashed; the exporter hashes them when it starts\n", r.Unhashed)
	}
	verdict := "VALID"
	if !r.OK() {
		verdict = fmt.Sprintf("INVALID (%d problems)", len(r.Problems))
	}
	fmt.Fprintf(w, "%s: %s: log %q, %d records in %d files, %d signed checkpoints, newest signs %d records at %s\n",
		verdict, dir, r.Origin, r.Records, len(r.Segments), r.Checkpoints, r.Latest.Size, r.Latest.Time.Format("2006-01-02T15:04:05Z07:00"))
}

func proveCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	index := fs.Int64("index", -1, "the record's index (its metadata.sequence)")
	out := fs.String("out", "", "write the proof to this file instead of stdout")
	dir, err := splitPositional(fs, args)
	if err != nil {
		return err
	}
	if *index < 0 {
		return errors.New("-index: give the record's index (metadata.sequence)")
	}
	p, err := auditlog.Prove(dir, *index)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if *out == "" {
		_, err = stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o600)
}

func checkProofCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-proof", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keys listFlag
	fs.Var(&keys, "key", "verification key file (repeatable)")
	file, err := splitPositional(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl check-proof: %v\n", err)
		return 2
	}
	k, err := readKeys(keys)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl check-proof: %v\n", err)
		return 2
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "auditctl check-proof: %v\n", err)
		return 2
	}
	var p auditlog.Proof
	if err := json.Unmarshal(data, &p); err != nil {
		fmt.Fprintf(stdout, "INVALID: %s is not a proof: %v\n", file, err)
		return 1
	}
	c, err := auditlog.CheckProof(&p, k)
	if err != nil {
		fmt.Fprintf(stdout, "INVALID: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "VALID: record %d is in log %q, under the checkpoint of %d records signed at %s\n%s\n",
		p.Index, c.Origin, c.Size, c.Time.Format("2006-01-02T15:04:05Z07:00"), p.Record)
	return 0
}
