package policy

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// The verdict lists the table tests expect.
var (
	revoked    = []string{auditattr.ViolationRevoked}
	scope      = []string{auditattr.ViolationScope}
	restricted = []string{auditattr.ViolationRestrictedResource}
	offHours   = []string{auditattr.ViolationOffHours}
	network    = []string{auditattr.ViolationDisallowedNetwork}
)

// loadExample parses testdata/policy.yaml, the example the README shows.
func loadExample(t testing.TB) *Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, string(data))
}

func mustParse(t testing.TB, yaml string) *Policy {
	t.Helper()
	p, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// workTime is Wednesday 2026-11-18, 11:30 in Berlin (UTC+1): inside the
// example's working hours.
var workTime = time.Date(2026, 11, 18, 10, 30, 0, 0, time.UTC)
