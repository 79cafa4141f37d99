package tokenanomalyconnector

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestExpiredTokenStaleRefusals: an expired token its own client still
// sends, refused at authentication from the network it used while valid,
// alerts only past stale_refusals presentations; accepted, from another
// network, or with the allowance off it alerts at the first.
func TestExpiredTokenStaleRefusals(t *testing.T) {
	// home is the token's own network, nearby another of its ISP's (the
	// same /16), office the org's network, which other tokens use.
	const home, nearby, office, elsewhere = "198.51.100.7", "198.51.7.9", "192.0.2.10", "203.0.113.50"
	tests := []struct {
		name      string
		allowance int
		client    string
		outcome   string
		calls     int
		wantAlert int // the presentation that raises expired_token, 0 for none
	}{
		{"refused once from its network", 2, home, auditattr.OutcomeFailure, 1, 0},
		{"refused twice from its network", 2, home, auditattr.OutcomeFailure, 2, 0},
		{"refused again and again", 2, home, auditattr.OutcomeFailure, 5, 3},
		{"refused from another network", 2, elsewhere, auditattr.OutcomeFailure, 1, 1},
		{"refused from its ISP's range", 2, nearby, auditattr.OutcomeFailure, 2, 0},
		{"refused from the org's office", 2, office, auditattr.OutcomeFailure, 2, 0},
		{"accepted after expiry", 2, home, auditattr.OutcomeSuccess, 1, 1},
		{"denied (403) after expiry", 2, home, auditattr.OutcomeDenied, 1, 1},
		// An outage's 503 answers the client's last call before it could
		// be refused: not served, as a 401 is not.
		{"server error (5xx) from its network", 2, home, auditattr.OutcomeError, 2, 0},
		{"server error again and again", 2, home, auditattr.OutcomeError, 4, 3},
		{"server error from another network", 2, elsewhere, auditattr.OutcomeError, 1, 1},
		{"allowance off", 0, home, auditattr.OutcomeFailure, 1, 1},
		{"allowance of one", 1, home, auditattr.OutcomeFailure, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.Violations.StaleRefusals = tt.allowance
			h := newHarness(t, cfg)
			exp := t0.Add(10 * time.Hour)
			valid := item{token: "tok_a", principal: "alice", resource: "GET /orders", outcome: auditattr.OutcomeSuccess,
				client: home, tokenType: auditattr.TypeJWT, expiresAt: exp.Unix()}
			for i := range 5 {
				valid.at = t0.Add(time.Duration(i) * time.Hour)
				h.send(valid)
			}
			for i := range 4 { // colleagues at the office
				h.send(item{at: t0.Add(5*time.Hour + time.Duration(i)*time.Minute), token: fmt.Sprintf("tok_c%d", i), principal: fmt.Sprintf("colleague%d", i),
					resource: "GET /orders", outcome: auditattr.OutcomeSuccess, client: office})
			}
			require.Empty(t, h.records())
			for i := range tt.calls {
				stale := valid
				stale.at, stale.client, stale.outcome = exp.Add(14*time.Hour+time.Duration(i)*time.Minute), tt.client, tt.outcome
				stale.violations = []string{auditattr.ViolationExpired}
				h.send(stale)
				got := 0
				for _, lr := range h.records() {
					if str(lr, auditattr.FindingType) == auditattr.ViolationExpired {
						got++
					}
				}
				want := 0
				if tt.wantAlert > 0 && i+1 >= tt.wantAlert {
					want = 1
				}
				assert.Equal(t, want, min(got, 1), "after presentation %d", i+1)
			}
		})
	}
}

// usedWhileValid is a harness where tok_a was used three times from
// 198.51.100.7 before it expired (t0+10h), and its refused presentation.
func usedWhileValid(t *testing.T) (*harness, item) {
	h := newHarness(t, testConfig())
	exp := t0.Add(10 * time.Hour)
	valid := item{token: "tok_a", principal: "alice", resource: "GET /orders", outcome: auditattr.OutcomeSuccess,
		client: "198.51.100.7", tokenType: auditattr.TypeJWT, expiresAt: exp.Unix()}
	for i := range 3 {
		valid.at = t0.Add(time.Duration(i) * time.Hour)
		h.send(valid)
	}
	stale := valid
	stale.outcome, stale.violations = auditattr.OutcomeFailure, []string{auditattr.ViolationExpired}
	return h, stale
}

// TestExpiredTokenStaleRefusalCountsRequests: a refused request seen from
// both sides (the caller's client span and the service's server span) is
// one presentation, so two such requests stay within an allowance of two.
func TestExpiredTokenStaleRefusalCountsRequests(t *testing.T) {
	h, stale := usedWhileValid(t)
	var reqs []item
	for i := range 2 {
		stale.at = t0.Add(24*time.Hour + time.Duration(i)*time.Minute)
		reqs = append(reqs, stale)
	}
	clients, servers := requestSides(reqs, 1)
	h.sendBatch(sideSpans(append(clients, servers...)))
	h.settle()
	for _, lr := range h.records() {
		assert.NotEqual(t, auditattr.ViolationExpired, str(lr, auditattr.FindingType), lr.Body().Str())
	}
	stale.at = t0.Add(25 * time.Hour)
	h.send(stale)
	require.NotEmpty(t, h.records(), "the third request alerts")
}

// TestExpiredTokenStaleRefusalClientOnly: a caller's client spans with no
// server span to follow (the service is not instrumented) count too: the
// third refused request alerts.
func TestExpiredTokenStaleRefusalClientOnly(t *testing.T) {
	h, stale := usedWhileValid(t)
	for i := range 3 {
		stale.at = t0.Add(24*time.Hour + time.Duration(i)*time.Minute)
		clients, _ := requestSides([]item{stale}, byte(10+i))
		h.sendBatch(sideSpans(clients))
		h.settle()
		got := 0
		for _, lr := range h.records() {
			if str(lr, auditattr.FindingType) == auditattr.ViolationExpired {
				got++
			}
		}
		assert.Equal(t, i/2, min(got, 1), "after request %d", i+1)
	}
}

// TestExpiredTokenStaleRefusalInOneRequest: the client's last calls and
// its refused stale one may come in one export request, and wait in the
// reorder buffer together, so the token is not in the table yet when its
// refusal is judged; it is forgiven all the same, from its owner's network
// (the ninth outside evaluation: a phone's session over IPv6, its stale
// call five minutes later over its home's IPv4 of the same ISP), and its
// refusals are counted from the first.
func TestExpiredTokenStaleRefusalInOneRequest(t *testing.T) {
	exp := t0.Add(10 * time.Hour)
	owner := make([]item, 3)
	for i := range owner { // the owner's earlier session from its home's IPv4
		owner[i] = item{at: t0.Add(time.Duration(i) * time.Hour), token: "tok_old", principal: "alice", resource: "GET /orders",
			outcome: auditattr.OutcomeSuccess, client: "88.160.229.47", tokenType: auditattr.TypeJWT, expiresAt: t0.Add(3 * time.Hour).Unix()}
	}
	valid := item{at: exp.Add(-5 * time.Minute), token: "tok_a", principal: "alice", resource: "GET /orders", outcome: auditattr.OutcomeSuccess,
		client: "2a01:e0a:ddc2:e7f2:912f:eab4:c8e3:e23c", tokenType: auditattr.TypeJWT, expiresAt: exp.Unix()}
	stale := valid
	stale.client, stale.outcome, stale.violations = "88.160.229.49", auditattr.OutcomeFailure, []string{auditattr.ViolationExpired}
	expired := func(h *harness) int {
		got := 0
		for _, lr := range h.records() {
			if str(lr, auditattr.FindingType) == auditattr.ViolationExpired {
				got++
			}
		}
		return got
	}
	t.Run("refused twice, then once its state exists", func(t *testing.T) {
		h := newHarness(t, testConfig())
		h.send(owner...)
		s1, s2, s3 := stale, stale, stale
		s1.at, s2.at, s3.at = exp.Add(3*time.Minute), exp.Add(4*time.Minute), exp.Add(5*time.Minute)
		h.send(valid, s1, s2)
		assert.Equal(t, 0, expired(h))
		h.send(s3)
		assert.Equal(t, 1, expired(h), "the refusals counted before its state are its own")
	})
	t.Run("two requests seen from both sides", func(t *testing.T) {
		h := newHarness(t, testConfig())
		h.send(owner...)
		reqs := []item{valid}
		for i := range 2 {
			s := stale
			s.at = exp.Add(time.Duration(3+i) * time.Minute)
			reqs = append(reqs, s)
		}
		clients, servers := requestSides(reqs, 1)
		h.sendBatch(sideSpans(append(clients, servers...)))
		h.settle()
		assert.Equal(t, 0, expired(h), "two presentations")
	})
	for _, tt := range []struct {
		name  string
		calls int
		want  int
	}{
		{"refused once", 1, 0},
		{"refused twice", 2, 0},
		{"refused three times", 3, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(owner...)
			batch := []item{valid}
			for i := range tt.calls {
				s := stale
				s.at = exp.Add(time.Duration(3+i) * time.Minute)
				batch = append(batch, s)
			}
			h.send(batch...)
			got := 0
			for _, lr := range h.records() {
				if str(lr, auditattr.FindingType) == auditattr.ViolationExpired {
					got++
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
