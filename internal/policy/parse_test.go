package policy

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestParseErrors: each error names the YAML path, then the fix.
func TestParseErrors(t *testing.T) {
	tokens := func(entries ...string) string {
		return "registry:\n  tokens:\n    - " + strings.Join(entries, "\n    - ") + "\n"
	}
	tests := []struct{ name, yaml, want string }{
		{"syntax", "revoked: [this is: not valid", "yaml: line 1: did not find expected ',' or ']'"},
		{"not a mapping", "hello", "the file: want a mapping of keys, not a single value (line 1)"},
		{"unknown key", "scope: {}", "scope: unknown key (line 1): use one of scopes, restricted, working_hours, allowed_networks, principals, revoked, registry"},
		{"unknown nested key", tokens("{id: a}", "{id: b, expire_at: x}"), "registry.tokens[1].expire_at: unknown key (line 4): use one of id, jti, key_id,"},
		{"unknown key in a merge", tokens("{id: a, <<: {bogus: 1}}"), "registry.tokens[0].bogus: unknown key"},
		{"wrong kind: list", "allowed_networks: 10.0.0.0/8", "allowed_networks: want a list, not a single value (line 1)"},
		{"wrong kind: mapping", "scopes: [a]", "scopes: want a mapping of keys, not a list (line 1)"},
		{"wrong kind: value", "scopes: {a: [[x]]}", "scopes.a[0]: want a single value, not a list (line 1)"},
		{"not a bool", "registry: {authoritative: maybe}", "registry.authoritative: want true or false (line 1)"},
		{"two documents", "revoked: []\n---\nrevoked: []\n", "the file holds more than one YAML document"},

		{"scope pattern", "scopes:\n  users:read: [\"GET /users\", \"GET users\"]\n", `scopes.users:read[1]: resource pattern "GET users": the path must start with /`},
		{"scope pattern without method", "scopes: {s: [/users]}", `scopes.s[0]: resource pattern "/users" has no method`},
		{"scope pattern **", "scopes: {s: [\"GET /a/**/b\"]}", "scopes.s[0]: resource pattern \"GET /a/**/b\": ** may only be the last segment"},
		{"restricted pattern", "restricted:\n  - resource: ''\n", "restricted[0].resource: empty resource pattern"},

		{"time zone", "working_hours: {time_zone: Mars/Base, start: '08:00', end: '17:00'}", `working_hours.time_zone: unknown time zone "Mars/Base": use an IANA name like Europe/Berlin`},
		{"local time zone", "working_hours: {time_zone: Local, start: '08:00', end: '17:00'}", `working_hours.time_zone: "Local" depends on the machine`},
		{"start", "working_hours: {start: 8am, end: '17:00'}", `working_hours.start: cannot parse "8am": use HH:MM like 08:00`},
		{"missing end", "working_hours: {start: '08:00'}", "working_hours.end: missing: use HH:MM like 08:00"},
		{"24:00 start", "working_hours: {start: '24:00', end: '08:00'}", `working_hours.start: cannot parse "24:00"`},
		{"empty window", "working_hours: {start: '08:00', end: '08:00'}", `working_hours: start and end are both 08:00: for all day use start "00:00" and end "24:00"`},
		{"day", "working_hours: {days: [mon, funday], start: '08:00', end: '17:00'}", `working_hours.days[1]: "funday" is not a weekday: use mon, tue`},
		{"no days", "working_hours: {days: [], start: '08:00', end: '17:00'}", "working_hours.days: the list is empty"},

		{"network", "allowed_networks: [10.0.0.0/8, 10.0.0.0/33]", `allowed_networks[1]: "10.0.0.0/33" is not a CIDR or an IP address`},
		{"network zone", "allowed_networks: ['fe80::1%eth0']", `allowed_networks[0]: "fe80::1%eth0" is not a CIDR or an IP address`},

		{"revoked without identifier", "revoked:\n  - jti: a\n  - {}\n", "revoked[1]: no identifier: set id (from `auditctl fingerprint`), jti or key_id"},
		{"revoked_at not a time", "revoked:\n  - {jti: a, revoked_at: yesterday}\n", `revoked[0].revoked_at: cannot parse "yesterday": use RFC 3339 like 2026-12-31T00:00:00Z`},
		{"revoked_at holding a pasted token", "revoked:\n  - {jti: a, revoked_at: ghp_0123456789abcdefghijklmnopqrstuvwxyz}\n", `revoked[0].revoked_at: cannot parse a value of 40 bytes: use RFC 3339`},
		{"registry without identifier", tokens("{id: a}", "{name: x, owner: y}"), "registry.tokens[1]: no identifier: set id (from `auditctl fingerprint`), jti or key_id"},
		{"duplicate id", tokens("{id: tok_secretish}", "{jti: j}", "{id: tok_secretish}"), "registry.tokens[2].id: the same id as registry.tokens[0]: list each token once"},
		{"duplicate jti", tokens("{jti: j}", "{id: a, jti: j}"), "registry.tokens[1].jti: the same jti as registry.tokens[0]"},
		{"duplicate key id", tokens("{key_id: k}", "{key_id: k}"), "registry.tokens[1].key_id: the same key_id as registry.tokens[0]"},
		{"owner type", tokens("{id: a, owner_type: robot}"), `registry.tokens[0].owner_type: "robot" is not a type: use user or service`},
		{"created_at", tokens("{id: a, created_at: yesterday}"), `registry.tokens[0].created_at: cannot parse "yesterday": use RFC 3339`},
		{"expires_at", tokens("{id: a}", "{id: b}", "{id: c, expires_at: tomorrow}"), `registry.tokens[2].expires_at: cannot parse "tomorrow": use RFC 3339 like 2026-12-31T00:00:00Z`},
		{"date without time", tokens("{id: a, expires_at: 2026-12-31}"), `registry.tokens[0].expires_at: cannot parse "2026-12-31": use RFC 3339`},
		{"expiry before creation", tokens("{id: a, created_at: 2026-06-01T00:00:00Z, expires_at: 2025-06-01T00:00:00Z}"), "registry.tokens[0].expires_at: 2025-06-01T00:00:00Z is before created_at 2026-06-01T00:00:00Z"},
		{"last_used_at", tokens("{id: a, last_used_at: recently}"), `registry.tokens[0].last_used_at: cannot parse "recently": use RFC 3339 like 2026-12-31T00:00:00Z, or never (N/A)`},
		{"never without created_at", tokens("{id: a, last_used_at: never}"), "registry.tokens[0].last_used_at: never needs created_at"},
		{"use before creation", tokens("{id: a, created_at: 2026-06-01T00:00:00Z, last_used_at: 2026-05-01T00:00:00Z}"), "registry.tokens[0].last_used_at: 2026-05-01T00:00:00Z is before created_at 2026-06-01T00:00:00Z"},
		{"entry networks", tokens("{id: a, networks: [10.1.0.0/16, nope]}"), `registry.tokens[0].networks[1]: "nope" is not a CIDR or an IP address`},
		{"known value", "registry: {authoritative: true, known: signed}", `registry.known: "signed" is not one of registered (only registered tokens) or registered_or_verified`},
		{"known without authoritative", "registry: {known: registered_or_verified}", "registry.known: registered_or_verified only matters with registry.authoritative: true"},
		{"issuers without known", "registry: {authoritative: true, verified_issuers: [https://idp]}", "registry.verified_issuers: only used with registry.known: registered_or_verified"},
		{"empty issuer", "registry: {authoritative: true, known: registered_or_verified, verified_issuers: ['']}", "registry.verified_issuers[0]: empty: write the issuer as the token's iss claim spells it"},
		{"principal sets nothing", "principals: {alice: {}}", "principals.alice: sets nothing: add working_hours or networks"},
		{"principal empty id", "principals: {'': {networks: []}}", "principals: an empty principal id"},
		{"principal twice", "principals: {alice: {networks: []}, ' alice': {networks: []}}", "principals.alice: listed twice"},
		{"principal networks", "principals: {alice: {networks: [10.0.0.0/8, nope]}}", `principals.alice.networks[1]: "nope" is not a CIDR or an IP address`},
		{"principal hours", "principals: {alice: {working_hours: {start: '9', end: '17:00'}}}", `principals.alice.working_hours.start: cannot parse "9"`},
		{"principal unknown key", "principals: {alice: {hours: {}}}", "principals.alice.hours: unknown key (line 1): use one of networks, working_hours"},
		{"principal not a mapping", "principals: [alice]", "principals: want a mapping of keys, not a list"},
		{"entry hours", tokens("{id: a, working_hours: {time_zone: Mars/Base, start: '08:00', end: '17:00'}}"), `registry.tokens[0].working_hours.time_zone: unknown time zone "Mars/Base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %q\nwant %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secretish") || strings.Contains(err.Error(), "policy.") {
				t.Errorf("the error repeats an id or names a Go type: %q", err)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"empty", ""},
		{"comment only", "# nothing yet\n"},
		{"null", "~"},
		{"null sections", "scopes:\nrestricted:\nworking_hours:\nallowed_networks:\nrevoked:\nregistry:\n"},
		{"trailing document marker", "revoked: [{jti: a}]\n---\n"},
		{"unquoted times", "working_hours: {start: 08:00, end: 17:00}\nregistry: {tokens: [{id: a, created_at: 2026-01-01T00:00:00Z}]}"},
		{"full day names, any case", "working_hours: {days: [Monday, TUE, sunday], start: '08:00', end: '24:00'}"},
		{"IPv4-mapped network", "allowed_networks: ['::ffff:10.0.0.0/104', '::ffff:10.0.0.1']"},
		{"anchors", "working_hours: &w {start: '08:00', end: '17:00'}\nregistry: {tokens: [{id: a, working_hours: *w}]}"},
		{"same identifier in different kinds", "registry: {tokens: [{id: x}, {jti: x}, {key_id: x}]}"},
		{"restricted admits nobody", "restricted: [{resource: 'DELETE /**'}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.yaml)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestParseAliases: anchors work, and a document that multiplies aliases
// fails fast with a short error.
func TestParseAliases(t *testing.T) {
	p := mustParse(t, `
registry:
  tokens:
    - &base {id: tok_1, owner: alice, working_hours: &hours {start: "08:00", end: "17:00"}}
    - {<<: *base, id: tok_2}
    - {<<: [*base], id: tok_3, working_hours: *hours}
`)
	if e := p.Lookup("tok_2", "", ""); e == nil || e.Owner != "alice" || e.hours == nil {
		t.Errorf("merged entry: %+v", e)
	}
	if _, err := Parse([]byte("registry: {tokens: [&a {id: x, bogus: 1}, *a]}")); err == nil || !strings.Contains(err.Error(), "registry.tokens[0].bogus: unknown key") {
		t.Errorf("unknown key under an anchor: %v", err)
	}
	if _, err := Parse([]byte("registry: {tokens: [{<<: *a}]}")); err == nil {
		t.Error("an unknown alias was accepted")
	}

	var y strings.Builder
	y.WriteString("restricted:\n  - {resource: 'GET /', principals: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]}\n")
	prev := "a"
	for _, c := range strings.Split("bcdefghi", "") {
		y.WriteString("  - {resource: 'GET /', principals: &" + c + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]}\n")
		prev = c
	}
	_, err := Parse([]byte(y.String()))
	if want := "restricted[1].principals[0]: want a single value, not a list (line 3)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestCleanTypeError(t *testing.T) {
	err := cleanTypeError(&yaml.TypeError{Errors: []string{
		"line 1: field a not found in type policy.tokenFile", "line 2: x", "line 3: y", "line 4: z", "line 5: w",
	}})
	if want := "yaml: line 1: field a not found; line 2: x; line 3: y; and 2 more"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
