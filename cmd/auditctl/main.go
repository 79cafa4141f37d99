// Command auditctl works with what tokenaudit records: it verifies audit
// logs, proves single records and reports on them, fingerprints a token
// the way the collector does, and makes keys.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: auditctl <command> [flags]

commands:
  fingerprint   read a token (or a whole header value) on stdin, print its token id;
                with -lines, one token per line, one id per line
  keygen        print a new fingerprint key, or write it to a file with -out;
                with -signing NAME -out FILE, an audit log signing key and FILE.pub
  verify        verify DIR -key PUB [-origin O] [-checkpoint FILE]...: check every
                record, file, tree hash and signed checkpoint of an audit log
  prove         prove DIR -index N [-out FILE]: an inclusion proof for one record
  check-proof   check-proof FILE -key PUB: check a proof without the log
  report        report DIR -key PUB [-from RFC3339] [-to RFC3339] [-format html|md|csv|json]
                [-out FILE] [-policy FILE] [-pseudonymize-key FILE] [-stale-after 720h]
                [-expiring-within 168h] [-max-lifetime 2160h] [-checkpoint FILE]...:
                verify the log, then a compliance report of token use, failures,
                findings, stale and over-permissioned tokens and PCI DSS 10.2.2
                coverage (exit 1: written, but the log is UNVERIFIED); see docs/reports.md
`

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "fingerprint":
		err = fingerprintCmd(args[1:], stdin, stdout, stderr)
	case "keygen":
		err = keygenCmd(args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(args[1:], stdout, stderr)
	case "prove":
		err = proveCmd(args[1:], stdout, stderr)
	case "check-proof":
		return checkProofCmd(args[1:], stdout, stderr)
	case "report":
		return reportCmd(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "auditctl: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "auditctl %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
