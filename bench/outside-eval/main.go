// Blind labelled traffic generator for tokenaudit.
// Usage: blindgen -out DIR -keyfile FILE -auditctl BIN [-send http://127.0.0.1:14318]
//
//	phase "prep": writes DIR/policy.yaml and DIR/labels.json (needs auditctl for ids)
//	phase "send": regenerates the same world (same seed) and sends it over OTLP/HTTP.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

const (
	idpSecret = "acme-idp-hs256-signing-secret-2026-blind-eval"
	idpIss    = "https://login.acme-corp.example/"
	idpKid    = "acme-idp-2026"
)

var (
	T0       time.Time
	rng      *rand.Rand
	userLife = 12 * time.Hour
	xffOnly  bool
)

type Tok struct {
	Raw       string // raw credential value (header value sans scheme for bearer/key)
	Kind      string // jwt, key, basic
	Principal string
	ID        string // fingerprint
	Needs     bool   // id needed (registry/labels)
	home      string
}

func (t *Tok) HeaderName() string {
	if t.Kind == "key" {
		return "x-api-key"
	}
	return "authorization"
}
func (t *Tok) HeaderValue() string {
	switch t.Kind {
	case "key":
		return t.Raw
	case "basic":
		return "Basic " + t.Raw
	}
	return "Bearer " + t.Raw
}

type Ev struct {
	T       time.Time
	Svc     string // orders-api, users-api, reports-svc, billing-worker (client+server), legacy-portal (log)
	Tok     *Tok
	Method  string
	Path    string // concrete
	Route   string
	Status  int
	Client  string
	Query   string // url query (exposed)
	ExcMsg  string // exception message in event
	ResAttr string // resource attribute leak
	Peer    string // internal peer
}

type Label struct {
	Type     string    `json:"type"`
	Token    string    `json:"token"`
	Client   string    `json:"client,omitempty"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Desc     string    `json:"desc"`
	tok      *Tok
	IDsExtra []string `json:"ids_extra,omitempty"`
}

var (
	negs    []string
	evs     []Ev
	labels  []*Label
	allToks []*Tok
)

func newTok(kind, principal string) *Tok {
	t := &Tok{Kind: kind, Principal: principal}
	allToks = append(allToks, t)
	return t
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jwt(claims map[string]any, secret string) string {
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": idpKid})
	c, _ := json.Marshal(claims)
	s := b64(h) + "." + b64(c)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(s))
	return s + "." + b64(m.Sum(nil))
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func rstr(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rng.Intn(len(alnum))]
	}
	return string(b)
}
func uuid() string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Intn(65536), rng.Intn(65536), rng.Intn(65536), rng.Int63n(1<<48))
}
func ip(a, b int) string { return fmt.Sprintf("%d.%d.%d.%d", a, b, rng.Intn(254)+1, rng.Intn(253)+2) }
func ip24(a, b, c int) string {
	return fmt.Sprintf("%d.%d.%d.%d", a, b, c, rng.Intn(253)+2)
}

func day(d float64) time.Time { return T0.Add(time.Duration(d * 24 * float64(time.Hour))) }

func poissonTimes(from, to time.Time, perHour float64) []time.Time {
	var out []time.Time
	if perHour <= 0 {
		return out
	}
	t := from
	for {
		dt := rng.ExpFloat64() / perHour * float64(time.Hour)
		t = t.Add(time.Duration(dt))
		if !t.Before(to) {
			return out
		}
		out = append(out, t)
	}
}

func id() string { return fmt.Sprint(10000 + rng.Intn(90000)) }

type route struct{ M, P, R string }

func concrete(r route) route {
	p := strings.ReplaceAll(r.R, "{id}", id())
	return route{r.M, p, r.R}
}

var (
	rOrdersList = route{"GET", "", "/orders"}
	rOrderGet   = route{"GET", "", "/orders/{id}"}
	rOrderPost  = route{"POST", "", "/orders"}
	rOrderPut   = route{"PUT", "", "/orders/{id}"}
	rOrderDel   = route{"DELETE", "", "/orders/{id}"}
	rUserGet    = route{"GET", "", "/users/{id}"}
	rUsersList  = route{"GET", "", "/users"}
	rAdminUser  = route{"GET", "", "/admin/users/{id}"}
	rAdminDel   = route{"DELETE", "", "/admin/users/{id}"}
	rReports    = route{"GET", "", "/reports"}
	rReportGet  = route{"GET", "", "/reports/{id}"}
	rPortalInv  = route{"GET", "", "/portal/invoices/{id}"}
	rPortalHome = route{"GET", "", "/portal/home"}
	rDeploy     = route{"POST", "", "/deployments"}
	rDeployGet  = route{"GET", "", "/deployments/{id}"}
	rHealth     = route{"GET", "", "/health"}
)

func svcFor(r route) string {
	switch {
	case strings.HasPrefix(r.R, "/orders"), strings.HasPrefix(r.R, "/deployments"):
		return "orders-api"
	case strings.HasPrefix(r.R, "/users"), strings.HasPrefix(r.R, "/admin"):
		return "users-api"
	case strings.HasPrefix(r.R, "/reports"):
		return "reports-svc"
	case strings.HasPrefix(r.R, "/portal"):
		return "legacy-portal"
	}
	return "orders-api"
}

func add(t time.Time, tok *Tok, r route, status int, client string) *Ev {
	c := concrete(r)
	evs = append(evs, Ev{T: t, Svc: svcFor(r), Tok: tok, Method: c.M, Path: c.P, Route: c.R, Status: status, Client: client})
	return &evs[len(evs)-1]
}

func pick[T any](xs []T) T { return xs[rng.Intn(len(xs))] }

func status(okp float64) int {
	x := rng.Float64()
	switch {
	case x < okp:
		return 200
	case x < okp+0.004:
		return 403
	case x < okp+0.006:
		return 404
	case x < okp+0.008:
		return 500
	}
	return 200
}

// ---------- world ----------

type user struct {
	name    string
	tzOff   float64 // hours offset from UTC of local day
	office  string  // office /24 base
	home    string
	routes  []route
	scopes  []string
	rate    float64
	contr   bool
	dayToks map[int]*Tok
	weekend bool
	slot    map[int]*Tok
	base    map[int]time.Time
}

type keyTok struct {
	tok      *Tok
	name     string
	owner    string
	scopes   []string
	routes   []route
	rate     float64 // per hour at peak
	ips      []string
	netCIDR  string
	allDay   bool
	created  time.Time
	expires  *time.Time
	lastUsed string
	firstDay float64
}

var (
	users    []*user
	keys     []*keyTok
	stale    []*keyTok
	svcJWTs  []*Tok
	basics   []*user
	revokedJ []string
	revokedI []*Tok
)

func userJWT(u *user, iat time.Time, life time.Duration, extra map[string]any, secret string) *Tok {
	c := map[string]any{"iss": idpIss, "sub": u.name, "aud": "acme-api", "iat": iat.Unix(), "exp": iat.Add(life).Unix(),
		"jti": uuid(), "scope": strings.Join(u.scopes, " "), "azp": "acme-web"}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	t := newTok("jwt", u.name)
	t.Raw = jwt(c, secret)
	return t
}

func build() {
	ispEU := [][2]int{{84, 10}, {84, 11}, {91, 64}, {79, 192}}
	ispUS := [][2]int{{73, 12}, {24, 30}, {98, 220}}
	// users
	for i := 0; i < 60; i++ {
		u := &user{name: fmt.Sprintf("u%03d@acme-corp.example", i), dayToks: map[int]*Tok{}}
		if i%10 < 7 {
			u.tzOff = 1
			u.office = "81.200.14"
			is := pick(ispEU)
			u.home = ip(is[0], is[1])
		} else {
			u.tzOff = -5
			u.office = "63.117.22"
			is := pick(ispUS)
			u.home = ip(is[0], is[1])
		}
		switch i % 6 {
		case 0, 1, 2:
			u.scopes = []string{"orders:read", "orders:write", "users:read"}
			u.routes = []route{rOrdersList, rOrderGet, rOrderPost, rOrderPut, rUserGet}
		case 3, 4:
			u.scopes = []string{"orders:read", "reports:read"}
			u.routes = []route{rOrdersList, rOrderGet, rReports, rReportGet}
		case 5:
			u.scopes = []string{"users:read", "users:admin"}
			u.routes = []route{rUserGet, rUsersList, rAdminUser}
		}
		u.rate = 6 + rng.Float64()*30
		u.contr = i >= 52 && i%10 < 7 // contractors (EU) with policy working hours
		u.weekend = i%7 == 3 && !u.contr
		users = append(users, u)
	}
	// basic-auth portal users
	for i := 0; i < 15; i++ {
		u := &user{name: fmt.Sprintf("portal%02d", i), tzOff: 1, office: "81.200.14", dayToks: map[int]*Tok{}}
		is := pick(ispEU)
		u.home = ip(is[0], is[1])
		u.routes = []route{rPortalHome, rPortalInv}
		u.rate = 4 + rng.Float64()*14
		t := newTok("basic", u.name)
		t.Raw = base64.StdEncoding.EncodeToString([]byte(u.name + ":" + rstr(14)))
		t.Needs = true
		u.dayToks[0] = t
		basics = append(basics, u)
	}
	// partner / integration keys
	cloud := [][2]int{{3, 120}, {18, 156}, {52, 28}}
	for i := 0; i < 40; i++ {
		k := &keyTok{name: fmt.Sprintf("partner-%02d", i), owner: fmt.Sprintf("partner-%02d", i)}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acme_" + rstr(36)
		k.tok.Needs = true
		switch i % 4 {
		case 0:
			k.scopes = []string{"reports:read"}
			k.routes = []route{rReports, rReportGet}
		case 1:
			k.scopes = []string{"orders:read", "orders:write"}
			k.routes = []route{rOrderGet, rOrderPost, rOrdersList}
		case 2:
			k.scopes = []string{"reports:read", "orders:read"}
			k.routes = []route{rReports}
		case 3:
			k.scopes = []string{"orders:read", "users:read"}
			k.routes = []route{rOrderGet, rUserGet}
		}
		if i%3 == 0 { // fixed egress in its own /16, registered network
			a, b := 150+i, 20+i
			c := 10 + i
			k.ips = []string{ip24(a, b, c), ip24(a, b, c)}
			k.netCIDR = fmt.Sprintf("%d.%d.%d.0/24", a, b, c)
		} else { // cloud egress, shared ranges
			cl := pick(cloud)
			k.ips = []string{ip(cl[0], cl[1]), ip(cl[0], cl[1]), ip(cl[0], cl[1])}
		}
		if i < 8 {
			k.rate = 2 + rng.Float64()*4 // low-rate
		} else {
			k.rate = 8 + rng.Float64()*50
		}
		k.allDay = i%5 == 0
		k.created = T0.Add(-time.Duration(30+rng.Intn(200)) * 24 * time.Hour)
		if i%2 == 0 {
			e := k.created.Add(365 * 24 * time.Hour)
			if e.Before(T0.Add(30 * 24 * time.Hour)) {
				e = T0.Add(time.Duration(60+rng.Intn(100)) * 24 * time.Hour)
				k.created = e.Add(-300 * 24 * time.Hour)
			}
			k.expires = &e
		}
		keys = append(keys, k)
	}
	// CI deploy keys and cron keys
	for i := 0; i < 5; i++ {
		k := &keyTok{name: fmt.Sprintf("ci-deploy-%d", i), owner: "deploy-bot", scopes: []string{"orders:read"}, routes: []route{rDeploy, rDeployGet, rDeployGet, rOrdersList}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acmeci_" + rstr(40)
		k.tok.Needs = true
		k.created = T0.Add(-90 * 24 * time.Hour)
		k.rate = -1 // builds
		keys = append(keys, k)
	}
	for i := 0; i < 10; i++ {
		k := &keyTok{name: fmt.Sprintf("nightly-%d", i), owner: "etl-batch", scopes: []string{"users:read", "reports:read"}, routes: []route{rUsersList, rUserGet, rReportGet}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acmeetl_" + rstr(40)
		k.tok.Needs = true
		k.created = T0.Add(-150 * 24 * time.Hour)
		k.rate = -2 // nightly
		keys = append(keys, k)
	}
	// service JWTs (client credentials, 30-day)
	for i := 0; i < 5; i++ {
		t := newTok("jwt", fmt.Sprintf("svc-billing-%d", i))
		t.Raw = jwt(map[string]any{"iss": idpIss, "sub": fmt.Sprintf("svc-billing-%d", i), "client_id": fmt.Sprintf("svc-billing-%d", i), "aud": "acme-api",
			"iat": T0.Add(-10 * 24 * time.Hour).Unix(), "exp": T0.Add(20 * 24 * time.Hour).Unix(), "jti": uuid(), "scope": "orders:read orders:write"}, idpSecret)
		t.home = fmt.Sprintf("10.2.%d.%d", i, 10+i)
		svcJWTs = append(svcJWTs, t)
	}
}

func isWorkday(d int) bool {
	wd := T0.Add(time.Duration(d) * 24 * time.Hour).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func userDay(u *user, d int, weekendPeek bool) {
	var start, end float64 // UTC hours
	loc := 8.3 + rng.NormFloat64()*0.5
	start = loc - u.tzOff
	end = start + 8 + rng.Float64()*1.5
	if u.contr { // keep inside 08:00-18:00 Berlin (07-17 UTC)
		start = math.Max(start, 7.2)
		end = math.Min(end, 16.8)
	}
	if weekendPeek {
		start = 10 - u.tzOff + rng.Float64()*6
		end = start + 0.3
	}
	base := day(float64(d)).Add(time.Duration(start * float64(time.Hour)))
	if u.base == nil {
		u.base = map[int]time.Time{}
		u.slot = map[int]*Tok{}
	}
	u.base[d] = base
	tok := tokAt(u, d, base)
	u.dayToks[d] = tok
	client := ""
	if rng.Float64() < 0.7 {
		client = ip24(atoi3(u.office))
	} else {
		client = u.home
	}
	rate := u.rate
	if weekendPeek {
		rate = 20
	}
	lunchS := base.Add(time.Duration((4 + rng.Float64()) * float64(time.Hour)))
	lunchE := lunchS.Add(45 * time.Minute)
	for _, t := range poissonTimes(base, day(float64(d)).Add(time.Duration(end*float64(time.Hour))), rate) {
		if t.After(lunchS) && t.Before(lunchE) {
			continue
		}
		c := client
		if rng.Float64() < 0.03 { // phone
			c = ip(172, 58)
		}
		add(t, tokAt(u, d, t), pick(u.routes), status(0.99), c)
	}
}

// tokAt: the user's token valid at t on day d (daily token, or the hourly re-issued one)
func tokAt(u *user, d int, t time.Time) *Tok {
	if u.base == nil || u.base[d].IsZero() {
		userDay(u, d, false)
	}
	base := u.base[d]
	k := 0
	if userLife < 12*time.Hour && t.After(base) {
		k = int(t.Sub(base) / userLife)
	}
	if tk, ok := u.slot[d*1000+k]; ok {
		return tk
	}
	iat := base.Add(time.Duration(k)*userLife - time.Duration(rng.Intn(20))*time.Minute)
	life := 12 * time.Hour
	if userLife < 12*time.Hour {
		life = userLife + 40*time.Minute
	}
	tk := userJWT(u, iat, life, nil, idpSecret)
	u.slot[d*1000+k] = tk
	return tk
}

func atoi3(s string) (int, int, int) {
	var a, b, c int
	fmt.Sscanf(s, "%d.%d.%d", &a, &b, &c)
	return a, b, c
}

func clean() {
	for d := 0; d < 7; d++ {
		for _, u := range users {
			if isWorkday(d) {
				if rng.Float64() < 0.95 {
					userDay(u, d, false)
				}
			} else if u.weekend && rng.Float64() < 0.6 {
				userDay(u, d, true)
			}
		}
		for _, u := range basics {
			if !isWorkday(d) {
				continue
			}
			tok := u.dayToks[0]
			loc := 8.5 + rng.NormFloat64()*0.5 - u.tzOff
			s := day(float64(d)).Add(time.Duration(loc * float64(time.Hour)))
			c := ip24(atoi3(u.office))
			if rng.Float64() < 0.3 {
				c = u.home
			}
			for _, t := range poissonTimes(s, s.Add(8*time.Hour), u.rate) {
				add(t, tok, pick(u.routes), status(0.995), c)
			}
		}
	}
	for _, k := range keys {
		keyTraffic(k, 0, 7)
	}
	// service JWTs: billing-worker -> orders-api, client+server spans, 24/7
	for _, t := range svcJWTs {
		for _, tm := range poissonTimes(T0, day(7), 20+rng.Float64()*20) {
			e := add(tm, t, pick([]route{rOrderGet, rOrderPost, rOrdersList}), status(0.995), "")
			e.Svc = "billing-worker"
			e.Peer = t.home
		}
	}
}

func keyTraffic(k *keyTok, fromDay, toDay float64) {
	switch {
	case k.rate == -1: // CI builds on workdays
		for d := int(fromDay); d < int(toDay); d++ {
			if !isWorkday(d) {
				continue
			}
			n := 2 + rng.Intn(6)
			for b := 0; b < n; b++ {
				s := day(float64(d)).Add(time.Duration((7 + rng.Float64()*10) * float64(time.Hour)))
				c := ip(35, 190)
				calls := 15 + rng.Intn(70)
				dur := time.Duration(1+rng.Intn(5)) * time.Minute
				for j := 0; j < calls; j++ {
					add(s.Add(time.Duration(rng.Int63n(int64(dur)))), k.tok, pick(k.routes), status(0.99), c)
				}
			}
		}
	case k.rate == -2: // nightly ETL at ~02:00 UTC, internal caller
		for d := int(fromDay); d < int(toDay); d++ {
			s := day(float64(d)).Add(2*time.Hour + time.Duration(rng.Intn(10))*time.Minute)
			calls := 40 + rng.Intn(120)
			for j := 0; j < calls; j++ {
				e := add(s.Add(time.Duration(rng.Int63n(int64(12*time.Minute)))), k.tok, pick(k.routes), status(0.997), "")
				e.Peer = "10.3.7.21"
			}
		}
	default:
		for d := int(fromDay); d < int(toDay); d++ {
			if !k.allDay && !isWorkday(d) && rng.Float64() < 0.7 {
				continue
			}
			for h := 0; h < 24; h++ {
				f := 1.0
				if !k.allDay {
					f = math.Max(0.05, math.Sin(math.Pi*(float64(h)-6)/14))
					if h < 6 || h > 20 {
						f = 0.05
					}
				}
				s := day(float64(d)).Add(time.Duration(h) * time.Hour)
				if s.Before(day(fromDay)) || !s.Before(day(toDay)) {
					continue
				}
				for _, t := range poissonTimes(s, s.Add(time.Hour), k.rate*f) {
					add(t, k.tok, pick(k.routes), status(0.995), pick(k.ips))
				}
			}
		}
	}
}

func lab(typ string, t *Tok, from, to time.Time, desc string) *Label {
	l := &Label{Type: typ, tok: t, From: from, To: to, Desc: desc}
	if t != nil {
		t.Needs = true
	}
	labels = append(labels, l)
	return l
}

// random time in working hours of day d (UTC 9..15)
func injT(d int) time.Time {
	return day(float64(d)).Add(time.Duration((9 + rng.Float64()*6) * float64(time.Hour)))
}

func inject() {
	dd := []int{4, 5, 6, 4, 5, 6}
	uIdx := 0
	nextUser := func() *user {
		for {
			u := users[uIdx%len(users)]
			uIdx += 7
			if !u.contr {
				return u
			}
		}
	}
	kIdx := 8
	nextKey := func() *keyTok {
		for {
			k := keys[kIdx%40]
			kIdx++
			if k.netCIDR == "" {
				return k
			}
		}
	}
	nextOrdersKey := func() *keyTok {
		for {
			k := nextKey()
			for _, sc := range k.scopes {
				if sc == "orders:read" {
					return k
				}
			}
		}
	}

	// A. failed_attempts
	for i := 0; i < 5; i++ {
		d := dd[i]
		var tok *Tok
		var c string
		var rts []route
		s := injT(d)
		if i < 3 {
			k := nextKey()
			tok, c, rts = k.tok, pick(k.ips), k.routes
		} else if i == 3 {
			tok, c, rts = svcJWTs[0], "", []route{rOrderGet}
		} else {
			u := nextUser()
			tok, c, rts = tokAt(u, d, s), u.home, u.routes
		}
		n := 12 + rng.Intn(6)
		for j := 0; j < n; j++ {
			e := add(s.Add(time.Duration(j)*time.Duration(10+rng.Intn(8))*time.Second), tok, pick(rts), 401, c)
			if i == 3 {
				e.Svc = "billing-worker"
				e.Peer = tok.home
			}
		}
		lab("failed_attempts", tok, s, s.Add(4*time.Minute), fmt.Sprintf("%d 401s within ~3-4 min from the token's usual address", n))
	}
	// B. credential_stuffing
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		c := ip(45+i*11, 140+i)
		n := 20 + rng.Intn(20)
		for j := 0; j < n; j++ {
			t := newTok("basic", "")
			uname := fmt.Sprintf("%s%d", pick([]string{"admin", "jsmith", "m.meyer", "test", "support"}), rng.Intn(100))
			t.Raw = base64.StdEncoding.EncodeToString([]byte(uname + ":" + pick([]string{"Summer2026!", "Passw0rd", "acme123", "Welcome1"})))
			var r route
			switch i % 3 {
			case 0:
				r = rOrdersList
			case 1:
				r = rPortalHome
			case 2:
				r = rUsersList
			}
			add(s.Add(time.Duration(j)*time.Duration(8+rng.Intn(10))*time.Second), t, r, 401, c)
		}
		l := lab("credential_stuffing", nil, s, s.Add(10*time.Minute), fmt.Sprintf("%d distinct guessed Basic creds from %s, all 401, ~%d min", n, c, n*13/60))
		l.Client = c
	}
	// C. rate_surge
	for i := 0; i < 5; i++ {
		d := dd[i+1]
		if i < 3 {
			k := keys[i] // low-rate keys 0..2
			s := injT(d)
			n := 0
			for _, t := range poissonTimes(s, s.Add(35*time.Minute), 4*60) {
				add(t, k.tok, pick(k.routes), 200, pick(k.ips))
				n++
			}
			lab("rate_surge", k.tok, s, s.Add(35*time.Minute), fmt.Sprintf("low-rate key (%.1f/h) makes %d calls in 35 min (~4/min)", k.rate, n))
		} else {
			u := nextUser()
			tokAt(u, d, day(float64(d)))
			s := u.base[d].Add(7 * time.Hour)
			tok := tokAt(u, d, s)
			for j := 0; j < 240; j++ {
				add(s.Add(time.Duration(j)*time.Second), tok, rOrderGet, 200, u.home)
			}
			lab("rate_surge", tok, s, s.Add(4*time.Minute), fmt.Sprintf("user token (~%.0f/h) scrapes 240 GET /orders/{id} in 4 min", u.rate))
		}
	}
	// D. new_client_address
	nets := [][2]int{{185, 220}, {194, 26}, {103, 77}, {5, 188}, {141, 98}}
	for i := 0; i < 5; i++ {
		k := nextKey()
		d := dd[i]
		s := injT(d)
		c := ip(nets[i][0], nets[i][1])
		for j := 0; j < 10; j++ {
			add(s.Add(time.Duration(j*2)*time.Minute), k.tok, pick(k.routes), 200, c)
		}
		lab("new_client_address", k.tok, s, s.Add(20*time.Minute), fmt.Sprintf("settled key, 10 successful calls over 20 min from never-seen rare network %s", c))
	}
	// E. new_resource: keys with scope orders:read/users:read they never used
	nr := 0
	for _, k := range keys[:40] {
		if nr == 5 {
			break
		}
		if k.name == "partner-00" || k.name == "partner-01" || k.name == "partner-02" {
			continue
		}
		if len(k.routes) == 1 && k.routes[0] == rReports { // partner i%4==2 : scopes reports:read, orders:read
			d := dd[nr]
			s := injT(d)
			for j := 0; j < 6; j++ {
				add(s.Add(time.Duration(j*3)*time.Minute), k.tok, rOrderGet, 200, pick(k.ips))
			}
			lab("new_resource", k.tok, s, s.Add(18*time.Minute), "reports-only key calls GET /orders/{id} (in scope, never called) 6 times")
			nr++
		}
	}
	// F. multi_address
	for i := 0; i < 5; i++ {
		k := nextKey()
		d := dd[i+1]
		s := injT(d)
		var cs []string
		for j := 0; j < 6; j++ {
			c := ip(60+i*20+j*3, 100+j)
			cs = append(cs, c)
			add(s.Add(time.Duration(j*80)*time.Second), k.tok, pick(k.routes), 200, c)
			add(s.Add(time.Duration(j*80+30)*time.Second), k.tok, pick(k.routes), 200, c)
		}
		lab("multi_address", k.tok, s, s.Add(9*time.Minute), "key used from 6 distinct rare /24s (botnet) within 8 min, 2 calls each")
	}
	// F2/F3. multi_address variants: 4 rare nets in 5 min aligned; 6 in 7 min across a :40 boundary
	for i := 0; i < 6; i++ {
		k := nextKey()
		d := dd[i]
		hh := day(float64(d)).Add(time.Duration(10+i) * time.Hour)
		var s time.Time
		n, step := 4, 75*time.Second
		desc := "key normally on 3 cloud /24s: 4 rare /24s (distinct /16s) within 5 min, aligned at :31"
		if i < 3 {
			s = hh.Add(31 * time.Minute)
		} else {
			s = hh.Add(35 * time.Minute)
			n, step = 6, 80*time.Second
			desc = "key normally on 3 cloud /24s: 6 rare /24s within 7 min, starting :35 (crosses :40)"
		}
		for j := 0; j < n; j++ {
			c := ip(110+i*7+j, 40+j*5)
			add(s.Add(time.Duration(j)*step), k.tok, pick(k.routes), 200, c)
			add(s.Add(time.Duration(j)*step+20*time.Second), k.tok, pick(k.routes), 200, c)
		}
		lab("multi_address", k.tok, s, s.Add(time.Duration(n)*step), desc)
	}
	// NEG: below-threshold behaviour seen twice (caller CLIENT span + callee SERVER span):
	// 6 x 401 in 3 min, and 3 x 403 in 30 min, per service token; no alert expected.
	for i := 0; i < 3; i++ {
		tok := svcJWTs[2+i]
		s := injT(dd[i])
		for j := 0; j < 6; j++ {
			e := add(s.Add(time.Duration(j*30)*time.Second), tok, rOrderGet, 401, "")
			e.Svc = "billing-worker"
			e.Peer = tok.home
		}
		s2 := injT(dd[i+1])
		for j := 0; j < 3; j++ {
			e := add(s2.Add(time.Duration(j*10)*time.Minute), tok, rOrderGet, 403, "")
			e.Svc = "billing-worker"
			e.Peer = tok.home
		}
		negs = append(negs, fmt.Sprintf("%s failed@%s denied@%s", tok.Principal, s.Format(time.RFC3339), s2.Format(time.RFC3339)))
	}
	// G. off_hours: 3 learned (user at 02:30 UTC Friday), 2 policy (contractors)
	for i := 0; i < 5; i++ {
		var u *user
		if i < 3 {
			u = nextUser()
			for u.tzOff != 1 {
				u = nextUser()
			}
		} else {
			u = users[52+(i-3)]
		}
		d := 6
		if i == 4 {
			d = 5
		}
		var s time.Time
		if i < 3 {
			s = day(float64(d)).Add(2*time.Hour + time.Duration(rng.Intn(40))*time.Minute)
		} else {
			s = day(float64(d)).Add(-90 * time.Minute) // 23:30 Berlin the evening before
		}
		tok := userJWT(u, s.Add(-time.Minute), 12*time.Hour, nil, idpSecret)
		for j := 0; j < 8; j++ {
			add(s.Add(time.Duration(j*4)*time.Minute), tok, pick(u.routes), 200, u.home)
		}
		kind := "learned profile (no policy hours)"
		if i >= 3 {
			kind = "policy working hours 08-18 Europe/Berlin (contractor)"
		}
		lab("off_hours", tok, s, s.Add(32*time.Minute), "8 calls over 30 min at night from home; "+kind)
	}
	// H. denied_access
	for i := 0; i < 5; i++ {
		d := dd[i]
		var tok *Tok
		var c string
		s := injT(d)
		if i < 3 {
			u := nextUser()
			tok, c = tokAt(u, d, s), u.home
			if u.routes[0] == rUserGet { // admin users: use /users
				for j := 0; j < 16; j++ {
					st := 403
					if j%3 == 0 {
						st = 200
					}
					add(s.Add(time.Duration(j*2)*time.Minute), tok, rUserGet, st, c)
				}
				lab("denied_access", tok, s, s.Add(32*time.Minute), "IDOR enumeration: 16 GET /users/{id}, 10x403 in 30 min")
				continue
			}
		} else {
			k := nextOrdersKey()
			tok, c = k.tok, pick(k.ips)
		}
		for j := 0; j < 16; j++ {
			st := 403
			if j%3 == 0 {
				st = 200
			}
			add(s.Add(time.Duration(j*2)*time.Minute), tok, rOrderGet, st, c)
		}
		if i >= 3 {
			// keys with orders:read? route may not be in scope; use reports for reports keys
		}
		lab("denied_access", tok, s, s.Add(32*time.Minute), "IDOR enumeration: 16 GET /orders/{id}, 10x403 in 30 min")
	}
	// I. exposed_credential
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		switch i {
		case 0: // user JWT in url.query (frontend bug) on orders-api
			u := nextUser()
			tok := tokAt(u, d, s)
			e := add(s, tok, rOrdersList, 200, u.home)
			e.Query = "access_token=" + tok.Raw + "&page=2"
			lab("exposed_credential", tok, s, s.Add(time.Minute), "user JWT in url.query access_token= (also in header)")
		case 1: // api key in exception message
			k := nextKey()
			e := add(s, k.tok, pick(k.routes), 500, pick(k.ips))
			e.ExcMsg = "upstream call failed: GET https://partner-cb.example/notify (request headers: X-API-Key: " + k.tok.Raw + ")"
			lab("exposed_credential", k.tok, s, s.Add(time.Minute), "API key printed in exception.message of span event")
		case 2: // portal access log with api_key in query
			k := nextKey()
			e := add(s, k.tok, rPortalInv, 200, pick(k.ips))
			e.Query = "api_key=" + k.tok.Raw
			e.Tok = nil
			e.Svc = "legacy-portal"
			l := lab("exposed_credential", k.tok, s, s.Add(time.Minute), "partner key in legacy-portal access-log url.query api_key= (no header)")
			_ = l
		case 3: // svc JWT in resource attr command line
			tok := svcJWTs[1]
			e := add(s, tok, rOrderGet, 200, "")
			e.Svc = "billing-worker"
			e.Peer = tok.home
			e.ResAttr = "/usr/bin/billing-worker --token=" + tok.Raw + " --loop"
			lab("exposed_credential", tok, s, s.Add(time.Minute), "service JWT in resource process.command_args")
		case 4: // user JWT in http.target (old semconv) query
			u := nextUser()
			for u.routes[0] != rUserGet {
				u = nextUser()
			}
			tok := tokAt(u, d, s)
			e := add(s, tok, rUserGet, 200, u.home)
			e.Query = "token=" + tok.Raw
			lab("exposed_credential", tok, s, s.Add(time.Minute), "user JWT in http.target ?token= on users-api (old semconv)")
		}
	}
	// J. expired_token: previous day's token replayed
	for i := 0; i < 5; i++ {
		u := nextUser()
		d := dd[i]
		var old *Tok
		for pd := d - 1; pd >= 2; pd-- {
			if u.dayToks[pd] != nil {
				old = u.dayToks[pd]
				break
			}
		}
		if old == nil {
			old = userJWT(u, day(float64(d-1)).Add(8*time.Hour), 12*time.Hour, nil, idpSecret)
		}
		s := injT(d)
		st := 401
		if i < 2 {
			st = 200
		}
		c := ip(77, 88)
		for j := 0; j < 5; j++ {
			add(s.Add(time.Duration(j*90)*time.Second), old, pick(u.routes), st, c)
		}
		lab("expired_token", old, s, s.Add(8*time.Minute), fmt.Sprintf("yesterday's JWT replayed 5 times (status %d)", st))
	}
	// K. not_yet_valid
	for i := 0; i < 5; i++ {
		u := nextUser()
		d := dd[i]
		s := injT(d)
		fut := s.Add(2 * time.Hour)
		tok := userJWT(u, fut, 12*time.Hour, map[string]any{"nbf": fut.Unix()}, idpSecret)
		for j := 0; j < 4; j++ {
			add(s.Add(time.Duration(j)*time.Minute), tok, pick(u.routes), pick([]int{200, 401}), ip24(atoi3(u.office)))
		}
		lab("not_yet_valid_token", tok, s, s.Add(5*time.Minute), "JWT with iat/nbf 2h in the future (issuer clock skew), 4 calls")
	}
	// L. invalid_signature
	for i := 0; i < 5; i++ {
		u := users[5+i*6] // admin-ish
		d := dd[i]
		s := injT(d)
		tok := userJWT(u, s.Add(-time.Minute), time.Hour, nil, "attacker-guessed-secret-0123456789abcdef")
		for j := 0; j < 4; j++ {
			add(s.Add(time.Duration(j*40)*time.Second), tok, pick(u.routes), 401, ip(91, 219))
		}
		lab("invalid_signature", tok, s, s.Add(4*time.Minute), "forged HS256 JWT (wrong secret) claiming "+u.name)
	}
	// M. malformed_token
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		tok := newTok("jwt", "")
		full := users[i].dayToks[2]
		if full == nil {
			full = userJWT(users[i], day(2), time.Hour, nil, idpSecret)
		}
		parts := strings.Split(full.Raw, ".")
		switch i % 3 {
		case 0:
			tok.Raw = parts[0] + "." + parts[1][:len(parts[1])-7] // truncated, two segments
		case 1:
			tok.Raw = parts[0] + "." + parts[1][:20] + "%%%" + "." + parts[2] // bad base64
		case 2:
			tok.Raw = parts[0] + "." + b64([]byte(`{"sub":"x","exp":`)) + "." + parts[2] // bad json
		}
		for j := 0; j < 3; j++ {
			add(s.Add(time.Duration(j*30)*time.Second), tok, rOrdersList, 401, users[i].home)
		}
		lab("malformed_token", tok, s, s.Add(3*time.Minute), "Bearer JWT-looking value that does not decode (truncated/bad base64/bad JSON)")
	}
	// N. revoked_token
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		var tok *Tok
		if i < 4 {
			u := nextUser()
			jti := uuid()
			tok = userJWT(u, s.Add(-2*time.Hour), 12*time.Hour, map[string]any{"jti": jti}, idpSecret)
			revokedJ = append(revokedJ, jti)
			for j := 0; j < 5; j++ {
				add(s.Add(time.Duration(j*2)*time.Minute), tok, pick(u.routes), 200, ip(89, 248))
			}
		} else {
			k := keys[36] // registered key listed as revoked by id; its traffic after revocation
			tok = newTok("key", k.owner)
			tok.Raw = "acme_" + rstr(36) // old key of partner that was revoked
			revokedI = append(revokedI, tok)
			for j := 0; j < 5; j++ {
				add(s.Add(time.Duration(j*2)*time.Minute), tok, pick(k.routes), 401, pick(k.ips))
			}
		}
		lab("revoked_token", tok, s, s.Add(10*time.Minute), "revoked credential (jti / id in policy revoked) used 5 times")
	}
	// O. unknown_token: unregistered API keys
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		tok := newTok("key", "")
		tok.Raw = "acme_" + rstr(36)
		for j := 0; j < 6; j++ {
			add(s.Add(time.Duration(j*3)*time.Minute), tok, rReports, 200, ip24(81, 200, 14))
		}
		lab("unknown_token", tok, s, s.Add(18*time.Minute), "unregistered API key (dev's test key) used 6x from office")
	}
	// P. scope_violation
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		if i < 3 {
			u := users[3+i*6] // scopes orders:read reports:read
			tok := tokAt(u, d, s)
			add(s, tok, rOrderPost, 200, u.home)
			add(s.Add(time.Minute), tok, rOrderDel, 403, u.home)
			add(s.Add(2*time.Minute), tok, rOrderPut, 200, u.home)
			lab("scope_violation", tok, s, s.Add(3*time.Minute), "orders:read-only user token: POST /orders, DELETE/PUT /orders/{id}")
		} else {
			k := keys[i*4] // reports:read
			add(s, k.tok, rUserGet, 200, pick(k.ips))
			add(s.Add(time.Minute), k.tok, rUserGet, 200, pick(k.ips))
			lab("scope_violation", k.tok, s, s.Add(2*time.Minute), "reports:read key calls GET /users/{id}")
		}
	}
	// Q. restricted_resource: users:admin users (not admin-bot) delete via /admin
	for i := 0; i < 5; i++ {
		d := dd[i]
		s := injT(d)
		u := users[5+6*(i+1)]
		tok := tokAt(u, d, s)
		add(s, tok, rAdminDel, 200, ip24(atoi3(u.office)))
		add(s.Add(2*time.Minute), tok, rAdminDel, 200, ip24(atoi3(u.office)))
		lab("restricted_resource", tok, s, s.Add(3*time.Minute), "admin-scoped user (not admin-bot) DELETE /admin/users/{id}")
	}
	// R. disallowed_network: fixed-egress partners called from same /16 other /24
	rn := 0
	for _, k := range keys[:40] {
		if rn == 5 {
			break
		}
		if k.netCIDR == "" || k.name == "partner-36" {
			continue
		}
		d := dd[rn]
		s := injT(d)
		var a, b, c int
		fmt.Sscanf(k.netCIDR, "%d.%d.%d", &a, &b, &c)
		cl := ip24(a, b, c+100)
		for j := 0; j < 3; j++ {
			add(s.Add(time.Duration(j*5)*time.Minute), k.tok, pick(k.routes), 200, cl)
		}
		lab("disallowed_network", k.tok, s, s.Add(11*time.Minute), "partner key registered to "+k.netCIDR+" used from "+cl)
		rn++
	}
	// S. stale_token: registered, never used
	for i := 0; i < 5; i++ {
		k := &keyTok{name: fmt.Sprintf("legacy-export-%d", i), owner: "finance-etl", scopes: []string{"reports:read"}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acme_" + rstr(36)
		k.created = T0.Add(-time.Duration(200+i*10) * 24 * time.Hour)
		if i == 4 {
			k.lastUsed = T0.Add(-120 * 24 * time.Hour).Format(time.RFC3339)
		}
		stale = append(stale, k)
		lab("stale_token", k.tok, T0, day(7).Add(time.Hour), "registered key never used during the week (created 200+ days ago)")
	}
	// T. resurrected_token
	for i := 0; i < 5; i++ {
		k := &keyTok{name: fmt.Sprintf("old-sync-%d", i), owner: fmt.Sprintf("partner-sync-%d", i), scopes: []string{"orders:read"}, routes: []route{rOrderGet, rOrdersList}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acme_" + rstr(36)
		k.created = T0.Add(-300 * 24 * time.Hour)
		k.lastUsed = T0.Add(-time.Duration(45+i*5) * 24 * time.Hour).Format(time.RFC3339)
		k.ips = []string{ip(3, 120)}
		stale = append(stale, k)
		s := injT(dd[i])
		for j := 0; j < 10; j++ {
			add(s.Add(time.Duration(j*2)*time.Minute), k.tok, pick(k.routes), 200, k.ips[0])
		}
		lab("resurrected_token", k.tok, s, s.Add(2*time.Minute), fmt.Sprintf("registered key last used %d days before the week, used again", 45+i*5))
	}
	// U. expiring_soon: keys expiring at T0+11.5d, in steady use all week
	for i := 0; i < 5; i++ {
		k := &keyTok{name: fmt.Sprintf("expiring-%d", i), owner: fmt.Sprintf("partner-exp-%d", i), scopes: []string{"orders:read"}, routes: []route{rOrderGet, rOrdersList}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acme_" + rstr(36)
		k.created = T0.Add(-300 * 24 * time.Hour)
		e := day(11.5)
		k.expires = &e
		k.ips = []string{ip(18, 156)}
		k.rate = 10
		k.allDay = true
		keys = append(keys, k)
		keyTraffic(k, 0, 7)
		lab("expiring_soon", k.tok, e.Add(-168*time.Hour), day(7).Add(time.Hour), "registered key expires at T0+11.5d, used all week: within 168h from T0+4.5d")
	}
	// V. excessive_lifetime: new keys with 3-year validity first used day 4
	for i := 0; i < 5; i++ {
		k := &keyTok{name: fmt.Sprintf("integration-2029-%d", i), owner: fmt.Sprintf("partner-new-%d", i), scopes: []string{"reports:read"}, routes: []route{rReports, rReportGet}}
		k.tok = newTok("key", k.owner)
		k.tok.Raw = "acme_" + rstr(36)
		k.created = day(4).Add(-time.Hour)
		e := k.created.Add(3 * 365 * 24 * time.Hour)
		k.expires = &e
		k.ips = []string{ip(52, 28)}
		k.rate = 12
		k.allDay = true
		keys = append(keys, k)
		keyTraffic(k, 4, 7)
		lab("excessive_lifetime", k.tok, day(4), day(7).Add(time.Hour), "registered key with 3-year lifetime, first used day 4")
	}
}

func tokFirst(t *Tok) time.Time {
	var f time.Time
	for _, e := range evs {
		if e.Tok == t && (f.IsZero() || e.T.Before(f)) {
			f = e.T
		}
	}
	return f
}

// ---------- ids / policy ----------

func fingerprint(auditctl, keyfile string, t *Tok) string {
	hdr := "authorization"
	in := t.HeaderValue()
	if t.Kind == "key" {
		hdr = "key"
		in = t.Raw
	}
	cmd := exec.Command(auditctl, "fingerprint", "-key-file", keyfile, "-header", hdr)
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		panic(fmt.Sprint("fingerprint: ", err))
	}
	return strings.TrimSpace(string(out))
}

func writePolicy(path string) {
	var b strings.Builder
	b.WriteString(`# acme-corp token policy (security team)
scopes:
  "orders:read":  ["GET /orders", "GET /orders/{id}"]
  "orders:write": ["POST /orders", "PUT /orders/{id}", "DELETE /orders/{id}"]
  "users:read":   ["GET /users", "GET /users/{id}"]
  "users:admin":  ["* /admin/**"]
  "reports:read": ["GET /reports", "GET /reports/{id}"]
restricted:
  - resource: "DELETE /admin/**"
    principals: [admin-bot]
principals:
  deploy-bot:
    networks: [35.190.0.0/16]
`)
	for _, u := range users {
		if u.contr {
			fmt.Fprintf(&b, "  %q:\n    working_hours: {time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: \"08:00\", end: \"18:00\"}\n", u.name)
		}
	}
	b.WriteString("revoked:\n")
	for _, j := range revokedJ {
		fmt.Fprintf(&b, "  - jti: %q\n", j)
	}
	for _, t := range revokedI {
		fmt.Fprintf(&b, "  - id: %s\n", t.ID)
	}
	b.WriteString(`registry:
  authoritative: true
  known: registered_or_verified
  verified_issuers: ["` + idpIss + `"]
  tokens:
`)
	reg := func(k *keyTok, typ string) {
		fmt.Fprintf(&b, "    - id: %s\n      name: %s\n      owner: %s\n      owner_type: %s\n", k.tok.ID, k.name, k.owner, typ)
		if len(k.scopes) > 0 {
			fmt.Fprintf(&b, "      scopes: [%s]\n", strings.Join(quote(k.scopes), ", "))
		}
		if !k.created.IsZero() {
			fmt.Fprintf(&b, "      created_at: %s\n", k.created.UTC().Format(time.RFC3339))
		}
		if k.expires != nil {
			fmt.Fprintf(&b, "      expires_at: %s\n", k.expires.UTC().Format(time.RFC3339))
		}
		if k.lastUsed != "" {
			fmt.Fprintf(&b, "      last_used_at: %s\n", k.lastUsed)
		}
		if k.netCIDR != "" {
			fmt.Fprintf(&b, "      networks: [%s]\n", k.netCIDR)
		}
	}
	for _, k := range keys {
		reg(k, "service")
	}
	for _, k := range stale {
		reg(k, "service")
	}
	for _, u := range basics {
		fmt.Fprintf(&b, "    - id: %s\n      name: portal-login-%s\n      owner: %s\n      owner_type: user\n", u.dayToks[0].ID, u.name, u.name)
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
}

func quote(xs []string) []string {
	var o []string
	for _, x := range xs {
		o = append(o, fmt.Sprintf("%q", x))
	}
	return o
}

// ---------- emission ----------

type svcInfo struct {
	lang   string
	oldSem bool
	gw     bool
}

var svcs = map[string]svcInfo{
	"orders-api":     {"go", false, true},
	"users-api":      {"java", true, true},
	"reports-svc":    {"python", true, false},
	"billing-worker": {"nodejs", false, false},
}

var traceN uint64

func tid() (pcommon.TraceID, pcommon.SpanID) {
	var t [16]byte
	var s [8]byte
	rng.Read(t[:])
	rng.Read(s[:])
	return t, s
}
func sid() pcommon.SpanID { var s [8]byte; rng.Read(s[:]); return s }

func gwPeer() string { return pick([]string{"10.0.5.2", "10.0.5.3", "10.0.5.4"}) }

func fillServer(sp ptrace.Span, e *Ev, info svcInfo) {
	a := sp.Attributes()
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetName(e.Method + " " + e.Route)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(e.T))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(e.T.Add(time.Duration(5+rng.Intn(80)) * time.Millisecond)))
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	if info.oldSem {
		a.PutStr("http.method", e.Method)
		a.PutStr("http.target", target)
		a.PutStr("http.route", e.Route)
		a.PutInt("http.status_code", int64(e.Status))
		a.PutStr("http.scheme", "https")
		if e.Peer != "" {
			a.PutStr("net.peer.ip", e.Peer)
		} else if info.gw {
			a.PutStr("net.peer.ip", gwPeer())
			if e.Client != "" {
				a.PutStr("http.client_ip", e.Client)
			}
		} else if e.Client != "" {
			a.PutStr("net.peer.ip", e.Client)
		}
	} else {
		a.PutStr("http.request.method", e.Method)
		a.PutStr("url.path", e.Path)
		if e.Query != "" {
			a.PutStr("url.query", e.Query)
		}
		a.PutStr("url.scheme", "https")
		a.PutStr("http.route", e.Route)
		a.PutInt("http.response.status_code", int64(e.Status))
		if e.Peer != "" {
			a.PutStr("network.peer.address", e.Peer)
		} else if info.gw {
			a.PutStr("network.peer.address", gwPeer())
			if e.Client != "" {
				if !xffOnly {
					a.PutStr("client.address", e.Client)
				}
				a.PutEmptySlice("http.request.header.x-forwarded-for").AppendEmpty().SetStr(e.Client + ", " + "10.0.5.1")
			}
		} else if e.Client != "" {
			a.PutStr("network.peer.address", e.Client)
			a.PutStr("client.address", e.Client)
		}
	}
	if e.Tok != nil {
		hn := "http.request.header." + e.Tok.HeaderName()
		if info.lang == "java" || info.lang == "go" || info.lang == "nodejs" {
			a.PutEmptySlice(hn).AppendEmpty().SetStr(e.Tok.HeaderValue())
		} else {
			a.PutStr(strings.ReplaceAll(hn, "-", "_"), e.Tok.HeaderValue())
		}
	}
	if e.Status >= 500 {
		sp.Status().SetCode(ptrace.StatusCodeError)
	}
	if e.ExcMsg != "" {
		ev := sp.Events().AppendEmpty()
		ev.SetName("exception")
		ev.SetTimestamp(sp.EndTimestamp())
		ev.Attributes().PutStr("exception.type", "UpstreamError")
		ev.Attributes().PutStr("exception.message", e.ExcMsg)
	}
}

type req struct {
	traces ptrace.Traces
	logs   plog.Logs
	isLog  bool
}

var logOffset = map[string]int64{}

func buildRequests(evs []Ev) []req {
	// merged gateway-collector export: 4-minute event-time windows, items per service per window,
	// split into requests of up to ~600 items, interleaved.
	var out []req
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].T.Before(evs[j].T) })
	win := 4 * time.Minute
	i := 0
	for i < len(evs) {
		wEnd := evs[i].T.Truncate(win).Add(win)
		j := i
		for j < len(evs) && evs[j].T.Before(wEnd) {
			j++
		}
		chunk := evs[i:j]
		// shuffle within the window (services flush at different times)
		idx := rng.Perm(len(chunk))
		for s := 0; s < len(idx); s += 600 {
			e := s + 600
			if e > len(idx) {
				e = len(idx)
			}
			td := ptrace.NewTraces()
			ld := plog.NewLogs()
			rss := map[string]ptrace.ScopeSpans{}
			rls := map[string]plog.ScopeLogs{}
			var resAttrSS map[string]ptrace.ScopeSpans = map[string]ptrace.ScopeSpans{}
			for _, k := range idx[s:e] {
				ev := &chunk[k]
				if ev.Svc == "legacy-portal" {
					sl, ok := rls[ev.Svc]
					if !ok {
						rl := ld.ResourceLogs().AppendEmpty()
						rl.Resource().Attributes().PutStr("service.name", "legacy-portal")
						rl.Resource().Attributes().PutStr("host.name", "portal-vm-01")
						sl = rl.ScopeLogs().AppendEmpty()
						sl.Scope().SetName("github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver")
						rls[ev.Svc] = sl
					}
					lr := sl.LogRecords().AppendEmpty()
					lr.SetTimestamp(pcommon.NewTimestampFromTime(ev.T))
					lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(ev.T.Add(2 * time.Second)))
					a := lr.Attributes()
					tgt := ev.Path
					if ev.Query != "" {
						tgt += "?" + ev.Query
					}
					line := fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "Mozilla/5.0"`, ev.Client, ev.T.Format("02/Jan/2006:15:04:05 -0700"), ev.Method, tgt, ev.Status, 200+rng.Intn(5000))
					lr.Body().SetStr(line)
					a.PutStr("http.request.method", ev.Method)
					a.PutStr("url.path", ev.Path)
					if ev.Query != "" {
						a.PutStr("url.query", ev.Query)
					}
					a.PutInt("http.response.status_code", int64(ev.Status))
					a.PutStr("network.peer.address", ev.Client)
					if ev.Tok != nil {
						a.PutStr("http.request.header.authorization", ev.Tok.HeaderValue())
					}
					a.PutStr("log.file.path", "/var/log/nginx/portal_access.log")
					a.PutInt("log.file.record_offset", logOffset["p"])
					logOffset["p"] += int64(len(line) + 1)
					continue
				}
				info := svcs[ev.Svc]
				if ev.Svc == "billing-worker" {
					// CLIENT span in billing-worker + SERVER child in orders-api
					key := "billing-worker"
					if ev.ResAttr != "" {
						key = "billing-worker-leak"
					}
					ss, ok := rss[key]
					if !ok {
						rs := td.ResourceSpans().AppendEmpty()
						rs.Resource().Attributes().PutStr("service.name", "billing-worker")
						rs.Resource().Attributes().PutStr("telemetry.sdk.language", "nodejs")
						if ev.ResAttr != "" {
							rs.Resource().Attributes().PutStr("process.command_args", ev.ResAttr)
						}
						ss = rs.ScopeSpans().AppendEmpty()
						ss.Scope().SetName("@opentelemetry/instrumentation-http")
						rss[key] = ss
					}
					t, s1 := tid()
					cs := ss.Spans().AppendEmpty()
					cs.SetTraceID(t)
					cs.SetSpanID(s1)
					cs.SetKind(ptrace.SpanKindClient)
					cs.SetName(ev.Method)
					cs.SetStartTimestamp(pcommon.NewTimestampFromTime(ev.T.Add(-2 * time.Millisecond)))
					cs.SetEndTimestamp(pcommon.NewTimestampFromTime(ev.T.Add(60 * time.Millisecond)))
					ca := cs.Attributes()
					ca.PutStr("http.request.method", ev.Method)
					ca.PutStr("url.full", "http://orders-api.acme.svc.cluster.local:8080"+ev.Path)
					ca.PutStr("server.address", "orders-api.acme.svc.cluster.local")
					ca.PutInt("server.port", 8080)
					ca.PutInt("http.response.status_code", int64(ev.Status))
					ca.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr(ev.Tok.HeaderValue())
					// server
					oss, ok := rss["orders-api"]
					if !ok {
						rs := td.ResourceSpans().AppendEmpty()
						rs.Resource().Attributes().PutStr("service.name", "orders-api")
						rs.Resource().Attributes().PutStr("telemetry.sdk.language", "go")
						oss = rs.ScopeSpans().AppendEmpty()
						oss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
						rss["orders-api"] = oss
					}
					sv := oss.Spans().AppendEmpty()
					sv.SetTraceID(t)
					sv.SetSpanID(sid())
					sv.SetParentSpanID(s1)
					fillServer(sv, ev, svcs["orders-api"])
					continue
				}
				ss, ok := rss[ev.Svc]
				if !ok {
					rs := td.ResourceSpans().AppendEmpty()
					rs.Resource().Attributes().PutStr("service.name", ev.Svc)
					rs.Resource().Attributes().PutStr("telemetry.sdk.language", info.lang)
					ss = rs.ScopeSpans().AppendEmpty()
					ss.Scope().SetName(ev.Svc + "-http-instrumentation")
					rss[ev.Svc] = ss
				}
				sp := ss.Spans().AppendEmpty()
				t, s1 := tid()
				sp.SetTraceID(t)
				sp.SetSpanID(s1)
				fillServer(sp, ev, info)
			}
			_ = resAttrSS
			if td.SpanCount() > 0 {
				out = append(out, req{traces: td})
			}
			if ld.LogRecordCount() > 0 {
				out = append(out, req{logs: ld, isLog: true})
			}
		}
		i = j
	}
	return out
}

func send(url string, reqs []req) {
	client := &http.Client{Timeout: 60 * time.Second}
	post := func(path string, body []byte) {
		for attempt := 0; ; attempt++ {
			resp, err := client.Post(url+path, "application/x-protobuf", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
				if attempt > 30 {
					fmt.Fprintln(os.Stderr, "giving up status", resp.StatusCode)
					return
				}
			} else if attempt > 30 {
				fmt.Fprintln(os.Stderr, "giving up", err)
				return
			}
			time.Sleep(time.Duration(200*(attempt+1)) * time.Millisecond)
		}
	}
	ch := make(chan int, 4)
	var wg sync.WaitGroup
	// two agents in parallel, items in order of request
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				r := reqs[i]
				var body []byte
				path := "/v1/traces"
				if r.isLog {
					body, _ = plogotlp.NewExportRequestFromLogs(r.logs).MarshalProto()
					path = "/v1/logs"
				} else {
					body, _ = ptraceotlp.NewExportRequestFromTraces(r.traces).MarshalProto()
				}
				post(path, body)
				if i%50 == 7 { // retry of a whole batch (agent missed the ack)
					post(path, body)
				}
			}
		}()
	}
	start := time.Now()
	for i := range reqs {
		ch <- i
		if i%500 == 0 {
			fmt.Fprintf(os.Stderr, "sent %d/%d requests (%s)\n", i, len(reqs), time.Since(start).Round(time.Second))
		}
	}
	close(ch)
	wg.Wait()
}

func main() {
	out := flag.String("out", "run", "output dir")
	keyfile := flag.String("keyfile", "run/keys/fingerprint.key", "")
	auditctl := flag.String("auditctl", "auditctl", "")
	url := flag.String("send", "", "OTLP/HTTP base URL; empty: prep only")
	t0 := flag.String("t0", "", "start of event time (RFC3339); default 14 days ago midnight UTC")
	life := flag.Duration("userlife", 12*time.Hour, "user JWT lifetime (re-issued when it runs out)")
	flag.BoolVar(&xffOnly, "xffonly", false, "orders-api gateway spans carry X-Forwarded-For but no client.address")
	flag.Parse()
	userLife = *life
	if *t0 != "" {
		T0, _ = time.Parse(time.RFC3339, *t0)
	} else {
		T0 = time.Now().UTC().Add(-14 * 24 * time.Hour).Truncate(24 * time.Hour)
	}
	rng = rand.New(rand.NewSource(42))
	build()
	clean()
	inject()
	if *url == "" {
		for _, t := range allToks {
			if t.Needs {
				t.ID = fingerprint(*auditctl, *keyfile, t)
			}
		}
		for _, l := range labels {
			if l.tok != nil {
				l.Token = l.tok.ID
			}
		}
		writePolicy(*out + "/policy.yaml")
		lj, _ := json.MarshalIndent(labels, "", " ")
		os.WriteFile(*out+"/labels.json", lj, 0o644)
		// token inventory for clean/false alert accounting
		n := 0
		for _, t := range allToks {
			_ = t
			n++
		}
		os.WriteFile(*out+"/negatives.txt", []byte(strings.Join(negs, "\n")+"\n"), 0o644)
		fmt.Printf("T0=%s events=%d tokens=%d labels=%d\n", T0.Format(time.RFC3339), len(evs), n, len(labels))
		return
	}
	reqs := buildRequests(evs)
	fmt.Fprintf(os.Stderr, "T0=%s events=%d requests=%d\n", T0.Format(time.RFC3339), len(evs), len(reqs))
	send(*url, reqs)
}
