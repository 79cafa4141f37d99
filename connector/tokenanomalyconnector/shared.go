package tokenanomalyconnector

import (
	"context"
	"errors"
	"slices"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// sharedModels gives every pair of one component id (traces→metrics,
// traces→logs, logs→metrics, logs→logs) the same model. The collector
// creates one instance per pair; the first to start starts the model and
// the last to shut down stops it. It lives in the factory, not in a global.
type sharedModels struct {
	mu     sync.Mutex
	models map[component.ID]*sharedModel
}

type sharedModel struct {
	*model
	members []*anomalyConnector // created and not yet shut down
	started int
}

func newSharedModels() *sharedModels {
	return &sharedModels{models: map[component.ID]*sharedModel{}}
}

// join returns the model of id, creating it with make on first use.
func (s *sharedModels) join(id component.ID, c *anomalyConnector, make func() (*model, error)) (*sharedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, ok := s.models[id]
	if !ok {
		m, err := make()
		if err != nil {
			return nil, err
		}
		sm = &sharedModel{model: m}
		s.models[id] = sm
	}
	sm.members = append(sm.members, c)
	return sm, nil
}

// start starts the model with its first member and (re)assigns roles.
func (s *sharedModels) start(ctx context.Context, host component.Host, sm *sharedModel, c *anomalyConnector) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sm.started == 0 {
		if err := sm.model.start(ctx, host); err != nil {
			return err
		}
	}
	sm.started++
	c.started = true
	sm.assignRoles()
	return nil
}

// leave removes a member; the last started member to leave shuts the
// model down, and the last member removes it from the map.
func (s *sharedModels) leave(ctx context.Context, id component.ID, sm *sharedModel, c *anomalyConnector) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(sm.members, c)
	if i < 0 {
		return nil // shut down twice
	}
	sm.members = slices.Delete(sm.members, i, i+1)
	var err error
	if c.started {
		c.started = false
		sm.started--
		if sm.started == 0 {
			err = sm.model.shutdown(ctx)
		}
	}
	sm.assignRoles()
	if len(sm.members) == 0 {
		delete(s.models, id)
	}
	return errors.Join(err)
}

// assignRoles picks, among started members, the one that reads each input
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
		if c.started && c.input == inputTraces && traces == nil {
			traces, reads = c, true
		}
		if c.started && c.input == inputLogs && logs == nil {
			logs, reads = c, true
		}
		c.reads.Store(reads)
		if !c.started {
			continue
		}
		if c.logsOut != nil && sm.model.alertOut == nil {
			sm.model.alertOut = c.logsOut
		}
		if c.metricsOut != nil && sm.model.metricsOut == nil {
			sm.model.metricsOut = c.metricsOut
		}
	}
}
