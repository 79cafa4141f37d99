package tokenauditprocessor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkScanPresented is what the presented-key scan adds to a URL and
// a log line: with no key remembered (the scan is off), and with one
// registered key remembered, the value holding it or not.
func BenchmarkScanPresented(b *testing.B) {
	const path = "/v1/payments/510544958/captures?expand=balance_transaction&limit=20"
	line := "2026-11-21T15:48:30Z WARN note added to merchant m_01038 by agent.kowalski (request 7f1c2a9e-4b6d-4e1f-9a3b-0c5d8e7f6a1b): " +
		"merchant says the plugin update broke checkout, see ticket SUP-48213 and trace 4bf92f3577b34da6a3ce929d0e0e4736"
	for _, remembered := range []bool{false, true} {
		cfg := testConfig()
		if remembered {
			cfg.PolicyFile = filepath.Join(b.TempDir(), "policy.yaml")
			require.NoError(b, os.WriteFile(cfg.PolicyFile, []byte("registry:\n  tokens:\n    - id: "+tokenID(b, presentedKey)+"\n"), 0o600))
		}
		p := benchProcessor(b, cfg)
		if remembered {
			td := ptrace.NewTraces()
			a := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
			putHeader(a, "x-api-key", presentedKey)
			_, err := p.processTraces(context.Background(), td)
			require.NoError(b, err)
			require.True(b, p.cache.anyPresented(), "the registered key was not remembered")
		}
		name := map[bool]string{false: "none_remembered", true: "one_remembered"}[remembered]
		for _, tc := range []struct {
			name string
			s    string
			kind valueKind
		}{
			{"url", path, kindURL},
			{"log_line", line, kindText},
			{"log_line_with_key", strings.Replace(line, "ticket SUP-48213", "key "+presentedKey, 1), kindText},
		} {
			b.Run(name+"/"+tc.name, func(b *testing.B) {
				sc := p.beginBatch(context.Background())
				b.ReportAllocs()
				for b.Loop() {
					sc.findings = sc.findings[:0]
					_, _ = p.scrubString(tc.s, tc.kind, "log.body", sc)
				}
			})
		}
	}
}
