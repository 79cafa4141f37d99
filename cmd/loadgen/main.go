// Command loadgen sends realistic API traffic to a collector over OTLP.
// It has two modes:
//
//   - scenario: days of labelled traffic of hundreds of tokens with
//     injected misuse of every kind (internal/scenario), rendered as the
//     raw requests a service records, with real credentials; with -watch it
//     prints each alert as the audit log records it. `make demo` runs it.
//   - load: server spans over a set of tokens for a set time, as fast as
//     the collector takes them or at -rate, reporting spans per second,
//     p50/p99 export latency and, with -pid, the collector's spans per
//     CPU-second and peak RSS. `make bench-e2e` runs it with -traffic
//     realistic (internal/loadtraffic, docs/BENCHMARKS.md).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: loadgen <mode> [flags]

modes:
  scenario   replay a generated misuse scenario ending now (make demo)
  load       a steady rate of spans over N tokens for a duration (make bench-e2e)

Run "loadgen <mode> -h" for the flags of a mode.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "scenario":
		err = scenarioCmd(ctx, args[1:], stdout, stderr)
	case "load":
		err = loadCmd(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "loadgen: unknown mode %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
