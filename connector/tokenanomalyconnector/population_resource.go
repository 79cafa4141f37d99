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
// Called on every first call a token makes of a resource (the memo missed),
// it also teaches the population: once per (owner, resource) and
// generation of the novelty filter, the owner counts once in the shared
// count-min sketch on (peer group, resource). Both live in the fixed
// memory of the filter and the sketch, rotate with them in event time and
// are saved with them; a collision can only make a resource look common.
func (m *model) commonResource(ev *event, key uint64, pc *ResourcePopulationConfig) bool {
	if pc.MinPrincipals == 0 {
		return false
	}
	peers := hashPair(seedPeerRes, ev.scopeBits^hashString(seedPeerRes, ev.principalType), ev.resource)
	others, ownerKnown := m.countOnce(hashPair(seedOwnerRes, wideKey(ev, key), ev.resource), peers)
	return ownerKnown || others >= pc.MinPrincipals
}
