package bench

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/internal/benchfixture"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"
)

// The nearest stock contrib pipeline: transform hashes the header with OTTL
// SHA256 into the id attribute and deletes it; redaction then masks any
// credential-shaped value left elsewhere (URLs, other attributes).
var transformConfig = map[string]any{
	"error_mode": "ignore",
	"trace_statements": []any{map[string]any{
		"context": "span",
		"statements": []any{
			`set(attributes["tokenaudit.token.id"], SHA256(attributes["http.request.header.authorization"][0])) where attributes["http.request.header.authorization"] != nil`,
			`delete_key(attributes, "http.request.header.authorization")`,
		},
	}},
}

// transformEquivalentConfig makes OTTL produce the contract attributes that
// stock components can: it decodes the JWT payload with ParseJSON on every
// span (OTTL has no per-token cache), hashes the header, derives resource,
// outcome and client, and deletes the header. It cannot verify signatures.
var transformEquivalentConfig = map[string]any{
	"error_mode": "ignore",
	"trace_statements": []any{map[string]any{
		"context": "span",
		"statements": []any{
			`set(cache["hdr"], attributes["http.request.header.authorization"][0]) where attributes["http.request.header.authorization"] != nil`,
			`set(cache["parts"], Split(cache["hdr"], ".")) where cache["hdr"] != nil`,
			`set(cache["claims"], ParseJSON(Decode(cache["parts"][1], "base64-raw-url"))) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.id"], SHA256(cache["hdr"])) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.type"], "jwt") where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.source"], "http.request.header.authorization") where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.issuer"], cache["claims"]["iss"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.audience"], cache["claims"]["aud"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.jti"], cache["claims"]["jti"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.scopes"], Split(cache["claims"]["scope"], " ")) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.issued_at"], cache["claims"]["iat"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.token.expires_at"], cache["claims"]["exp"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.principal.id"], cache["claims"]["sub"]) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.principal.type"], "user") where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.resource"], Concat([attributes["http.request.method"], attributes["http.route"]], " ")) where cache["hdr"] != nil`,
			`set(attributes["tokenaudit.action"], "read") where cache["hdr"] != nil and attributes["http.request.method"] == "GET"`,
			`set(attributes["tokenaudit.outcome"], "success") where cache["hdr"] != nil and attributes["http.response.status_code"] < 400`,
			`set(attributes["tokenaudit.client.address"], attributes["network.peer.address"]) where cache["hdr"] != nil`,
			`delete_key(attributes, "http.request.header.authorization")`,
		},
	}},
}

var redactionConfig = map[string]any{
	"allow_all_keys": true,
	"summary":        "silent",
	"blocked_values": []any{
		`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,
		`(?i)bearer\s+[A-Za-z0-9._~+/-]+=*`,
		`gh[pousr]_[A-Za-z0-9]{36}`,
		`(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}`,
		`(?:AKIA|ASIA)[A-Z2-7]{16}`,
	},
}

var tokenAuditConfig = map[string]any{
	"fingerprint": map[string]any{"key": "bench-fingerprint-key-0123456789abcdef"},
	"jwt": map[string]any{
		"verify":       true,
		"algorithms":   []any{"HS256"},
		"hmac_secrets": []any{map[string]any{"key_id": "k1", "secret": benchfixture.HMACSecret}},
	},
}

func newProcessor(b *testing.B, f processor.Factory, raw map[string]any, next consumer.Traces) processor.Traces {
	b.Helper()
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		b.Fatal(err)
	}
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			b.Fatal(err)
		}
	}
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, next)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// BenchmarkPipelines runs each pipeline on a fresh copy of the same batch.
// Per-span figures divide by the 1000 spans of a batch.
func BenchmarkPipelines(b *testing.B) {
	batch := benchfixture.Batch(benchfixture.JWTs(benchfixture.Tokens))
	pipelines := []struct {
		name  string
		build func(b *testing.B) consumer.Traces
	}{
		{"copy_only", func(*testing.B) consumer.Traces { return consumertest.NewNop() }},
		{"floor", func(*testing.B) consumer.Traces {
			memo := map[string][2]string{}
			c, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
				benchfixture.Floor(td, memo)
				return nil
			})
			return c
		}},
		{"token_audit", func(b *testing.B) consumer.Traces {
			return newProcessor(b, tokenauditprocessor.NewFactory(), tokenAuditConfig, consumertest.NewNop())
		}},
		{"contrib_transform_sha256+redaction", func(b *testing.B) consumer.Traces {
			red := newProcessor(b, redactionprocessor.NewFactory(), redactionConfig, consumertest.NewNop())
			return newProcessor(b, transformprocessor.NewFactory(), transformConfig, red)
		}},
		{"contrib_transform_same_attributes+redaction", func(b *testing.B) consumer.Traces {
			red := newProcessor(b, redactionprocessor.NewFactory(), redactionConfig, consumertest.NewNop())
			return newProcessor(b, transformprocessor.NewFactory(), transformEquivalentConfig, red)
		}},
	}
	for _, pl := range pipelines {
		b.Run(pl.name, func(b *testing.B) {
			c := pl.build(b)
			fresh := ptrace.NewTraces()
			batch.CopyTo(fresh)
			if err := c.ConsumeTraces(context.Background(), fresh); err != nil { // warm caches
				b.Fatal(err)
			}
			benchfixture.ReportPerSpan(b, func() {
				fresh := ptrace.NewTraces()
				batch.CopyTo(fresh)
				if err := c.ConsumeTraces(context.Background(), fresh); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

var _ component.Config = (*tokenauditprocessor.Config)(nil)
