package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

// keygenCmd makes a fingerprint key: printed, or written to a new file
// (mode 0600) that it never overwrites.
func keygenCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the key to this new file instead of printing it")
	if err := fs.Parse(args); err != nil {
		return err
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
