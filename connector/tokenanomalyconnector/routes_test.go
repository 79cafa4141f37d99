package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestNewRouteAdoption: a release's route, first called by the org after
// days of watching, taken up by tenants six hours apart (no cohort holds
// two): once four other owners took it up, the next owners' first calls
// from their usual networks are adoption, not news. A thief calling it
// from a network new to the token still alerts, and a route the org
// called from the start is news to each token as before.
func TestNewRouteAdoption(t *testing.T) {
	release := t0.Add(4 * 24 * time.Hour)
	tenants := func(n int, route string, thiefFrom string) []item {
		var out []item
		for i := range n {
			tok, home := fmt.Sprintf("tok_tenant%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
			habit := steady(tok, home, "GET /orders", t0, 15*time.Minute, 6*24*4)
			from := home
			if i == n-1 && thiefFrom != "" {
				from = thiefFrom
			}
			call := steady(tok, from, route, release.Add(time.Duration(i)*6*time.Hour), time.Minute, 3)
			out = append(out, withPrincipal(append(habit, call...), fmt.Sprintf("tenant-%d", i))...)
		}
		// The old route, called by another tenant from the start.
		out = append(out, withPrincipal(steady("tok_old", "198.51.100.99", "GET /v2/devices/{id}/diagnostics", t0, time.Hour, 24), "tenant-old")...)
		slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
		return out
	}
	tests := []struct {
		name         string
		items        []item
		want, shared int
	}{
		{"six tenants take up a new route", tenants(6, "POST /v1/ingest/{id}/events", ""), 4, 2},
		{"the sixth from a network new to it", tenants(6, "POST /v1/ingest/{id}/events", "192.0.2.77"), 5, 1},
		{"a route the org called from the start", tenants(6, "GET /v2/devices/{id}/diagnostics", ""), 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
			h.sendAndRaise(tt.items)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
			if tt.shared > 0 {
				assert.Equal(t, int64(tt.shared), sharedOf(t, tel, auditattr.FindingNewResource))
			}
		})
	}
}

// TestAdoptionIsTheOwnersEvent: the sixth tenant takes up the org's new
// route with its month-end pull, a surge; its first call is adoption, so
// the surge that follows within the hour is its part in the org's event,
// not news. The same pull of a route the org called from the start
// alerts.
func TestAdoptionIsTheOwnersEvent(t *testing.T) {
	release := t0.Add(4 * 24 * time.Hour)
	build := func(route string) []item {
		var out []item
		for i := range 6 {
			tok, home := fmt.Sprintf("tok_tenant%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
			habit := steady(tok, home, "GET /orders", t0, 15*time.Minute, 6*24*4)
			call := steady(tok, home, route, release.Add(time.Duration(i)*6*time.Hour), time.Minute, 3)
			if i == 5 {
				call = steady(tok, home, route, release.Add(time.Duration(i)*6*time.Hour), 2*time.Second, 90)
			}
			out = append(out, withPrincipal(append(habit, call...), fmt.Sprintf("tenant-%d", i))...)
		}
		out = append(out, withPrincipal(steady("tok_old", "198.51.100.99", "GET /reports/old", t0, time.Hour, 24), "tenant-old")...)
		slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
		return out
	}
	for _, tt := range []struct {
		name  string
		route string
		want  int
	}{
		{"the org's new route", "GET /reports/monthly", 0},
		{"a route the org called from the start", "GET /reports/old", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.sendAndRaise(build(tt.route))
			n := 0
			for _, a := range h.alertsOf(auditattr.FindingRateSurge) {
				if a.Attributes().AsRaw()[auditattr.TokenID] == "tok_tenant5" {
					n++
				}
			}
			assert.Equal(t, tt.want, n, "tok_tenant5's rate_surge alerts")
		})
	}
}
