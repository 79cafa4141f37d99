package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor/internal/metadata"
)

// tokenTypes and violationNames are the fixed vocabularies counted per
// batch; fixed arrays keep the hot path free of maps and allocations.
var (
	tokenTypes = [...]string{
		auditattr.TypeJWT, auditattr.TypeBearer, auditattr.TypeAPIKey,
		auditattr.TypeBasic, auditattr.TypeAWSAccessKey,
	}
	violationNames = [...]string{
		auditattr.ViolationExpired, auditattr.ViolationNotYetValid, auditattr.ViolationRevoked,
		auditattr.ViolationMalformed, auditattr.ViolationInvalidSignature, auditattr.ViolationUnknown,
		auditattr.ViolationScope, auditattr.ViolationRestrictedResource, auditattr.ViolationOffHours,
		auditattr.ViolationDisallowedNetwork, auditattr.ViolationExposedCredential,
	}
)

// batchStats counts one batch; metrics are recorded once per batch.
type batchStats struct {
	items, malformed, hits, misses, evictions, unscanned int64
	credentials                                          [len(tokenTypes) + 1]int64 // last: other
	violations                                           [len(violationNames)]int64
}

func (s *batchStats) countCredential(info *tokenInfo) {
	if info == nil {
		return
	}
	if info.malformed {
		s.malformed++
	}
	for i, t := range tokenTypes {
		if t == info.typ {
			s.credentials[i]++
			return
		}
	}
	s.credentials[len(tokenTypes)]++
}

func (s *batchStats) countViolation(name string) {
	for i, v := range violationNames {
		if v == name {
			s.violations[i]++
			return
		}
	}
}

// metricSets holds the attribute sets, built once, that metrics carry.
type metricSets struct {
	signal      metric.AddOption
	credentials [len(tokenTypes) + 1]metric.AddOption
	violations  [len(violationNames)]metric.AddOption
}

func newMetricSets(signal string) *metricSets {
	m := &metricSets{signal: metric.WithAttributes(attribute.String("signal", signal))}
	for i, t := range tokenTypes {
		m.credentials[i] = metric.WithAttributes(attribute.String("token_type", t))
	}
	m.credentials[len(tokenTypes)] = metric.WithAttributes(attribute.String("token_type", "other"))
	for i, v := range violationNames {
		m.violations[i] = metric.WithAttributes(attribute.String("violation", v))
	}
	return m
}

func (m *metricSets) reload(file string) (applied, rejected metric.AddOption) {
	return metric.WithAttributes(attribute.String("file", file), attribute.String("result", "applied")),
		metric.WithAttributes(attribute.String("file", file), attribute.String("result", "rejected"))
}

func (m *metricSets) record(ctx context.Context, tb *metadata.TelemetryBuilder, s *batchStats) {
	tb.TokenAuditItems.Add(ctx, s.items, m.signal)
	for i, n := range s.credentials {
		if n > 0 {
			tb.TokenAuditCredentials.Add(ctx, n, m.credentials[i])
		}
	}
	for i, n := range s.violations {
		if n > 0 {
			tb.TokenAuditViolations.Add(ctx, n, m.violations[i])
		}
	}
	if s.malformed > 0 {
		tb.TokenAuditMalformed.Add(ctx, s.malformed)
	}
	if s.hits > 0 {
		tb.TokenAuditCacheHits.Add(ctx, s.hits)
	}
	if s.misses > 0 {
		tb.TokenAuditCacheMisses.Add(ctx, s.misses)
	}
	if s.evictions > 0 {
		tb.TokenAuditCacheEvictions.Add(ctx, s.evictions)
	}
	if s.unscanned > 0 {
		tb.TokenAuditUnscanned.Add(ctx, s.unscanned)
	}
}
