// Package loadtraffic makes the realistic traffic of the whole-pipeline
// benchmark (make bench-e2e) and of the processor's benchmarks: OTLP
// requests of server spans as an API gateway records them, with the
// credential mix, token popularity and status mix of docs/BENCHMARKS.md.
package loadtraffic // import "github.com/tokenaudit/tokenaudit/internal/loadtraffic"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Credential kinds, in the order of Shares.
const (
	KindJWT = iota
	KindBasic
	KindAPIKey
	KindNone
	kinds
)

// Shares of spans by credential kind: bearer JWTs, Basic, API keys in
// x-api-key, none (health checks, public routes).
var Shares = [kinds]float64{0.70, 0.05, 0.15, 0.10}

// Lifetime of the JWTs: beyond token_anomaly's expiring_soon window (7
// days), so a healthy service's traffic does not raise one alert per token
// in its first minute; the benchmark measures the steady state.
const Lifetime = 30 * 24 * time.Hour

// JWT sizes, in bytes of the compact serialisation.
const (
	MinJWTBytes = 400
	MaxJWTBytes = 900
)

// tokenSet is one kind's credentials, drawn with Zipf popularity.
type tokenSet struct {
	values []string
	home   []string // each token's usual client address
}

// signer makes the JWTs of one issuer.
type signer struct {
	sig    jose.Signer
	issuer string
}

func newSigner(secret []byte, keyID string) (*signer, error) {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		return nil, fmt.Errorf("HS256 signer: %w", err)
	}
	return &signer{sig: sig, issuer: "https://idp.example.com/realms/shop"}, nil
}

// jwt signs the access token of user i, sized near target bytes with the
// group memberships identity providers put in access tokens.
func (s *signer) jwt(rng *rand.Rand, i int, target int, now time.Time) (string, error) {
	claims := map[string]any{
		"iss":       s.issuer,
		"sub":       fmt.Sprintf("f3c1a2b4-%04x-4c1d-9e0f-%012x", i&0xffff, i),
		"aud":       []string{"shop-api", "account"},
		"azp":       "shop-web",
		"client_id": "shop-web",
		"jti":       fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), i),
		"sid":       fmt.Sprintf("%016x", rng.Uint64()),
		"iat":       now.Add(-time.Duration(rng.IntN(3600)) * time.Second).Unix(),
		"exp":       now.Add(Lifetime).Unix(),
		"scope":     "openid profile orders:read orders:write users:read",
		"email":     fmt.Sprintf("user%d@example.com", i),
		"name":      fmt.Sprintf("Load User %d", i),
		"roles":     []string{"customer"},
		"tenant":    "eu-west-shop",
	}
	// base64 of the header and claims plus the signature: about 105 bytes
	// of overhead and 4/3 of the claims' JSON.
	const overhead, perGroup = 110, 24
	base := 420 // the claims above marshal to about this
	var groups []string
	for n := overhead + (base+len(groups)*perGroup)*4/3; n < target; n = overhead + (base+len(groups)*perGroup)*4/3 {
		groups = append(groups, fmt.Sprintf("/shop/team-%04d/members", rng.IntN(10000)))
	}
	if len(groups) > 0 {
		claims["groups"] = groups
	}
	tok, err := jwt.Signed(s.sig).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign JWT %d: %w", i, err)
	}
	return tok, nil
}

// basic is the Authorization value of service account i.
func basic(i int) string {
	return "Basic " + base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "svc-%d:%s", i, keyHex("basic", i)))
}

// apiKey is a Stripe-style secret key, the kind of key x-api-key carries.
func apiKey(i int) string {
	return "sk_live_" + keyHex("apikey", i)
}

func keyHex(kind string, i int) string {
	m := hmac.New(sha256.New, []byte("loadtraffic"))
	fmt.Fprintf(m, "%s-%d", kind, i)
	return hex.EncodeToString(m.Sum(nil)[:16])
}
