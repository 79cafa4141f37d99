package tokenanomalyconnector // import "github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector"

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// Config is the token_anomaly connector's configuration. The README
// documents every key with its default.
type Config struct {
	// PolicyFile names the policy YAML (docs/policy.md); its
	// registry drives stale_token and its scopes drive unused_scopes.
	PolicyFile string `mapstructure:"policy_file"`
	// PolicyExtension names a token_policy extension that owns the policy
	// for the whole collector (one watcher, shared with token_audit);
	// instead of PolicyFile.
	PolicyExtension *component.ID `mapstructure:"policy_extension"`
	// ReloadInterval is how often the policy file is checked; 0 never reloads.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`

	// Storage names a storage extension (file_storage) that keeps learned
	// state across restarts; nil keeps state in memory only.
	Storage *component.ID `mapstructure:"storage"`
	// PersistInterval is how often state is saved; it is also saved at shutdown.
	PersistInterval time.Duration `mapstructure:"persist_interval"`

	// MaxTokens bounds the per-token state; the least recently used token
	// is evicted (and counted) when a new one arrives.
	MaxTokens int `mapstructure:"max_tokens"`
	// MaxClients bounds the per-client state of credential_stuffing.
	MaxClients int `mapstructure:"max_clients"`
	// AllowedLateness is how far behind the newest event time an item may
	// be and still count in windows and baselines.
	AllowedLateness time.Duration `mapstructure:"allowed_lateness"`
	// DedupWindow is how many recently read items are remembered (by
	// signal, trace and span ids, timestamps and request), so that a batch
	// sent again is counted once; 0 turns it off.
	DedupWindow int `mapstructure:"dedup_window"`
	// MaxReorderItems bounds the items held to be fed in event-time order
	// within allowed_lateness; when full, the oldest is fed early (counted
	// as an eviction of table "reorder").
	MaxReorderItems int `mapstructure:"max_reorder_items"`
	// MaxReorderWait is the longest (wall clock) an item waits in the
	// reorder buffer for earlier ones: the most a live stateful alert is
	// delayed. Capped by allowed_lateness.
	MaxReorderWait time.Duration `mapstructure:"max_reorder_wait"`

	Alerts    AlertsConfig    `mapstructure:"alerts"`
	Metrics   MetricsConfig   `mapstructure:"metrics"`
	Detectors DetectorsConfig `mapstructure:"detectors"`

	_ struct{}
}

// AlertsConfig governs alert records.
type AlertsConfig struct {
	// SuppressionWindow: a repeat of a finding within it updates the
	// finding instead of alerting again (unless its severity rose).
	SuppressionWindow time.Duration `mapstructure:"suppression_window"`
	// MaxFindings bounds the findings remembered for suppression.
	MaxFindings int `mapstructure:"max_findings"`
	// MaxPending bounds the alerts the next consumer has refused and that
	// wait to be sent again; while it is reached, batches are refused
	// before they are read.
	MaxPending int `mapstructure:"max_pending"`
	// RetryInterval is the first wait before refused alerts are sent
	// again; it doubles after each refusal, up to a minute.
	RetryInterval time.Duration    `mapstructure:"retry_interval"`
	Escalation    EscalationConfig `mapstructure:"escalation"`
}

// EscalationConfig combines weak findings on one token.
type EscalationConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Window within which weak findings on one token are combined.
	Window time.Duration `mapstructure:"window"`
	// MinTypes is how many distinct weak finding types combine.
	MinTypes int `mapstructure:"min_types"`
	// WeakTypes are the finding types that count as weak.
	WeakTypes []string `mapstructure:"weak_types"`
}

// Temporalities of the emitted sums.
const (
	TemporalityCumulative = "cumulative"
	TemporalityDelta      = "delta"
)

// MetricsConfig governs the emitted metrics.
type MetricsConfig struct {
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// Temporality is cumulative or delta.
	Temporality string `mapstructure:"temporality"`
	// CardinalityLimit bounds each metric's series; further series fold
	// into one with otel.metric.overflow=true. 0 means no limit.
	CardinalityLimit int `mapstructure:"cardinality_limit"`
	// ResourceAttributes are the input resource attributes copied onto the
	// output resource; series are kept apart per distinct set of values.
	ResourceAttributes []string `mapstructure:"resource_attributes"`
	// ActiveWindow: a token seen within it counts as active.
	ActiveWindow time.Duration  `mapstructure:"active_window"`
	PerToken     PerTokenConfig `mapstructure:"per_token"`
}

// PerTokenConfig turns on request series per token id.
type PerTokenConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// MaxTokens caps the tokens with their own series.
	MaxTokens int `mapstructure:"max_tokens"`
}

// ExcludeConfig lists what a detector ignores.
type ExcludeConfig struct {
	Networks   []string `mapstructure:"networks"`
	Principals []string `mapstructure:"principals"`
	Tokens     []string `mapstructure:"tokens"`
	// Issuers are JWT issuers (iss, as the claim spells it) whose tokens
	// the detector ignores, when their signature was verified: a
	// population such as a hospital's clinicians on any roster.
	Issuers []string `mapstructure:"issuers"`
}

// DetectorConfig is what every detector has.
type DetectorConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// DryRun counts findings in the anomalies metric without alerting.
	DryRun  bool          `mapstructure:"dry_run"`
	Exclude ExcludeConfig `mapstructure:"exclude"`
}

// DetectorsConfig holds one section per detector.
type DetectorsConfig struct {
	Violations         ViolationsConfig     `mapstructure:"violations"`
	FailedAttempts     FailedAttemptsConfig `mapstructure:"failed_attempts"`
	DeniedAccess       WindowCountConfig    `mapstructure:"denied_access"`
	CredentialStuffing StuffingConfig       `mapstructure:"credential_stuffing"`
	RateSurge          RateSurgeConfig      `mapstructure:"rate_surge"`
	NewClientAddress   AddressConfig        `mapstructure:"new_client_address"`
	NewResource        ResourceConfig       `mapstructure:"new_resource"`
	MultiAddress       MultiAddressConfig   `mapstructure:"multi_address"`
	OffHours           OffHoursConfig       `mapstructure:"off_hours"`
	StaleToken         StaleConfig          `mapstructure:"stale_token"`
	ResurrectedToken   IdleConfig           `mapstructure:"resurrected_token"`
	UnusedScopes       UnusedScopesConfig   `mapstructure:"unused_scopes"`
	ExpiringSoon       ExpiringConfig       `mapstructure:"expiring_soon"`
	ExcessiveLifetime  LifetimeConfig       `mapstructure:"excessive_lifetime"`

	// registry is the detectors this configuration is for; nil is the
	// built-in ones. sections holds the sections of the detectors that
	// have no field above (see detectorSpec.defaults).
	registry *detectorRegistry
	sections map[string]detectorSettings
}

// ViolationsConfig alerts the processor's stateless verdicts.
type ViolationsConfig struct {
	DetectorConfig `mapstructure:",squash"`
	// Types are the verdicts that alert; the others are only counted.
	Types []string `mapstructure:"types"`
	// StaleRefusals is how many times an expired token may be refused at
	// authentication (401), from a network familiar to it, before
	// expired_token alerts: its own client's call after it expired, before
	// the refresh. 0 alerts at the first presentation.
	StaleRefusals int `mapstructure:"stale_refusals"`
}

// WindowCountConfig is an exact sliding-window count: failed_attempts
// counts failures of one token, denied_access its refusals (403);
// credential_stuffing counts distinct tokens failing from one client
// address.
type WindowCountConfig struct {
	DetectorConfig `mapstructure:",squash"`
	Threshold      int           `mapstructure:"threshold"`
	Window         time.Duration `mapstructure:"window"`
	// Outcomes that count as a failed attempt.
	Outcomes []string `mapstructure:"outcomes"`
}

// StuffingConfig is credential_stuffing: failures of threshold distinct
// tokens from one client address within window, or, low and slow, of
// slow_threshold distinct credentials never seen to succeed within
// slow_window, or, spread over many addresses, of spray_threshold such
// credentials across the org (stuffing_spray.go).
type StuffingConfig struct {
	WindowCountConfig `mapstructure:",squash"`
	// SlowThreshold: distinct credentials, none of which the connector saw
	// succeed and none refused as expired, revoked or not yet valid, failing
	// from one address within SlowWindow; 0 turns the slow count off.
	SlowThreshold int           `mapstructure:"slow_threshold"`
	SlowWindow    time.Duration `mapstructure:"slow_window"`
	// SprayThreshold: distinct guesses (credentials never seen to succeed,
	// not lapsed, of no known owner) failing across the org within
	// SprayWindow from at least SprayMinClients addresses, a credential
	// list spread over a proxy pool; 0 turns the spray count off.
	SprayThreshold  int           `mapstructure:"spray_threshold"`
	SprayMinClients int           `mapstructure:"spray_min_clients"`
	SprayWindow     time.Duration `mapstructure:"spray_window"`
}

// FailedAttemptsConfig is failed_attempts: a burst of failures within
// window, or a run of consecutive failures however slow.
type FailedAttemptsConfig struct {
	WindowCountConfig `mapstructure:",squash"`
	// Consecutive is how many failures in a row, with no success or
	// refusal (403) between them, within ConsecutiveWindow alert: a
	// credential that no longer works and is still sent, an hourly job
	// retrying a revoked password; 0 turns it off.
	Consecutive       int           `mapstructure:"consecutive"`
	ConsecutiveWindow time.Duration `mapstructure:"consecutive_window"`
}

// RateSurgeConfig flags a token's request count per bucket far above its
// learned, time-decayed baseline.
type RateSurgeConfig struct {
	DetectorConfig `mapstructure:",squash"`
	Bucket         time.Duration `mapstructure:"bucket"`
	// HalfLife is how fast the baseline forgets.
	HalfLife       time.Duration `mapstructure:"half_life"`
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// MinRequests: a bucket below it never alerts.
	MinRequests int `mapstructure:"min_requests"`
	// MinBaseline floors the learned mean (requests per bucket).
	MinBaseline float64 `mapstructure:"min_baseline"`
	// MinRatio: the count must also reach this multiple of the baseline.
	MinRatio float64 `mapstructure:"min_ratio"`
	// Tolerance is the z-score above the decayed mean and deviation.
	Tolerance float64 `mapstructure:"tolerance"`
	// PoissonP is the tail probability for low-rate tokens.
	PoissonP float64 `mapstructure:"poisson_p"`
	// PeakRatio: the count must also reach this multiple of the token's
	// decayed busiest bucket of the same scale.
	PeakRatio float64 `mapstructure:"peak_ratio"`
	// BurstPeakRatio replaces PeakRatio on the minute scale for a token
	// whose busiest minute reached MinRequests: bursts are its habit.
	BurstPeakRatio float64 `mapstructure:"burst_peak_ratio"`
	// LongPeakRatio is peak_ratio for the long scale.
	LongPeakRatio float64 `mapstructure:"long_peak_ratio"`
	// PeakHalfLife is how fast the peaks (and the long baseline) forget.
	PeakHalfLife time.Duration `mapstructure:"peak_half_life"`
	// LongBucket is the second, longer scale, where low-rate tokens' surges show.
	LongBucket time.Duration `mapstructure:"long_bucket"`
	// LongLearningPeriod: a younger token is not judged on the long scale.
	LongLearningPeriod time.Duration `mapstructure:"long_learning_period"`
	// LongMinRequests: a long window below it never alerts.
	LongMinRequests int `mapstructure:"long_min_requests"`
	// LongMinBuckets: the long window alerts only when its requests fell
	// in this many distinct buckets (a sustained surge, not a burst).
	LongMinBuckets int `mapstructure:"long_min_buckets"`
	// MinActiveHours: a token is judged once it made requests in this
	// many distinct hours.
	MinActiveHours int `mapstructure:"min_active_hours"`
	// Cohort: a surge several owners show on one resource together is
	// the org's event (cohort.go).
	Cohort CohortConfig `mapstructure:"cohort"`
}

// NoveltyConfig is a first-seen detector (new_client_address, new_resource).
type NoveltyConfig struct {
	DetectorConfig `mapstructure:",squash"`
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// MinActiveHours: a token is judged once it was active in this many
	// distinct hours per value it was new on.
	MinActiveHours int           `mapstructure:"min_active_hours"`
	ForgetAfter    time.Duration `mapstructure:"forget_after"`
	// IPv4Prefix and IPv6Prefix group addresses into networks (addresses only).
	IPv4Prefix int `mapstructure:"ipv4_prefix"`
	IPv6Prefix int `mapstructure:"ipv6_prefix"`
	// Outcomes that teach and trigger; failed calls prove nothing about the token's owner.
	Outcomes []string `mapstructure:"outcomes"`
}

// AddressConfig is new_client_address: a first-seen detector on networks
// that also judges a new network at the level where networks mean
// something, against the whole population of tokens.
type AddressConfig struct {
	NoveltyConfig `mapstructure:",squash"`
	Population    PopulationConfig `mapstructure:"population"`
	// Hold is how long (event time, and wall clock when traffic stops) a
	// finding waits for multi_address to fold it (heldfindings.go); at
	// most allowed_lateness, 0 raises at once.
	Hold time.Duration `mapstructure:"hold"`
}

// The values of population.wide_ranges.
const (
	wideRangesASN    = "asn"
	wideRangesPrefix = "prefix"
)

// PopulationConfig: a network new to a token is evidence only when it is
// also far from the token's own networks and rare among the org's tokens.
type PopulationConfig struct {
	// IPv4Prefix and IPv6Prefix group addresses into coarse networks (an
	// ISP's or a carrier's range, a cloud region, a CI fleet): a new
	// network inside a coarse one the token already uses is near it.
	IPv4Prefix int `mapstructure:"ipv4_prefix"`
	IPv6Prefix int `mapstructure:"ipv6_prefix"`
	// MinTokens: a coarse network that at least this many other tokens
	// used within forget_after is the org's, not a thief's. 0 turns the
	// population and nearness checks off (every new network is judged).
	MinTokens int `mapstructure:"min_tokens"`
	// WideRanges is what a wide range is: "asn" (the default) judges the
	// autonomous system that announces the address besides the wide
	// prefix (one ISP, carrier or hosting company, from the vendored
	// IP-to-AS table; see rareNetwork); "prefix" the wide prefix alone.
	WideRanges string `mapstructure:"wide_ranges"`
	// WideIPv4Prefix and WideIPv6Prefix group addresses into wide ranges
	// when there is no AS (the nearest a prefix comes to one: a large ISP
	// spreads its customers over its whole block); a wide range at least
	// WideMinTokens other people use is the org's too.
	WideIPv4Prefix int `mapstructure:"wide_ipv4_prefix"`
	WideIPv6Prefix int `mapstructure:"wide_ipv6_prefix"`
	WideMinTokens  int `mapstructure:"wide_min_tokens"`
	// LearningPeriod: until the connector has watched the population this
	// long (event time, saved with the state), a network's rarity is not
	// known and no new network alerts; the tokens still learn theirs.
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// Hosting judges an address of a cloud, VPS or dedicated-server
	// provider (the built-in list of ipasn.HostingASNs, plus HostingASNs)
	// by its own network (the detector's ipv4_prefix) alone: other tenants
	// of the provider's ranges, even the org's own servers, make a network
	// next to theirs no less rare (see rareNetwork).
	Hosting     bool     `mapstructure:"hosting"`
	HostingASNs []uint32 `mapstructure:"hosting_asns"`
	// CountryMinPrincipals: a person's young token on a rare network in a
	// country none of its owner's tokens used within forget_after is
	// judged when fewer than this many of the org's other principals used
	// the country (from the vendored IP-to-country table; see
	// detectNewAddress). 0 turns the country rule off.
	CountryMinPrincipals int `mapstructure:"country_min_principals"`
}

// ResourceConfig is new_resource: a first-seen detector on resources that
// also judges a new resource against the token's peers (population_resource.go).
type ResourceConfig struct {
	NoveltyConfig `mapstructure:",squash"`
	Population    ResourcePopulationConfig `mapstructure:"population"`
	// MinRequests: the finding waits for this many calls of the new
	// resource within Window (a session on it, not one glance); 1 raises
	// on the first call.
	MinRequests int           `mapstructure:"min_requests"`
	Window      time.Duration `mapstructure:"window"`
	// Cohort: a resource several owners call first together is the org's
	// news (a release, a monthly route), not one token's (cohort.go).
	Cohort CohortConfig `mapstructure:"cohort"`
}

// ResourcePopulationConfig: a resource new to a token is evidence only when
// its owner never called it and few of its peers (principals of the same
// type holding the same scopes) did.
type ResourcePopulationConfig struct {
	// MinPrincipals: a resource that at least this many other peer
	// principals called within forget_after is the peers' habit, not news.
	// 0 turns the population check off (every new resource is judged).
	MinPrincipals int `mapstructure:"min_principals"`
}

// MultiAddressConfig flags one token used from many networks in a window.
type MultiAddressConfig struct {
	DetectorConfig `mapstructure:",squash"`
	// Networks is the fewest distinct networks that alert.
	Networks int `mapstructure:"networks"`
	// BaselineRatio: the count must also reach this multiple of the most
	// networks the token used within one window before.
	BaselineRatio float64 `mapstructure:"baseline_ratio"`
	// LearningPeriod: a younger token is learned, not judged.
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// PersonNetworks is the bar of a person's short-lived token that has
	// no spread to be judged on, its own or its owner's: one person's
	// device is not on this many networks within a window. 0 leaves such
	// tokens unjudged.
	PersonNetworks int           `mapstructure:"person_networks"`
	Window         time.Duration `mapstructure:"window"`
	IPv4Prefix     int           `mapstructure:"ipv4_prefix"`
	IPv6Prefix     int           `mapstructure:"ipv6_prefix"`
}

// OffHoursConfig learns each token's hour-of-week profile when the policy
// gives it no working hours.
type OffHoursConfig struct {
	DetectorConfig `mapstructure:",squash"`
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// MinSamples: a profile with fewer requests is not judged, unless it
	// is a steady token's (see steadyProfile).
	MinSamples int `mapstructure:"min_samples"`
	// MinRequests: requests off the profile within an hour before an alert;
	// one glance at an odd hour is not a session.
	MinRequests int `mapstructure:"min_requests"`
	// TimeZone for hour-of-week slots (IANA); default UTC.
	TimeZone string `mapstructure:"time_zone"`
	// LocalNight: a person's night is its home country's (the country
	// its calls come from, once the org's people sleep by its clock):
	// only an hour that is night there is off, and a person whose few
	// hours of the day show no working day of minDayHours hours is judged
	// at such an hour too (hours_local.go). On by default; false judges
	// every person on its profile alone.
	LocalNight bool `mapstructure:"local_night"`
	// Cohort: learned off-hours sessions that several owners of one peer
	// group show within hours of each other are the role's changed hours
	// (a shift change, a clock change, an incident), not one token's
	// misuse (cohort.go).
	Cohort CohortConfig `mapstructure:"cohort"`
}

// IdleConfig is stale_token (registered, unused for IdleAfter) and
// resurrected_token (used again after IdleAfter without use).
type IdleConfig struct {
	DetectorConfig `mapstructure:",squash"`
	IdleAfter      time.Duration `mapstructure:"idle_after"`
}

// StaleConfig is stale_token: a registered token unused for IdleAfter.
type StaleConfig struct {
	IdleConfig `mapstructure:",squash"`
	// ObservationPeriod is how long the connector watches before it calls
	// a token stale that it never saw and whose registry entry has no
	// last_used_at: only its created_at, which proves nothing about use.
	ObservationPeriod time.Duration `mapstructure:"observation_period"`
	// MinObservationPeriod is the shortest watch before such a judgment:
	// the connector judges earlier than ObservationPeriod once it has
	// watched twice as long as it took to first see the last registered
	// token it found. 0 always waits ObservationPeriod.
	MinObservationPeriod time.Duration `mapstructure:"min_observation_period"`
}

// UnusedScopesConfig flags granted scopes unused over a tracking period.
type UnusedScopesConfig struct {
	DetectorConfig `mapstructure:",squash"`
	TrackingPeriod time.Duration `mapstructure:"tracking_period"`
	// ObservationPeriod replaces TrackingPeriod for a token issued at
	// least TrackingPeriod before the connector first saw it.
	ObservationPeriod time.Duration `mapstructure:"observation_period"`
}

// ExpiringConfig flags a token in use that expires within Within.
type ExpiringConfig struct {
	DetectorConfig `mapstructure:",squash"`
	Within         time.Duration `mapstructure:"within"`
}

// LifetimeConfig flags tokens whose lifetime exceeds MaxLifetime.
type LifetimeConfig struct {
	DetectorConfig `mapstructure:",squash"`
	MaxLifetime    time.Duration `mapstructure:"max_lifetime"`
	// MissingExpiry also flags JWTs without an expiry.
	MissingExpiry bool `mapstructure:"missing_expiry"`
}

var (
	statelessVerdicts = []string{
		auditattr.ViolationExpired, auditattr.ViolationNotYetValid, auditattr.ViolationRevoked,
		auditattr.ViolationMalformed, auditattr.ViolationInvalidSignature, auditattr.ViolationUnknown,
		auditattr.ViolationScope, auditattr.ViolationRestrictedResource, auditattr.ViolationOffHours,
		auditattr.ViolationDisallowedNetwork, auditattr.ViolationExposedCredential,
	}
	outcomes = []string{auditattr.OutcomeSuccess, auditattr.OutcomeFailure, auditattr.OutcomeDenied, auditattr.OutcomeError}
)

// Validate checks the configuration; each error names the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			add("%s: must be positive, got %s", name, d)
		}
	}

	if c.ReloadInterval < 0 {
		add("reload_interval: must not be negative (0 turns reloading off)")
	}
	if c.PolicyFile != "" && c.PolicyExtension != nil {
		add("policy_file and policy_extension: both set; keep policy_extension (the extension owns the file) or policy_file")
	}
	positive("persist_interval", c.PersistInterval)
	if c.MaxTokens < 1 {
		add("max_tokens: %d must be at least 1 (default 1000000)", c.MaxTokens)
	}
	if c.MaxClients < 1 {
		add("max_clients: %d must be at least 1 (default 20000)", c.MaxClients)
	}
	if c.MaxReorderItems < 1 {
		add("max_reorder_items: %d must be at least 1 (default 20000)", c.MaxReorderItems)
	}
	if c.MaxReorderWait <= 0 {
		add("max_reorder_wait: must be positive, got %s (default 5s)", c.MaxReorderWait)
	}
	if c.AllowedLateness < 0 {
		add("allowed_lateness: must not be negative")
	}
	if h := c.Detectors.NewClientAddress.Hold; h > c.AllowedLateness {
		add("detectors.new_client_address.hold: %s is longer than allowed_lateness %s; set it to at most allowed_lateness (no stateful alert waits longer; 0 raises at once)",
			h, c.AllowedLateness)
	}
	if c.DedupWindow < 0 {
		add("dedup_window: %d must not be negative (0 turns deduplication of retried batches off)", c.DedupWindow)
	}

	positive("alerts.suppression_window", c.Alerts.SuppressionWindow)
	if c.Alerts.MaxFindings < 1 {
		add("alerts.max_findings: %d must be at least 1", c.Alerts.MaxFindings)
	}
	if c.Alerts.MaxPending < 1 {
		add("alerts.max_pending: %d must be at least 1 (default 10000)", c.Alerts.MaxPending)
	}
	positive("alerts.retry_interval", c.Alerts.RetryInterval)
	if e := c.Alerts.Escalation; e.Enabled {
		positive("alerts.escalation.window", e.Window)
		if e.MinTypes < 2 {
			add("alerts.escalation.min_types: %d must be at least 2 (one finding alone is not a combination)", e.MinTypes)
		}
		for i, t := range e.WeakTypes {
			if !slices.Contains(c.Detectors.detectors().findingTypes(), t) || t == auditattr.FindingCombined {
				add("alerts.escalation.weak_types[%d]: %q is not a finding type", i, t)
			}
		}
	}

	positive("metrics.flush_interval", c.Metrics.FlushInterval)
	if c.Metrics.Temporality != TemporalityCumulative && c.Metrics.Temporality != TemporalityDelta {
		add("metrics.temporality: %q is not %s or %s", c.Metrics.Temporality, TemporalityCumulative, TemporalityDelta)
	}
	if c.Metrics.CardinalityLimit < 0 {
		add("metrics.cardinality_limit: must not be negative (0 means no limit)")
	}
	positive("metrics.active_window", c.Metrics.ActiveWindow)
	if c.Metrics.PerToken.Enabled && c.Metrics.PerToken.MaxTokens < 1 {
		add("metrics.per_token.max_tokens: must be at least 1 when per_token.enabled is true")
	}

	errs = append(errs, c.Detectors.validate()...)
	return errors.Join(errs...)
}

// validator collects a configuration's errors; each names its field.
type validator struct{ errs []error }

func (v *validator) add(format string, a ...any) { v.errs = append(v.errs, fmt.Errorf(format, a...)) }

// positive checks detectors.<name>, a duration.
func (v *validator) positive(name string, d time.Duration) {
	if d <= 0 {
		v.add("detectors.%s: must be positive, got %s", name, d)
	}
}

// common checks the keys every detector has.
func (v *validator) common(name string, c *DetectorConfig) {
	if _, err := policy.ParseNetworks(c.Exclude.Networks); err != nil {
		v.add("detectors.%s.exclude.networks%w", name, err)
	}
	for i, iss := range c.Exclude.Issuers {
		if strings.TrimSpace(iss) == "" {
			v.add("detectors.%s.exclude.issuers[%d]: empty; write the issuer as the tokens' iss claim spells it", name, i)
		}
	}
}

// inList checks that detectors.<name> lists only allowed values.
func (v *validator) inList(name string, vals, allowed []string) {
	for i, val := range vals {
		if !slices.Contains(allowed, val) {
			v.add("detectors.%s[%d]: %q is not one of %v", name, i, val, allowed)
		}
	}
}

// prefixes checks a detector's network prefix lengths.
func (v *validator) prefixes(name string, v4, v6 int) {
	if v4 < 8 || v4 > 32 {
		v.add("detectors.%s.ipv4_prefix: %d is outside 8..32", name, v4)
	}
	if v6 < 16 || v6 > 128 {
		v.add("detectors.%s.ipv6_prefix: %d is outside 16..128", name, v6)
	}
}

// loadZone refuses Local: findings would depend on the collector's machine.
func loadZone(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return nil, errors.New(`"Local" would make findings depend on the collector's machine; name a zone such as Europe/Berlin`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA time zone: %w", name, err)
	}
	return loc, nil
}
