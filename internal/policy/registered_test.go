package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegisteredListsEntriesInFileOrder(t *testing.T) {
	p := loadExample(t)
	list := p.Registered()
	require.Len(t, list, 3)
	assert.Equal(t, "tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", list[0].ID)
	assert.Equal(t, "night-batch", list[1].JTI)
	assert.True(t, list[1].HasWorkingHours())
	assert.Equal(t, "AKIAEXAMPLEKEYID0001", list[2].KeyID)
	assert.False(t, list[2].HasWorkingHours())
	assert.Same(t, list[2], p.Lookup("", "", "AKIAEXAMPLEKEYID0001"))
	assert.True(t, p.HasWorkingHours())
	assert.True(t, p.HasScopes())

	empty := mustParse(t, "allowed_networks: [10.0.0.0/8]\n")
	assert.Empty(t, empty.Registered())
	assert.False(t, empty.HasWorkingHours())
	assert.False(t, empty.HasScopes())
	var none *Policy
	assert.Nil(t, none.Registered())
}

func TestRegistryLastUsed(t *testing.T) {
	p := mustParse(t, `registry:
  tokens:
    - {id: used, created_at: 2026-01-01T00:00:00Z, last_used_at: 2026-03-01T12:00:00Z}
    - {id: never, created_at: 2026-01-01T00:00:00Z, last_used_at: never}
    - {id: unknown, created_at: 2026-01-01T00:00:00Z}
    - {id: aws-report-never, created_at: 2026-01-01T00:00:00Z, last_used_at: N/A}
    - {id: gitlab, created_at: 2026-01-01T00:00:00Z, last_used_at: "2026-03-01T12:00:00.000Z"}
    - {id: aws-report, created_at: 2026-01-01T00:00:00Z, last_used_at: "2026-03-01T12:00:00+00:00"}
`)
	list := p.Registered()
	require.Len(t, list, 6)
	for _, tc := range []struct {
		id    string
		last  string
		never bool
	}{
		{"used", "2026-03-01T12:00:00Z", false},
		{"never", "", true},
		{"unknown", "", false},
		{"aws-report-never", "", true}, // the IAM credential report's access_key_1_last_used_date
		{"gitlab", "2026-03-01T12:00:00Z", false},
		{"aws-report", "2026-03-01T12:00:00Z", false},
	} {
		e := p.Lookup(tc.id, "", "")
		require.NotNil(t, e, tc.id)
		last := ""
		if !e.LastUsedAt.IsZero() {
			last = e.LastUsedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
		}
		assert.Equal(t, tc.last, last, tc.id)
		assert.Equal(t, tc.never, e.NeverUsed, tc.id)
	}
}
