package fieldsim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// Label is one finding an injected misuse should raise.
type Label struct {
	Type string
	// TokenID is the token the finding is about; empty for
	// credential_stuffing, which is about Client.
	TokenID string
	Client  string
	// Start and End bound the misuse in event time.
	Start, End time.Time
	// Primary labels count toward recall. A secondary label names a finding
	// that is also right for the injection (the new_client_address of each
	// network of a multi_address attack) but not required.
	Primary bool
	// Injection groups the labels of one injected misuse.
	Injection int
	What      string
}

// injection collects one misuse's requests and labels.
type injection struct {
	s    *Sim
	id   int
	reqs []Request
}

func (s *Sim) begin() *injection {
	return &injection{s: s, id: len(s.Labels) + 1}
}

// add appends requests of token t (its own credential) at the given times.
func (in *injection) add(rng *rand.Rand, t *token, times []time.Time, addr netip.Addr, r *route, status func() int) {
	for _, at := range times {
		rt := r
		if rt == nil {
			rt = t.routes[rng.IntN(len(t.routes))]
		}
		req := Request{At: at, route: rt, path: rt.path(rng), client: addr, ua: t.ua, status: status(), Duration: requestDuration(rng, rt)}
		req.header, req.value = authOf(t)
		in.reqs = append(in.reqs, req)
	}
}

// label records a finding over the injection's requests so far (or the
// given interval when the requests do not bound it).
func (in *injection) label(typ, tokenID, client string, primary bool, what string, bounds ...time.Time) {
	l := Label{Type: typ, TokenID: tokenID, Client: client, Primary: primary, Injection: in.id, What: what}
	if len(bounds) == 2 {
		l.Start, l.End = bounds[0], bounds[1]
	} else {
		for i, r := range in.reqs {
			if i == 0 || r.At.Before(l.Start) {
				l.Start = r.At
			}
			if e := r.At.Add(r.Duration); e.After(l.End) {
				l.End = e
			}
		}
	}
	in.s.Labels = append(in.s.Labels, l)
}

func (in *injection) done() { in.s.injected = append(in.s.injected, in.reqs...) }

// The simulation's own rate_surge (injectRateSurge): at least surgeCalls
// calls, at least surgeRatio times the token's usual rate, for at least
// surgeSpan.
const (
	surgeCalls = 25
	surgeRatio = 10
	surgeSpan  = 15 * time.Minute
)

// usualPerHour is t's usual number of calls in an active hour.
func usualPerHour(t *token) float64 {
	if t.kind == kindIntegration {
		return 2 * float64(time.Hour) / float64(t.cronEvery)
	}
	return t.rate
}

// surgeLabel labels a secondary rate_surge when the injection's requests
// so far, all of token t, surge by the simulation's own measure of one: a
// botnet or a night session making 30 calls in 15 minutes on a token
// usually at 3 an hour does, and an alert saying so is right, not false.
func (in *injection) surgeLabel(t *token) {
	if len(in.reqs) < surgeCalls {
		return
	}
	first, last := in.reqs[0].At, in.reqs[0].At
	for _, r := range in.reqs {
		first, last = minTime(first, r.At), maxTime(last, r.At)
	}
	span := max(last.Sub(first), surgeSpan)
	if perHour := usualPerHour(t); float64(len(in.reqs)) >= surgeRatio*perHour*span.Hours() {
		in.label(auditattr.FindingRateSurge, t.id, "", false, fmt.Sprintf("%d calls in %s, usually %.1f/h", len(in.reqs), span.Round(time.Second), perHour))
	}
}

// spread returns n times in [at, at+d), in order.
func spread(rng *rand.Rand, at time.Time, d time.Duration, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = at.Add(time.Duration(rng.Int64N(int64(max(d, time.Second)))))
	}
	sortTimes(out)
	return out
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func minutes(rng *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute
}

func always(code int) func() int { return func() int { return code } }

func oneOf(rng *rand.Rand, codes ...int) func() int {
	return func() int { return codes[rng.IntN(len(codes))] }
}

// usual reports whether at is within t's everyday hours.
func (s *Sim) usual(t *token, at time.Time) bool {
	lh, wd := localHour(at, t.tz)
	switch t.kind {
	case kindUser, kindPartner:
		return !weekend(wd) && lh >= t.workStart+0.5 && lh < t.workStart+t.workLen-1 && (lh < t.workStart+3.5 || lh >= t.workStart+4.5)
	case kindCI:
		return !weekend(wd) && lh >= 9 && lh < 18
	case kindMobile:
		return lh >= 18.5 && lh < 22
	case kindIntegration:
		return !t.nightOnly || at.UTC().Hour() >= 1 && at.UTC().Hour() < 4
	}
	return true
}

// moment picks a time in t's usual hours in the second half of the
// simulation, so that learned baselines have days of history.
func (s *Sim) moment(rng *rand.Rand, t *token) time.Time {
	from := s.cfg.Days / 2
	for range 10000 {
		day := from + rng.IntN(s.cfg.Days-from)
		at := s.cfg.Start.Add(time.Duration(day)*24*time.Hour + time.Duration(rng.Int64N(int64(24*time.Hour))))
		if s.usual(t, at) && at.Add(time.Hour).Before(s.End()) {
			return at
		}
	}
	return s.cfg.Start.Add(time.Duration(s.cfg.Days-1)*24*time.Hour + 12*time.Hour)
}

// usualAddr is an address t is often seen from.
func (s *Sim) usualAddr(rng *rand.Rand, t *token) netip.Addr {
	switch t.kind {
	case kindUser:
		return t.homeAddr
	case kindMobile:
		return t.carrier.addr(rng)
	case kindCI:
		return s.nets.ciFleet.addr(rng)
	}
	return t.fixed[rng.IntN(len(t.fixed))]
}
