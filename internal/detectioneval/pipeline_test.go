package detectioneval

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

func TestLeakCheck(t *testing.T) {
	tests := []struct {
		name, body, attr string
		leak             bool
	}{
		{"hint only", "Token tok_0123 failed 10 times", "ghp_…x9Zq", false},
		{"JWT in the body", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MDAwMDEifQ.sig", "", true},
		{"key in an attribute", "", "glpat-abcdefghij0123456789", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := plog.NewLogRecord()
			lr.Body().SetStr(tt.body)
			lr.Attributes().PutStr("tokenaudit.token.hint", tt.attr)
			if got := leaks(lr); got != tt.leak {
				t.Errorf("leaks = %v, want %v", got, tt.leak)
			}
		})
	}
}

// An alert about a registered JWT the connector never saw names it by jti.
func TestAlertOfNamesJTI(t *testing.T) {
	lr := plog.NewLogRecord()
	lr.Attributes().PutStr("tokenaudit.finding.type", "stale_token")
	lr.Attributes().PutEmptySlice("tokenaudit.evidence.values").AppendEmpty().SetStr("jti:3c10e018")
	if a := alertOf(lr); a.JTI != "3c10e018" || a.TokenID != "" {
		t.Errorf("alert %+v, want jti 3c10e018", a)
	}
	lr.Attributes().PutStr("tokenaudit.token.id", "tok_1")
	if a := alertOf(lr); a.JTI != "" {
		t.Errorf("alert %+v: a token id needs no jti", a)
	}
}
