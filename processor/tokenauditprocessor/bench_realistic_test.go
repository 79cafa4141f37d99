package tokenauditprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/internal/loadtraffic"
)

// realisticSecret signs the load generator's demo JWTs in the benchmark.
// A fixture, not a credential.
const realisticSecret = "bench-realistic-secret-of-32-bytes-or-more"

// realisticRequests are requests of make bench-e2e's traffic (benchfixture.Spans
// each, docs/BENCHMARKS.md), drawn from one sender.
func realisticRequests(b *testing.B, n int, at time.Time) []ptrace.Traces {
	tr, err := loadtraffic.New(10_000, []byte(realisticSecret), "demo", at, 1)
	require.NoError(b, err)
	s := tr.Stream(7)
	reqs := make([]ptrace.Traces, n)
	for i := range reqs {
		reqs[i] = s.Request(benchfixture.Spans, at)
	}
	return reqs
}

// BenchmarkRealisticTraffic is token_audit as config.yaml runs it (HS256
// verification of the demo issuer, the example policy) on bench-e2e's
// traffic, cache warm: the per-span cost behind its end-to-end figure.
// Each iteration decodes one request from its OTLP protobuf, as the
// receiver hands it over (attribute maps exactly as long as they were
// sent), and processes it; decode_only is the decoding alone, to subtract.
func BenchmarkRealisticTraffic(b *testing.B) {
	at := time.Now()
	reqs := realisticRequests(b, 8, at)
	wire := make([][]byte, len(reqs))
	for i, r := range reqs {
		var err error
		wire[i], err = (&ptrace.ProtoMarshaler{}).MarshalTraces(r)
		require.NoError(b, err)
	}
	decode := func(i int) ptrace.Traces {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(wire[i%len(wire)])
		if err != nil {
			b.Fatal(err)
		}
		return td
	}
	cfg := testConfig()
	cfg.PolicyFile = "../../policy.yaml"
	cfg.JWT = JWTConfig{Verify: true, HMACSecrets: []HMACSecretConfig{{KeyID: "demo", Secret: realisticSecret}}}
	require.NoError(b, cfg.Validate())
	p := benchProcessor(b, cfg)
	fresh := ptrace.NewTraces()
	for _, r := range reqs { // warm the cache and check the JWTs verify
		r.CopyTo(fresh)
		_, err := p.processTraces(context.Background(), fresh)
		require.NoError(b, err)
	}
	requireVerified(b, fresh)
	b.Run("token_audit", func(b *testing.B) {
		i := 0
		benchfixture.ReportPerSpan(b, func() {
			_, _ = p.processTraces(context.Background(), decode(i))
			i++
		})
	})
	b.Run("decode_only", func(b *testing.B) {
		i := 0
		benchfixture.ReportPerSpan(b, func() {
			decode(i)
			i++
		})
	})
}

// requireVerified fails unless td's JWT spans carry a verified principal,
// so the benchmark measures verification, not its failure.
func requireVerified(b *testing.B, td ptrace.Traces) {
	jwts := 0
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				if typ, ok := s.Attributes().Get(auditattr.TokenType); !ok || typ.Str() != auditattr.TypeJWT {
					continue
				}
				jwts++
				if _, ok := s.Attributes().Get(auditattr.PrincipalID); !ok {
					b.Fatalf("a JWT span without a principal: %v", s.Attributes().AsRaw())
				}
				if v, ok := s.Attributes().Get(auditattr.Violations); ok {
					b.Fatalf("a demo JWT with violations %v", v.AsRaw())
				}
			}
		}
	}
	require.Greater(b, jwts, 600, "JWT spans in a 1,000-span request")
}
