package tokenauditprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestCanonicalRoute: one endpoint, one resource, however the framework
// spells its parameters (issue 13: Flask's <int:id> and nginx's {id} made
// new_resource fire for the same endpoint).
func TestCanonicalRoute(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/v2/orders/<int:id>", "/v2/orders/{id}"},
		{"/v2/orders/<id>", "/v2/orders/{id}"},
		{"/files/<path:x>", "/files/{x}"},
		{"/files/<any(a,b):kind>/x", "/files/{kind}/x"},
		{"/v2/orders/:id", "/v2/orders/{id}"},
		{"/v2/orders/:id(\\d+)/items/:item?", "/v2/orders/{id}/items/{item}"},
		{"/v2/orders/{id}", "/v2/orders/{id}"},
		{"/v2/orders/{id:[0-9]+}", "/v2/orders/{id}"},
		{"/v2/orders/{id:[0-9]{3}}/x", "/v2/orders/{id}/x"},
		{"/api/{id:int}/{slug?}/{*path}", "/api/{id}/{slug}/{path}"},
		{"/v1/{name=projects/*/jobs/*}:cancel", "/v1/{name}:cancel"},
		{"/v2/orders", "/v2/orders"},
		{"/a/{…}", "/a/{…}"},
		{"/a/{unclosed", "/a/{unclosed"},
		{"/a:b/x", "/a:b/x"},
		{"/a/:/x", "/a/:/x"},
	} {
		assert.Equal(t, tt.want, canonicalRoute(tt.in), tt.in)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { canonicalRoute("/v2/orders/{id}") }), "a canonical route is not copied")
}

// TestRouteSpellingsOneResource: the resource of a Flask span and of an
// nginx/OpenAPI-style route for the same endpoint is the same.
func TestRouteSpellingsOneResource(t *testing.T) {
	h := newHarness(t, testConfig())
	var got []string
	for _, route := range []string{"/v2/orders/<int:id>", "/v2/orders/{id}", "/v2/orders/:id", "/v2/orders/{id:[0-9]+}"} {
		s := h.span(t, now, func(m pcommon.Map) {
			m.PutStr("http.request.method", "GET")
			m.PutStr("http.route", route)
			putHeader(m, "x-api-key", githubKey)
		})
		got = append(got, attrStr(t, s.Attributes(), auditattr.Resource))
	}
	assert.Equal(t, []string{"GET /v2/orders/{id}", "GET /v2/orders/{id}", "GET /v2/orders/{id}", "GET /v2/orders/{id}"}, got)
}

// FuzzCanonicalRoute: never panics, and a canonical route stays as it is.
func FuzzCanonicalRoute(f *testing.F) {
	for _, s := range []string{"/v2/orders/<int:id>", "/a/:id(\\d+)?/b", "/{id:[0-9]{3}}", "/v1/{name=projects/*}:cancel", "/{*path}", "/<{a}>/:<b>", "{{{", "/:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, route string) {
		once := canonicalRoute(route)
		if twice := canonicalRoute(once); twice != once {
			t.Fatalf("%q: %q, then %q", route, once, twice)
		}
	})
}
