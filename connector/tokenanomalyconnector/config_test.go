package tokenanomalyconnector

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	full := createDefaultConfig().(*Config)
	full.PolicyFile = "/etc/otelcol/policy.yaml"
	full.ReloadInterval = 30 * time.Second
	storageID := component.MustNewIDWithName("file_storage", "anomaly")
	full.Storage = &storageID
	full.PersistInterval = time.Minute
	full.MaxTokens = 50000
	full.MaxClients = 2000
	full.AllowedLateness = 2 * time.Minute
	full.DedupWindow = 200_000
	full.Alerts = AlertsConfig{SuppressionWindow: 30 * time.Minute, MaxFindings: 5000, MaxPending: 500, RetryInterval: 5 * time.Second, Escalation: EscalationConfig{
		Enabled: true, Window: 2 * time.Hour, MinTypes: 3, WeakTypes: []string{"new_client_address", "off_hours", "new_resource"},
	}}
	full.Metrics = MetricsConfig{
		FlushInterval: 15 * time.Second, Temporality: TemporalityDelta, CardinalityLimit: 500,
		ResourceAttributes: []string{"service.name", "deployment.environment.name"},
		ActiveWindow:       10 * time.Minute, PerToken: PerTokenConfig{Enabled: true, MaxTokens: 200},
	}
	full.Detectors.Violations.Types = []string{"revoked_token", "scope_violation"}
	full.Detectors.Violations.StaleRefusals = 4
	fa := &full.Detectors.FailedAttempts
	fa.Threshold, fa.Window, fa.Outcomes = 5, time.Minute, []string{"failure", "denied"}
	fa.Consecutive, fa.ConsecutiveWindow = 30, 12*time.Hour
	fa.Exclude = ExcludeConfig{Networks: []string{"10.0.0.0/8"}, Principals: []string{"scanner"}, Tokens: []string{"tok_0123456789abcdef0123456789abcdef"},
		Issuers: []string{"https://ehr.example/"}}
	full.Detectors.CredentialStuffing.SlowThreshold, full.Detectors.CredentialStuffing.SlowWindow = 20, 3*time.Hour
	cs := &full.Detectors.CredentialStuffing
	cs.SprayThreshold, cs.SprayMinClients, cs.SprayWindow = 50, 20, 15*time.Minute
	full.Detectors.RateSurge.DryRun = true
	full.Detectors.RateSurge.MinRequests = 50
	full.Detectors.RateSurge.Cohort.MinPrincipals, full.Detectors.RateSurge.Cohort.Window = 5, 2*time.Hour
	full.Detectors.NewResource.Cohort.MinPrincipals, full.Detectors.NewResource.Cohort.Hold = 4, 5*time.Minute
	na := &full.Detectors.NewClientAddress
	na.LearningPeriod, na.ForgetAfter, na.IPv4Prefix, na.Hold = 48*time.Hour, 336*time.Hour, 32, 90*time.Second
	na.Population.MinTokens, na.Population.WideRanges, na.Population.LearningPeriod = 5, wideRangesPrefix, 24*time.Hour
	na.Population.HostingASNs = []uint32{64500, 4200000001}
	na.Population.CountryMinPrincipals = 10
	full.Detectors.NewResource.Population.MinPrincipals = 10
	full.Detectors.NewResource.MinRequests, full.Detectors.NewResource.Window = 4, 30*time.Minute
	full.Detectors.MultiAddress.PersonNetworks = 0
	full.Detectors.OffHours.Enabled = false
	full.Detectors.OffHours.TimeZone = "Europe/Berlin"
	full.Detectors.OffHours.LocalNight = false
	full.Detectors.OffHours.Cohort.MinPrincipals = 0
	full.Detectors.StaleToken.IdleAfter = 720 * time.Hour
	full.Detectors.StaleToken.MinObservationPeriod = 96 * time.Hour

	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: createDefaultConfig().(*Config)},
		{name: "full", want: full},
		{name: "bad_values", wantErr: []string{
			"max_tokens: 0 must be at least 1",
			`metrics.temporality: "sometimes" is not cumulative or delta`,
			"detectors.violations.stale_refusals: -1 is outside 0..254 (default 2; 0 alerts every expired token)",
			"detectors.failed_attempts.threshold: 1 is outside 2..1000",
			"detectors.failed_attempts.consecutive: -1 is outside 0..65535 (default 20; 0 turns it off)",
			"detectors.failed_attempts.exclude.networks[0]",
			"detectors.failed_attempts.exclude.issuers[0]: empty; write the issuer as the tokens' iss claim spells it",
			"detectors.rate_surge.half_life: 10s is shorter than bucket 1m0s",
			"detectors.multi_address.networks: 1 is outside 2..64",
			"detectors.multi_address.person_networks: 1 must be 0 (off) or 2..64 (default 5; below networks, networks is the bar)",
			"detectors.new_client_address.population.wide_min_tokens: 0 must be at least 1",
			`detectors.new_client_address.population.wide_ranges: "bgp" is neither "asn"`,
			"detectors.new_client_address.population.hosting_asns: AS 0 announces no network",
			"detectors.new_client_address.population.hosting_asns: set, but hosting is false",
			"detectors.new_client_address.population.country_min_principals: must not be negative",
			"detectors.new_resource.population.min_principals: must not be negative",
			"detectors.new_resource.min_requests: 0 is outside 1..1000 (default 3; 1 raises on the first call)",
			"detectors.new_client_address.hold: 20m0s is longer than allowed_lateness 15m0s; set it to at most allowed_lateness",
			`detectors.off_hours.time_zone: "Local" would make findings depend on the collector's machine`,
			"detectors.stale_token.min_observation_period: must be between 0 (always wait observation_period) and observation_period (192h0m0s), got 240h0m0s",
		}},
		{name: "bad_escalation", wantErr: []string{
			"alerts.escalation.min_types: 1 must be at least 2",
			`alerts.escalation.weak_types[0]: "sneezing" is not a finding type`,
			"dedup_window: -1 must not be negative",
			"alerts.max_pending: 0 must be at least 1",
			"alerts.retry_interval: must be positive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	require.NoError(t, confmap.Validate(createDefaultConfig()))
}
