package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/scenario"
)

// demoSecret is the HS256 key of the demo's token issuer; config.yaml
// verifies JWTs of key id "demo" with the same default.
const demoSecret = "tokenaudit-demo-issuer-secret-not-for-production"

func scenarioCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scenario", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tgt target
	tgt.flags(fs)
	seed := fs.Int64("seed", 0, "scenario seed; 0 picks one from the clock, so each run has tokens of its own")
	days := fs.Int("days", 10, "days of traffic, ending at today's midnight UTC; misuse is injected on the last two")
	users := fs.Int("users", 300, "user tokens (weekday office hours)")
	services := fs.Int("services", 240, "service tokens (around the clock)")
	perType := fs.Int("per-type", 2, "injections of each kind of misuse")
	duration := fs.Duration("duration", time.Minute, "spread the sending over this long; 0 sends as fast as the collector takes it")
	batch := fs.Int("batch", 500, "spans per export request")
	watch := fs.String("watch", "", "audit log directory to follow: print each alert as it is recorded")
	linger := fs.Duration("linger", 15*time.Second, "with -watch, how long to wait for the last alerts after sending")
	secret := fs.String("jwt-secret", envOr("TOKENAUDIT_DEMO_JWT_SECRET", demoSecret), "HS256 secret of the demo issuer (key id -jwt-key-id)")
	keyID := fs.String("jwt-key-id", "demo", "key id (kid) of the demo issuer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *batch < 1 || *days < 3 {
		return errors.New("-batch must be at least 1 and -days at least 3")
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano()
	}
	// Event time ends at today's midnight (UTC): the scenario's days start
	// at midnight, and no event is in the future.
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -*days)
	s := scenario.Generate(scenario.Config{Seed: *seed, Users: *users, Services: *services, Busy: 4,
		Days: *days, PerType: *perType, Start: start})
	raw := scenario.NewRaw([]byte(*secret))
	raw.KeyID = *keyID
	var events []scenario.Event
	for i := range s.Events {
		if raw.Renders(&s.Events[i]) {
			events = append(events, s.Events[i])
		}
	}

	snd, err := tgt.connect(ctx)
	if err != nil {
		return err
	}
	defer snd.close()
	var w *alertWatcher
	if *watch != "" {
		w = newAlertWatcher(*watch, stdout)
	}
	fmt.Fprintf(stdout, "Sending %d requests of %d tokens (%s to %s, %d injected misuses) to %s over %s...\n",
		len(events), *users+*services+4, start.Format("Jan 2"), start.AddDate(0, 0, *days).Format("Jan 2"),
		len(s.Labels), tgt.endpoint, tgt.protocol)

	began := time.Now()
	batches := (len(events) + *batch - 1) / *batch
	for b := 0; b < batches; b++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		part := events[b**batch : min((b+1)**batch, len(events))]
		req, err := encodeTraces(raw.Traces(part))
		if err != nil {
			return err
		}
		if err := snd.send(ctx, req); err != nil {
			return fmt.Errorf("batch %d of %d: %w", b+1, batches, err)
		}
		if w != nil {
			w.poll()
		}
		if *duration > 0 {
			due := began.Add(time.Duration(float64(*duration) * float64(b+1) / float64(batches)))
			sleepUntil(ctx, due)
		}
	}
	took := time.Since(began)
	fmt.Fprintf(stdout, "Sent %d requests in %s (%.0f/s).\n", len(events), took.Round(time.Millisecond), float64(len(events))/took.Seconds())
	if w == nil {
		return nil
	}
	deadline := time.Now().Add(*linger)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		w.poll()
		time.Sleep(300 * time.Millisecond)
	}
	w.poll()
	w.summary()
	if w.total == 0 {
		return errors.New("no alert was recorded: is the collector running config.yaml, and is -watch its audit_log directory?")
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func sleepUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// sortedCounts lists counts by name.
func sortedCounts(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return out
}
