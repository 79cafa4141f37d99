package tokenanomalyconnector

import (
	"fmt"
	"hash/maphash"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

type metricPoint struct {
	res   map[string]any
	attrs map[string]string
	value float64
	temp  pmetric.AggregationTemporality
}

// metricPoints returns the points of one metric in the last flush.
func metricPoints(t *testing.T, h *harness, name string) []metricPoint {
	t.Helper()
	all := h.metrics.AllMetrics()
	require.NotEmpty(t, all)
	md := all[len(all)-1]
	var out []metricPoint
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name {
					continue
				}
				var dps pmetric.NumberDataPointSlice
				temp := pmetric.AggregationTemporalityUnspecified
				switch m.Type() {
				case pmetric.MetricTypeSum:
					dps, temp = m.Sum().DataPoints(), m.Sum().AggregationTemporality()
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				}
				for _, dp := range dps.All() {
					p := metricPoint{res: rm.Resource().Attributes().AsRaw(), attrs: map[string]string{}, temp: temp}
					for k, v := range dp.Attributes().All() {
						p.attrs[k] = v.AsString()
					}
					p.value = dp.DoubleValue()
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						p.value = float64(dp.IntValue())
					}
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func TestRequestMetrics(t *testing.T) {
	for _, temporality := range []string{TemporalityCumulative, TemporalityDelta} {
		t.Run(temporality, func(t *testing.T) {
			cfg := testConfig()
			cfg.Metrics.Temporality = temporality
			h := newHarness(t, cfg)
			h.send(
				item{at: t0, token: "tok_a", principal: "alice", tokenType: "jwt", outcome: auditattr.OutcomeSuccess},
				item{at: t0, token: "tok_a", principal: "alice", tokenType: "jwt", outcome: auditattr.OutcomeSuccess},
				item{at: t0, token: "tok_b", principal: "bob", tokenType: "api_key", outcome: auditattr.OutcomeDenied},
			)
			h.model.flush(t.Context())
			pts := metricPoints(t, h, metricRequests)
			require.Len(t, pts, 2)
			byPrincipal := map[string]metricPoint{}
			for _, p := range pts {
				byPrincipal[p.attrs[auditattr.PrincipalID]] = p
			}
			assert.Equal(t, 2.0, byPrincipal["alice"].value)
			assert.Equal(t, "jwt", byPrincipal["alice"].attrs[auditattr.TokenType])
			assert.Equal(t, auditattr.OutcomeDenied, byPrincipal["bob"].attrs[auditattr.Outcome])
			assert.Equal(t, map[string]any{"service.name": "orders"}, byPrincipal["bob"].res)

			tracked := metricPoints(t, h, metricTracked)
			require.Len(t, tracked, 1)
			assert.Equal(t, 2.0, tracked[0].value)
			active := metricPoints(t, h, metricActive)
			assert.Equal(t, 2.0, active[0].value)

			h.send(item{at: t0, token: "tok_a", principal: "alice", tokenType: "jwt", outcome: auditattr.OutcomeSuccess})
			h.model.flush(t.Context())
			pts = metricPoints(t, h, metricRequests)
			want := 3.0
			if temporality == TemporalityDelta {
				want = 1
				assert.Equal(t, pmetric.AggregationTemporalityDelta, pts[0].temp)
			}
			for _, p := range pts {
				if p.attrs[auditattr.PrincipalID] == "alice" {
					assert.Equal(t, want, p.value)
				}
			}
		})
	}
}

func TestCardinalityLimitOverflows(t *testing.T) {
	cfg := testConfig()
	cfg.Metrics.CardinalityLimit = 3
	h := newHarness(t, cfg)
	for _, p := range []string{"a", "b", "c", "d", "e", "f"} {
		h.send(item{at: t0, token: "tok_" + p, principal: p, outcome: auditattr.OutcomeSuccess})
	}
	h.model.flush(t.Context())
	pts := metricPoints(t, h, metricRequests)
	require.Len(t, pts, 4)
	var overflow float64
	for _, p := range pts {
		if p.attrs[auditattr.MetricOverflow] == "true" {
			overflow = p.value
		}
	}
	assert.Equal(t, 3.0, overflow)
}

func TestPerTokenSeriesAreOptInAndCapped(t *testing.T) {
	cfg := testConfig()
	h := newHarness(t, cfg)
	h.send(item{at: t0, token: "tok_a", outcome: auditattr.OutcomeSuccess})
	h.model.flush(t.Context())
	assert.Empty(t, metricPoints(t, h, metricTokenRequests))

	cfg = testConfig()
	cfg.Metrics.PerToken = PerTokenConfig{Enabled: true, MaxTokens: 2}
	h = newHarness(t, cfg)
	for _, tok := range []string{"tok_a", "tok_b", "tok_c", "tok_d"} {
		h.send(item{at: t0, token: tok, outcome: auditattr.OutcomeSuccess})
	}
	h.model.flush(t.Context())
	pts := metricPoints(t, h, metricTokenRequests)
	require.Len(t, pts, 3)
	seen := map[string]float64{}
	for _, p := range pts {
		if p.attrs[auditattr.MetricOverflow] == "true" {
			seen["overflow"] = p.value
		} else {
			seen[p.attrs[auditattr.TokenID]] = p.value
		}
	}
	assert.Equal(t, map[string]float64{"tok_a": 1, "tok_b": 1, "overflow": 2}, seen)
}

// TestSeriesCountsByHash: points are found by their hashes; two keys that
// share the first hash (forced here: with random seeds it does not happen)
// keep separate counts, and each resource has its own overflow point.
func TestSeriesCountsByHash(t *testing.T) {
	s := newSeries(3, "principal", "outcome")
	s.add(0, "alice", "success")
	s.add(0, "alice", "success")
	// bob's key takes alice's first hash: only the second tells them apart.
	bob := append(s.resKey(0), "bob\xffsuccess\xff"...)
	s.index[maphash.Bytes(s.seeds[0], bob)] = 0
	s.add(0, "bob", "success")
	s.add(0, "bob", "success")
	s.add(0, "bob", "success")
	assert.False(t, s.add(1, "carol", "failure"), "the third series fits")
	assert.True(t, s.add(1, "dave", "failure"), "the fourth overflows")
	assert.True(t, s.add(0, "erin", "failure"))
	assert.True(t, s.add(1, "frank", "failure"))
	s.add(-1, "x", "y") // ownResource overflows too

	counts := map[string]int64{}
	for _, p := range s.points {
		name := fmt.Sprint(p.res, p.values)
		if p.overflow {
			name = fmt.Sprint(p.res, " overflow")
		}
		counts[name] += p.count
	}
	assert.Equal(t, map[string]int64{
		"0 [alice success]": 2, "0 [bob success]": 3, "1 [carol failure]": 1,
		"1 overflow": 2, "0 overflow": 1, "-1 overflow": 1,
	}, counts)

	s.reset()
	assert.False(t, s.add(0, "alice", "success"), "a reset series counts afresh")
	assert.Len(t, s.points, 1)
}
