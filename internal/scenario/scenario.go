// Package scenario generates seeded, labelled API-token traffic: normal
// diurnal use by thousands of tokens plus injected misuse of every
// finding type the tokenaudit suite knows, as items carrying the
// attribute contract (Traces, Logs) or as the raw requests with real
// credentials that token_audit sees first (Raw). The token_anomaly
// connector's quality test feeds it through the connector and scores each
// detector against the labels; the distribution's scenario test replays
// it raw through token_audit and token_anomaly; the demo and load tests
// can use it too.
package scenario // import "github.com/tokenaudit/tokenaudit/internal/scenario"

import (
	"time"
)

// Config sizes a scenario. The zero value of a field takes its default.
type Config struct {
	Seed int64
	// Users are tokens used on weekdays in office hours; Services are
	// used around the clock; Busy are services at several requests a
	// minute, active only in the last two days (they exist to test
	// rate_surge against real baselines without millions of items).
	Users, Services, Busy int
	Start                 time.Time     // default Monday 2026-03-02 00:00 UTC
	Days                  int           // default 10; injections happen on the last two days
	PerType               int           // injections of each kind; default 6
	StaleAfter            time.Duration // stale_token idle time the scenario is built for; default 3 days
	DormantAfter          time.Duration // resurrected_token idle time; default 4 days
	TrackingPeriod        time.Duration // unused_scopes tracking period; default 3 days
	ExpiringWithin        time.Duration // expiring_soon window; default 7 days
	MaxLifetime           time.Duration // excessive_lifetime bound; default 366 days
}

func (c *Config) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Users, 1000)
	def(&c.Services, 600)
	def(&c.Busy, 8)
	def(&c.Days, 10)
	def(&c.PerType, 6)
	defD(&c.StaleAfter, 3*day)
	defD(&c.DormantAfter, 4*day)
	defD(&c.TrackingPeriod, 3*day)
	defD(&c.ExpiringWithin, 7*day)
	defD(&c.MaxLifetime, 366*day)
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	}
}

const day = 24 * time.Hour

// Event is one audited request, as token_audit annotates it.
type Event struct {
	At                       time.Time
	TokenID, TokenType, JTI  string
	Principal, PrincipalType string
	Resource, Action         string
	Outcome, Client          string
	Scopes, Violations       []string
	IssuedAt, ExpiresAt      int64 // unix s; 0: absent
	// Label is the index in Scenario.Labels of the injection this event
	// belongs to, or -1 for normal traffic.
	Label int
}

// Label is one injection: what should be found, about whom, and when.
type Label struct {
	// Types are the finding types the injection should raise: its own,
	// and those it implies (a token used from many new networks is also
	// used from a new network, and the weak findings combine).
	Types []string
	// Token is the token id; empty for credential_stuffing, whose key is
	// Client.
	Token, Client string
	// Start is when the misuse becomes detectable; End is the last moment
	// a detection still counts as about this injection.
	Start, End time.Time
}

// Key is the finding's subject: the token, or the client for findings
// across tokens.
func (l *Label) Key() string {
	if l.Token == "" {
		return l.Client
	}
	return l.Token
}

// Scenario is a generated scenario.
type Scenario struct {
	Config Config
	Events []Event // sorted by time
	Labels []Label
	// Policy is a policy file (internal/policy) with the scopes and the
	// token registry the scenario assumes.
	Policy string
}

// Generate makes the scenario of cfg; the same Config gives the same
// scenario.
func Generate(cfg Config) *Scenario {
	cfg.defaults()
	g := newGenerator(cfg)
	g.population()
	g.shape() // injections that change how tokens behave or what they hold
	g.normal()
	g.inject() // injections of misuse into the normal traffic
	g.settleLabels()
	return g.finish()
}
