package tokenanomalyconnector

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// sharedModel is the one model that every pair of a component id
// (traces→metrics, traces→logs, logs→metrics, logs→logs) shares through
// internal/sharedcomponent, and the pairs that are running, to give each
// its role.
type sharedModel struct {
	*model
	mu      sync.Mutex
	members []*anomalyConnector // started and not yet shut down
}

func (sm *sharedModel) Start(ctx context.Context, host component.Host) error {
	return sm.model.start(ctx, host)
}

func (sm *sharedModel) Shutdown(ctx context.Context) error {
	return sm.model.shutdown(ctx)
}

// join adds a started pair and reassigns the roles.
func (sm *sharedModel) join(c *anomalyConnector) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.members = append(sm.members, c)
	sm.assignRoles()
}

// leave removes a pair and reassigns the roles among the others. The last
// one keeps its outputs: the model's final flush still goes through them.
func (sm *sharedModel) leave(c *anomalyConnector) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	for i, m := range sm.members {
		if m == c {
			sm.members = append(sm.members[:i], sm.members[i+1:]...)
			break
		}
	}
	c.reads.Store(false)
	if len(sm.members) > 0 {
		sm.assignRoles()
	}
}

// assignRoles picks, among started pairs, the one that reads each input
// signal (every pair of a signal receives the same items, so only one may
// read them) and the ones whose consumers carry alerts and metrics (each
// pair's router reaches every downstream pipeline of its signal).
func (sm *sharedModel) assignRoles() {
	var traces, logs *anomalyConnector
	sm.model.mu.Lock()
	defer sm.model.mu.Unlock()
	sm.model.alertOut, sm.model.metricsOut = nil, nil
	for _, c := range sm.members {
		reads := false
		if c.input == inputTraces && traces == nil {
			traces, reads = c, true
		}
		if c.input == inputLogs && logs == nil {
			logs, reads = c, true
		}
		c.reads.Store(reads)
		if c.logsOut != nil && sm.model.alertOut == nil {
			sm.model.alertOut = c.logsOut
		}
		if c.metricsOut != nil && sm.model.metricsOut == nil {
			sm.model.metricsOut = c.metricsOut
		}
	}
	if sm.model.alertOut != nil {
		// Alerts stored before the start (or while no logs pair ran)
		// leave now, not at the retry loop's next attempt.
		sm.model.outbox.notify()
	}
}
