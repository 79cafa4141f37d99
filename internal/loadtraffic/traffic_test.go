package loadtraffic

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

const testSecret = "loadtraffic-test-secret-of-32-bytes-or-more"

func TestTokensSplitAndJWTs(t *testing.T) {
	now := time.Now()
	tr, err := New(10_000, []byte(testSecret), "demo", now, 1)
	require.NoError(t, err)
	assert.Equal(t, 10_000, tr.Tokens(KindJWT)+tr.Tokens(KindBasic)+tr.Tokens(KindAPIKey))
	assert.InDelta(t, 7778, tr.Tokens(KindJWT), 2)
	assert.InDelta(t, 1667, tr.Tokens(KindAPIKey), 2)
	for i, v := range tr.sets[KindJWT].values {
		raw, ok := strings.CutPrefix(v, "Bearer ")
		require.True(t, ok)
		require.GreaterOrEqual(t, len(raw), MinJWTBytes, "JWT %d", i)
		require.LessOrEqual(t, len(raw), MaxJWTBytes, "JWT %d", i)
		if i%500 != 0 {
			continue
		}
		tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
		require.NoError(t, err)
		assert.Equal(t, "demo", tok.Headers[0].KeyID)
		var c jwt.Claims
		require.NoError(t, tok.Claims([]byte(testSecret), &c), "JWT %d verifies with the demo secret", i)
		require.NoError(t, c.Validate(jwt.Expected{Time: now}))
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tokens int
		secret string
	}{
		{"too few tokens", 2, testSecret},
		{"short secret", 100, "short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.tokens, []byte(tc.secret), "demo", time.Now(), 1)
			assert.Error(t, err)
		})
	}
}

// TestRequestShape checks the traffic of docs/BENCHMARKS.md over 20,000 spans.
func TestRequestShape(t *testing.T) {
	now := time.Now()
	tr, err := New(10_000, []byte(testSecret), "demo", now, 1)
	require.NoError(t, err)
	s := tr.Stream(3)
	kinds := map[string]int{}
	statuses := map[int64]int{}
	traces := map[pcommon.TraceID]bool{}
	spansSeen := map[pcommon.SpanID]bool{}
	tokens := map[string]int{}
	total := 0
	for range 20 {
		td := s.Request(1000, now)
		require.Equal(t, 1, td.ResourceSpans().Len())
		rs := td.ResourceSpans().At(0)
		assert.Equal(t, 9, rs.Resource().Attributes().Len())
		spans := rs.ScopeSpans().At(0).Spans()
		require.Equal(t, 1000, spans.Len())
		for _, sp := range spans.All() {
			total++
			a := sp.Attributes()
			assert.GreaterOrEqual(t, a.Len(), 12)
			assert.LessOrEqual(t, a.Len(), 15)
			traces[sp.TraceID()] = true
			spansSeen[sp.SpanID()] = true
			assert.WithinDuration(t, now, sp.EndTimestamp().AsTime(), time.Second)
			code, _ := a.Get("http.response.status_code")
			statuses[code.Int()]++
			kind := "none"
			if v, ok := a.Get("http.request.header.authorization"); ok {
				kind, _, _ = strings.Cut(v.Str(), " ")
				tokens[v.Str()]++
			} else if v, ok := a.Get("http.request.header.x-api-key"); ok {
				kind = "key"
				tokens[v.Str()]++
			}
			kinds[kind]++
		}
	}
	share := func(n int) float64 { return float64(n) / float64(total) }
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"bearer", share(kinds["Bearer"]), 0.70},
		{"basic", share(kinds["Basic"]), 0.05},
		{"api key", share(kinds["key"]), 0.15},
		{"none", share(kinds["none"]), 0.10},
		{"401", share(statuses[401]), 0.05},
		{"403", share(statuses[403]), 0.05},
		{"500", share(statuses[500]), 0.05},
	} {
		assert.InDelta(t, tc.want, tc.got, 0.01, tc.name)
	}
	assert.Len(t, traces, total, "a fresh trace id on every span")
	assert.Len(t, spansSeen, total, "a fresh span id on every span")
	// Zipf: the most used token makes far more calls than the median one.
	most := 0
	for _, n := range tokens {
		most = max(most, n)
	}
	assert.Greater(t, float64(most), math.Max(50, float64(total)/float64(len(tokens))*20))
}
