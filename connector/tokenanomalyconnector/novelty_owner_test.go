package tokenanomalyconnector

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// hourlySessions is owner's new token each hour from from, for hours
// hours (tok_<owner>_<hour>), calling each of resources twice from
// client, with scopes.
func hourlySessions(owner, client string, from time.Time, hours int, scopes []string, resources ...string) []item {
	return sessions(owner, client, from, time.Hour, hours, scopes, resources...)
}

// sessions is hourlySessions with a session every step.
func sessions(owner, client string, from time.Time, step time.Duration, n int, scopes []string, resources ...string) []item {
	var items []item
	for h := range n {
		tok := fmt.Sprintf("tok_%s_%d", owner, h)
		at := from.Add(time.Duration(h) * step)
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
	type probe struct {
		glance, flagged, anonymous bool   // one call of admin; the processor flagged it; no principal
		then                       string // a resource the session calls after admin
	}
	tests := []struct {
		name       string
		history    int      // hours of the owner's sessions before (-n: see below)
		ownerCalls bool     // an earlier session of the owner called admin
		peers      int      // other principals that called admin
		peerScopes []string // their scopes
		probe      probe
		want       int
	}{
		{"never called by anyone", 40, false, 0, nil, probe{}, 1},
		{"called by fewer peers than youngResourcePeers", 40, false, youngResourcePeers - 1, app, probe{}, 1},
		{"called by youngResourcePeers peers", 40, false, youngResourcePeers, app, probe{}, 0},
		{"called by many principals of another role", 40, false, 8, []string{"admin"}, probe{}, 1},
		{"called by the owner's earlier session", 40, true, 0, nil, probe{}, 0},
		{"owner without history", 3, false, 0, nil, probe{}, 0},
		{"an owner settled by its requests, not its hours", -8, false, 0, nil, probe{}, 1},
		{"one glance", 40, false, 0, nil, probe{glance: true}, 0},
		{"a token without an owner", 40, false, 0, nil, probe{anonymous: true}, 0},
		{"flagged by the processor: its verdict is the alert of one call", 40, false, 0, nil, probe{glance: true, flagged: true}, 0},
		{"flagged by the processor: a session", 40, false, 0, nil, probe{flagged: true}, 1},
		{"a flagged call is not the owner's novelty", 40, false, 0, nil, probe{glance: true, flagged: true, then: "GET /team/{id}/billing"}, 1},
		{"an unflagged glance is: the next new resource waits", 40, false, 0, nil, probe{glance: true, then: "GET /team/{id}/billing"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := t0.Add(-time.Duration(tt.history) * time.Hour)
			items := hourlySessions("u1", "198.51.100.1", from, tt.history, app, "GET /orders", "GET /profile")
			if tt.history < 0 { // -n: n sessions four hours apart, 8 active hours over 28
				from = t0.Add(-32 * time.Hour)
				items = sessions("u1", "198.51.100.1", from, 4*time.Hour, -tt.history, app, "GET /orders", "GET /profile")
			}
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
			calls := newResourceCalls()
			if tt.probe.glance {
				calls = 1
			}
			at := t0.Add(time.Hour) // a new session: its usual route, then admin, then maybe another
			session := steady("tok_u1_new", "198.51.100.1", "GET /orders", at, time.Minute, newResourceCalls())
			for _, it := range steady("tok_u1_new", "198.51.100.1", admin, at.Add(5*time.Minute), time.Minute, calls) {
				if tt.probe.flagged {
					it.violations = []string{auditattr.ViolationScope}
				}
				session = append(session, it)
			}
			if tt.probe.then != "" {
				session = append(session, steady("tok_u1_new", "198.51.100.1", tt.probe.then, at.Add(10*time.Minute), time.Minute, newResourceCalls())...)
			}
			for i := range session {
				session[i].principal, session[i].scopes = "u1", app
				if tt.probe.anonymous {
					session[i].principal = ""
				}
			}
			h.send(session...)
			got := h.alertsOf(auditattr.FindingNewResource)
			if assert.Len(t, got, tt.want) && tt.want > 0 {
				assert.Contains(t, got[0].Body().Str(), "its owner, with any token,")
			}
		})
	}
}

// TestNewResourceByOwnerAfterUpgrade: state saved by a version that kept
// no (owner, resource) pairs has owners with a long history and a
// first-seen filter without their pairs; loaded without owner_resources,
// the owners' resources are learned anew, so an owner's usual route is not
// news. Without that, it would be (the control case).
func TestNewResourceByOwnerAfterUpgrade(t *testing.T) {
	app := []string{"app"}
	for _, tt := range []struct {
		name    string
		relearn bool
		want    int
	}{
		{"loaded without owner_resources", true, 0},
		{"control: the owners' saved history kept as it was", false, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(hourlySessions("u1", "198.51.100.1", t0.Add(-40*time.Hour), 40, app, "GET /orders", "GET /profile")...)
			m := h.model
			m.mu.Lock()
			m.novelty = newMemberSet(m.noveltyCap) // the older version's filter: no owner pairs
			if tt.relearn {
				require.NoError(t, m.loadOwnerResources(nil, m.principalRates, m.watermark))
			}
			m.mu.Unlock()
			probe := steady("tok_u1_new", "198.51.100.1", "GET /orders", t0.Add(time.Hour), time.Minute, newResourceCalls())
			for i := range probe {
				probe[i].principal, probe[i].scopes = "u1", app
			}
			h.send(probe...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
		})
	}
}

// TestOwnerResourcesRelearned: owner_resources missing or unreadable
// makes every owner's resources new from the load's watermark.
func TestOwnerResourcesRelearned(t *testing.T) {
	for _, data := range [][]byte{nil, {1, 0, 0, 0, 9}} {
		rates := newTable(10, principalRateAge)
		*putTestOwner(rates, 42) = principalRate{firstSeen: 5, activeHours: 90, resQuiet: 300, resNovel: 4}
		m := &model{logger: zap.NewNop()}
		require.NoError(t, m.loadOwnerResources(data, rates, 7_000))
		assert.Equal(t, principalRate{firstSeen: 5, activeHours: 90, resNovelAt: 7}, *rates.get(42))
	}
}

// TestResourcePeersAcrossGenerations: a route that many principals call
// keeps at least youngResourcePeers peers in every generation of the
// first-seen filter, though its count stops past that (the previous
// generation's count must not keep the current one from counting).
func TestResourcePeersAcrossGenerations(t *testing.T) {
	h := newHarness(t, testConfig())
	m := h.model
	m.mu.Lock()
	defer m.mu.Unlock()
	call := func(principal string) int {
		ev := &event{tokenID: "tok_" + principal, principal: principal, resource: "GET /orders"}
		ev.setKeys()
		peers, _ := m.resourcePopulation(ev, ev.key)
		return peers
	}
	m.novelty.genStart = 1 // started: the next rotate rotates
	for gen := range 4 {
		// A newcomer's first call opens the generation: it sees the
		// route's peers of the generation before.
		if peers := call(fmt.Sprintf("newcomer%d", gen)); gen > 0 {
			assert.GreaterOrEqual(t, peers, youngResourcePeers, "generation %d", gen)
		}
		for p := range 10 {
			call(fmt.Sprintf("u%d", p))
		}
		m.novelty.rotate(m.novelty.genStart+1, 0, m.noveltyCap) // forget_after 0: rotate now
		m.population.rotate()
	}
}

// TestOwnerResourcesRestart: the owners' resource novelty survives a
// restart; state saved without owner_resources (an older version) loads
// with every owner's resources new from the load.
func TestOwnerResourcesRestart(t *testing.T) {
	app := []string{"app"}
	for _, tt := range []struct {
		name      string
		dropKey   bool
		wantNovel bool // resNovelAt as saved, not the load's watermark
	}{
		{"saved and loaded", false, true},
		{"saved by a version without owner_resources", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := component.MustNewID("mapstorage")
			store := &mapStorage{}
			cfg := testConfig()
			cfg.Storage = &id
			h := newHarnessWithHost(t, cfg, storageHost{id: id, ext: store})
			h.send(hourlySessions("u1", "198.51.100.1", t0.Add(-40*time.Hour), 40, app, "GET /orders", "GET /profile")...)
			key := hashString(seedOwner, "u1")
			before := *h.model.principalRates.get(key)
			require.NotZero(t, before.resNovel)
			h.stop()
			if tt.dropKey {
				require.NoError(t, store.client.Delete(context.Background(), keyOwnerResources))
			}

			h2 := newHarnessWithHost(t, cfg, storageHost{id: id, ext: store})
			after := h2.model.principalRates.get(key)
			require.NotNil(t, after)
			if tt.wantNovel {
				assert.Equal(t, before, *after)
			} else {
				assert.Equal(t, uint32(h2.model.watermark/1000), after.resNovelAt)
				assert.Zero(t, after.resNovel)
			}
		})
	}
}
