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
