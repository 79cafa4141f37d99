package credential

import (
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
	p, _, _ := strings.Cut(rest, ".")
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
	text := "upstream rejected token " + h + "." + p + " at gateway"
	var got []Credential
	r.ScanText(text, nil, nil, func(c Credential) { got = append(got, c) })
	if len(got) != 1 || !got[0].Malformed || text[got[0].Start:got[0].End] != h+"."+p {
		t.Fatalf("free text: %+v", got)
	}
}
