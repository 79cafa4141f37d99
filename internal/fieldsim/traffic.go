package fieldsim

import (
	"encoding/base64"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"
)

// leak says where a request exposes its credential besides (or instead
// of) its authentication header.
type leak int

const (
	leakNone leak = iota
	leakQuery
	leakLogBody
	leakException
)

// Request is one HTTP request as a service sees it.
type Request struct {
	At       time.Time
	Duration time.Duration
	route    *route
	path     string
	status   int
	client   netip.Addr // the real caller
	ua       string
	// header is the credential header's name ("authorization", "x-api-key")
	// and value as sent; empty for none.
	header, value string
	leak          leak
	leaked        string // the raw credential where it leaked
}

// authOf is how a token's credential travels.
func authOf(t *token) (header, value string) {
	switch t.scheme {
	case "Basic":
		return "authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(t.raw))
	case "X-API-Key":
		return "x-api-key", t.raw
	default:
		return "authorization", "Bearer " + t.raw
	}
}

// Poisson draws a Poisson count (inversion for small means, normal
// approximation above 50).
func Poisson(rng *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// dayRand is a generator for one token and one day: daily decisions (works
// today? office or home?) are the same whichever hour asks.
func (s *Sim) dayRand(t *token, day int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.cfg.Seed)^uint64(day)<<40^salt, uint64(len(t.id))<<32^hash64(t.id)))
}

func hash64(s string) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// hourRequests appends token t's requests that start in [h, h+1h).
func (s *Sim) hourRequests(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	if t.silent {
		return out
	}
	switch t.kind {
	case kindUser:
		return s.userHour(rng, t, h, out)
	case kindMobile:
		return s.mobileHour(rng, t, h, out)
	case kindIntegration:
		return s.cronHour(rng, t, h, out)
	case kindService:
		return s.serviceHour(rng, t, h, out)
	case kindCI:
		return s.ciHour(rng, t, h, out)
	case kindPartner:
		return s.partnerHour(rng, t, h, out)
	}
	return out
}

func localHour(t time.Time, loc *time.Location) (float64, time.Weekday) {
	l := t.In(loc)
	return float64(l.Hour()) + float64(l.Minute())/60, l.Weekday()
}

func weekend(d time.Weekday) bool { return d == time.Saturday || d == time.Sunday }

// workShare is how much of the hour starting at hour lh falls in the
// working day [start, start+length), with a lunch dip.
func workShare(lh, start, length float64) float64 {
	overlap := math.Max(0, math.Min(lh+1, start+length)-math.Max(lh, start))
	if lh >= start+3.5 && lh < start+4.5 {
		overlap *= 0.4
	}
	return overlap
}

func (s *Sim) userHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	lh, wd := localHour(h, t.tz)
	day := s.dayIndex(h.In(t.tz))
	dr := s.dayRand(t, day, 1)
	works := dr.Float64() < 0.92
	atOffice := dr.Float64() < 0.6
	if dr.Float64() < 0.04 { // the ISP hands out a new address now and then
		t.homeAddr = t.home.addr(dr)
	}
	share := 0.0
	switch {
	case weekend(wd):
		if dr.Float64() < 0.08 { // a short look on a weekend
			share = 0.3 * workShare(lh, t.workStart+2, 2)
		}
	case works:
		share = workShare(lh, t.workStart, t.workLen)
		// An evening check now and then.
		if lh >= 20 && lh < 22 && dr.Float64() < 0.15 {
			share = 0.2
		}
	}
	n := Poisson(rng, t.rate*share)
	if n == 0 {
		return out
	}
	// People work in sessions: calls cluster around one to three moments.
	clusters := 1 + rng.IntN(3)
	centers := make([]time.Duration, clusters)
	places := make([]netip.Addr, clusters)
	for i := range centers {
		centers[i] = time.Duration(rng.Int64N(int64(time.Hour)))
		switch {
		case rng.Float64() < 0.07:
			places[i] = t.carrier.addr(rng)
		case atOffice:
			places[i] = t.office.addr(rng)
		default:
			places[i] = t.homeAddr
		}
	}
	for range n {
		c := rng.IntN(clusters)
		off := centers[c] + time.Duration(rng.ExpFloat64()*float64(4*time.Minute))
		if off >= time.Hour {
			off = time.Duration(rng.Int64N(int64(time.Hour)))
		}
		out = append(out, s.normal(rng, t, h.Add(off), places[c]))
	}
	return out
}

func (s *Sim) mobileHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	lh, wd := localHour(h, t.tz)
	shape := 0.0
	switch {
	case lh >= 7 && lh < 9, lh >= 12 && lh < 14:
		shape = 0.6
	case lh >= 18 && lh < 23:
		shape = 1
	case lh >= 9 && lh < 18:
		shape = 0.25
	}
	if weekend(wd) {
		shape *= 1.3
	}
	n := Poisson(rng, t.rate*shape)
	if n == 0 {
		return out
	}
	addr := t.carrier.addr(rng) // one CGNAT egress per session
	center := time.Duration(rng.Int64N(int64(time.Hour)))
	for range n {
		off := center + time.Duration(rng.ExpFloat64()*float64(3*time.Minute))
		if off >= time.Hour {
			off = time.Duration(rng.Int64N(int64(time.Hour)))
		}
		out = append(out, s.normal(rng, t, h.Add(off), addr))
	}
	return out
}

func (s *Sim) cronHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	if t.nightOnly && (h.UTC().Hour() < 1 || h.UTC().Hour() >= 5) {
		return out
	}
	phase := time.Duration(hash64(t.id) % uint64(t.cronEvery))
	first := h.Truncate(t.cronEvery).Add(phase)
	for at := first; at.Before(h.Add(time.Hour)); at = at.Add(t.cronEvery) {
		if at.Before(h) || rng.Float64() < 0.03 { // a skipped run now and then
			continue
		}
		at := at.Add(time.Duration(rng.NormFloat64() * float64(20*time.Second)))
		addr := t.fixed[rng.IntN(len(t.fixed))]
		for i := range 1 + rng.IntN(3) {
			out = append(out, s.normal(rng, t, at.Add(time.Duration(i)*300*time.Millisecond), addr))
		}
	}
	return out
}

func (s *Sim) serviceHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	lh, wd := localHour(h, t.tz)
	shape := 1 + 0.5*math.Sin(2*math.Pi*(lh-9)/24)
	if weekend(wd) {
		shape *= 0.6
	}
	for range Poisson(rng, t.rate*shape) {
		at := h.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		out = append(out, s.normal(rng, t, at, t.fixed[rng.IntN(len(t.fixed))]))
	}
	return out
}

// ciHour starts the builds of the hour: developers' pushes on working
// days, and a nightly build. Each build runs on a fresh hosted runner.
func (s *Sim) ciHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	lh, wd := localHour(h, t.tz)
	builds := 0.0
	if !weekend(wd) && lh >= 8 && lh < 19 {
		builds = t.rate / 11
	}
	if h.UTC().Hour() == 2 {
		builds += 0.7
	}
	for range Poisson(rng, builds) {
		start := h.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		dur := time.Duration(60+rng.IntN(300)) * time.Second
		addr := s.nets.ciFleet.addr(rng)
		n := 15 + rng.IntN(120)
		for range n {
			out = append(out, s.normal(rng, t, start.Add(time.Duration(rng.Int64N(int64(dur)))), addr))
		}
	}
	return out
}

func (s *Sim) partnerHour(rng *rand.Rand, t *token, h time.Time, out []Request) []Request {
	lh, wd := localHour(h, t.tz)
	if weekend(wd) {
		return out
	}
	share := workShare(lh, t.workStart, t.workLen)
	for range Poisson(rng, t.rate*share) {
		at := h.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		if l, _ := localHour(at, t.tz); l < t.workStart || l >= t.workStart+t.workLen {
			continue
		}
		out = append(out, s.normal(rng, t, at, t.fixed[rng.IntN(len(t.fixed))]))
	}
	return out
}

// normal is one of t's everyday requests at at from addr: one of its
// usual routes, with the background mix of outcomes real APIs show.
func (s *Sim) normal(rng *rand.Rand, t *token, at time.Time, addr netip.Addr) Request {
	r := t.routes[rng.IntN(len(t.routes))]
	req := Request{At: at, route: r, path: r.path(rng), client: addr, ua: t.ua}
	req.header, req.value = authOf(t)
	req.status = s.backgroundStatus(rng, r, at, t.rate > 100)
	req.Duration = requestDuration(rng, r)
	return req
}

func requestDuration(rng *rand.Rand, r *route) time.Duration {
	d := time.Duration(lognormal(rng, 40, 0.8) * float64(time.Millisecond))
	if r.template == "/reports/{id}/download" || r.template == "/v2/billing/export" {
		d = time.Duration(lognormal(rng, 4000, 0.6) * float64(time.Millisecond))
	}
	return d
}

// backgroundStatus: what a healthy API answers a legitimate caller: mostly
// 2xx, some 404 (stale links), object-level 403s, a few 5xx (more during
// an incident), 429 for busy callers and a rare 401 (a gateway's key cache
// refresh).
func (s *Sim) backgroundStatus(rng *rand.Rand, r *route, at time.Time, busy bool) int {
	for _, in := range r.svc.incidents {
		if u := at.Unix(); u >= in[0] && u < in[1] && rng.Float64() < 0.4 {
			return []int{500, 502, 503, 504}[rng.IntN(4)]
		}
	}
	x := rng.Float64()
	switch {
	case x < 0.02 && r.method == "GET":
		return 404
	case x < 0.025:
		return []int{500, 502, 503}[rng.IntN(3)]
	case x < 0.028:
		return 403
	case x < 0.0282:
		return 401
	case busy && x < 0.04:
		return 429
	}
	switch r.method {
	case "POST":
		return 201
	case "DELETE":
		return 204
	}
	return 200
}
