package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tokenaudit/tokenaudit/internal/auditkey"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// keygenCmd makes a fingerprint key: printed, or written to a new file
// (mode 0600) that it never overwrites.
func keygenCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the key to this new file instead of printing it")
	signing := fs.String("signing", "", "make an audit log signing key with this name (e.g. audit.example.com/prod); needs -out, and writes the verification key to OUT.pub")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *signing != "" {
		return signingKeygen(*signing, *out, stderr)
	}
	if *out == "" {
		key, err := fingerprint.GenerateKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		return nil
	}
	err := fingerprint.CreateKeyFile(*out)
	if errors.Is(err, fingerprint.ErrExists) {
		return fmt.Errorf("%s exists; refusing to replace a key (every token id depends on it)", *out)
	}
	if err == nil {
		fmt.Fprintf(stderr, "wrote a new key to %s\n", *out)
	}
	return err
}

// signingKeygen writes an Ed25519 checkpoint signing key and its public
// verification key, which auditors use with `auditctl verify --key`.
func signingKeygen(name, out string, stderr io.Writer) error {
	if out == "" {
		return errors.New("-signing needs -out FILE: a signing key is never printed")
	}
	err := auditkey.CreateFiles(out, name)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; refusing to replace a signing key (auditors hold its verification key)", out)
	}
	if err == nil {
		fmt.Fprintf(stderr, "wrote signing key %s and verification key %s.pub\n", out, out)
	}
	return err
}
