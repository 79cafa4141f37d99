package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// hourlySessions is owner's new token each hour from from, for hours
// hours (tok_<owner>_<hour>), calling each of resources twice from
// client, with scopes.
func hourlySessions(owner, client string, from time.Time, hours int, scopes []string, resources ...string) []item {
	var items []item
	for h := range hours {
		tok := fmt.Sprintf("tok_%s_%d", owner, h)
		at := from.Add(time.Duration(h) * time.Hour)
		for i, r := range resources {
			for _, it := range steady(tok, client, r, at.Add(time.Duration(i)*10*time.Minute), time.Minute, 2) {
				it.principal, it.scopes = owner, scopes
				items = append(items, it)
			}
		}
	}
	return items
}

// TestNewResourceByOwner: a young token (an hourly session) is judged by
// its owner's resources: its calls of a resource that the owner never
// called with any token within forget_after, and that fewer than
// youngResourcePeers of its peers called, are news once the owner has
// settled; a resource of the owner's earlier sessions, one its peers use,
// or an owner without history is not.
func TestNewResourceByOwner(t *testing.T) {
	const admin = "GET /team/{id}/admin"
	app := []string{"app"}
	tests := []struct {
		name       string
		history    int      // hours of the owner's sessions before
		ownerCalls bool     // an earlier session of the owner called admin
		peers      int      // other principals that called admin
		peerScopes []string // their scopes
		want       int
	}{
		{"never called by anyone", 40, false, 0, nil, 1},
		{"called by fewer peers than youngResourcePeers", 40, false, youngResourcePeers - 1, app, 1},
		{"called by youngResourcePeers peers", 40, false, youngResourcePeers, app, 0},
		{"called by many principals of another role", 40, false, 8, []string{"admin"}, 1},
		{"called by the owner's earlier session", 40, true, 0, nil, 0},
		{"owner without history", 3, false, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := t0.Add(-time.Duration(tt.history) * time.Hour)
			items := hourlySessions("u1", "198.51.100.1", from, tt.history, app, "GET /orders", "GET /profile")
			if tt.ownerCalls {
				items = append(items, hourlySessions("u1", "198.51.100.1", from.Add(-time.Hour), 1, app, admin)...)
			}
			for p := range tt.peers {
				owner := fmt.Sprintf("peer%d", p)
				items = append(items, hourlySessions(owner, "198.51.100.2", t0.Add(-3*time.Hour), 1, tt.peerScopes, admin)...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h := newHarness(t, testConfig())
			h.send(items...)
			var probe []item // a new session: its usual route, then admin
			for _, r := range []string{"GET /orders", admin} {
				probe = append(probe, steady("tok_u1_new", "198.51.100.1", r, t0.Add(time.Hour), time.Minute, newResourceCalls())...)
			}
			for i := range probe {
				probe[i].principal, probe[i].scopes = "u1", app
			}
			h.send(probe...)
			got := h.alertsOf(auditattr.FindingNewResource)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "its owner, with any token,")
			}
		})
	}
}
