package tokenanomalyconnector

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestNewClientAddressNewCountry: a person's hourly access token is
// always young, so a thief replaying it through a residential proxy
// abroad was judged by nothing (the outside evaluations' stolen sessions:
// blind9 L055, blind10 L028, L038, L053). It is now judged when the
// owner, with a history, never used the country and few of the org's
// people do; another ISP at home, a country the org's people use, an
// owner without history or without a known country, a service, and the
// rule turned off are not.
func TestNewClientAddressNewCountry(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	person := func(owner, from string) []item { return hourlyPerson(owner, from, auditattr.PrincipalUser) }
	stolen := func(owner, from string) item { return youngToken(owner, from, auditattr.PrincipalUser, then) }
	// Brazilian colleagues, each on an ISP of their own (orgDays' people
	// are alice, on ISPs in RU and the US).
	brazilians := func(n int) []item {
		var items []item
		for i := range n {
			items = append(items, person(fmt.Sprintf("br%d", i), fmt.Sprintf("177.10.%d.30", 20+i))...)
		}
		return items
	}
	off := testConfig()
	off.Detectors.NewClientAddress.Population.CountryMinPrincipals = 0
	noPopulation := testConfig()
	noPopulation.Detectors.NewClientAddress.Population.MinTokens = 0
	tests := []struct {
		name    string
		cfg     *Config
		history []item
		use     item
		want    int
	}{
		{"a residential ISP abroad", nil, person("erin", home), stolen("erin", abroad), 1},
		{"another ISP at home", nil, person("erin", home), stolen("erin", "95.88.13.206"), 0},
		{"a country two other people use", nil, append(person("erin", home), brazilians(2)...), stolen("erin", abroad), 1},
		{"a country three other people use", nil, append(person("erin", home), brazilians(3)...), stolen("erin", abroad), 0},
		{"an owner seen for an hour", nil, person("erin", home)[len(person("erin", home))-5:], stolen("erin", abroad), 0},
		{"an owner on no known country", nil, person("erin", "198.51.100.7"), stolen("erin", abroad), 0},
		{"a service's token", nil, hourlyPerson("relay", home, auditattr.PrincipalService),
			youngToken("relay", abroad, auditattr.PrincipalService, then), 0},
		{"the rule turned off", off, person("erin", home), stolen("erin", abroad), 0},
		{"the population turned off", noPopulation, person("erin", home), stolen("erin", abroad), 0},
		// Judged by the first-hosting rule, not by its country.
		{"a hosting provider's network abroad", nil, person("erin", home), stolen("erin", "139.59.10.7"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, orTestConfig(tt.cfg))
			h.sendOrgDays(tt.history)
			before := len(h.alertsOf(auditattr.FindingNewClientAddress))
			if tt.cfg == nil {
				require.Zero(t, before, "the org's own habits")
			}
			tt.use.outcome = auditattr.OutcomeSuccess
			h.send(tt.use)
			got := h.alertsOf(auditattr.FindingNewClientAddress)[before:]
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				body := got[0].Body().Str()
				if hosting := strings.Contains(body, "hosting provider"); hosting {
					assert.NotContains(t, body, "Its owner's tokens had not been used from")
				} else {
					assert.Contains(t, body, "Its owner's tokens had not been used from BR within 168h0m0s")
				}
			}
		})
	}
}

// TestNewClientAddressCountryNotTaught: what makes a country an owner's
// or the org's. A campaign replaying five people's sessions from five
// Brazilian ISPs alerts on the first three victims, after which Brazil is
// a country several of the org's people use (the price of letting people
// who arrive from elsewhere make a country the org's); a call the
// processor found expired, or a forged token naming the owner, teaches
// the owner nothing, so the theft after it still alerts.
func TestNewClientAddressCountryNotTaught(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	var people []item
	for i := range 5 {
		people = append(people, hourlyPerson(fmt.Sprintf("victim%d", i), fmt.Sprintf("79.192.%d.88", 60+i), auditattr.PrincipalUser)...)
	}
	var campaign []item
	for i := range 5 {
		campaign = append(campaign, youngToken(fmt.Sprintf("victim%d", i), fmt.Sprintf("177.%d.20.30", 10+i), auditattr.PrincipalUser, then.Add(time.Duration(i)*time.Minute)))
	}
	lapsed := youngToken("erin", "177.10.20.30", auditattr.PrincipalUser, then.Add(-time.Hour))
	lapsed.token, lapsed.violations = "tok_erin_old", []string{auditattr.ViolationExpired}
	forged := youngToken("erin", "177.10.20.30", auditattr.PrincipalUser, then.Add(-time.Hour))
	forged.token, forged.violations = "tok_erin_forged", []string{auditattr.ViolationInvalidSignature}
	tests := []struct {
		name    string
		history []item
		use     []item
		want    int
	}{
		{"five victims from one country", people, campaign, 3},
		{"after an expired token's call", append(hourlyPerson("erin", home, auditattr.PrincipalUser), lapsed), []item{youngToken("erin", abroad, auditattr.PrincipalUser, then)}, 1},
		{"after a forged token's call", append(hourlyPerson("erin", home, auditattr.PrincipalUser), forged), []item{youngToken("erin", abroad, auditattr.PrincipalUser, then)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := orgWith(t, tt.history)
			before := len(h.alertsOf(auditattr.FindingNewClientAddress))
			h.send(tt.use...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress)[before:], tt.want)
		})
	}
}

const (
	home   = "79.192.62.88"   // Deutsche Telekom, DE
	abroad = "187.19.158.223" // Brisanet, BR
)

// hourlyPerson is an owner's new hourly access token each hour of its
// days (08:00-20:00 UTC) for three days from t0 - 10h, from one address.
func hourlyPerson(owner, from, kind string) []item {
	var items []item
	for h := range 3 * 24 {
		if h%24 < 8 || h%24 > 20 {
			continue
		}
		tok := fmt.Sprintf("tok_%s_%d", owner, h)
		for _, it := range withPrincipal(every(tok, from, t0.Add(time.Duration(h)*time.Hour-10*time.Hour), 10*time.Minute, 5), owner) {
			it.principalType = kind
			it.issuedAt, it.expiresAt = it.at.Unix(), it.at.Add(time.Hour).Unix()
			items = append(items, it)
		}
	}
	return items
}

// youngToken is one successful call of an owner's token issued a minute
// before at.
func youngToken(owner, from, kind string, at time.Time) item {
	return item{token: "tok_" + owner + "_new", principal: owner, principalType: kind, client: from, at: at,
		outcome: auditattr.OutcomeSuccess, issuedAt: at.Add(-time.Minute).Unix(), expiresAt: at.Add(time.Hour).Unix()}
}

// TestNewClientAddressCountriesAfterUpgrade: a state saved without the
// owners' countries (the rule off, or a version without it) misses the
// countries used meanwhile: an owner's trip to Brazil while the rule was
// off would make its next token there alert once the rule is back. So the
// rule waits two rotations of the first-seen filter after such a state.
func TestNewClientAddressCountriesAfterUpgrade(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	trip := hourlyPerson("erin", "187.19.158.9", auditattr.PrincipalUser)[:20] // four hourly tokens in Brazil
	for i := range trip {
		trip[i].at = trip[i].at.Add(64 * time.Hour)
		trip[i].issuedAt, trip[i].expiresAt = trip[i].issuedAt+64*3600, trip[i].expiresAt+64*3600
	}
	for _, tt := range []struct {
		name   string
		middle int    // country_min_principals while the middle items are sent
		items  []item // the middle items
		want   int
	}{
		{"the rule on throughout", 3, nil, 1},
		{"a trip while the rule was off", 0, trip, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			minPrincipals := 3
			open := restartableCountries(t, &minPrincipals)
			h := open()
			h.sendOrgDays(hourlyPerson("erin", home, auditattr.PrincipalUser))
			h.stop()
			minPrincipals = tt.middle
			h = open()
			h.send(tt.items...)
			h.stop()
			minPrincipals = 3
			h = open()
			h.send(youngToken("erin", "177.10.20.30", auditattr.PrincipalUser, then)) // another Brazilian ISP
			assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), tt.want)
		})
	}
}

// TestNewResourceFromJudgedNetworkAsksTheOwner: a token not settled on its
// resources is judged on its first calls from a network new_client_address
// just judged news, unless its owner made the call with another token: a
// person's hourly token abroad calling the owner's routine resource is a
// trip's routine (blind4's and blind10's people abroad drew a new_resource
// and a combined_findings each), an export the owner never made is a
// thief's reach.
func TestNewResourceFromJudgedNetworkAsksTheOwner(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	for _, tt := range []struct {
		name     string
		resource string
		want     int
	}{
		{"the owner's routine resource", "GET /orders/r0", 0},
		{"a resource the owner never called", "POST /v1/exports", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := orgWith(t, hourlyPerson("erin", home, auditattr.PrincipalUser))
			var session []item
			for i := range 4 {
				it := youngToken("erin", abroad, auditattr.PrincipalUser, then.Add(time.Duration(i)*time.Minute))
				it.resource = tt.resource
				session = append(session, it)
			}
			h.send(session...)
			require.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), 1, "the network is judged news")
			assert.Len(t, h.alertsOf(auditattr.FindingNewResource), tt.want)
		})
	}
}

// TestNewClientAddressCountryWaitEnds: the wait after a state saved
// without the owners' countries lasts two rotations of the first-seen
// filter, not for ever: once the countries seen since are whole, the
// owner's next token in a country it has not used since alerts again.
func TestNewClientAddressCountryWaitEnds(t *testing.T) {
	minPrincipals := 3
	open := restartableCountries(t, &minPrincipals)
	h := open()
	h.sendOrgDays(hourlyPerson("erin", home, auditattr.PrincipalUser))
	h.stop()
	minPrincipals = 0 // saved without the countries
	h = open()
	h.stop()
	minPrincipals = 3
	h = open()
	// Three weeks of the owner's days at home: two rotations (forget_after 168h) and more.
	day := t0.Add(3 * 24 * time.Hour)
	for d := range 21 {
		at := day.Add(time.Duration(d) * 24 * time.Hour)
		tok := fmt.Sprintf("tok_erin_day%d", d)
		for i := range 5 {
			it := youngToken("erin", home, auditattr.PrincipalUser, at.Add(time.Duration(i)*time.Hour))
			it.token = tok
			h.send(it)
		}
	}
	h.model.mu.Lock()
	wait := h.model.countryWait
	h.model.mu.Unlock()
	require.Zero(t, wait, "two rotations have passed")
	h.send(youngToken("erin", abroad, auditattr.PrincipalUser, day.Add(21*24*time.Hour)))
	assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), 1)
}

// restartableCountries is restartable with country_min_principals read
// from *minPrincipals at each start.
func restartableCountries(t *testing.T, minPrincipals *int) func() *harness {
	return restartable(t, func() *Config {
		c := testConfig()
		c.Detectors.NewClientAddress.Population.CountryMinPrincipals = *minPrincipals
		return c
	})
}
