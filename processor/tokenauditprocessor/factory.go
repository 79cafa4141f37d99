package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// NewFactory returns the token_audit processor factory. The instances of
// one component id (its traces and logs pipelines) share one owner of the
// key, JWKS and policy files and of the token cache.
func NewFactory() processor.Factory {
	f := &factory{owners: sharedcomponent.NewMap[component.ID, *owner]()}
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(f.createTraces, metadata.TracesStability),
		processor.WithLogs(f.createLogs, metadata.LogsStability),
	)
}

type factory struct {
	owners *sharedcomponent.Map[component.ID, *owner]
}

func createDefaultConfig() component.Config {
	return &Config{
		Fingerprint: FingerprintConfig{Prefix: "tok_"},
		Sources: SourcesConfig{
			AuthorizationHeaders: []string{"authorization", "proxy-authorization"},
			KeyHeaders: []string{
				"x-api-key", "api-key", "apikey", "x-api-token", "x-auth-token",
				"x-access-token", "private-token", "x-goog-api-key", "ocp-apim-subscription-key",
			},
			URLAttributes:      []string{"url.full", "url.query", "http.url", "http.target", "url.original", "url.path", "url.fragment"},
			TextAttributes:     []string{"exception.message", "exception.stacktrace"},
			QueryParams:        credential.DefaultQueryParams(),
			ResourceAttributes: true,
			LogBody:            true,
			MetadataKeys:       []string{"authorization", "x-api-key"},
		},
		Scrub:          ScrubConfig{Mode: ScrubFingerprint},
		Limits:         LimitsConfig{MaxTokenBytes: 16 << 10},
		ReloadInterval: 10 * time.Second,
		ClockSkew:      time.Minute,
		Cache:          CacheConfig{MaxEntries: 100_000},
		Outcome: OutcomeConfig{
			FailureStatusCodes: []int{401, 407},
			DeniedStatusCodes:  []int{403},
		},
		Client: ClientConfig{TrustClientAddress: TrustPrivatePeers},
	}
}

// The processor rewrites attributes in place.
var capabilities = consumer.Capabilities{MutatesData: true}

func (f *factory) createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newTokenAudit(set, cfg.(*Config), "traces", f.owners)
	if err != nil {
		return nil, err
	}
	inner, err := processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(capabilities),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
	if err != nil {
		return nil, err
	}
	return waitingTraces{inner}, nil
}

func (f *factory) createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newTokenAudit(set, cfg.(*Config), "logs", f.owners)
	if err != nil {
		return nil, err
	}
	inner, err := processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(capabilities),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
	if err != nil {
		return nil, err
	}
	return waitingLogs{inner}, nil
}
