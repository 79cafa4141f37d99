package tokenauditprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	full := createDefaultConfig().(*Config)
	full.Fingerprint = FingerprintConfig{KeyFile: "/var/lib/otelcol/fingerprint.key", CreateKeyFile: true, Prefix: "t_"}
	full.Sources = SourcesConfig{
		AuthorizationHeaders: []string{"authorization"},
		KeyHeaders:           []string{"x-api-key", "x-acme-key"},
		Attributes:           []string{"auth.token"},
		URLAttributes:        []string{"url.full"},
		TextAttributes:       []string{"exception.message"},
		QueryParams:          []string{"access_token", "api_key"},
		LogBody:              true,
		BodyPatterns:         []string{`acme-key=(\S+)`},
		MetadataKeys:         []string{"authorization"},
	}
	full.Rules = []RuleConfig{{Name: "acme", Regex: `^acme_[a-z0-9]{32}$`}}
	full.Scrub = ScrubConfig{Mode: ScrubRedact, Claims: []string{"tenant"}, PseudonymizePrincipal: true}
	full.JWT = JWTConfig{
		Verify:      true,
		Algorithms:  []string{"HS256", "RS256"},
		HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: "an-hmac-secret-of-at-least-32-bytes!!", Issuer: "https://internal.example"}},
		JWKSFile:    "/etc/otelcol/jwks.json",
		JWKSIssuer:  "https://login.example.com/",
	}
	full.Limits.MaxTokenBytes = 8192
	full.PolicyFile = "/etc/otelcol/policy.yaml"
	full.ReloadInterval = 30 * time.Second
	full.ClockSkew = 2 * time.Minute
	full.Cache.MaxEntries = 500
	full.Outcome = OutcomeConfig{FailureStatusCodes: []int{401}, DeniedStatusCodes: []int{403, 404}}
	full.Client = ClientConfig{TrustedProxies: []string{"10.0.0.0/8", "192.0.2.1"}, TrustClientAddress: TrustTrustedProxies}
	full.Exposure.IgnoreSources = []string{"url.query"}
	full.AnnotateAll = true

	minimal := createDefaultConfig().(*Config)
	minimal.Fingerprint.Key = "k3y-material-that-is-long-enough-0123456789"

	tests := []struct {
		name    string
		want    *Config
		wantErr []string // substrings, each must appear
	}{
		{name: "", want: minimal},
		{name: "full", want: full},
		{name: "no_key", wantErr: []string{"fingerprint: set fingerprint.key"}},
		{name: "short_key", wantErr: []string{"fingerprint.key: has 9 characters, need at least 32"}},
		{name: "bad_mode", wantErr: []string{`scrub.mode: "shred" is not one of fingerprint, redact, remove`}},
		{name: "bad_rule", wantErr: []string{"rules:", "broken"}},
		{name: "bad_proxy", wantErr: []string{`client.trusted_proxies[0]: "10.0.0.0/33" is not a CIDR or an IP address`}},
		{name: "bad_client_trust", wantErr: []string{`client.trust_client_address: "anyone" is not one of private_peers`}},
		{name: "bad_exposure", wantErr: []string{`exposure.ignore_sources[1]: " log.body" is not a source`}},
		{name: "bad_codes", wantErr: []string{
			"outcome.denied_status_codes[0]: 401 is already listed in outcome.failure_status_codes",
			"outcome.denied_status_codes[1]: 999 is not an HTTP status code",
		}},
		{name: "keys_without_verify", wantErr: []string{"jwt.verify: keys are configured but verification is off"}},
		{name: "verify_none", wantErr: []string{"jwt.algorithms", "none"}},
		{name: "create_without_file", wantErr: []string{"fingerprint.create_key_file: needs fingerprint.key_file"}},
		{name: "negative", wantErr: []string{"cache.max_entries", "clock_skew", "reload_interval"}},
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

func TestDefaultConfigNeedsKey(t *testing.T) {
	err := confmap.Validate(createDefaultConfig())
	require.ErrorContains(t, err, "fingerprint.key")
}
