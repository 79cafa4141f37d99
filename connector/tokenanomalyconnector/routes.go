package tokenanomalyconnector

import (
	"slices"
	"time"
)

// A route the org itself has only just begun to call (a release's new
// endpoint, the month end's report) is taken up by its owners over days,
// each at their next working hours: a cohort of hours never holds them
// all, and each owner's first call of it is no news of that owner's
// token. So new_resource remembers when the org first called each
// resource and which owners took it up since: once a resource first seen
// after routeWatch of watching has been taken up by the cohort's
// min_principals owners other than the token's (trusted calls of tokens
// seen for longer than the cohort's window and on no far and rare new
// network within it: rareNetRecently), such a first call is adoption,
// learned like a resource the population knows, and counted as shared. A
// thief alone never makes a route adopted, and a thief's call from its
// own server is never adoption; what it hides is a first call, from a
// network the org knows, of a route several owners took up since the org
// first saw it within forget_after.

// routeWatch is how long the org is watched before a resource first seen
// is new to the org, not one the watch had not reached yet: three days
// show the daily routes (a weekly one may look new in the first week,
// and its owners then adopt it).
const routeWatch = 72 * time.Hour

// maxRoutes bounds the resources remembered (routes are few; past it a
// new resource is not tracked, counted as table "routes": a flood of
// made-up resources cannot make the org's old routes look new).
const maxRoutes = 4096

const tableRoutes = "routes"

type route struct {
	first, last int64    // event times of the org's first and latest first call of it, unix ms
	owners      []uint64 // distinct owners that took it up since, at most maxCohortOwners
}

// routes are the resources the org called, by resource hash, from the
// time it began watching them (since; not saved: after a restart the
// watch starts again).
type routes struct {
	byKey     map[uint64]*route
	since     int64
	expiredAt int64 // event time of the last scan for stale routes
}

func newRoutes() *routes { return &routes{byKey: map[uint64]*route{}} }

// adopted records a trusted first call of resource res by owner at at
// (counted as an adopter when adopter: a token seen for longer than the
// cohort's window, on no far and rare new network within it) and reports
// whether it is adoption: the org first called res after routeWatch and
// within forget_after, at least minOwners owners other than owner took it
// up, the call is an adopter's, and the token was on no far and rare new
// network since the route's first call either (novelAt: when it last was,
// unix ms, 0 for never). A thief on its own
// server is not adopted however long it waits there, unless it settled
// there before the route existed (its arrival was new_client_address's
// to raise). The cohort's own ground (no new network at all within the
// window) would keep out most people on carrier pools and Wi-Fi.
func (r *routes) adopted(res string, owner uint64, at int64, adopter bool, novelAt int64, minOwners int, forget time.Duration, evicted func()) bool {
	if r.since == 0 {
		r.since = at
	}
	key := hashString(seedRoute, res)
	rt := r.byKey[key]
	if rt != nil && at-rt.last > forget.Milliseconds() {
		*rt = route{first: at} // nobody took it up within forget_after: new again
	}
	if rt == nil {
		if len(r.byKey) >= maxRoutes && !r.expire(at, forget, evicted) {
			return false // full of routes in use: this one is not tracked (counted)
		}
		rt = &route{first: at}
		r.byKey[key] = rt
	}
	rt.first, rt.last = min(rt.first, at), max(rt.last, at) // a late item moves first back
	others := len(rt.owners)
	if slices.Contains(rt.owners, owner) {
		others--
	} else if adopter && len(rt.owners) < maxCohortOwners {
		rt.owners = append(rt.owners, owner)
	}
	fresh := rt.first-r.since >= routeWatch.Milliseconds() && at-rt.first <= forget.Milliseconds()
	quietSince := novelAt < rt.first
	return fresh && minOwners > 0 && others >= minOwners && adopter && quietSince
}

// expire forgets the routes no token called for the first time within
// forget, at most once a minute of event time (a full table of routes in
// use is not scanned per call), and reports whether there is room. A
// route in use is never evicted for a new one: evicting it would make an
// old route look new to the org.
func (r *routes) expire(at int64, forget time.Duration, evicted func()) bool {
	if at-r.expiredAt >= time.Minute.Milliseconds() {
		r.expiredAt = at
		for k, rt := range r.byKey {
			if at-rt.last > forget.Milliseconds() {
				delete(r.byKey, k)
			}
		}
	}
	if len(r.byKey) >= maxRoutes {
		evicted()
		return false
	}
	return true
}
