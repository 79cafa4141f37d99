package tokenauditprocessor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// FuzzProcess feeds arbitrary header, URL, address and body values through
// the whole processor. It must never panic, and no credential header value
// may leave unchanged.
func FuzzProcess(f *testing.F) {
	f.Add("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig", "/p?access_token=abc&x=1", "10.0.0.1", "Authorization: Bearer abcdefabcdef", "GET", "/users/42")
	f.Add("Basic Ym9iOnB3", "https://u:p@h/x?api_key=k", "[::1]:80", `{"a":1}`, "DELETE", "")
	f.Add("Basic !!!", "?", "999.1.1.1", "\xff\xfe", "", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, Signature=ab", "X-Amz-Signature=ff", "", "", "PUT", "/%zz")
	f.Add("eyJ.eyJ.x.y.z", "&&&==", "1.2.3.4, 5.6.7.8", strings.Repeat("eyJ", 100), "get", "//")
	f.Add("token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "https://x-access-token:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/acme-corp/infra.git", "", "git fetch https://deploy:s3cr3t@git.example.com/x.git", "GET", "/v2/orders/<int:id>/{x:[0-9]{2}}/:y(\\d+)?")
	f.Add("Bearer prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5", "https://api/v1/keys/prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5.", "", "key='prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5'. prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5..", "GET", "/")
	// The registry lists the seed's opaque key, so the presented-key scan
	// (presented.go) runs on the bodies and URLs that hold it.
	registry := filepath.Join(f.TempDir(), "policy.yaml")
	if err := os.WriteFile(registry, []byte("registry:\n  tokens:\n    - id: "+tokenID(f, "prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5")+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, hdr, url, addr, body, method, path string) {
		cfg := testConfig()
		cfg.PolicyFile = registry
		cfg.Client.TrustedProxies = []string{"10.0.0.0/8"}
		p, err := newStandalone(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.start(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = p.shutdown(context.Background()) }()

		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		a := s.Attributes()
		a.PutStr("http.request.header.authorization", hdr)
		a.PutEmptySlice("rpc.grpc.request.metadata.authorization").AppendEmpty().SetStr(hdr)
		a.PutStr("url.full", url)
		a.PutStr("network.peer.address", addr)
		a.PutStr("http.request.header.x-forwarded-for", addr)
		a.PutStr("http.request.method", method)
		a.PutStr("url.path", path)
		if _, err := p.processTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(hdr) != "" {
			if v, ok := a.Get("http.request.header.authorization"); ok && v.Str() == hdr {
				t.Fatalf("authorization header left unchanged")
			}
			if v, ok := a.Get("rpc.grpc.request.metadata.authorization"); ok && v.Slice().At(0).Str() == hdr {
				t.Fatalf("gRPC authorization metadata left unchanged")
			}
			// Unknown schemes are redacted but not recorded as a credential.
			if c, ok := p.rules.ParseAuthorization(hdr); ok && c.Type != "" {
				if _, ok := a.Get(auditattr.TokenID); !ok {
					t.Fatal("credentialed item not annotated")
				}
			}
		}

		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Body().SetStr(body)
		lr.Attributes().PutStr("http.request.header.x-api-key", hdr)
		if _, err := p.processLogs(context.Background(), ld); err != nil {
			t.Fatal(err)
		}
	})
}
