package tokenanomalyconnector

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

// population generates clean traffic shaped unlike the project's scenario
// generator: interactive users on weekdays with several usual networks and
// weekend silences, services with diurnal rates spread over a few
// networks, low-rate tokens making a few calls an hour, and daily batch
// jobs. Every call is legitimate, so every alert on it is a false alert.
type population struct {
	start    time.Time // a Monday, 00:00 UTC
	profiles []profile
}

type profileKind uint8

const (
	kindUser profileKind = iota
	kindService
	kindLowRate
	kindBatch
)

type profile struct {
	kind      profileKind
	token     string
	principal string
	perHour   float64  // mean calls in an active hour
	from, to  int      // active hours of the day (users, low-rate)
	weekdays  bool     // silent on weekends
	nets      []string // usual client networks' addresses (x.y.z.), most used first
	resources []string
	batchAt   int // hour of the day a batch job runs
	seed      uint64
}

func newPopulation(seed uint64, tokens int) *population {
	r := rand.New(rand.NewPCG(seed, 7))
	p := &population{start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	services := []string{"orders", "billing", "users", "search", "reports", "files"}
	for i := range tokens {
		pr := profile{token: fmt.Sprintf("tok_%d_%06d", seed, i), principal: fmt.Sprintf("p%d_%d", seed, i/3), seed: r.Uint64()}
		switch x := r.Float64(); {
		case x < 0.4:
			pr.kind, pr.weekdays = kindUser, true
			pr.from = 7 + r.IntN(4)
			pr.to = pr.from + 7 + r.IntN(4)
			pr.perHour = math.Exp(math.Log(3) + r.Float64()*math.Log(10)) // 3..30
		case x < 0.7:
			pr.kind, pr.from, pr.to = kindService, 0, 24
			pr.perHour = math.Exp(math.Log(10) + r.Float64()*math.Log(20)) // 10..200
		case x < 0.9:
			pr.kind, pr.from, pr.to = kindLowRate, 0, 24
			pr.weekdays = r.IntN(2) == 0
			if pr.weekdays {
				pr.from, pr.to = 8, 18
			}
			pr.perHour = 0.5 + r.Float64()*5.5 // 0.5..6
		default:
			pr.kind = kindBatch
			pr.batchAt = r.IntN(24)
			pr.perHour = float64(30 + r.IntN(170))
		}
		for range 1 + r.IntN(4) {
			pr.nets = append(pr.nets, fmt.Sprintf("%d.%d.%d.", 11+r.IntN(180), r.IntN(256), r.IntN(256)))
		}
		svc := services[r.IntN(len(services))]
		for j := range 2 + r.IntN(6) {
			pr.resources = append(pr.resources, fmt.Sprintf("GET /%s/r%d", svc, j))
		}
		p.profiles = append(p.profiles, pr)
	}
	return p
}

// hour returns the clean items of hour h (from start), sorted by time.
func (p *population) hour(h int) []item {
	var out []item
	at := p.start.Add(time.Duration(h) * time.Hour)
	day, hod := at.Weekday(), at.Hour()
	weekend := day == time.Saturday || day == time.Sunday
	for i := range p.profiles {
		pr := &p.profiles[i]
		r := rand.New(rand.NewPCG(pr.seed, uint64(h)))
		n := 0
		switch pr.kind {
		case kindBatch:
			if hod == pr.batchAt {
				n = int(pr.perHour * (0.8 + 0.4*r.Float64()))
			}
		default:
			if (pr.weekdays && weekend) || hod < pr.from || hod >= pr.to {
				continue
			}
			mean := pr.perHour
			if pr.kind == kindService {
				mean *= 1 + 0.6*math.Sin(2*math.Pi*float64(hod-8)/24)
			}
			if pr.kind == kindUser {
				mean *= 0.3 + 1.4*r.Float64() // busy and quiet hours
			}
			n = fieldsim.Poisson(r, mean)
		}
		// One network for this hour (a session), sometimes a second one.
		net := pr.nets[weightedIndex(r, len(pr.nets))]
		alt := pr.nets[weightedIndex(r, len(pr.nets))]
		span := time.Hour
		if pr.kind == kindBatch {
			span = 5 * time.Minute
		}
		for range n {
			it := item{
				at: at.Add(time.Duration(r.Int64N(int64(span)))), token: pr.token, principal: pr.principal,
				resource: pr.resources[r.IntN(len(pr.resources))], outcome: auditattr.OutcomeSuccess,
				client: net + hosts[r.IntN(4)], tokenType: auditattr.TypeBearer,
			}
			if pr.kind == kindService {
				it.client = pr.nets[r.IntN(len(pr.nets))] + hosts[r.IntN(len(hosts))] // pods across zones
			} else if r.IntN(10) == 0 {
				it.client = alt + hosts[0]
			}
			switch x := r.IntN(1000); {
			case x < 5:
				it.outcome = auditattr.OutcomeFailure
			case x < 8:
				it.outcome = auditattr.OutcomeDenied
			case x < 12:
				it.outcome = auditattr.OutcomeError
			}
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.at.Compare(b.at) })
	return out
}

// hosts are the last octets of a network's clients.
var hosts = []string{"10", "11", "12", "13", "14", "15", "16", "17"}

// weightedIndex prefers the first entries: a token's main network.
func weightedIndex(r *rand.Rand, n int) int {
	for i := range n - 1 {
		if r.IntN(2) == 0 {
			return i
		}
	}
	return n - 1
}

// shape is how a stream of items is cut into requests.
type shape struct {
	name    string
	size    int           // items per request
	shuffle time.Duration // items are shuffled within windows this long
}

// cut returns the requests of one hour's items in the given shape. A
// shuffled request holds several services' items, interleaved in time, as
// an agent, a gateway or the batch processor sends them.
func (s shape) cut(items []item, r *rand.Rand) [][]item {
	if s.shuffle > 0 {
		for i := 0; i < len(items); {
			end := i
			w := items[i].at.Truncate(s.shuffle)
			for end < len(items) && items[end].at.Truncate(s.shuffle).Equal(w) {
				end++
			}
			r.Shuffle(end-i, func(a, b int) { items[i+a], items[i+b] = items[i+b], items[i+a] })
			i = end
		}
	}
	var out [][]item
	for len(items) > 0 {
		n := min(s.size, len(items))
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

// request builds one export request: a resource for each run of items
// of one service, in the items' order.
func request(items []item) ptrace.Traces {
	td := ptrace.NewTraces()
	var ss ptrace.SpanSlice
	last := ""
	for _, it := range items {
		svc, _, _ := strings.Cut(strings.TrimPrefix(it.resource, "GET /"), "/")
		if svc != last || last == "" {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", svc)
			ss = rs.ScopeSpans().AppendEmpty().Spans()
			last = svc
		}
		sp := ss.AppendEmpty()
		sp.SetName(it.resource)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(it.at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(it.at.Add(time.Millisecond)))
		it.fill(sp.Attributes())
	}
	return td
}

// alertKey names one alert record independently of the request shape.
type alertKey struct{ typ, id, token string }

func alertKeys(h *harness) []alertKey {
	var out []alertKey
	for _, lr := range h.records() {
		out = append(out, alertKey{str(lr, auditattr.FindingType), str(lr, auditattr.FindingID), str(lr, auditattr.TokenID)})
	}
	slices.SortFunc(out, func(a, b alertKey) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id), cmp.Compare(a.token, b.token))
	})
	return out
}

// countByType counts alert keys per finding type.
func countByType(keys []alertKey) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		out[k.typ]++
	}
	return out
}
