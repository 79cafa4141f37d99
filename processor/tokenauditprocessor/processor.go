package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
	"github.com/tokenaudit/tokenaudit/internal/filewatch"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/jwtverify"
	"github.com/tokenaudit/tokenaudit/internal/policy"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// tokenAudit is one token_audit processor instance (one per signal).
type tokenAudit struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	metrics   *metricSets
	signal    string

	authHeaders    []string // normalised sources.authorization_headers
	keyHeaders     []string // normalised sources.key_headers
	rules          *credential.Rules
	bodyPatterns   *credential.Patterns
	trustedProxies []netip.Prefix
	// trustPrivatePeers: client.address is believed behind a private peer.
	trustPrivatePeers bool
	// exposureIgnored holds the sources that are never exposed_credential.
	exposureIgnored map[string]bool
	failureCodes    map[int]bool
	deniedCodes     map[int]bool
	removeMode      bool

	// Set in start: they read files or start pollers.
	fp       atomic.Pointer[fingerprint.Fingerprinter]
	fpGen    atomic.Uint64 // counts fingerprint key changes: cached ids of an older key are stale
	keyWatch *filewatch.Watcher
	verifier *jwtverify.Verifier
	policies *policy.Holder
	cache    *tokenCache

	scratch sync.Pool
}

func newTokenAudit(set processor.Settings, cfg *Config, signal string) (*tokenAudit, error) {
	rules, err := credential.NewRules(cfg.credentialRules(), cfg.limits())
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	patterns, err := credential.CompilePatterns(cfg.Sources.BodyPatterns)
	if err != nil {
		return nil, fmt.Errorf("sources.body_patterns: %w", err)
	}
	proxies, err := policy.ParseNetworks(cfg.Client.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("client.trusted_proxies: %w", err)
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	p := &tokenAudit{
		cfg:               cfg,
		logger:            set.Logger,
		telemetry:         tb,
		metrics:           newMetricSets(signal),
		signal:            signal,
		authHeaders:       normalizeHeaderNames(cfg.Sources.AuthorizationHeaders),
		keyHeaders:        normalizeHeaderNames(cfg.Sources.KeyHeaders),
		rules:             rules,
		bodyPatterns:      patterns,
		trustedProxies:    proxies,
		trustPrivatePeers: cfg.Client.TrustClientAddress != TrustTrustedProxies,
		exposureIgnored:   stringSet(cfg.Exposure.IgnoreSources),
		failureCodes:      codeSet(cfg.Outcome.FailureStatusCodes),
		deniedCodes:       codeSet(cfg.Outcome.DeniedStatusCodes),
		removeMode:        cfg.Scrub.Mode == ScrubRemove,
		cache:             newTokenCache(cfg.Cache.MaxEntries),
	}
	p.scratch.New = func() any { return new(scratch) }
	return p, nil
}

func stringSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func codeSet(codes []int) map[int]bool {
	m := make(map[int]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

func (p *tokenAudit) start(_ context.Context, _ component.Host) error {
	if err := p.startKey(); err != nil {
		return err
	}
	var err error
	if p.cfg.JWT.Verify {
		p.verifier, err = jwtverify.New(p.cfg.verifierConfig(), p.reportReload("jwks"))
		if err != nil {
			return fmt.Errorf("jwt.jwks_file: %w", err)
		}
	}
	// The poller may call back before p.policies is set: it reads the holder
	// through an atomic.
	var holder atomic.Pointer[policy.Holder]
	reported := p.reportReload("policy")
	p.policies, err = policy.Load(p.cfg.PolicyFile, p.cfg.ReloadInterval, func(err error) {
		reported(err)
		if h := holder.Load(); err == nil && h != nil {
			p.checkPolicy(h.Current())
		}
	})
	if err != nil {
		p.verifier.Close()
		p.keyWatch.Stop()
		return fmt.Errorf("policy_file: %w", err)
	}
	holder.Store(p.policies)
	p.checkPolicy(p.policies.Current())
	return nil
}

// checkPolicy warns about a policy that needs what this processor's
// configuration turns off.
func (p *tokenAudit) checkPolicy(pol *policy.Policy) {
	if pol.AcceptsVerified() && p.verifier == nil {
		p.logger.Warn("The policy's registry.known: registered_or_verified needs jwt.verify: true: without it no JWT is verified, so every unregistered token stays unknown_token")
	}
}

// fingerprinter is the fingerprinter of the key in force.
func (p *tokenAudit) fingerprinter() *fingerprint.Fingerprinter { return p.fp.Load() }

// startKey takes the key from config, else from the key file, creating
// that file first when asked to. A key file is watched like the policy
// file: a new key takes effect without a restart, and the log says when.
func (p *tokenAudit) startKey() error {
	fc := p.cfg.Fingerprint
	if strings.TrimSpace(string(fc.Key)) != "" {
		key, err := fingerprint.ParseKey(string(fc.Key))
		if err != nil {
			return fmt.Errorf("fingerprint.key: %w", err)
		}
		return p.useKey(key)
	}
	if fc.CreateKeyFile {
		err := fingerprint.CreateKeyFile(fc.KeyFile)
		switch {
		case err == nil:
			p.logger.Warn("Created a new fingerprint key file; back it up: token ids depend on it",
				zap.String("key_file", fc.KeyFile))
		case !errors.Is(err, fingerprint.ErrExists):
			return fmt.Errorf("fingerprint.key_file: %w", err)
		}
	}
	w, err := filewatch.Start(fc.KeyFile, p.cfg.ReloadInterval, func([]byte) error {
		// Read again through ReadKeyFile: it refuses a file others can read.
		key, err := fingerprint.ReadKeyFile(fc.KeyFile)
		if err != nil {
			return err
		}
		return p.useKey(key)
	}, p.reportReload("fingerprint_key"))
	if err != nil {
		return fmt.Errorf("fingerprint.key_file: %w", err)
	}
	p.keyWatch = w
	return nil
}

// useKey puts key in force. Ids cached under the previous key go stale.
func (p *tokenAudit) useKey(key []byte) error {
	f, err := fingerprint.New(key, p.cfg.Fingerprint.Prefix)
	if err != nil {
		return fmt.Errorf("fingerprint: %w", err)
	}
	old := p.fp.Swap(f)
	if old == nil || old.KeyID() == f.KeyID() {
		return nil
	}
	p.fpGen.Add(1)
	p.logger.Warn("Fingerprint key changed: token ids from now on are under the new key",
		zap.String("previous_key_id", old.KeyID()), zap.String("key_id", f.KeyID()))
	return nil
}

// reportReload logs and counts reloads of a watched file; a rejected file
// leaves the previous content in force.
func (p *tokenAudit) reportReload(file string) func(error) {
	applied, rejected := p.metrics.reload(file)
	return func(err error) {
		if err != nil {
			p.logger.Warn("Kept the previous "+file+" file: the new one is invalid", zap.Error(err))
			p.telemetry.TokenAuditReloads.Add(context.Background(), 1, rejected)
			return
		}
		p.logger.Info("Reloaded the " + file + " file")
		p.telemetry.TokenAuditReloads.Add(context.Background(), 1, applied)
	}
}

func (p *tokenAudit) shutdown(context.Context) error {
	p.keyWatch.Stop()
	p.verifier.Close()
	p.policies.Close()
	p.telemetry.Shutdown()
	return nil
}

// scratch is per-batch working memory, pooled so audited batches do not
// allocate it anew.
type scratch struct {
	hits          []hit
	spans         []span
	findings      []finding
	violations    []string
	batchFindings []finding // from request metadata, for the whole batch
	resFindings   []finding // from the current resource
	scopeFindings []finding // from the current scope
	policy        *policy.Policy
	stats         batchStats
}

func (p *tokenAudit) beginBatch(ctx context.Context) *scratch {
	sc := p.scratch.Get().(*scratch)
	sc.stats = batchStats{}
	sc.policy = p.policies.Current()
	sc.batchFindings = sc.batchFindings[:0]
	md := client.FromContext(ctx).Metadata
	for _, key := range p.cfg.Sources.MetadataKeys {
		kind := kindKey
		if key == "authorization" || key == "proxy-authorization" {
			kind = kindAuthorization
		}
		for _, v := range md.Get(key) {
			sc.findings = sc.findings[:0]
			p.scrubString(v, kind, "request.metadata."+key, sc)
			sc.batchFindings = append(sc.batchFindings, sc.findings...)
		}
	}
	return sc
}

func (p *tokenAudit) endBatch(ctx context.Context, sc *scratch) {
	p.metrics.record(ctx, p.telemetry, &sc.stats)
	sc.policy = nil
	p.scratch.Put(sc)
}

// scanResource scrubs a resource's attributes; its credentials stand for
// every item under it that carries none of its own.
func (p *tokenAudit) scanResource(res pcommon.Resource, sc *scratch) {
	sc.resFindings = sc.resFindings[:0]
	if !p.cfg.Sources.ResourceAttributes {
		return
	}
	sc.findings = sc.findings[:0]
	p.scanAttrs(res.Attributes(), true, "resource.", sc)
	sc.resFindings = append(sc.resFindings, sc.findings...)
}

// scanScope scrubs a scope's attributes; like a resource's, its credentials
// stand for the items under it that carry none of their own.
func (p *tokenAudit) scanScope(attrs pcommon.Map, sc *scratch) {
	sc.findings = sc.findings[:0]
	p.scanAttrs(attrs, true, "scope.", sc)
	sc.scopeFindings = append(sc.scopeFindings[:0], sc.findings...)
}

// auditItem runs one span or log record: scan, scrub, annotate.
func (p *tokenAudit) auditItem(it item, body *pcommon.Value, sc *scratch) {
	sc.stats.items++
	sc.findings = sc.findings[:0]
	p.scanAttrs(it.attrs, true, "", sc)
	if it.isSpan {
		// Events (exceptions) and links carry attributes too.
		for _, ev := range it.span.Events().All() {
			p.scanAttrs(ev.Attributes(), true, "event.", sc)
		}
		for _, l := range it.span.Links().All() {
			p.scanAttrs(l.Attributes(), true, "link.", sc)
		}
	}
	if body != nil && p.cfg.Sources.LogBody {
		p.scanBody(*body, sc)
	}
	if len(sc.findings) == 0 {
		sc.findings = append(sc.findings, sc.scopeFindings...)
	}
	if len(sc.findings) == 0 {
		sc.findings = append(sc.findings, sc.resFindings...)
	}
	if len(sc.findings) == 0 {
		sc.findings = append(sc.findings, sc.batchFindings...)
	}
	if len(sc.findings) == 0 && !p.cfg.AnnotateAll {
		return
	}
	p.annotate(it, sc)
}

func (p *tokenAudit) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	sc := p.beginBatch(ctx)
	defer p.endBatch(ctx, sc)
	for _, rs := range td.ResourceSpans().All() {
		p.scanResource(rs.Resource(), sc)
		for _, ss := range rs.ScopeSpans().All() {
			p.scanScope(ss.Scope().Attributes(), sc)
			for _, span := range ss.Spans().All() {
				p.auditItem(item{
					attrs:     span.Attributes(),
					eventTime: eventTime(auditattr.SpanTime(span)),
					spanError: span.Status().Code() == ptrace.StatusCodeError,
					span:      span,
					isSpan:    true,
				}, nil, sc)
			}
		}
	}
	return td, nil
}

func (p *tokenAudit) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	sc := p.beginBatch(ctx)
	defer p.endBatch(ctx, sc)
	for _, rl := range ld.ResourceLogs().All() {
		p.scanResource(rl.Resource(), sc)
		for _, sl := range rl.ScopeLogs().All() {
			p.scanScope(sl.Scope().Attributes(), sc)
			for _, lr := range sl.LogRecords().All() {
				body := lr.Body()
				p.auditItem(item{
					attrs:     lr.Attributes(),
					eventTime: eventTime(auditattr.LogTime(lr)),
				}, &body, sc)
			}
		}
	}
	return ld, nil
}

// eventTime is the item's own time (auditattr.SpanTime, LogTime), so that
// a replay gives the same verdicts; only an item with no time at all falls
// back to now.
func eventTime(ts pcommon.Timestamp) time.Time {
	if ts != 0 {
		return ts.AsTime()
	}
	return time.Now()
}
