package tokenanomalyconnector

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
}
