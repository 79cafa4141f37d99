package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/filewatch"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/jwtverify"
	"github.com/tokenaudit/tokenaudit/internal/policy"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// owner holds what a token_audit component reads from files — the
// fingerprint key, the JWKS and the policy — and the token cache of the
// results they give. The traces and logs instances of one component id
// share it: one watcher reads each file, and both signals switch to a new
// key, key set or policy at the same moment, with one cache to invalidate.
type owner struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder // reload counts, once per component
	metrics   *metricSets

	// Set in start: they read files or start pollers.
	fp       atomic.Pointer[fingerprint.Fingerprinter]
	fpGen    atomic.Uint64 // counts fingerprint key changes: cached ids of an older key are stale
	keyWatch *filewatch.Watcher
	verifier *jwtverify.Verifier
	policies *policy.Holder
	// ownPolicies: policies was loaded here (policy_file), not taken from
	// a token_policy extension, which closes its own.
	ownPolicies bool
	cache       *tokenCache
}

var _ component.Component = (*owner)(nil)

func newOwner(set processor.Settings, cfg *Config) (*owner, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return &owner{
		cfg:       cfg,
		logger:    set.Logger,
		telemetry: tb,
		metrics:   newMetricSets(""),
		cache:     newTokenCache(cfg.Cache.MaxEntries),
	}, nil
}

// Start loads the files and starts their watchers; sharedcomponent runs it
// when the first instance starts.
func (o *owner) Start(_ context.Context, host component.Host) error {
	if err := o.startKey(); err != nil {
		return err
	}
	var err error
	if o.cfg.JWT.Verify {
		o.verifier, err = jwtverify.New(o.cfg.verifierConfig(), o.reportReload("jwks"))
		if err != nil {
			o.keyWatch.Stop()
			return fmt.Errorf("jwt.jwks_file: %w", err)
		}
	}
	if id := o.cfg.PolicyExtension; id != nil {
		o.policies, err = policy.FromHost(host, *id)
		if err != nil {
			o.verifier.Close()
			o.keyWatch.Stop()
			return fmt.Errorf("policy_extension: %w", err)
		}
		o.checkPolicy(o.policies.Current())
		return nil
	}
	// The poller may call back before o.policies is set: it reads the holder
	// through an atomic.
	var holder atomic.Pointer[policy.Holder]
	reported := o.reportReload("policy")
	o.policies, err = policy.Load(o.cfg.PolicyFile, o.cfg.ReloadInterval, func(err error) {
		reported(err)
		if h := holder.Load(); err == nil && h != nil {
			o.checkPolicy(h.Current())
		}
	})
	if err != nil {
		o.verifier.Close()
		o.keyWatch.Stop()
		return fmt.Errorf("policy_file: %w", err)
	}
	holder.Store(o.policies)
	o.ownPolicies = true
	o.checkPolicy(o.policies.Current())
	return nil
}

// checkPolicy warns about a policy that needs what this processor's
// configuration turns off.
func (o *owner) checkPolicy(pol *policy.Policy) {
	if pol.AcceptsVerified() && o.verifier == nil {
		o.logger.Warn("The policy's registry.known: registered_or_verified needs jwt.verify: true: without it no JWT is verified, so every unregistered token stays unknown_token")
	}
	if pol.NamesVerifiedIssuers() && o.verifier != nil {
		if unbound := o.cfg.JWT.unboundKeys(); len(unbound) > 0 {
			o.logger.Warn("The policy's registry.verified_issuers trusts the iss of verified tokens, but some keys are bound to no issuer: "+
				"whoever holds one can mint a known token in a listed issuer's name; set jwt.hmac_secrets[].issuer and jwt.jwks_issuer",
				zap.Strings("unbound", unbound))
		}
	}
}

// Shutdown stops the watchers; sharedcomponent runs it when the last
// started instance shuts down.
func (o *owner) Shutdown(context.Context) error {
	o.keyWatch.Stop()
	o.verifier.Close()
	if o.ownPolicies {
		o.policies.Close()
	}
	o.telemetry.Shutdown()
	return nil
}

// fingerprinter is the fingerprinter of the key in force.
func (o *owner) fingerprinter() *fingerprint.Fingerprinter { return o.fp.Load() }

// startKey takes the key from config, else from the key file, creating
// that file first when asked to. A key file is watched like the policy
// file: a new key takes effect without a restart, and the log says when.
func (o *owner) startKey() error {
	fc := o.cfg.Fingerprint
	if strings.TrimSpace(string(fc.Key)) != "" {
		key, err := fingerprint.ParseKey(string(fc.Key))
		if err != nil {
			return fmt.Errorf("fingerprint.key: %w", err)
		}
		return o.useKey(key)
	}
	if fc.CreateKeyFile {
		err := fingerprint.CreateKeyFile(fc.KeyFile)
		switch {
		case err == nil:
			o.logger.Warn("Created a new fingerprint key file; back it up: token ids depend on it",
				zap.String("key_file", fc.KeyFile))
		case !errors.Is(err, fingerprint.ErrExists):
			return fmt.Errorf("fingerprint.key_file: %w", err)
		}
	}
	w, err := filewatch.Start(fc.KeyFile, o.cfg.ReloadInterval, func([]byte) error {
		// Read again through ReadKeyFile: it refuses a file others can read.
		key, err := fingerprint.ReadKeyFile(fc.KeyFile)
		if err != nil {
			return err
		}
		return o.useKey(key)
	}, o.reportReload("fingerprint_key"))
	if err != nil {
		return fmt.Errorf("fingerprint.key_file: %w", err)
	}
	o.keyWatch = w
	return nil
}

// useKey puts key in force. Ids cached under the previous key go stale.
func (o *owner) useKey(key []byte) error {
	f, err := fingerprint.New(key, o.cfg.Fingerprint.Prefix)
	if err != nil {
		return fmt.Errorf("fingerprint: %w", err)
	}
	old := o.fp.Swap(f)
	if old == nil || old.KeyID() == f.KeyID() {
		return nil
	}
	o.fpGen.Add(1)
	o.logger.Warn("Fingerprint key changed: token ids from now on are under the new key",
		zap.String("previous_key_id", old.KeyID()), zap.String("key_id", f.KeyID()))
	return nil
}

// reportReload logs and counts reloads of a watched file; a rejected file
// leaves the previous content in force.
func (o *owner) reportReload(file string) func(error) {
	applied, rejected := o.metrics.reload(file)
	return func(err error) {
		if err != nil {
			o.logger.Warn("Kept the previous "+file+" file: the new one is invalid", zap.Error(err))
			o.telemetry.TokenAuditReloads.Add(context.Background(), 1, rejected)
			return
		}
		o.logger.Info("Reloaded the " + file + " file")
		o.telemetry.TokenAuditReloads.Add(context.Background(), 1, applied)
	}
}
