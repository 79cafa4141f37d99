package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/jwtverify"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// Config is the token_audit processor's configuration. The README documents
// every key with its default.
type Config struct {
	Fingerprint FingerprintConfig `mapstructure:"fingerprint"`
	Sources     SourcesConfig     `mapstructure:"sources"`
	// Rules recognise the operator's own API-key formats (name + regexp).
	Rules  []RuleConfig `mapstructure:"rules"`
	Scrub  ScrubConfig  `mapstructure:"scrub"`
	JWT    JWTConfig    `mapstructure:"jwt"`
	Limits LimitsConfig `mapstructure:"limits"`

	// PolicyFile names the policy YAML (see docs/policy.md); empty
	// turns off the checks that need it.
	PolicyFile string `mapstructure:"policy_file"`
	// PolicyExtension names a token_policy extension that owns the policy
	// for the whole collector (one watcher, shared with token_anomaly);
	// instead of PolicyFile.
	PolicyExtension *component.ID `mapstructure:"policy_extension"`
	// ReloadInterval is how often the policy and JWKS files are checked for
	// changes; 0 never reloads.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// ClockSkew is the leeway for exp and nbf against the item's timestamp (iat has iatLeeway).
	ClockSkew time.Duration `mapstructure:"clock_skew"`

	Exposure ExposureConfig `mapstructure:"exposure"`

	Cache   CacheConfig   `mapstructure:"cache"`
	Outcome OutcomeConfig `mapstructure:"outcome"`
	Client  ClientConfig  `mapstructure:"client"`

	// AnnotateAll writes resource, action, outcome and client address on
	// items without a credential too (default: only credentialed items).
	AnnotateAll bool `mapstructure:"annotate_all"`

	_ struct{}
}

// FingerprintConfig says where the HMAC key comes from.
type FingerprintConfig struct {
	// Key is the HMAC key text (at least 32 characters). Takes precedence
	// over KeyFile when not empty, so `${env:TOKENAUDIT_FINGERPRINT_KEY:-}`
	// can sit beside a key file.
	Key configopaque.String `mapstructure:"key"`
	// KeyFile holds the key text; it must not be readable by others.
	KeyFile string `mapstructure:"key_file"`
	// CreateKeyFile makes a new random key file at KeyFile when none exists.
	CreateKeyFile bool `mapstructure:"create_key_file"`
	// Prefix starts every token id.
	Prefix string `mapstructure:"prefix"`
}

// SourcesConfig says where credentials are looked for.
type SourcesConfig struct {
	// AuthorizationHeaders are header names whose values carry a scheme
	// ("Bearer x", "Basic x"), read from http.request.header.<name>.
	AuthorizationHeaders []string `mapstructure:"authorization_headers"`
	// KeyHeaders are header names whose whole value is a key.
	KeyHeaders []string `mapstructure:"key_headers"`
	// Attributes are further attribute keys whose values are credentials.
	Attributes []string `mapstructure:"attributes"`
	// URLAttributes hold URLs or query strings to search for QueryParams.
	URLAttributes []string `mapstructure:"url_attributes"`
	// TextAttributes are attributes of free text (exception messages) to
	// search like a log body.
	TextAttributes []string `mapstructure:"text_attributes"`
	// QueryParams are query parameter names whose values are credentials.
	QueryParams []string `mapstructure:"query_params"`
	// ResourceAttributes turns on the same header search on resource attributes.
	ResourceAttributes bool `mapstructure:"resource_attributes"`
	// LogBody searches log bodies (strings and maps).
	LogBody bool `mapstructure:"log_body"`
	// BodyPatterns are extra regexps for log bodies; capture group 1 (or the
	// group named "token") is the credential.
	BodyPatterns []string `mapstructure:"body_patterns"`
	// MetadataKeys are request metadata keys (receiver include_metadata) to
	// read credentials from.
	MetadataKeys []string `mapstructure:"metadata_keys"`
}

// RuleConfig is one user-defined key format.
type RuleConfig struct {
	Name  string `mapstructure:"name"`
	Regex string `mapstructure:"regex"`
	// Type is the token type written for matches (default api_key).
	Type string `mapstructure:"type"`
}

// Scrub modes.
const (
	ScrubFingerprint = "fingerprint"
	ScrubRedact      = "redact"
	ScrubRemove      = "remove"
)

// ScrubConfig says how raw credentials are replaced.
type ScrubConfig struct {
	// Mode: fingerprint (replace the secret by its token id), redact
	// (replace it by "REDACTED") or remove (delete header attributes; URLs
	// and bodies are redacted, since removing them would lose the request).
	Mode string `mapstructure:"mode"`
	// Claims copies these extra JWT claims to tokenaudit.token.claim.<name>.
	Claims []string `mapstructure:"claims"`
	// PseudonymizePrincipal replaces principal ids by a keyed pseudonym.
	PseudonymizePrincipal bool `mapstructure:"pseudonymize_principal"`
}

// JWTConfig configures signature verification.
type JWTConfig struct {
	Verify      bool               `mapstructure:"verify"`
	Algorithms  []string           `mapstructure:"algorithms"`
	HMACSecrets []HMACSecretConfig `mapstructure:"hmac_secrets"`
	JWKSFile    string             `mapstructure:"jwks_file"`
	// JWKSIssuer binds every key of JWKSFile to one issuer.
	JWKSIssuer string `mapstructure:"jwks_issuer"`
}

// unboundKeys names the key sources bound to no issuer (never a secret).
func (c *JWTConfig) unboundKeys() []string {
	var out []string
	for i, s := range c.HMACSecrets {
		if s.Issuer == "" {
			out = append(out, fmt.Sprintf("jwt.hmac_secrets[%d]", i))
		}
	}
	if c.JWKSFile != "" && c.JWKSIssuer == "" {
		out = append(out, "jwt.jwks_file")
	}
	return out
}

// HMACSecretConfig is one shared secret for HS256/384/512.
type HMACSecretConfig struct {
	KeyID  string              `mapstructure:"key_id"`
	Secret configopaque.String `mapstructure:"secret"`
	// Issuer binds the secret to one issuer's tokens.
	Issuer string `mapstructure:"issuer"`
}

// ExposureConfig tunes exposed_credential.
type ExposureConfig struct {
	// IgnoreSources are tokenaudit.token.source values where a credential
	// is expected (a WebSocket's url.query, say): never exposed_credential.
	IgnoreSources []string `mapstructure:"ignore_sources"`
}

// LimitsConfig bounds parsing.
type LimitsConfig struct {
	// MaxTokenBytes: longer credentials are malformed and not decoded.
	MaxTokenBytes int `mapstructure:"max_token_bytes"`
}

// CacheConfig bounds the per-token cache.
type CacheConfig struct {
	// MaxEntries is the most tokens remembered; 0 turns the cache off.
	MaxEntries int `mapstructure:"max_entries"`
}

// OutcomeConfig maps HTTP status codes to outcomes. Other 5xx are error;
// everything else is success (the credential was accepted).
type OutcomeConfig struct {
	FailureStatusCodes []int `mapstructure:"failure_status_codes"`
	DeniedStatusCodes  []int `mapstructure:"denied_status_codes"`
}

// Values of client.trust_client_address.
const (
	// TrustPrivatePeers believes client.address when the socket peer is a
	// private, loopback or link-local address, or a trusted proxy.
	TrustPrivatePeers = "private_peers"
	// TrustTrustedProxies believes it only when the peer is a trusted proxy.
	TrustTrustedProxies = "trusted_proxies"
)

// ClientConfig says whom to believe about the caller's address.
type ClientConfig struct {
	// TrustedProxies are CIDRs or addresses whose forwarding headers
	// (X-Forwarded-For, Forwarded, X-Real-IP) are believed.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
	// TrustClientAddress says which socket peers may name the caller through
	// the semantic conventions' client.address: private_peers (default) or
	// trusted_proxies (strict).
	TrustClientAddress string `mapstructure:"trust_client_address"`
}

// Validate checks the configuration; each error names the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	if c.Fingerprint.Key == "" && c.Fingerprint.KeyFile == "" {
		add("fingerprint: set fingerprint.key (e.g. ${env:TOKENAUDIT_FINGERPRINT_KEY}) or fingerprint.key_file; generate a key with `auditctl keygen`")
	}
	if k := strings.TrimSpace(string(c.Fingerprint.Key)); k != "" && len(k) < 32 {
		add("fingerprint.key: has %d characters, need at least 32; generate one with `auditctl keygen`", len(k))
	}
	if c.Fingerprint.CreateKeyFile && c.Fingerprint.KeyFile == "" {
		add("fingerprint.create_key_file: needs fingerprint.key_file, the path to create")
	}
	if err := auditattr.CheckTokenIDPrefix(c.Fingerprint.Prefix); err != nil {
		add("fingerprint.prefix: %v", err)
	}

	if len(c.Sources.AuthorizationHeaders)+len(c.Sources.KeyHeaders)+len(c.Sources.Attributes)+len(c.Sources.URLAttributes)+len(c.Sources.MetadataKeys) == 0 && !c.Sources.LogBody {
		add("sources: every source is empty, so nothing would be audited; keep the defaults or name at least one header or attribute")
	}
	if len(c.Sources.URLAttributes) > 0 && len(c.Sources.QueryParams) == 0 {
		add("sources.query_params: empty while sources.url_attributes is set; name the parameters that carry credentials (e.g. access_token)")
	}
	if _, err := credential.CompilePatterns(c.Sources.BodyPatterns); err != nil {
		add("sources.body_patterns: %w", err)
	}
	if _, err := credential.NewRules(c.credentialRules(), c.limits()); err != nil {
		add("rules: %w", err)
	}

	switch c.Scrub.Mode {
	case ScrubFingerprint, ScrubRedact, ScrubRemove:
	default:
		add("scrub.mode: %q is not one of fingerprint, redact, remove", c.Scrub.Mode)
	}
	for i, name := range c.Scrub.Claims {
		if name == "" {
			add("scrub.claims[%d]: empty claim name", i)
		}
	}

	if c.JWT.Verify {
		if err := c.verifierConfig().Validate(); err != nil {
			errs = append(errs, err)
		}
	} else if len(c.JWT.HMACSecrets) > 0 || c.JWT.JWKSFile != "" {
		add("jwt.verify: keys are configured but verification is off; set jwt.verify: true or remove jwt.hmac_secrets/jwt.jwks_file")
	}

	for i, src := range c.Exposure.IgnoreSources {
		if strings.TrimSpace(src) == "" || strings.TrimSpace(src) != src {
			add("exposure.ignore_sources[%d]: %q is not a source: write it as tokenaudit.token.source shows it, like url.query or log.body", i, src)
		}
	}
	if c.Limits.MaxTokenBytes < 64 || c.Limits.MaxTokenBytes > 1<<20 {
		add("limits.max_token_bytes: %d is outside 64..1048576", c.Limits.MaxTokenBytes)
	}
	if c.ReloadInterval < 0 {
		add("reload_interval: must not be negative (0 turns reloading off)")
	}
	if c.PolicyFile != "" && c.PolicyExtension != nil {
		add("policy_file and policy_extension: both set; keep policy_extension (the extension owns the file) or policy_file")
	}
	if c.ClockSkew < 0 || c.ClockSkew > time.Hour {
		add("clock_skew: %s is outside 0..1h", c.ClockSkew)
	}
	if c.Cache.MaxEntries < 0 {
		add("cache.max_entries: must not be negative (0 turns the cache off)")
	}

	seen := map[int]string{}
	for _, l := range []struct {
		name  string
		codes []int
	}{{"outcome.failure_status_codes", c.Outcome.FailureStatusCodes}, {"outcome.denied_status_codes", c.Outcome.DeniedStatusCodes}} {
		for i, code := range l.codes {
			if code < 100 || code > 599 {
				add("%s[%d]: %d is not an HTTP status code", l.name, i, code)
			}
			if other, dup := seen[code]; dup {
				add("%s[%d]: %d is already listed in %s", l.name, i, code, other)
			}
			seen[code] = l.name
		}
	}
	if _, err := policy.ParseNetworks(c.Client.TrustedProxies); err != nil {
		add("client.trusted_proxies%w", err)
	}
	switch c.Client.TrustClientAddress {
	case TrustPrivatePeers, TrustTrustedProxies:
	default:
		add("client.trust_client_address: %q is not one of %s (believe client.address behind a private or loopback peer) or %s (only behind client.trusted_proxies)",
			c.Client.TrustClientAddress, TrustPrivatePeers, TrustTrustedProxies)
	}
	return errors.Join(errs...)
}

func (c *Config) limits() credential.Limits {
	l := credential.DefaultLimits()
	if c.Limits.MaxTokenBytes > 0 {
		l.MaxTokenBytes = c.Limits.MaxTokenBytes
	}
	return l
}

func (c *Config) credentialRules() []credential.Rule {
	rules := make([]credential.Rule, len(c.Rules))
	for i, r := range c.Rules {
		rules[i] = credential.Rule{Name: r.Name, Regex: r.Regex, Type: r.Type}
	}
	return rules
}

func (c *Config) verifierConfig() jwtverify.Config {
	vc := jwtverify.Config{
		Algorithms:     c.JWT.Algorithms,
		JWKSFile:       c.JWT.JWKSFile,
		JWKSIssuer:     c.JWT.JWKSIssuer,
		ReloadInterval: c.ReloadInterval,
	}
	for _, s := range c.JWT.HMACSecrets {
		vc.HMACSecrets = append(vc.HMACSecrets, jwtverify.HMACSecret{KeyID: s.KeyID, Secret: []byte(s.Secret), Issuer: s.Issuer})
	}
	return vc
}
