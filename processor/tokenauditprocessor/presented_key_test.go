package tokenauditprocessor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// presentedKey is a key of a format no scanner knows.
const presentedKey = "prk_live_DpFz8nqyuptjcF6xeMadzXpazsT22jD5"

// registryOf is a policy file whose registry lists the keys.
func registryOf(t *testing.T, keys ...string) string {
	var b strings.Builder
	b.WriteString("registry:\n  tokens:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    - id: %s\n      owner: m_01038\n", tokenID(t, k))
	}
	return writeFile(t, "policy.yaml", b.String())
}

// TestExposedPresentedKey: a key of the org's own format, which no scanner
// knows, is found in prose and URLs once a request presented it and the
// registry lists it (an exact match, by its keyed hash in the token
// cache), then reported as exposed_credential and scrubbed. A key the
// registry does not list is not remembered, even when the service accepted
// it (a public endpoint answers 200 to anything), nor one never presented,
// one too short to be told from a word, or any with the cache off.
func TestExposedPresentedKey(t *testing.T) {
	const short = "acme_4f9a2c7e" // 13 bytes
	frames := strings.Repeat("at com.payrail.backoffice.NotesController.add(NotesController.java:42)\n", 300)
	tests := []struct {
		name       string
		header     string   // the presented value of x-api-key
		bearer     bool     // presented as Authorization: Bearer
		status     int64    // the service's answer to it; 0: 200
		registered []string // the registry's keys; nil: the presented one
		noCache    bool
		body       string
		url        string
		wantID     string // the exposed token's secret; "" for none
		exposedIn  string
	}{
		{name: "prose in a log body", header: presentedKey,
			body: "merchant says their live key " + presentedKey + " stopped working", wantID: presentedKey, exposedIn: "log.body"},
		{name: "ending a sentence", header: presentedKey,
			body: "please rotate " + presentedKey + ".", wantID: presentedKey, exposedIn: "log.body"},
		{name: "quoted, in JSON text", header: presentedKey,
			body: `{"note":"key='` + presentedKey + `'"}`, wantID: presentedKey, exposedIn: "log.body"},
		{name: "in a URL path", header: presentedKey,
			url: "https://api.example/v1/keys/" + presentedKey + "/rotate", wantID: presentedKey, exposedIn: "url.full"},
		{name: "an opaque bearer token", header: presentedKey, bearer: true,
			body: "session " + presentedKey + " expired", wantID: presentedKey, exposedIn: "log.body"},
		{name: "refused by the service, but registered", header: presentedKey, status: 401,
			body: "their live key " + presentedKey, wantID: presentedKey, exposedIn: "log.body"},
		{name: "after 300 stack frames", header: presentedKey,
			body: frames + "caused by: bad key " + presentedKey, wantID: presentedKey, exposedIn: "log.body"},
		{name: "a longer word holding the key is not it", header: presentedKey,
			body: "x" + presentedKey + "x"},
		{name: "accepted but not registered: no proof it is a key", header: presentedKey, registered: []string{"prk_live_someOtherKeyOfTheSameShape1"},
			body: "merchant says their live key " + presentedKey},
		{name: "registered, never presented", header: "prk_live_someOtherKeyOfTheSameShape1", registered: []string{presentedKey, "prk_live_someOtherKeyOfTheSameShape1"},
			body: "merchant pasted " + presentedKey},
		{name: "too short to remember", header: short,
			body: "key " + short + " here"},
		{name: "cache off: nothing remembered", header: presentedKey, noCache: true,
			body: "merchant says their live key " + presentedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			registered := tt.registered
			if registered == nil {
				registered = []string{tt.header}
			}
			cfg.PolicyFile = registryOf(t, registered...)
			if tt.noCache {
				cfg.Cache.MaxEntries = 0
			}
			h := newHarness(t, cfg)
			status := tt.status
			if status == 0 {
				status = 200
			}
			h.span(t, now, func(m pcommon.Map) {
				m.PutInt("http.response.status_code", status)
				if tt.bearer {
					putHeader(m, "authorization", "Bearer "+tt.header)
				} else {
					putHeader(m, "x-api-key", tt.header)
				}
			})
			lr := h.logRecord(t, now, func(lr plog.LogRecord) {
				if tt.body != "" {
					lr.Body().SetStr(tt.body)
				}
				if tt.url != "" {
					lr.Attributes().PutStr("url.full", tt.url)
				}
			})
			m := lr.Attributes()
			exposed := slices.Contains(attrStrings(m, auditattr.Violations), auditattr.ViolationExposedCredential)
			if tt.wantID == "" {
				assert.False(t, exposed, "violations %v", attrStrings(m, auditattr.Violations))
				return
			}
			require.True(t, exposed, "violations %v", attrStrings(m, auditattr.Violations))
			assert.Equal(t, tokenID(t, tt.wantID), attrStr(t, m, auditattr.TokenID))
			assert.Equal(t, tt.exposedIn, attrStr(t, m, auditattr.TokenExposedIn))
			h.assertNoSecret(t, tt.wantID)
		})
	}
}

// TestPresentedKeyAmongOtherFindings: a presented key beside a credential
// a scanner knows (a JWT) is scrubbed too, both spans in order.
func TestPresentedKeyAmongOtherFindings(t *testing.T) {
	jwt := userJWT(t, now)
	cfg := testConfig()
	cfg.PolicyFile = registryOf(t, presentedKey)
	h := newHarness(t, cfg)
	h.span(t, now, func(m pcommon.Map) { putHeader(m, "x-api-key", presentedKey) })
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().
		SetStr("token " + jwt + " and key " + presentedKey + " and again " + jwt)
	require.NoError(t, h.lp.ConsumeLogs(context.Background(), ld))
	body := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()
	assert.Equal(t, "token "+tokenID(t, jwt)+" and key "+tokenID(t, presentedKey)+" and again "+tokenID(t, jwt), body)
	h.assertNoSecret(t, presentedKey, jwt)
}
