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
	return hashString(seedOwner, ev.principal)
}
