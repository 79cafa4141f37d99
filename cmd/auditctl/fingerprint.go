package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// malformedNote tells that a malformed token still has the id printed.
const malformedNote = "note: the token is malformed (%s); the id is still what the collector writes\n"

// maxInput bounds what fingerprint reads: no token is larger.
const maxInput = 1 << 20

// fingerprintCmd prints the token id the processor would write for a token,
// for policy registry and revocation entries. The token is read on stdin so
// that it never stands in the shell history or the process list. With
// -lines each line of stdin is one token and one id is printed per line,
// so that a registry of hundreds of keys takes one run.
func fingerprintCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fingerprint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key-file", "", "fingerprint key file (default: $TOKENAUDIT_FINGERPRINT_KEY)")
	prefix := fs.String("prefix", "tok_", "token id prefix, as fingerprint.prefix in the processor config")
	header := fs.String("header", "authorization", "read the input as this header's value: authorization (\"Bearer x\", \"Basic x\" or a bare token) or key (the whole value)")
	lines := fs.Bool("lines", false, "one token per line of stdin, one id per line of output in the same order (an empty line where a line holds no token, and exit status 1 after all lines)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := auditattr.CheckTokenIDPrefix(*prefix); err != nil {
		return fmt.Errorf("-prefix: %w", err)
	}
	if *header != "authorization" && *header != "key" {
		return fmt.Errorf("-header %q: use authorization or key", *header)
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		return err
	}
	fp, err := fingerprint.New(key, *prefix)
	if err != nil {
		return err
	}
	rules, err := credential.NewRules(nil, credential.DefaultLimits())
	if err != nil {
		return err
	}
	parse := rules.ParseAuthorization
	if *header == "key" {
		parse = rules.ParseKey
	}
	if *lines {
		return fingerprintLines(stdin, stdout, stderr, fp, parse)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if len(data) > maxInput {
		return errors.New("input is larger than 1 MiB")
	}
	c, ok := parse(strings.TrimRight(string(data), "\r\n"))
	if !ok || c.Secret == "" {
		return errors.New("no token on stdin")
	}
	fmt.Fprintln(stdout, fp.TokenID(c.Secret))
	if c.Malformed {
		fmt.Fprintf(stderr, malformedNote, c.Reason)
	}
	return nil
}

// fingerprintLines prints one id per line of input. A line without a token
// prints an empty line (so that the output still pairs with the input, as
// paste(1) needs) and is named by its number on stderr, never by its text.
func fingerprintLines(stdin io.Reader, stdout, stderr io.Writer, fp *fingerprint.Fingerprinter, parse func(string) (credential.Credential, bool)) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxInput)
	out := bufio.NewWriter(stdout)
	empty := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark some editors write
		}
		c, ok := parse(line)
		if !ok || c.Secret == "" {
			empty++
			fmt.Fprintf(stderr, "line %d: no token\n", n)
			out.WriteByte('\n')
			continue
		}
		out.WriteString(fp.TokenID(c.Secret))
		out.WriteByte('\n')
		if c.Malformed {
			fmt.Fprintf(stderr, "line %d: "+malformedNote, n, c.Reason)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write stdout: %w", err)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return errors.New("read stdin: a line is larger than 1 MiB")
		}
		return fmt.Errorf("read stdin: %w", err)
	}
	if empty > 0 {
		return fmt.Errorf("%d line(s) held no token", empty)
	}
	return nil
}

// loadKey reads the key as the processor does: a key file, else the
// TOKENAUDIT_FINGERPRINT_KEY environment variable.
func loadKey(keyFile string) ([]byte, error) {
	if keyFile != "" {
		return fingerprint.ReadKeyFile(keyFile)
	}
	if env := os.Getenv("TOKENAUDIT_FINGERPRINT_KEY"); env != "" {
		return fingerprint.ParseKey(env)
	}
	return nil, errors.New("no key: pass -key-file or set TOKENAUDIT_FINGERPRINT_KEY")
}
