package detectioneval

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

func TestScore(t *testing.T) {
	t0 := fieldsim.DefaultStart.Add(72 * time.Hour)
	surge := fieldsim.Label{Type: auditattr.FindingRateSurge, TokenID: "tok_victim", Start: t0, End: t0.Add(20 * time.Minute), Primary: true}
	stuffing := fieldsim.Label{Type: auditattr.FindingCredentialStuffing, Client: "45.1.2.3", Start: t0, End: t0.Add(10 * time.Minute), Primary: true}
	botnet := []fieldsim.Label{
		{Type: auditattr.FindingMultiAddress, TokenID: "tok_leaked", Start: t0, End: t0.Add(15 * time.Minute), Primary: true},
		{Type: auditattr.FindingNewClientAddress, TokenID: "tok_leaked", Start: t0, End: t0.Add(15 * time.Minute)},
	}
	pop := Population{Clean: map[string]bool{"tok_clean": true}, Idle: map[string]bool{"tok_idle": true}, Days: 7}
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	tests := []struct {
		name   string
		labels []fieldsim.Label
		alerts []Alert
		want   map[string]Row // by type
		micro  float64
	}{
		{
			name:   "same type, token and time",
			labels: []fieldsim.Label{surge},
			alerts: []Alert{{Type: surge.Type, TokenID: "tok_victim", At: at(5 * time.Minute)}},
			want:   map[string]Row{surge.Type: {Injected: 1, Found: 1, Alerts: 1, True: 1, Delays: []time.Duration{5 * time.Minute}}},
			micro:  1,
		},
		{
			name:   "within the slack after the misuse",
			labels: []fieldsim.Label{surge},
			alerts: []Alert{{Type: surge.Type, TokenID: "tok_victim", At: at(20*time.Minute + Slack)}},
			want:   map[string]Row{surge.Type: {Injected: 1, Found: 1, Alerts: 1, True: 1, Delays: []time.Duration{20*time.Minute + Slack}}},
			micro:  1,
		},
		{
			name:   "too late: false, and the injection missed",
			labels: []fieldsim.Label{surge},
			alerts: []Alert{{Type: surge.Type, TokenID: "tok_victim", At: at(21*time.Minute + Slack)}},
			want:   map[string]Row{surge.Type: {Injected: 1, Alerts: 1}},
		},
		{
			name:   "right token, wrong type",
			labels: []fieldsim.Label{surge},
			alerts: []Alert{{Type: auditattr.FindingFailedAttempts, TokenID: "tok_victim", At: at(time.Minute)}},
			want:   map[string]Row{surge.Type: {Injected: 1}, auditattr.FindingFailedAttempts: {Alerts: 1}},
		},
		{
			name:   "combined_findings stands for the types it combines",
			labels: botnet,
			alerts: []Alert{{Type: auditattr.FindingCombined, TokenID: "tok_leaked", At: at(time.Minute), Related: []string{auditattr.FindingMultiAddress, auditattr.FindingOffHours}}},
			want: map[string]Row{
				auditattr.FindingMultiAddress: {Injected: 1, Found: 1, Delays: []time.Duration{time.Minute}},
				auditattr.FindingCombined:     {Alerts: 1, True: 1},
			},
			micro: 1,
		},
		{
			name:   "combined_findings of other types is false",
			labels: botnet,
			alerts: []Alert{{Type: auditattr.FindingCombined, TokenID: "tok_leaked", At: at(time.Minute), Related: []string{auditattr.FindingOffHours, auditattr.FindingNewResource}}},
			want: map[string]Row{
				auditattr.FindingMultiAddress: {Injected: 1},
				auditattr.FindingCombined:     {Alerts: 1},
			},
		},
		{
			name:   "a secondary label makes an alert right without being required",
			labels: botnet,
			alerts: []Alert{{Type: auditattr.FindingNewClientAddress, TokenID: "tok_leaked", At: at(time.Minute)}},
			want: map[string]Row{
				auditattr.FindingMultiAddress:     {Injected: 1},
				auditattr.FindingNewClientAddress: {Alerts: 1, True: 1},
			},
			micro: 1,
		},
		{
			name:   "credential_stuffing is about the address, whatever token it names",
			labels: []fieldsim.Label{stuffing},
			alerts: []Alert{
				{Type: stuffing.Type, Client: "45.1.2.3", TokenID: "tok_some_guess", At: at(8 * time.Minute)},
				{Type: stuffing.Type, Client: "10.20.0.10", At: at(8 * time.Minute)}, // the gateway
			},
			want:  map[string]Row{stuffing.Type: {Injected: 1, Found: 1, Alerts: 2, True: 1, CleanFalse: 1, Delays: []time.Duration{8 * time.Minute}}},
			micro: 0.5,
		},
		{
			name:   "alerts on clean tokens count per clean token-day; idle tokens are not scored",
			alerts: []Alert{{Type: auditattr.FindingMultiAddress, TokenID: "tok_clean", At: at(0)}, {Type: auditattr.FindingStaleToken, TokenID: "tok_idle", At: at(0)}},
			want:   map[string]Row{auditattr.FindingMultiAddress: {Alerts: 1, CleanFalse: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Score(tt.labels, tt.alerts, pop, Slack)
			got := map[string]Row{}
			for _, r := range rep.Rows {
				typ := r.Type
				r.Type = ""
				got[typ] = r
			}
			for typ, want := range tt.want {
				if !reflect.DeepEqual(got[typ], want) {
					t.Errorf("%s: got %+v, want %+v", typ, got[typ], want)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("rows %v, want the types of %v", got, tt.want)
			}
			if m := rep.MicroPrecision(); tt.micro != 0 && m != tt.micro || tt.micro == 0 && rep.True != 0 {
				t.Errorf("micro precision %v, want %v", m, tt.micro)
			}
		})
	}
}

func TestTargetsAndTable(t *testing.T) {
	pop := Population{Clean: map[string]bool{}, Days: 7}
	for i := range 500 {
		pop.Clean["tok_"+strings.Repeat("c", i+1)] = true
	}
	rep := Report{Pop: pop, Rows: []Row{
		{Type: "good", Injected: 10, Found: 10, Alerts: 10, True: 10},
		{Type: "deaf", Injected: 10, Found: 8, Alerts: 8, True: 8},
		{Type: "noisy", Injected: 10, Found: 10, Alerts: 15, True: 10, CleanFalse: 5},
	}, Alerts: 33, True: 28}
	errs := rep.Targets()
	var text []string
	for _, e := range errs {
		text = append(text, e.Error())
	}
	joined := strings.Join(text, "\n")
	for _, want := range []string{"deaf: recall 0.800", "noisy: precision 0.667", "noisy: 1.43 false alerts per 1,000", "micro precision 0.848"} {
		if !strings.Contains(joined, want) {
			t.Errorf("targets missing %q in:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "good") {
		t.Errorf("a type meeting every target is reported:\n%s", joined)
	}
	if tab := rep.Table(); !strings.Contains(tab, "| `noisy` | 10 | 10 | 1.000 | 15 | 10 | 0.667 | 5 | 1.43 | — |") {
		t.Errorf("table row wrong:\n%s", tab)
	}
}
