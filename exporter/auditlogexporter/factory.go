package auditlogexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
)

// NewFactory returns the audit_log exporter factory.
func NewFactory() exporter.Factory {
	return newFactory(nil)
}

// newFactory takes the function that opens the log's files: nil for the
// OS, a fault injector in tests.
func newFactory(openFile func(string, int) (auditlog.File, error)) exporter.Factory {
	f := &factory{exporters: sharedcomponent.NewMap[component.ID, *auditExporter](), openFile: openFile}
	return exporter.NewFactory(metadata.Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithTraces(f.createTraces, metadata.TracesStability),
		exporter.WithLogs(f.createLogs, metadata.LogsStability))
}

// factory keeps one exporter per component id, shared by its traces and
// logs pipelines: both write the same log.
type factory struct {
	exporters *sharedcomponent.Map[component.ID, *auditExporter]
	openFile  func(string, int) (auditlog.File, error)
}

func (f *factory) get(cfg *Config, set exporter.Settings) (*sharedcomponent.Component[*auditExporter], error) {
	return f.exporters.LoadOrStore(set.ID, func() (*auditExporter, error) {
		exp, err := newAuditExporter(cfg, set)
		if err != nil {
			return nil, err
		}
		exp.openFile = f.openFile
		return exp, nil
	})
}

func (f *factory) options(cfg *Config, s *sharedcomponent.Component[*auditExporter]) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(s.Start),
		exporterhelper.WithShutdown(s.Shutdown),
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
	return exporterhelper.NewTraces(ctx, set, cfg, s.Unwrap().pushTraces, f.options(cfg, s)...)
}

func (f *factory) createLogs(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Logs, error) {
	cfg := c.(*Config)
	s, err := f.get(cfg, set)
	if err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewLogs(ctx, set, cfg, s.Unwrap().pushLogs, f.options(cfg, s)...)
	if err != nil {
		return nil, err
	}
	return newEventIDStamper(exp, cfg), nil
}
