package tokenanomalyconnector

import (
	"math"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// closeMultiWindow closes multi_address's window of the token's spread and
// opens one at now. The closed window's spread is learned one window late:
// the networks are counted over a sliding window while the spread is kept
// per tumbling window, so a botnet straddling a window's end had its first
// networks learned as the token's habit before it was over (the hourly
// evaluator run's missed botnet: 4 networks before 13:40 raised the bar
// from 6 to 8, and it reached 6). The pending spread lives in the side
// allocation of tokens that change networks; a token on one network has
// nothing in flight, and after an idle window the pending one is over.
func (m *model) closeMultiWindow(ev *event, st *tokenState, now uint32) {
	x := m.extras.of(st)
	if x == nil || ev.at-int64(st.multiCurAt)*1000 >= 2*m.cfg.Detectors.MultiAddress.Window.Milliseconds() {
		st.multiPeak = max(st.multiPeak, st.multiCur)
		if x != nil {
			st.multiPeak = max(st.multiPeak, x.multiPending)
			x.multiPending = 0
		}
	} else {
		st.multiPeak = max(st.multiPeak, x.multiPending)
		x.multiPending = st.multiCur
	}
	st.multiCurAt, st.multiCur = now, 1
	// Only a token that proved its owner teaches the owner's spread: a
	// forged or refused token naming a principal would raise its bar, and
	// a thief's token that alerted would have its networks short of the
	// bar raise it for the owner's next stolen token.
	if st.multiPeak > 1 && ev.principal != "" && st.flags&(flagSucceeded|flagMultiAlerted) == flagSucceeded && !ev.refusedAuth && !ev.lapsed {
		if p := m.principalRates.get(ev.owner); p != nil {
			p.multiPeak = max(p.multiPeak, st.multiPeak)
		}
	}
}

// judgedYoung reports whether a token within learning_period may be judged
// on someone else's spread (ownerSpread, personSpread): it is short-lived
// (it expires within a day of its issue, as hourly OAuth 2.0 and OIDC
// access tokens do, so it is always young) and its owner is more than a
// claim. A long-lived token learns its own spread: a new key rolled out to
// a fleet is its owner's new habit, not a theft. A forged or refused
// token's owner is only its claim, and a lapsed one's use has its own
// alert.
func judgedYoung(ev *event, st *tokenState) bool {
	return !ev.refusedAuth && !ev.lapsed && ev.expiresAt > 0 && !expiresBeyondWindow(ev, st, 24*time.Hour)
}

// ownerSpread is the bar of a young token (judgedYoung) judged on its
// owner's spread, and whether it is judged so: its owner has a history
// (first seen learning_period ago, active in 8 hours; the owners' table
// rate_surge keeps). The bar is baseline_ratio × the most networks any one
// of the owner's tokens used within a window, and at least networks: a
// deploy bot's hourly tokens on three runners set their owner's spread at
// three.
func (m *model) ownerSpread(ev *event, c *MultiAddressConfig) (int, bool) {
	p := m.ownerHistory(ev, c.LearningPeriod)
	if p == nil {
		return 0, false
	}
	return max(c.Networks, int(math.Ceil(c.BaselineRatio*float64(p.multiPeak)))), true
}

// personSpread is the bar of a person's young token (judgedYoung) that
// neither it nor its owner has a spread to be judged on (a user's hourly
// access token whose owner has not been active in enough hours yet: a
// developer's kubectl an hour a day, a patient opening the app twice a
// week), and whether it is judged so. One person's device is on a network
// or two within a window (home Wi-Fi and the carrier; a CGNAT pool counts
// once per provider, see spread), so person_networks of them is the same
// credential in several places: a session driven through residential or
// mobile proxies. A service's token is not judged so: a fleet is many
// places at once by design.
//
// Networks are counted as spread counts them, so the rule waits until the
// population can explain a carrier's pool (new_client_address enabled,
// its population watched for its learning_period): before that, a phone
// on five /24s of its carrier's CGNAT would be five networks.
func (m *model) personSpread(ev *event, c *MultiAddressConfig) (int, bool) {
	pc := &m.cfg.Detectors.NewClientAddress.Population
	if c.PersonNetworks == 0 || ev.principalType != auditattr.PrincipalUser ||
		!m.det.newAddress.enabled || pc.MinTokens == 0 || ev.at-m.since < pc.LearningPeriod.Milliseconds() {
		return 0, false
	}
	return max(c.Networks, c.PersonNetworks), true
}
