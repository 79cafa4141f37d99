package fieldsim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// telemetry is how a service reports its requests.
type telemetry int

const (
	// otelGo: the Go SDK's otelhttp server spans, headers as string arrays.
	otelGo telemetry = iota
	// otelJS: the JS SDK's http instrumentation, the same conventions.
	otelJS
	// accessLog: an nginx JSON access log read by file_log: one log record
	// per request, attributes mapped as docs/access-logs.md shows.
	accessLog
)

// service is one API of the org.
type service struct {
	name      string
	host      string
	telemetry telemetry
	// behindGateway: the socket peer is the API gateway; the
	// instrumentation sets client.address from X-Forwarded-For.
	behindGateway bool
	routes        []*route
	// incidents are event-time intervals (unix s) with a high 5xx rate.
	incidents [][2]int64
	// backlogs are intervals (unix s) when the service's exports could not
	// reach the collector (a network partition, a collector restart): its
	// sending queue delivers them all when the interval ends.
	backlogs [][2]int64
}

// route is one operation of a service. scope is the policy scope that
// governs it ("" for an API the policy says nothing about).
type route struct {
	svc      *service
	method   string
	template string // http.route
	scope    string
	idKind   int // how path parameters look: 0 numeric, 1 uuid-like, 2 key name
	// restricted routes are in the policy's restricted list: only the
	// named principals call them.
	restricted bool
}

func (r *route) resource() string { return r.method + " " + r.template }

// path fills the route's parameters the way real requests do.
func (r *route) path(rng *rand.Rand) string {
	out := make([]byte, 0, len(r.template)+16)
	for i := 0; i < len(r.template); i++ {
		c := r.template[i]
		if c != '{' {
			out = append(out, c)
			continue
		}
		for i < len(r.template) && r.template[i] != '}' {
			i++
		}
		switch r.idKind {
		case 0:
			out = fmt.Appendf(out, "%d", 1000+rng.IntN(900000))
		case 1:
			out = fmt.Appendf(out, "%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1))
		default:
			out = append(out, []string{"retention", "sso", "quota", "theme"}[rng.IntN(4)]...)
		}
	}
	return string(out)
}

// The org's scopes, as its API documentation defines them.
const (
	scopeOrdersRead  = "orders:read"
	scopeOrdersWrite = "orders:write"
	scopeUsersRead   = "users:read"
	scopeUsersWrite  = "users:write"
	scopeReports     = "reports"
	scopeAdmin       = "admin"
	scopeFiles       = "files"
)

func newServices() []*service {
	type rt struct {
		method, template, scope string
		idKind                  int
	}
	def := func(name string, tel telemetry, gw bool, routes ...rt) *service {
		s := &service{name: name, host: name + ".acme.example", telemetry: tel, behindGateway: gw}
		for _, r := range routes {
			s.routes = append(s.routes, &route{svc: s, method: r.method, template: r.template, scope: r.scope, idKind: r.idKind,
				restricted: r.method == "DELETE" && strings.HasPrefix(r.template, "/admin/")})
		}
		return s
	}
	return []*service{
		def("orders-api", otelGo, true,
			rt{"GET", "/orders", scopeOrdersRead, 0}, rt{"GET", "/orders/{id}", scopeOrdersRead, 0},
			rt{"POST", "/orders", scopeOrdersWrite, 0}, rt{"PUT", "/orders/{id}", scopeOrdersWrite, 0},
			rt{"DELETE", "/orders/{id}", scopeOrdersWrite, 0}),
		def("users-api", otelJS, true,
			rt{"GET", "/users/{id}", scopeUsersRead, 1}, rt{"PATCH", "/users/{id}", scopeUsersWrite, 1},
			rt{"GET", "/users/{id}/sessions", scopeUsersRead, 1}),
		def("reports-api", otelGo, false,
			rt{"GET", "/reports", scopeReports, 0}, rt{"GET", "/reports/{id}/download", scopeReports, 0}),
		def("admin-api", otelGo, true,
			rt{"GET", "/admin/audit", scopeAdmin, 0}, rt{"PUT", "/admin/settings/{key}", scopeAdmin, 2},
			rt{"DELETE", "/admin/users/{id}", scopeAdmin, 1}),
		// billing and search are not governed by any scope: the services
		// decide access themselves (and answer 403).
		def("billing-api", otelJS, true,
			rt{"GET", "/v2/billing/invoices", "", 0}, rt{"GET", "/v2/billing/invoices/{id}", "", 1},
			rt{"POST", "/v2/billing/payments", "", 0}, rt{"GET", "/v2/billing/export", "", 0}),
		def("search-api", otelJS, false,
			rt{"GET", "/search", "", 0}, rt{"GET", "/search/suggest", "", 0}, rt{"POST", "/search/reindex", "", 0}),
		def("files-legacy", accessLog, false,
			rt{"GET", "/files/{id}", scopeFiles, 0}, rt{"PUT", "/files/{id}", scopeFiles, 0}),
	}
}

// routesByScope lists the routes each scope allows, and the ungoverned ones under "".
func routesByScope(svcs []*service) map[string][]*route {
	m := map[string][]*route{}
	for _, s := range svcs {
		for _, r := range s.routes {
			m[r.scope] = append(m[r.scope], r)
		}
	}
	return m
}
