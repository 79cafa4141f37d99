package fieldsim

import (
	"testing"
	"time"
)

// TestSurgeLabel: an injection's calls that surge by the simulation's own
// measure (injectRateSurge) get a secondary rate_surge label; fewer calls,
// or calls a busy token makes anyway, do not.
func TestSurgeLabel(t *testing.T) {
	tests := []struct {
		name    string
		rate    float64 // the token's usual calls an hour
		calls   int
		within  time.Duration
		labeled bool
	}{
		{"a botnet's 30 calls in 10 minutes on a token at 3 an hour", 3, 30, 10 * time.Minute, true},
		{"24 calls: under the surge's floor", 3, 24, 10 * time.Minute, false},
		{"30 calls in 15 minutes on a token at 20 an hour", 20, 30, 15 * time.Minute, false},
		{"60 calls in 30 minutes on a token at 15 an hour", 15, 60, 30 * time.Minute, false},
		{"60 calls in 30 minutes on a token at 5 an hour", 5, 60, 30 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Sim{}
			tok := &token{id: "tok_x", kind: kindUser, rate: tt.rate}
			in := s.begin()
			at := DefaultStart
			for i := range tt.calls {
				in.reqs = append(in.reqs, Request{At: at.Add(tt.within * time.Duration(i) / time.Duration(max(tt.calls-1, 1)))})
			}
			in.surgeLabel(tok)
			if got := len(s.Labels) == 1 && !s.Labels[0].Primary && s.Labels[0].Type == "rate_surge"; got != tt.labeled {
				t.Errorf("labelled %v (%+v), want %v", got, s.Labels, tt.labeled)
			}
		})
	}
}
