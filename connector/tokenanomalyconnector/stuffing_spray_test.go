package tokenanomalyconnector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestCredentialStuffingSpray: a credential list tried from a pool of
// proxies, a few guesses from each address, alerts once for the org with
// the addresses as evidence; known tokens, lapsed ones, known owners'
// new tokens, a pool of a few addresses (the per-address counts' case), a
// short list, and guesses at the org's usual rate do not.
func TestCredentialStuffingSpray(t *testing.T) {
	start := t0.Add(3 * 24 * time.Hour)
	// guesses: n distinct credentials from pool addresses, in turn, one
	// every step from at; edit shapes each.
	guesses := func(prefix string, n, pool int, at time.Time, step time.Duration, edit func(*item)) []item {
		out := make([]item, n)
		for i := range out {
			out[i] = item{at: at.Add(time.Duration(i) * step), token: fmt.Sprintf("tok_%s%d", prefix, i),
				outcome: auditattr.OutcomeFailure, client: fmt.Sprintf("100.%d.7.%d", 64+i%pool, 1+i%pool),
				tokenType: auditattr.TypeBearer, resource: "GET /v1/me"}
			if edit != nil {
				edit(&out[i])
			}
		}
		return out
	}
	list := func(edit func(*item)) []item { return guesses("g", 90, 45, start, 6*time.Second, edit) }
	// known: each of list's credentials succeeded the day before.
	var known []item
	for _, it := range list(nil) {
		known = append(known, item{at: it.at.Add(-24 * time.Hour), token: it.token, principal: "svc",
			outcome: auditattr.OutcomeSuccess, client: "198.51.100.7", tokenType: auditattr.TypeBearer, resource: "GET /v1/me"})
	}
	// owners: 90 people who used the app for days; then their new tokens
	// fail (an identity provider rotated its key).
	var owners []item
	for i := range 90 {
		owners = append(owners, steady(fmt.Sprintf("tok_old%d", i), fmt.Sprintf("100.%d.7.%d", 64+i%45, 1+i%45), "GET /v1/me",
			start.Add(-48*time.Hour+time.Duration(i)*time.Minute), time.Hour, 3)...)
		owners[len(owners)-1].principal = fmt.Sprintf("user%d", i)
		owners[len(owners)-2].principal = fmt.Sprintf("user%d", i)
		owners[len(owners)-3].principal = fmt.Sprintf("user%d", i)
	}
	// ownersAt: the same 90 people, on one ISP's network (format).
	ownersAt := func(format string) []item {
		var out []item
		for i := range 90 {
			for _, it := range steady(fmt.Sprintf("tok_old%d", i), fmt.Sprintf(format, 1+i), "GET /v1/me",
				start.Add(-48*time.Hour+time.Duration(i)*time.Minute), time.Hour, 3) {
				it.principal = fmt.Sprintf("user%d", i)
				out = append(out, it)
			}
		}
		return out
	}
	// proxied moves items onto a residential proxy pool of other ISPs.
	proxied := func(items []item) []item {
		for i := range items {
			items[i].client = fmt.Sprintf("179.215.%d.%d", 1+i%45, 1+i%45)
		}
		return items
	}
	rotated := func(it *item) {
		i := strings.TrimPrefix(it.token, "tok_g")
		it.principal, it.tokenType = "user"+i, auditattr.TypeJWT
	}
	// scanned: the public API is tried with 40 random keys every ten
	// minutes from 40 addresses for two days: the org's habit.
	var scanned []item
	for w := range 2 * 24 * 6 {
		scanned = append(scanned, guesses(fmt.Sprintf("scan%d_", w), 40, 40, start.Add(-48*time.Hour+time.Duration(w)*10*time.Minute), 10*time.Second, nil)...)
	}
	lapsed := func(it *item) { it.violations = []string{auditattr.ViolationExpired} }
	named := func(it *item) {
		i := strings.TrimPrefix(it.token, "tok_g")
		it.principal, it.tokenType = fmt.Sprintf("user%d", len(i)), auditattr.TypeBasic
	}
	again := func(items []item, after time.Duration) []item {
		out := slices.Clone(items)
		for i := range out {
			out[i].at = out[i].at.Add(after)
			out[i].client = fmt.Sprintf("179.215.%d.%d", 1+i%45, 1+i%45)
		}
		return out
	}
	tests := []struct {
		name   string
		before []item
		items  []item
		off    bool
		want   int
	}{
		{"90 guesses from 45 addresses in 9 minutes", nil, list(nil), false, 1},
		{"the same, spray count off", nil, list(nil), true, 0},
		{"known tokens failing", known, list(nil), false, 0},
		{"lapsed tokens", nil, list(lapsed), false, 0},
		{"known owners' new tokens failing", owners, list(rotated), false, 0},
		{"a breached list naming known owners, from a proxy pool", ownersAt("84.17.3.%d"), proxied(list(rotated)), false, 1},
		{"known owners' new tokens failing from their own ISP", ownersAt("84.17.3.%d"), list(func(it *item) {
			rotated(it)
			it.client = fmt.Sprintf("84.17.3.%d", 1+len(it.token)%200)
		}), false, 0},
		{"90 guesses from 5 addresses", nil, guesses("g", 90, 5, start, 6*time.Second, nil), false, 0},
		{"29 guesses from 29 addresses", nil, guesses("g", 29, 29, start, 6*time.Second, nil), false, 0},
		{"a list at the org's usual rate of guesses", scanned, guesses("g", 45, 45, start, 10*time.Second, nil), false, 0},
		{"a list far above the org's usual rate", scanned, guesses("g", 200, 100, start, 2*time.Second, nil), false, 1},
		{"the same list again 11 hours later, from another pool", list(named), again(list(named), 11*time.Hour), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.off {
				cfg.Detectors.CredentialStuffing.SprayThreshold = 0
			}
			h := newHarness(t, cfg)
			for b := range slices.Chunk(tt.before, 50) {
				h.send(b...)
			}
			before := len(h.alertsOf(auditattr.FindingCredentialStuffing))
			for b := range slices.Chunk(tt.items, 50) {
				h.send(b...)
				h.send(b...) // a retried batch counts once
			}
			var spray []string
			for _, lr := range h.alertsOf(auditattr.FindingCredentialStuffing)[before:] {
				if strings.Contains(lr.Body().Str(), "spread over many addresses") {
					spray = append(spray, lr.Body().Str())
					v, ok := lr.Attributes().Get(auditattr.EvidenceValues)
					require.True(t, ok, "the addresses are the evidence")
					assert.GreaterOrEqual(t, v.Slice().Len(), 10)
					_, named := lr.Attributes().Get(auditattr.TokenID)
					assert.False(t, named, "the org's finding names no token")
					count, _ := lr.Attributes().Get(auditattr.FindingCount)
					assert.Equal(t, int64(1), count.Int(), "a spray after an hour's lull is a finding of its own, not an update of the last")
				}
			}
			assert.Len(t, spray, tt.want, "spray alerts: %.300q", spray)
		})
	}
}

// TestSprayBounded: a flood of guesses, from one address and then from
// thousands, keeps the count's memory at 2 × spray_threshold and raises
// one alert.
func TestSprayBounded(t *testing.T) {
	cfg := testConfig()
	h := newHarness(t, cfg)
	start := t0.Add(3 * 24 * time.Hour)
	var items []item
	for i := range 20000 {
		client := "203.0.113.9"
		if i >= 10000 {
			client = fmt.Sprintf("100.%d.%d.%d", 64+i%50, (i/50)%250, 1+i%200)
		}
		items = append(items, item{at: start.Add(time.Duration(i) * 10 * time.Millisecond), token: fmt.Sprintf("tok_flood%d", i),
			outcome: auditattr.OutcomeFailure, client: client, tokenType: auditattr.TypeBearer, resource: "GET /v1/me"})
	}
	for b := range slices.Chunk(items, 500) {
		h.send(b...)
	}
	h.model.mu.Lock()
	kept := len(h.model.spray.guesses)
	h.model.mu.Unlock()
	assert.LessOrEqual(t, kept, 2*cfg.Detectors.CredentialStuffing.SprayThreshold)
	n := 0
	for _, lr := range h.alertsOf(auditattr.FindingCredentialStuffing) {
		if strings.Contains(lr.Body().Str(), "spread over many addresses") {
			n++
		}
	}
	assert.Equal(t, 1, n)
}

// TestSprayBaselineNotPoisoned: one address's flood of junk keys (the
// per-address counts' alert) teaches the org's usual count at most the
// threshold per window, so a spray two hours later still alerts.
func TestSprayBaselineNotPoisoned(t *testing.T) {
	h := newHarness(t, testConfig())
	start := t0.Add(3 * 24 * time.Hour)
	var flood []item
	for i := range 20000 {
		flood = append(flood, item{at: start.Add(time.Duration(i) * 9 * time.Millisecond), token: fmt.Sprintf("tok_junk%d", i),
			outcome: auditattr.OutcomeFailure, client: "203.0.113.9", tokenType: auditattr.TypeBearer, resource: "GET /v1/me"})
	}
	for b := range slices.Chunk(flood, 500) {
		h.send(b...)
	}
	before := len(h.alertsOf(auditattr.FindingCredentialStuffing))
	var spray []item
	for i := range 90 {
		spray = append(spray, item{at: start.Add(2*time.Hour + time.Duration(i)*6*time.Second), token: fmt.Sprintf("tok_g%d", i),
			outcome: auditattr.OutcomeFailure, client: fmt.Sprintf("100.%d.7.%d", 64+i%45, 1+i%45), tokenType: auditattr.TypeBearer, resource: "GET /v1/me"})
	}
	h.send(spray...)
	n := 0
	for _, lr := range h.alertsOf(auditattr.FindingCredentialStuffing)[before:] {
		if strings.Contains(lr.Body().Str(), "spread over many addresses") {
			n++
		}
	}
	assert.Equal(t, 1, n)
}

// TestSprayValidate: the spray count's keys name the field and the fix.
func TestSprayValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*StuffingConfig)
		want string
	}{
		{"a window under a second", func(c *StuffingConfig) { c.SprayWindow = 500 * time.Microsecond }, "spray_window"},
		{"a threshold of 1", func(c *StuffingConfig) { c.SprayThreshold = 1 }, "spray_threshold"},
		{"more clients than guesses", func(c *StuffingConfig) { c.SprayMinClients = c.SprayThreshold + 1 }, "spray_min_clients"},
		{"off needs nothing else", func(c *StuffingConfig) { c.SprayThreshold, c.SprayWindow, c.SprayMinClients = 0, 0, 0 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.edit(&cfg.Detectors.CredentialStuffing)
			err := cfg.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), "credential_stuffing."+tt.want)
			}
		})
	}
}
