package tokenanomalyconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestMultiAddressStraddlingWindow: a botnet whose networks straddle the
// end of the token's spread window does not learn its first networks as
// the token's habit before it is over; a token that uses two networks in
// turn every window keeps its bar.
func TestMultiAddressStraddlingWindow(t *testing.T) {
	habit := every("tok_api", "185.40.1.9", t0, 20*time.Minute, 2*24*3)
	then := t0.Add(2 * 24 * time.Hour)
	at := func(d time.Duration, client string) item {
		return every("tok_api", client, then.Add(d), time.Second, 1)[0]
	}
	tests := []struct {
		name  string
		extra []item
		want  int
	}{
		{"three hosting networks across a window's end", []item{at(0, "185.40.1.9"), at(8*time.Minute, "45.77.10.5"),
			at(10*time.Minute+time.Second, "91.12.3.9"), at(11*time.Minute, "103.9.8.7")}, 1},
		{"a second usual network now and then", []item{at(0, "185.40.1.9"), at(8*time.Minute, "185.40.1.9"),
			at(30*time.Minute, "185.40.1.9")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig())
			h.send(habit...)
			h.send(tt.extra...)
			assert.Len(t, h.alertsOf(auditattr.FindingMultiAddress), tt.want)
		})
	}
}
