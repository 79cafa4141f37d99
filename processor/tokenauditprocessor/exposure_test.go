package tokenauditprocessor

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestExposedCredential: a credential outside an authentication header is
// exposed_credential, with the place in tokenaudit.token.exposed_in; one in
// an authentication header, request metadata or an access log's logged
// header field is not.
func TestExposedCredential(t *testing.T) {
	jwt := userJWT(t, now)
	other := "ghp_" + "Q9w8E7r6T5y4U3i2O1p0" + "Q9w8E7r6T5y4U3"
	traces := []struct {
		name      string
		fill      func(ptrace.Traces)
		exposedIn string // "": not exposed
	}{
		{"Authorization header", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
		}, ""},
		{"API-key header, legacy spelling", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("http.request.header.X_API_KEY", githubKey)
		}, ""},
		{"configured credential attribute", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("auth.token", githubKey)
		}, ""},
		{"URL query", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("url.query", "page=2&access_token="+jwt)
		}, "url.query"},
		{"URL userinfo", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("url.full", "https://"+githubKey+"@github.com/o/r.git")
		}, "url.full"},
		{"exception message", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("exception.message", "401 from upstream with key "+githubKey)
		}, "exception.message"},
		{"exception event", func(td ptrace.Traces) {
			firstSpan(td).Events().AppendEmpty().Attributes().PutStr("exception.stacktrace", "at call(Bearer "+jwt+")")
		}, "event.exception.stacktrace"},
		{"exception event printing the request's own key header", func(td ptrace.Traces) { // fieldsim's shape
			sp := firstSpan(td)
			sp.Attributes().PutEmptySlice("http.request.header.x-api-key").AppendEmpty().SetStr(githubKey)
			sp.Events().AppendEmpty().Attributes().PutStr("exception.message",
				"POST https://payments.acme.example/v1/charges: 401 Unauthorized (request headers: X-Api-Key: "+githubKey+")")
		}, "event.exception.message"},
		{"header attribute in an event", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Events().AppendEmpty().Attributes(), "authorization", "Bearer "+jwt)
		}, "event.http.request.header.authorization"},
		{"link", func(td ptrace.Traces) {
			firstSpan(td).Links().AppendEmpty().Attributes().PutStr("http.request.header.x-api-key", githubKey)
		}, "link.http.request.header.x-api-key"},
		{"resource attribute", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("http.request.header.authorization", "Bearer "+jwt)
		}, "resource.http.request.header.authorization"},
		{"resource URL", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("url.full", "https://x/?api_key="+githubKey)
		}, "resource.url.full"},
		{"scope attribute", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Attributes().PutStr("http.request.header.x-api-key", githubKey)
		}, "scope.http.request.header.x-api-key"},
		{"header token also pasted into the URL", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			firstSpan(td).Attributes().PutStr("url.full", "https://api/x?access_token="+jwt)
		}, "url.full"},
		{"header token also in the resource's command line (a worker's own token)", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("process.command_args", "/usr/bin/billing-worker --token="+jwt+" --loop")
		}, "resource.process.command_args"},
		{"header token also in a scope attribute", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Attributes().PutStr("config", "token: "+jwt)
		}, "scope.config"},
		{"header token also in an exception event", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			firstSpan(td).Events().AppendEmpty().Attributes().PutStr("exception.message", "rejected "+jwt)
		}, "event.exception.message"},
		{"another token in the URL: the item's token is not exposed", func(td ptrace.Traces) {
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			firstSpan(td).Attributes().PutStr("url.full", "https://api/x?api_key="+other)
		}, ""},
		{"resource attribute of any name: a command line", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutEmptySlice("process.command_args").FromRaw([]any{"billing", "--github-token", githubKey})
		}, "resource.process.command_args"},
		{"resource attribute of any name: a command line mixing strings and numbers", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutEmptySlice("process.command_args").FromRaw([]any{"billing", "--port", int64(8080), "--github-token", githubKey, true})
		}, "resource.process.command_args"},
		{"resource attribute of any name: an environment variable", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("deployment.env.API_TOKEN", jwt)
		}, "resource.deployment.env.API_TOKEN"},
	}
	for _, tt := range traces {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Sources.Attributes = []string{"auth.token"}
			h := newHarness(t, cfg)
			td := ptrace.NewTraces()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			tt.fill(td)
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := firstSpan(h.traces.AllTraces()[0]).Attributes()
			require.NotEmpty(t, attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.exposedIn != "", slices.Contains(attrStrings(m, auditattr.Violations), auditattr.ViolationExposedCredential),
				"violations %v", attrStrings(m, auditattr.Violations))
			assert.Equal(t, tt.exposedIn, attrStr(t, m, auditattr.TokenExposedIn))
			h.assertNoSecret(t, jwt, githubKey, other)
		})
	}

	logs := []struct {
		name      string
		ctx       context.Context
		fill      func(plog.LogRecord)
		exposedIn string
	}{
		{"access log: the logged Authorization field", context.Background(), func(lr plog.LogRecord) {
			lr.Body().SetEmptyMap().PutStr("authorization", "Bearer "+jwt)
		}, ""},
		{"structured log: a headers map", context.Background(), func(lr plog.LogRecord) {
			lr.Body().SetEmptyMap().PutEmptyMap("headers").PutStr("Authorization", "Bearer "+jwt)
		}, ""},
		{"access log: header moved to its attribute", context.Background(), func(lr plog.LogRecord) {
			lr.Attributes().PutStr("http.request.header.authorization", "Bearer "+jwt)
		}, ""},
		{"access log: query in url.query", context.Background(), func(lr plog.LogRecord) {
			lr.Attributes().PutStr("url.query", "access_token="+jwt)
		}, "url.query"},
		{"access log: query in a body field", context.Background(), func(lr plog.LogRecord) {
			lr.Body().SetEmptyMap().PutStr("args", "access_token="+jwt)
		}, "log.body"},
		{"text log line", context.Background(), func(lr plog.LogRecord) {
			lr.Body().SetStr("calling billing with Authorization: Bearer " + jwt)
		}, "log.body"},
		{"body map key", context.Background(), func(lr plog.LogRecord) {
			lr.Body().SetEmptyMap().PutInt("Authorization: Bearer "+jwt, 1)
		}, "log.body"},
		{"header attribute, the same token in the text body", context.Background(), func(lr plog.LogRecord) {
			lr.Attributes().PutStr("http.request.header.authorization", "Bearer "+jwt)
			lr.Body().SetStr("retrying with " + jwt)
		}, "log.body"},
		{"request metadata: how the sender authenticated", client.NewContext(context.Background(), client.Info{
			Metadata: client.NewMetadata(map[string][]string{"authorization": {"Bearer " + jwt}}),
		}), func(lr plog.LogRecord) { lr.Body().SetStr("hello") }, ""},
	}
	for _, tt := range logs {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			ld := plog.NewLogs()
			tt.fill(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
			require.NoError(t, h.lp.ConsumeLogs(tt.ctx, ld))
			m := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
			require.Equal(t, tokenID(t, jwt), attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.exposedIn != "", slices.Contains(attrStrings(m, auditattr.Violations), auditattr.ViolationExposedCredential),
				"violations %v", attrStrings(m, auditattr.Violations))
			assert.Equal(t, tt.exposedIn, attrStr(t, m, auditattr.TokenExposedIn))
			h.assertNoSecret(t, jwt)
		})
	}
}

// TestExposureIgnoreSources: a source the operator expects credentials in
// (a WebSocket's url.query) is not an exposure; the others still are.
func TestExposureIgnoreSources(t *testing.T) {
	cfg := testConfig()
	cfg.Exposure.IgnoreSources = []string{"url.query"}
	h := newHarness(t, cfg)
	for _, tt := range []struct {
		key  string
		want []string
	}{
		{"url.query", nil},
		{"url.full", []string{auditattr.ViolationExposedCredential}},
	} {
		s := h.span(t, now, func(m pcommon.Map) { m.PutStr(tt.key, "https://x/?api_key="+githubKey) })
		assert.Equal(t, tt.want, attrStrings(s.Attributes(), auditattr.Violations), tt.key)
	}
	assert.Equal(t, int64(1), sumCounter(t, h, "otelcol_token_audit_violations"), "the exposure is counted")
}

// TestOtherCredentialsExposed: every credential of an item found outside
// an authentication header is exposed, not only the one token.* describes:
// the others go in exposed.token_ids and exposed.in, once per token and
// place, from the item and, when it has its own credential, from its
// resource and scope.
func TestOtherCredentialsExposed(t *testing.T) {
	jwt := userJWT(t, now)
	other := "ghp_" + "Q9w8E7r6T5y4U3i2O1p0" + "Q9w8E7r6T5y4U3"
	const opaque = "acme_live_4f9a2c7e1b0d5e6f"
	const awsID, awsSecret = "AKIA" + "IOSFODNN7EXAMPLE", "1fLFnRWkmfdXDsWI62OWN3U7ro7D/GjTyjXhhXnA"
	tests := []struct {
		name       string
		fill       func(ptrace.Traces)
		wantIDs    []string
		wantPlaces []string
	}{
		{"an opaque key as a flag of the resource's command line", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("process.command_args", "/usr/bin/billing-worker --token="+opaque+" --loop")
		}, []string{opaque}, []string{"resource.process.command_args"}},
		{"another token in the URL", func(td ptrace.Traces) {
			firstSpan(td).Attributes().PutStr("url.full", "https://api/x?api_key="+other)
		}, []string{other}, []string{"url.full"}},
		{"another token in an exception, twice", func(td ptrace.Traces) {
			ev := firstSpan(td).Events().AppendEmpty().Attributes()
			ev.PutStr("exception.message", "upstream refused (X-Api-Key: "+other+")")
			ev.PutStr("exception.stacktrace", "at call(X-Api-Key: "+other+")")
		}, []string{other, other}, []string{"event.exception.message", "event.exception.stacktrace"}},
		{"another token in a resource attribute", func(td ptrace.Traces) {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("deployment.env.GITHUB_TOKEN", other)
		}, []string{other}, []string{"resource.deployment.env.GITHUB_TOKEN"}},
		{"a header attribute of the resource is exposed too", func(td ptrace.Traces) {
			putHeader(td.ResourceSpans().At(0).Resource().Attributes(), "x-api-key", other)
		}, []string{other}, []string{"resource.http.request.header.x-api-key"}},
		{"the same token in the header only", func(td ptrace.Traces) {}, nil, nil},
		// The AWS secret access key has no form of its own: its name says
		// it is one, so it is scrubbed, and the access key id beside it is
		// the credential reported (the seventh outside evaluation's leak).
		{"an AWS key pair in an exception", func(td ptrace.Traces) {
			ev := firstSpan(td).Events().AppendEmpty().Attributes()
			ev.PutStr("exception.message", "s3 upload retry with aws_access_key_id="+awsID+" aws_secret_access_key="+awsSecret+" bucket=settlements")
		}, []string{awsID}, []string{"event.exception.message"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			td := ptrace.NewTraces()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			putHeader(firstSpan(td).Attributes(), "authorization", "Bearer "+jwt)
			tt.fill(td)
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := firstSpan(h.traces.AllTraces()[0]).Attributes()
			require.Equal(t, tokenID(t, jwt), attrStr(t, m, auditattr.TokenID))
			assert.NotContains(t, attrStrings(m, auditattr.Violations), auditattr.ViolationExposedCredential, "the item's own token is not exposed")
			var wantIDs []string
			for _, s := range tt.wantIDs {
				wantIDs = append(wantIDs, tokenID(t, s))
			}
			assert.Equal(t, wantIDs, attrStrings(m, auditattr.ExposedTokenIDs))
			assert.Equal(t, tt.wantPlaces, attrStrings(m, auditattr.ExposedIn))
			h.assertNoSecret(t, jwt, other, opaque, awsSecret)
		})
	}
}

// TestMixedArrayKeepsNumbers: a resource's command line that mixes strings
// with numbers is searched; its credential is scrubbed and the numbers stay.
func TestMixedArrayKeepsNumbers(t *testing.T) {
	h := newHarness(t, testConfig())
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	require.NoError(t, rs.Resource().Attributes().PutEmptySlice("process.command_args").FromRaw([]any{"billing", "--port", int64(8080), "--github-token", githubKey, true}))
	rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
	args, ok := h.traces.AllTraces()[0].ResourceSpans().At(0).Resource().Attributes().Get("process.command_args")
	require.True(t, ok)
	got := args.Slice().AsRaw()
	require.Len(t, got, 6)
	assert.Equal(t, []any{"billing", "--port", int64(8080), "--github-token"}, got[:4])
	assert.NotContains(t, got[4], githubKey)
	assert.Equal(t, true, got[5])
	h.assertNoSecret(t, githubKey)
}
