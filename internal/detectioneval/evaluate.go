package detectioneval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

// Slack widens each label's interval when matching alerts: a finding that
// needs a few more events (a window filling up) still belongs to the misuse.
const Slack = 15 * time.Minute

// Result is one evaluation.
type Result struct {
	Report  Report
	Stats   fieldsim.Stats
	Alerts  []Alert
	Elapsed time.Duration
}

// Evaluate generates cfg's traffic, runs it through a new pipeline whose
// files live in dir, and scores the alerts. An error is a harness failure
// (a component refused its configuration or a batch, no alert at all, a
// raw credential in an alert), never a poor score.
func Evaluate(ctx context.Context, dir string, cfg fieldsim.Config) (Result, error) {
	began := time.Now()
	sim, err := fieldsim.New(cfg)
	if err != nil {
		return Result{}, err
	}
	p, err := NewPipeline(ctx, dir, sim)
	if err != nil {
		return Result{}, err
	}
	st, runErr := sim.Run(func(b *fieldsim.Batch) error { return p.Consume(ctx, b) })
	if err := errors.Join(runErr, p.Shutdown(ctx)); err != nil {
		return Result{}, err
	}
	alerts := p.Alerts()
	byJTI := sim.TokenIDsByJTI()
	for i := range alerts { // a registered JWT the connector never saw is named by its jti
		if a := &alerts[i]; a.TokenID == "" && a.JTI != "" {
			a.TokenID = byJTI[a.JTI]
		}
	}
	if len(alerts) == 0 {
		return Result{}, fmt.Errorf("no alert from %d requests: the pipeline is not wired", st.Requests)
	}
	if n := p.Leaks(); n > 0 {
		return Result{}, fmt.Errorf("%d alerts carry a raw credential", n)
	}
	return Result{
		Report:  Score(sim.Labels, alerts, population(sim), Slack),
		Stats:   st,
		Alerts:  alerts,
		Elapsed: time.Since(began),
	}, nil
}

// population is the simulation's clean tokens after its run: active or idle.
func population(sim *fieldsim.Sim) Population {
	pop := Population{Clean: map[string]bool{}, Idle: map[string]bool{}, Days: sim.Days(), Kinds: sim.Kinds()}
	for _, id := range sim.CleanTokenIDs() {
		pop.Idle[id] = true
	}
	for _, id := range sim.ActiveCleanTokens() {
		pop.Clean[id] = true
		delete(pop.Idle, id)
	}
	return pop
}
