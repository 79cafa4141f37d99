package tokenauditprocessor

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
)

func benchProcessor(b *testing.B, cfg *Config) *tokenAudit {
	p, err := newStandalone(cfg)
	require.NoError(b, err)
	require.NoError(b, p.start(context.Background(), nil))
	b.Cleanup(func() { _ = p.shutdown(context.Background()) })
	return p
}

// BenchmarkBatch compares the processor with a warm cache against the floor:
// writing the same attributes and removing the header, nothing else. Each
// iteration works on a fresh copy of the batch; the copy is part of both.
func BenchmarkBatch(b *testing.B) {
	batch := benchfixture.Batch(benchfixture.JWTs(benchfixture.Tokens))
	fresh := ptrace.NewTraces()

	b.Run("floor", func(b *testing.B) {
		// Precomputed outputs per token: the floor pays only for pdata writes.
		out := map[string][2]string{}
		benchfixture.ReportPerSpan(b, func() {
			batch.CopyTo(fresh)
			benchfixture.Floor(fresh, out)
		})
	})
	b.Run("token_audit_warm", func(b *testing.B) {
		cfg := testConfig()
		cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: benchfixture.HMACSecret}}}
		p := benchProcessor(b, cfg)
		batch.CopyTo(fresh)
		_, _ = p.processTraces(context.Background(), fresh) // warm the cache
		benchfixture.ReportPerSpan(b, func() {
			batch.CopyTo(fresh)
			_, _ = p.processTraces(context.Background(), fresh)
		})
	})
	b.Run("copy_only", func(b *testing.B) {
		benchfixture.ReportPerSpan(b, func() { batch.CopyTo(fresh) })
	})
}

// firstSightConfig verifies HS256 and caches nothing, so every lookup is
// the first sight of a token.
func firstSightConfig() *Config {
	cfg := testConfig()
	cfg.Cache.MaxEntries = 0
	cfg.JWT = JWTConfig{Verify: true, Algorithms: []string{"HS256"}, HMACSecrets: []HMACSecretConfig{{KeyID: "k1", Secret: benchfixture.HMACSecret}}}
	return cfg
}

// BenchmarkFirstSightJWT is what a token never seen before costs: parse the
// header value and the JWT, HMAC fingerprint, HS256 verification.
func BenchmarkFirstSightJWT(b *testing.B) {
	toks := benchfixture.JWTs(4096)
	values := make([]string, len(toks))
	for i, t := range toks {
		values[i] = "Bearer " + t
	}
	p := benchProcessor(b, firstSightConfig())
	sc := p.beginBatch(context.Background())
	defer p.endBatch(context.Background(), sc)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cv := p.lookupHeader(values[i%len(values)], kindAuthorization, sc)
		if cv.info == nil || !cv.info.verified {
			b.Fatal("token not verified")
		}
		i++
	}
}

// BenchmarkFirstSightSpan is a whole span whose token is new: the above
// plus scrubbing and writing the contract attributes.
func BenchmarkFirstSightSpan(b *testing.B) {
	toks := benchfixture.JWTs(4096)
	p := benchProcessor(b, firstSightConfig())
	spans := make([]ptrace.Span, len(toks))
	for i, t := range toks {
		spans[i] = benchfixture.SpanWithoutCredential()
		putHeader(spans[i].Attributes(), "authorization", "Bearer "+t)
	}
	sc := p.beginBatch(context.Background())
	defer p.endBatch(context.Background(), sc)
	s := ptrace.NewSpan()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		spans[i%len(spans)].CopyTo(s)
		i++
		p.auditItem(item{attrs: s.Attributes(), eventTime: now}, nil, sc)
	}
}

// BenchmarkNoCredential is a span without a credential: it must not allocate.
func BenchmarkNoCredential(b *testing.B) {
	p := benchProcessor(b, testConfig())
	span := benchfixture.SpanWithoutCredential()
	sc := p.beginBatch(context.Background())
	defer p.endBatch(context.Background(), sc)
	b.ReportAllocs()
	for b.Loop() {
		p.auditItem(item{attrs: span.Attributes(), eventTime: now}, nil, sc)
	}
}

// BenchmarkCacheEntryBytes states the memory one cached token costs (heap
// growth over 20,000 cached 400–900 byte JWTs, divided by the count).
func BenchmarkCacheEntryBytes(b *testing.B) {
	const n = 20_000
	toks := benchfixture.JWTs(n)
	for b.Loop() {
		cfg := testConfig()
		cfg.Cache.MaxEntries = 2 * n // room in every shard: nothing evicted
		p := benchProcessor(b, cfg)
		sc := p.beginBatch(context.Background())
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, tok := range toks {
			sc.findings = sc.findings[:0]
			p.lookupHeader("Bearer "+tok, kindAuthorization, sc)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		p.endBatch(context.Background(), sc)
		require.Equal(b, n, p.cache.len())
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/entry")
	}
}
