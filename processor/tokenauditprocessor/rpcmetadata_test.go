package tokenauditprocessor

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestRPCMetadataCredentials: gRPC and Connect RPC instrumentations record
// the request's metadata as rpc.grpc.request.metadata.<key> (and
// rpc.connect_rpc…, rpc.request.metadata… in the newer conventions), a
// string array: authorization and x-api-key there are the request's
// credential headers, read, fingerprinted and scrubbed as HTTP's are, and
// the call gets its resource and outcome. A credential in the response's
// metadata or headers is scrubbed too, and exposed. No raw credential
// survives in any attribute.
func TestRPCMetadataCredentials(t *testing.T) {
	jwt := userJWT(t, now)
	const other = "ghp_" + "Q9w8E7r6T5y4U3i2O1p0" + "Q9w8E7r6T5y4U3"
	grpcServer := func(m pcommon.Map) {
		m.PutStr("rpc.system", "grpc")
		m.PutStr("rpc.service", "acme.inventory.v1.Inventory")
		m.PutStr("rpc.method", "Reserve")
		m.PutStr("net.sock.peer.addr", "10.0.5.9")
		m.PutStr("client.address", "198.18.7.7")
	}
	tests := []struct {
		name        string
		fill        func(pcommon.Map)
		wantID      string // the primary token
		wantSource  string
		wantOutcome string
		wantExposed string   // token.exposed_in
		wantOthers  []string // exposed.in
	}{
		{"gRPC request metadata authorization (a string array)", func(m pcommon.Map) {
			grpcServer(m)
			m.PutInt("rpc.grpc.status_code", 16)
			m.PutEmptySlice("rpc.grpc.request.metadata.authorization").AppendEmpty().SetStr("Bearer " + jwt)
		}, jwt, "rpc.grpc.request.metadata.authorization", auditattr.OutcomeFailure, "", nil},
		{"gRPC request metadata x-api-key", func(m pcommon.Map) {
			grpcServer(m)
			m.PutInt("rpc.grpc.status_code", 7)
			m.PutEmptySlice("rpc.grpc.request.metadata.x-api-key").AppendEmpty().SetStr(other)
		}, other, "rpc.grpc.request.metadata.x-api-key", auditattr.OutcomeDenied, "", nil},
		{"RPC conventions' generic names: rpc.request.metadata, rpc.response.status_code", func(m pcommon.Map) {
			m.PutStr("rpc.system.name", "grpc")
			m.PutStr("rpc.method", "acme.inventory.v1.Inventory/Reserve")
			m.PutStr("rpc.response.status_code", "OK")
			m.PutEmptySlice("rpc.request.metadata.authorization").AppendEmpty().SetStr("Bearer " + jwt)
		}, jwt, "rpc.request.metadata.authorization", auditattr.OutcomeSuccess, "", nil},
		{"Connect RPC request metadata, error code", func(m pcommon.Map) {
			m.PutStr("rpc.system", "connect_rpc")
			m.PutStr("rpc.service", "acme.inventory.v1.Inventory")
			m.PutStr("rpc.method", "Reserve")
			m.PutStr("rpc.connect_rpc.error_code", "unauthenticated")
			m.PutEmptySlice("rpc.connect_rpc.request.metadata.authorization").AppendEmpty().SetStr("Bearer " + jwt)
		}, jwt, "rpc.connect_rpc.request.metadata.authorization", auditattr.OutcomeFailure, "", nil},
		{"a token handed out in the response metadata: exposed, not the caller's", func(m pcommon.Map) {
			grpcServer(m)
			m.PutInt("rpc.grpc.status_code", 0)
			m.PutEmptySlice("rpc.grpc.response.metadata.x-auth-token").AppendEmpty().SetStr(other)
			m.PutEmptySlice("rpc.grpc.request.metadata.authorization").AppendEmpty().SetStr("Bearer " + jwt)
		}, jwt, "rpc.grpc.request.metadata.authorization", auditattr.OutcomeSuccess, "", []string{"rpc.grpc.response.metadata.x-auth-token"}},
		{"Connect response metadata alone", func(m pcommon.Map) {
			m.PutEmptySlice("rpc.connect_rpc.response.metadata.authorization").AppendEmpty().SetStr("Bearer " + jwt)
		}, jwt, "rpc.connect_rpc.response.metadata.authorization", auditattr.OutcomeSuccess, "rpc.connect_rpc.response.metadata.authorization", nil},
		{"HTTP response header", func(m pcommon.Map) {
			m.PutStr("http.request.method", "POST")
			m.PutStr("http.route", "/login")
			m.PutInt("http.response.status_code", 200)
			m.PutEmptySlice("http.response.header.x-auth-token").AppendEmpty().SetStr(other)
		}, other, "http.response.header.x-auth-token", auditattr.OutcomeSuccess, "http.response.header.x-auth-token", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			td := ptrace.NewTraces()
			s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			s.SetKind(ptrace.SpanKindServer)
			s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
			tt.fill(s.Attributes())
			require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
			m := firstSpan(h.traces.AllTraces()[0]).Attributes()
			assert.Equal(t, tokenID(t, tt.wantID), attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.wantSource, attrStr(t, m, auditattr.TokenSource))
			assert.Equal(t, tt.wantOutcome, attrStr(t, m, auditattr.Outcome))
			assert.Equal(t, tt.wantExposed, attrStr(t, m, auditattr.TokenExposedIn))
			assert.Equal(t, tt.wantExposed != "", slices.Contains(attrStrings(m, auditattr.Violations), auditattr.ViolationExposedCredential))
			assert.Equal(t, tt.wantOthers, attrStrings(m, auditattr.ExposedIn))
			if _, ok := m.Get("rpc.method"); ok {
				assert.Equal(t, "acme.inventory.v1.Inventory/Reserve", attrStr(t, m, auditattr.Resource))
			}
			if _, ok := m.Get("client.address"); ok {
				assert.Equal(t, "198.18.7.7", attrStr(t, m, auditattr.ClientAddress))
			}
			h.assertNoSecret(t, jwt, other)
		})
	}
}

// TestHeaderCredentialIsPrimary: token.* describe the credential the
// request authenticated with, whatever order the instrumentation wrote
// its attributes in; a URL's or a response's is exposed beside it.
func TestHeaderCredentialIsPrimary(t *testing.T) {
	jwt := userJWT(t, now)
	const other = "ghp_" + "Q9w8E7r6T5y4U3i2O1p0" + "Q9w8E7r6T5y4U3"
	for _, tt := range []struct {
		name       string
		fill       func(pcommon.Map)
		wantSource string
		wantPlaces []string
	}{
		{"URL written before the header", func(m pcommon.Map) {
			m.PutStr("url.full", "https://api/x?api_key="+other)
			putHeader(m, "authorization", "Bearer "+jwt)
		}, "http.request.header.authorization", []string{"url.full"}},
		{"response header written before the request's", func(m pcommon.Map) {
			m.PutStr("http.response.header.x-api-key", other)
			putHeader(m, "authorization", "Bearer "+jwt)
		}, "http.request.header.authorization", []string{"http.response.header.x-api-key"}},
		{"the header's own token in the URL, written first", func(m pcommon.Map) {
			m.PutStr("url.query", "access_token="+jwt)
			putHeader(m, "authorization", "Bearer "+jwt)
		}, "http.request.header.authorization", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			m := h.span(t, now, tt.fill).Attributes()
			assert.Equal(t, tokenID(t, jwt), attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.wantSource, attrStr(t, m, auditattr.TokenSource))
			assert.Equal(t, tt.wantPlaces, attrStrings(m, auditattr.ExposedIn))
			h.assertNoSecret(t, jwt, other)
		})
	}
}
