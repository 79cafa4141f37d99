package credential

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestTruncatedJWTIsMalformed: a JWT cut short (one dot, no dot, broken
// base64) is a malformed JWT, never an opaque bearer token (issue 13,
// point 5); base64 JSON that is no JOSE header stays opaque.
func TestTruncatedJWTIsMalformed(t *testing.T) {
	full := jwtOf(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","exp":1800000000}`)
	h, rest, _ := strings.Cut(full, ".")
	p, sig, _ := strings.Cut(rest, ".")
	// Re-encoded with standard base64 (issue 13, malformed_token): '+'
	// and '/' where base64url has '-' and '_', and '=' padding even
	// without them.
	stdPayload := base64.StdEncoding.EncodeToString([]byte(`{"sub":"<<?>","exp":1800000000}`))
	paddedPayload := base64.StdEncoding.EncodeToString([]byte(`{"sub":"alice","exp":1}`))
	if !strings.ContainsAny(stdPayload, "+/") || !strings.HasSuffix(paddedPayload, "=") || strings.ContainsAny(paddedPayload, "+/") {
		t.Fatalf("the payloads do not have the shape under test: %s %s", stdPayload, paddedPayload)
	}
	r := rules(t)
	tests := []struct {
		name, tok string
		malformed bool
		typ       string
	}{
		{"one dot", h + "." + p, true, auditattr.TypeJWT},
		{"header and dot", h + ".", true, auditattr.TypeJWT},
		{"header alone", h, true, auditattr.TypeJWT},
		{"broken base64", h[:len(h)-2] + "$%", true, auditattr.TypeJWT},
		{"cut inside the payload", h + "." + p[:len(p)-3] + "." + "x", true, auditattr.TypeJWT},
		{"standard base64 payload", h + "." + stdPayload + "." + sig, true, auditattr.TypeJWT},
		{"padded payload", h + "." + paddedPayload + "." + sig, true, auditattr.TypeJWT},
		{"whole", full, false, auditattr.TypeJWT},
		{"base64 JSON that is no header", enc.EncodeToString([]byte(`{"session":"abc123456"}`)), false, auditattr.TypeBearer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := r.ParseAuthorization("Bearer " + tt.tok)
			if !ok || c.Type != tt.typ || c.Malformed != tt.malformed {
				t.Fatalf("got type %q malformed %v (%s), want %q %v", c.Type, c.Malformed, c.Reason, tt.typ, tt.malformed)
			}
		})
	}
	for _, tok := range []string{h + "." + p, h + "." + stdPayload + "." + sig, h + "." + paddedPayload + "." + sig} {
		text := "upstream rejected token " + tok + " at gateway"
		var got []Credential
		r.ScanText(text, nil, nil, func(c Credential) { got = append(got, c) })
		if len(got) != 1 || !got[0].Malformed || text[got[0].Start:got[0].End] != tok {
			t.Fatalf("free text %q: %+v", text, got)
		}
	}
}
