package auditlogexporter

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
)

// NewFactory returns the audit_log exporter factory.
func NewFactory() exporter.Factory {
	return newFactory(nil)
}

// newFactory takes the function that opens the log's files: nil for the
// OS, a fault injector in tests.
func newFactory(openFile func(string, int) (auditlog.File, error)) exporter.Factory {
	f := &factory{byID: map[component.ID]*sharedExporter{}, openFile: openFile}
	return exporter.NewFactory(metadata.Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithTraces(f.createTraces, metadata.TracesStability),
		exporter.WithLogs(f.createLogs, metadata.LogsStability))
}

// factory keeps one exporter per component id, shared by its traces and
// logs pipelines: both write the same log.
type factory struct {
	mu       sync.Mutex
	byID     map[component.ID]*sharedExporter
	openFile func(string, int) (auditlog.File, error)
}

type sharedExporter struct {
	f    *factory
	id   component.ID
	exp  *auditExporter
	refs int // pipelines created
	runs int // pipelines started and not yet shut down
}

func (f *factory) get(cfg *Config, set exporter.Settings) (*sharedExporter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.byID[set.ID]; ok {
		s.refs++
		return s, nil
	}
	exp, err := newAuditExporter(cfg, set)
	if err != nil {
		return nil, err
	}
	exp.openFile = f.openFile
	s := &sharedExporter{f: f, id: set.ID, exp: exp, refs: 1}
	f.byID[set.ID] = s
	return s, nil
}

func (s *sharedExporter) start(ctx context.Context, host component.Host) error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.runs++
	if s.runs > 1 {
		return nil
	}
	if err := s.exp.start(ctx, host); err != nil {
		s.runs--
		return err
	}
	return nil
}

func (s *sharedExporter) shutdown(ctx context.Context) error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.refs--
	if s.refs <= 0 {
		delete(s.f.byID, s.id)
	}
	if s.runs == 0 {
		return nil // never started
	}
	s.runs--
	if s.runs > 0 {
		return nil
	}
	return s.exp.shutdown(ctx)
}

func (f *factory) options(cfg *Config, s *sharedExporter) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(s.start),
		exporterhelper.WithShutdown(s.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithRetry(cfg.RetryConfig),
	}
}

func (f *factory) createTraces(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Traces, error) {
	cfg := c.(*Config)
	s, err := f.get(cfg, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewTraces(ctx, set, cfg, s.exp.pushTraces, f.options(cfg, s)...)
}

func (f *factory) createLogs(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Logs, error) {
	cfg := c.(*Config)
	s, err := f.get(cfg, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, s.exp.pushLogs, f.options(cfg, s)...)
}
