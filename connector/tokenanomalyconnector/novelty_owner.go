package tokenanomalyconnector

// A user's access token lives an hour (OAuth 2.0, OIDC): it never settles
// on its own resources, so new_resource never judged it, and a stolen app
// session or a partner's client-credentials token calling what its owner
// never called went unseen (the seventh outside evaluation: 3 of 6
// injections, all on such tokens). So a young token's first call of a
// resource is also judged by its owner: the owner's tokens together learn
// its resources (the (owner, resource) pairs of the first-seen filter) and
// settle by the same rules as a token's, and the call is news when the
// owner never called the resource with any token within forget_after.
//
// The owner's judgment is stricter than a token's own in one way: the
// resource must also be rare among the token's peers (fewer than
// youngResourcePeers other principals of its peer group, the principal
// type and scopes, called it within forget_after). A settled token's first
// call of a route its peers use is news (population.min_principals is off
// by default: on two of three data sets the injected misuse was such a
// route), but an owner's young tokens were never judged at all, and the
// commonest first call of a user's new session, a feature of the app
// other users of its role use, is not what this rule adds.

// youngResourcePeers: a young token's first call that this many other
// principals of its peer group made within forget_after is not news by
// its owner (the population rule's measured value, README "Why these
// defaults").
const youngResourcePeers = 3

// ownerJudgesResource reports whether a young token's first call of a
// resource, new to the token, is news by its owner: the owner has history
// (knownFor), settled on its resources, never called this one within
// forget_after (ownerKnown false), and fewer than youngResourcePeers of
// its peers did (peers). Called before learnOwnerResource.
func (m *model) ownerJudgesResource(ev *event, p *principalRate, ownerKnown bool, peers int, c *NoveltyConfig) bool {
	if ownerKnown || peers >= youngResourcePeers || !p.knownFor(ev.at, c.LearningPeriod) {
		return false
	}
	novelAt := max(p.resNovelAt, p.firstSeen)
	return settled(ev.at, novelAt, p.activeHours, p.resNovel, c) ||
		quietEnough(ev.at, novelAt, p.activeHours, p.resQuiet, p.resNovel, c)
}

// quietResource counts a repeat call of a resource the token knew, for
// the token and its owner.
func (m *model) quietResource(ev *event, st *tokenState) {
	countQuiet(&st.resQuiet)
	if p := m.ownerResources(ev); p != nil {
		countQuiet(&p.resQuiet)
	}
}

// learnOwnerResource counts a token's first call of a resource in its
// owner's resource novelty, as detectNovelty counts the token's own: a
// resource the owner knew (or the population did, or the org took up) is
// quiet, a refused or flagged call is neither (see resourceRefused), any
// other is the owner's novelty.
func learnOwnerResource(ev *event, p *principalRate, ownerKnown, common bool) {
	switch {
	case p == nil:
	case ownerKnown || common:
		countQuiet(&p.resQuiet)
	case resourceRefused(ev), ev.resourceAlerted:
	default:
		countNovel(ev.at, &p.resNovelAt, &p.resNovel, &p.resQuiet)
	}
}

// countQuiet counts a request on a resource a history (a token's or its
// owner's) knew: the evidence that it settled (quietEnough).
func countQuiet(quiet *uint16) { *quiet = min(*quiet+1, 0xffff) }

// countNovel records a resource new to a history at at (unix ms): its
// learning starts again.
func countNovel(at int64, novelAt *uint32, novel *uint8, quiet *uint16) {
	*novelAt, *novel, *quiet = uint32(at/1000), min(*novel+1, 0xff), 0
}
