package tokenanomalyconnector

// wideKey is who counts on a wide range (population.wide_ipv4_prefix): the
// token's principal when the item names one, else the token itself. The
// wide rule stands for "many of the org's people use this ISP"; counting
// tokens let re-issue stand in for people: a user's access tokens live an
// hour (OAuth 2.0, OIDC), so one office's users made hundreds of tokens in
// a week and the office's /8 looked like a large ISP of the org, hiding a
// botnet address in it. A service's replicas count once too.
func wideKey(ev *event, tokenKey uint64) uint64 {
	if ev.principal == "" {
		return tokenKey
	}
	return ev.owner
}

// setKeys computes the token's and the principal's table keys of an item
// with a token, once: every detector that reads them uses these.
func (ev *event) setKeys() {
	ev.key = hashString(seedToken, ev.tokenID)
	ev.owner = ownerKey(ev.principal)
}

// ownerKey is the key of a principal in the owners' tables (off_hours'
// profiles, rate_surge's baselines, the wide ranges' population); 0 for
// none. Computed once per item.
func ownerKey(principal string) uint64 {
	if principal == "" {
		return 0
	}
	return hashString(seedOwner, principal)
}

// putOwner returns the entry of the item's principal in t, creating it on
// first sight (created) and counting an eviction it causes as table; nil
// when the item names none.
func putOwner[T any](m *model, t *table[T], table string, ev *event) (p *T, created bool) {
	if ev.principal == "" {
		return nil, false
	}
	p, created, _, evicted := t.put(ev.owner)
	if evicted {
		m.tel.evicted(table)
	}
	return p, created
}
