package fieldsim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/policy"
)

var small = Config{Seed: 7, Tokens: 120, Days: 4, InjectionsPerType: 1}

// smallest is for the race detector's -short run.
var smallest = Config{Seed: 7, Tokens: 50, Days: 3, InjectionsPerType: 1}

func sized() Config {
	if testing.Short() {
		return smallest
	}
	return small
}

// digest runs a simulation and hashes every export request it sends.
func digest(t *testing.T, cfg Config) (string, Stats) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	var tm ptrace.ProtoMarshaler
	var lm plog.ProtoMarshaler
	st, err := s.Run(func(b *Batch) error {
		tb, err := tm.MarshalTraces(b.Traces)
		if err != nil {
			return err
		}
		lb, err := lm.MarshalLogs(b.Logs)
		if err != nil {
			return err
		}
		h.Write(tb)
		h.Write(lb)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PolicyYAML()
	if err != nil {
		t.Fatal(err)
	}
	h.Write(p)
	return hex.EncodeToString(h.Sum(nil)), st
}

func TestSameSeedSameTraffic(t *testing.T) {
	cfg := sized()
	a, st := digest(t, cfg)
	b, _ := digest(t, cfg)
	if a != b {
		t.Fatal("two runs of one seed differ")
	}
	other := cfg
	other.Seed++
	if c, _ := digest(t, other); c == a {
		t.Fatal("another seed gives the same traffic")
	}
	t.Logf("%+v", st)
}

// The traffic has the shapes the generator exists for: export requests
// whose event times are minutes out of order, mixing services, spans and
// access logs.
func TestTrafficShape(t *testing.T) {
	_, st := digest(t, sized())
	if st.MaxSpread < 2*time.Minute {
		t.Errorf("widest export request spans %s of event time, want minutes", st.MaxSpread)
	}
	if st.OutOfOrder*20 < st.Requests/100 {
		t.Errorf("%d of %d items arrive after a newer one: too orderly", st.OutOfOrder, st.Requests)
	}
	if st.Spans == 0 || st.Logs == 0 || st.Spans+st.Logs != st.Requests {
		t.Errorf("spans %d + logs %d != requests %d", st.Spans, st.Logs, st.Requests)
	}
}

func TestPolicyParsesAndLabelsCoverEveryType(t *testing.T) {
	s, err := New(small)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PolicyYAML()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Parse(p); err != nil {
		t.Fatalf("the generated policy does not parse: %v", err)
	}
	for _, typ := range InjectedTypes() {
		if !slices.ContainsFunc(s.Labels, func(l Label) bool { return l.Type == typ && l.Primary }) {
			t.Errorf("no primary label of %s", typ)
		}
	}
	clean := map[string]bool{}
	for _, id := range s.CleanTokenIDs() {
		clean[id] = true
	}
	for _, l := range s.Labels {
		if clean[l.TokenID] {
			t.Errorf("label %s on a clean token", l.Type)
		}
		if l.End.Before(l.Start) || l.Start.Before(s.Start()) || l.End.After(s.End().Add(time.Hour)) {
			t.Errorf("label %s interval %s..%s outside the run", l.Type, l.Start, l.End)
		}
	}
}

func TestConfigRefused(t *testing.T) {
	for _, cfg := range []Config{
		{Tokens: 10, Days: 7, InjectionsPerType: 1},
		{Tokens: 100, Days: 1, InjectionsPerType: 1},
		{Tokens: 100, Days: 7},
		{Tokens: 100, Days: 7, InjectionsPerType: 1, Start: DefaultStart.Add(24 * time.Hour)},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// Weekends are quiet: people and CI pipelines stop, services slow down.
func TestWeekendSilence(t *testing.T) {
	if testing.Short() {
		t.Skip("a week of traffic")
	}
	cfg := small
	cfg.Days = 7
	_, st := digest(t, cfg)
	weekday := (st.PerDay[1] + st.PerDay[2]) / 2
	for _, d := range []int{5, 6} {
		if st.PerDay[d]*10 > weekday*7 {
			t.Errorf("day %d has %d requests, a weekday %d: no weekend dip", d, st.PerDay[d], weekday)
		}
	}
}

// Services behind the gateway see the gateway's private address as the
// socket peer and the caller in client.address and X-Forwarded-For; the
// others see the caller as the peer. Every credential travels in a header
// attribute as the SDKs capture it.
func TestGatewayAndHeaders(t *testing.T) {
	s, err := New(sized())
	if err != nil {
		t.Fatal(err)
	}
	gateway, direct := 0, 0
	_, err = s.Run(func(b *Batch) error {
		for _, rs := range b.Traces.ResourceSpans().All() {
			name, _ := rs.Resource().Attributes().Get("service.name")
			behind := name.Str() == "orders-api" || name.Str() == "users-api" || name.Str() == "admin-api" || name.Str() == "billing-api"
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					a := sp.Attributes()
					peer, _ := a.Get("network.peer.address")
					client, _ := a.Get("client.address")
					p, err := netip.ParseAddr(peer.Str())
					if err != nil {
						t.Fatalf("peer %q: %v", peer.Str(), err)
					}
					switch {
					case behind && (!p.IsPrivate() || client.Str() == peer.Str()):
						t.Fatalf("%s: peer %s client %s, want the gateway and the caller", name.Str(), peer.Str(), client.Str())
					case !behind && client.Str() != peer.Str():
						t.Fatalf("%s: peer %s client %s, want the caller twice", name.Str(), peer.Str(), client.Str())
					case behind:
						gateway++
					default:
						direct++
					}
					_, auth := a.Get("http.request.header.authorization")
					_, key := a.Get("http.request.header.x-api-key")
					_, query := a.Get("url.query")
					if !auth && !key && !query {
						t.Fatalf("%s: a span without a credential", sp.Name())
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gateway == 0 || direct == 0 {
		t.Fatalf("spans behind the gateway %d, direct %d: want both", gateway, direct)
	}
}

// TestExceptionLeaksWhereSpansAre: a credential leaked in an exception
// message is on a span of an instrumented service; the legacy API reports
// through an nginx access log, which has no exception to carry it.
func TestExceptionLeaksWhereSpansAre(t *testing.T) {
	for _, seed := range []uint64{1, 3, 7, 11} {
		s, err := New(Config{Seed: seed, Tokens: 200, Days: 7, InjectionsPerType: 10})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range s.injected {
			if r.leak == leakException {
				n++
				if r.route.svc.telemetry == accessLog {
					t.Errorf("seed %d: exception leak on %s, an access-logged route", seed, r.route.resource())
				}
			}
		}
		if n == 0 {
			t.Errorf("seed %d: no exception leak injected", seed)
		}
	}
}
