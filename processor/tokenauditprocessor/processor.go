package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
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
	"github.com/tokenaudit/tokenaudit/internal/policy"
	"github.com/tokenaudit/tokenaudit/internal/sharedcomponent"
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

	// *owner holds the key, the JWKS, the policy and the cache; shared with
	// the other signal's instance of the same component id.
	*owner
	shared *sharedcomponent.Component[*owner]

	scratch sync.Pool
}

// newTokenAudit builds an instance on the owner of set.ID in owners.
func newTokenAudit(set processor.Settings, cfg *Config, signal string, owners *sharedcomponent.Map[component.ID, *owner]) (*tokenAudit, error) {
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
	}
	p.shared, err = owners.LoadOrStore(set.ID, func() (*owner, error) { return newOwner(set, cfg) })
	if err != nil {
		return nil, err
	}
	p.owner = p.shared.Unwrap()
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

func (p *tokenAudit) start(ctx context.Context, host component.Host) error {
	return p.shared.Start(ctx, host)
}

func (p *tokenAudit) shutdown(ctx context.Context) error {
	err := p.shared.Shutdown(ctx)
	p.telemetry.Shutdown()
	return err
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
	ownFindings   bool      // the current item carries credentials of its own
	policy        *policy.Policy
	stats         batchStats
	resources     resourceNames // kept across batches: routes repeat
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
	p.scanAttrsAs(res.Attributes(), true, "resource.", true, sc)
	sc.resFindings = append(sc.resFindings, sc.findings...)
}

// scanScope scrubs a scope's attributes; like a resource's, its credentials
// stand for the items under it that carry none of their own.
func (p *tokenAudit) scanScope(attrs pcommon.Map, sc *scratch) {
	sc.findings = sc.findings[:0]
	p.scanAttrsAs(attrs, true, "scope.", true, sc)
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
	sc.ownFindings = len(sc.findings) > 0
	primaryFirst(sc.findings)
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
			spans := ss.Spans()
			p.auditItems(spans.Len(), sc, func(i int, sc *scratch) {
				span := spans.At(i)
				p.auditItem(item{
					attrs:     span.Attributes(),
					eventTime: eventTime(auditattr.SpanTime(span)),
					spanError: span.Status().Code() == ptrace.StatusCodeError,
					span:      span,
					isSpan:    true,
				}, nil, sc)
			})
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
			lrs := sl.LogRecords()
			p.auditItems(lrs.Len(), sc, func(i int, sc *scratch) {
				lr := lrs.At(i)
				body := lr.Body()
				p.auditItem(item{
					attrs:     lr.Attributes(),
					eventTime: eventTime(auditattr.LogTime(lr)),
				}, &body, sc)
			})
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
