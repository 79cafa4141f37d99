package tokenauditprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
)

// TestPrincipalOfAppOnlyTokens: a token whose subject is not its client
// acts for a user, unless its issuer marks it app-only (Auth0's
// client-credentials tokens, Entra ID's app tokens, Keycloak's service
// accounts): those are their client's, a service.
func TestPrincipalOfAppOnlyTokens(t *testing.T) {
	exp := time.Now().Add(time.Hour).Unix()
	tests := []struct {
		name     string
		claims   map[string]any
		wantID   string
		wantType string
	}{
		{"a user's token", map[string]any{"sub": "alice", "azp": "web", "exp": exp}, "alice", auditattr.PrincipalUser},
		{"a client's own token", map[string]any{"sub": "svc-1", "client_id": "svc-1", "exp": exp}, "svc-1", auditattr.PrincipalService},
		{"Auth0 client credentials", map[string]any{"sub": "Xk1@clients", "azp": "Xk1", "gty": "client-credentials", "exp": exp}, "Xk1", auditattr.PrincipalService},
		{"Auth0 subject alone", map[string]any{"sub": "Xk1@clients", "azp": "Xk1", "exp": exp}, "Xk1", auditattr.PrincipalService},
		{"gty alone", map[string]any{"sub": "3f2a", "azp": "billing", "gty": "client-credentials", "exp": exp}, "billing", auditattr.PrincipalService},
		{"Entra app-only", map[string]any{"sub": "5c1e-oid", "azp": "7d9a-app", "idtyp": "app", "exp": exp}, "7d9a-app", auditattr.PrincipalService},
		{"Entra user", map[string]any{"sub": "5c1e-oid", "azp": "7d9a-app", "idtyp": "user", "exp": exp}, "5c1e-oid", auditattr.PrincipalUser},
		{"Keycloak service account", map[string]any{"sub": "9b1c-uuid", "azp": "billing", "preferred_username": "service-account-billing", "exp": exp}, "billing", auditattr.PrincipalService},
		{"Keycloak user", map[string]any{"sub": "9b1c-uuid", "azp": "billing", "preferred_username": "alice", "exp": exp}, "9b1c-uuid", auditattr.PrincipalUser},
		{"a password grant", map[string]any{"sub": "alice", "azp": "web", "gty": "password", "exp": exp}, "alice", auditattr.PrincipalUser},
		{"gty of the wrong type", map[string]any{"sub": "alice", "azp": "web", "gty": 7, "exp": exp}, "alice", auditattr.PrincipalUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := credential.ParseJWT(makeJWT(t, nil, tt.claims, hmacSecret), credential.DefaultLimits())
			require.NoError(t, err)
			p, err := newStandalone(testConfig())
			require.NoError(t, err)
			info := &tokenInfo{}
			p.readClaims(info, j)
			assert.Equal(t, tt.wantID, info.principalID)
			assert.Equal(t, tt.wantType, info.principalType)
		})
	}
}
