package tokenanomalyconnector // import "github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
)

// NewFactory returns the token_anomaly connector factory. Each factory
// keeps the models of its component ids, shared by their pairs.
func NewFactory() connector.Factory {
	f := &factory{models: sharedcomponent.NewMap[component.ID, *sharedModel]()}
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToMetrics(f.createTracesToMetrics, metadata.TracesToMetricsStability),
		connector.WithTracesToLogs(f.createTracesToLogs, metadata.TracesToLogsStability),
		connector.WithLogsToMetrics(f.createLogsToMetrics, metadata.LogsToMetricsStability),
		connector.WithLogsToLogs(f.createLogsToLogs, metadata.LogsToLogsStability),
	)
}

const day = 24 * time.Hour

func createDefaultConfig() component.Config { return defaultConfig(builtinRegistry) }

// defaultConfig is the default configuration of a connector that runs the
// detectors of r.
func defaultConfig(r *detectorRegistry) *Config {
	on := func() DetectorConfig { return DetectorConfig{Enabled: true} }
	failed := []string{auditattr.OutcomeFailure}
	success := []string{auditattr.OutcomeSuccess}
	cfg := &Config{
		ReloadInterval:  10 * time.Second,
		PersistInterval: 5 * time.Minute,
		MaxTokens:       1_000_000,
		MaxClients:      100_000,
		AllowedLateness: 15 * time.Minute,
		DedupWindow:     1_000_000,
		MaxReorderItems: 20_000,
		MaxReorderWait:  5 * time.Second,
		Alerts: AlertsConfig{
			SuppressionWindow: time.Hour,
			MaxFindings:       100_000,
			MaxPending:        10_000,
			RetryInterval:     time.Second,
			Escalation: EscalationConfig{
				Enabled:  true,
				Window:   time.Hour,
				MinTypes: 2,
				WeakTypes: []string{
					auditattr.FindingNewClientAddress, auditattr.FindingNewResource,
					auditattr.FindingOffHours, auditattr.FindingMultiAddress,
				},
			},
		},
		Metrics: MetricsConfig{
			FlushInterval:      time.Minute,
			Temporality:        TemporalityCumulative,
			CardinalityLimit:   2000,
			ResourceAttributes: []string{"service.name"},
			ActiveWindow:       5 * time.Minute,
			PerToken:           PerTokenConfig{MaxTokens: 1000},
		},
		Detectors: DetectorsConfig{
			Violations: ViolationsConfig{DetectorConfig: on(), Types: append([]string(nil), statelessVerdicts...), StaleRefusals: 2},
			FailedAttempts: FailedAttemptsConfig{
				WindowCountConfig: WindowCountConfig{DetectorConfig: on(), Threshold: 10, Window: 5 * time.Minute, Outcomes: failed},
				Consecutive:       20, ConsecutiveWindow: day,
			},
			DeniedAccess: WindowCountConfig{
				DetectorConfig: on(), Threshold: 5, Window: time.Hour, Outcomes: []string{auditattr.OutcomeDenied},
			},
			CredentialStuffing: StuffingConfig{
				WindowCountConfig: WindowCountConfig{DetectorConfig: on(), Threshold: 5, Window: 10 * time.Minute, Outcomes: failed},
				SlowThreshold:     10, SlowWindow: time.Hour,
				SprayThreshold: defaultSprayThreshold, SprayMinClients: defaultSprayClients, SprayWindow: 10 * time.Minute,
			},
			RateSurge: RateSurgeConfig{
				DetectorConfig: on(), Bucket: time.Minute, HalfLife: time.Hour, LearningPeriod: time.Hour, MinActiveHours: 6,
				MinRequests: 20, MinBaseline: 1, MinRatio: 4, Tolerance: 6, PoissonP: 1e-6,
				PeakRatio: 2, LongPeakRatio: 3, PeakHalfLife: 7 * day, LongBucket: time.Hour, LongMinRequests: 25,
				LongMinBuckets: 8, BurstPeakRatio: 8,
				LongLearningPeriod: day,
				Cohort:             defaultCohort(),
			},
			NewClientAddress: AddressConfig{
				NoveltyConfig: NoveltyConfig{
					DetectorConfig: on(), LearningPeriod: day, MinActiveHours: 8, ForgetAfter: 7 * day,
					IPv4Prefix: 24, IPv6Prefix: 64, Outcomes: success,
				},
				Population: PopulationConfig{
					IPv4Prefix: 16, IPv6Prefix: 32, MinTokens: 2,
					WideRanges: wideRangesASN, WideIPv4Prefix: 8, WideIPv6Prefix: 20, WideMinTokens: 50,
					LearningPeriod: 3 * day, Hosting: true, CountryMinPrincipals: 3,
				},
			},
			NewResource: ResourceConfig{
				NoveltyConfig: NoveltyConfig{
					DetectorConfig: on(), LearningPeriod: day, MinActiveHours: 8, ForgetAfter: 7 * day,
					IPv4Prefix: 32, IPv6Prefix: 128, Outcomes: success,
				},
				Population:  ResourcePopulationConfig{MinPrincipals: defaultResourcePeers},
				MinRequests: 3, Window: time.Hour,
				Cohort: defaultResourceCohort(),
			},
			MultiAddress: MultiAddressConfig{
				DetectorConfig: on(), Networks: 3, BaselineRatio: 2, LearningPeriod: day, PersonNetworks: 5, Window: 10 * time.Minute,
				IPv4Prefix: 24, IPv6Prefix: 48,
			},
			OffHours:          OffHoursConfig{DetectorConfig: on(), LearningPeriod: 3 * day, MinSamples: 50, MinRequests: 4, LocalNight: true, Cohort: defaultCohort()},
			StaleToken:        StaleConfig{IdleConfig: IdleConfig{DetectorConfig: on(), IdleAfter: 90 * day}, ObservationPeriod: 8 * day, MinObservationPeriod: 3 * day},
			ResurrectedToken:  IdleConfig{DetectorConfig: on(), IdleAfter: 30 * day},
			UnusedScopes:      UnusedScopesConfig{DetectorConfig: on(), TrackingPeriod: 90 * day, ObservationPeriod: 8 * day},
			ExpiringSoon:      ExpiringConfig{DetectorConfig: on(), Within: 7 * day},
			ExcessiveLifetime: LifetimeConfig{DetectorConfig: on(), MaxLifetime: 366 * day},
		},
	}
	cfg.Detectors.useRegistry(r)
	return cfg
}

// factory keeps the model of each component id, shared by its pairs.
type factory struct {
	models *sharedcomponent.Map[component.ID, *sharedModel]
}

func (f *factory) create(set connector.Settings, cfg component.Config, in input, logs consumer.Logs, metrics consumer.Metrics) (*anomalyConnector, error) {
	sc, err := f.models.LoadOrStore(set.ID, func() (*sharedModel, error) {
		m, err := newModel(set.ID, cfg.(*Config), set.TelemetrySettings)
		return &sharedModel{model: m}, err
	})
	if err != nil {
		return nil, err
	}
	return &anomalyConnector{component: sc, shared: sc.Unwrap(), input: in, logsOut: logs, metricsOut: metrics}, nil
}

func (f *factory) createTracesToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
	return f.create(set, cfg, inputTraces, nil, next)
}

func (f *factory) createTracesToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Traces, error) {
	return f.create(set, cfg, inputTraces, next, nil)
}

func (f *factory) createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	return f.create(set, cfg, inputLogs, nil, next)
}

func (f *factory) createLogsToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	return f.create(set, cfg, inputLogs, next, nil)
}
