package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// monthEnd is n partners' keys (one owner each unless sameOwner) that
// call their daily report 4 times an hour for two days from their own
// servers, then pull the month's report at 2 calls a minute for 40
// minutes, each starting apart after the one before, from surgeFrom(i).
func monthEnd(n int, apart time.Duration, sameOwner bool, surgeFrom func(i int) string) []item {
	return monthEndWith(n, apart, sameOwner, surgeFrom, auditattr.OutcomeSuccess)
}

// monthEndWith is monthEnd with the pulls' outcome.
func monthEndWith(n int, apart time.Duration, sameOwner bool, surgeFrom func(i int) string, outcome string) []item {
	var out []item
	then := t0.Add(2 * 24 * time.Hour)
	for i := range n {
		tok, owner, home := fmt.Sprintf("tok_partner%d", i), fmt.Sprintf("partner%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
		if sameOwner {
			owner = "partner0"
		}
		habit := steady(tok, home, "GET /reports/daily", t0, 15*time.Minute, 2*24*4)
		pull := steady(tok, surgeFrom(i), "GET /reports/monthly", then.Add(time.Duration(i)*apart), 30*time.Second, 80)
		for i := range pull {
			pull[i].outcome = outcome
		}
		for _, it := range append(habit, pull...) {
			it.principal = owner
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
	return out
}

// TestCohortSharesAnOrgWideEvent: partners pulling the month's report
// together surge and call a route new to them; one owner's surge is news,
// several owners' on their own servers is the org's month-end, raised for
// the first owner only. A surge from networks new to the tokens, one owner's many
// keys and a cohort turned off alert on every token.
func TestCohortSharesAnOrgWideEvent(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	tests := []struct {
		name      string
		items     []item
		cohortOff bool
		// rate_surge and new_resource alerts each, and findings shared each
		want, shared int
		// rate_surge's, when they differ (a surge tipped after its owner
		// joined the event shares, see TestCohortEventSharesTheOwnersOtherFindings)
		wantRate, sharedRate int
	}{
		{"one partner", monthEnd(1, 0, false, own), false, 1, 0, 0, 0},
		{"five partners five minutes apart", monthEnd(5, 5*time.Minute, false, own), false, 1, 4, 0, 0},
		// The second's first calls are held 10 minutes: the third comes too
		// late for them. Its surge, tipped 20 minutes into its pull, comes
		// after the third owner made the report's cohort an event.
		{"five partners twenty minutes apart", monthEnd(5, 20*time.Minute, false, own), false, 2, 3, 1, 4},
		{"five keys of one owner", monthEnd(5, 5*time.Minute, true, own), false, 5, 0, 0, 0},
		{"five partners from networks new to them", monthEnd(5, 5*time.Minute, false, func(i int) string { return fmt.Sprintf("198.51.%d.7", 101+i) }), false, 5, 0, 0, 0},
		{"cohort off", monthEnd(5, 5*time.Minute, false, own), true, 5, 0, 0, 0},
		// Server errors count toward rate_surge but do not teach the token
		// its networks: the pulls' new networks are still not its own.
		{"five partners from new networks, all server errors", monthEndWith(5, 5*time.Minute, false, func(i int) string { return fmt.Sprintf("198.51.%d.7", 101+i) }, auditattr.OutcomeError), false, 5, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			// The mechanics at three owners for both (new_resource's default
			// is four: TestResourceCohortNeedsFourOwners).
			cfg.Detectors.NewResource.Cohort.MinPrincipals = 3
			if tt.cohortOff {
				cfg.Detectors.RateSurge.Cohort.MinPrincipals = 0
				cfg.Detectors.NewResource.Cohort.MinPrincipals = 0
			}
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, cfg, harnessOptions{telemetry: &set})
			h.sendAndRaise(tt.items)
			types := []string{auditattr.FindingRateSurge, auditattr.FindingNewResource}
			if tt.items[len(tt.items)-1].outcome != auditattr.OutcomeSuccess {
				types = types[:1] // new_resource learns from successes only
			}
			for _, typ := range types {
				want, shared := tt.want, tt.shared
				if typ == auditattr.FindingRateSurge && tt.wantRate > 0 {
					want, shared = tt.wantRate, tt.sharedRate
				}
				assert.Len(t, h.alertsOf(typ), want, typ)
				if shared > 0 {
					assert.Equal(t, int64(shared), sharedOf(t, tel, typ), typ)
				}
			}
		})
	}
}

// TestCohortsAreBounded: past maxCohorts a stale cohort is forgotten, or,
// with none stale, one is (counted); a cohort keeps at most
// maxCohortOwners owners.
func TestCohortsAreBounded(t *testing.T) {
	c := newCohorts()
	evicted := 0
	count := func() { evicted++ }
	at := t0.UnixMilli()
	for k := range uint64(maxCohorts) {
		c.join(k+1, 1, at, time.Hour, count)
	}
	assert.Zero(t, evicted)
	c.join(maxCohorts+1, 1, at, time.Hour, count)
	assert.Equal(t, 1, evicted, "none stale: one forgotten, counted")
	assert.Len(t, c.byKey, maxCohorts)
	c.join(maxCohorts+2, 1, at+2*time.Hour.Milliseconds(), time.Hour, count)
	assert.Equal(t, 1, evicted, "stale cohorts go uncounted")
	assert.Len(t, c.byKey, 1)

	for o := range uint64(3 * maxCohortOwners) {
		c.join(7, o+1, at, time.Hour, count)
	}
	require.Len(t, c.byKey[7], maxCohortOwners)

	// Owners in events: the same bound and the same counting.
	for o := range uint64(maxEventOwners) {
		c.events[o+1] = at
	}
	before := evicted
	c.byKey[9] = []cohortMember{{owner: maxEventOwners + 1, at: at}}
	c.markEvent(9, at, time.Hour, count)
	assert.Equal(t, before+1, evicted, "none stale: one owner forgotten, counted")
	assert.Len(t, c.events, maxEventOwners)
	later := at + 2*time.Hour.Milliseconds()
	c.byKey[10] = []cohortMember{{owner: maxEventOwners + 2, at: later}}
	c.markEvent(10, later, time.Hour, count)
	assert.Equal(t, before+1, evicted, "stale owners go uncounted")
	assert.Len(t, c.events, 1)

	// Owners explained for their kind: the same bound, kept two windows.
	for o := range uint64(maxEventOwners) {
		c.explained[o+1] = at
	}
	before = evicted
	c.markExplained(9, at, time.Hour, count)
	assert.Equal(t, before+1, evicted, "none stale: one owner forgotten, counted")
	assert.Len(t, c.explained, maxEventOwners)
	c.markExplained(10, at+90*time.Minute.Milliseconds(), time.Hour, count)
	assert.Equal(t, before+2, evicted, "within two windows: not stale")
	c.byKey[11] = []cohortMember{{owner: maxEventOwners + 3, at: later + time.Hour.Milliseconds()}}
	c.markExplained(11, later+time.Hour.Milliseconds(), time.Hour, count)
	assert.Equal(t, before+2, evicted, "stale owners go uncounted")
	assert.Len(t, c.explained, 2)
	last := uint64(3 * maxCohortOwners)
	assert.Equal(t, maxCohortOwners-1, c.others(7, last, at, time.Hour), "the oldest owners went")
	assert.Zero(t, c.others(7, last, at+2*time.Hour.Milliseconds(), time.Hour), "outside the window")
}

func TestCohortConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"negative", func(c *Config) { c.Detectors.RateSurge.Cohort.MinPrincipals = -1 }, "detectors.rate_surge.cohort.min_principals"},
		{"too many", func(c *Config) { c.Detectors.NewResource.Cohort.MinPrincipals = maxCohortOwners + 1 }, "detectors.new_resource.cohort.min_principals"},
		{"one shares every finding", func(c *Config) { c.Detectors.NewResource.Cohort.MinPrincipals = 1 }, "outside 2.."},
		{"no window", func(c *Config) { c.Detectors.RateSurge.Cohort.Window = 0 }, "rate_surge.cohort.window"},
		{"negative hold", func(c *Config) { c.Detectors.NewResource.Cohort.Hold = -time.Second }, "detectors.new_resource.cohort.hold"},
		{"off_hours' window", func(c *Config) { c.Detectors.OffHours.Cohort.Window = 0 }, "off_hours.cohort.window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.edit(cfg)
			assert.ErrorContains(t, cfg.Validate(), tt.want)
		})
	}
	off := createDefaultConfig().(*Config)
	off.Detectors.RateSurge.Cohort = CohortConfig{}
	assert.NoError(t, off.Validate(), "min_principals 0 turns the cohort off")
}

// sharedOf is otelcol_token_anomaly_findings_shared for one finding type.
func sharedOf(t *testing.T, tel *componenttest.Telemetry, typ string) int64 {
	m, err := tel.GetMetric("otelcol_token_anomaly_findings_shared")
	require.NoError(t, err)
	var n int64
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := p.Attributes.Value("type"); v.AsString() == typ {
			n += p.Value
		}
	}
	return n
}

// TestTokenStateWithinBudget: the hot state per token stays within issue
// 13's 256 bytes (BenchmarkBytesPerToken measures the heap it costs).
func TestTokenStateWithinBudget(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(tokenState{}), uintptr(hotStateBudget))
}

// TestSharedFindingHidesNoLaterOne: a partner whose month-end surge its
// cohort shared, then surging from a thief's server within the hour,
// alerts: a shared finding records no alert to suppress the next one.
func TestSharedFindingHidesNoLaterOne(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	h := newHarness(t, testConfig())
	for b := range slices.Chunk(monthEnd(3, 5*time.Minute, false, own), 200) {
		h.send(b...)
	}
	require.Len(t, h.alertsOf(auditattr.FindingRateSurge), 1, "the first owner's")
	later := t0.Add(2*24*time.Hour + 70*time.Minute)
	h.send(withPrincipal(steady("tok_partner2", "203.0.113.9", "GET /reports/monthly", later, time.Second, 120), "partner2")...)
	got := h.alertsOf(auditattr.FindingRateSurge)
	require.Len(t, got, 2)
	assert.Equal(t, "tok_partner2", str(got[1], auditattr.TokenID))
}

// TestCohortEventSharesTheOwnersOtherFindings: partners whose month-end
// pull is a few calls of the month's report (new to each: their cohort
// forms there) and a surge of each one's own ledger route (a cohort of
// one each). Once the report's cohort reaches three owners, their surges
// are the org's event too; a partner outside it still alerts.
func TestCohortEventSharesTheOwnersOtherFindings(t *testing.T) {
	var items []item
	then := t0.Add(2 * 24 * time.Hour)
	for i := range 6 {
		tok, owner, home := fmt.Sprintf("tok_partner%d", i), fmt.Sprintf("partner%d", i), fmt.Sprintf("198.51.100.%d", 10+i)
		ledger := fmt.Sprintf("GET /ledger/%d", i)
		start := then.Add(time.Duration(i) * 5 * time.Minute)
		partner := steady(tok, home, ledger, t0, 15*time.Minute, 2*24*4)
		if i < 5 { // the sixth surges alone, outside the event
			partner = append(partner, steady(tok, home, "GET /reports/monthly", start, 20*time.Second, 3)...)
		}
		partner = append(partner, steady(tok, home, ledger, start.Add(time.Minute), 30*time.Second, 80)...)
		items = append(items, withPrincipal(partner, owner)...)
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	for _, linked := range []bool{true, false} {
		t.Run(fmt.Sprint("linked=", linked), func(t *testing.T) {
			cfg := testConfig()
			if !linked {
				cfg.Detectors.NewResource.Cohort.MinPrincipals = 0 // no report cohort, no event
			}
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, cfg, harnessOptions{telemetry: &set})
			h.sendAndRaise(items)
			surges := h.alertsOf(auditattr.FindingRateSurge)
			var who []string
			for _, a := range surges {
				who = append(who, str(a, auditattr.TokenID))
			}
			assert.Contains(t, who, "tok_partner5", "the partner outside the event")
			if linked {
				assert.Less(t, len(surges), 6, "the event's owners share their surges: %v", who)
				assert.Positive(t, sharedOf(t, tel, auditattr.FindingRateSurge))
			} else {
				assert.Len(t, surges, 6, "%v", who)
			}
		})
	}
}

// TestCohortJoinsOnlyTrustedFindings: pulls whose token fails verification,
// lapsed or was refused, or whose call the processor flagged, neither join
// a cohort nor make an event: four forged "partners" cannot share a
// genuine partner's surge or first call. With genuine pulls they do.
func TestCohortJoinsOnlyTrustedFindings(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	tests := []struct {
		name    string
		verdict string // on partners 1-4's month-end pulls
		shared  bool
	}{
		{"genuine", "", true},
		{"forged", auditattr.ViolationInvalidSignature, false},
		{"revoked", auditattr.ViolationRevoked, false},
		{"out of scope", auditattr.ViolationScope, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := monthEnd(5, 5*time.Minute, false, own)
			pullFrom := t0.Add(2 * 24 * time.Hour)
			for i := range items {
				if tt.verdict != "" && items[i].token != "tok_partner0" && !items[i].at.Before(pullFrom) {
					items[i].violations = []string{tt.verdict}
				}
			}
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
			h.sendAndRaise(items)
			for _, typ := range []string{auditattr.FindingRateSurge, auditattr.FindingNewResource} {
				var partner0 bool
				for _, a := range h.alertsOf(typ) {
					partner0 = partner0 || str(a, auditattr.TokenID) == "tok_partner0"
				}
				assert.True(t, partner0, "%s: the first partner's is raised", typ)
				if tt.shared {
					assert.Positive(t, sharedOf(t, tel, typ), typ)
				} else {
					assert.Len(t, h.alertsOf(typ), 5, "%s: nothing shared", typ)
				}
			}
		})
	}
}

// TestEventSharesSurgesOnly: an owner in the org's event shares its
// surges of the next hour only: not a first call of another resource (a
// key probing an admin route during the month end is still news), not
// before its part in the event, not hours later.
func TestEventSharesSurgesOnly(t *testing.T) {
	h := newHarness(t, testConfig())
	m := h.model
	at := t0.UnixMilli()
	m.cohorts.events[7] = at
	min := time.Minute.Milliseconds()
	tests := []struct {
		typ   string
		owner uint64
		at    int64
		want  bool
	}{
		{auditattr.FindingRateSurge, 7, at + 30*min, true},
		{auditattr.FindingRateSurge, 7, at + 60*min, true},
		{auditattr.FindingRateSurge, 7, at + 61*min, false},
		{auditattr.FindingRateSurge, 7, at - min, false},
		{auditattr.FindingRateSurge, 8, at + 30*min, false},
		{auditattr.FindingNewResource, 7, at + 30*min, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, m.eventShares(tt.typ, tt.owner, tt.at), "%s owner %d at %+dm", tt.typ, tt.owner, (tt.at-at)/min)
	}
}

// sendAndRaise sends items in batches of 200, then raises what is held
// (as at shutdown) and waits for the alerts.
func (h *harness) sendAndRaise(items []item) {
	for b := range slices.Chunk(items, 200) {
		h.send(b...)
	}
	h.model.mu.Lock()
	h.model.raiseHeldAll()
	h.model.mu.Unlock()
	h.settle()
}

// TestResourceCohortNeedsFourOwners: by default new_resource's cohort
// needs four owners (defaultResourceCohort): three partners calling the
// month's report first within minutes, two of them perhaps one campaign's
// stolen keys, all alert; five share from the fourth.
func TestResourceCohortNeedsFourOwners(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, 4, cfg.Detectors.NewResource.Cohort.MinPrincipals)
	assert.Equal(t, 3, cfg.Detectors.RateSurge.Cohort.MinPrincipals)
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	for _, tt := range []struct {
		partners, shared int
	}{{3, 0}, {5, 2}} {
		tel, set := testTelemetry(t)
		h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
		h.sendAndRaise(monthEnd(tt.partners, 5*time.Minute, false, own))
		assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.partners-tt.shared, "%d partners", tt.partners)
		assert.Equal(t, int64(tt.shared), sharedOf(t, tel, auditattr.FindingNewResource), "%d partners", tt.partners)
	}
}

// TestResourceCohortCountsFirstCallsNotJudged: tenants whose keys are too
// young to be judged still take up the weekly report with a settled
// tenant, so the settled one's first calls are the org's report day, not
// news. Not when the young keys call from networks new to them, nor when
// nobody else calls the report.
func TestResourceCohortCountsFirstCallsNotJudged(t *testing.T) {
	day := t0.Add(2 * 24 * time.Hour)
	settledTenant := func() []item {
		habit := steady("tok_old", "198.51.100.9", "GET /orders", t0, 15*time.Minute, 2*24*4)
		report := steady("tok_old", "198.51.100.9", "GET /reports/weekly", day.Add(time.Hour), time.Minute, 3)
		return withPrincipal(append(habit, report...), "tenant-old")
	}
	young := func(n int, reportFrom func(i int) string) []item {
		var out []item
		for i := range n {
			tok, home := fmt.Sprintf("tok_young%d", i), fmt.Sprintf("203.0.113.%d", 10+i)
			habit := steady(tok, home, "GET /orders", day.Add(-6*time.Hour), 15*time.Minute, 23)
			report := steady(tok, reportFrom(i), "GET /reports/weekly", day.Add(time.Duration(i)*10*time.Minute), time.Minute, 2)
			out = append(out, withPrincipal(append(habit, report...), fmt.Sprintf("tenant-%d", i))...)
		}
		return out
	}
	home := func(i int) string { return fmt.Sprintf("203.0.113.%d", 10+i) }
	away := func(i int) string { return fmt.Sprintf("192.0.2.%d", 10+i) }
	tests := []struct {
		name         string
		others       []item
		want, shared int
	}{
		{"three young tenants take up the report first", young(3, home), 0, 1},
		{"two young tenants: too few", young(2, home), 1, 0},
		{"the young tenants call it from networks new to them", young(3, away), 1, 0},
		{"nobody else", nil, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel, set := testTelemetry(t)
			h := newHarnessWith(t, testConfig(), harnessOptions{telemetry: &set})
			items := append(settledTenant(), tt.others...)
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.sendAndRaise(items)
			got := 0
			for _, a := range h.alertsOf(auditattr.FindingNewResource) {
				if a.Attributes().AsRaw()[auditattr.TokenID] == "tok_old" {
					got++
				}
			}
			assert.Equal(t, tt.want, got, "tok_old's new_resource alerts")
			if tt.shared > 0 {
				assert.Equal(t, int64(tt.shared), sharedOf(t, tel, auditattr.FindingNewResource))
			}
		})
	}
}

// salesDay is monthEnd's partners on a sales day: each surges on its own
// route (the routes its business calls), principal type typ(i).
func salesDay(n int, apart time.Duration, typ func(i int) string, surgeFrom func(i int) string) []item {
	out := monthEnd(n, apart, false, surgeFrom)
	for i := range out {
		var k int
		fmt.Sscanf(out[i].token, "tok_partner%d", &k)
		out[i].principalType, out[i].scopes = typ(k), []string{"orders:write"}
		if out[i].resource == "GET /reports/monthly" {
			out[i].resource = fmt.Sprintf("POST /orders/%d", k)
		}
	}
	return out
}

// TestRateSurgeCohortOfPeerGroup: owners of one peer group (principal
// type and grant) surging on their own servers within the cohort's window
// share their surges whatever routes each one surges on (a sales day);
// owners of different types, surges from networks new to the tokens and a
// cohort turned off alert on every token. new_resource's cohort stays by
// resource: each owner's first call of its own route is news.
func TestRateSurgeCohortOfPeerGroup(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	service := func(int) string { return auditattr.PrincipalService }
	tests := []struct {
		name      string
		items     []item
		cohortOff bool
		// rate_surge alerts and surges shared
		want, shared int
	}{
		{"five merchants of one group", salesDay(5, 5*time.Minute, service, own), false, 1, 4},
		{"five merchants of five types", salesDay(5, 5*time.Minute, func(i int) string { return fmt.Sprintf("type%d", i) }, own), false, 5, 0},
		{"no principal type", salesDay(5, 5*time.Minute, func(int) string { return "" }, own), false, 5, 0},
		// No grant names a role: every scopeless key of a type is no group.
		{"no scopes", scopeless(salesDay(5, 5*time.Minute, service, own)), false, 5, 0},
		// A near network new to the token (an autoscaled fleet's new NAT
		// address in its cloud) is the owner's kind of network; a far and
		// rare one is a thief's server.
		{"from near networks new to them", salesDay(5, 5*time.Minute, service, func(i int) string { return fmt.Sprintf("198.51.%d.7", 101+i) }), false, 1, 4},
		{"from far networks new to them", salesDay(5, 5*time.Minute, service, func(i int) string { return fmt.Sprintf("%d.20.3.7", 45+i) }), false, 5, 0},
		{"cohort off", salesDay(5, 5*time.Minute, service, own), true, 5, 0},
		// Clients of one kind hold many grants: an hour-long rise is the
		// kind's event whatever each one's grant, unless the kinds differ
		// by credential; a minute's burst is a script's, judged in its
		// peer group alone.
		{"five merchants of one kind, five grants", grantEach(salesDay(5, 5*time.Minute, service, own)), false, 1, 4},
		{"five merchants of one type, five credential types", credentialEach(grantEach(salesDay(5, 5*time.Minute, service, own))), false, 5, 0},
		{"five scripts of one kind, five grants, bursting", grantEach(burstEach(salesDay(5, 5*time.Minute, service, own))), false, 5, 0},
		{"five scripts of one group, bursting", burstEach(salesDay(5, 5*time.Minute, service, own)), false, 1, 4},
		// A person's kind is the workforce: its role's peer group judges it.
		{"five persons of one kind, five grants", grantEach(salesDay(5, 5*time.Minute, func(int) string { return auditattr.PrincipalUser }, own)), false, 5, 0},
		{"five merchants of one kind, five grants, from far networks new to them", grantEach(salesDay(5, 5*time.Minute, service, func(i int) string { return fmt.Sprintf("%d.20.3.7", 45+i) })), false, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewResource.Cohort.MinPrincipals = 3
			if tt.cohortOff {
				cfg.Detectors.RateSurge.Cohort.MinPrincipals = 0
			}
			h := assertShares(t, cfg, tt.items, auditattr.FindingRateSurge, tt.want, tt.shared)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), 5, "a route of one's own is no cohort's")
		})
	}
}

// assertShares sends items through a harness of cfg and checks that typ
// raised want alerts and its cohorts shared shared findings.
func assertShares(t *testing.T, cfg *Config, items []item, typ string, want, shared int) *harness {
	t.Helper()
	tel, set := testTelemetry(t)
	h := newHarnessWith(t, cfg, harnessOptions{telemetry: &set})
	h.sendAndRaise(items)
	assert.Len(t, h.alertsOf(typ), want)
	if shared > 0 {
		assert.Equal(t, int64(shared), sharedOf(t, tel, typ))
	}
	return h
}

// grantEach gives each partner of a sales day a grant of its own.
func grantEach(items []item) []item {
	for i := range items {
		items[i].scopes = []string{"orders:write", strings.TrimPrefix(items[i].token, "tok_")}
	}
	return items
}

// credentialEach gives each partner of a sales day a credential type of
// its own.
func credentialEach(items []item) []item {
	for i := range items {
		items[i].tokenType = "type-" + items[i].token
	}
	return items
}

// burstEach turns each partner's 40-minute rise of a sales day into a
// burst of its first 40 calls within a minute (the minute scale).
func burstEach(items []item) []item {
	start := map[string]time.Time{}
	var out []item
	for _, it := range items {
		if !strings.HasPrefix(it.resource, "POST /orders/") {
			out = append(out, it)
			continue
		}
		s, ok := start[it.token]
		if !ok {
			s, start[it.token] = it.at, it.at
		}
		if n := it.at.Sub(s) / (30 * time.Second); n < 40 {
			it.at = s.Add(n * 1500 * time.Millisecond)
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
	return out
}

func scopeless(items []item) []item {
	for i := range items {
		items[i].scopes = nil
	}
	return items
}

// youngMonthEnd is n integrations that call with a new hourly token every
// hour for nine hours, 20 calls an hour each from their own server, and
// the next day pull the month's report with a new token at 60 calls a
// minute for four minutes, each starting apart after the one before, from
// surgeFrom(i).
func youngMonthEnd(n int, apart time.Duration, surgeFrom func(i int) string) []item {
	var out []item
	day := t0.Add(-time.Hour)
	for i := range n {
		who := fmt.Sprintf("integration%d", i)
		habit := reissued(who, day, 9, 1, 0)
		pull := scrape(who, day.Add(24*time.Hour+time.Duration(i)*apart), 240, 60, time.Hour)
		for j := range pull {
			pull[j].resource, pull[j].client = "GET /reports/monthly", surgeFrom(i)
		}
		for _, it := range append(habit, pull...) {
			if it.resource != "GET /reports/monthly" {
				it.client = fmt.Sprintf("198.51.100.%d", 10+i)
			}
			it.principalType, it.scopes, it.tokenType = auditattr.PrincipalService, []string{"reports:read"}, "jwt"
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
	return out
}

// TestRateSurgeYoungTokensShareNoCohort: integrations whose hourly tokens
// are each too young to be judged on their own (their owners' baselines
// judge them) surging together on their owners' servers alert on every
// token: a young token's surge joins no cohort. Shared on their owners'
// ground, as round twenty-two tried, they took three of the sixth outside
// evaluation's month-end pulls off its false alerts and hid three of the
// fourth's scrapes of one resource within three hours from the owners'
// networks (README, Cohorts).
func TestRateSurgeYoungTokensShareNoCohort(t *testing.T) {
	own := func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) }
	for _, n := range []int{1, 5} {
		h := newHarness(t, testConfig())
		for b := range slices.Chunk(youngMonthEnd(n, 5*time.Minute, own), 200) {
			h.sendBatch(spans(b...))
		}
		h.settle()
		assert.Len(t, h.alertsOf(auditattr.FindingRateSurge), n, "%d integrations", n)
	}
}
