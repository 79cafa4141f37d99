package tokenanomalyconnector

import (
	"context"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Emitted metric names.
const (
	metricRequests      = "tokenaudit.requests"
	metricAnomalies     = "tokenaudit.anomalies"
	metricTokenRequests = "tokenaudit.token.requests"
	metricTracked       = "tokenaudit.tokens.tracked"
	metricActive        = "tokenaudit.tokens.active"
	metricEvicted       = "tokenaudit.tokens.evicted"
	metricIdle          = "tokenaudit.token.idle_time"

	attrRegistryName = "tokenaudit.registry.name"
	noValue          = "none"
)

// series is one metric's set of counters, capped: past the limit, new
// attribute sets fold into one overflow series per resource, as contrib
// spanmetrics does.
//
// The index is keyed by a 64-bit hash of the key, and each point keeps a
// second one, so that a lookup reads neither a stored key nor its values:
// with a million tracked tokens in the caches' way, a string-keyed map
// cost two cache misses per item. The seeds are random, so no one can aim
// a collision; two keys that share the first hash (about one chance in
// 2^64 per pair) take the string-keyed spill map.
type series struct {
	limit  int
	names  []string // attribute keys, in key order
	seeds  [2]maphash.Seed
	index  map[uint64]int32
	spill  map[string]int32
	points []point
	key    []byte

	overflows []int32 // by resource + 1: 1 + the index of its overflow point, 0 for none
}

type point struct {
	res      int32
	values   []string // nil for the overflow series
	count    int64
	check    uint64 // the key's second hash
	overflow bool
}

func newSeries(limit int, names ...string) *series {
	return &series{
		limit: limit, names: names,
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		index: map[uint64]int32{}, spill: map[string]int32{},
	}
}

// add counts one under (res, values); it reports whether it overflowed.
func (s *series) add(res int32, values ...string) bool {
	k := s.resKey(res)
	for _, v := range values {
		k = append(k, v...)
		k = append(k, 0xff)
	}
	s.key = k
	if s.count(k) {
		return false
	}
	if s.limit > 0 && len(s.points) >= s.limit {
		s.addOverflow(res)
		return true
	}
	p := point{res: res, count: 1, values: make([]string, len(values))}
	for i, v := range values {
		p.values[i] = strings.Clone(v) // values point into the item
	}
	s.insert(k, p)
	return false
}

// addOverflow counts one in the resource's overflow series. A full
// series sends most items there, so each resource's overflow point is
// kept by index.
func (s *series) addOverflow(res int32) {
	slot := int(res) + 1 // ownResource is -1
	if slot < len(s.overflows) && s.overflows[slot] != 0 {
		s.points[s.overflows[slot]-1].count++
		return
	}
	if slot >= len(s.overflows) {
		s.overflows = append(s.overflows, make([]int32, slot+1-len(s.overflows))...)
	}
	s.overflows[slot] = int32(len(s.points)) + 1
	s.points = append(s.points, point{res: res, count: 1, overflow: true})
}

// count adds one to k's point, if k has one.
func (s *series) count(k []byte) bool {
	if i, ok := s.index[maphash.Bytes(s.seeds[0], k)]; ok && s.points[i].check == maphash.Bytes(s.seeds[1], k) {
		s.points[i].count++
		return true
	}
	if i, ok := s.spill[string(k)]; ok {
		s.points[i].count++
		return true
	}
	return false
}

// insert adds k's point.
func (s *series) insert(k []byte, p point) {
	i := int32(len(s.points))
	p.check = maphash.Bytes(s.seeds[1], k)
	h := maphash.Bytes(s.seeds[0], k)
	if _, taken := s.index[h]; taken {
		s.spill[string(k)] = i
	} else {
		s.index[h] = i
	}
	s.points = append(s.points, p)
}

func (s *series) resKey(res int32) []byte {
	return append(s.key[:0], byte(res), byte(res>>8), byte(res>>16), byte(res>>24))
}

// clone copies the points (values are never changed once set).
func (s *series) clone() *series {
	return &series{limit: s.limit, names: s.names, points: slices.Clone(s.points)}
}

func (s *series) reset() {
	clear(s.index)
	clear(s.spill)
	clear(s.overflows)
	s.points = s.points[:0]
}

// metricSet is the connector's emitted metrics, aggregated between flushes.
type metricSet struct {
	cfg        *MetricsConfig
	logger     *zap.Logger
	instanceID string
	tel        *telemetry

	resIndex   map[string]int32
	resAttrs   []pcommon.Map
	resKey     []byte
	overflowRs int32 // -2 until the resource limit is reached

	requests, anomalies, tokenRequests *series
	perTokens                          map[string]bool

	evictedTokens int64
	start         time.Time
}

const (
	ownResource  int32 = -1 // the connector's own gauges
	noOverflowRs int32 = -2
)

func newMetricSet(cfg *Config, set component.TelemetrySettings) *metricSet {
	limit := cfg.Metrics.CardinalityLimit
	ms := &metricSet{
		cfg:        &cfg.Metrics,
		logger:     set.Logger,
		resIndex:   map[string]int32{},
		overflowRs: noOverflowRs,
		requests:   newSeries(limit, auditattr.PrincipalID, auditattr.TokenType, auditattr.Outcome),
		anomalies:  newSeries(limit, auditattr.FindingType, auditattr.FindingSeverity, auditattr.FindingDryRun),
		start:      time.Now(),
	}
	if cfg.Metrics.PerToken.Enabled {
		ms.tokenRequests = newSeries(0, auditattr.TokenID, auditattr.Outcome)
		ms.perTokens = map[string]bool{}
	}
	if v, ok := set.Resource.Attributes().Get("service.instance.id"); ok {
		ms.instanceID = v.AsString()
	}
	return ms
}

// internResource maps an input resource to the output resource made of
// the configured resource_attributes.
func (ms *metricSet) internResource(r pcommon.Resource) int32 {
	if len(ms.cfg.ResourceAttributes) == 0 {
		return ownResource
	}
	k := ms.resKey[:0]
	for _, name := range ms.cfg.ResourceAttributes {
		if v, ok := r.Attributes().Get(name); ok {
			k = append(k, v.AsString()...)
		}
		k = append(k, 0xff)
	}
	ms.resKey = k
	if i, ok := ms.resIndex[string(k)]; ok {
		return i
	}
	if ms.cfg.CardinalityLimit > 0 && len(ms.resIndex) >= ms.cfg.CardinalityLimit {
		if ms.overflowRs == noOverflowRs {
			a := pcommon.NewMap()
			a.PutBool(auditattr.MetricOverflow, true)
			ms.overflowRs = int32(len(ms.resAttrs))
			ms.resAttrs = append(ms.resAttrs, a)
		}
		return ms.overflowRs
	}
	a := pcommon.NewMap()
	for _, name := range ms.cfg.ResourceAttributes {
		if v, ok := r.Attributes().Get(name); ok {
			v.CopyTo(a.PutEmpty(name))
		}
	}
	i := int32(len(ms.resAttrs))
	ms.resAttrs = append(ms.resAttrs, a)
	ms.resIndex[string(k)] = i
	return i
}

// fillResource writes an output resource's attributes.
func (ms *metricSet) fillResource(r pcommon.Resource, res int32) {
	if res >= 0 {
		ms.resAttrs[res].CopyTo(r.Attributes())
	}
	if ms.instanceID != "" {
		r.Attributes().PutStr(auditattr.CollectorInstanceID, ms.instanceID)
	}
}

func (ms *metricSet) request(ev *event) {
	if ms.requests.add(ev.res, orNone(ev.principal), orNone(ev.tokenType), orNone(ev.outcome)) && ms.tel != nil {
		ms.tel.overflowed()
	}
}

func (ms *metricSet) anomaly(f *finding) {
	res := ownResource
	if f.ev != nil {
		res = f.ev.res
	}
	dry := "false"
	if f.dryRun {
		dry = "true"
	}
	if ms.anomalies.add(res, f.typ, f.sev.String(), dry) && ms.tel != nil {
		ms.tel.overflowed()
	}
}

// perToken counts requests per token for the first per_token.max_tokens
// tokens seen; the rest fold into the overflow series.
func (ms *metricSet) perToken(ev *event) {
	if ms.tokenRequests == nil {
		return
	}
	id := ev.tokenID
	if !ms.perTokens[id] {
		if len(ms.perTokens) >= ms.cfg.PerToken.MaxTokens {
			id = ""
		} else {
			ms.perTokens[strings.Clone(id)] = true
		}
	}
	if id == "" {
		ms.tokenRequests.addOverflow(ev.res)
		if ms.tel != nil {
			ms.tel.overflowed()
		}
		return
	}
	ms.tokenRequests.add(ev.res, id, orNone(ev.outcome))
}

func orNone(s string) string {
	if s == "" {
		return noValue
	}
	return s
}

// gauges are computed at flush time from the model.
type gauges struct {
	tracked, active int64
	idle            []idleGauge
}

type idleGauge struct {
	tokenID, name string
	seconds       float64
}

// build makes the metrics of this flush from a copy made by take.
func (ms *metricSet) build(now time.Time, g gauges) pmetric.Metrics {
	md := pmetric.NewMetrics()
	nowTS := pcommon.NewTimestampFromTime(now)
	startTS := pcommon.NewTimestampFromTime(ms.start)
	delta := ms.cfg.Temporality == TemporalityDelta
	temporality := pmetric.AggregationTemporalityCumulative
	if delta {
		temporality = pmetric.AggregationTemporalityDelta
	}
	scopes := map[int32]pmetric.MetricSlice{}
	scope := func(res int32) pmetric.MetricSlice {
		if s, ok := scopes[res]; ok {
			return s
		}
		rm := md.ResourceMetrics().AppendEmpty()
		if res >= 0 {
			ms.resAttrs[res].CopyTo(rm.Resource().Attributes())
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(metadata.ScopeName)
		scopes[res] = sm.Metrics()
		return sm.Metrics()
	}
	dpAttrs := func(a pcommon.Map) {
		if ms.instanceID != "" {
			a.PutStr(auditattr.CollectorInstanceID, ms.instanceID)
		}
	}
	sums := func(s *series, name, desc, unit string) {
		byRes := map[int32]pmetric.NumberDataPointSlice{}
		for _, p := range s.points {
			dps, ok := byRes[p.res]
			if !ok {
				m := scope(p.res).AppendEmpty()
				m.SetName(name)
				m.SetDescription(desc)
				m.SetUnit(unit)
				sum := m.SetEmptySum()
				sum.SetIsMonotonic(true)
				sum.SetAggregationTemporality(temporality)
				dps = sum.DataPoints()
				byRes[p.res] = dps
			}
			dp := dps.AppendEmpty()
			dp.SetStartTimestamp(startTS)
			dp.SetTimestamp(nowTS)
			dp.SetIntValue(p.count)
			if p.overflow {
				dp.Attributes().PutBool(auditattr.MetricOverflow, true)
			} else {
				for i, v := range p.values {
					dp.Attributes().PutStr(s.names[i], v)
				}
			}
			dpAttrs(dp.Attributes())
		}
	}
	sums(ms.requests, metricRequests, "Audited requests by principal, token type and outcome.", "{requests}")
	sums(ms.anomalies, metricAnomalies, "Findings by type and severity; dry-run findings are counted, not alerted.", "{findings}")
	if ms.tokenRequests != nil {
		sums(ms.tokenRequests, metricTokenRequests, "Requests per token (opt-in, capped by metrics.per_token.max_tokens).", "{requests}")
	}

	own := scope(ownResource)
	gauge := func(name, desc, unit string, v int64) {
		m := own.AppendEmpty()
		m.SetName(name)
		m.SetDescription(desc)
		m.SetUnit(unit)
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(nowTS)
		dp.SetIntValue(v)
		dpAttrs(dp.Attributes())
	}
	gauge(metricTracked, "Tokens with per-token state.", "{tokens}", g.tracked)
	gauge(metricActive, "Tokens seen within metrics.active_window of event time.", "{tokens}", g.active)
	ev := own.AppendEmpty()
	ev.SetName(metricEvicted)
	ev.SetDescription("Tokens evicted from the per-token state to stay within max_tokens.")
	ev.SetUnit("{tokens}")
	es := ev.SetEmptySum()
	es.SetIsMonotonic(true)
	es.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	edp := es.DataPoints().AppendEmpty()
	edp.SetStartTimestamp(startTS)
	edp.SetTimestamp(nowTS)
	edp.SetIntValue(ms.evictedTokens)
	dpAttrs(edp.Attributes())
	if len(g.idle) > 0 {
		m := own.AppendEmpty()
		m.SetName(metricIdle)
		m.SetDescription("Event time since each registered token was last used (or registered, or first watched).")
		m.SetUnit("s")
		dps := m.SetEmptyGauge().DataPoints()
		for i, ig := range g.idle {
			dp := dps.AppendEmpty()
			dp.SetTimestamp(nowTS)
			dp.SetDoubleValue(ig.seconds)
			if ms.cfg.CardinalityLimit > 0 && i >= ms.cfg.CardinalityLimit {
				dp.Attributes().PutBool(auditattr.MetricOverflow, true)
				dpAttrs(dp.Attributes())
				dp.SetDoubleValue(maxIdle(g.idle[i:]))
				break
			}
			putIf(dp.Attributes(), auditattr.TokenID, ig.tokenID)
			putIf(dp.Attributes(), attrRegistryName, ig.name)
			dpAttrs(dp.Attributes())
		}
	}
	return md
}

// take returns a copy of the counters for build, which then runs without
// the model's lock; with delta temporality it resets them. Call it under
// the lock.
func (ms *metricSet) take(now time.Time) *metricSet {
	c := *ms
	c.requests, c.anomalies = ms.requests.clone(), ms.anomalies.clone()
	if ms.tokenRequests != nil {
		c.tokenRequests = ms.tokenRequests.clone()
	}
	c.resAttrs = slices.Clip(ms.resAttrs) // each Map is written once, when its resource is interned
	if ms.cfg.Temporality == TemporalityDelta {
		ms.requests.reset()
		ms.anomalies.reset()
		if ms.tokenRequests != nil {
			ms.tokenRequests.reset()
			clear(ms.perTokens)
		}
		ms.start = now
	}
	return &c
}

func maxIdle(list []idleGauge) float64 {
	var m float64
	for _, g := range list {
		m = max(m, g.seconds)
	}
	return m
}

// flush sends the metrics aggregated so far. The active tokens are counted
// a slice at a time (see inSlices) and the metrics built from a copy of
// the counters, so a flush does not stop ingest.
func (m *model) flush(ctx context.Context) {
	if m.metricsOutput() == nil {
		return
	}
	active := m.countActive()
	now := time.Now()
	m.mu.Lock()
	out := m.metricsOut
	g := gauges{tracked: int64(m.tokens.len()), active: active, idle: m.idleGauges()}
	counters := m.met.take(now)
	m.tel.publish(ctx)
	m.mu.Unlock()
	md := counters.build(now, g)
	if err := out.ConsumeMetrics(ctx, md); err != nil {
		m.tel.emitFailed(ctx, "metrics")
		m.logger.Error("The next consumer refused the metrics", zap.Int("data_points", md.DataPointCount()), zap.Error(err))
	}
}

func (m *model) metricsOutput() consumer.Metrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.metricsOut
}

// countActive counts the tokens seen within metrics.active_window of the
// watermark, a slice of the table per hold of the lock.
func (m *model) countActive() int64 {
	m.mu.Lock()
	cutoff := uint32(max(0, (m.watermark-m.cfg.Metrics.ActiveWindow.Milliseconds())/1000))
	m.mu.Unlock()
	var active int64
	next := int32(0)
	m.inSlices(func() bool {
		end := min(int32(m.tokens.len()), next+saveSlice)
		for ; next < end; next++ {
			if m.tokens.at(next).lastSeen >= cutoff {
				active++
			}
		}
		return next >= int32(m.tokens.len())
	})
	return active
}
