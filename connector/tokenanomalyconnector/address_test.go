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

// orgDays is three working days (09:00–18:00) of a small org: colleagues
// behind two offices' NAT, phones on one carrier's CGNAT pool (a new /24
// each day), and tok_user, who works from the first office, from home and
// now and then from a phone (a new carrier address each day).
func orgDays() []item {
	var items []item
	for d := range 3 {
		day := t0.Add(time.Duration(d)*24*time.Hour - time.Hour) // 09:00
		for c := range 8 {
			tok := fmt.Sprintf("tok_colleague%d", c)
			office := []string{"185.40.1.%d", "64.120.5.%d"}[c%2]
			items = append(items, every(tok, fmt.Sprintf(office, 10+c), day.Add(time.Duration(c)*time.Minute), 30*time.Minute, 18)...)
			phone := fmt.Sprintf("tok_phone%d", c)
			items = append(items, every(phone, fmt.Sprintf("172.58.%d.%d", 10*d+c, 20+c), day.Add(time.Duration(c)*time.Minute), 45*time.Minute, 12)...)
		}
		items = append(items, every("tok_user", "185.40.1.9", day.Add(time.Hour), 20*time.Minute, 12)...)
		items = append(items, every("tok_user", "84.17.3.20", day.Add(5*time.Hour), 20*time.Minute, 12)...)
		items = append(items, every("tok_user", fmt.Sprintf("172.58.%d.40", 100+d), day.Add(3*time.Hour), 5*time.Minute, 3)...)
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	return items
}

// TestNewClientAddressAgainstPopulation: a user's token that moves between
// office, home and a carrier is judged once settled; a network new to it
// alerts only when it is far from its own networks and rare in the org.
func TestNewClientAddressAgainstPopulation(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	tests := []struct {
		name     string
		client   string
		learning time.Duration // population.learning_period, when not the default
		want     int
	}{
		{"a hosting network never seen in the org", "45.77.10.5", 0, 1},
		{"the home address the ISP changed, within its range", "84.17.200.5", 0, 0},
		{"a carrier address new to the token, in the org's carrier pool", "172.58.222.5", 0, 0},
		{"the other office, new to the token, used by colleagues", "64.120.5.77", 0, 0},
		{"a hosting network while the population is still learned", "45.77.10.5", 4 * 24 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.learning != 0 {
				cfg.Detectors.NewClientAddress.Population.LearningPeriod = tt.learning
			}
			h := newHarness(t, cfg)
			h.send(orgDays()...)
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "the org's own habits")
			h.send(every("tok_user", tt.client, then, time.Minute, 3)...)
			got := h.alertsOf(auditattr.FindingNewClientAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Equal(t, "tok_user", str(got[0], auditattr.TokenID))
				assert.Equal(t, then, got[0].Timestamp().AsTime(), "raised on the first call from the network")
			}
		})
	}
}

// TestNewClientAddressRotatingTokens: tokens whose history shows a new
// rare network every session never settle, so their next one is no news.
func TestNewClientAddressRotatingTokens(t *testing.T) {
	tests := []struct {
		name string
		addr func(session int) string
	}{
		// A fleet no other token of the org uses: each build in a new /16.
		{"CI builds on hosted runners", func(s int) string { return fmt.Sprintf("20.%d.%d.7", 10+s, s%7) }},
		// One app on a carrier with a pool so large its ranges look rare.
		{"an app on a new CGNAT address each session", func(s int) string { return fmt.Sprintf("100.%d.%d.9", 64+s, 3*s%251) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			var items []item
			for s := range 7 * 3 { // three sessions a day for a week
				at := t0.Add(time.Duration(s/3)*24*time.Hour + time.Duration(s%3)*4*time.Hour)
				items = append(items, every("tok_rot", tt.addr(s), at, 30*time.Second, 40)...)
			}
			h.send(items...)
			assert.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress))
		})
	}
}

// TestPrevalenceCountsTokensPerGeneration: the sketch counts what it was
// given, keeps it for one rotation and forgets it at the second.
func TestPrevalenceCountsTokensPerGeneration(t *testing.T) {
	p := newPrevalence(64)
	for range 5 {
		p.add(1)
	}
	p.add(2)
	assert.Equal(t, 5, p.count(1))
	assert.Equal(t, 1, p.count(2))
	assert.Equal(t, 0, p.count(3))
	p.rotate()
	assert.Equal(t, 5, p.count(1), "the previous generation still counts")
	p.add(1)
	assert.Equal(t, 5, p.count(1), "the larger generation's count")
	p.rotate()
	assert.Equal(t, 1, p.count(1), "the oldest generation is forgotten")
}

// TestMultiAddressAgainstPopulation: networks the org's population uses
// (offices, the carrier's pool) do not add up to a botnet; hosting
// networks nobody in the org uses do.
func TestMultiAddressAgainstPopulation(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	tests := []struct {
		name    string
		clients []string
		want    int
	}{
		{"both offices and two carrier addresses within minutes", []string{"185.40.1.9", "172.58.201.7", "64.120.5.30", "172.58.202.8"}, 0},
		{"five hosting networks within minutes", []string{"45.77.10.5", "45.12.3.9", "45.200.8.1", "45.91.66.2", "45.140.7.7"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(orgDays()...)
			var burst []item
			for i, c := range tt.clients {
				burst = append(burst, every("tok_user", c, then.Add(time.Duration(i)*time.Minute), 20*time.Second, 2)...)
			}
			h.send(burst...)
			got := h.alertsOf(auditattr.FindingMultiAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Equal(t, "tok_user", str(got[0], auditattr.TokenID))
			}
		})
	}
}

// TestAddressDetectorsDoNotAllocate: the network key is computed without
// a string or a heap allocation per item, on a token that stays on one
// network and on one that roams among three (the list path).
func TestAddressDetectorsDoNotAllocate(t *testing.T) {
	tests := []struct {
		name    string
		clients []string
	}{
		{"one network", []string{"198.51.100.7"}},
		{"three networks by turns", []string{"198.51.100.7", "203.0.113.9", "2001:db8:1:2::5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			m := h.model
			key := hashString(seedToken, "tok_alloc")
			st, _, _, _ := m.tokens.put(key)
			at := t0.UnixMilli()
			st.firstSeen = uint32(at / 1000)
			i := 0
			ev := &event{} // the reorder buffer owns events; only the detectors are measured
			next := func() {
				*ev = event{tokenID: "tok_alloc", client: tt.clients[i%len(tt.clients)], outcome: auditattr.OutcomeSuccess, at: at, key: key}
				m.detectNovelty(ev, st, key)
				m.detectMultiAddress(ev, st)
				i++
				at += 1000
			}
			for range 100 { // warm up: the list of networks reaches its size
				next()
			}
			assert.Zero(t, testing.AllocsPerRun(1000, next))
		})
	}
}

// TestNewClientAddressWideRange: an ISP that spreads its customers over
// its whole block is the org's when enough of its tokens use it, though
// no colleague shares the user's /16.
func TestNewClientAddressWideRange(t *testing.T) {
	tests := []struct {
		name      string
		customers int // tokens on the ISP's block, each in its own /16
		want      int
	}{
		{"an ISP many of the org's tokens use", 60, 0},
		{"a block few of the org's tokens use", 10, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			items := every("tok_user", "185.40.1.9", t0, time.Hour, 3*24)
			for c := range tt.customers {
				home := every(fmt.Sprintf("tok_home%d", c), fmt.Sprintf("73.%d.5.5", c), t0, time.Hour, 3*24)
				for i := range home {
					home[i].principal = fmt.Sprintf("customer%d", c) // the wide range counts people
				}
				items = append(items, home...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress))
			h.send(every("tok_user", "73.250.9.9", t0.Add(3*24*time.Hour+time.Hour), time.Minute, 2)...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), tt.want)
		})
	}
}

// TestNewClientAddressAutonomousSystem: with wide_ranges "asn" the AS that
// announces the address is judged too: a hosting company inside a /8 where
// many of the org's people live is rare, and a user's own ISP is theirs
// however few colleagues share it. An address no AS announces is judged
// by the wide prefix alone. "prefix" (the default) judges the /8 alone;
// the alert names the AS either way.
func TestNewClientAddressAutonomousSystem(t *testing.T) {
	tests := []struct {
		name       string
		wideRanges string
		home, then string // the user's address for three days, then its new one
		crowd      string // format of 60 other people's addresses, one /16 each (64 to 123), in the new address's /8
		want       int
		body       string // what the alert's body says of the range
	}{
		{"a hosting AS in the org's /8", wideRangesASN, "185.40.1.9", "2.58.56.45", "2.%d.5.5", 1,
			"in AS210558 (1337 Services GmbH), which few of the org's people use."},
		{"a hosting AS in the org's /8, wide prefixes", wideRangesPrefix, "185.40.1.9", "2.58.56.45", "2.%d.5.5", 0, ""},
		{"the owner's own ISP, another /16", wideRangesASN, "79.217.123.112", "79.250.9.9", "", 0, ""},
		{"the owner's own ISP, another /16, wide prefixes", wideRangesPrefix, "79.217.123.112", "79.250.9.9", "", 1,
			"in a range few of the org's people use (AS3320, Deutsche Telekom AG)."},
		{"no AS: the wide prefix", wideRangesASN, "203.0.113.7", "198.51.100.9", "", 1, "in a range few of the org's people use."},
		{"no AS, a /8 the org's people use", wideRangesASN, "203.0.113.7", "100.126.9.9", "100.%d.7.7", 0, ""}, // shared address space
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewClientAddress.Population.WideRanges = tt.wideRanges
			h := newHarness(t, cfg)
			items := every("tok_user", tt.home, t0, time.Hour, 3*24)
			for c := range 60 {
				if tt.crowd == "" {
					break
				}
				home := every(fmt.Sprintf("tok_home%d", c), fmt.Sprintf(tt.crowd, 64+c), t0, time.Hour, 3*24)
				for i := range home {
					home[i].principal = fmt.Sprintf("person%d", c)
				}
				items = append(items, home...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress))
			h.send(every("tok_user", tt.then, t0.Add(3*24*time.Hour+time.Hour), time.Minute, 2)...)
			got := h.alertsOf(auditattr.FindingNewClientAddress)
			require.Len(t, got, tt.want)
			if tt.body != "" {
				assert.Contains(t, got[0].Body().Str(), tt.body)
			}
		})
	}
}

// TestAutonomousSystemsCountedBeforeJudged: a state saved while the
// population judged prefixes alone holds no AS counts; restarted with
// "asn", it judges no AS rare until two first-seen rotations have passed
// (a count is the larger of two generations', and the first one is
// partial), else a user's first session on a provider many colleagues
// use would alert; how many rotations are left is saved with the state.
func TestAutonomousSystemsCountedBeforeJudged(t *testing.T) {
	crowd := func(from time.Time, hours int) []item { // 60 people in 2/8 (Sky UK and others), one /16 each
		var items []item
		for c := range 60 {
			home := every(fmt.Sprintf("tok_home%d", c), fmt.Sprintf("2.%d.5.5", 64+c), from, time.Hour, hours)
			for i := range home {
				home[i].principal = fmt.Sprintf("person%d", c)
			}
			items = append(items, home...)
		}
		return items
	}
	const day = 24 * time.Hour
	tests := []struct {
		name          string
		savedWith     string        // wide_ranges before the restart
		before, after time.Duration // of traffic before the restart (from t0), and after it
		crowdAfter    bool          // the colleagues keep calling after the restart
		then          string
		want          int
	}{
		{"saved with asn: the counts hold", wideRangesASN, 3 * day, time.Hour, true, "2.124.9.9", 0},
		{"saved with prefix: a colleagues' provider is not judged at once", wideRangesPrefix, 3 * day, time.Hour, true, "2.124.9.9", 0},
		{"saved with prefix: a hosting AS is judged by its /8 at first", wideRangesPrefix, 3 * day, time.Hour, true, "2.58.56.45", 0},
		{"saved with prefix: not judged after one rotation", wideRangesPrefix, 6*day + 22*time.Hour, 5 * time.Hour, false, "2.124.9.9", 0},
		{"saved with prefix: a hosting AS is judged after two rotations", wideRangesPrefix, 3 * day, 11*day + 6*time.Hour, true, "2.58.56.45", 1},
		{"saved with prefix: a colleagues' provider after two rotations", wideRangesPrefix, 3 * day, 11*day + 6*time.Hour, true, "2.124.9.9", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg, host := storageConfig(dir)
			cfg.Detectors.NewClientAddress.Population.WideRanges = tt.savedWith
			h := newHarnessWithHost(t, cfg, host)
			hours := int(tt.before / time.Hour)
			items := append(every("tok_user", "185.40.1.9", t0, time.Hour, hours), crowd(t0, hours)...)
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			h.stop()

			cfg2, host2 := storageConfig(dir)
			cfg2.Detectors.NewClientAddress.Population.WideRanges = wideRangesASN
			h2 := newHarnessWithHost(t, cfg2, host2)
			restart := t0.Add(tt.before)
			hours = int(tt.after / time.Hour)
			items = every("tok_user", "185.40.1.9", restart, time.Hour, hours)
			if tt.crowdAfter {
				items = append(items, crowd(restart, hours)...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h2.send(items...)
			require.Empty(t, h2.alertsOf(auditattr.FindingNewClientAddress))
			h2.send(every("tok_user", tt.then, restart.Add(tt.after), time.Minute, 2)...)
			assert.Len(t, h2.alertsOf(auditattr.FindingNewClientAddress), tt.want)
		})
	}
}

// TestNewClientAddressHostingProvider: an address of a hosting provider
// is judged by its own network: the org's servers in the provider's other
// networks make a thief's VPS next to them no less rare, and neither do
// many addresses spread over the provider (multi_address); a network the
// org's servers share is still theirs. population.hosting false judges
// such addresses as any other.
func TestNewClientAddressHostingProvider(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	vps := []string{"134.209.70.5", "134.209.71.5", "134.209.72.5", "134.209.73.5", "134.209.74.5"}
	tests := []struct {
		name      string
		hosting   bool
		clients   []string
		wantNew   int
		wantMulti int
	}{
		{"a VPS in the /16 of the org's servers", true, vps[:1], 1, 0},
		{"a VPS in the /16 of the org's servers, hosting off", false, vps[:1], 0, 0},
		{"the /24 two of the org's servers share", true, []string{"134.209.10.99"}, 0, 0},
		{"five VPSs within minutes", true, vps, 1, 1},
		{"five VPSs within minutes, hosting off", false, vps, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Detectors.NewClientAddress.Population.Hosting = tt.hosting
			h := newHarness(t, cfg)
			items := orgDays()
			// Merchants' servers on DigitalOcean, each in its own /24 but two.
			for s := range 6 {
				srv := every(fmt.Sprintf("tok_server%d", s), fmt.Sprintf("134.209.%d.%d", 10+s/2*7, 20+s), t0, time.Hour, 3*24)
				for i := range srv {
					srv[i].principal = fmt.Sprintf("merchant%d", s)
				}
				items = append(items, srv...)
			}
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "the org's own habits")
			var burst []item
			for i, c := range tt.clients {
				burst = append(burst, every("tok_user", c, then.Add(time.Duration(i)*time.Minute), 20*time.Second, 2)...)
			}
			h.send(burst...)
			got := h.alertsOf(auditattr.FindingNewClientAddress)
			if assert.Len(t, got, tt.wantNew) && tt.wantNew == 1 {
				assert.Contains(t, got[0].Body().Str(), "on a hosting provider's network (AS14061, DigitalOcean, LLC) that few of the org's tokens use")
			}
			assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), tt.wantMulti)
		})
	}
}

// TestNewClientAddressFirstHosting: a token not yet settled is judged on
// its first hosting provider's network when its history is long enough:
// a low-rate key seen for days, or a young access token whose owner has
// used the app for days; also on a provider new to it and its owner when
// the owner runs on another (an integration's hourly JWT replayed from a
// thief's VPS); not on a provider the owner used, under any of the
// provider's ASes, nor for a key a few hours old.
func TestNewClientAddressFirstHosting(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	const vps = "134.209.70.5"                 // DigitalOcean
	lowRate := func(from time.Time, days int, tok, principal string) []item {
		var items []item
		for d := range days {
			call := item{token: tok, principal: principal, client: "84.17.3.20", at: from.Add(time.Duration(d) * 24 * time.Hour), outcome: auditattr.OutcomeSuccess}
			items = append(items, call)
		}
		return items
	}
	// Alice's app gets a new access token each hour of her day, from home.
	hourly := func(owner string) []item {
		var items []item
		for h := range 3 * 24 {
			if h%24 < 8 || h%24 > 20 {
				continue
			}
			tok := fmt.Sprintf("tok_%s_%d", owner, h)
			items = append(items, withPrincipal(every(tok, "84.17.3.21", t0.Add(time.Duration(h)*time.Hour-10*time.Hour), 10*time.Minute, 5), owner)...)
		}
		return items
	}
	// Dave's integration gets a new JWT each hour, on a cloud.
	integration := func(owner, client string) []item {
		return tokenEachHour(owner, t0.Add(-10*time.Hour), 3*24, func(int) string { return client })
	}
	const (
		firstBody = "neither the token nor its owner used a hosting provider before"
		newBody   = "neither the token nor its owner used this provider before"
	)
	tests := []struct {
		name    string
		history []item
		stolen  item
		want    int
		body    string
	}{
		{"a low-rate key seen for days", lowRate(t0.Add(-10*time.Hour), 4, "tok_key", ""),
			item{token: "tok_key", client: vps, at: then}, 1, firstBody},
		{"a low-rate key twelve hours old", lowRate(then.Add(-12*time.Hour), 1, "tok_key", ""),
			item{token: "tok_key", client: vps, at: then}, 0, ""},
		{"a young access token of an owner known for days", hourly("carol"),
			item{token: "tok_carol_new", principal: "carol", client: vps, at: then}, 1, firstBody},
		{"the owner's other token ran on another hosting provider", append(hourly("carol"),
			withPrincipal(every("tok_carol_ci", "20.42.7.9", t0, time.Hour, 24), "carol")...),
			item{token: "tok_carol_new", principal: "carol", client: vps, at: then}, 1, newBody},
		{"the owner's other token ran on this provider", append(hourly("carol"),
			withPrincipal(every("tok_carol_ci", "134.209.3.9", t0, time.Hour, 24), "carol")...),
			item{token: "tok_carol_new", principal: "carol", client: vps, at: then}, 0, ""},
		{"an integration's JWT replayed from another provider", integration("dave", "20.42.7.9"),
			item{token: "tok_dave_70", principal: "dave", client: vps, at: then}, 1, newBody},
		{"an integration's JWT in another region of its cloud", integration("dave", "20.42.7.9"),
			item{token: "tok_dave_70", principal: "dave", client: "52.160.10.5", at: then}, 0, ""},
		{"an integration's JWT under another AS of its provider", integration("dave", "3.80.0.5"), // AWS us-east-1, AS14618
			item{token: "tok_dave_70", principal: "dave", client: "18.184.2.2", at: then}, 0, ""}, // AWS Frankfurt, AS16509
		{"a young token of an owner seen once", withPrincipal(every("tok_bob_1", "84.17.3.22", t0.Add(60*time.Hour), time.Minute, 3), "bob"),
			item{token: "tok_bob_new", principal: "bob", client: vps, at: then}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.stolen.outcome = auditattr.OutcomeSuccess
			assertStolenUse(t, tt.history, tt.stolen, tt.want, tt.body)
		})
	}
}

// TestNewClientAddressProviderHopping: a thief replaying an integration's
// JWT from one rented server after another alerts once, on the first.
func TestNewClientAddressProviderHopping(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	h := orgWith(t, tokenEachHour("dave", t0.Add(-10*time.Hour), 3*24, func(int) string { return "20.42.7.9" }))
	// DigitalOcean, Vultr, Hetzner, OVH: a provider each, minutes apart.
	assertOneAlertOn(t, h, item{token: "tok_dave_70", principal: "dave", at: then},
		[]string{"134.209.70.5", "45.32.63.9", "88.198.13.7", "51.38.25.3"}, "134.209.70.0/24")
}

// assertOneAlertOn sends stolen from each of stops, five minutes apart
// (each twice: a retried batch), and expects one new_client_address
// alert, on network.
func assertOneAlertOn(t *testing.T, h *harness, stolen item, stops []string, network string) {
	t.Helper()
	stolen.outcome = auditattr.OutcomeSuccess
	start := stolen.at
	for i, client := range stops {
		stolen.client, stolen.at = client, start.Add(time.Duration(i)*5*time.Minute)
		h.send(stolen, stolen)
	}
	got := h.alertsOf(auditattr.FindingNewClientAddress)
	if assert.Len(t, got, 1) {
		assert.Contains(t, got[0].Body().Str(), network)
	}
}

// TestNewClientAddressYoungJudgmentNotSpent: a thief's first stop on a
// residential network that no rule judges (its owner uses both clouds and
// ISPs) does not use up the young token's judgment: the rented server on a
// provider the owner never used that follows still alerts.
func TestNewClientAddressYoungJudgmentNotSpent(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	h := orgWith(t, tokenEachHour("ed", t0.Add(-10*time.Hour), 3*24, func(h int) string {
		if h%4 == 0 {
			return "84.17.3.21" // the owner's office ISP
		}
		return "20.42.7.9" // Azure
	}))
	// A residential proxy, then DigitalOcean.
	assertOneAlertOn(t, h, item{token: "tok_ed_70", principal: "ed", at: then},
		[]string{"179.215.175.19", "134.209.70.5"}, "134.209.70.0/24")
}

// TestNewClientAddressOwnerLeavesItsCloud: a partner whose hourly JWTs
// all came from its cloud for days, whose current JWT shows up on a
// residential ISP's network, is judged on the owner's history: once, on
// the token's first far and rare network; not when the owner's tokens
// were also used from an ISP, nor for an owner seen for a few hours.
func TestNewClientAddressOwnerLeavesItsCloud(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	const cloud, home, proxy = "51.91.217.20", "84.17.3.22", "179.215.175.19" // OVH; residential ISPs
	partner := func(from time.Time, hours int, extra string) []item {
		return tokenEachHour("partner", from, hours, func(h int) string {
			if extra != "" && h%5 == 0 {
				return extra // a developer of the partner's, from home
			}
			return cloud
		})
	}
	stolen := item{token: "tok_pt_cur", principal: "partner", client: proxy, at: then}
	tests := []struct {
		name    string
		history []item
		want    int
	}{
		{"a partner on its cloud for days", partner(t0.Add(-10*time.Hour), 3*24, ""), 1},
		{"a partner also seen from a home ISP", partner(t0.Add(-10*time.Hour), 3*24, home), 0},
		{"a partner seen for a few hours", partner(then.Add(-5*time.Hour), 5, ""), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := orgWith(t, append(tt.history, withPrincipal(every("tok_pt_cur", cloud, then.Add(-5*time.Minute), time.Minute, 3), "partner")...))
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "the org's own habits")
			stolen.outcome = auditattr.OutcomeSuccess
			h.send(stolen, stolen)
			later := stolen
			later.client, later.at = "177.33.4.5", then.Add(5*time.Minute) // another ISP of the thief's
			h.send(later)
			got := h.alertsOf(auditattr.FindingNewClientAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "Until now its owner's tokens were used from hosting providers' networks only.")
			}
		})
	}
}

// TestNewClientAddressServerKeyLeavesItsCloud: a key not yet settled that
// has only ever been used from hosting providers' networks is judged on
// its first network of any other AS (firstHosting's converse): a tenant's
// low-rate key copied from its cloud to a thief's home ISP. Not when the
// key used such a network before, nor from an AS its owner uses, nor a
// key a few hours old, nor one that never ran on a hosting provider.
func TestNewClientAddressServerKeyLeavesItsCloud(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	const isp = "86.120.154.39"                // DIGI Romania, a residential ISP
	daily := func(from time.Time, days int, tok, principal, client string) []item {
		var items []item
		for d := range days {
			items = append(items, item{token: tok, principal: principal, client: client, at: from.Add(time.Duration(d) * 24 * time.Hour), outcome: auditattr.OutcomeSuccess})
		}
		return items
	}
	tests := []struct {
		name    string
		history []item
		want    int
	}{
		{"a low-rate key that ran on AWS for days", daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"), 1},
		{"a key without an owner that ran on Azure", daily(t0.Add(-10*time.Hour), 4, "tok_key", "", "20.42.7.9"), 1},
		{"a key twelve hours old", daily(then.Add(-12*time.Hour), 1, "tok_key", "tenant-7", "3.80.153.10"), 0},
		{"the key was used from an ISP before", append(daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"),
			item{token: "tok_key", principal: "tenant-7", client: "50.201.249.7", at: t0.Add(2 * time.Hour), outcome: auditattr.OutcomeSuccess}), 0},
		{"its owner's other key is used from the thief's ISP: near", append(daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"),
			daily(t0.Add(-9*time.Hour), 4, "tok_key2", "tenant-7", "86.121.7.9")...), 0},
		{"its owner's other key is used from the tenant's office ISP, not the thief's", append(daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"),
			daily(t0.Add(-9*time.Hour), 4, "tok_key2", "tenant-7", "50.201.249.7")...), 1},
		{"a key on private addresses only", daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "10.1.2.3"), 0},
		{"its owner's other key is on another ISP of the thief's /8", append(daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"),
			daily(t0.Add(-9*time.Hour), 4, "tok_key2", "tenant-7", "86.0.0.1")...), 1},
		{"many of the org's people use the thief's ISP: still a server's key off its servers", append(daily(t0.Add(-10*time.Hour), 4, "tok_key", "tenant-7", "3.80.153.10"),
			peopleOn("86.120.%d.20", t0.Add(-9*time.Hour), 12)...), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stolen := item{token: "tok_key", principal: tt.history[0].principal, client: isp, at: then, outcome: auditattr.OutcomeSuccess}
			assertStolenUse(t, tt.history, stolen, tt.want, "Until now the token was used from hosting providers' networks only.")
		})
	}
}

// TestNewClientAddressServerKeyInItsFleet: a key on a runner fleet
// spread over a /8 of several ASes (Microsoft's and DXC's in 20/8), now
// on a network of the other AS that many tokens use, is no news: the
// network is neither rare nor far (the key's own /8).
func TestNewClientAddressServerKeyInItsFleet(t *testing.T) {
	var history []item
	for d := range 4 {
		history = append(history, item{token: "tok_key", principal: "ci-7", client: "20.42.7.9",
			at: t0.Add(-10*time.Hour + time.Duration(d)*24*time.Hour), outcome: auditattr.OutcomeSuccess})
	}
	history = append(history, peopleOn("20.132.7.%d", t0.Add(-9*time.Hour), 12)...)
	stolen := item{token: "tok_key", principal: "ci-7", client: "20.132.7.200", at: t0.Add(3*24*time.Hour + time.Hour), outcome: auditattr.OutcomeSuccess}
	assertStolenUse(t, history, stolen, 0, "")
}

// peopleOn is n people's tokens, each used daily for four days from one
// address of the pattern (%d: the person).
func peopleOn(pattern string, from time.Time, n int) []item {
	var items []item
	for p := range n {
		for d := range 4 {
			items = append(items, item{token: fmt.Sprintf("tok_person%d", p), principal: fmt.Sprintf("person%d", p),
				client: fmt.Sprintf(pattern, p), at: from.Add(time.Duration(d)*24*time.Hour + time.Duration(p)*time.Minute), outcome: auditattr.OutcomeSuccess})
		}
	}
	return items
}

// assertStolenUse sends the org's days and history, then the stolen call
// twice, and checks that new_client_address raised want alerts (the
// first with body in its text).
func assertStolenUse(t *testing.T, history []item, stolen item, want int, body string) {
	t.Helper()
	h := orgWith(t, history)
	require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "the org's own habits")
	h.send(stolen, stolen)
	got := h.alertsOf(auditattr.FindingNewClientAddress)
	if assert.Len(t, got, want) && want == 1 {
		assert.Contains(t, got[0].Body().Str(), body)
	}
}

// orgWith is a harness that has seen the org's days (orgDays) and
// history, in event-time order.
func orgWith(t *testing.T, history []item) *harness {
	t.Helper()
	h := newHarness(t, testConfig())
	h.sendOrgDays(history)
	return h
}

// sendOrgDays sends the org's days (orgDays) and history, in event-time
// order.
func (h *harness) sendOrgDays(history []item) {
	h.t.Helper()
	items := append(orgDays(), history...)
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	h.send(items...)
}

// tokenEachHour is an owner's new token each hour from from, for hours
// hours (tok_<owner>_<hour>), five calls each from client(hour).
func tokenEachHour(owner string, from time.Time, hours int, client func(hour int) string) []item {
	var items []item
	for h := range hours {
		tok := fmt.Sprintf("tok_%s_%d", owner, h)
		items = append(items, withPrincipal(every(tok, client(h), from.Add(time.Duration(h)*time.Hour), 10*time.Minute, 5), owner)...)
	}
	return items
}

// withPrincipal names principal as the owner of items.
func withPrincipal(items []item, principal string) []item {
	for i := range items {
		items[i].principal = principal
	}
	return items
}

// TestMultiAddressSpread: networks the population explains count by
// provider, each past the first as one network; networks it does not
// explain count each.
func TestMultiAddressSpread(t *testing.T) {
	explained := func(as uint32) netSeen { return netSeen{explained: true, as: as} }
	tests := []struct {
		name             string
		nets             []netSeen
		wantN, providers int
	}{
		{"three /24s of one carrier's pool", []netSeen{explained(21928), explained(21928), explained(21928)}, 0, 1},
		{"home Wi-Fi and the phone's carrier", []netSeen{explained(3352), explained(21928)}, 1, 2},
		{"five ISPs of the org's people", []netSeen{explained(5617), explained(12741), explained(9141), explained(7922), explained(3352)}, 4, 5},
		{"two rare networks and one carrier", []netSeen{{}, {}, explained(21928)}, 2, 1},
		{"explained, no AS announces it", []netSeen{explained(0), explained(0)}, 0, 0},
		{"past the providers told apart", slices.Repeat([]netSeen{explained(1), explained(2), explained(3), explained(4), explained(5), explained(6), explained(7), explained(8), explained(9)}, 1), 7, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, providers := spread(tt.nets)
			assert.Equal(t, tt.wantN, n)
			assert.Equal(t, tt.providers, providers)
		})
	}
}

// TestMultiAddressThroughProxies: a settled token used within minutes from
// the org's own ISPs, each common, is a session driven through residential
// proxies; a phone between home Wi-Fi and its carrier is not.
func TestMultiAddressThroughProxies(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour) // Thursday 11:00
	// The org's people at home on five ISPs and one carrier, three per /16.
	isps := []string{"83.31.%d.5", "77.252.%d.5", "89.64.%d.5", "73.110.%d.5", "88.0.%d.5", "172.58.%d.5"}
	var crowd []item
	for i, isp := range isps {
		for p := range 3 {
			who := fmt.Sprintf("person%d_%d", i, p)
			crowd = append(crowd, withPrincipal(every("tok_"+who, fmt.Sprintf(isp, 10+p), t0, time.Hour, 3*24), who)...)
		}
	}
	proxies := []string{"83.31.134.108", "77.252.219.107", "89.64.92.150", "73.110.217.184", "88.0.226.179"}
	tests := []struct {
		name    string
		token   string
		clients []string
		want    int
	}{
		{"a settled token through five ISPs' residential proxies", "tok_user", proxies, 1},
		{"a settled token between home Wi-Fi and its carrier", "tok_user", []string{"88.0.226.179", "172.58.99.7", "88.0.226.179", "172.58.98.7"}, 0},
		// Learned, whatever its owner's history: a young token has no spread of its own yet.
		{"a young token, through proxies", "tok_user_new", proxies, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			items := append(orgDays(), crowd...)
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			require.Empty(t, h.alertsOf(auditattr.FindingMultiAddress), "the org's own habits")
			var burst []item
			for i, c := range tt.clients {
				burst = append(burst, every(tt.token, c, then.Add(time.Duration(i)*time.Minute), 20*time.Second, 2)...)
			}
			h.send(burst...)
			got := h.alertsOf(auditattr.FindingMultiAddress)
			if assert.Len(t, got, tt.want) && tt.want == 1 {
				assert.Contains(t, got[0].Body().Str(), "counting 4 providers of the org's own networks as 3")
			}
		})
	}
}

// TestMultiAddressOwnCloudNetworks: a service key on three cloud /24s of
// its own (each used by no other token) learns no spread of three from
// them, so four rare networks within minutes alert as they did when the
// population vouched for the cloud's /16s.
func TestMultiAddressOwnCloudNetworks(t *testing.T) {
	own := []string{"52.10.1.7", "52.20.2.7", "52.30.3.7"} // Amazon
	var items []item
	for d := range 3 * 24 * 6 { // every 10 minutes for three days, by turns
		at := t0.Add(time.Duration(d) * 10 * time.Minute)
		items = append(items, every("tok_svc", own[d%3], at, time.Minute, 1)...)
		items = append(items, every("tok_svc", own[(d+1)%3], at.Add(time.Minute), time.Minute, 1)...)
	}
	then := t0.Add(3*24*time.Hour + time.Hour)
	var burst []item
	for i, c := range []string{"45.77.10.5", "95.216.3.9", "51.75.8.1", "167.99.66.2"} { // Vultr, Hetzner, OVH, DigitalOcean
		burst = append(burst, every("tok_svc", c, then.Add(time.Duration(i)*time.Minute), 20*time.Second, 2)...)
	}
	h := newHarness(t, testConfig())
	all := append(orgDays(), items...)
	slices.SortStableFunc(all, func(a, b item) int { return a.at.Compare(b.at) })
	h.send(all...)
	require.Empty(t, h.alertsOf(auditattr.FindingMultiAddress), "the service's own spread")
	h.send(burst...)
	assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), 1)
}

// TestHostingNetworksOfASettledToken: a settled service key redeployed
// to another /24 of its cloud region is near (no new_client_address); a
// thief on three VPSs within minutes counts all three for multi_address
// (its first network is not the token's own while the next arrive); one
// back on its first VPS after a window's pause has that one counted as
// the token's own, and needs a network more.
func TestHostingNetworksOfASettledToken(t *testing.T) {
	then := t0.Add(3*24*time.Hour + time.Hour)
	tests := []struct {
		name              string
		burst             []item
		wantNew, wantMult int
	}{
		{"redeployed within its region", every("tok_svc", "52.10.77.7", then, time.Minute, 5), 0, 0},
		{"a thief's VPS, a pause, then three more", slices.Concat(
			every("tok_svc", "134.209.70.5", then, time.Minute, 1),
			every("tok_svc", "134.209.70.5", then.Add(20*time.Minute), 20*time.Second, 2),
			every("tok_svc", "134.209.71.5", then.Add(21*time.Minute), 20*time.Second, 2),
			every("tok_svc", "134.209.72.5", then.Add(22*time.Minute), 20*time.Second, 2),
			every("tok_svc", "134.209.73.5", then.Add(23*time.Minute), 20*time.Second, 2)), 1, 1},
		{"a thief's VPSs within minutes", slices.Concat(
			every("tok_svc", "134.209.70.5", then, 20*time.Second, 2),
			every("tok_svc", "134.209.71.5", then.Add(time.Minute), 20*time.Second, 2),
			every("tok_svc", "134.209.72.5", then.Add(2*time.Minute), 20*time.Second, 2)), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			items := append(orgDays(), every("tok_svc", "52.10.1.7", t0, 10*time.Minute, 3*24*6)...) // Amazon
			slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
			h.send(items...)
			require.Empty(t, h.alertsOf(auditattr.FindingNewClientAddress), "the service's own network")
			h.send(tt.burst...)
			assert.Len(t, h.alertsOf(auditattr.FindingNewClientAddress), tt.wantNew)
			assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), tt.wantMult)
		})
	}
}
