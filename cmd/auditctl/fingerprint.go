package main

import (
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

// maxInput bounds what fingerprint reads: no token is larger.
const maxInput = 1 << 20

// fingerprintCmd prints the token id the processor would write for a token,
// for policy registry and revocation entries. The token is read on stdin so
// that it never stands in the shell history or the process list.
func fingerprintCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fingerprint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key-file", "", "fingerprint key file (default: $TOKENAUDIT_FINGERPRINT_KEY)")
	prefix := fs.String("prefix", "tok_", "token id prefix, as fingerprint.prefix in the processor config")
	header := fs.String("header", "authorization", "read the input as this header's value: authorization (\"Bearer x\", \"Basic x\" or a bare token) or key (the whole value)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := auditattr.CheckTokenIDPrefix(*prefix); err != nil {
		return fmt.Errorf("-prefix: %w", err)
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		return err
	}
	fp, err := fingerprint.New(key, *prefix)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if len(data) > maxInput {
		return errors.New("input is larger than 1 MiB")
	}
	value := strings.TrimRight(string(data), "\r\n")
	rules, err := credential.NewRules(nil, credential.DefaultLimits())
	if err != nil {
		return err
	}
	var (
		c  credential.Credential
		ok bool
	)
	switch *header {
	case "authorization":
		c, ok = rules.ParseAuthorization(value)
	case "key":
		c, ok = rules.ParseKey(value)
	default:
		return fmt.Errorf("-header %q: use authorization or key", *header)
	}
	if !ok || c.Secret == "" {
		return errors.New("no token on stdin")
	}
	fmt.Fprintln(stdout, fp.TokenID(c.Secret))
	if c.Malformed {
		fmt.Fprintf(stderr, "note: the token is malformed (%s); the id is still what the collector writes\n", c.Reason)
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
