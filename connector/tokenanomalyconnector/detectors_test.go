package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func failure(token, client string, at time.Time) item {
	return item{at: at, token: token, principal: "p", outcome: auditattr.OutcomeFailure, client: client,
		tokenType: auditattr.TypeBearer, resource: "GET /login"}
}

func TestFailedAttemptsExactWindow(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.FailedAttempts.Threshold, cfg.Detectors.FailedAttempts.Window = 5, time.Minute
	h := newHarness(t, cfg)
	// Four failures, then one just outside the minute: no alert.
	for i := range 4 {
		h.send(failure("tok_a", "198.51.100.1", t0.Add(time.Duration(i)*10*time.Second)))
	}
	h.send(failure("tok_a", "198.51.100.1", t0.Add(60*time.Second)))
	assert.Empty(t, h.alertsOf(auditattr.FindingFailedAttempts), "the first failure left the window")
	h.send(failure("tok_a", "198.51.100.1", t0.Add(61*time.Second)))
	got := h.alertsOf(auditattr.FindingFailedAttempts)
	require.Len(t, got, 1)
	assert.Equal(t, 5.0, num(got[0], auditattr.EvidenceObserved))
	assert.Equal(t, 5.0, num(got[0], auditattr.EvidenceThreshold))
	assert.Equal(t, 60.0, num(got[0], auditattr.EvidenceWindow))
	// Successes do not count.
	h.send(steady("tok_b", "198.51.100.2", "GET /a", t0, time.Second, 20)...)
	assert.Len(t, h.alertsOf(auditattr.FindingFailedAttempts), 1)
}

func TestCredentialStuffing(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.CredentialStuffing.Threshold = 4
	h := newHarness(t, cfg)
	for i := range 3 {
		h.send(failure(fmt.Sprintf("tok_%d", i), "203.0.113.9", t0.Add(time.Duration(i)*time.Second)))
		h.send(failure(fmt.Sprintf("tok_%d", i), "203.0.113.9", t0.Add(time.Duration(i)*time.Second))) // repeats count once
	}
	h.send(failure("tok_other", "203.0.113.10", t0.Add(4*time.Second)))
	assert.Empty(t, h.alertsOf(auditattr.FindingCredentialStuffing))
	h.send(failure("tok_3", "203.0.113.9", t0.Add(5*time.Second)))
	got := h.alertsOf(auditattr.FindingCredentialStuffing)
	require.Len(t, got, 1)
	assert.Equal(t, "203.0.113.9", str(got[0], auditattr.ClientAddress))
	assert.Equal(t, "", str(got[0], auditattr.TokenID), "the finding is the client's")
	for _, k := range []string{auditattr.PrincipalID, auditattr.PrincipalType, auditattr.TokenType, auditattr.Resource} {
		assert.Empty(t, str(got[0], k), "%s of one arbitrary failing credential", k)
	}
	assert.Equal(t, []string{"tok_0", "tok_1", "tok_2", "tok_3"}, strs(got[0], auditattr.EvidenceValues))
}

func TestRateSurge(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.RateSurge.MinActiveHours = 0
	h := newHarness(t, cfg)
	// Two hours at about 5 requests a minute.
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 12*time.Second, 600)...)
	assert.Empty(t, h.alertsOf(auditattr.FindingRateSurge))
	// Then 100 in one minute.
	surge := t0.Add(2*time.Hour + time.Minute)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", surge, 500*time.Millisecond, 100)...)
	got := h.alertsOf(auditattr.FindingRateSurge)
	require.Len(t, got, 1)
	assert.InDelta(t, 5, num(got[0], auditattr.EvidenceBaseline), 1)
	assert.Equal(t, num(got[0], auditattr.EvidenceThreshold), num(got[0], auditattr.EvidenceObserved))
	assert.GreaterOrEqual(t, num(got[0], auditattr.EvidenceThreshold), 20.0)
}

func TestRateSurgeLearningPeriod(t *testing.T) {
	h := newHarness(t, testConfig())
	h.send(steady("tok_new", "198.51.100.1", "GET /a", t0, 100*time.Millisecond, 200)...)
	assert.Empty(t, h.alertsOf(auditattr.FindingRateSurge), "a token younger than the learning period is not judged")
}

func TestPoissonQuantile(t *testing.T) {
	for _, tt := range []struct {
		lambda, p float64
		want      int
	}{{0.5, 1e-6, 8}, {5, 1e-6, 20}, {30, 1e-6, 60}} {
		assert.Equal(t, tt.want, poissonQuantile(tt.lambda, tt.p), "λ=%v", tt.lambda)
	}
}

func TestNewClientAddressAndResource(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.NewClientAddress.LearningPeriod = time.Hour
	cfg.Detectors.NewResource.LearningPeriod = time.Hour
	cfg.Detectors.NewClientAddress.MinActiveHours, cfg.Detectors.NewResource.MinActiveHours = 1, 1
	cfg.Detectors.NewClientAddress.Population.LearningPeriod = time.Hour
	h := newHarness(t, cfg)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 90)...)
	h.send(steady("tok_a", "198.51.100.77", "GET /a", t0.Add(2*time.Hour), time.Minute, 1)...) // same /24
	assert.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress))
	h.send(steady("tok_a", "192.0.2.5", "GET /b", t0.Add(3*time.Hour), time.Minute, newResourceCalls())...)
	addr := h.alertsOf(auditattr.FindingNewClientAddress)
	require.Len(t, addr, 1)
	assert.Equal(t, []string{"192.0.2.0/24"}, strs(addr[0], auditattr.EvidenceValues))
	res := h.alertsOf(auditattr.FindingNewResource)
	require.Len(t, res, 1)
	assert.Equal(t, "GET /b", str(res[0], auditattr.Resource))

	// Two weak findings on one token within the hour escalate.
	comb := h.alertsOf(auditattr.FindingCombined)
	require.Len(t, comb, 1)
	assert.Equal(t, auditattr.SeverityMedium, str(comb[0], auditattr.FindingSeverity))
	assert.Len(t, strs(comb[0], auditattr.FindingRelated), 2)

	// Forgotten after forget_after (between one and two generations).
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(3*time.Hour), 12*time.Hour, 40)...)
	h.send(steady("tok_a", "192.0.2.5", "GET /a", t0.Add(3*time.Hour+20*24*time.Hour), time.Minute, 1)...)
	assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), 2)
}

// TestNewResourceOnAJudgedNetwork: a token not settled on its resources
// (a PAT used a few hours so far) is judged on its first calls from the
// network new_client_address just judged news for it: the thief's session
// is the evidence a settled history would be. From its usual network, or
// from that network after new_resource's window, it is not judged.
func TestNewResourceOnAJudgedNetwork(t *testing.T) {
	tests := []struct {
		name   string
		client string
		after  time.Duration // the first call of the new resource, after the first item from client
		dryRun bool          // new_client_address on trial: it lends no judgment
		want   int
	}{
		{"from the judged network, minutes later", "192.0.2.5", 5 * time.Minute, false, 1},
		{"from its usual network", "198.51.100.1", 5 * time.Minute, false, 0},
		{"from the judged network, after the window", "192.0.2.5", 2 * time.Hour, false, 0},
		{"new_client_address in dry run", "192.0.2.5", 5 * time.Minute, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewClientAddress.LearningPeriod = time.Hour
			cfg.Detectors.NewClientAddress.MinActiveHours = 1
			cfg.Detectors.NewClientAddress.Population.LearningPeriod = time.Hour
			cfg.Detectors.NewClientAddress.DryRun = tt.dryRun
			h := newHarness(t, cfg)
			// Three hours of use: settled on its network (1 active hour per
			// network), not on its two resources (24 h and 8 active hours each).
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 2*time.Minute, 45)...)
			h.send(steady("tok_a", "198.51.100.1", "GET /b", t0.Add(90*time.Minute), 2*time.Minute, 45)...)
			start := t0.Add(4 * time.Hour)
			h.send(steady("tok_a", tt.client, "GET /a", start, time.Minute, 1)...)
			if tt.client != "198.51.100.1" && !tt.dryRun {
				require.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), 1, "the network is judged news")
			}
			h.send(steady("tok_a", tt.client, "GET /export", start.Add(tt.after), time.Minute, newResourceCalls())...)
			got := h.alertsOf(auditattr.FindingNewResource)
			require.Len(t, got, tt.want)
			if tt.want == 1 {
				assert.Equal(t, "GET /export", str(got[0], auditattr.Resource))
			}
		})
	}
}

func TestMultiAddress(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.MultiAddress.LearningPeriod = 0
	h := newHarness(t, cfg)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 3)...)
	h.send(steady("tok_a", "192.0.2.1", "GET /a", t0.Add(3*time.Minute), time.Minute, 1)...)
	h.send(steady("tok_b", "192.0.2.1", "GET /a", t0.Add(3*time.Minute), time.Minute, 1)...)
	assert.Empty(t, h.alertsOf(auditattr.FindingMultiAddress))
	h.send(steady("tok_a", "203.0.113.1", "GET /a", t0.Add(4*time.Minute), time.Minute, 1)...)
	got := h.alertsOf(auditattr.FindingMultiAddress)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}, strs(got[0], auditattr.EvidenceValues))
	// Outside the window the old networks no longer count.
	h.send(steady("tok_c", "198.51.100.1", "GET /a", t0, 20*time.Minute, 1)...)
	h.send(steady("tok_c", "192.0.2.1", "GET /a", t0.Add(20*time.Minute), 20*time.Minute, 1)...)
	h.send(steady("tok_c", "203.0.113.1", "GET /a", t0.Add(40*time.Minute), 20*time.Minute, 1)...)
	assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), 1)
}

// TestLearnedOffHours: after two weeks of office hours a night session is
// off_hours, on the token's own profile or, for a token too young to have
// one (re-issued, new), on its owner's; a glance (fewer than min_requests
// within an hour) and another owner's new token are not.
func TestLearnedOffHours(t *testing.T) {
	night := t0.Add(14*day - 10*time.Hour + 3*time.Hour) // Monday 03:00
	session := testConfig().Detectors.OffHours.MinRequests
	tests := []struct {
		name             string
		token, principal string
		later            time.Duration // after Monday 03:00
		calls            int
		wantBody         string // "" for no alert
		outcome          string // "": success
		violations       []string
	}{
		{"the token's night session", "tok_a", "alice", 0, session, "an hour of the week it does not use", "", nil},
		{"a glance is not a session", "tok_a", "alice", 0, session - 1, "", "", nil},
		// The day's last hour is 16:00-17:00: 18:00 stretches the day.
		{"an evening session two hours after the day", "tok_a", "alice", 15 * time.Hour, session, "", "", nil},
		// 21:00 is five hours after the day, but twelve before the next
		// one: an evening, not the night.
		{"a late evening session", "tok_a", "alice", 18 * time.Hour, session, "", "", nil},
		{"the owner's new token at night", "tok_new", "alice", 0, session, "an hour of the week its owner alice does not use", "", nil},
		{"another owner's new token", "tok_new", "bob", 0, session, "", "", nil},
		// Refused at authentication: the owner is only the token's claim.
		{"a forged JWT claiming alice", "tok_new", "alice", 0, session, "", auditattr.OutcomeFailure, []string{auditattr.ViolationInvalidSignature}},
		{"a forged JWT the service served", "tok_new", "alice", 0, session, "", "", []string{auditattr.ViolationInvalidSignature}},
		{"a rotated-out key's retry storm", "tok_a", "alice", 0, session, "", auditattr.OutcomeFailure, nil},
		// A 403: the credential was recognised, its owner is real.
		{"denied calls at night", "tok_a", "alice", 0, session, "an hour of the week it does not use", auditattr.OutcomeDenied, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(officeWeeks("tok_a")...)
			require.Empty(t, h.alertsOf(auditattr.FindingOffHours))
			session := steady(tt.token, "198.51.100.1", "GET /a", night.Add(tt.later), 5*time.Minute, tt.calls)
			for i := range session {
				session[i].principal = tt.principal
				session[i].violations = tt.violations
				if tt.outcome != "" {
					session[i].outcome = tt.outcome
				}
			}
			h.send(session...)
			got := h.alertsOf(auditattr.FindingOffHours)
			if tt.wantBody == "" {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, []string{"Mon 3:00-4:00 UTC"}, strs(got[0], auditattr.EvidenceValues))
			assert.Contains(t, got[0].Body().Str(), tt.wantBody)
		})
	}
}

// TestLearnedOffHoursLowRate: a steady token that calls a few times a
// working day is judged on its profile once it has shown the day on three
// days (issue 13: a user at 0.7 calls an hour, 17 calls over four days,
// used at 03:00 on Sunday, was never judged under min_samples 50); two
// days, or too few calls, are not enough; a pipeline whose builds fill an
// hour's slot keeps min_samples, so its first nightly build is not judged.
func TestLearnedOffHoursLowRate(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // midnight
	sunday3 := monday.Add(6*day + 3*time.Hour)
	tests := []struct {
		name         string
		days, perDay int // from Tuesday, from 09:00
		step         time.Duration
		want         bool
	}{
		{"four days, four calls a day", 4, 4, 2 * time.Hour, true},
		{"three days, four calls a day", 3, 4, 2 * time.Hour, true},
		{"two days, eight calls a day", 2, 8, time.Hour, false},
		{"three days, three calls a day: too few calls", 3, 3, 2 * time.Hour, false},
		{"a build of 20 calls a day for four days", 4, 20, 10 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			for d := 1; d <= tt.days; d++ {
				h.send(steady("tok_a", "198.51.100.1", "GET /a", monday.Add(time.Duration(d)*day+9*time.Hour), tt.step, tt.perDay)...)
			}
			h.send(steady("tok_a", "198.51.100.1", "GET /a", sunday3, 3*time.Minute, testConfig().Detectors.OffHours.MinRequests)...)
			assert.Equal(t, tt.want, len(h.alertsOf(auditattr.FindingOffHours)) == 1)
		})
	}
}

// TestOffHoursDefersToPolicySchedule: working hours the policy sets for
// everyone, for the token's principal or for the token itself leave
// off_hours to the processor's verdict; another principal's do not.
func TestOffHoursDefersToPolicySchedule(t *testing.T) {
	const hours = "{time_zone: UTC, start: \"08:00\", end: \"18:00\"}"
	tests := []struct {
		name, policy string
		want         int
	}{
		{"global hours", "working_hours: " + hours + "\n", 0},
		{"the principal's hours", "principals:\n  alice:\n    working_hours: " + hours + "\n", 0},
		{"the token's hours", "registry:\n  tokens:\n    - id: tok_a\n      owner: alice\n      working_hours: " + hours + "\n", 0},
		{"another principal's hours", "principals:\n  bob:\n    working_hours: " + hours + "\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PolicyFile = writePolicy(t, tt.policy)
			cfg.Detectors.OffHours.LearningPeriod, cfg.Detectors.OffHours.MinSamples = 0, 1
			h := newHarness(t, cfg)
			for d := range 4 { // 09:00–17:00 on four days
				h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(time.Duration(d)*day-time.Hour), 10*time.Minute, 48)...)
			}
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(4*day-7*time.Hour), time.Minute, 4)...) // 03:00
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

func TestResurrectedExpiringLifetime(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.ResurrectedToken.IdleAfter = 10 * day
	cfg.Detectors.ExcessiveLifetime.MissingExpiry = true
	h := newHarness(t, cfg)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 2)...)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(9*day), time.Minute, 1)...)
	assert.Empty(t, h.alertsOf(auditattr.FindingResurrectedToken))
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(20*day), time.Minute, 2)...)
	got := h.alertsOf(auditattr.FindingResurrectedToken)
	require.Len(t, got, 1)
	assert.Equal(t, (11 * day).Seconds(), num(got[0], auditattr.EvidenceObserved))

	now := t0.Add(21 * day)
	exp := item{at: now, token: "tok_e", outcome: auditattr.OutcomeSuccess, tokenType: auditattr.TypeJWT,
		issuedAt: now.Add(-400 * day).Unix(), expiresAt: now.Add(3 * day).Unix()}
	h.send(exp)
	exp.at = now.Add(time.Hour)
	h.send(exp)
	assert.Len(t, h.alertsOf(auditattr.FindingExpiringSoon), 1)
	// tok_a is a JWT without expiry; tok_e lives 403 days.
	assert.Len(t, h.alertsOf(auditattr.FindingExcessiveLifetime), 2)
	h.send(item{at: now, token: "tok_key", outcome: auditattr.OutcomeSuccess, tokenType: auditattr.TypeAPIKey})
	assert.Len(t, h.alertsOf(auditattr.FindingExcessiveLifetime), 2, "API keys without expiry are not JWTs")
}

const scopedPolicy = `
scopes:
  "users:read":  ["GET /users", "GET /users/{id}"]
  "users:write": ["POST /users"]
  "admin":       ["* /admin/**"]
registry:
  tokens:
    - id: tok_reg
      name: ci-deploy
      owner: deploy-bot
      created_at: 2026-01-01T00:00:00Z
    - jti: night-batch
      name: nightly
`

func TestUnusedScopes(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writePolicy(t, scopedPolicy)
	cfg.Detectors.UnusedScopes.TrackingPeriod = 2 * day
	h := newHarness(t, cfg)
	scopes := []string{"users:read", "users:write", "admin"}
	use := func(at time.Time, res string) item {
		return item{at: at, token: "tok_s", outcome: auditattr.OutcomeSuccess, resource: res, scopes: scopes}
	}
	h.send(use(t0, "GET /users/{id}"), use(t0.Add(time.Hour), "GET /health"))
	h.send(use(t0.Add(day), "POST /users"))
	assert.Empty(t, h.alertsOf(auditattr.FindingUnusedScopes))
	h.send(use(t0.Add(2*day+time.Hour), "GET /users"))
	got := h.alertsOf(auditattr.FindingUnusedScopes)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"admin"}, strs(got[0], auditattr.EvidenceValues))
}

// TestUnusedScopesFromIssueDate: a token issued long before the connector
// saw it is judged after the observation period (8 days), not after the
// 90-day tracking period; a young token waits for the tracking period.
func TestUnusedScopesFromIssueDate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		issued    time.Duration // before t0
		want      int
		endsUsing string // the resource of the call that ends the period, when not the usual
	}{
		{"issued 120 days ago", 120 * day, 1, ""},
		{"issued 10 days ago", 10 * day, 0, ""},
		{"no issue date", 0, 0, ""},
		// The call that ends the period is judged with it: no token is told
		// it left unused the scope it is using.
		{"issued 120 days ago, the period ends on an admin call", 120 * day, 0, "DELETE /admin/users/{id}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PolicyFile = writePolicy(t, scopedPolicy)
			h := newHarness(t, cfg)
			var iat int64
			if tc.issued > 0 {
				iat = t0.Add(-tc.issued).Unix()
			}
			use := func(at time.Time) item {
				return item{at: at, token: "tok_s", outcome: auditattr.OutcomeSuccess, resource: "GET /users/{id}",
					scopes: []string{"users:read", "admin"}, issuedAt: iat}
			}
			for d := range 8 {
				h.send(use(t0.Add(time.Duration(d) * day)))
			}
			assert.Empty(t, h.alertsOf(auditattr.FindingUnusedScopes), "watched for less than the observation period")
			last := use(t0.Add(8*day + time.Hour))
			if tc.endsUsing != "" {
				last.resource = tc.endsUsing
			}
			h.send(last)
			got := h.alertsOf(auditattr.FindingUnusedScopes)
			require.Len(t, got, tc.want)
			if tc.want > 0 {
				assert.Equal(t, []string{"admin"}, strs(got[0], auditattr.EvidenceValues))
			}
		})
	}
}

func TestStaleToken(t *testing.T) {
	cfg := testConfig()
	cfg.PolicyFile = writePolicy(t, scopedPolicy)
	cfg.Detectors.StaleToken.IdleAfter = 3 * day
	h := newHarness(t, cfg)
	h.send(item{at: t0, token: "tok_reg", outcome: auditattr.OutcomeSuccess})
	h.send(item{at: t0, token: "tok_x", jti: "night-batch", outcome: auditattr.OutcomeSuccess})
	h.send(item{at: t0.Add(2 * day), token: "tok_reg", outcome: auditattr.OutcomeSuccess})
	// Time passes on other tokens' traffic.
	h.send(steady("tok_other", "198.51.100.1", "GET /a", t0.Add(2*day), 6*time.Hour, 10)...)
	got := h.alertsOf(auditattr.FindingStaleToken)
	require.Len(t, got, 1, "only the jti entry has been idle for 3 days")
	assert.Contains(t, got[0].Body().Str(), "nightly")
	h.send(steady("tok_other", "198.51.100.1", "GET /a", t0.Add(5*day), 6*time.Hour, 4)...)
	got = h.alertsOf(auditattr.FindingStaleToken)
	require.Len(t, got, 2)
	assert.Equal(t, "tok_reg", str(got[1], auditattr.TokenID))
	assert.Equal(t, "deploy-bot", str(got[1], auditattr.PrincipalID))

	h.model.flush(t.Context())
	idle := metricPoints(t, h, metricIdle)
	require.Len(t, idle, 2)
}

func TestLateItemsStayOutOfWindows(t *testing.T) {
	cfg := testConfig()
	cfg.Detectors.FailedAttempts.Threshold = 3
	h := newHarness(t, cfg)
	h.send(steady("tok_z", "198.51.100.1", "GET /a", t0.Add(time.Hour), time.Minute, 1)...)
	for i := range 3 {
		h.send(failure("tok_a", "198.51.100.1", t0.Add(time.Duration(i)*time.Second)))
	}
	assert.Empty(t, h.alertsOf(auditattr.FindingFailedAttempts))
	// Stateless verdicts of late items still alert.
	h.send(item{at: t0, token: "tok_a", violations: []string{auditattr.ViolationRevoked}})
	assert.Len(t, h.alertsOf(auditattr.ViolationRevoked), 1)
}

// TestDefaultLatenessCoversMergedRequests: with the default
// allowed_lateness, items ten minutes behind the newest event time (a
// gateway collector merging minutes of several agents' exports, sent by
// more than one sender) still feed the windows.
func TestDefaultLatenessCoversMergedRequests(t *testing.T) {
	cfg := testConfig()
	h := newHarness(t, cfg)
	h.send(item{at: t0.Add(10 * time.Minute), token: "tok_z", client: "198.51.100.1", resource: "GET /a", outcome: auditattr.OutcomeSuccess})
	for i := range cfg.Detectors.FailedAttempts.Threshold {
		h.send(failure("tok_a", "198.51.100.1", t0.Add(time.Duration(i)*10*time.Second)))
	}
	h.send(item{at: t0.Add(time.Hour), token: "tok_z", client: "198.51.100.1", resource: "GET /a", outcome: auditattr.OutcomeSuccess})
	assert.Len(t, h.alertsOf(auditattr.FindingFailedAttempts), 1)
}

func TestMaxTokensEvicts(t *testing.T) {
	cfg := testConfig()
	cfg.MaxTokens = 100
	h := newHarness(t, cfg)
	for i := range 1000 {
		h.send(item{at: t0.Add(time.Duration(i) * time.Second), token: fmt.Sprintf("tok_%d", i), outcome: auditattr.OutcomeSuccess})
	}
	assert.Equal(t, 100, h.model.tokens.len())
	h.model.flush(t.Context())
	ev := metricPoints(t, h, metricEvicted)
	require.Len(t, ev, 1)
	assert.Equal(t, 900.0, ev[0].value)
}

// TestDeniedAccess: a token the service refuses (403) again and again is
// a finding with the default configuration and no policy at all, as for
// an SDK client making out-of-scope calls.
func TestDeniedAccess(t *testing.T) {
	denied := func(at time.Time) item {
		return item{at: at, token: "tok_sdk", principal: "svc-js", resource: "DELETE /admin/users", outcome: auditattr.OutcomeDenied,
			client: "198.51.100.20", tokenType: auditattr.TypeJWT}
	}
	// busyWith is calls requests within 40 minutes, refused of them spread
	// among the rest (a CI build's object-level 403s, or an SDK's run).
	busyWith := func(calls, refused int) []item {
		out := make([]item, calls)
		for i := range out {
			out[i] = denied(t0.Add(time.Duration(i) * 40 * time.Minute / time.Duration(calls)))
			if i%(calls/refused) != 0 || i/(calls/refused) >= refused {
				out[i].outcome = auditattr.OutcomeSuccess
			}
		}
		return out
	}
	tests := []struct {
		name  string
		items []item
		want  int
	}{
		{"five refusals in a few minutes", []item{denied(t0), denied(t0.Add(time.Minute)), denied(t0.Add(2 * time.Minute)),
			denied(t0.Add(3 * time.Minute)), denied(t0.Add(4 * time.Minute))}, 1},
		{"four refusals", []item{denied(t0), denied(t0.Add(time.Minute)), denied(t0.Add(2 * time.Minute)),
			denied(t0.Add(3 * time.Minute))}, 0},
		{"five refusals over five hours", []item{denied(t0), denied(t0.Add(time.Hour)), denied(t0.Add(2 * time.Hour)),
			denied(t0.Add(3 * time.Hour)), denied(t0.Add(4 * time.Hour))}, 0},
		{"five refusals among a busy build's 600 calls", busyWith(600, 5), 0},
		{"five refusals among 20 calls", busyWith(20, 5), 1},
		{"twenty refusals among a busy build's 600 calls", busyWith(600, 20), 1},
		{"five failures are failed_attempts' business", []item{failure("tok_sdk", "198.51.100.20", t0),
			failure("tok_sdk", "198.51.100.20", t0.Add(time.Second)), failure("tok_sdk", "198.51.100.20", t0.Add(2*time.Second)),
			failure("tok_sdk", "198.51.100.20", t0.Add(3*time.Second)), failure("tok_sdk", "198.51.100.20", t0.Add(4*time.Second))}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.sendBatch(spans(tt.items...))
			h.settle()
			got := h.alertsOf(auditattr.FindingDeniedAccess)
			require.Len(t, got, tt.want)
			if tt.want > 0 {
				assert.Equal(t, "tok_sdk", str(got[0], auditattr.TokenID))
				assert.GreaterOrEqual(t, num(got[0], auditattr.EvidenceObserved), 5.0)
				assert.Equal(t, auditattr.SeverityMedium, str(got[0], auditattr.FindingSeverity))
			}
		})
	}
}

// TestStaleTokenFromRegistryDate: the registry's last_used_at (or never)
// proves a token stale at once; a created_at alone proves nothing about
// use before the connector watched, so such a token is stale only after
// the observation period (a token used weekly shows up within it).
func TestStaleTokenFromRegistryDate(t *testing.T) {
	date := func(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name, entry string
		atOnce      bool // stale in the first hours of watching
		afterWeek   bool // stale once watched for the observation period
		idle        string
	}{
		{"created long ago", "created_at: " + date(120*day), false, true, "123.0 days"}, // judged after min_observation_period: no other registered token seen
		{"created recently", "created_at: " + date(10*day), false, false, ""},
		{"last used long ago", "created_at: " + date(300*day) + "\n      last_used_at: " + date(100*day), true, true, "100.2 days"},
		{"last used recently", "created_at: " + date(300*day) + "\n      last_used_at: " + date(2*day), false, false, ""},
		{"never used", "created_at: " + date(120*day) + "\n      last_used_at: never", true, true, "120.2 days"},
		{"never used, recent", "created_at: " + date(30*day) + "\n      last_used_at: never", false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PolicyFile = writePolicy(t, "registry:\n  authoritative: false\n  tokens:\n    - id: tok_reg\n      name: reg\n      owner: ci\n      "+tc.entry+"\n")
			h := newHarness(t, cfg)
			h.send(steady("tok_other", "198.51.100.1", "GET /a", t0, time.Hour, 6)...)
			got := h.alertsOf(auditattr.FindingStaleToken)
			if !tc.atOnce {
				assert.Empty(t, got, "not proven stale in the first hours")
			} else if assert.Len(t, got, 1) {
				assert.Equal(t, "tok_reg", str(got[0], auditattr.TokenID))
			}
			h.send(steady("tok_other", "198.51.100.1", "GET /a", t0.Add(6*time.Hour), 6*time.Hour, 4*8+1)...)
			got = h.alertsOf(auditattr.FindingStaleToken)
			if !tc.afterWeek {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1, "once per silence")
			if !tc.atOnce {
				assert.Contains(t, got[0].Body().Str(), tc.idle)
			}
		})
	}
}

// TestNewResourceSettlesOnQuietRequests: a low-rate token that called its
// three routes in its first hour and only those for days is judged on a
// new one, though it is far from min_active_hours per route; too few
// quiet requests, or a burst within two hours, settle nothing.
func TestNewResourceSettlesOnQuietRequests(t *testing.T) {
	routes := []string{"GET /a", "GET /b", "POST /c"}
	for _, tt := range []struct {
		name         string
		days, hours  int // active hours a day, from 09:00, on consecutive days
		callsPerHour int
		want         int
	}{
		{"low-rate user, quiet for days", 3, 5, 2, 1}, // 30 quiet requests ≥ 8 × 3, 16 active hours < 8 × 3
		{"too few quiet requests", 3, 5, 1, 0},        // 15 quiet requests < 24
		{"a burst is not settling", 1, 2, 50, 0},      // 100 requests in 3 active hours < min_active_hours
		{"settled by hours as before", 5, 6, 1, 1},    // 31 active hours ≥ 24
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			var items []item
			for i, r := range routes { // all three in the first hour
				items = append(items, steady("tok_low", "198.51.100.1", r, t0.Add(time.Duration(i)*time.Minute), time.Minute, 1)...)
			}
			for d := range tt.days {
				for hr := range tt.hours {
					at := t0.Add(time.Duration(d)*24*time.Hour + time.Duration(9+hr)*time.Hour)
					for c := range tt.callsPerHour {
						items = append(items, steady("tok_low", "198.51.100.1", routes[(d+hr+c)%3], at.Add(time.Duration(c)*time.Minute/2), time.Minute, 1)...)
					}
				}
			}
			items = append(items, steady("tok_low", "198.51.100.1", "GET /new", t0.Add(time.Duration(tt.days)*24*time.Hour+10*time.Hour), time.Minute, newResourceCalls())...)
			h.send(items...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
		})
	}
}

// TestStaleWatchFollowsDiscovery: a registered token never seen, with
// only a created_at, is judged once the watch has lasted twice as long as
// it took to first see the last registered token found, at least
// min_observation_period and at most observation_period.
func TestStaleWatchFollowsDiscovery(t *testing.T) {
	created := t0.Add(-120 * day).Format(time.RFC3339)
	for _, tc := range []struct {
		name          string
		discoveredAt  []time.Duration // first calls of other registered tokens
		minWatch      time.Duration
		before, after time.Duration // watched: not yet judged, judged
	}{
		{"nothing discovered: the minimum", nil, 3 * day, 70 * time.Hour, 74 * time.Hour},
		{"discovered early: the minimum", []time.Duration{20 * time.Hour}, 3 * day, 70 * time.Hour, 74 * time.Hour},
		{"last discovered at 60 h: twice that", []time.Duration{20 * time.Hour, 60 * time.Hour}, 3 * day, 118 * time.Hour, 122 * time.Hour},
		{"still discovering on day 5: observation_period", []time.Duration{20 * time.Hour, 60 * time.Hour, 100 * time.Hour}, 3 * day, 190 * time.Hour, 194 * time.Hour},
		{"min_observation_period 0: observation_period", nil, 0, 190 * time.Hour, 194 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.StaleToken.MinObservationPeriod = tc.minWatch
			entries := "    - id: tok_reg\n      name: reg\n      owner: ci\n      created_at: " + created + "\n"
			for i := range tc.discoveredAt {
				entries += fmt.Sprintf("    - id: tok_job%d\n      owner: ci\n      created_at: %s\n", i, created)
			}
			cfg.PolicyFile = writePolicy(t, "registry:\n  authoritative: false\n  tokens:\n"+entries)
			h := newHarness(t, cfg)
			staleReg := func() (n int) {
				for _, a := range h.alertsOf(auditattr.FindingStaleToken) {
					if str(a, auditattr.TokenID) == "tok_reg" {
						n++
					}
				}
				return n
			}
			for at := time.Duration(0); at <= tc.after; at += time.Hour {
				if at == tc.before+time.Hour {
					assert.Zero(t, staleReg(), "judged before the watch is long enough")
				}
				h.send(steady("tok_other", "198.51.100.1", "GET /a", t0.Add(at), time.Minute, 1)...)
				for i, d := range tc.discoveredAt {
					if at >= d { // a job, once discovered, calls every hour
						h.send(steady(fmt.Sprintf("tok_job%d", i), "198.51.100.2", "GET /b", t0.Add(at+time.Minute), time.Minute, 1)...)
					}
				}
			}
			assert.Equal(t, 1, staleReg(), "tok_reg judged once the watch is long enough")
		})
	}
}

// TestStaleWatchQuantile: the watch follows the 99.9th percentile of the
// first sightings, so one old token woken late (a dormant key an attacker
// found) does not hold up the judgment of a large registry; in one of
// fewer than 1,000 the last sighting counts.
func TestStaleWatchQuantile(t *testing.T) {
	hour := time.Hour.Milliseconds()
	for _, tc := range []struct {
		name  string
		early int // discovered in hour 10
		late  int // discovered in hour 100
		want  int64
	}{
		{"none: the minimum", 0, 0, 72 * hour},
		{"2,000 early, 1 late: the late one ignored", 2000, 1, 72 * hour},
		{"500 early, 1 late: the last counts", 500, 1, 192 * hour},
		{"2,000 early, 3 late: more than 0.1% late", 2000, 3, 192 * hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newHarness(t, testConfig()).model
			m.since = t0.UnixMilli()
			for range tc.early {
				m.discovered(m.since + 10*hour)
			}
			for range tc.late {
				m.discovered(m.since + 100*hour)
			}
			assert.Equal(t, tc.want, m.staleWatch())
		})
	}
}

// TestNewResourceOnJudgedRequests: a call the processor alerted for its
// resource (scope, restricted) still raises new_resource beside its own
// alert, and a call the service refused raises none; neither restarts the
// token's learning (its next new resource alerts), and the pair is learned.
func TestNewResourceOnJudgedRequests(t *testing.T) {
	tests := []struct {
		name       string
		outcome    string
		violations []string
		want, next int // new_resource alerts after the call, and after a new in-scope call 10 minutes later
	}{
		{"plain first call (the token's learning restarts)", auditattr.OutcomeSuccess, nil, 1, 1},
		{"out of scope (raised; the learning does not restart)", auditattr.OutcomeSuccess, []string{auditattr.ViolationScope}, 1, 2},
		{"restricted resource (raised; the learning does not restart)", auditattr.OutcomeSuccess, []string{auditattr.ViolationRestrictedResource}, 1, 2},
		{"refused (403)", auditattr.OutcomeDenied, nil, 0, 1},
		{"refused (401)", auditattr.OutcomeFailure, nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewResource.LearningPeriod = time.Hour
			cfg.Detectors.NewResource.MinActiveHours = 1
			cfg.Detectors.NewResource.Outcomes = []string{auditattr.OutcomeSuccess, auditattr.OutcomeDenied, auditattr.OutcomeFailure}
			h := newHarness(t, cfg)
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 90)...)
			probe := steady("tok_a", "198.51.100.1", "GET /admin", t0.Add(3*time.Hour), time.Minute, newResourceCalls())
			for i := range probe {
				probe[i].outcome, probe[i].violations = tt.outcome, tt.violations
			}
			h.send(probe...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
			h.send(steady("tok_a", "198.51.100.1", "GET /admin", t0.Add(3*time.Hour+5*time.Minute), time.Minute, 1)...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want, "the pair is learned")
			h.send(steady("tok_a", "198.51.100.1", "GET /b", t0.Add(3*time.Hour+10*time.Minute), time.Minute, newResourceCalls())...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.next)
		})
	}
}

// TestNewResourceWaitsForASession: a judged first call raises new_resource
// only once the token calls the resource min_requests times within window
// (one glance at a route a user rarely needs is no news); a first call the
// processor flagged (scope, restricted) raises at once; min_requests 1
// raises on the first call.
func TestNewResourceWaitsForASession(t *testing.T) {
	tests := []struct {
		name        string
		minRequests int
		calls       int           // calls of the new resource
		gap         time.Duration // between them
		violations  []string
		want        int
	}{
		{"one call: a glance", 2, 1, 0, nil, 0},
		{"two calls within the window", 2, 2, 10 * time.Minute, nil, 1},
		{"five calls alert once", 2, 5, time.Minute, nil, 1},
		{"two calls an hour and more apart", 2, 2, 61 * time.Minute, nil, 0},
		{"three needed, two made", 3, 2, time.Minute, nil, 0},
		{"three needed, three made", 3, 3, time.Minute, nil, 1},
		{"flagged by the policy: at once", 2, 1, 0, []string{auditattr.ViolationRestrictedResource}, 1},
		{"min_requests 1: at once", 1, 1, 0, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewResource.LearningPeriod = time.Hour
			cfg.Detectors.NewResource.MinActiveHours = 1
			cfg.Detectors.NewResource.MinRequests = tt.minRequests
			h := newHarness(t, cfg)
			h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, time.Minute, 90)...)
			probe := steady("tok_a", "198.51.100.1", "GET /admin", t0.Add(3*time.Hour), max(tt.gap, time.Second), tt.calls)
			for i := range probe {
				probe[i].violations = tt.violations
			}
			h.send(probe...)
			got := h.alertsOf(auditattr.FindingNewResource)
			require.Len(t, got, tt.want)
			if tt.want == 1 {
				assert.Equal(t, "GET /admin", str(got[0], auditattr.Resource))
				if tt.violations == nil && tt.minRequests > 1 {
					assert.Contains(t, got[0].Body().Str(), fmt.Sprintf("GET /admin %d times within 1h0m0s", tt.minRequests))
				}
				// The evidence says what raised it: the calls made, against the calls needed.
				assert.LessOrEqual(t, num(got[0], auditattr.EvidenceThreshold), num(got[0], auditattr.EvidenceObserved))
				want := float64(tt.minRequests)
				if tt.violations != nil {
					want = 1
				}
				assert.Equal(t, want, num(got[0], auditattr.EvidenceThreshold))
			}
		})
	}
}

// TestOffHoursOwnersShift: a late-shift scanner (14–22) on its site's
// morning shift (the early scanners' 06–14) works an hour its owner's
// tokens use, which is no news; at 02:00, in the site's night, it is,
// although its own night taken alone is the eight hours before 14:00.
// Without the early shift the morning is off the site's hours too, and
// 02:00 is the late shift's evening.
func TestOffHoursOwnersShift(t *testing.T) {
	// shift is 8 hours from start on the days of the week in days, for
	// the week and a half before the second Saturday.
	shift := func(token string, start time.Duration, days int) []item {
		var out []item
		for d := range 12 {
			if d%7 < days {
				out = append(out, withPrincipal(steady(token, "198.51.100.1", "POST /scans", t0.Add(time.Duration(d)*day-10*time.Hour+start), 10*time.Minute, 48), "site-poz")...)
			}
		}
		return out
	}
	monday := t0.Add(-10 * time.Hour) // 00:00
	tests := []struct {
		name  string
		early bool
		at    time.Time
		want  int
	}{
		{"the site's morning shift", true, monday.Add(12*day + 7*time.Hour), 0},
		{"02:00", true, monday.Add(12*day + 2*time.Hour), 1},
		{"02:00, no early shift at the site", false, monday.Add(12*day + 2*time.Hour), 0},
		{"the morning, no early shift at the site", false, monday.Add(12*day + 7*time.Hour), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			habit := shift("tok_late", 14*time.Hour, 5)
			if tt.early { // Monday to Saturday
				habit = append(habit, shift("tok_early", 6*time.Hour, 6)...)
			}
			slices.SortStableFunc(habit, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(habit...)
			h.send(withPrincipal(steady("tok_late", "198.51.100.1", "POST /scans", tt.at, 5*time.Minute, 6), "site-poz")...)
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestOutcomeSet: the bit set answers as the map it replaced, for the
// contract's outcomes and for any other value a user lists.
func TestOutcomeSet(t *testing.T) {
	tests := []struct {
		list []string
		in   []string
		out  []string
	}{
		{nil, nil, []string{"success", "failure", "denied", "error", "", "other"}},
		{[]string{"success"}, []string{"success"}, []string{"failure", "denied", "error", "", "Success"}},
		{[]string{"failure", "denied", "error"}, []string{"failure", "denied", "error"}, []string{"success", ""}},
		{[]string{"timeout", "success"}, []string{"timeout", "success"}, []string{"failure", "time", ""}},
	}
	for _, tt := range tests {
		s := outcomesOf(tt.list)
		for _, o := range tt.in {
			assert.True(t, s.has(o), "%v has %q", tt.list, o)
		}
		for _, o := range tt.out {
			assert.False(t, s.has(o), "%v has %q", tt.list, o)
		}
	}
}

// TestOffHoursOnCall: a physician's day tokens (09:00–17:00 for ten days)
// teach the owner's day. Its first call-out at night alerts; called out
// again with another hourly token, at 05:00 or at 23:00 the next day, it
// does not: the first night's session joined the owner's profile when it
// alerted, although its token never came back (05:00 is then near a used
// hour), and an owner that works nights now and then has no night to be
// off (23:00 is not near one).
func TestOffHoursOnCall(t *testing.T) {
	monday := t0.Add(-10 * time.Hour) // 00:00
	tests := []struct {
		name    string
		nights  []time.Duration // after the tenth day's midnight
		want    int
		service bool // the owner is a service, whose stray night is no habit
		// excluded: the physicians' verified issuer is in
		// exclude.issuers, a roster the hours cannot tell.
		excluded bool
	}{
		{"the first call-out", []time.Duration{2 * time.Hour}, 1, false, false},
		{"a service's tokens, two nights running", []time.Duration{2 * time.Hour, day + 2*time.Hour}, 2, true, false},
		{"a person's, two nights running", []time.Duration{2 * time.Hour, day + 2*time.Hour}, 1, false, false},
		{"called out again the next night, later", []time.Duration{2 * time.Hour, day + 5*time.Hour}, 1, false, false},
		{"called out again the next evening", []time.Duration{2 * time.Hour, day + 23*time.Hour}, 1, false, false},
		{"the issuer excluded", []time.Duration{2 * time.Hour, day + 2*time.Hour}, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := func(items []item) []item {
				for i := range items {
					items[i].principal, items[i].principalType = "dr-1", auditattr.PrincipalUser
					items[i].issuer, items[i].verified = "https://ehr.example", true
					if tt.service {
						items[i].principalType = auditattr.PrincipalService
					}
				}
				return items
			}
			cfg := testConfig()
			if tt.excluded {
				cfg.Detectors.OffHours.Exclude.Issuers = []string{"https://ehr.example"}
			}
			h := newHarness(t, cfg)
			for d := range 10 {
				h.send(user(steady(fmt.Sprintf("tok_day_%d", d), "198.51.100.1", "GET /charts", monday.Add(time.Duration(d)*day+9*time.Hour), 20*time.Minute, 24))...)
			}
			for i, at := range tt.nights {
				h.send(user(steady(fmt.Sprintf("tok_night_%d", i), "198.51.100.1", "GET /charts", monday.Add(10*day+at), 5*time.Minute, 6))...)
			}
			assert.Len(t, h.alertsOf(auditattr.FindingOffHours), tt.want)
		})
	}
}

// TestUnusedScopesPeersUse: a token judged on the observation period (it
// held its scopes long before the connector saw it) is not told it left
// unused a scope that tokens of its principal type use: its role needs it,
// if only monthly. A grant its peers do not use, or that only tokens of
// another type use, is reported as before.
func TestUnusedScopesPeersUse(t *testing.T) {
	for _, tc := range []struct {
		name       string
		peers      int
		peerType   string
		want       int
		oneOwner   bool // the peers' tokens are one principal's
		otherGrant bool // the peers hold more scopes than the token
	}{
		{"no peer uses admin", 0, auditattr.PrincipalService, 1, false, false},
		{"two peers use it", 2, auditattr.PrincipalService, 1, false, false},
		{"three peers use it", 3, auditattr.PrincipalService, 0, false, false},
		{"three people use it, the token is a service's", 3, auditattr.PrincipalUser, 1, false, false},
		{"one principal's three tokens use it", 3, auditattr.PrincipalService, 1, true, false},
		{"three services with another grant use it", 3, auditattr.PrincipalService, 1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PolicyFile = writePolicy(t, scopedPolicy)
			h := newHarness(t, cfg)
			iat := t0.Add(-120 * day).Unix()
			scopes := []string{"users:read", "admin"}
			for p := range tc.peers {
				principal := fmt.Sprintf("peer%d", p)
				if tc.oneOwner {
					principal = "peer"
				}
				grant := scopes
				if tc.otherGrant {
					grant = []string{"users:read", "users:write", "admin"}
				}
				h.send(item{at: t0.Add(time.Duration(p) * time.Hour), token: fmt.Sprintf("tok_peer%d", p), principal: principal,
					principalType: tc.peerType, outcome: auditattr.OutcomeSuccess, resource: "DELETE /admin/users/{id}", scopes: grant, issuedAt: iat})
			}
			for d := range 9 {
				h.send(item{at: t0.Add(time.Duration(d)*day + 6*time.Hour), token: "tok_s", principal: "svc", principalType: auditattr.PrincipalService,
					outcome: auditattr.OutcomeSuccess, resource: "GET /users/{id}", scopes: scopes, issuedAt: iat})
			}
			got := h.alertsOf(auditattr.FindingUnusedScopes)
			var mine int
			for _, lr := range got {
				if str(lr, auditattr.TokenID) == "tok_s" {
					mine++
				}
			}
			assert.Equal(t, tc.want, mine)
		})
	}
}
