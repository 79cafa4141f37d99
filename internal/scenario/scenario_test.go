package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

func small() Config { return Config{Seed: 7, Users: 100, Services: 120, Busy: 4, PerType: 2} }

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(small()), Generate(small())
	require.Equal(t, len(a.Events), len(b.Events))
	assert.Equal(t, a.Labels, b.Labels)
	assert.Equal(t, a.Events[len(a.Events)/2], b.Events[len(b.Events)/2])
	c := Generate(Config{Seed: 8, Users: 100, Services: 120, Busy: 4, PerType: 2})
	assert.NotEqual(t, a.Labels, c.Labels)
}

func TestEveryFindingTypeIsInjected(t *testing.T) {
	s := Generate(small())
	seen := map[string]int{}
	for _, l := range s.Labels {
		for _, typ := range l.Types {
			seen[typ]++
		}
		assert.True(t, !l.End.Before(l.Start), l.String())
	}
	for _, typ := range []string{
		auditattr.FindingFailedAttempts, auditattr.FindingCredentialStuffing, auditattr.FindingRateSurge,
		auditattr.FindingNewClientAddress, auditattr.FindingNewResource, auditattr.FindingMultiAddress,
		auditattr.FindingOffHours, auditattr.FindingStaleToken, auditattr.FindingResurrectedToken,
		auditattr.FindingUnusedScopes, auditattr.FindingExpiringSoon, auditattr.FindingExcessiveLifetime,
		auditattr.FindingCombined, auditattr.ViolationRevoked, auditattr.ViolationScope,
	} {
		assert.Positive(t, seen[typ], typ)
	}
	for i := 1; i < len(s.Events); i++ {
		require.False(t, s.Events[i].At.Before(s.Events[i-1].At), "events are in time order")
	}
}

func TestPolicyParses(t *testing.T) {
	s := Generate(small())
	_, err := policy.Parse([]byte(s.Policy))
	require.NoError(t, err)
}
