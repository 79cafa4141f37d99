package tokenanomalyconnector

// defaultResourcePeers is new_resource.population.min_principals' default:
// off. The peer rule removed every false alert of one evaluation but cost
// the recall of the two others, whose misuse is a peer group's common
// route (README, "Why these defaults").
const defaultResourcePeers = 0

// commonResource judges a resource new to a token against its population,
// as GuardDuty weighs an API new to a principal against the account and
// Elastic's rare-by-user rules against all users: it is common when the
// token's owner called it with another token within forget_after (a
// re-issued or second token of the same person) or when at least
// min_principals other principals of the token's peer group did. The peer
// group is the principal type and the token's scopes: people of one role
// share a route mix, so a less-used route of their role is no news, while
// a reports-only key pulling orders is rare among reports-only keys.
//
// The counts are resourcePopulation's. Off (min_principals 0), nothing is
// common.
func commonResource(pc *ResourcePopulationConfig, peers int, ownerKnown bool) bool {
	return pc.MinPrincipals > 0 && (ownerKnown || peers >= pc.MinPrincipals)
}

// resourcePopulation counts the item's owner (the token when it names
// none) once in the population of its peer group's resource and reports
// how many other principals of the group were counted before (peers), and
// whether the owner called the resource within forget_after. Called on
// every first call a token makes of a resource (the memo missed), whatever
// population.min_principals is (a young token's owner is judged by it,
// novelty_owner.go): once per (owner, resource) and generation of the
// novelty filter, the owner counts once in the shared count-min sketch on
// (peer group, resource). Both live in the fixed memory of the filter and
// the sketch, rotate with them in event time and are saved with them; a
// collision can only make a resource look common.
//
// The count stops one past the largest threshold it is compared with
// (population.min_principals, youngResourcePeers): more proves nothing
// more, and every count is noise in the sketch's other values, the
// networks new_client_address counts. So the resources' share of the
// sketch is bounded by the distinct (peer group, resource) values, not by
// how many owners call them.
func (m *model) resourcePopulation(ev *event, key uint64) (peers int, ownerKnown bool) {
	group := hashPair(seedPeerRes, ev.peerGroup(), ev.resource)
	limit := max(m.cfg.Detectors.NewResource.Population.MinPrincipals, youngResourcePeers)
	return m.countOnce(hashPair(seedOwnerRes, wideKey(ev, key), ev.resource), group, limit)
}

// ownerResources is the item's owner's entry in rate_surge's owners'
// table, where its resource novelty is kept; nil when it names none or
// rate_surge keeps no owners.
func (m *model) ownerResources(ev *event) *principalRate {
	if ev.principal == "" {
		return nil
	}
	return m.principalRates.get(ev.owner)
}

// peerGroup is the item's peer group: its principal type and the token's
// grant (scopes). Saved sketches hold values derived from it: it must not
// change between versions.
func (ev *event) peerGroup() uint64 {
	return ev.scopeBits ^ hashString(seedPeerRes, ev.principalType)
}
